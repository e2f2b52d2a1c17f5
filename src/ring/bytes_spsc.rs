//! SPSC ring of variable-length byte records (the ring behind `ultra_spsc_*`).
//!
//! The ring is `capacity` bytes (a power of two, at least 8). A record of
//! `len` bytes is a 4-byte little-endian length header followed by the
//! payload padded to a multiple of 4, so it takes
//! `footprint(len) = 4 + round_up(len, 4)` bytes. Positions are byte counts
//! that always stay multiples of 4, so a header never straddles the end of
//! the buffer; a payload that does is copied in two pieces (no padding
//! record, no wasted tail). The largest record is `capacity - 4` bytes.
//!
//! Synchronisation is that of [`spsc`](super::spsc): `tail` published with
//! Release after the bytes are written, `head` with Release after they are
//! read, each side caching the other's position.
//!
//! ```
//! use ultra::ring::bytes_spsc;
//! let (mut tx, mut rx) = bytes_spsc::channel(64)?;
//! tx.push(b"hello")?;
//! let mut small = [0u8; 2];
//! // Too small: the record stays queued and the size needed is reported.
//! assert_eq!(rx.pop(&mut small), Err(ultra::Error::BufferTooSmall { needed: 5 }));
//! assert_eq!(rx.pop_vec()?, b"hello");
//! assert_eq!(rx.pop_vec(), Err(ultra::Error::Empty));
//! # Ok::<(), ultra::Error>(())
//! ```

use super::capacity_pow2;
use super::slots::Slots;
use crate::sync::{Arc, AtomicUsize, CachePadded, Mutex, Ordering};
use crate::{Error, Result};

/// Bytes of the length header in front of each record.
const HEADER: usize = 4;

/// Bytes a record of `len` bytes occupies in the ring.
#[inline(always)]
fn footprint(len: usize) -> usize {
    HEADER + len.next_multiple_of(HEADER)
}

/// One side's published state, on its own cache line.
struct Side {
    /// Byte position (wrapping, a multiple of 4): bytes ever pushed (tail)
    /// or popped (head).
    pos: AtomicUsize,
    /// Records ever pushed / popped (wrapping); only for `len`.
    records: AtomicUsize,
}

impl Side {
    fn new() -> CachePadded<Self> {
        CachePadded::new(Side {
            pos: AtomicUsize::new(0),
            records: AtomicUsize::new(0),
        })
    }
}

struct Shared {
    /// Consumer side; `head.pos <= tail.pos <= head.pos + capacity`.
    head: CachePadded<Side>,
    /// Producer side.
    tail: CachePadded<Side>,
    data: Slots<u8>,
    /// `capacity - 1`.
    mask: usize,
}

impl Shared {
    fn capacity(&self) -> usize {
        self.mask + 1
    }

    /// Records queued right now (a snapshot).
    fn len(&self) -> usize {
        // Relaxed: a snapshot for monitoring; the clamp absorbs the skew
        // between the two loads.
        let popped = self.head.records.load(Ordering::Relaxed);
        let pushed = self.tail.records.load(Ordering::Relaxed);
        (pushed.wrapping_sub(popped) as isize).max(0) as usize
    }

    /// Bytes in use right now (a snapshot, headers and padding included).
    fn used_bytes(&self) -> usize {
        // Relaxed: as in `len`.
        let head = self.head.pos.load(Ordering::Relaxed);
        let tail = self.tail.pos.load(Ordering::Relaxed);
        (tail.wrapping_sub(head) as isize).clamp(0, self.capacity() as isize) as usize
    }
}

/// The writing half of a record ring. `Send`, not `Clone`.
pub struct RecordProducer {
    shared: Arc<Shared>,
    tail: usize,
    records: usize,
    /// Last consumer position read; the true one is never behind it.
    cached_head: usize,
}

/// The reading half of a record ring. `Send`, not `Clone`.
pub struct RecordConsumer {
    shared: Arc<Shared>,
    head: usize,
    records: usize,
    /// Last producer position read; the true one is never behind it.
    cached_tail: usize,
}

