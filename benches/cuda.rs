//! Top-k and decay: ultra's CPU kernels against the usual ways of doing it
//! (full sort, `select_nth_unstable_by`, a `BinaryHeap` of size k), and the
//! GPU kernels when a GPU opens. Run with `cargo bench --bench cuda`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ultra::cuda::{Gpu, GpuConfig, cpu};

const N: usize = 1 << 20;

fn scores(n: usize) -> Vec<f32> {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 40) as f32 / (1u64 << 24) as f32
        })
        .collect()
}

/// Peer: sort every index by score (descending, ties by index), keep k.
fn full_sort(s: &[f32], k: usize) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..s.len() as u32).collect();
    idx.sort_unstable_by(|&a, &b| s[b as usize].total_cmp(&s[a as usize]).then(a.cmp(&b)));
    idx.truncate(k);
    idx
}

/// Peer: partition with select_nth_unstable_by, then sort the k.
fn select_nth(s: &[f32], k: usize) -> Vec<u32> {
    let cmp = |a: &u32, b: &u32| s[*b as usize].total_cmp(&s[*a as usize]).then(a.cmp(b));
    let mut idx: Vec<u32> = (0..s.len() as u32).collect();
    idx.select_nth_unstable_by(k - 1, cmp);
    idx.truncate(k);
    idx.sort_unstable_by(cmp);
    idx
}

/// Peer: a min-heap of the best k (value, reversed index) pairs.
fn heap(s: &[f32], k: usize) -> Vec<u32> {
    let mut h = BinaryHeap::with_capacity(k + 1);
    for (i, &x) in s.iter().enumerate() {
        let kv = Reverse((cpu::order_key(x), Reverse(i as u32)));
        if h.len() < k {
            h.push(kv);
        } else if kv < *h.peek().unwrap() {
            *h.peek_mut().unwrap() = kv;
        }
    }
    let mut v: Vec<_> = h.into_iter().map(|Reverse(kv)| kv).collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.into_iter().map(|(_, Reverse(i))| i).collect()
}

fn topk(c: &mut Criterion) {
    let s = scores(N);
    let gpu = Gpu::open(0, &GpuConfig::default()).ok();
    let mut g = c.benchmark_group("topk_1M");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10);
    for k in [10usize, 100, 1000] {
        let want = cpu::topk_f32(&s, k).unwrap().0;
        assert_eq!(full_sort(&s, k), want);
        assert_eq!(select_nth(&s, k), want);
        assert_eq!(heap(&s, k), want);
        g.bench_with_input(BenchmarkId::new("ultra_cpu", k), &k, |b, &k| {
            b.iter(|| cpu::topk_f32(black_box(&s), k).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("sort_unstable_by", k), &k, |b, &k| {
            b.iter(|| full_sort(black_box(&s), k))
        });
        g.bench_with_input(
            BenchmarkId::new("select_nth_unstable_by", k),
            &k,
            |b, &k| b.iter(|| select_nth(black_box(&s), k)),
        );
        g.bench_with_input(BenchmarkId::new("binary_heap", k), &k, |b, &k| {
            b.iter(|| heap(black_box(&s), k))
        });
        if let Some(gpu) = &gpu {
            assert_eq!(gpu.topk_f32(&s, k).unwrap().0, want);
            g.bench_with_input(BenchmarkId::new("ultra_gpu_from_host", k), &k, |b, &k| {
                b.iter(|| gpu.topk_f32(black_box(&s), k).unwrap())
            });
            let bytes: Vec<u8> = s.iter().flat_map(|x| x.to_ne_bytes()).collect();
            let mut buf = gpu.alloc(gpu.stream(), bytes.len()).unwrap();
            buf.upload(gpu.stream(), 0, &bytes).unwrap();
            g.bench_with_input(BenchmarkId::new("ultra_gpu_on_device", k), &k, |b, &k| {
                b.iter(|| gpu.topk_f32_device(&buf, N, k).unwrap())
            });
        }
    }
    g.finish();
}

fn decay(c: &mut Criterion) {
    let s0 = scores(N);
    let ts: Vec<f64> = s0.iter().map(|&x| x as f64 * 7200.0).collect();
    let gpu = Gpu::open(0, &GpuConfig::default()).ok();
    let mut g = c.benchmark_group("decay_1M");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10);
    let mut s = s0.clone();
    g.bench_function("ultra_cpu", |b| {
        b.iter(|| cpu::decay_f32(black_box(&mut s), &ts, 7200.0, 3600.0).unwrap())
    });
    // Peer: the textbook loop with powf.
    let mut s = s0.clone();
    g.bench_function("naive_powf", |b| {
        b.iter(|| {
            for (x, &t) in black_box(&mut s).iter_mut().zip(&ts) {
                *x *= 0.5f64.powf((7200.0 - t).max(0.0) / 3600.0) as f32;
            }
        })
    });
    if let Some(gpu) = &gpu {
        let mut s = s0.clone();
        g.bench_function("ultra_gpu_from_host", |b| {
            b.iter(|| {
                gpu.decay_f32(black_box(&mut s), &ts, 7200.0, 3600.0)
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, topk, decay);
criterion_main!(benches);
