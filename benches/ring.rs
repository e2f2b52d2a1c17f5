//! Ring benchmarks: ultra's SPSC and MPMC rings beside rtrb, ringbuf,
//! crossbeam-queue `ArrayQueue`, crossbeam-channel `bounded` and std
//! `sync_channel`, every one driven by the same three runners (the same
//! closures for push and pop):
//!
//! - `single`: 1 producer thread / 1 consumer thread move `N` `u64`s one at a time;
//! - `batch`: the same with slice APIs, `BATCH` items per call;
//! - `pingpong`: a value goes to an echo thread and back; time per round trip.
//!
//! `cargo bench --bench ring` runs them under criterion. With
//! `RING_TABLE=1 cargo bench --bench ring` it instead runs `ROUNDS` rounds in
//! which every implementation runs once per configuration, interleaved in
//! one process (cross-core timings on shared VMs are bimodal, so peers must
//! see the same conditions), and prints the markdown table of BENCHMARKS.md:
//! medians, min–max, and the median of per-round ratios ultra / peer.

use std::hint::spin_loop;
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use ringbuf::traits::{Consumer as _, Producer as _, Split as _};

const BATCH: usize = 128;

/// Move `n` values through a ring one at a time; returns the elapsed time.
fn single<P: Send + 'static, C>(
    (mut tx, mut rx): (P, C),
    push: fn(&mut P, u64) -> bool,
    pop: fn(&mut C) -> Option<u64>,
    n: u64,
) -> Duration {
    let go = Arc::new(Barrier::new(2));
    let go2 = go.clone();
    let t = thread::spawn(move || {
        go2.wait();
        for i in 0..n {
            while !push(&mut tx, i) {
                spin_loop();
            }
        }
    });
    go.wait();
    let start = Instant::now();
    let (mut got, mut sum) = (0, 0u64);
    while got < n {
        match pop(&mut rx) {
            Some(v) => {
                sum = sum.wrapping_add(v);
                got += 1;
            }
            None => spin_loop(),
        }
    }
    let elapsed = start.elapsed();
    t.join().unwrap();
    assert_eq!(sum, n * (n - 1) / 2, "lost or duplicated items");
    elapsed
}

/// Move `n` values through a ring `BATCH` at a time with slice APIs.
fn batch<P: Send + 'static, C>(
    (mut tx, mut rx): (P, C),
    push: fn(&mut P, &[u64]) -> usize,
    pop: fn(&mut C, &mut [u64]) -> usize,
    n: u64,
) -> Duration {
    let go = Arc::new(Barrier::new(2));
    let go2 = go.clone();
    let t = thread::spawn(move || {
        go2.wait();
        let mut buf = [0u64; BATCH];
        let mut next = 0;
        while next < n {
            let k = BATCH.min((n - next) as usize);
            for (j, slot) in buf[..k].iter_mut().enumerate() {
                *slot = next + j as u64;
            }
            let mut sent = 0;
            while sent < k {
                let m = push(&mut tx, &buf[sent..k]);
                if m == 0 {
                    spin_loop();
                }
                sent += m;
            }
            next += k as u64;
        }
    });
    go.wait();
    let start = Instant::now();
    let (mut got, mut sum) = (0, 0u64);
    let mut buf = [0u64; BATCH];
    while got < n {
        let m = pop(&mut rx, &mut buf);
        if m == 0 {
            spin_loop();
        }
        sum = buf[..m].iter().fold(sum, |s, v| s.wrapping_add(*v));
        got += m as u64;
    }
    let elapsed = start.elapsed();
    t.join().unwrap();
    assert_eq!(sum, n * (n - 1) / 2, "lost or duplicated items");
    elapsed
}