/// A new record ring of at least `capacity_bytes` bytes (rounded up to a
/// power of two, at least 8), split into its two halves.
///
/// Fails with [`Error::InvalidArgument`] when `capacity_bytes` is 0 or above
/// 2 GiB, and with [`Error::OutOfMemory`] when it cannot be allocated.
pub fn channel(capacity_bytes: usize) -> Result<(RecordProducer, RecordConsumer)> {
    // The header stores lengths as u32, so the ring stays below 4 GiB.
    if capacity_bytes > 1 << 31 {
        return Err(Error::invalid(format!(
            "capacity of {capacity_bytes} bytes exceeds the 2 GiB maximum"
        )));
    }
    let cap = capacity_pow2(capacity_bytes, 2 * HEADER, 1)?;
    let shared = Arc::new(Shared {
        head: Side::new(),
        tail: Side::new(),
        data: Slots::new(cap)?,
        mask: cap - 1,
    });
    let producer = RecordProducer {
        shared: shared.clone(),
        tail: 0,
        records: 0,
        cached_head: 0,
    };
    let consumer = RecordConsumer {
        shared,
        head: 0,
        records: 0,
        cached_tail: 0,
    };
    Ok((producer, consumer))
}

impl RecordProducer {
    /// Ring size in bytes (a power of two).
    pub fn capacity(&self) -> usize {
        self.shared.capacity()
    }

    /// The largest record this ring can ever hold: `capacity - 4` bytes.
    pub fn max_record(&self) -> usize {
        self.shared.capacity() - HEADER
    }

    /// Records queued right now (a snapshot).
    pub fn len(&self) -> usize {
        self.shared.len()
    }

    /// Whether no record is queued right now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Append one record.
    ///
    /// Fails with [`Error::InvalidArgument`] when `record` is longer than
    /// [`max_record`](Self::max_record) (it could never fit) and with
    /// [`Error::Full`] when there is no room right now; either way nothing
    /// changes.
    pub fn push(&mut self, record: &[u8]) -> Result<()> {
        let len = record.len();
        if len > self.max_record() {
            return Err(Error::invalid(format!(
                "record of {len} bytes exceeds the ring's maximum of {} bytes",
                self.max_record()
            )));
        }
        let need = footprint(len);
        let cap = self.capacity();
        if cap - self.tail.wrapping_sub(self.cached_head) < need {
            // Acquire: pairs with the consumer's Release store of `head.pos`;
            // the bytes it moved past are no longer read.
            self.cached_head = self.shared.head.pos.load(Ordering::Acquire);
            if cap - self.tail.wrapping_sub(self.cached_head) < need {
                return Err(Error::Full);
            }
        }
        let data = &self.shared.data;
        // SAFETY: bytes tail .. tail + need are free (checked above), only
        // the producer writes free bytes, and `need <= capacity`.
        unsafe {
            data.copy_in_wrapping(self.tail, &(len as u32).to_le_bytes());
            data.copy_in_wrapping(self.tail.wrapping_add(HEADER), record);
        }
        self.tail = self.tail.wrapping_add(need);
        self.records = self.records.wrapping_add(1);
        // Relaxed: only read by `len` snapshots.
        self.shared
            .tail
            .records
            .store(self.records, Ordering::Relaxed);
        // Release: publishes the record's bytes; pairs with the consumer's
        // Acquire load of `tail.pos`.
        self.shared.tail.pos.store(self.tail, Ordering::Release);
        Ok(())
    }
}

impl RecordConsumer {
    /// Ring size in bytes (a power of two).
    pub fn capacity(&self) -> usize {
        self.shared.capacity()
    }

    /// Records queued right now (a snapshot).
    pub fn len(&self) -> usize {
        self.shared.len()
    }

