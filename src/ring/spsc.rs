//! Bounded single-producer / single-consumer ring of `T`.
//!
//! See the [module docs](super) for the algorithm and its invariants.
//!
//! ```
//! let (mut tx, mut rx) = ultra::ring::spsc::channel::<u64>(1000)?;
//! assert_eq!(tx.capacity(), 1024); // rounded up to a power of two
//! tx.push(7).unwrap();
//! assert_eq!(tx.push_slice(&[8, 9]), 2); // one publish for the batch
//! assert_eq!(rx.pop(), Some(7));
//! let mut out = [0u64; 4];
//! assert_eq!(rx.pop_slice(&mut out), 2);
//! assert_eq!(&out[..2], &[8, 9]);
//! # Ok::<(), ultra::Error>(())
//! ```

use super::capacity_pow2;
use super::slots::{RawSlots, Slots};
use crate::Result;
use crate::sync::{Arc, AtomicUsize, CachePadded, Ordering};

/// What the two halves share.
struct Shared<T> {
    /// Consumer position: count of items ever popped (wrapping). Written only
    /// by the consumer; `head <= tail <= head + capacity` (wrapping).
    head: CachePadded<AtomicUsize>,
    /// Producer position: count of items ever pushed (wrapping). Written only
    /// by the producer.
    tail: CachePadded<AtomicUsize>,
    /// `capacity` slots; position `p` lives in slot `p & mask`.
    slots: Slots<T>,
    /// `capacity - 1` (capacity is a power of two).
    mask: usize,
}

impl<T> Drop for Shared<T> {
    fn drop(&mut self) {
        // Both halves are gone (this is the last `Arc`), and the `Arc`'s own
        // release/acquire on its count makes their final stores visible, so
        // `Relaxed` loads see the final positions.
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Relaxed);
        let mut p = head;
        while p != tail {
            // SAFETY: positions head..tail hold pushed, not yet popped items,
            // and no other thread exists any more.
            unsafe { self.slots.drop_in_place(p & self.mask) };
            p = p.wrapping_add(1);
        }
    }
}

/// The sending half of an SPSC ring. `Send`, not `Clone`.
pub struct Producer<T> {
    shared: Arc<Shared<T>>,
    /// `shared.slots` and `shared.mask`, copied here so that `push` reaches
    /// them without going through the `Arc` (kept alive by `shared`).
    slots: RawSlots<T>,
    mask: usize,
    /// Our own position (the authoritative copy of `shared.tail`).
    tail: usize,
    /// Last `head` we read; `head >= cached_head`, so free space is at least
    /// `capacity - (tail - cached_head)`.
    cached_head: usize,
}

/// The receiving half of an SPSC ring. `Send`, not `Clone`.
pub struct Consumer<T> {
    shared: Arc<Shared<T>>,
    /// As in [`Producer`]: the hot fields of `shared`, copied.
    slots: RawSlots<T>,
    mask: usize,
    /// Our own position (the authoritative copy of `shared.head`).
    head: usize,
    /// Last `tail` we read; `tail >= cached_tail`, so at least
    /// `cached_tail - head` items are ready.
    cached_tail: usize,
}

/// A new ring holding at least `capacity` items (rounded up to a power of
/// two), split into its two halves.
///
/// Fails with [`Error::InvalidArgument`](crate::Error::InvalidArgument) when
/// `capacity` is 0 or the rounded size overflows, and with
/// [`Error::OutOfMemory`](crate::Error::OutOfMemory) when it cannot be allocated.
pub fn channel<T>(capacity: usize) -> Result<(Producer<T>, Consumer<T>)> {
    let cap = capacity_pow2(capacity, 1, size_of::<T>())?;
    let shared = Arc::new(Shared {
        head: CachePadded::new(AtomicUsize::new(0)),
        tail: CachePadded::new(AtomicUsize::new(0)),
        slots: Slots::new(cap)?,
        mask: cap - 1,
    });
    let (slots, mask) = (shared.slots.raw(), shared.mask);
    let producer = Producer {
        shared: shared.clone(),
        slots,
        mask,
        tail: 0,
        cached_head: 0,
    };
    let consumer = Consumer {
        shared,
        slots,
        mask,
        head: 0,
        cached_tail: 0,
    };
    Ok((producer, consumer))
}

impl<T> Producer<T> {
    /// Number of slots (a power of two).
    #[inline]
    pub fn capacity(&self) -> usize {
        self.mask + 1
    }

    /// Items queued right now (may already be smaller when you read it).
    pub fn len(&self) -> usize {
        // Relaxed: a snapshot; the consumer only ever makes it smaller.
        self.tail
            .wrapping_sub(self.shared.head.load(Ordering::Relaxed))
    }

    /// Whether the ring holds no items right now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the ring has no free slot right now.
    pub fn is_full(&self) -> bool {
        self.len() == self.capacity()
    }

    /// Free slots, reading the consumer's position only when the cached one
    /// shows fewer than `want`.
    #[inline(always)]
    fn free(&mut self, want: usize) -> usize {
        let cap = self.capacity();
        let free = cap - self.tail.wrapping_sub(self.cached_head);
        if free >= want {
            return free;
        }
        // Acquire: pairs with the consumer's Release store of `head`; the
        // slots it has moved past are no longer read, so we may reuse them.
        self.cached_head = self.shared.head.load(Ordering::Acquire);
        cap - self.tail.wrapping_sub(self.cached_head)
    }

    /// Make the first `n` slots after `tail` visible to the consumer.
    #[inline(always)]
    fn publish(&mut self, n: usize) {
        self.tail = self.tail.wrapping_add(n);
        // Release: publishes the items just written; pairs with the
        // consumer's Acquire load of `tail`.
        self.shared.tail.store(self.tail, Ordering::Release);
    }

