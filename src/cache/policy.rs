//! The eviction policy of one shard: adaptive S3-FIFO (CLOCK queues sized by
//! ARC's ghost feedback). See the module docs of [`cache`](super) for the
//! algorithm and its papers; this file is the single-threaded core. It owns
//! the entries (a slab indexed by `u32`), two intrusive queues and two ghost
//! lists; the shard owns the hash index that points into the slab.
//!
//! Invariants (checked by [`Policy::validate`] in tests):
//!
//! - `small.len + main.len == live slots == len()`, every live slot is in
//!   exactly the queue its `queue` field names, and the links are consistent;
//! - `0 <= target_small <= max(len(), 1)`;
//! - ghosts: `small.len + ghost_small.len <= max(c, 1)` and
//!   `len() + ghost_small.len + ghost_main.len <= 2 * max(c, 1)` after every
//!   [`Policy::trim_ghosts`], with `c` the number of live entries (ARC's
//!   directory bounds, with `c` the entries a full shard holds).

use std::collections::VecDeque;
use std::hash::{BuildHasherDefault, Hasher};

use crate::sync::{AtomicBool, AtomicU8, Ordering};

/// "No slot": the end of a queue.
pub(crate) const NIL: u32 = u32::MAX;

/// The largest value of a node's access counter (2 bits, as in S3-FIFO).
pub(crate) const FREQ_MAX: u8 = 3;

/// Which queue a node is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Queue {
    /// Probation: new keys, evicted unless touched while here.
    Small,
    /// Protected: keys seen at least twice, managed by CLOCK.
    Main,
}

/// One cached entry, as it enters and leaves the policy.
///
/// The slab does not store it whole: it splits it into the [`Hot`] part a
/// lookup reads and the [`Meta`] part only the policy and writers read.
#[derive(Debug)]
pub(crate) struct Node<K, V> {
    pub(crate) key: K,
    pub(crate) value: V,
    /// Clock nanoseconds from which the entry is expired (`NEVER` = never).
    pub(crate) expires: u64,
    /// The full 64-bit hash of `key`.
    pub(crate) hash: u64,
    /// The weigher's result for `(key, value)`.
    pub(crate) weight: u64,
    /// Clock nanoseconds when the value was stored.
    pub(crate) stamp: u64,
}

impl<K, V> Node<K, V> {
    /// A node not yet in the policy.
    pub(crate) fn new(key: K, value: V, hash: u64, weight: u64, stamp: u64, expires: u64) -> Self {
        Self {
            key,
            value,
            expires,
            hash,
            weight,
            stamp,
        }
    }

    /// Whether the entry is expired at `now`.
    #[inline]
    pub(crate) fn is_expired(&self, now: u64) -> bool {
        now >= self.expires
    }
}

/// The part of a slab entry that a lookup reads: tag, counters, key, value
/// and deadline.
///
/// `repr(C)` keeps the queue tag (also `Option<Hot>`'s niche) and the
/// counters first; `align(32)` makes the slab's stride a multiple of 32
/// bytes, so for 8-byte keys and values an entry is exactly 32 bytes, never
/// straddles two cache lines, and a line holds two entries: a hit touches
/// one line of the slab, and the hot set packs twice as densely into the
/// CPU caches as whole nodes would.
#[derive(Debug)]
#[repr(C, align(32))]
pub(crate) struct Hot<K, V> {
    queue: Queue,
    /// Accesses since the policy last looked, saturating at [`FREQ_MAX`].
    /// Bumped by readers under the shard's *read* lock; see [`Hot::touch`].
    pub(crate) freq: AtomicU8,
    /// Set by the one reader told to refresh this value (refresh-ahead).
    pub(crate) refresh_claimed: AtomicBool,
    pub(crate) key: K,
    pub(crate) value: V,
    /// Clock nanoseconds from which the entry is expired (`NEVER` = never).
    pub(crate) expires: u64,
}

