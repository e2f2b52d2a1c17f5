//! Functional tests of `ultra::cache::Cache`: API, bounds, TTL with a manual
//! clock, refresh-ahead, prefix invalidation, stats and single-flight loads.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ultra::ErrorKind;
use ultra::cache::{Cache, ManualClock};

fn ttl_cache(cap: usize, clock: &Arc<ManualClock>) -> Cache<String, String> {
    Cache::builder()
        .capacity(cap)
        .shard_count(1)
        .clock(clock.clone())
        .build()
        .unwrap()
}

#[test]
fn insert_get_update_remove() {
    let c: Cache<String, u32> = Cache::new(100).unwrap();
    assert!(c.get("a").is_none());
    c.insert("a".into(), 1).unwrap();
    assert_eq!(c.get("a"), Some(1));
    c.insert("a".into(), 2).unwrap();
    assert_eq!(c.get("a"), Some(2));
    assert!(c.contains_key("a"));
    assert_eq!(c.len(), 1);
    assert_eq!(c.remove("a"), Some(2));
    assert_eq!(c.remove("a"), None);
    assert!(c.is_empty());
    let s = c.stats();
    assert_eq!(
        (s.hits, s.misses, s.inserts, s.updates, s.removals),
        (2, 1, 1, 1, 1)
    );
    c.validate();
}

