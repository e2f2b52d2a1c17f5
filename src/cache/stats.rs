//! Counters: hits and misses striped per thread, the rest per shard.
//!
//! A hit must not write a cache line that other cores write too, or readers
//! on different cores would serialise on it. Hits and misses therefore go to
//! one of `stripes` cache-padded counter pairs chosen by the calling thread
//! (from the address of a thread-local, so no shared allocator is touched);
//! two threads share a stripe only when their tags collide. Everything else
//! (inserts, updates, evictions, expirations, removals) happens under a
//! shard's write lock and is counted there in plain integers.

use crate::sync::{AtomicU64, CachePadded, Ordering};

/// A snapshot of a cache's counters ([`Cache::stats`](super::Cache::stats)).
///
/// Counters are read shard by shard without stopping writers, so a snapshot
/// taken under load is a consistent per-counter sum, not an atomic cut.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lookups that returned a value.
    pub hits: u64,
    /// Lookups that found nothing (or only an expired entry).
    pub misses: u64,
    /// Inserts of a key that was not present.
    pub inserts: u64,
    /// Inserts that replaced the value of a present key.
    pub updates: u64,
    /// Entries dropped by the policy to stay within capacity or weight.
    pub evictions: u64,
    /// Entries dropped because their TTL had passed.
    pub expirations: u64,
    /// Entries dropped by `remove`, `remove_prefix`, `retain` or `clear`.
    pub removals: u64,
    /// Entries held now.
    pub entries: u64,
    /// Total weight held now.
    pub weight: u64,
}

impl Stats {
    /// `hits / (hits + misses)`, or 0 before any lookup.
    pub fn hit_ratio(&self) -> f64 {
        let total = self.hits + self.misses;
        if total == 0 {
            0.0
        } else {
            self.hits as f64 / total as f64
        }
    }
}

/// Per-shard counters, changed only under the shard's write lock.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ShardCounters {
    pub(crate) inserts: u64,
    pub(crate) updates: u64,
    pub(crate) evictions: u64,
    pub(crate) expirations: u64,
    pub(crate) removals: u64,
}

#[derive(Debug, Default)]
struct Stripe {
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Hit and miss counters striped by thread.
#[derive(Debug)]
pub(crate) struct Lookups {
    stripes: Box<[CachePadded<Stripe>]>,
}

thread_local! {
    /// Its address tags the thread; the value is never read.
    static TAG: u8 = const { 0 };
}

impl Lookups {
    /// `n` stripes, rounded up to a power of two.
    pub(crate) fn new(n: usize) -> Self {
        let n = n.max(1).next_power_of_two();
        Self {
            stripes: (0..n)
                .map(|_| CachePadded::new(Stripe::default()))
                .collect(),
        }
    }

    #[inline]
    fn stripe(&self) -> &Stripe {
        let addr = TAG.with(|t| t as *const u8 as usize);
        // Thread-locals of different threads lie at least a page apart in
        // practice; mix the address so neighbouring tags spread.
        let mix = (addr as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        &self.stripes[mix as usize & (self.stripes.len() - 1)]
    }

    /// Count a hit. `Relaxed`: a statistic, it publishes nothing.
    #[inline]
    pub(crate) fn hit(&self) {
        self.stripe().hits.fetch_add(1, Ordering::Relaxed);
    }

    /// Count a miss. `Relaxed`: a statistic, it publishes nothing.
    #[inline]
    pub(crate) fn miss(&self) {
        self.stripe().misses.fetch_add(1, Ordering::Relaxed);
    }

    /// Sum of all stripes: `(hits, misses)`.
    pub(crate) fn totals(&self) -> (u64, u64) {
        self.stripes.iter().fold((0, 0), |(h, m), s| {
            (
                h + s.hits.load(Ordering::Relaxed),
                m + s.misses.load(Ordering::Relaxed),
            )
        })
    }
}
