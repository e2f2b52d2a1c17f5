//! Multi-threaded stress: mixed get / insert / insert_with_ttl / remove /
//! purge / remove_prefix from several threads on a manual clock that a
//! thread keeps moving. Values encode their key and their deadline, so a
//! reader can check that no value is returned for the wrong key or after its
//! expiry; `validate()` re-derives every counter and bound afterwards (and
//! periodically while running).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ultra::cache::{Cache, ManualClock};

/// (key, TTL in nanos the value was stored with; u64::MAX = none)
type Val = (u64, u64);

fn ops() -> u64 {
    if cfg!(miri) {
        200
    } else if cfg!(debug_assertions) {
        20_000
    } else {
        200_000
    }
}

#[test]
fn mixed_operations_keep_invariants() {
    let clock = Arc::new(ManualClock::new());
    let cache: Cache<u64, Val> = Cache::builder()
        .capacity(512)
        .max_weight(2_000)
        .weigher(|k: &u64, _| 1 + k % 7)
        .shard_count(4)
        .clock(clock.clone())
        .build()
        .unwrap();
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                clock.advance(Duration::from_micros(50));
                std::thread::yield_now();
            }
        });
        let workers: Vec<_> = (0..4u64)
            .map(|t| {
                let cache = &cache;
                s.spawn(move || {
                    let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ (t + 1);
                    for i in 0..ops() {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        let key = x % 2_000;
                        match x >> 60 {
                            0..=7 => {
                                if let Some(e) = cache.get_entry(&key) {
                                    let (k, ttl) = e.value;
                                    assert_eq!(k, key, "value for the wrong key");
                                    assert!(
                                        (e.age.as_nanos() as u64) < ttl,
                                        "value returned after its expiry"
                                    );
                                    assert_eq!(e.ttl_remaining.is_some(), ttl != u64::MAX);
                                }
                            }
                            8..=10 => cache.insert(key, (key, u64::MAX)).unwrap(),
                            11..=13 => {
                                let ttl = Duration::from_micros(x % 500);
                                let ttl_ns = ttl.as_nanos() as u64;
                                cache.insert_with_ttl(key, (key, ttl_ns), ttl).unwrap();
                            }
                            14 => {
                                if let Some((k, _)) = cache.remove(&key) {
                                    assert_eq!(k, key);
                                }
                            }
                            _ => {
                                if i % 64 == 0 {
                                    cache.purge_expired();
                                } else if let Some((k, _)) = cache.get(&key) {
                                    assert_eq!(k, key, "value for the wrong key");
                                }
                            }
                        }
                        if i % 4096 == 0 {
                            cache.validate();
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
    });
    cache.validate();
    let s = cache.stats();
    assert_eq!(s.entries as usize, cache.len());
    assert!(cache.len() <= 512 && cache.weight() <= 2_000);
    assert_eq!(
        s.inserts,
        s.entries + s.evictions + s.expirations + s.removals
    );
    assert!(s.hits + s.misses > 0);
}

#[test]
fn clear_and_prefix_under_load() {
    let cache: Cache<String, String> = Cache::builder()
        .capacity(1_000)
        .shard_count(8)
        .build()
        .unwrap();
    std::thread::scope(|s| {
        for t in 0..3 {
            let cache = &cache;
            s.spawn(move || {
                for i in 0..ops() / 4 {
                    let k = format!("post:{}:{}", (i + t) % 50, i % 13);
                    match i % 5 {
                        0 => cache.insert(k.clone(), k).unwrap(),
                        1 => {
                            cache.remove_prefix(format!("post:{}", i % 50));
                        }
                        2 if i % 1000 == 2 => cache.clear(),
                        _ => {
                            if let Some(v) = cache.get(&k) {
                                assert_eq!(v, k);
                            }
                        }
                    }
                }
            });
        }
    });
    cache.validate();
    let s = cache.stats();
    assert_eq!(
        s.inserts,
        s.entries + s.evictions + s.expirations + s.removals
    );
}