/// `n` round trips: main pushes into ring A, an echo thread pops it and
/// pushes it into ring B, main pops it.
fn pingpong<P: Send + 'static, C: Send + 'static>(
    make: impl Fn() -> (P, C),
    push: fn(&mut P, u64) -> bool,
    pop: fn(&mut C) -> Option<u64>,
    n: u64,
) -> Duration {
    let (mut a_tx, mut a_rx) = make();
    let (mut b_tx, mut b_rx) = make();
    let t = thread::spawn(move || {
        for _ in 0..n {
            let v = loop {
                match pop(&mut a_rx) {
                    Some(v) => break v,
                    None => spin_loop(),
                }
            };
            while !push(&mut b_tx, v) {
                spin_loop();
            }
        }
    });
    let start = Instant::now();
    for i in 0..n {
        while !push(&mut a_tx, i) {
            spin_loop();
        }
        let v = loop {
            match pop(&mut b_rx) {
                Some(v) => break v,
                None => spin_loop(),
            }
        };
        assert_eq!(v, i);
    }
    let elapsed = start.elapsed();
    t.join().unwrap();
    elapsed
}

type Aq = Arc<crossbeam_queue::ArrayQueue<u64>>;
type Um = Arc<ultra::ring::mpmc::Queue<u64>>;

fn ultra_spsc(
    cap: usize,
) -> (
    ultra::ring::spsc::Producer<u64>,
    ultra::ring::spsc::Consumer<u64>,
) {
    ultra::ring::spsc::channel(cap).unwrap()
}
fn ultra_mpmc(cap: usize) -> (Um, Um) {
    let q = Arc::new(ultra::ring::mpmc::Queue::new(cap).unwrap());
    (q.clone(), q)
}
fn array_queue(cap: usize) -> (Aq, Aq) {
    let q = Arc::new(crossbeam_queue::ArrayQueue::new(cap));
    (q.clone(), q)
}
fn ringbuf_rb(cap: usize) -> (ringbuf::HeapProd<u64>, ringbuf::HeapCons<u64>) {
    ringbuf::HeapRb::new(cap).split()
}

/// One implementation: a name and how it runs each benchmark shape.
struct Imp {
    name: &'static str,
    single: Option<fn(usize, u64) -> Duration>,
    batch: Option<fn(usize, u64) -> Duration>,
    pingpong: Option<fn(u64) -> Duration>,
}

/// Capacity of the ping-pong rings.
const PP_CAP: usize = 1024;

fn imps() -> Vec<Imp> {
    vec![
        Imp {
            name: "ultra spsc",
            single: Some(|c, n| single(ultra_spsc(c), |p, v| p.push(v).is_ok(), |c| c.pop(), n)),
            batch: Some(|c, n| {
                batch(
                    ultra_spsc(c),
                    |p, s| p.push_slice(s),
                    |c, d| c.pop_slice(d),
                    n,
                )
            }),
            pingpong: Some(|n| {
                pingpong(
                    || ultra_spsc(PP_CAP),
                    |p, v| p.push(v).is_ok(),
                    |c| c.pop(),
                    n,
                )
            }),
        },
        Imp {
            name: "ultra mpmc",
            single: Some(|c, n| single(ultra_mpmc(c), |q, v| q.push(v).is_ok(), |q| q.pop(), n)),
            batch: Some(|c, n| {
                batch(
                    ultra_mpmc(c),
                    |q, s| q.push_slice(s),
                    |q, d| q.pop_slice(d),
                    n,
                )
            }),
            pingpong: Some(|n| {
                pingpong(
                    || ultra_mpmc(PP_CAP),
                    |q, v| q.push(v).is_ok(),
                    |q| q.pop(),
                    n,
                )
            }),
        },
        Imp {
            name: "rtrb",
            single: Some(|c, n| {
                single(
                    rtrb::RingBuffer::new(c),
                    |p, v| p.push(v).is_ok(),
                    |c| c.pop().ok(),
                    n,
                )
            }),
            batch: Some(|c, n| {
                batch(
                    rtrb::RingBuffer::new(c),
                    |p, s| p.push_partial_slice(s).0.len(),
                    |c, d| c.pop_partial_slice(d).0.len(),
                    n,
                )
            }),
            pingpong: Some(|n| {
                pingpong(
                    || rtrb::RingBuffer::new(PP_CAP),
                    |p, v| p.push(v).is_ok(),
                    |c| c.pop().ok(),
                    n,
                )
            }),
        },
        Imp {
            name: "ringbuf",
            single: Some(|c, n| {
                single(
                    ringbuf_rb(c),
                    |p, v| p.try_push(v).is_ok(),
                    |c| c.try_pop(),
                    n,
                )
            }),
            batch: Some(|c, n| {
                batch(
                    ringbuf_rb(c),
                    |p, s| p.push_slice(s),
                    |c, d| c.pop_slice(d),
                    n,
                )
            }),
            pingpong: Some(|n| {
                pingpong(
                    || ringbuf_rb(PP_CAP),
                    |p, v| p.try_push(v).is_ok(),
                    |c| c.try_pop(),
                    n,
                )
            }),
        },
        Imp {
            name: "crossbeam ArrayQueue",
            single: Some(|c, n| single(array_queue(c), |q, v| q.push(v).is_ok(), |q| q.pop(), n)),
            batch: None,
            pingpong: Some(|n| {
                pingpong(
                    || array_queue(PP_CAP),
                    |q, v| q.push(v).is_ok(),
                    |q| q.pop(),
                    n,
                )
            }),
        },
        Imp {
            name: "crossbeam-channel bounded",
            single: Some(|c, n| {
                single(
                    crossbeam_channel::bounded(c),
                    |t, v| t.try_send(v).is_ok(),
                    |r| r.try_recv().ok(),
                    n,
                )
            }),
            batch: None,
            pingpong: Some(|n| {
                pingpong(
                    || crossbeam_channel::bounded(PP_CAP),
                    |t, v| t.try_send(v).is_ok(),
                    |r| r.try_recv().ok(),
                    n,
                )
            }),
        },
        Imp {
            name: "std sync_channel",
            single: Some(|c, n| {
                single(
                    mpsc::sync_channel(c),
                    |t, v| t.try_send(v).is_ok(),
                    |r| r.try_recv().ok(),
                    n,
                )
            }),
            batch: None,
            pingpong: Some(|n| {
                pingpong(
                    || mpsc::sync_channel(PP_CAP),
                    |t, v| t.try_send(v).is_ok(),
                    |r| r.try_recv().ok(),
                    n,
                )
            }),
        },
    ]
}

