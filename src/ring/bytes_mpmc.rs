//! MPMC queue of byte records in fixed-size slots (the queue behind
//! `ultra_mpmc_*`).
//!
//! `slots` slots (rounded up to a power of two, at least 2) of `slot_size`
//! bytes each; a record of up to `slot_size` bytes occupies one slot, its
//! length kept beside the slot's sequence number. The index protocol is
//! Vyukov's, exactly as in [`mpmc::Queue`](super::mpmc::Queue).
//!
//! ```
//! use ultra::ring::bytes_mpmc::RecordQueue;
//! let q = RecordQueue::new(4, 16)?;
//! q.push(b"abc")?;
//! assert!(q.push(&[0u8; 17]).is_err()); // longer than a slot
//! let mut out = [0u8; 16];
//! assert_eq!(q.pop(&mut out)?, 3);
//! assert_eq!(&out[..3], b"abc");
//! # Ok::<(), ultra::Error>(())
//! ```

use super::capacity_pow2;
use super::slots::Slots;
use super::vyukov::Sequencer;
use crate::sync::{AtomicUsize, Ordering};
use crate::{Error, Result};

/// Per-slot metadata.
struct Meta {
    /// Vyukov sequence number (see [`Sequencer`]).
    seq: AtomicUsize,
    /// Length of the record in the slot, `0 ..= slot_size`. Atomic so a
    /// consumer may read it before claiming the slot (to report
    /// `BufferTooSmall` without taking the record).
    len: AtomicUsize,
}

/// A bounded MPMC queue of byte records; every method takes `&self`.
pub struct RecordQueue {
    seq: Sequencer,
    meta: Box<[Meta]>,
    /// `capacity * slot_size` bytes; slot `i` is `i * slot_size ..`.
    data: Slots<u8>,
    slot_size: usize,
}

impl RecordQueue {
    /// A queue of at least `slots` slots (rounded up to a power of two, at
    /// least 2) of `slot_size` bytes each.
    ///
    /// Fails with [`Error::InvalidArgument`] when either is 0 or their
    /// product overflows, and with [`Error::OutOfMemory`] when it cannot be
    /// allocated.
    pub fn new(slots: usize, slot_size: usize) -> Result<Self> {
        if slot_size == 0 {
            return Err(Error::invalid("slot_size must be > 0"));
        }
        let cap = capacity_pow2(slots, 2, slot_size)?;
        let meta = super::try_boxed(cap, |i| Meta {
            seq: AtomicUsize::new(Sequencer::initial_seq(i)),
            len: AtomicUsize::new(0),
        })?;
        Ok(Self {
            seq: Sequencer::new(cap),
            meta,
            data: Slots::new(cap * slot_size)?,
            slot_size,
        })
    }

    #[inline(always)]
    fn seq_of<'a>(&'a self) -> impl Fn(usize) -> &'a AtomicUsize {
        |i| &self.meta[i].seq
    }

    /// Number of slots (a power of two).
    pub fn capacity(&self) -> usize {
        self.seq.capacity()
    }

    /// The largest record: one slot.
    pub fn slot_size(&self) -> usize {
        self.slot_size
    }

    /// Records queued right now (a snapshot).
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

    /// Append one record.
    ///
    /// Fails with [`Error::InvalidArgument`] when `record` is longer than a
    /// slot and with [`Error::Full`] when no slot is free; either way
    /// nothing changes.
    pub fn push(&self, record: &[u8]) -> Result<()> {
        if record.len() > self.slot_size {
            return Err(Error::invalid(format!(
                "record of {} bytes exceeds the slot size of {} bytes",
                record.len(),
                self.slot_size
            )));
        }
        let (pos, _) = self.seq.claim_push(1, self.seq_of()).ok_or(Error::Full)?;
        let i = self.seq.index(pos);
        // SAFETY: the claim made slot `i` ours alone; its bytes are in bounds.
        unsafe { self.data.copy_in(i * self.slot_size, record) };
        // Relaxed: published together with the bytes by `publish_push`'s Release.
        self.meta[i].len.store(record.len(), Ordering::Relaxed);
        self.seq.publish_push(pos, 1, self.seq_of());
        Ok(())
    }

    /// Copy the oldest record into `out`, remove it and return its length.
    ///
    /// Fails with [`Error::Empty`], or with [`Error::BufferTooSmall`] when
    /// `out` is shorter than the oldest record; then nothing is taken.
    /// (With several consumers, `needed` is the length of the record that
    /// was oldest at that moment; passing `slot_size` bytes always fits.)
    pub fn pop(&self, out: &mut [u8]) -> Result<usize> {
        let fits = |i: usize| {
            // Relaxed: ordered after the slot's Acquire sequence load in
            // `claim_pop`, which made the record's length visible.
            let needed = self.meta[i].len.load(Ordering::Relaxed);
            if needed > out.len() {
                Err(Error::BufferTooSmall { needed })
            } else {
                Ok(())
            }
        };
        let (pos, _) = self
            .seq
            .claim_pop(1, self.seq_of(), fits)?
            .ok_or(Error::Empty)?;
        let i = self.seq.index(pos);
        // Relaxed: the claim's Acquire made it visible and the slot is ours.
        let len = self.meta[i].len.load(Ordering::Relaxed);
        // SAFETY: the claim made slot `i` ours alone; `len <= out.len()` was
        // checked on this very record (the slot cannot change while the
        // position is unclaimed by anyone but us).
        unsafe { self.data.copy_out(i * self.slot_size, &mut out[..len]) };
        self.seq.publish_pop(pos, 1, self.seq_of());
        Ok(len)
    }

    /// Remove the oldest record and return it as a new `Vec`.
    pub fn pop_vec(&self) -> Result<Vec<u8>> {
        let mut out = vec![0; self.slot_size];
        let n = self.pop(&mut out)?;
        out.truncate(n);
        Ok(out)
    }
}

impl std::fmt::Debug for RecordQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("bytes_mpmc::RecordQueue")
            .field("capacity", &self.capacity())
            .field("slot_size", &self.slot_size)
            .field("len", &self.len())
            .finish()
    }
}
