//! Bad input through the ring C ABI, called directly: each case gets its
//! status and an `ultra_last_error` text, and leaves the ring intact.

use std::ptr::{null, null_mut};

use ultra::ffi::core::ultra_last_error;
use ultra::ffi::ring::*;
use ultra::ffi::ultra_status::{self, *};

fn last_error() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: valid buffer of the given length.
    let n = unsafe { ultra_last_error(buf.as_mut_ptr().cast(), buf.len()) };
    String::from_utf8_lossy(&buf[..n.min(255)]).into_owned()
}

fn spsc(cap: usize) -> *mut ultra_spsc_t {
    let mut r = null_mut();
    // SAFETY: valid out-pointer.
    assert_eq!(unsafe { ultra_spsc_new(cap, &mut r) }, ULTRA_OK);
    r
}

fn mpmc(slots: usize, size: usize) -> *mut ultra_mpmc_t {
    let mut q = null_mut();
    // SAFETY: valid out-pointer.
    assert_eq!(unsafe { ultra_mpmc_new(slots, size, &mut q) }, ULTRA_OK);
    q
}

fn spsc_push(r: *mut ultra_spsc_t, data: &[u8]) -> ultra_status {
    // SAFETY: live handle and slice.
    unsafe { ultra_spsc_push(r, data.as_ptr(), data.len()) }
}

fn spsc_pop(r: *mut ultra_spsc_t, cap: usize) -> (ultra_status, Vec<u8>, usize) {
    let mut buf = vec![0u8; cap];
    let mut len = usize::MAX;
    // SAFETY: live handle, buffer of `cap` bytes, valid len pointer.
    let s = unsafe { ultra_spsc_pop(r, buf.as_mut_ptr(), cap, &mut len) };
    (s, buf, len)
}

fn mpmc_push(q: *mut ultra_mpmc_t, data: &[u8]) -> ultra_status {
    // SAFETY: live handle and slice.
    unsafe { ultra_mpmc_push(q, data.as_ptr(), data.len()) }
}

fn mpmc_pop(q: *mut ultra_mpmc_t, cap: usize) -> (ultra_status, Vec<u8>, usize) {
    let mut buf = vec![0u8; cap];
    let mut len = usize::MAX;
    // SAFETY: live handle, buffer of `cap` bytes, valid len pointer.
    let s = unsafe { ultra_mpmc_pop(q, buf.as_mut_ptr(), cap, &mut len) };
    (s, buf, len)
}

#[test]
fn zero_capacity_is_invalid_and_out_untouched() {
    let sentinel = std::ptr::dangling_mut::<ultra_spsc_t>();
    let mut r = sentinel;
    // SAFETY: valid out-pointer.
    let s = unsafe { ultra_spsc_new(0, &mut r) };
    assert_eq!(s, ULTRA_ERR_INVALID_ARGUMENT);
    assert_eq!(r, sentinel);
    assert!(last_error().contains("ultra_spsc_new"), "{}", last_error());
    let msentinel = std::ptr::dangling_mut::<ultra_mpmc_t>();
    let mut q = msentinel;
    // SAFETY: valid out-pointer.
    let s = unsafe { ultra_mpmc_new(0, 16, &mut q) };
    assert_eq!(s, ULTRA_ERR_INVALID_ARGUMENT);
    // SAFETY: valid out-pointer.
    let s = unsafe { ultra_mpmc_new(16, 0, &mut q) };
    assert_eq!(s, ULTRA_ERR_INVALID_ARGUMENT);
    assert!(last_error().contains("slot_size"), "{}", last_error());
    assert_eq!(q, msentinel);
}

