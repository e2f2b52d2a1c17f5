//! The sharded front: [`Cache`] and its [`CacheBuilder`].

use std::borrow::Borrow;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::time::Duration;

use super::clock::{self, Clock, NEVER, SystemClock};
use super::policy::{self, Hot, Meta, Node};
use super::shard::{Found, Shard};
use super::single_flight::{Erased, Flights, Role};
use super::stats::Stats;
use crate::error::{Error, Result};
use crate::sync::{CachePadded, Ordering};

type Weigher<K, V> = Box<dyn Fn(&K, &V) -> u64 + Send + Sync>;

/// A value read with [`Cache::get_entry`], with its age and expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<V> {
    /// The cached value.
    pub value: V,
    /// Time since the value was stored (the gateway's `X-Cache-Age`).
    pub age: Duration,
    /// Time left before it expires; `None` if it never does.
    pub ttl_remaining: Option<Duration>,
    /// True for exactly one reader once the entry is older than the
    /// refresh-ahead fraction of its TTL: that reader should re-fetch the
    /// value (in the background) and insert it; everyone else keeps hitting.
    pub should_refresh: bool,
}

/// Builds a [`Cache`]; see [`Cache::builder`].
pub struct CacheBuilder<K, V, S = ahash::RandomState> {
    capacity: usize,
    max_weight: u64,
    shard_count: Option<usize>,
    default_ttl: Option<Duration>,
    refresh_ahead: Option<f64>,
    hasher: S,
    clock: Option<std::sync::Arc<dyn Clock>>,
    weigher: Option<Weigher<K, V>>,
}

impl<K, V, S> fmt::Debug for CacheBuilder<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheBuilder")
            .field("capacity", &self.capacity)
            .field("max_weight", &self.max_weight)
            .field("shard_count", &self.shard_count)
            .field("default_ttl", &self.default_ttl)
            .field("refresh_ahead", &self.refresh_ahead)
            .finish_non_exhaustive()
    }
}

impl<K, V, S> CacheBuilder<K, V, S> {
    /// Maximum number of entries (required, > 0). Exact: `len() <= capacity`.
    pub fn capacity(mut self, entries: usize) -> Self {
        self.capacity = entries;
        self
    }

    /// Maximum total weight (0 = unbounded, the default). See [`weigher`](Self::weigher).
    pub fn max_weight(mut self, weight: u64) -> Self {
        self.max_weight = weight;
        self
    }

    /// How much an entry weighs (e.g. its size in bytes). Default: 1 per entry.
    pub fn weigher(mut self, f: impl Fn(&K, &V) -> u64 + Send + Sync + 'static) -> Self {
        self.weigher = Some(Box::new(f));
        self
    }

    /// Number of shards: a power of two, at most `capacity`. Default: four
    /// per CPU, fewer for small caches (at least 256 entries and, with a
    /// byte budget, at least 1 MiB of `max_weight` per shard).
    pub fn shard_count(mut self, shards: usize) -> Self {
        self.shard_count = Some(shards);
        self
    }

    /// TTL of entries inserted without one (default: never expire).
    pub fn default_ttl(mut self, ttl: Duration) -> Self {
        self.default_ttl = Some(ttl);
        self
    }

    /// Refresh-ahead: once an entry is older than `fraction` (in `(0, 1)`)
    /// of its TTL, one reader of [`Cache::get_entry`] is told to refresh it.
    pub fn refresh_ahead(mut self, fraction: f64) -> Self {
        self.refresh_ahead = Some(fraction);
        self
    }

