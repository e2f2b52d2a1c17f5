//! Counters, all per shard.
//!
//! Hits and misses are atomics beside each shard's lock word (`shard.rs`):
//! a lookup counts itself with a `Relaxed` increment on the cache line its
//! read-lock acquisition has just written, so counting adds no line transfer
//! and no thread-local lookup. Everything
//! else (inserts, updates, evictions, expirations, removals) happens under a
//! shard's write lock and is counted there in plain integers.

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