/// A benchmark configuration: which shape, which capacity.
#[derive(Clone, Copy)]
enum Shape {
    Single(usize),
    Batch(usize),
    PingPong,
}

impl Shape {
    fn label(self) -> String {
        match self {
            Shape::Single(c) => format!("1P/1C single, cap {c}"),
            Shape::Batch(c) => format!("1P/1C batch {BATCH}, cap {c}"),
            Shape::PingPong => format!("ping-pong round trip, cap {PP_CAP}"),
        }
    }

    fn id(self) -> String {
        match self {
            Shape::Single(c) => format!("single/{c}"),
            Shape::Batch(c) => format!("batch/{c}"),
            Shape::PingPong => "pingpong".into(),
        }
    }

    /// Run `imp` for `n` items (round trips); `None` if it has no such API.
    fn run(self, imp: &Imp, n: u64) -> Option<Duration> {
        match self {
            Shape::Single(c) => imp.single.map(|f| f(c, n)),
            Shape::Batch(c) => imp.batch.map(|f| f(c, n)),
            Shape::PingPong => imp.pingpong.map(|f| f(n)),
        }
    }
}

const SHAPES: [Shape; 5] = [
    Shape::Single(1024),
    Shape::Single(65536),
    Shape::Batch(1024),
    Shape::Batch(65536),
    Shape::PingPong,
];

