//! Hit-ratio simulator: single-threaded get-then-insert-on-miss replays of the
//! ARC paper's OLTP trace and of Zipf workloads, for ultra's cache, its Rust
//! peers (moka, quick_cache, a sharded-Mutex `lru`) and a reference ARC.
//!
//! Run: `cargo run --release --example cache_sim` (add `-- --quick` for a
//! shorter Zipf run). The OLTP trace is read from
//! `../shared/data/cache-traces/OLTP.lis.zst` relative to the crate root;
//! its rows are skipped with a message when the file is absent.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::io::{BufRead, BufReader};
use std::num::NonZeroUsize;
use std::path::Path;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use lru::LruCache;
use ultra::cache::Cache;

#[path = "../benches/support/zipf.rs"]
mod zipf;
use zipf::zipf;

/// Counts live heap bytes, to report each cache's overhead per entry.
struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        // SAFETY: `p` came from `alloc` with `l`.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Heap bytes per entry beyond the 16 bytes of a `u64` key and `u64` value,
/// after `make` builds a cache of `cap` entries and 3*cap distinct keys pass
/// through it (so ghosts and queues are at their steady size).
fn overhead(name: &str, cap: usize, make: &dyn Fn(usize) -> Box<dyn Replay>) {
    let before = LIVE.load(Ordering::Relaxed);
    let mut c = make(cap);
    for k in 0..3 * cap as u64 {
        c.access(k.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    }
    for k in 0..cap as u64 {
        c.access(k.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    }
    let bytes = LIVE.load(Ordering::Relaxed) - before;
    println!(
        "| {name} | {cap} | {:.1} |",
        bytes as f64 / cap as f64 - 16.0
    );
}

/// A policy under test: answers whether `key` hit, inserting it on a miss.
trait Replay {
    fn access(&mut self, key: u64) -> bool;
}

struct Ultra(Cache<u64, u64>);
impl Replay for Ultra {
    fn access(&mut self, key: u64) -> bool {
        if self.0.get(&key).is_some() {
            return true;
        }
        self.0.insert(key, key).expect("unit weight always fits");
        false
    }
}

struct Moka(moka::sync::Cache<u64, u64>);
impl Replay for Moka {
    fn access(&mut self, key: u64) -> bool {
        if self.0.get(&key).is_some() {
            return true;
        }
        self.0.insert(key, key);
        false
    }
}

struct Quick(quick_cache::sync::Cache<u64, u64>);
impl Replay for Quick {
    fn access(&mut self, key: u64) -> bool {
        if self.0.get(&key).is_some() {
            return true;
        }
        self.0.insert(key, key);
        false
    }
}

/// `lru::LruCache` behind one `Mutex` per shard (the baseline of the issue).
struct ShardedLru {
    shards: Vec<std::sync::Mutex<LruCache<u64, u64>>>,
    hasher: ahash::RandomState,
}
impl ShardedLru {
    fn new(capacity: usize, shards: usize) -> Self {
        let per = NonZeroUsize::new(capacity.div_ceil(shards)).unwrap();
        Self {
            shards: (0..shards)
                .map(|_| std::sync::Mutex::new(LruCache::new(per)))
                .collect(),
            hasher: ahash::RandomState::new(),
        }
    }
}
impl Replay for ShardedLru {
    fn access(&mut self, key: u64) -> bool {
        let i = (self.hasher.hash_one(key) >> 32) as usize % self.shards.len();
        let mut s = self.shards[i].lock().unwrap();
        if s.get(&key).is_some() {
            return true;
        }
        s.put(key, key);
        false
    }
}

type Set = LruCache<u64, (), BuildHasherDefault<ahash::AHasher>>;

/// ARC exactly as in Megiddo & Modha (FAST 2003), Fig. 4: the reference.
struct Arc {
    c: usize,
    p: usize,
    t1: Set,
    t2: Set,
    b1: Set,
    b2: Set,
}
impl Arc {
    fn new(c: usize) -> Self {
        let set = || Set::unbounded_with_hasher(BuildHasherDefault::default());
        Self {
            c,
            p: 0,
            t1: set(),
            t2: set(),
            b1: set(),
            b2: set(),
        }
    }
    fn replace(&mut self, in_b2: bool) {
        let t1 = self.t1.len();
        if t1 > 0 && (t1 > self.p || (in_b2 && t1 == self.p)) {
            let (k, ()) = self.t1.pop_lru().unwrap();
            self.b1.put(k, ());
        } else if let Some((k, ())) = self.t2.pop_lru() {
            self.b2.put(k, ());
        }
    }
}
impl Replay for Arc {
    fn access(&mut self, x: u64) -> bool {
        if self.t1.pop(&x).is_some() {
            self.t2.put(x, ());
            return true;
        }
        if self.t2.get(&x).is_some() {
            return true;
        }
        let (b1, b2) = (self.b1.len(), self.b2.len());
        if self.b1.contains(&x) {
            self.p = (self.p + (b2 / b1).max(1)).min(self.c);
            self.replace(false);
            self.b1.pop(&x);
            self.t2.put(x, ());
        } else if self.b2.contains(&x) {
            self.p = self.p.saturating_sub((b1 / b2).max(1));
            self.replace(true);
            self.b2.pop(&x);
            self.t2.put(x, ());
        } else {
            let l1 = self.t1.len() + b1;
            let total = l1 + self.t2.len() + b2;
            if l1 == self.c {
                if self.t1.len() < self.c {
                    self.b1.pop_lru();
                    self.replace(false);
                } else {
                    self.t1.pop_lru();
                }
            } else if total >= self.c {
                if total == 2 * self.c {
                    self.b2.pop_lru();
                }
                self.replace(false);
            }
            self.t1.put(x, ());
        }
        false
    }
}

fn oltp() -> Option<Vec<u64>> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/cache-traces/OLTP.lis.zst");
    let Ok(file) = std::fs::File::open(&path) else {
        println!("skipping OLTP: {} not found", path.display());
        return None;
    };
    let dec = zstd::stream::read::Decoder::new(file).expect("zstd stream");
    let mut keys = Vec::new();
    for line in BufReader::new(dec).lines() {
        let line = line.expect("trace line");
        let mut f = line.split_whitespace();
        let (Some(start), Some(count)) = (f.next(), f.next()) else {
            continue;
        };
        let (start, count): (u64, u64) = (start.parse().unwrap(), count.parse().unwrap());
        keys.extend(start..start + count);
    }
    Some(keys)
}

fn ratio(p: &mut dyn Replay, keys: &[u64]) -> f64 {
    let hits = keys.iter().filter(|&&k| p.access(k)).count();
    100.0 * hits as f64 / keys.len() as f64
}

fn shards_for(capacity: usize) -> usize {
    Cache::<u64, u64>::new(capacity).unwrap().shard_count()
}

fn row(name: &str, keys: &[u64], cap: usize, table: &mut Vec<String>) {
    let peers: Vec<(&str, Box<dyn Replay>)> = vec![
        ("ultra", Box::new(Ultra(Cache::new(cap).unwrap()))),
        ("moka", Box::new(Moka(moka::sync::Cache::new(cap as u64)))),
        (
            "quick_cache",
            Box::new(Quick(quick_cache::sync::Cache::new(cap))),
        ),
        ("lru", Box::new(ShardedLru::new(cap, shards_for(cap)))),
        ("ARC", Box::new(Arc::new(cap))),
    ];
    let mut cells = Vec::new();
    let mut results = HashMap::new();
    for (n, mut p) in peers {
        let r = ratio(&mut *p, keys);
        results.insert(n, r);
        cells.push(format!("{r:.2}"));
    }
    let best_peer = ["moka", "quick_cache", "lru"]
        .iter()
        .map(|n| results[n])
        .fold(0.0, f64::max);
    let u = results["ultra"];
    let verdict =
        if u + 0.3 >= best_peer && (!name.starts_with("OLTP") || u + 1e-9 >= results["ARC"]) {
            "met"
        } else {
            "NOT met"
        };
    let line = format!("| {name} | {cap} | {} | {verdict} |", cells.join(" | "));
    println!("{line}");
    table.push(line);
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let mut table = Vec::new();
    println!("| workload | capacity | ultra | moka | quick_cache | lru (sharded) | ARC | goal |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    if let Some(keys) = oltp() {
        for cap in [1000, 2000] {
            row("OLTP", &keys, cap, &mut table);
        }
    }
    println!();
    println!("| cache | entries | heap bytes per entry beyond key+value |");
    println!("| --- | ---: | ---: |");
    let cap = 100_000;
    overhead("ultra", cap, &|c| Box::new(Ultra(Cache::new(c).unwrap())));
    overhead("moka", cap, &|c| {
        let m = moka::sync::Cache::new(c as u64);
        Box::new(Moka(m))
    });
    overhead("quick_cache", cap, &|c| {
        Box::new(Quick(quick_cache::sync::Cache::new(c)))
    });
    overhead("lru (sharded)", cap, &|c| {
        Box::new(ShardedLru::new(c, shards_for(c)))
    });
    println!();
    let n = if quick { 1_000_000 } else { 4_000_000 };
    for s in [0.9, 1.1] {
        let keys = zipf(1_000_000, s, n, 0x5EED);
        for cap in [10_000, 100_000] {
            row(
                &format!("Zipf {s} (1M keys, {n} requests)"),
                &keys,
                cap,
                &mut table,
            );
        }
    }
}
