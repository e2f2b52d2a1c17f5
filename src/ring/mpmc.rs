//! Bounded multi-producer / multi-consumer queue of `T` (Vyukov's
//! algorithm, per-slot sequence numbers).
//!
//! See the [module docs](super) for the algorithm and its invariants.
//!
//! ```
//! use ultra::ring::mpmc::Queue;
//! let q = Queue::<u32>::new(100)?;
//! assert_eq!(q.capacity(), 128);
//! q.push(1).unwrap();
//! assert_eq!(q.push_slice(&[2, 3]), 2); // one claim for the batch
//! assert_eq!(q.len(), 3);
//! let mut got = Vec::new();
//! assert_eq!(q.pop_batch(8, |v| got.push(v)), 3);
//! assert_eq!(got, [1, 2, 3]);
//! assert!(q.is_empty());
//! # Ok::<(), ultra::Error>(())
//! ```

use std::convert::Infallible;

use super::capacity_pow2;
use super::slots::ValueCell;
use super::vyukov::Sequencer;
use crate::Result;
use crate::sync::AtomicUsize;

/// One slot: its sequence number and the value it may hold.
struct Slot<T> {
    /// `pos` when free for the push at `pos`, `pos + 1` when it holds that
    /// push's value (see [`Sequencer`]).
    seq: AtomicUsize,
    value: ValueCell<T>,
}

/// A bounded MPMC queue. Share it by reference or in an `Arc`; every method
/// takes `&self`.
pub struct Queue<T> {
    seq: Sequencer,
    slots: Box<[Slot<T>]>,
}

// SAFETY: values move between threads through the slots (needs `T: Send`);
// each slot is accessed by one thread at a time, as the sequence protocol
// grants it to exactly one claimer.
unsafe impl<T: Send> Send for Queue<T> {}
// SAFETY: as above; all shared access goes through the atomic protocol.
unsafe impl<T: Send> Sync for Queue<T> {}

impl<T> Queue<T> {
    /// A queue holding at least `capacity` items (rounded up to a power of
    /// two, at least 2).
    ///
    /// Fails with [`Error::InvalidArgument`](crate::Error::InvalidArgument)
    /// when `capacity` is 0 or the rounded size overflows, and with
    /// [`Error::OutOfMemory`](crate::Error::OutOfMemory) when it cannot be allocated.
    pub fn new(capacity: usize) -> Result<Self> {
        let cap = capacity_pow2(capacity, 2, size_of::<Slot<T>>())?;
        let slots = super::try_boxed(cap, |i| Slot {
            seq: AtomicUsize::new(Sequencer::initial_seq(i)),
            value: ValueCell::new(),
        })?;
        Ok(Self {
            seq: Sequencer::new(cap),
            slots,
        })
    }

    /// The slot of position `pos`, without a bounds check.
    #[inline(always)]
    fn slot(&self, pos: usize) -> &Slot<T> {
        let i = self.seq.index(pos);
        debug_assert!(i < self.slots.len());
        // SAFETY: `index` masks with `capacity - 1` and the queue has exactly
        // `capacity` slots, so `i < self.slots.len()`.
        unsafe { self.slots.get_unchecked(i) }
    }