fn criterion_benches(c: &mut Criterion) {
    let imps = imps();
    for shape in SHAPES {
        let mut g = c.benchmark_group(format!("ring/{}", shape.id()));
        g.warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .sample_size(10)
            .throughput(Throughput::Elements(1));
        for imp in imps.iter().filter(|i| shape.run(i, 1).is_some()) {
            g.bench_function(imp.name, |b| {
                b.iter_custom(|iters| shape.run(imp, iters.max(2)).unwrap())
            });
        }
        g.finish();
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Interleaved rounds; prints the markdown table of BENCHMARKS.md.
fn table() {
    let rounds: usize = std::env::var("RING_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(11);
    let items: u64 = 2_000_000;
    let trips: u64 = 100_000;
    let imps = imps();
    println!(
        "| benchmark | implementation | median | min – max | ultra spsc ÷ it | ultra mpmc ÷ it |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut goals = Vec::new();
    for shape in SHAPES {
        let n = if matches!(shape, Shape::PingPong) {
            trips
        } else {
            items
        };
        // ns per item (or per round trip), per implementation, per round.
        let mut ns: Vec<Vec<f64>> = vec![Vec::new(); imps.len()];
        for r in 0..rounds {
            // Rotate the order every round so no implementation always runs first.
            for k in 0..imps.len() {
                let i = (k + r) % imps.len();
                if let Some(d) = shape.run(&imps[i], n) {
                    ns[i].push(d.as_nanos() as f64 / n as f64);
                }
            }
        }
        // Median over rounds of the per-round ratio a/b (time of b over time of a).
        let ratio = |a: usize, b: usize| -> Option<(f64, f64, f64)> {
            if ns[a].is_empty() || ns[b].is_empty() {
                return None;
            }
            let mut r: Vec<f64> = ns[a].iter().zip(&ns[b]).map(|(x, y)| y / x).collect();
            let m = median(&mut r);
            Some((m, r[0], r[r.len() - 1]))
        };
        let fmt = |r: Option<(f64, f64, f64)>| {
            r.map_or("—".to_string(), |(m, lo, hi)| {
                format!("{m:.2}× ({lo:.2}–{hi:.2})")
            })
        };
        for (i, imp) in imps.iter().enumerate() {
            if ns[i].is_empty() {
                continue;
            }
            let mut v = ns[i].clone();
            let m = median(&mut v);
            let unit = if matches!(shape, Shape::PingPong) {
                "ns/trip"
            } else {
                "ns/item"
            };
            println!(
                "| {} | {} | {m:.1} {unit} | {:.1} – {:.1} | {} | {} |",
                shape.label(),
                imp.name,
                v[0],
                v[v.len() - 1],
                if i == 0 {
                    "—".into()
                } else {
                    fmt(ratio(0, i))
                },
                if i == 1 {
                    "—".into()
                } else {
                    fmt(ratio(1, i))
                },
            );
        }
        let find = |name: &str| imps.iter().position(|i| i.name == name).unwrap();
        let (us, um, rt, rb, aq) = (
            0,
            1,
            find("rtrb"),
            find("ringbuf"),
            find("crossbeam ArrayQueue"),
        );
        let goal = |what: String, r: Option<(f64, f64, f64)>, need: f64| {
            let m = r.map_or(0.0, |r| r.0);
            format!(
                "| {what} | {} | {} |",
                fmt(r),
                if m >= need { "met" } else { "NOT met" }
            )
        };
        match shape {
            Shape::Single(c) => {
                goals.push(goal(
                    format!("SPSC single ≥ 1.2× rtrb (cap {c})"),
                    ratio(us, rt),
                    1.2,
                ));
                goals.push(goal(
                    format!("MPMC 1P/1C ≥ 1.2× ArrayQueue (cap {c})"),
                    ratio(um, aq),
                    1.2,
                ));
            }
            Shape::Batch(c) => {
                let best = if median(&mut ns[rt].clone()) < median(&mut ns[rb].clone()) {
                    rt
                } else {
                    rb
                };
                goals.push(goal(
                    format!(
                        "SPSC batch ≥ fastest peer batch API ({}, cap {c})",
                        imps[best].name
                    ),
                    ratio(us, best),
                    1.0,
                ));
            }
            Shape::PingPong => {
                goals.push(goal(
                    "SPSC round trip no slower than rtrb".into(),
                    ratio(us, rt),
                    1.0,
                ));
            }
        }
    }
    println!("\n| goal | ultra ÷ peer, median of per-round ratios (min–max) | status |");
    println!("| --- | --- | --- |");
    for g in goals {
        println!("{g}");
    }
    println!(
        "\n{rounds} interleaved rounds; {items} items per throughput run, {trips} round trips per ping-pong run."
    );
}

fn main() {
    if std::env::var_os("RING_TABLE").is_some() {
        table();
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c);
    c.final_summary();
}