#[test]
fn builder_rejects_bad_settings() {
    let e = |r: ultra::Result<Cache<u64, u64>>| r.unwrap_err().kind();
    assert_eq!(e(Cache::builder().build()), ErrorKind::InvalidArgument);
    assert_eq!(
        e(Cache::builder().capacity(10).shard_count(3).build()),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        e(Cache::builder().capacity(10).shard_count(0).build()),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        e(Cache::builder().capacity(4).shard_count(8).build()),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        e(Cache::builder()
            .capacity(10)
            .default_ttl(Duration::ZERO)
            .build()),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        e(Cache::builder().capacity(10).refresh_ahead(1.0).build()),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        e(Cache::builder()
            .capacity(16)
            .shard_count(8)
            .max_weight(4)
            .build()),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn entry_bound_is_exact_after_every_operation() {
    for shards in [1, 4] {
        let c: Cache<u64, u64> = Cache::builder()
            .capacity(50)
            .shard_count(shards)
            .build()
            .unwrap();
        for i in 0..2_000u64 {
            c.insert(i % 300, i).unwrap();
            if i % 7 == 0 {
                c.get(&(i / 2));
            }
            assert!(c.len() <= 50);
            c.validate();
        }
        let s = c.stats();
        assert_eq!(s.entries as usize, c.len());
        assert_eq!(
            s.inserts - s.evictions - s.removals - s.expirations,
            s.entries
        );
    }
}

#[test]
fn weight_bound_is_exact_after_every_operation() {
    let c: Cache<u64, Vec<u8>> = Cache::builder()
        .capacity(1_000)
        .max_weight(4_096)
        .shard_count(4)
        .weigher(|_, v: &Vec<u8>| v.len() as u64 + 8)
        .build()
        .unwrap();
    for i in 0..3_000u64 {
        let len = (i * 37 % 200) as usize;
        c.insert(i % 500, vec![i as u8; len]).unwrap();
        assert!(c.weight() <= 4_096);
        c.validate();
    }
    // An entry heavier than a shard's share (1024) is refused, nothing changes.
    let before = c.stats();
    let err = c.insert(1, vec![0; 2_000]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(c.stats(), before);
}

#[test]
fn scan_does_not_flush_hot_set() {
    let c: Cache<u64, u64> = Cache::builder()
        .capacity(1_000)
        .shard_count(1)
        .build()
        .unwrap();
    // A hot set seen several times...
    for _ in 0..4 {
        for k in 0..500 {
            if c.get(&k).is_none() {
                c.insert(k, k).unwrap();
            }
        }
    }
    // ...then a long one-pass scan.
    for k in 1_000_000..1_020_000 {
        if c.get(&k).is_none() {
            c.insert(k, k).unwrap();
        }
    }
    let kept = (0..500).filter(|k| c.contains_key(k)).count();
    assert!(kept >= 450, "scan evicted the hot set: {kept} of 500 left");
    c.validate();
}

#[test]
fn ttl_expiry_with_manual_clock() {
    let clock = Arc::new(ManualClock::new());
    let c = ttl_cache(10, &clock);
    c.insert_with_ttl("k".into(), "v".into(), Duration::from_secs(10))
        .unwrap();
    c.insert("forever".into(), "f".into()).unwrap();
    clock.advance(Duration::from_secs(3));
    let e = c.get_entry("k").unwrap();
    assert_eq!(e.age, Duration::from_secs(3));
    assert_eq!(e.ttl_remaining, Some(Duration::from_secs(7)));
    assert!(!e.should_refresh);
    assert_eq!(c.get_entry("forever").unwrap().ttl_remaining, None);
    clock.advance(Duration::from_secs(7));
    assert!(c.get("k").is_none(), "expired value returned");
    assert!(!c.contains_key("k"));
    assert_eq!(c.len(), 1, "the reader removed the expired entry");
    assert_eq!(c.stats().expirations, 1);
    c.validate();
}

#[test]
fn default_ttl_and_purge() {
    let clock = Arc::new(ManualClock::new());
    let c: Cache<u64, u64> = Cache::builder()
        .capacity(100)
        .shard_count(2)
        .default_ttl(Duration::from_millis(100))
        .clock(clock.clone())
        .build()
        .unwrap();
    for k in 0..10 {
        c.insert(k, k).unwrap();
    }
    c.insert_with_ttl(99, 99, Duration::from_secs(60)).unwrap();
    clock.advance(Duration::from_millis(99));
    assert_eq!(c.purge_expired(), 0);
    clock.advance(Duration::from_millis(1));
    assert_eq!(c.purge_expired(), 10);
    assert_eq!(c.len(), 1);
    assert_eq!(c.get(&99), Some(99));
    assert_eq!(c.stats().expirations, 10);
    c.validate();
}

#[test]
fn expired_entries_go_first_on_eviction() {
    let clock = Arc::new(ManualClock::new());
    let c: Cache<u64, u64> = Cache::builder()
        .capacity(4)
        .shard_count(1)
        .clock(clock.clone())
        .build()
        .unwrap();
    c.insert_with_ttl(1, 1, Duration::from_secs(1)).unwrap();
    for k in 2..=4 {
        c.insert(k, k).unwrap();
    }
    clock.advance(Duration::from_secs(2));
    c.insert(5, 5).unwrap();
    let s = c.stats();
    assert_eq!((s.expirations, s.evictions), (1, 0));
    assert!((2..=5).all(|k| c.contains_key(&k)));
}

#[test]
fn refresh_ahead_tells_exactly_one_reader() {
    let clock = Arc::new(ManualClock::new());
    let c: Cache<String, u32> = Cache::builder()
        .capacity(10)
        .refresh_ahead(0.8)
        .default_ttl(Duration::from_secs(10))
        .clock(clock.clone())
        .build()
        .unwrap();
    c.insert("t".into(), 1).unwrap();
    clock.advance(Duration::from_secs(7));
    assert!(!c.get_entry("t").unwrap().should_refresh);
    clock.advance(Duration::from_secs(1));
    let flags: Vec<bool> = (0..5)
        .map(|_| c.get_entry("t").unwrap().should_refresh)
        .collect();
    assert_eq!(flags, [true, false, false, false, false]);
    // The refresher stores a new value: the cycle starts again.
    c.insert("t".into(), 2).unwrap();
    let e = c.get_entry("t").unwrap();
    assert_eq!(
        (e.value, e.age, e.should_refresh),
        (2, Duration::ZERO, false)
    );
    clock.advance(Duration::from_secs(9));
    assert!(c.get_entry("t").unwrap().should_refresh);
}

#[test]
fn refresh_ahead_one_reader_among_threads() {
    let clock = Arc::new(ManualClock::new());
    let c: Arc<Cache<u64, u64>> = Arc::new(
        Cache::builder()
            .capacity(10)
            .refresh_ahead(0.5)
            .default_ttl(Duration::from_secs(10))
            .clock(clock.clone())
            .build()
            .unwrap(),
    );
    c.insert(1, 1).unwrap();
    clock.advance(Duration::from_secs(6));
    let told = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..100 {
                    if c.get_entry(&1).unwrap().should_refresh {
                        told.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert_eq!(told.load(Ordering::Relaxed), 1);
}

#[test]
fn remove_prefix_and_retain() {
    let c: Cache<String, u32> = Cache::builder()
        .capacity(100)
        .shard_count(4)
        .build()
        .unwrap();
    for k in ["post:42", "post:42:meta", "post:421", "post:7", "user:42"] {
        c.insert(k.into(), 1).unwrap();
    }
    assert_eq!(c.remove_prefix("post:42"), 3);
    assert!(c.contains_key("post:7") && c.contains_key("user:42"));
    assert_eq!(c.remove_prefix(b"nothing"), 0);
    assert_eq!(c.retain(|k, _| k.starts_with("user")), 1);
    assert_eq!(c.len(), 1);
    let b: Cache<Vec<u8>, u8> = Cache::new(10).unwrap();
    b.insert(b"ab".to_vec(), 1).unwrap();
    assert_eq!(b.remove_prefix([b'a']), 1);
    c.clear();
    assert!(c.is_empty());
    assert_eq!(c.stats().removals, 5);
    c.validate();
}

#[test]
fn single_flight_runs_loader_once() {
    let c: Cache<u64, u64> = Cache::new(100).unwrap();
    let runs = AtomicUsize::new(0);
    let barrier = std::sync::Barrier::new(8);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                barrier.wait();
                let v = c
                    .get_or_insert_with(7, || {
                        runs.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(50));
                        Ok::<_, String>(49)
                    })
                    .unwrap();
                assert_eq!(v, 49);
            });
        }
    });
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(c.get(&7), Some(49));
}

