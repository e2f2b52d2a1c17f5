//! Throughput of ultra's cache against quick_cache, moka (sync) and a
//! sharded-Mutex `lru`, with one macro-free shape shared by all: 100,000
//! entries prefilled, Zipf(1.0) keys over 1,000,000, 90 % get / 10 % insert
//! and 100 % get, on 1 and 2 threads. Each iteration is one operation per
//! thread, timed as a batch of `OPS` operations per thread.
//!
//! Run: `cargo bench --bench cache`.

#[path = "support/zipf.rs"]
mod zipf;

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

const CAP: usize = 100_000;
const UNIVERSE: usize = 1_000_000;
const OPS: usize = 100_000;

trait Bench: Sync {
    fn get(&self, k: u64) -> bool;
    fn put(&self, k: u64);
}

impl Bench for ultra::cache::Cache<u64, u64> {
    fn get(&self, k: u64) -> bool {
        self.get(&k).is_some()
    }
    fn put(&self, k: u64) {
        let _ = self.insert(k, k);
    }
}

impl Bench for quick_cache::sync::Cache<u64, u64> {
    fn get(&self, k: u64) -> bool {
        self.get(&k).is_some()
    }
    fn put(&self, k: u64) {
        self.insert(k, k);
    }
}

impl Bench for moka::sync::Cache<u64, u64> {
    fn get(&self, k: u64) -> bool {
        self.get(&k).is_some()
    }
    fn put(&self, k: u64) {
        self.insert(k, k);
    }
}

struct ShardedLru {
    shards: Vec<Mutex<lru::LruCache<u64, u64>>>,
    hasher: ahash::RandomState,
}

impl Bench for ShardedLru {
    fn get(&self, k: u64) -> bool {
        let i = (self.hasher.hash_one(k) >> 32) as usize % self.shards.len();
        self.shards[i].lock().unwrap().get(&k).is_some()
    }
    fn put(&self, k: u64) {
        let i = (self.hasher.hash_one(k) >> 32) as usize % self.shards.len();
        self.shards[i].lock().unwrap().put(k, k);
    }
}

fn sharded_lru() -> ShardedLru {
    let n = (std::thread::available_parallelism().map_or(1, |n| n.get()) * 4).next_power_of_two();
    ShardedLru {
        shards: (0..n)
            .map(|_| Mutex::new(lru::LruCache::new(NonZeroUsize::new(CAP / n).unwrap())))
            .collect(),
        hasher: ahash::RandomState::new(),
    }
}

/// Zipf(1.0) keys over `UNIVERSE`, scrambled.
fn zipf_keys(n: usize, seed: u64) -> Vec<u64> {
    zipf::zipf(UNIVERSE, 1.0, n, seed)
}

/// Run `OPS` operations on each of `threads` threads; every 10th one is an
/// insert when `write` is set. Returns the wall time of the slowest thread.
fn run(c: &dyn Bench, keys: &[Vec<u64>], threads: usize, write: bool) -> Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let keys = &keys[t];
            s.spawn(move || {
                let mut hits = 0usize;
                for (i, &k) in keys.iter().enumerate() {
                    if write && i % 10 == 9 {
                        c.put(k);
                    } else if c.get(k) {
                        hits += 1;
                    } else if write {
                        c.put(k);
                    }
                }
                std::hint::black_box(hits);
            });
        }
    });
    start.elapsed()
}

fn prefill(c: &dyn Bench) {
    for k in zipf_keys(4 * CAP, 7) {
        if !c.get(k) {
            c.put(k);
        }
    }
}

fn bench(cr: &mut Criterion) {
    let keys: Vec<Vec<u64>> = (0..2).map(|t| zipf_keys(OPS, 100 + t)).collect();
    let peers: Vec<(&str, Box<dyn Bench>)> = vec![
        (
            "ultra",
            Box::new(ultra::cache::Cache::<u64, u64>::new(CAP).unwrap()),
        ),
        (
            "quick_cache",
            Box::new(quick_cache::sync::Cache::<u64, u64>::new(CAP)),
        ),
        (
            "moka",
            Box::new(moka::sync::Cache::<u64, u64>::new(CAP as u64)),
        ),
        ("lru", Box::new(sharded_lru())),
    ];
    for (_, c) in &peers {
        prefill(&**c);
    }
    for (mix, write) in [("90get_10insert", true), ("100get", false)] {
        for threads in [1, 2] {
            let mut g = cr.benchmark_group(format!("cache/{mix}/{threads}t"));
            g.warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(2))
                .sample_size(10)
                .throughput(criterion::Throughput::Elements((OPS * threads) as u64));
            for (name, c) in &peers {
                g.bench_function(*name, |b| {
                    b.iter_custom(|iters| {
                        (0..iters).map(|_| run(&**c, &keys, threads, write)).sum()
                    })
                });
            }
            g.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
