//! C ABI of the byte-record rings: `ultra_spsc_*` over
//! [`RecordRing`] and `ultra_mpmc_*`
//! over [`RecordQueue`].

use super::common::{
    PanicValue, arg_ref, arg_slice, arg_slice_mut, box_out, free_box, guard, guard_value, non_null,
    ultra_status, write_out,
};
use crate::Error;
use crate::Result;
use crate::ring::bytes_mpmc::RecordQueue;
use crate::ring::bytes_spsc::RecordRing;

/// An SPSC ring of variable-length byte records. Opaque; made by
/// `ultra_spsc_new`, released by `ultra_spsc_free`.
///
/// Thread-safety: at any moment at most ONE thread may push and at most ONE
/// (other or same) thread may pop; the query functions may be called from
/// any thread. (Extra pushers or poppers are serialised, not corrupting, but
/// the ring is built for one of each.)
#[allow(non_camel_case_types)]
pub struct ultra_spsc_t(RecordRing);

/// A bounded MPMC queue of byte records in fixed-size slots. Opaque; made by
/// `ultra_mpmc_new`, released by `ultra_mpmc_free`.
///
/// Thread-safety: any number of threads may push and pop concurrently.
#[allow(non_camel_case_types)]
pub struct ultra_mpmc_t(RecordQueue);

/// A read-only query on a handle: `f(handle)`, or `on_null` (with
/// ULTRA_ERR_NULL_ARGUMENT recorded for `ultra_last_error`) when it is NULL.
///
/// # Safety
/// `h` is NULL or points to a live handle.
unsafe fn query<H, R: PanicValue>(
    func: &str,
    h: *const H,
    on_null: R,
    f: impl FnOnce(&H) -> R,
) -> R {
    guard_value(func, on_null, || {
        // SAFETY: per this function's contract.
        let h = unsafe { arg_ref(h, "handle") }?;
        Ok(f(h))
    })
}

/// Pop into `(out, cap)` with `pop`, writing the record length (or, on
/// `BUFFER_TOO_SMALL`, the length needed) to `*len`.
///
/// # Safety
/// `out` is NULL or valid for `cap` byte writes; `len` is NULL or valid for a write.
unsafe fn pop_into(
    out: *mut u8,
    cap: usize,
    len: *mut usize,
    pop: impl FnOnce(&mut [u8]) -> Result<usize>,
) -> Result<()> {
    non_null(len, "len")?;
    // SAFETY: per this function's contract.
    let buf = unsafe { arg_slice_mut(out, cap, "out") }?;
    let n = match pop(buf) {
        Err(Error::BufferTooSmall { needed }) => {
            // SAFETY: `len` checked non-NULL above, valid per the contract.
            unsafe { len.write(needed) };
            return Err(Error::BufferTooSmall { needed });
        }
        r => r?,
    };
    // SAFETY: as above.
    unsafe { write_out(len, n, "len") }
}

/// Create an SPSC record ring of at least `capacity_bytes` bytes (rounded up
/// to a power of two, at least 8) and store it in `*out`. Each record takes
/// 4 header bytes plus its length rounded up to 4; the largest record is
/// `capacity - 4` bytes.
///
/// Returns ULTRA_OK, ULTRA_ERR_NULL_ARGUMENT (`out` NULL),
/// ULTRA_ERR_INVALID_ARGUMENT (`capacity_bytes` 0 or above 2 GiB) or
/// ULTRA_ERR_OUT_OF_MEMORY; on error `*out` is untouched. The caller owns
/// the ring and frees it with `ultra_spsc_free`. Thread-safe.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_spsc_new(
    capacity_bytes: usize,
    out: *mut *mut ultra_spsc_t,
) -> ultra_status {
    guard("ultra_spsc_new", || {
        non_null(out, "out")?;
        let ring = RecordRing::new(capacity_bytes)?;
        // SAFETY: `out` checked non-NULL; the caller passes a writable pointer.
        unsafe { box_out(out, ultra_spsc_t(ring), "out") }
    })
}

/// Append a copy of the record `(data, len)` (`data` may be NULL when `len`
/// is 0).
///
/// Returns ULTRA_OK, ULTRA_ERR_FULL (no room now; retry after a pop),
/// ULTRA_ERR_INVALID_ARGUMENT (longer than `ultra_spsc_max_record`, so it
/// could never fit) or ULTRA_ERR_NULL_ARGUMENT; on error nothing changes.
/// Thread-safety: one pushing thread at a time (see `ultra_spsc_t`).
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_spsc_push(
    ring: *mut ultra_spsc_t,
    data: *const u8,
    len: usize,
) -> ultra_status {
    guard("ultra_spsc_push", || {
        // SAFETY: `ring` is NULL (checked) or a live handle from ultra_spsc_new.
        let ring = unsafe { arg_ref(ring, "ring") }?;
        // SAFETY: `data` is NULL (checked) or valid for `len` reads.
        let data = unsafe { arg_slice(data, len, "data") }?;
        ring.0.push(data)
    })
}