    #[inline(always)]
    fn seq_of<'a>(&'a self) -> impl Fn(usize) -> &'a AtomicUsize {
        // `Sequencer` only hands out indices `< capacity`, which `slot`
        // maps to themselves.
        |i| &self.slot(i).seq
    }

    /// Claim up to `want` pop positions (any record fits a `T` slot).
    #[inline(always)]
    fn claim_pop(&self, want: usize) -> Option<(usize, usize)> {
        let Ok(claimed) = self
            .seq
            .claim_pop(want, self.seq_of(), |_| Ok::<(), Infallible>(()));
        claimed
    }

    /// Number of slots (a power of two).
    #[inline]
    pub fn capacity(&self) -> usize {
        self.seq.capacity()
    }

    /// Items queued right now (a snapshot, `0 ..= capacity`).
    pub fn len(&self) -> usize {
        self.seq.len()
    }

    /// Whether the queue looked empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the queue looked full.
    pub fn is_full(&self) -> bool {
        self.len() == self.capacity()
    }

    /// Push one item; gives it back when the queue is full.
    #[inline]
    pub fn push(&self, value: T) -> std::result::Result<(), T> {
        let Some((pos, _)) = self.seq.claim_push(1, self.seq_of()) else {
            return Err(value);
        };
        // SAFETY: the claim made slot `pos` ours alone, and it is free.
        unsafe { self.slot(pos).value.write(value) };
        self.seq.publish_push(pos, 1, self.seq_of());
        Ok(())
    }

    /// Pop the oldest item, or `None` when the queue is empty.
    #[inline]
    pub fn pop(&self) -> Option<T> {
        let (pos, _) = self.claim_pop(1)?;
        // SAFETY: the claim made slot `pos` ours alone, and it holds a value.
        let value = unsafe { self.slot(pos).value.read() };
        self.seq.publish_pop(pos, 1, self.seq_of());
        Some(value)
    }

    /// Pop up to `max` items with one claim, handing each to `f` in order.
    /// Returns how many were popped.
    pub fn pop_batch(&self, max: usize, mut f: impl FnMut(T)) -> usize {
        if max == 0 {
            return 0;
        }
        let Some((pos, n)) = self.claim_pop(max) else {
            return 0;
        };
        let mut claimed = Claimed {
            queue: self,
            next: pos,
            end: pos.wrapping_add(n),
        };
        while let Some(value) = claimed.take() {
            f(value);
        }
        n
    }
}

/// Popped-but-not-yet-delivered positions of a `pop_batch`; whatever is
/// left when it drops (because the callback panicked) is dropped and its
/// slots handed back, so the queue never stalls on a claimed slot.
struct Claimed<'a, T> {
    queue: &'a Queue<T>,
    next: usize,
    end: usize,
}

impl<T> Claimed<'_, T> {
    /// Move the next claimed value out and hand its slot back.
    fn take(&mut self) -> Option<T> {
        if self.next == self.end {
            return None;
        }
        let q = self.queue;
        // SAFETY: `next` is one of the positions our claim made ours, still
        // holding its value (each is taken once, in order).
        let value = unsafe { q.slot(self.next).value.read() };
        q.seq.publish_pop(self.next, 1, q.seq_of());
        self.next = self.next.wrapping_add(1);
        Some(value)
    }
}

impl<T> Drop for Claimed<'_, T> {
    fn drop(&mut self) {
        while self.take().is_some() {}
    }
}

impl<T: Copy> Queue<T> {
    /// Push as many items of `src` as fit with one claim; returns how many.
    pub fn push_slice(&self, src: &[T]) -> usize {
        if src.is_empty() {
            return 0;
        }
        let Some((pos, n)) = self.seq.claim_push(src.len(), self.seq_of()) else {
            return 0;
        };
        for (k, v) in src[..n].iter().enumerate() {
            let slot = self.slot(pos.wrapping_add(k));
            // SAFETY: the claim made these `n` slots ours, and they are free.
            unsafe { slot.value.write(*v) };
        }
        self.seq.publish_push(pos, n, self.seq_of());
        n
    }

    /// Pop up to `dst.len()` items with one claim into `dst`; returns how many.
    pub fn pop_slice(&self, dst: &mut [T]) -> usize {
        if dst.is_empty() {
            return 0;
        }
        let Some((pos, n)) = self.claim_pop(dst.len()) else {
            return 0;
        };
        for (k, v) in dst[..n].iter_mut().enumerate() {
            let slot = self.slot(pos.wrapping_add(k));
            // SAFETY: the claim made these `n` slots ours, and each holds a value.
            *v = unsafe { slot.value.read() };
        }
        self.seq.publish_pop(pos, n, self.seq_of());
        n
    }
}

impl<T> Drop for Queue<T> {
    fn drop(&mut self) {
        // `&mut self`: no other thread can hold the queue, so the positions
        // are final and every position in head..tail holds a value.
        let (head, tail) = self.seq.positions();
        let mut p = head;
        while p != tail {
            // SAFETY: position `p` was pushed and not popped; we are alone.
            drop(unsafe { self.slot(p).value.read() });
            p = p.wrapping_add(1);
        }
    }
}

impl<T> std::fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("mpmc::Queue")
            .field("capacity", &self.capacity())
            .field("len", &self.len())
            .finish()
    }
}