#[test]
fn single_flight_error_reaches_every_waiter_and_is_not_cached() {
    let c: Cache<u64, u64> = Cache::new(100).unwrap();
    let runs = AtomicUsize::new(0);
    let barrier = std::sync::Barrier::new(6);
    std::thread::scope(|s| {
        for _ in 0..6 {
            s.spawn(|| {
                barrier.wait();
                let r = c.get_or_insert_with(1, || {
                    runs.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(50));
                    Err::<u64, _>("backend down".to_string())
                });
                assert_eq!(r, Err("backend down".to_string()));
            });
        }
    });
    // Every caller got the error; the loader ran at least once and the error
    // was not cached, so the next call loads again.
    assert!(runs.load(Ordering::SeqCst) >= 1);
    assert!(c.get(&1).is_none());
    assert_eq!(c.get_or_insert_with(1, || Ok::<_, String>(5)), Ok(5));
    assert_eq!(c.get(&1), Some(5));
}

#[test]
fn single_flight_survives_a_panicking_loader() {
    let c: Arc<Cache<u64, u64>> = Arc::new(Cache::new(100).unwrap());
    let c2 = c.clone();
    let leader = std::thread::spawn(move || {
        c2.get_or_insert_with(3, || -> Result<u64, ()> {
            std::thread::sleep(Duration::from_millis(30));
            panic!("loader failed")
        })
    });
    std::thread::sleep(Duration::from_millis(5));
    let v = c.get_or_insert_with(3, || Ok::<_, ()>(9));
    assert!(leader.join().is_err());
    assert_eq!(v, Ok(9));
}

#[test]
fn values_dropped_outside_and_exactly_once() {
    struct D(Arc<AtomicUsize>);
    impl Clone for D {
        fn clone(&self) -> Self {
            self.0.fetch_add(1, Ordering::SeqCst); // count live instances
            D(self.0.clone())
        }
    }
    impl Drop for D {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let live = Arc::new(AtomicUsize::new(0));
    {
        let c: Cache<u64, D> = Cache::builder()
            .capacity(16)
            .shard_count(2)
            .build()
            .unwrap();
        for i in 0..200 {
            live.fetch_add(1, Ordering::SeqCst);
            c.insert(i % 40, D(live.clone())).unwrap();
            drop(c.get(&(i % 13)));
        }
        assert_eq!(live.load(Ordering::SeqCst), c.len());
    }
    assert_eq!(live.load(Ordering::SeqCst), 0);
}

#[test]
fn default_shards_leave_room_for_large_entries_in_small_byte_budgets() {
    // A 1 MiB budget is one shard by default, so one entry may use all of it.
    let c: Cache<String, Vec<u8>> = Cache::builder()
        .capacity(10_000)
        .max_weight(1 << 20)
        .weigher(|k: &String, v: &Vec<u8>| (k.len() + v.len()) as u64)
        .build()
        .unwrap();
    assert_eq!(c.shard_count(), 1);
    c.insert("big".into(), vec![7u8; 900_000]).unwrap();
    c.insert("big2".into(), vec![8u8; 900_000]).unwrap();
    assert!(c.weight() <= 1 << 20);
    assert_eq!(c.get("big2").map(|v| v.len()), Some(900_000));
    assert!(
        c.get("big").is_none(),
        "the older entry was evicted to stay within the budget"
    );
}