/// Move the oldest record into `(out, cap)` and store its length in `*len`.
/// `out` may be NULL when `cap` is 0.
///
/// Returns ULTRA_OK, ULTRA_ERR_EMPTY, ULTRA_ERR_BUFFER_TOO_SMALL (`*len` is
/// set to the size needed; the record stays queued) or
/// ULTRA_ERR_NULL_ARGUMENT (`ring` or `len` NULL, or `out` NULL with `cap` >
/// 0); on any other error nothing changes.
/// Thread-safety: one popping thread at a time (see `ultra_spsc_t`).
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_spsc_pop(
    ring: *mut ultra_spsc_t,
    out: *mut u8,
    cap: usize,
    len: *mut usize,
) -> ultra_status {
    guard("ultra_spsc_pop", || {
        // SAFETY: `ring` is NULL (checked) or a live handle.
        let ring = unsafe { arg_ref(ring, "ring") }?;
        // SAFETY: `out`/`len` are NULL (checked) or valid per this contract.
        unsafe { pop_into(out, cap, len, |buf| ring.0.pop(buf)) }
    })
}

/// Store the length of the oldest record in `*len` without removing it.
///
/// Returns ULTRA_OK, ULTRA_ERR_EMPTY or ULTRA_ERR_NULL_ARGUMENT; on error
/// `*len` is untouched. Thread-safety: call it from the popping thread.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_spsc_peek_len(
    ring: *const ultra_spsc_t,
    len: *mut usize,
) -> ultra_status {
    guard("ultra_spsc_peek_len", || {
        // SAFETY: `ring` is NULL (checked) or a live handle.
        let ring = unsafe { arg_ref(ring, "ring") }?;
        non_null(len, "len")?;
        let n = ring.0.peek_len()?;
        // SAFETY: `len` checked non-NULL, writable per this contract.
        unsafe { write_out(len, n, "len") }
    })
}

/// Number of records queued (a snapshot). 0 when `ring` is NULL (and
/// ULTRA_ERR_NULL_ARGUMENT is recorded for `ultra_last_error`). Thread-safe.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_spsc_len(ring: *const ultra_spsc_t) -> usize {
    // SAFETY: `ring` is NULL (checked) or a live handle, per this contract.
    unsafe { query("ultra_spsc_len", ring, 0, |h| h.0.len()) }
}

/// Whether no record is queued (a snapshot). true when `ring` is NULL.
/// Thread-safe.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_spsc_is_empty(ring: *const ultra_spsc_t) -> bool {
    // SAFETY: `ring` is NULL (checked) or a live handle, per this contract.
    unsafe { query("ultra_spsc_is_empty", ring, true, |h| h.0.is_empty()) }
}

/// Ring size in bytes (the rounded capacity). 0 when `ring` is NULL. Thread-safe.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_spsc_capacity(ring: *const ultra_spsc_t) -> usize {
    // SAFETY: `ring` is NULL (checked) or a live handle, per this contract.
    unsafe { query("ultra_spsc_capacity", ring, 0, |h| h.0.capacity()) }
}

/// The largest record `ultra_spsc_push` accepts (`capacity - 4`). 0 when
/// `ring` is NULL. Thread-safe.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_spsc_max_record(ring: *const ultra_spsc_t) -> usize {
    // SAFETY: `ring` is NULL (checked) or a live handle, per this contract.
    unsafe { query("ultra_spsc_max_record", ring, 0, |h| h.0.max_record()) }
}

/// Free a ring made by `ultra_spsc_new`, dropping queued records. NULL is a
/// no-op. No other thread may use the ring during or after the call; freeing
/// twice is undefined behaviour.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_spsc_free(ring: *mut ultra_spsc_t) {
    // SAFETY: NULL or a handle from ultra_spsc_new, freed once (caller contract).
    super::common::catch("ultra_spsc_free", || unsafe { free_box(ring) })
}