    /// The clock for ages and expiry (default: [`SystemClock`]).
    pub fn clock(mut self, clock: std::sync::Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The hasher (default: `ahash::RandomState`).
    pub fn hasher<S2>(self, hasher: S2) -> CacheBuilder<K, V, S2> {
        CacheBuilder {
            capacity: self.capacity,
            max_weight: self.max_weight,
            shard_count: self.shard_count,
            default_ttl: self.default_ttl,
            refresh_ahead: self.refresh_ahead,
            hasher,
            clock: self.clock,
            weigher: self.weigher,
        }
    }
}

/// The default shard count: four per CPU, but no more than one per 256
/// entries and — with a byte budget — one per MiB of budget, so that a small
/// cache is not split into shards too small to hold one large entry (each
/// shard owns an exact share of `max_weight`).
fn default_shards(capacity: usize, max_weight: u64) -> usize {
    let floor_pow2 = |n: usize| 1usize << (usize::BITS - 1 - n.max(1).leading_zeros());
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let by_cpu = (cpus * 4).next_power_of_two();
    let by_size = floor_pow2(capacity / 256);
    let by_weight = if max_weight == 0 {
        usize::MAX
    } else {
        floor_pow2(usize::try_from(max_weight >> 20).unwrap_or(usize::MAX))
    };
    by_cpu.min(by_size).min(by_weight)
}

/// Split `total` into `n` parts whose sum is exactly `total`.
fn split(total: u64, n: usize, i: usize) -> u64 {
    let n = n as u64;
    total / n + u64::from((i as u64) < total % n)
}

impl<K: Hash + Eq + Clone, V: Clone, S: BuildHasher + Clone> CacheBuilder<K, V, S> {
    /// Check the settings and build the cache.
    ///
    /// Errors ([`Error::InvalidArgument`]): zero capacity; a shard count that
    /// is zero, not a power of two, or above the capacity; a weight budget
    /// below the shard count; a zero default TTL; a refresh fraction outside
    /// `(0, 1)`.
    pub fn build(self) -> Result<Cache<K, V, S>> {
        if self.capacity == 0 {
            return Err(Error::invalid("capacity must be > 0"));
        }
        let shards = match self.shard_count {
            Some(n) if n == 0 || !n.is_power_of_two() => {
                return Err(Error::invalid(format!(
                    "shard_count {n} is not a power of two"
                )));
            }
            Some(n) if n > self.capacity => {
                return Err(Error::invalid(format!(
                    "shard_count {n} exceeds the capacity {}",
                    self.capacity
                )));
            }
            Some(n) => n,
            None => default_shards(self.capacity, self.max_weight),
        };
        if self.max_weight != 0 && self.max_weight < shards as u64 {
            return Err(Error::invalid(
                "max_weight must be 0 or at least shard_count",
            ));
        }
        if self.default_ttl == Some(Duration::ZERO) {
            return Err(Error::invalid("default_ttl must be > 0"));
        }
        if let Some(f) = self.refresh_ahead
            && !(f > 0.0 && f < 1.0)
        {
            return Err(Error::invalid("refresh_ahead must be in (0, 1)"));
        }
        let shard_vec = (0..shards)
            .map(|i| {
                let cap = split(self.capacity as u64, shards, i) as usize;
                let w = if self.max_weight == 0 {
                    u64::MAX
                } else {
                    split(self.max_weight, shards, i)
                };
                CachePadded::new(Shard::new(cap, w))
            })
            .collect();
        Ok(Cache {
            shards: shard_vec,
            shard_mask: shards as u64 - 1,
            capacity: self.capacity,
            max_weight: self.max_weight,
            default_ttl: self.default_ttl.map(clock::to_nanos),
            refresh_ahead: self.refresh_ahead,
            clock: self
                .clock
                .unwrap_or_else(|| std::sync::Arc::new(SystemClock::new())),
            weigher: self.weigher.unwrap_or_else(|| Box::new(|_, _| 1)),
            flights: Flights::new(self.hasher.clone()),
            hasher: self.hasher,
        })
    }
}

/// A sharded, concurrent, bounded cache with TTLs, byte budgets and an
/// adaptive scan-resistant policy. See the [module docs](super).
pub struct Cache<K, V, S = ahash::RandomState> {
    shards: Box<[CachePadded<Shard<K, V>>]>,
    /// `shards - 1`: the shard is `(hash >> 32) & shard_mask`, bits from the
    /// middle of the hash. hashbrown uses the low bits for buckets and the top
    /// seven (57..64) as the control-byte tags that decide most probes without
    /// touching a bucket: taking the shard from the top bits would leave
    /// every key of a shard with the same top bits, so fewer tag bits would
    /// discriminate and a probe would load far more non-matching slots.
    shard_mask: u64,
    capacity: usize,
    max_weight: u64,
    default_ttl: Option<u64>,
    refresh_ahead: Option<f64>,
    clock: std::sync::Arc<dyn Clock>,
    weigher: Weigher<K, V>,
    flights: Flights<K, V, S>,
    hasher: S,
}

impl<K, V, S> fmt::Debug for Cache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("shards", &self.shards.len())
            .field("capacity", &self.capacity)
            .field("max_weight", &self.max_weight)
            .field("default_ttl_ns", &self.default_ttl)
            .finish_non_exhaustive()
    }
}

