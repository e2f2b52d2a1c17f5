//! One shard: a hash index over the policy's slab, behind a reader-writer lock.
//!
//! Lookups take the *read* lock, find the slot through the index, check the
//! deadline and bump the node's access counter with a `Relaxed` store
//! ([`Node::touch`]); they never take the write lock. Inserts, removals and
//! evictions take the write lock. Nodes that leave the shard are handed back
//! to the caller (the front), which drops them after the guard is released,
//! so a value's destructor never runs inside the lock.

use std::borrow::Borrow;
use std::hash::Hash;

use hashbrown::HashTable;

use super::clock::NEVER;
use super::policy::{Gone, Hot, Meta, Node, Policy};
use super::stats::ShardCounters;
use crate::error::{Error, Result};
use crate::sync::{AtomicU64, Ordering, RwLock};

/// What a lookup found.
pub(crate) enum Found<R> {
    /// A live entry; the closure's result.
    Live(R),
    /// An entry whose deadline has passed (not returned; the caller removes it).
    Expired,
    /// Nothing under that key.
    Absent,
}

/// What leaves the shard during an operation, to drop outside its lock.
///
/// An insert into a full shard usually evicts exactly one node: it goes to
/// `first`, so the common case allocates nothing; further victims go to `rest`.
pub(crate) struct Garbage<K, V> {
    pub(crate) first: Option<Node<K, V>>,
    pub(crate) rest: Vec<Node<K, V>>,
    pub(crate) old_value: Option<V>,
}

impl<K, V> Default for Garbage<K, V> {
    fn default() -> Self {
        Self {
            first: None,
            rest: Vec::new(),
            old_value: None,
        }
    }
}

impl<K, V> Garbage<K, V> {
    fn push(&mut self, node: Node<K, V>) {
        if self.first.is_none() {
            self.first = Some(node);
        } else {
            self.rest.push(node);
        }
    }
}

/// `(live node removed, expired node removed)`: at most one is `Some`.
pub(crate) type Removed<K, V> = (Option<Node<K, V>>, Option<Node<K, V>>);

/// The lock-protected state of a shard.
#[derive(Debug)]
pub(crate) struct Inner<K, V> {
    /// Slot indices keyed by the node's hash.
    table: HashTable<u32>,
    policy: Policy<K, V>,
    /// Sum of the live nodes' weights.
    weight: u64,
    counters: ShardCounters,
}

/// One shard of a [`Cache`](super::Cache).
///
/// `repr(C)` puts the hit and miss counters right before the lock, whose
/// state word is the first field of `RwLock` (its data, being `?Sized`-able,
/// comes last); the front pads each shard to a cache-line pair. So a lookup,
/// which has just written the lock word with its read-lock RMW, counts
/// itself on the line it already owns: no thread-local lookup and no other
/// line written.
#[derive(Debug)]
#[repr(C)]
pub(crate) struct Shard<K, V> {
    hits: AtomicU64,
    misses: AtomicU64,
    inner: RwLock<Inner<K, V>>,
    /// Exact bound: `len() <= capacity` after every operation.
    capacity: usize,
    /// Exact bound: `weight() <= max_weight` after every operation
    /// (`u64::MAX` when the cache has no weight budget).
    max_weight: u64,
}

impl<K: Hash + Eq, V> Shard<K, V> {
    pub(crate) fn new(capacity: usize, max_weight: u64) -> Self {
        Self {
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            inner: RwLock::new(Inner {
                table: HashTable::new(),
                policy: Policy::new(),
                weight: 0,
                counters: ShardCounters::default(),
            }),
            capacity,
            max_weight,
        }
    }

