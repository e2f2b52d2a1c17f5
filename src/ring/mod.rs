//! Bounded rings for handing events between threads.
//!
//! | module | producers / consumers | items | C ABI |
//! | --- | --- | --- | --- |
//! | [`spsc`] | 1 / 1, split into [`spsc::Producer`] / [`spsc::Consumer`] | any `T` | — |
//! | [`mpmc`] | any / any, one [`mpmc::Queue`] shared by `&` | any `T` | — |
//! | [`bytes_spsc`] | 1 / 1 | variable-length byte records | `ultra_spsc_*` |
//! | [`bytes_mpmc`] | any / any | byte records up to a fixed slot size | `ultra_mpmc_*` |
//!
//! Capacities are rounded up to a power of two so that a position maps to a
//! slot with a mask. A full ring refuses a push (generic rings hand the item
//! back, byte rings return [`Error::Full`]); nothing
//! blocks, nothing allocates after construction.
//!
//! # SPSC: Lamport's ring with cached indices
//!
//! The SPSC ring is Lamport's single-producer/single-consumer queue
//! (L. Lamport, *Specifying Concurrent Program Modules*, TOPLAS 1983) in the
//! form used by rtrb and the Linux kfifo. Two free-running counters,
//! `head` (items ever popped, written only by the consumer) and `tail`
//! (items ever pushed, written only by the producer), sit on separate cache
//! lines. With `C` the capacity and arithmetic modulo `2^64`:
//!
//! ```text
//! 0 <= tail - head <= C          len = tail - head
//! item at position p  lives in  slot[p & (C - 1)]     for head <= p < tail
//! ```
//!
//! The producer writes `slot[tail & (C-1)]` and then stores `tail + 1` with
//! `Release`; the consumer loads `tail` with `Acquire` before reading the
//! slot, and symmetrically for `head`. Each side keeps a *cached* copy of the
//! other's counter (`cached_head <= head`, `cached_tail <= tail`, because the
//! counters only grow) and reloads it only when the cached value says full
//! (producer) or empty (consumer). In the steady state a push therefore
//! touches only the producer's own cache line and the slot, and a batch
//! (`push_slice`, `push_iter`, `pop_slice`, `pop_batch`) costs one reload
//! and one `Release` store for the whole batch — at most two `memcpy`s for
//! `T: Copy`. This caching is what rtrb, folly's `ProducerConsumerQueue`
//! and Rigtorp's `SPSCQueue` do; it removes the cross-core miss per item
//! that a naive Lamport queue pays.
//!
//! # MPMC: Vyukov's bounded queue
//!
//! The MPMC queue is Dmitry Vyukov's bounded MPMC queue
//! (<https://www.1024cores.net/home/lock-free-algorithms/queues/bounded-mpmc-queue>),
//! the algorithm behind crossbeam's `ArrayQueue`. Each slot carries a
//! sequence number; positions `head`, `tail` are claimed with one
//! compare-and-swap each. For slot `i = p & (C-1)` and the position `p`
//! that maps to it in the current lap:
//!
//! ```text
//! seq == p        the slot is free for the push at p
//! seq == p + 1    the slot holds the value pushed at p (ready for the pop at p)
//! seq == p + C    the pop at p is done; the slot is free for the push at p + C
//! initially seq[i] = i,   head <= tail <= head + C
//! ```
//!
//! A push reads `seq` (`Acquire`); if it equals `tail` it claims `tail`
//! with a CAS, writes the value and stores `p + 1` (`Release`); if `seq`
//! is behind, the queue is full. A pop mirrors it with `p + 1` and stores
//! `p + C`. The CAS only arbitrates ownership of a position; all data is
//! published by the per-slot sequence numbers, so the CAS can be `Relaxed`.
//! A batch checks `n` consecutive sequence numbers and claims all `n`
//! positions with one CAS. The capacity is at least 2 (with one slot the
//! states `p + 1` and `p + C` coincide). `len` is a clamped snapshot of
//! `tail - head`.
//!
//! # Byte-record rings
//!
//! [`bytes_spsc`] stores variable-length records as a 4-byte length header
//! plus the payload padded to 4 bytes, positions counted in bytes (always
//! multiples of 4, so headers never straddle the wrap point; payloads that
//! do are copied in two pieces). [`bytes_mpmc`] gives each record one
//! fixed-size slot and keeps its length beside the sequence number, so a
//! consumer can report [`Error::BufferTooSmall`]
//! before taking the record.
//!
//! # Checking
//!
//! All atomics and cells come from [`crate::sync`], so the loom models in
//! `tests/loom_ring.rs` explore the shipped code (full, empty, wrap-around,
//! drop of queued items). Multi-threaded stress tests check that every item
//! arrives exactly once and in order per producer, and property tests
//! compare single-threaded behaviour with `VecDeque`.

pub mod bytes_mpmc;
pub mod bytes_spsc;
pub mod mpmc;
mod slots;
pub mod spsc;
mod vyukov;

use crate::{Error, Result};

/// `requested` rounded up to a power of two, at least `min`, checking that
/// `capacity * elem_size` bytes can be allocated.
fn capacity_pow2(requested: usize, min: usize, elem_size: usize) -> Result<usize> {
    if requested == 0 {
        return Err(Error::invalid("capacity must be > 0"));
    }
    let cap = requested
        .max(min)
        .checked_next_power_of_two()
        .filter(|c| {
            c.checked_mul(elem_size.max(1))
                .is_some_and(|b| b <= isize::MAX as usize)
        })
        .ok_or_else(|| Error::invalid(format!("capacity {requested} is too large")))?;
    Ok(cap)
}

/// A boxed slice of `len` elements made by `f(i)`, failing with
/// [`Error::OutOfMemory`] instead of aborting when the allocation fails.
fn try_boxed<T>(len: usize, f: impl FnMut(usize) -> T) -> Result<Box<[T]>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| Error::out_of_memory(format!("ring of {len} slots")))?;
    v.extend((0..len).map(f));
    Ok(v.into_boxed_slice())
}
