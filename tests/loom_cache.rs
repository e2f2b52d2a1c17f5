//! Loom models of the cache's hit path: readers under the shard's read lock
//! bump the entry's access counter and claim the refresh-ahead flag with
//! atomics while writers replace, remove and evict under the write lock.
//!
//! Run: `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release --test loom_cache`
#![cfg(loom)]

use std::time::Duration;

use loom::sync::Arc;
use loom::thread;
use ultra::cache::{Cache, ManualClock};

fn small(refresh: bool) -> (Arc<Cache<u64, u64>>, std::sync::Arc<ManualClock>) {
    let clock = std::sync::Arc::new(ManualClock::new());
    let mut b = Cache::builder()
        .capacity(2)
        .shard_count(1)
        .clock(clock.clone());
    if refresh {
        b = b.refresh_ahead(0.5).default_ttl(Duration::from_secs(10));
    }
    (Arc::new(b.build().unwrap()), clock)
}

/// A reader racing an update and an eviction-causing insert sees either
/// value of its key or nothing, never another key's value.
#[test]
fn hit_races_update_and_eviction() {
    loom::model(|| {
        let (c, _) = small(false);
        c.insert(1, 10).unwrap();
        c.insert(2, 20).unwrap();
        let r = {
            let c = c.clone();
            thread::spawn(move || {
                let a = c.get(&1);
                assert!(matches!(a, None | Some(10) | Some(11)), "{a:?}");
                let b = c.get(&2);
                assert!(matches!(b, None | Some(20)), "{b:?}");
            })
        };
        c.insert(1, 11).unwrap();
        c.insert(3, 30).unwrap(); // evicts one entry
        r.join().unwrap();
        c.validate();
        assert_eq!(c.len(), 2);
        let s = c.stats();
        assert_eq!(s.hits + s.misses, 2);
    });
}

/// Two readers past the refresh point: exactly one is told to refresh.
#[test]
fn refresh_ahead_is_claimed_once() {
    loom::model(|| {
        let (c, clock) = small(true);
        c.insert(7, 1).unwrap();
        clock.advance(Duration::from_secs(6));
        let t = {
            let c = c.clone();
            thread::spawn(move || c.get_entry(&7).unwrap().should_refresh)
        };
        let mine = c.get_entry(&7).unwrap().should_refresh;
        let theirs = t.join().unwrap();
        assert!(
            mine ^ theirs,
            "exactly one reader refreshes: {mine} {theirs}"
        );
    });
}

/// A reader racing a removal: the value or nothing; the counters add up.
#[test]
fn hit_races_remove() {
    loom::model(|| {
        let (c, _) = small(false);
        c.insert(5, 50).unwrap();
        let t = {
            let c = c.clone();
            thread::spawn(move || c.get(&5))
        };
        let removed = c.remove(&5);
        assert_eq!(removed, Some(50));
        assert!(matches!(t.join().unwrap(), None | Some(50)));
        c.validate();
        assert!(c.is_empty());
    });
}