    /// Look `key` up under the read lock and, if live at `now()`, record the
    /// access and return `f(node, now)`. `now` is read only when the entry
    /// has a deadline or `always_now` asks for it (ages).
    #[inline]
    pub(crate) fn lookup<Q, R>(
        &self,
        hash: u64,
        key: &Q,
        now: impl FnOnce() -> u64,
        always_now: bool,
        f: impl FnOnce(&Hot<K, V>, &Meta, u64) -> R,
    ) -> Found<R>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let g = self.inner.read();
        let Some(&idx) = g
            .table
            .find(hash, |&i| g.policy.node(i).key.borrow() == key)
        else {
            return Found::Absent;
        };
        let node = g.policy.node(idx);
        let t = if always_now || node.expires != NEVER {
            now()
        } else {
            0
        };
        if node.is_expired(t) {
            return Found::Expired;
        }
        node.touch();
        Found::Live(f(node, g.policy.meta(idx), t))
    }

    /// Count a hit. `Relaxed`: a statistic, it publishes nothing.
    #[inline]
    pub(crate) fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    /// Count a miss. `Relaxed`: a statistic, it publishes nothing.
    #[inline]
    pub(crate) fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    /// `(hits, misses)` so far.
    pub(crate) fn lookups(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Whether `key` holds a live entry, without recording an access.
    pub(crate) fn peek<Q>(&self, hash: u64, key: &Q, now: impl FnOnce() -> u64) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let g = self.inner.read();
        Self::find(&g, hash, key).is_some_and(|i| {
            let n = g.policy.node(i);
            n.expires == NEVER || !n.is_expired(now())
        })
    }

    fn find<Q>(inner: &Inner<K, V>, hash: u64, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        inner
            .table
            .find(hash, |&i| inner.policy.node(i).key.borrow() == key)
            .copied()
    }

    /// Unindex slot `idx` (whose node has `hash`).
    fn unindex(table: &mut HashTable<u32>, hash: u64, idx: u32) {
        if let Ok(e) = table.find_entry(hash, |&i| i == idx) {
            e.remove();
        }
    }

    /// Evict until `extra_len` more entries and `extra_weight` more weight fit.
    fn make_room(
        &self,
        g: &mut Inner<K, V>,
        extra_len: usize,
        extra_weight: u64,
        now: u64,
        out: &mut Garbage<K, V>,
    ) {
        while g.policy.len() + extra_len > self.capacity
            || g.weight.saturating_add(extra_weight) > self.max_weight
        {
            let Some((idx, node, why)) = g.policy.evict(now) else {
                break;
            };
            Self::unindex(&mut g.table, node.hash, idx);
            g.weight -= node.weight;
            match why {
                Gone::Evicted => g.counters.evictions += 1,
                Gone::Expired => g.counters.expirations += 1,
            }
            out.push(node);
        }
    }

    /// Insert or replace. Fails (changing nothing) when `node.weight` alone
    /// exceeds the shard's weight budget.
    pub(crate) fn insert(&self, node: Node<K, V>, now: u64) -> Result<Garbage<K, V>> {
        if node.weight > self.max_weight {
            return Err(Error::invalid(format!(
                "entry weight {} exceeds the per-shard budget {}",
                node.weight, self.max_weight
            )));
        }
        let mut garbage = Garbage::default();
        let mut guard = self.inner.write();
        let g = &mut *guard;
        if let Some(idx) = Self::find(g, node.hash, &node.key) {
            // Replace in place; the node is detached so eviction skips it.
            let q = g.policy.detach(idx);
            let meta = g.policy.meta_mut(idx);
            let old_weight = std::mem::replace(&mut meta.weight, node.weight);
            meta.stamp = node.stamp;
            g.weight = g.weight - old_weight + node.weight;
            let old = g.policy.node_mut(idx);
            old.expires = node.expires;
            old.refresh_claimed.store(false, Ordering::Relaxed);
            garbage.old_value = Some(std::mem::replace(&mut old.value, node.value));
            g.counters.updates += 1;
            self.make_room(g, 0, 0, now, &mut garbage);
            g.policy.reattach(idx, q);
        } else {
            self.make_room(g, 1, node.weight, now, &mut garbage);
            let (hash, weight) = (node.hash, node.weight);
            let idx = g.policy.admit(node);
            let policy = &g.policy;
            g.table.insert_unique(hash, idx, |&i| policy.meta(i).hash);
            g.weight += weight;
            g.counters.inserts += 1;
        }
        let c = if self.max_weight == u64::MAX {
            self.capacity
        } else {
            g.policy.len()
        };
        g.policy.trim_ghosts(c);
        Ok(garbage)
    }

    /// Remove `key` if `pred(node)` holds; `Some(node)` if it was live.
    /// An expired entry is removed too (counted as an expiration) but not returned.
    pub(crate) fn remove_if<Q>(
        &self,
        hash: u64,
        key: &Q,
        now: u64,
        pred: impl FnOnce(&Hot<K, V>) -> bool,
    ) -> Removed<K, V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut guard = self.inner.write();
        let g = &mut *guard;
        let Some(idx) = Self::find(g, hash, key) else {
            return (None, None);
        };
        let expired = g.policy.node(idx).is_expired(now);
        if !expired && !pred(g.policy.node(idx)) {
            return (None, None);
        }
        Self::unindex(&mut g.table, hash, idx);
        let node = g.policy.remove(idx);
        g.weight -= node.weight;
        if expired {
            g.counters.expirations += 1;
            (None, Some(node))
        } else {
            g.counters.removals += 1;
            (Some(node), None)
        }
    }

    /// Remove every expired entry and every live one for which `keep` is
    /// false; returns the removed nodes.
    pub(crate) fn retain(&self, now: u64, mut keep: impl FnMut(&K, &V) -> bool) -> Vec<Node<K, V>> {
        let mut guard = self.inner.write();
        let g = &mut *guard;
        let mut out = Vec::new();
        for idx in g.policy.live_indices() {
            let n = g.policy.node(idx);
            let expired = n.is_expired(now);
            if expired || !keep(&n.key, &n.value) {
                let hash = g.policy.meta(idx).hash;
                Self::unindex(&mut g.table, hash, idx);
                let node = g.policy.remove(idx);
                g.weight -= node.weight;
                if expired {
                    g.counters.expirations += 1;
                } else {
                    g.counters.removals += 1;
                }
                out.push(node);
            }
        }
        out
    }

    /// Remove everything (counted as removals); returns the nodes.
    pub(crate) fn clear(&self) -> Vec<Node<K, V>> {
        let mut g = self.inner.write();
        g.table.clear();
        g.weight = 0;
        let out = g.policy.drain();
        g.counters.removals += out.len() as u64;
        out
    }

    /// `(entries, weight, counters)` under the read lock.
    pub(crate) fn snapshot(&self) -> (usize, u64, ShardCounters) {
        let g = self.inner.read();
        (g.policy.len(), g.weight, g.counters)
    }

    /// Check every invariant of the shard (tests and debug checks): index and slab agree,
    /// the weight is the sum of the nodes' weights, both bounds hold.
    pub(crate) fn validate(&self)
    where
        K: std::fmt::Debug,
    {
        let g = self.inner.read();
        g.policy.validate();
        assert_eq!(g.table.len(), g.policy.len(), "index vs slab");
        let mut weight = 0;
        for &idx in g.table.iter() {
            let (n, m) = (g.policy.node(idx), g.policy.meta(idx));
            weight += m.weight;
            let found = g.table.find(m.hash, |&i| g.policy.node(i).key == n.key);
            assert_eq!(
                found,
                Some(&idx),
                "key {:?} not found through the index",
                n.key
            );
        }
        assert_eq!(weight, g.weight, "weight sum");
        assert!(g.policy.len() <= self.capacity, "entry bound");
        assert!(g.weight <= self.max_weight, "weight bound");
    }

    /// The policy's queue shape (tests and debug checks).
    pub(crate) fn shape(&self) -> (usize, usize, usize, usize, usize) {
        self.inner.read().policy.shape()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counters share the lock word's cache line.
    #[test]
    fn counters_sit_beside_the_lock() {
        assert_eq!(std::mem::offset_of!(Shard<u64, u64>, hits), 0);
        assert_eq!(std::mem::offset_of!(Shard<u64, u64>, inner), 16);
    }

    /// Hits and misses are counted and summed.
    #[test]
    fn lookups_counted() {
        let s = Shard::<u64, u64>::new(4, u64::MAX);
        s.hit();
        s.miss();
        s.miss();
        assert_eq!(s.lookups(), (1, 2));
    }
}
