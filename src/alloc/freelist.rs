//! The pool's shared free list: a Treiber stack of block ids with a version
//! tag against ABA.
//!
//! # Algorithm
//!
//! Blocks are named by 32-bit ids; the "next" link of each block lives in a
//! side table of `AtomicU32` ([`Links`]), not in the block itself, so a thread
//! reading a stale link reads an atomic that always exists (never user data in
//! a recycled block). The head is one `AtomicU64` packing `tag << 32 | id`.
//! Every successful push or pop increments the 32-bit tag, so a pop whose
//! snapshot `(id, tag)` is still the head when its CAS runs knows nothing was
//! pushed or popped in between: the links it walked are the links of the
//! current stack. This is the "counted pointer" fix for ABA from R. K.
//! Treiber, *Systems Programming: Coping with Parallelism* (IBM RJ 5118,
//! 1986), as analysed by M. M. Michael and M. L. Scott, *Simple, Fast, and
//! Practical Non-Blocking and Blocking Concurrent Queue Algorithms* (PODC
//! 1996). A wrong CAS success needs exactly 2^32 modifications between one
//! thread's load and its CAS.
//!
//! Pushes and pops move whole chains (a magazine's worth of blocks) with one
//! CAS, so the shared word is touched once per batch, not once per block.
//!
//! # Invariants
//!
//! - `head = tag << 32 | first`, `first == NONE` iff the stack is empty.
//! - Following links from `first` reaches `NONE` after exactly `len` steps,
//!   where `len` is the number of blocks pushed minus the number popped.
//! - A block id is in at most one place: this stack, one thread's magazine,
//!   or a user's hands.

use crate::sync::{AtomicI64, AtomicU32, AtomicU64, Ordering};

/// The "no block" id (end of a chain).
pub const NONE: u32 = u32::MAX;

/// Where the next-links of block ids live.
pub trait Links {
    /// The link cell of block `id` (`id != NONE`, a block of this pool).
    fn next(&self, id: u32) -> &AtomicU32;
}

/// A chain of blocks taken from or given to a [`TaggedStack`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chain {
    /// First block id.
    pub first: u32,
    /// Last block id (its link is overwritten on push).
    pub last: u32,
    /// Number of blocks, `>= 1`.
    pub len: usize,
}

/// A lock-free LIFO of block ids with an ABA tag (see the module docs).
#[derive(Debug)]
pub struct TaggedStack {
    /// `tag << 32 | first id`.
    head: AtomicU64,
    /// Blocks on the stack; updated after each push/pop, so it may lag by the
    /// batches in flight (statistics only).
    len: AtomicI64,
}

impl Default for TaggedStack {
    fn default() -> Self {
        Self::new()
    }
}

#[inline]
fn pack(tag: u32, id: u32) -> u64 {
    (u64::from(tag) << 32) | u64::from(id)
}

#[inline]
fn unpack(w: u64) -> (u32, u32) {
    ((w >> 32) as u32, w as u32)
}

impl TaggedStack {
    /// An empty stack.
    pub fn new() -> Self {
        TaggedStack {
            head: AtomicU64::new(pack(0, NONE)),
            len: AtomicI64::new(0),
        }
    }

    /// Approximate number of blocks on the stack (exact when quiescent).
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed).max(0) as usize
    }

    /// Whether the stack looks empty right now.
    pub fn is_empty(&self) -> bool {
        unpack(self.head.load(Ordering::Relaxed)).1 == NONE
    }

    /// Push a chain whose internal links (`first → … → last`) the caller has
    /// already written.
    pub fn push(&self, chain: Chain, links: &impl Links) {
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            let (tag, first) = unpack(head);
            // Relaxed: published by the Release CAS below.
            links.next(chain.last).store(first, Ordering::Relaxed);
            // Release: publishes the chain's links (and, transitively, the
            // blocks' slabs) to the pop that Acquire-loads this head; every
            // head change is an RMW, so later pops synchronise with all
            // earlier pushes through the release sequence.
            match self.head.compare_exchange_weak(
                head,
                pack(tag.wrapping_add(1), chain.first),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(h) => head = h,
            }
        }
        self.len.fetch_add(chain.len as i64, Ordering::Relaxed);
    }

    /// Pop a chain of up to `max` (>= 1) blocks; `None` when empty.
    pub fn pop(&self, max: usize, links: &impl Links) -> Option<Chain> {
        debug_assert!(max >= 1);
        // Acquire: pairs with push's Release so the links we walk are the
        // ones the pushers wrote.
        let mut head = self.head.load(Ordering::Acquire);
        loop {
            let (tag, first) = unpack(head);
            if first == NONE {
                return None;
            }
            let mut last = first;
            let mut len = 1;
            // Relaxed: the links were published by the Acquire above; if any
            // changed since, the tag changed too and the CAS fails.
            let mut rest = links.next(last).load(Ordering::Relaxed);
            while len < max && rest != NONE {
                last = rest;
                len += 1;
                rest = links.next(last).load(Ordering::Relaxed);
            }
            // Acquire on both outcomes: success hands us blocks pushed by
            // others; failure reloads a head whose links we walk next.
            match self.head.compare_exchange_weak(
                head,
                pack(tag.wrapping_add(1), rest),
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    self.len.fetch_sub(len as i64, Ordering::Relaxed);
                    return Some(Chain { first, last, len });
                }
                Err(h) => head = h,
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    struct V(Vec<AtomicU32>);
    impl Links for V {
        fn next(&self, id: u32) -> &AtomicU32 {
            &self.0[id as usize]
        }
    }

    #[test]
    fn push_pop_batches() {
        let l = V((0..10).map(|_| AtomicU32::new(NONE)).collect());
        let s = TaggedStack::new();
        assert!(s.pop(4, &l).is_none());
        for i in 0..10u32 {
            s.push(
                Chain {
                    first: i,
                    last: i,
                    len: 1,
                },
                &l,
            );
        }
        assert_eq!(s.len(), 10);
        let c = s.pop(4, &l).unwrap();
        assert_eq!((c.first, c.last, c.len), (9, 6, 4));
        let c2 = s.pop(100, &l).unwrap();
        assert_eq!((c2.first, c2.last, c2.len), (5, 0, 6));
        assert!(s.is_empty());
        s.push(c, &l);
        assert_eq!(
            s.pop(10, &l).unwrap(),
            Chain {
                first: 9,
                last: 6,
                len: 4
            }
        );
    }
}