impl<K: Hash + Eq + Clone, V: Clone> Cache<K, V> {
    /// A builder with the default hasher; set at least [`capacity`](CacheBuilder::capacity).
    pub fn builder() -> CacheBuilder<K, V> {
        CacheBuilder {
            capacity: 0,
            max_weight: 0,
            shard_count: None,
            default_ttl: None,
            refresh_ahead: None,
            hasher: ahash::RandomState::new(),
            clock: None,
            weigher: None,
        }
    }

    /// A cache of `capacity` entries with default settings.
    pub fn new(capacity: usize) -> Result<Self> {
        Self::builder().capacity(capacity).build()
    }
}

impl<K: Hash + Eq + Clone, V: Clone, S: BuildHasher> Cache<K, V, S> {
    #[inline]
    fn shard_of(&self, hash: u64) -> &Shard<K, V> {
        let i = ((hash >> 32) & self.shard_mask) as usize;
        &self.shards[i]
    }

    #[inline]
    fn now(&self) -> u64 {
        self.clock.now_nanos()
    }

    /// The value under `key`, if present and not expired.
    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let shard = self.shard_of(hash);
        match shard.lookup(hash, key, || self.now(), false, |n, _, _| n.value.clone()) {
            Found::Live(v) => {
                shard.hit();
                Some(v)
            }
            Found::Expired => self.miss_expired(shard, hash, key),
            Found::Absent => {
                shard.miss();
                None
            }
        }
    }

    #[cold]
    fn miss_expired<Q, R>(&self, shard: &Shard<K, V>, hash: u64, key: &Q) -> Option<R>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        shard.miss();
        let (_, expired) = shard.remove_if(hash, key, self.now(), |_| false);
        drop(expired);
        None
    }

    /// The value under `key` with its age, remaining TTL and the
    /// refresh-ahead flag (see [`Entry::should_refresh`]).
    pub fn get_entry<Q>(&self, key: &Q) -> Option<Entry<V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let shard = self.shard_of(hash);
        match shard.lookup(
            hash,
            key,
            || self.now(),
            true,
            |n, m, now| entry_of(n, m, now, self.refresh_ahead),
        ) {
            Found::Live(e) => {
                shard.hit();
                Some(e)
            }
            Found::Expired => self.miss_expired(shard, hash, key),
            Found::Absent => {
                shard.miss();
                None
            }
        }
    }

    /// Whether `key` holds a live value. Does not count as a hit or miss and
    /// does not change the entry's standing with the policy.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        self.shard_of(hash).peek(hash, key, || self.now())
    }

    /// Insert or replace `key` with the default TTL.
    ///
    /// Errors: [`Error::InvalidArgument`] when the entry's weight exceeds a
    /// shard's share of `max_weight` (nothing changes then).
    pub fn insert(&self, key: K, value: V) -> Result<()> {
        self.insert_inner(key, value, self.default_ttl)
    }

    /// Insert or replace `key`, expiring after `ttl`.
    pub fn insert_with_ttl(&self, key: K, value: V, ttl: Duration) -> Result<()> {
        self.insert_inner(key, value, Some(clock::to_nanos(ttl)))
    }

    fn insert_inner(&self, key: K, value: V, ttl: Option<u64>) -> Result<()> {
        let hash = self.hasher.hash_one(&key);
        let weight = (self.weigher)(&key, &value);
        let now = self.now();
        let node = Node::new(key, value, hash, weight, now, clock::deadline(now, ttl));
        let garbage = self.shard_of(hash).insert(node, now)?;
        drop(garbage); // outside the shard lock
        Ok(())
    }

    /// Remove `key`; its value if it was present and live.
    pub fn remove<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let (live, expired) = self
            .shard_of(hash)
            .remove_if(hash, key, self.now(), |_| true);
        drop(expired);
        live.map(|n| n.value)
    }

    /// Keep only the entries for which `keep(key, value)` is true (expired
    /// entries are dropped too); returns how many live entries were removed.
    /// Runs shard by shard, each under its write lock.
    pub fn retain(&self, mut keep: impl FnMut(&K, &V) -> bool) -> usize {
        let now = self.now();
        let mut removed = 0;
        for shard in self.shards.iter() {
            let gone = shard.retain(now, |k, v| keep(k, v));
            removed += gone.iter().filter(|n| !n.is_expired(now)).count();
        }
        removed
    }

    /// Drop every entry whose TTL has passed; returns how many.
    pub fn purge_expired(&self) -> usize {
        let now = self.now();
        self.shards
            .iter()
            .map(|s| s.retain(now, |_, _| true).len())
            .sum()
    }

    /// Remove every entry (counted as removals).
    pub fn clear(&self) {
        for shard in self.shards.iter() {
            drop(shard.clear());
        }
    }

    /// Number of entries held (expired ones not yet dropped included).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.snapshot().0).sum()
    }

    /// Whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total weight held.
    pub fn weight(&self) -> u64 {
        self.shards.iter().map(|s| s.snapshot().1).sum()
    }

    /// The entry bound given to the builder.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The weight bound given to the builder (0 = unbounded).
    pub fn max_weight(&self) -> u64 {
        self.max_weight
    }

    /// Number of shards.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// Counters summed over shards.
    pub fn stats(&self) -> Stats {
        let mut s = Stats::default();
        for shard in self.shards.iter() {
            let (hits, misses) = shard.lookups();
            s.hits += hits;
            s.misses += misses;
            let (len, weight, c) = shard.snapshot();
            s.entries += len as u64;
            s.weight += weight;
            s.inserts += c.inserts;
            s.updates += c.updates;
            s.evictions += c.evictions;
            s.expirations += c.expirations;
            s.removals += c.removals;
        }
        s
    }

    /// The value under `key`, loading it with `loader` on a miss —
    /// single-flight: concurrent callers missing on the same key wait for one
    /// loader run and all get its result. A successful value is inserted
    /// (default TTL); an `Err` is not cached and reaches every waiter.
    /// If the loader panics, the panic propagates to its caller and one of
    /// the waiters runs its own loader instead.
    pub fn get_or_insert_with<E>(
        &self,
        key: K,
        loader: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E>
    where
        E: Clone + Send + Sync + 'static,
    {
        let mut loader = Some(loader);
        loop {
            if let Some(v) = self.get(&key) {
                return Ok(v);
            }
            match self.flights.join(&key) {
                Role::Followed(Ok(v)) => return Ok(v),
                Role::Followed(Err(e)) => match e.downcast_ref::<E>() {
                    Some(e) => return Err(e.clone()),
                    None => continue, // a loader of another error type: retry
                },
                Role::Retry => continue,
                Role::Leader(flight) => {
                    let mut done = FlightGuard {
                        cache: self,
                        key: &key,
                        flight: &flight,
                        outcome: None,
                    };
                    // Another leader may have finished between our miss and our join.
                    let result = match self.peek_value(&key) {
                        Some(v) => Ok(v),
                        None => {
                            let load = loader.take().expect("a caller leads at most once");
                            let r = load();
                            if let Ok(v) = &r {
                                // A too-heavy value is returned but not cached.
                                let _ = self.insert(key.clone(), v.clone());
                            }
                            r
                        }
                    };
                    done.outcome = Some(match &result {
                        Ok(v) => Ok(v.clone()),
                        Err(e) => Err(std::sync::Arc::new(e.clone()) as Erased),
                    });
                    return result;
                }
            }
        }
    }

    fn peek_value(&self, key: &K) -> Option<V> {
        let hash = self.hasher.hash_one(key);
        match self
            .shard_of(hash)
            .lookup(hash, key, || self.now(), false, |n, _, _| n.value.clone())
        {
            Found::Live(v) => Some(v),
            _ => None,
        }
    }

    /// Check every internal invariant (index, queues, ghosts, weight sums and
    /// both bounds) and panic with a message if one fails. For tests.
    #[doc(hidden)]
    pub fn validate(&self)
    where
        K: fmt::Debug,
    {
        for s in self.shards.iter() {
            s.validate();
        }
        assert!(self.len() <= self.capacity);
        if self.max_weight != 0 {
            assert!(self.weight() <= self.max_weight);
        }
    }

    /// Per shard `(small, main, ghost_small, ghost_main, target_small)`. For tests.
    #[doc(hidden)]
    pub fn policy_shape(&self) -> Vec<(usize, usize, usize, usize, usize)> {
        self.shards.iter().map(|s| s.shape()).collect()
    }
}