#[test]
fn impossible_allocation_is_out_of_memory_not_an_abort() {
    let mut q = null_mut();
    // SAFETY: valid out-pointer; 2^50 bytes cannot be reserved.
    let s = unsafe { ultra_mpmc_new(2, 1 << 49, &mut q) };
    assert_eq!(s, ULTRA_ERR_OUT_OF_MEMORY);
    assert!(q.is_null());
    assert!(last_error().contains("out of memory"), "{}", last_error());
    // SAFETY: valid out-pointer; the product overflows usize.
    let s = unsafe { ultra_mpmc_new(usize::MAX / 2, 1 << 20, &mut q) };
    assert_eq!(s, ULTRA_ERR_INVALID_ARGUMENT);
}

#[test]
fn null_arguments_are_rejected_and_change_nothing() {
    // SAFETY: NULL out-pointers are checked by the callee.
    unsafe {
        assert_eq!(ultra_spsc_new(64, null_mut()), ULTRA_ERR_NULL_ARGUMENT);
        assert_eq!(ultra_mpmc_new(4, 8, null_mut()), ULTRA_ERR_NULL_ARGUMENT);
        assert_eq!(
            ultra_spsc_push(null_mut(), b"x".as_ptr(), 1),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert!(last_error().contains("ring"), "{}", last_error());
        assert_eq!(ultra_spsc_len(null()), 0);
        assert!(ultra_spsc_is_empty(null()));
        assert_eq!(ultra_mpmc_len(null()), 0);
        assert_eq!(ultra_mpmc_capacity(null()), 0);
        ultra_spsc_free(null_mut());
        ultra_mpmc_free(null_mut());
    }
    let r = spsc(64);
    assert_eq!(spsc_push(r, b"keep"), ULTRA_OK);
    let mut len = 0usize;
    // SAFETY: NULL data with nonzero length / NULL len / NULL out are checked.
    unsafe {
        assert_eq!(ultra_spsc_push(r, null(), 3), ULTRA_ERR_NULL_ARGUMENT);
        assert!(last_error().contains("data"), "{}", last_error());
        assert_eq!(
            ultra_spsc_pop(r, [0u8; 8].as_mut_ptr(), 8, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_spsc_pop(r, null_mut(), 8, &mut len),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(ultra_spsc_peek_len(r, null_mut()), ULTRA_ERR_NULL_ARGUMENT);
        // An empty record may come with a NULL pointer.
        assert_eq!(ultra_spsc_push(r, null(), 0), ULTRA_OK);
        assert_eq!(ultra_spsc_len(r), 2);
    }
    let (s, buf, n) = spsc_pop(r, 8);
    assert_eq!((s, &buf[..n]), (ULTRA_OK, &b"keep"[..]));
    // SAFETY: live handle, freed once.
    unsafe { ultra_spsc_free(r) };

    let q = mpmc(4, 8);
    assert_eq!(mpmc_push(q, b"keep"), ULTRA_OK);
    // SAFETY: NULL arguments are checked by the callee.
    unsafe {
        assert_eq!(
            ultra_mpmc_push(null_mut(), b"x".as_ptr(), 1),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(ultra_mpmc_push(q, null(), 2), ULTRA_ERR_NULL_ARGUMENT);
        assert_eq!(
            ultra_mpmc_pop(q, [0u8; 8].as_mut_ptr(), 8, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_mpmc_pop(null_mut(), null_mut(), 0, &mut len),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(ultra_mpmc_len(q), 1);
    }
    let (s, buf, n) = mpmc_pop(q, 8);
    assert_eq!((s, &buf[..n]), (ULTRA_OK, &b"keep"[..]));
    // SAFETY: live handle, freed once.
    unsafe { ultra_mpmc_free(q) };
}

#[test]
fn oversized_records_are_invalid_and_the_ring_stays_intact() {
    let r = spsc(16);
    // SAFETY: live handle.
    let max = unsafe { ultra_spsc_max_record(r) };
    assert_eq!(max, 12);
    assert_eq!(spsc_push(r, b"ab"), ULTRA_OK);
    assert_eq!(spsc_push(r, &[1; 13]), ULTRA_ERR_INVALID_ARGUMENT);
    assert!(last_error().contains("exceeds"), "{}", last_error());
    // SAFETY: live handle.
    assert_eq!(unsafe { ultra_spsc_len(r) }, 1);
    let (s, buf, n) = spsc_pop(r, 4);
    assert_eq!((s, &buf[..n]), (ULTRA_OK, &b"ab"[..]));
    assert_eq!(spsc_push(r, &[9; 12]), ULTRA_OK);
    assert_eq!(spsc_push(r, b""), ULTRA_ERR_FULL);
    // SAFETY: live handle, freed once with a record still queued.
    unsafe { ultra_spsc_free(r) };

    let q = mpmc(2, 4);
    assert_eq!(mpmc_push(q, b"12345"), ULTRA_ERR_INVALID_ARGUMENT);
    assert!(last_error().contains("slot size"), "{}", last_error());
    // SAFETY: live handle.
    assert!(unsafe { ultra_mpmc_is_empty(q) });
    assert_eq!(mpmc_push(q, b"1234"), ULTRA_OK);
    assert_eq!(mpmc_push(q, b"1"), ULTRA_OK);
    assert_eq!(mpmc_push(q, b"2"), ULTRA_ERR_FULL);
    // SAFETY: live handle, freed once.
    unsafe { ultra_mpmc_free(q) };
}

#[test]
fn tiny_output_buffers_report_the_size_and_keep_the_record() {
    let r = spsc(64);
    assert_eq!(spsc_push(r, b"hello world"), ULTRA_OK);
    let (s, buf, n) = spsc_pop(r, 4);
    assert_eq!((s, n), (ULTRA_ERR_BUFFER_TOO_SMALL, 11));
    assert_eq!(buf, [0; 4]);
    assert!(last_error().contains("11 bytes needed"), "{}", last_error());
    let mut len = 0;
    // SAFETY: NULL out with cap 0 is allowed; len valid.
    let s = unsafe { ultra_spsc_pop(r, null_mut(), 0, &mut len) };
    assert_eq!(s, ULTRA_ERR_BUFFER_TOO_SMALL);
    assert_eq!(len, 11);
    // SAFETY: live handle and len pointer.
    assert_eq!(unsafe { ultra_spsc_peek_len(r, &mut len) }, ULTRA_OK);
    assert_eq!(len, 11);
    let (s, buf, n) = spsc_pop(r, 11);
    assert_eq!((s, &buf[..n]), (ULTRA_OK, &b"hello world"[..]));
    let (s, _, n) = spsc_pop(r, 11);
    assert_eq!((s, n), (ULTRA_ERR_EMPTY, usize::MAX));
    // SAFETY: live handle, freed once.
    unsafe { ultra_spsc_free(r) };

    let q = mpmc(4, 16);
    assert_eq!(mpmc_push(q, b"0123456789"), ULTRA_OK);
    let (s, _, n) = mpmc_pop(q, 3);
    assert_eq!((s, n), (ULTRA_ERR_BUFFER_TOO_SMALL, 10));
    // SAFETY: live handle.
    assert_eq!(unsafe { ultra_mpmc_len(q) }, 1);
    let (s, buf, n) = mpmc_pop(q, 16);
    assert_eq!((s, &buf[..n]), (ULTRA_OK, &b"0123456789"[..]));
    let (s, _, _) = mpmc_pop(q, 16);
    assert_eq!(s, ULTRA_ERR_EMPTY);
    // SAFETY: live handle, freed once.
    unsafe { ultra_mpmc_free(q) };
}

#[test]
fn queries_report_rounded_sizes() {
    let r = spsc(100);
    let q = mpmc(5, 24);
    // SAFETY: live handles, freed once.
    unsafe {
        assert_eq!(ultra_spsc_capacity(r), 128);
        assert!(ultra_spsc_is_empty(r));
        assert_eq!(ultra_mpmc_capacity(q), 8);
        assert_eq!(ultra_mpmc_slot_size(q), 24);
        ultra_spsc_free(r);
        ultra_mpmc_free(q);
    }
}
