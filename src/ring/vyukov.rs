//! The index protocol of Vyukov's bounded MPMC queue, shared by
//! [`mpmc::Queue`](super::mpmc::Queue) and
//! [`bytes_mpmc::RecordQueue`](super::bytes_mpmc::RecordQueue).
//!
//! A [`Sequencer`] owns the two positions (`head`, `tail`); the caller owns
//! the slots and hands in `seq(i)`, the sequence number of slot `i`. Slot
//! `i = pos & mask` is free for the push at position `pos` when
//! `seq == pos`, full for the pop at `pos` when `seq == pos + 1`, and a pop
//! hands it to the next lap by storing `pos + capacity`. Claiming a position
//! is one compare-and-swap on `tail` (push) or `head` (pop); a batch claims
//! `n` consecutive positions with one CAS after checking all `n` sequence
//! numbers.

use std::convert::Infallible;

use crate::sync::{AtomicUsize, CachePadded, Ordering};

/// The head/tail positions of a Vyukov queue with `mask + 1` slots.
pub(crate) struct Sequencer {
    /// Next position to pop (wrapping count of claimed pops).
    head: CachePadded<AtomicUsize>,
    /// Next position to push (wrapping count of claimed pushes).
    tail: CachePadded<AtomicUsize>,
    /// `capacity - 1`; capacity is a power of two, at least 2.
    mask: usize,
}

/// Distance `a - b` as a signed number (positions wrap around `usize`).
#[inline(always)]
fn diff(a: usize, b: usize) -> isize {
    a.wrapping_sub(b) as isize
}

impl Sequencer {
    /// Positions for `capacity` slots (a power of two, at least 2).
    pub(crate) fn new(capacity: usize) -> Self {
        debug_assert!(capacity.is_power_of_two() && capacity >= 2);
        Self {
            head: CachePadded::new(AtomicUsize::new(0)),
            tail: CachePadded::new(AtomicUsize::new(0)),
            mask: capacity - 1,
        }
    }

    /// The initial sequence number of slot `i`.
    pub(crate) fn initial_seq(i: usize) -> usize {
        i
    }

    /// Number of slots.
    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        self.mask + 1
    }

    /// Slot index of position `pos`.
    #[inline(always)]
    pub(crate) fn index(&self, pos: usize) -> usize {
        pos & self.mask
    }

    /// A snapshot of the number of claimed-but-not-popped positions, clamped
    /// to `0 ..= capacity` (the two loads are not one atomic snapshot).
    pub(crate) fn len(&self) -> usize {
        // Relaxed: a snapshot for monitoring; clamping absorbs the skew.
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Relaxed);
        diff(tail, head).clamp(0, self.capacity() as isize) as usize
    }

    /// Positions `(head, tail)` for a quiescent queue (drop).
    pub(crate) fn positions(&self) -> (usize, usize) {
        (
            self.head.load(Ordering::Relaxed),
            self.tail.load(Ordering::Relaxed),
        )
    }

    /// Claim up to `want >= 1` consecutive push positions. Returns the first
    /// position and the count, or `None` when the slot at `tail` is still
    /// occupied (the queue is full). The caller then writes the slots and
    /// calls [`Sequencer::publish_push`].
    #[inline]
    pub(crate) fn claim_push<'a>(
        &self,
        want: usize,
        seq: impl Fn(usize) -> &'a AtomicUsize,
    ) -> Option<(usize, usize)> {
        let Ok(claimed) = self.claim(&self.tail, 0, want, seq, |_| Ok::<(), Infallible>(()));
        claimed
    }

    /// Publish the `n` positions from `pos` (claimed by `claim_push` and
    /// written) to consumers.
    #[inline]
    pub(crate) fn publish_push<'a>(
        &self,
        pos: usize,
        n: usize,
        seq: impl Fn(usize) -> &'a AtomicUsize,
    ) {
        for k in 0..n {
            let p = pos.wrapping_add(k);
            // Release: publishes the value written into the slot; pairs with
            // the Acquire in `claim_pop`.
            seq(self.index(p)).store(p.wrapping_add(1), Ordering::Release);
        }
    }

    /// Claim up to `want >= 1` consecutive pop positions. `fits(i)` is asked
    /// about the first slot (index `i`, already published to us) before the
    /// claim; an `Err` from it is returned with nothing claimed. Returns
    /// `Ok(None)` when the queue is empty. The caller then reads the slots
    /// and calls [`Sequencer::publish_pop`].
    #[inline]
    pub(crate) fn claim_pop<'a, E>(
        &self,
        want: usize,
        seq: impl Fn(usize) -> &'a AtomicUsize,
        fits: impl Fn(usize) -> Result<(), E>,
    ) -> Result<Option<(usize, usize)>, E> {
        self.claim(&self.head, 1, want, seq, fits)
    }

    /// The claim loop shared by both sides: `at` is `tail` (push, `ready`
    /// = 0: a slot is ready when `seq == pos`) or `head` (pop, `ready` = 1:
    /// ready when `seq == pos + 1`). A `seq` behind that means full (push) or
    /// empty (pop): `Ok(None)`.
    #[inline(always)]
    fn claim<'a, E>(
        &self,
        at: &AtomicUsize,
        ready: usize,
        want: usize,
        seq: impl Fn(usize) -> &'a AtomicUsize,
        fits: impl Fn(usize) -> Result<(), E>,
    ) -> Result<Option<(usize, usize)>, E> {
        // Relaxed: only a guess at the position; the slot's sequence number
        // decides, and the CAS arbitrates between claimers.
        let mut pos = at.load(Ordering::Relaxed);
        loop {
            let i = self.index(pos);
            // Acquire: pairs with the Release in `publish_pop` (push side: the
            // last pop's read of this slot happens before our write) or in
            // `publish_push` (pop side: the pushed value is visible to us).
            let s = seq(i).load(Ordering::Acquire);
            match diff(s, pos.wrapping_add(ready)) {
                0 => {
                    fits(i)?;
                    let mut n = 1;
                    while n < want
                        && n <= self.mask
                        // Acquire: as above, for each further slot.
                        && seq(self.index(pos.wrapping_add(n))).load(Ordering::Acquire)
                            == pos.wrapping_add(n + ready)
                    {
                        n += 1;
                    }
                    // Relaxed: the CAS only decides who owns `pos .. pos + n`;
                    // the data is published by the slots' sequence numbers.
                    match at.compare_exchange_weak(
                        pos,
                        pos.wrapping_add(n),
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => return Ok(Some((pos, n))),
                        Err(now) => pos = now,
                    }
                }
                d if d < 0 => return Ok(None),
                // Another claimer already took `pos`; catch up.
                _ => pos = at.load(Ordering::Relaxed),
            }
        }
    }

    /// Hand the `n` slots from `pos` (claimed by `claim_pop` and read) back
    /// to producers for the next lap.
    #[inline]
    pub(crate) fn publish_pop<'a>(
        &self,
        pos: usize,
        n: usize,
        seq: impl Fn(usize) -> &'a AtomicUsize,
    ) {
        for k in 0..n {
            let p = pos.wrapping_add(k);
            // Release: our read of the slot happens before the next lap's
            // write; pairs with the Acquire in `claim_push`.
            seq(self.index(p)).store(p.wrapping_add(self.capacity()), Ordering::Release);
        }
    }
}