/// The part of a slab entry that only the policy and writers read: queue
/// links, hash, weight and insertion time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meta {
    prev: u32,
    next: u32,
    /// The full 64-bit hash of the key.
    pub(crate) hash: u64,
    /// The weigher's result for `(key, value)`.
    pub(crate) weight: u64,
    /// Clock nanoseconds when the value was stored. The refresh-ahead point
    /// is derived from it and the deadline ([`refresh_at`]), not stored.
    pub(crate) stamp: u64,
}

/// Clock nanoseconds from which one reader is told to refresh an entry
/// stored at `stamp` and expiring at `expires`: the fraction `f` of its TTL
/// after `stamp` (`NEVER` without a TTL or without refresh-ahead).
#[inline]
pub(crate) fn refresh_at(stamp: u64, expires: u64, f: Option<f64>) -> u64 {
    match f {
        Some(f) if expires != super::clock::NEVER => {
            let ttl = expires.saturating_sub(stamp);
            stamp
                .saturating_add((ttl as f64 * f) as u64)
                .min(super::clock::NEVER - 1)
        }
        _ => super::clock::NEVER,
    }
}

impl<K, V> Hot<K, V> {
    /// Record an access: a saturating increment of `freq`.
    ///
    /// `Relaxed` load and store, not a read-modify-write: two readers racing
    /// may lose one increment, which only makes the counter a slightly lower
    /// estimate (it is a hint for eviction, never a correctness input). Once
    /// the counter is at [`FREQ_MAX`] a hit only reads it, so a hot entry's
    /// line is not written by every reader. The policy reads and clears it
    /// under the exclusive lock, which orders it after every reader.
    #[inline]
    pub(crate) fn touch(&self) {
        let f = self.freq.load(Ordering::Relaxed);
        if f < FREQ_MAX {
            self.freq.store(f + 1, Ordering::Relaxed);
        }
    }

    /// Whether the entry is expired at `now`.
    #[inline]
    pub(crate) fn is_expired(&self, now: u64) -> bool {
        now >= self.expires
    }
}

/// Head/tail/length of one intrusive queue.
#[derive(Debug, Clone, Copy)]
struct List {
    head: u32,
    tail: u32,
    len: usize,
}

impl List {
    const EMPTY: List = List {
        head: NIL,
        tail: NIL,
        len: 0,
    };
}

/// A hasher that passes a 64-bit hash through (ghost keys are hashes).
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Key hashes recently evicted from small (ARC's B1) and from main (B2).
///
/// One map holds every live member with the sequence number of its latest
/// insertion and which ghost it is in, so a miss costs one probe; each
/// ghost's FIFO may also hold stale pairs (taken, or re-inserted later),
/// which are skipped when popped and compacted away when they outnumber the
/// live ones.
#[derive(Debug, Default)]
struct Ghosts {
    fifo: [VecDeque<(u64, u32)>; 2],
    len: [usize; 2],
    map: hashbrown::HashMap<u64, (u32, Queue), BuildHasherDefault<PassThrough>>,
    seq: u32,
}

impl Ghosts {
    fn len(&self, q: Queue) -> usize {
        self.len[q as usize]
    }

    fn push(&mut self, hash: u64, q: Queue) {
        self.seq = self.seq.wrapping_add(1);
        if let Some((_, old)) = self.map.insert(hash, (self.seq, q)) {
            self.len[old as usize] -= 1;
        }
        self.len[q as usize] += 1;
        let fifo = &mut self.fifo[q as usize];
        fifo.push_back((hash, self.seq));
        if fifo.len() > 2 * self.len[q as usize] + 64 {
            let map = &self.map;
            fifo.retain(|(h, s)| map.get(h) == Some(&(*s, q)));
        }
    }

    /// Remove `hash`; which ghost it was in, if any.
    fn take(&mut self, hash: u64) -> Option<Queue> {
        let (_, q) = self.map.remove(&hash)?;
        self.len[q as usize] -= 1;
        Some(q)
    }

    /// Forget the oldest live member of ghost `q`.
    fn pop_oldest(&mut self, q: Queue) {
        while let Some((h, s)) = self.fifo[q as usize].pop_front() {
            // One probe: the entry API finds the slot once for test and removal.
            if let hashbrown::hash_map::Entry::Occupied(e) = self.map.entry(h)
                && *e.get() == (s, q)
            {
                e.remove();
                self.len[q as usize] -= 1;
                return;
            }
        }
    }

    fn clear(&mut self) {
        self.fifo.iter_mut().for_each(VecDeque::clear);
        self.len = [0, 0];
        self.map.clear();
    }
}

/// Why a node left the cache through [`Policy::evict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gone {
    /// Chosen by the policy.
    Evicted,
    /// Its TTL had passed when the policy reached it.
    Expired,
}