    /// Whether no record is queued right now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Length of the oldest record, or [`Error::Empty`].
    pub fn peek_len(&mut self) -> Result<usize> {
        if self.cached_tail == self.head {
            // Acquire: pairs with the producer's Release store of
            // `tail.pos`; the records before it are fully written.
            self.cached_tail = self.shared.tail.pos.load(Ordering::Acquire);
            if self.cached_tail == self.head {
                return Err(Error::Empty);
            }
        }
        let mut header = [0u8; HEADER];
        // SAFETY: head < tail, so a complete published record (header
        // first) starts at `head`; only the consumer reads it.
        unsafe { self.shared.data.copy_out_wrapping(self.head, &mut header) };
        Ok(u32::from_le_bytes(header) as usize)
    }

    /// Copy the oldest record into `out`, remove it and return its length.
    ///
    /// Fails with [`Error::Empty`], or with [`Error::BufferTooSmall`]
    /// (carrying the length needed) when `out` is too short; then the record
    /// stays queued.
    pub fn pop(&mut self, out: &mut [u8]) -> Result<usize> {
        let len = self.peek_len()?;
        if out.len() < len {
            return Err(Error::BufferTooSmall { needed: len });
        }
        // SAFETY: the published record's payload follows its header.
        unsafe {
            self.shared
                .data
                .copy_out_wrapping(self.head.wrapping_add(HEADER), &mut out[..len])
        };
        self.head = self.head.wrapping_add(footprint(len));
        self.records = self.records.wrapping_add(1);
        // Relaxed: only read by `len` snapshots.
        self.shared
            .head
            .records
            .store(self.records, Ordering::Relaxed);
        // Release: our reads of the record happen before the producer
        // reuses its bytes; pairs with the producer's Acquire load.
        self.shared.head.pos.store(self.head, Ordering::Release);
        Ok(len)
    }

    /// Remove the oldest record and return it as a new `Vec`.
    pub fn pop_vec(&mut self) -> Result<Vec<u8>> {
        let mut out = vec![0; self.peek_len()?];
        let n = self.pop(&mut out)?;
        debug_assert_eq!(n, out.len());
        Ok(out)
    }
}

/// A record ring that is not split: both halves behind one `&self`, for
/// callers that cannot hand each half to its thread (the C ABI's
/// `ultra_spsc_t`). Each half sits behind its own lock, so one producer
/// thread and one consumer thread never contend; extra producers (or
/// consumers) are serialised rather than unsafe.
pub struct RecordRing {
    shared: Arc<Shared>,
    producer: Mutex<RecordProducer>,
    consumer: Mutex<RecordConsumer>,
}

impl RecordRing {
    /// A ring of at least `capacity_bytes` bytes; see [`channel`].
    pub fn new(capacity_bytes: usize) -> Result<Self> {
        let (p, c) = channel(capacity_bytes)?;
        Ok(Self {
            shared: p.shared.clone(),
            producer: Mutex::new(p),
            consumer: Mutex::new(c),
        })
    }

    /// Ring size in bytes (a power of two).
    pub fn capacity(&self) -> usize {
        self.shared.capacity()
    }

    /// The largest record the ring can hold.
    pub fn max_record(&self) -> usize {
        self.shared.capacity() - HEADER
    }

    /// Records queued right now (a snapshot).
    pub fn len(&self) -> usize {
        self.shared.len()
    }

    /// Bytes in use right now, headers and padding included (a snapshot).
    pub fn used_bytes(&self) -> usize {
        self.shared.used_bytes()
    }

    /// Whether no record is queued right now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// See [`RecordProducer::push`].
    pub fn push(&self, record: &[u8]) -> Result<()> {
        self.producer.lock().push(record)
    }

    /// See [`RecordConsumer::pop`].
    pub fn pop(&self, out: &mut [u8]) -> Result<usize> {
        self.consumer.lock().pop(out)
    }

    /// See [`RecordConsumer::peek_len`].
    pub fn peek_len(&self) -> Result<usize> {
        self.consumer.lock().peek_len()
    }

    /// See [`RecordConsumer::pop_vec`].
    pub fn pop_vec(&self) -> Result<Vec<u8>> {
        self.consumer.lock().pop_vec()
    }
}

impl std::fmt::Debug for RecordRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("bytes_spsc::RecordRing")
            .field("capacity", &self.capacity())
            .field("len", &self.len())
            .finish()
    }
}