/// Create an MPMC queue of at least `slots` slots (rounded up to a power of
/// two, at least 2) of `slot_size` bytes each and store it in `*out`.
///
/// Returns ULTRA_OK, ULTRA_ERR_NULL_ARGUMENT (`out` NULL),
/// ULTRA_ERR_INVALID_ARGUMENT (`slots` or `slot_size` 0, or their product
/// overflows) or ULTRA_ERR_OUT_OF_MEMORY; on error `*out` is untouched. The
/// caller owns the queue and frees it with `ultra_mpmc_free`. Thread-safe.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_mpmc_new(
    slots: usize,
    slot_size: usize,
    out: *mut *mut ultra_mpmc_t,
) -> ultra_status {
    guard("ultra_mpmc_new", || {
        non_null(out, "out")?;
        let queue = RecordQueue::new(slots, slot_size)?;
        // SAFETY: `out` checked non-NULL; the caller passes a writable pointer.
        unsafe { box_out(out, ultra_mpmc_t(queue), "out") }
    })
}

/// Append a copy of the record `(data, len)` (`data` may be NULL when `len`
/// is 0).
///
/// Returns ULTRA_OK, ULTRA_ERR_FULL, ULTRA_ERR_INVALID_ARGUMENT (`len` >
/// slot size) or ULTRA_ERR_NULL_ARGUMENT; on error nothing changes.
/// Thread-safe: any number of concurrent pushers and poppers.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_mpmc_push(
    queue: *mut ultra_mpmc_t,
    data: *const u8,
    len: usize,
) -> ultra_status {
    guard("ultra_mpmc_push", || {
        // SAFETY: `queue` is NULL (checked) or a live handle.
        let queue = unsafe { arg_ref(queue, "queue") }?;
        // SAFETY: `data` is NULL (checked) or valid for `len` reads.
        let data = unsafe { arg_slice(data, len, "data") }?;
        queue.0.push(data)
    })
}

/// Move the oldest record into `(out, cap)` and store its length in `*len`.
/// `out` may be NULL when `cap` is 0; a buffer of `ultra_mpmc_slot_size`
/// bytes always fits.
///
/// Returns ULTRA_OK, ULTRA_ERR_EMPTY, ULTRA_ERR_BUFFER_TOO_SMALL (`*len` is
/// set to the size needed; nothing is taken) or ULTRA_ERR_NULL_ARGUMENT; on
/// any other error nothing changes. Thread-safe.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_mpmc_pop(
    queue: *mut ultra_mpmc_t,
    out: *mut u8,
    cap: usize,
    len: *mut usize,
) -> ultra_status {
    guard("ultra_mpmc_pop", || {
        // SAFETY: `queue` is NULL (checked) or a live handle.
        let queue = unsafe { arg_ref(queue, "queue") }?;
        // SAFETY: `out`/`len` are NULL (checked) or valid per this contract.
        unsafe { pop_into(out, cap, len, |buf| queue.0.pop(buf)) }
    })
}

/// Number of records queued (a snapshot). 0 when `queue` is NULL. Thread-safe.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_mpmc_len(queue: *const ultra_mpmc_t) -> usize {
    // SAFETY: `queue` is NULL (checked) or a live handle, per this contract.
    unsafe { query("ultra_mpmc_len", queue, 0, |h| h.0.len()) }
}

/// Whether no record is queued (a snapshot). true when `queue` is NULL.
/// Thread-safe.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_mpmc_is_empty(queue: *const ultra_mpmc_t) -> bool {
    // SAFETY: `queue` is NULL (checked) or a live handle, per this contract.
    unsafe { query("ultra_mpmc_is_empty", queue, true, |h| h.0.is_empty()) }
}

/// Number of slots (the rounded capacity). 0 when `queue` is NULL. Thread-safe.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_mpmc_capacity(queue: *const ultra_mpmc_t) -> usize {
    // SAFETY: `queue` is NULL (checked) or a live handle, per this contract.
    unsafe { query("ultra_mpmc_capacity", queue, 0, |h| h.0.capacity()) }
}

/// Bytes per slot (the largest record). 0 when `queue` is NULL. Thread-safe.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_mpmc_slot_size(queue: *const ultra_mpmc_t) -> usize {
    // SAFETY: `queue` is NULL (checked) or a live handle, per this contract.
    unsafe { query("ultra_mpmc_slot_size", queue, 0, |h| h.0.slot_size()) }
}

/// Free a queue made by `ultra_mpmc_new`, dropping queued records. NULL is
/// a no-op. No other thread may use the queue during or after the call;
/// freeing twice is undefined behaviour.
///
/// # Safety
/// Every pointer is NULL or valid as described above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_mpmc_free(queue: *mut ultra_mpmc_t) {
    // SAFETY: NULL or a handle from ultra_mpmc_new, freed once (caller contract).
    super::common::catch("ultra_mpmc_free", || unsafe { free_box(queue) })
}