    /// Push one item; gives it back when the ring is full.
    #[inline]
    pub fn push(&mut self, value: T) -> std::result::Result<(), T> {
        if self.free(1) == 0 {
            return Err(value);
        }
        // SAFETY: the slot at `tail` is free (tail - head < capacity) and
        // only the producer writes free slots.
        // `self.slots` is alive: `self.shared` holds the allocation.
        unsafe { self.slots.write(self.tail & self.mask, value) };
        self.publish(1);
        Ok(())
    }

    /// Push items from `iter` until it ends or the ring is full, publishing
    /// them once. Items not taken stay in the iterator. Returns how many
    /// were pushed.
    pub fn push_iter<I: Iterator<Item = T>>(&mut self, iter: &mut I) -> usize {
        let free = self.free(self.capacity());
        let mut n = 0;
        while n < free {
            let Some(value) = iter.next() else { break };
            let i = self.tail.wrapping_add(n) & self.mask;
            // SAFETY: position tail + n is free (n < free) and unpublished.
            unsafe { self.slots.write(i, value) };
            n += 1;
        }
        if n > 0 {
            self.publish(n);
        }
        n
    }
}

impl<T: Copy> Producer<T> {
    /// Copy as many items of `src` as fit (at most two `memcpy`s), publish
    /// them once and return how many were pushed.
    #[inline]
    pub fn push_slice(&mut self, src: &[T]) -> usize {
        let n = self.free(src.len()).min(src.len());
        if n == 0 {
            return 0;
        }
        // SAFETY: positions tail .. tail + n are free and unpublished, and
        // `n <= capacity`.
        unsafe { self.shared.slots.copy_in_wrapping(self.tail, &src[..n]) };
        self.publish(n);
        n
    }
}

impl<T> Consumer<T> {
    /// Number of slots (a power of two).
    #[inline]
    pub fn capacity(&self) -> usize {
        self.mask + 1
    }

    /// Items queued right now (may already be larger when you read it).
    pub fn len(&self) -> usize {
        // Relaxed: a snapshot; the producer only ever makes it larger.
        self.shared
            .tail
            .load(Ordering::Relaxed)
            .wrapping_sub(self.head)
    }

    /// Whether the ring holds no items right now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Items ready, reading the producer's position only when the cached one
    /// shows fewer than `want`.
    #[inline(always)]
    fn ready(&mut self, want: usize) -> usize {
        let ready = self.cached_tail.wrapping_sub(self.head);
        if ready >= want {
            return ready;
        }
        // Acquire: pairs with the producer's Release store of `tail`; the
        // items it published are now visible to us.
        self.cached_tail = self.shared.tail.load(Ordering::Acquire);
        self.cached_tail.wrapping_sub(self.head)
    }

    /// Hand the first `n` slots after `head` back to the producer.
    #[inline(always)]
    fn release(&mut self, n: usize) {
        self.head = self.head.wrapping_add(n);
        // Release: our reads of those slots happen before the producer
        // reuses them; pairs with the producer's Acquire load of `head`.
        self.shared.head.store(self.head, Ordering::Release);
    }

    /// Pop the oldest item, or `None` when the ring is empty.
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        if self.ready(1) == 0 {
            return None;
        }
        // SAFETY: head < tail, so the slot holds a published item that only
        // the consumer reads.
        // `self.slots` is alive: `self.shared` holds the allocation.
        let value = unsafe { self.slots.read(self.head & self.mask) };
        self.release(1);
        Some(value)
    }

    /// Pop up to `max` items, handing each to `f` in order, and release
    /// their slots once. Returns how many were popped.
    pub fn pop_batch(&mut self, max: usize, mut f: impl FnMut(T)) -> usize {
        let n = self.ready(max).min(max);
        for _ in 0..n {
            let i = self.head & self.mask;
            // SAFETY: position head < tail holds a published item only
            // the consumer reads.
            let value = unsafe { self.slots.read(i) };
            // Advance our private position before `f` runs: if `f` panics,
            // `Consumer::drop` publishes it, so the moved-out item is never
            // dropped again by `Shared::drop`.
            self.head = self.head.wrapping_add(1);
            f(value);
        }
        if n > 0 {
            // Release: as in `release`, for all `n` slots at once.
            self.shared.head.store(self.head, Ordering::Release);
        }
        n
    }
}

impl<T: Copy> Consumer<T> {
    /// Copy up to `dst.len()` items into `dst` (at most two `memcpy`s),
    /// release their slots once and return how many were popped.
    #[inline]
    pub fn pop_slice(&mut self, dst: &mut [T]) -> usize {
        let n = self.ready(dst.len()).min(dst.len());
        if n == 0 {
            return 0;
        }
        // SAFETY: positions head .. head + n hold published items only the
        // consumer reads, and `n <= capacity`.
        unsafe {
            self.shared
                .slots
                .copy_out_wrapping(self.head, &mut dst[..n])
        };
        self.release(n);
        n
    }
}

impl<T> Drop for Consumer<T> {
    fn drop(&mut self) {
        // Release: our reads happen before `Shared::drop` (or the producer)
        // looks at the slots again; makes a position advanced by a panicking
        // `pop_batch` callback authoritative.
        self.shared.head.store(self.head, Ordering::Release);
    }
}

impl<T> std::fmt::Debug for Producer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("spsc::Producer")
            .field("capacity", &self.capacity())
            .field("len", &self.len())
            .finish()
    }
}

impl<T> std::fmt::Debug for Consumer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("spsc::Consumer")
            .field("capacity", &self.capacity())
            .field("len", &self.len())
            .finish()
    }
}