/// Publishes the leader's outcome on every exit path, panics included.
struct FlightGuard<'a, K: Hash + Eq + Clone, V: Clone, S: BuildHasher> {
    cache: &'a Cache<K, V, S>,
    key: &'a K,
    flight: &'a super::single_flight::Flight<V>,
    outcome: Option<Result<V, Erased>>,
}

impl<K: Hash + Eq + Clone, V: Clone, S: BuildHasher> Drop for FlightGuard<'_, K, V, S> {
    fn drop(&mut self) {
        self.cache
            .flights
            .finish(self.key, self.flight, self.outcome.take());
    }
}

fn entry_of<K, V: Clone>(n: &Hot<K, V>, m: &Meta, now: u64, f: Option<f64>) -> Entry<V> {
    let should_refresh = now >= policy::refresh_at(m.stamp, n.expires, f)
        // `Relaxed` load first so that, once claimed, readers only read the
        // line; the swap is an atomic RMW, so exactly one reader sees `false`.
        && !n.refresh_claimed.load(Ordering::Relaxed)
        && !n.refresh_claimed.swap(true, Ordering::Relaxed);
    Entry {
        value: n.value.clone(),
        age: Duration::from_nanos(now.saturating_sub(m.stamp)),
        ttl_remaining: (n.expires != NEVER).then(|| Duration::from_nanos(n.expires - now)),
        should_refresh,
    }
}

impl<K: Hash + Eq + Clone + AsRef<[u8]>, V: Clone, S: BuildHasher> Cache<K, V, S> {
    /// Remove every entry whose key starts with `prefix` (e.g. `b"post:42"`
    /// drops `post:42`, `post:42:meta`, ...); returns how many live entries
    /// were removed. A scan of every shard, each under its write lock.
    pub fn remove_prefix(&self, prefix: impl AsRef<[u8]>) -> usize {
        let p = prefix.as_ref();
        self.retain(|k, _| !k.as_ref().starts_with(p))
    }
}