/// Adaptive S3-FIFO over a slab of nodes.
#[derive(Debug)]
pub(crate) struct Policy<K, V> {
    /// The hot halves of the entries; `None` marks a free slot.
    slots: Vec<Option<Hot<K, V>>>,
    /// The cold halves, parallel to `slots` (stale in free slots).
    meta: Vec<Meta>,
    free: Vec<u32>,
    small: List,
    main: List,
    ghosts: Ghosts,
    /// ARC's `p`: how many entries the small queue may hold before the policy
    /// evicts from main instead. `0 ..= max(len, 1)`.
    target_small: usize,
}

impl<K, V> Default for Policy<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V> Policy<K, V> {
    /// An empty policy.
    pub(crate) fn new() -> Self {
        Self {
            slots: Vec::new(),
            meta: Vec::new(),
            free: Vec::new(),
            small: List::EMPTY,
            main: List::EMPTY,
            ghosts: Ghosts::default(),
            target_small: 0,
        }
    }

    /// Live entries.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.small.len + self.main.len
    }

    /// The hot half of slot `idx` (which must be live).
    #[inline]
    pub(crate) fn node(&self, idx: u32) -> &Hot<K, V> {
        self.slots[idx as usize].as_ref().expect("live slot")
    }

    /// The hot half of slot `idx` (which must be live), mutably.
    #[inline]
    pub(crate) fn node_mut(&mut self, idx: u32) -> &mut Hot<K, V> {
        self.slots[idx as usize].as_mut().expect("live slot")
    }

    /// The cold half of slot `idx` (which must be live).
    #[inline]
    pub(crate) fn meta(&self, idx: u32) -> &Meta {
        &self.meta[idx as usize]
    }

    /// The cold half of slot `idx` (which must be live), mutably.
    #[inline]
    pub(crate) fn meta_mut(&mut self, idx: u32) -> &mut Meta {
        &mut self.meta[idx as usize]
    }

    /// Every live slot index (for scans: retain, purge, prefix removal).
    pub(crate) fn live_indices(&self) -> Vec<u32> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_some())
            .map(|(i, _)| i as u32)
            .collect()
    }

    fn list(&mut self, q: Queue) -> &mut List {
        match q {
            Queue::Small => &mut self.small,
            Queue::Main => &mut self.main,
        }
    }

    fn link_tail(&mut self, idx: u32, q: Queue) {
        let tail = self.list(q).tail;
        self.node_mut(idx).queue = q;
        {
            let m = self.meta_mut(idx);
            m.prev = tail;
            m.next = NIL;
        }
        if tail == NIL {
            self.list(q).head = idx;
        } else {
            self.meta_mut(tail).next = idx;
        }
        let l = self.list(q);
        l.tail = idx;
        l.len += 1;
    }

    fn unlink(&mut self, idx: u32) {
        let q = self.node(idx).queue;
        let Meta { prev, next, .. } = *self.meta(idx);
        if prev == NIL {
            self.list(q).head = next;
        } else {
            self.meta_mut(prev).next = next;
        }
        if next == NIL {
            self.list(q).tail = prev;
        } else {
            self.meta_mut(next).prev = prev;
        }
        self.list(q).len -= 1;
        let m = self.meta_mut(idx);
        m.prev = NIL;
        m.next = NIL;
    }

    fn take_slot(&mut self, idx: u32) -> Node<K, V> {
        self.free.push(idx);
        let hot = self.slots[idx as usize].take().expect("live slot");
        let meta = self.meta[idx as usize];
        Node {
            key: hot.key,
            value: hot.value,
            expires: hot.expires,
            hash: meta.hash,
            weight: meta.weight,
            stamp: meta.stamp,
        }
    }

    /// Store a new node and place it: a key remembered by a ghost goes
    /// straight to main and moves `target_small` ARC-style (a ghost hit from
    /// small says small was too short: grow it; from main: shrink it); any
    /// other key starts in small. Returns its slot.
    pub(crate) fn admit(&mut self, node: Node<K, V>) -> u32 {
        let hash = node.hash;
        let hot = Hot {
            queue: Queue::Small,
            freq: AtomicU8::new(0),
            refresh_claimed: AtomicBool::new(false),
            key: node.key,
            value: node.value,
            expires: node.expires,
        };
        let meta = Meta {
            prev: NIL,
            next: NIL,
            hash,
            weight: node.weight,
            stamp: node.stamp,
        };
        let idx = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(hot);
                self.meta[i as usize] = meta;
                i
            }
            None => {
                self.slots.push(Some(hot));
                self.meta.push(meta);
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 entries per shard")
            }
        };
        let (gs, gm) = (self.ghosts.len(Queue::Small), self.ghosts.len(Queue::Main));
        let c = self.len().max(1) + 1;
        let q = match self.ghosts.take(hash) {
            Some(Queue::Small) => {
                let delta = if gs >= gm { 1 } else { gm / gs.max(1) };
                self.target_small = (self.target_small + delta).min(c);
                Queue::Main
            }
            Some(Queue::Main) => {
                let delta = if gm >= gs { 1 } else { gs / gm.max(1) };
                self.target_small = self.target_small.saturating_sub(delta);
                Queue::Main
            }
            None => Queue::Small,
        };
        self.link_tail(idx, q);
        idx
    }

    /// Take a node out of the cache without remembering it in a ghost
    /// (explicit removal, expiry found by a reader or a scan).
    pub(crate) fn remove(&mut self, idx: u32) -> Node<K, V> {
        self.unlink(idx);
        self.take_slot(idx)
    }

    /// Detach `idx` from its queue while its value is replaced, so that
    /// [`evict`](Self::evict) cannot choose it; [`reattach`](Self::reattach) puts it back.
    pub(crate) fn detach(&mut self, idx: u32) -> Queue {
        let q = self.node(idx).queue;
        self.unlink(idx);
        q
    }

    /// Put a node detached by [`detach`](Self::detach) back at the tail of `q`.
    pub(crate) fn reattach(&mut self, idx: u32, q: Queue) {
        self.link_tail(idx, q);
    }

    /// Choose and remove one victim (its former slot, the node, why), or
    /// `None` when no entry is queued.
    ///
    /// Small is the source while it holds at least `max(target_small, 1)`
    /// entries (or main is empty): its head leaves for main if it was touched
    /// while in small, otherwise it is evicted and its hash goes to the small
    /// ghost. Otherwise main runs CLOCK: a head with `freq > 0` is
    /// decremented and moved to the tail; one with `freq == 0` is evicted and
    /// remembered in the main ghost. An expired head is dropped at once.
    pub(crate) fn evict(&mut self, now: u64) -> Option<(u32, Node<K, V>, Gone)> {
        loop {
            let from_small = self.small.len > 0
                && (self.small.len >= self.target_small.max(1) || self.main.len == 0);
            let idx = if from_small {
                self.small.head
            } else {
                self.main.head
            };
            if idx == NIL {
                return None;
            }
            let node = self.node(idx);
            if node.is_expired(now) {
                return Some((idx, self.remove(idx), Gone::Expired));
            }
            let f = node.freq.load(Ordering::Relaxed);
            if from_small {
                self.unlink(idx);
                if f > 0 {
                    self.node(idx).freq.store(0, Ordering::Relaxed);
                    self.link_tail(idx, Queue::Main);
                } else {
                    let node = self.take_slot(idx);
                    self.ghosts.push(node.hash, Queue::Small);
                    return Some((idx, node, Gone::Evicted));
                }
            } else if f > 0 {
                self.node(idx).freq.store(f - 1, Ordering::Relaxed);
                self.unlink(idx);
                self.link_tail(idx, Queue::Main);
            } else {
                self.unlink(idx);
                let node = self.take_slot(idx);
                self.ghosts.push(node.hash, Queue::Main);
                return Some((idx, node, Gone::Evicted));
            }
        }
    }

    /// Enforce ARC's directory bounds on the ghosts, with `c` the number of
    /// entries the shard holds when full (`capacity` for a count-bound shard,
    /// the current length for a weight-bound one).
    pub(crate) fn trim_ghosts(&mut self, c: usize) {
        let c = c.max(1);
        let (s, m) = (Queue::Small, Queue::Main);
        while self.small.len + self.ghosts.len(s) > c && self.ghosts.len(s) > 0 {
            self.ghosts.pop_oldest(s);
        }
        while self.len() + self.ghosts.len(s) + self.ghosts.len(m) > 2 * c && self.ghosts.len(m) > 0
        {
            self.ghosts.pop_oldest(m);
        }
        self.target_small = self.target_small.min(c);
    }

    /// Drop every entry and ghost, returning the nodes (to be dropped by the
    /// caller outside its lock).
    pub(crate) fn drain(&mut self) -> Vec<Node<K, V>> {
        let out = (0..self.slots.len() as u32)
            .filter(|&i| self.slots[i as usize].is_some())
            .collect::<Vec<_>>()
            .into_iter()
            .map(|i| self.take_slot(i))
            .collect();
        self.slots.clear();
        self.meta.clear();
        self.free.clear();
        self.small = List::EMPTY;
        self.main = List::EMPTY;
        self.ghosts.clear();
        self.target_small = 0;
        out
    }

    /// Re-derive every count and link from scratch and compare (tests and debug checks).
    pub(crate) fn validate(&self) {
        let live = self.slots.iter().filter(|s| s.is_some()).count();
        assert_eq!(live, self.len(), "live slots vs queue lengths");
        assert_eq!(live + self.free.len(), self.slots.len(), "free list");
        assert_eq!(self.meta.len(), self.slots.len(), "meta parallel to slots");
        for (q, list) in [(Queue::Small, self.small), (Queue::Main, self.main)] {
            let mut n = 0;
            let mut prev = NIL;
            let mut cur = list.head;
            while cur != NIL {
                let node = self.node(cur);
                assert_eq!(node.queue, q, "node in the wrong queue");
                assert_eq!(self.meta(cur).prev, prev, "broken back link");
                assert!(node.freq.load(Ordering::Relaxed) <= FREQ_MAX);
                prev = cur;
                cur = self.meta(cur).next;
                n += 1;
            }
            assert_eq!(prev, list.tail, "tail");
            assert_eq!(n, list.len, "queue length");
        }
        let g = &self.ghosts;
        assert_eq!(g.len[0] + g.len[1], g.map.len(), "ghost lengths");
        for q in [Queue::Small, Queue::Main] {
            let live = g.map.values().filter(|(_, x)| *x == q).count();
            assert_eq!(live, g.len(q), "ghost {q:?} length");
            assert!(g.len(q) <= g.fifo[q as usize].len());
        }
    }

    /// `(small, main, ghost_small, ghost_main, target_small)` (tests and debug checks).
    pub(crate) fn shape(&self) -> (usize, usize, usize, usize, usize) {
        (
            self.small.len,
            self.main.len,
            self.ghosts.len(Queue::Small),
            self.ghosts.len(Queue::Main),
            self.target_small,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout a hit relies on: one aligned 32-byte hot slot per
    /// `u64 -> u64` entry (two per cache line), 32 cold bytes beside it.
    #[test]
    fn hot_slot_is_half_a_line_for_words() {
        assert_eq!(std::mem::size_of::<Option<Hot<u64, u64>>>(), 32);
        assert_eq!(std::mem::align_of::<Hot<u64, u64>>(), 32);
        assert_eq!(std::mem::size_of::<Meta>(), 32);
    }
}
