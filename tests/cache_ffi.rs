//! The cache's C ABI called directly from Rust: round trips, zero-copy values
//! outliving eviction, and bad input (NULL pointers, zero sizes, tiny
//! buffers, oversized entries) — each with its status, a last-error text and
//! the state left intact.

use std::ptr::{null, null_mut};

use ultra::ffi::cache::*;
use ultra::ffi::core::ultra_last_error;
use ultra::ffi::ultra_status::{self, *};

fn last_error() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: buf is a live local of the given size.
    let n = unsafe { ultra_last_error(buf.as_mut_ptr().cast(), buf.len()) };
    String::from_utf8_lossy(&buf[..n.min(255)]).into_owned()
}

fn new_cache(cfg: ultra_cache_config_t) -> *mut ultra_cache_t {
    let mut c = null_mut();
    // SAFETY: cfg and c are live locals.
    assert_eq!(unsafe { ultra_cache_new(&cfg, &mut c) }, ULTRA_OK);
    c
}

fn put(c: *const ultra_cache_t, k: &[u8], v: &[u8]) -> ultra_status {
    // SAFETY: slices are live for the call.
    unsafe { ultra_cache_put(c, k.as_ptr(), k.len(), v.as_ptr(), v.len(), 0) }
}

fn stats(c: *const ultra_cache_t) -> ultra_cache_stats_t {
    let mut s = ultra_cache_stats_t::default();
    // SAFETY: c is live, s a local.
    assert_eq!(unsafe { ultra_cache_stats(c, &mut s) }, ULTRA_OK);
    s
}

#[test]
fn round_trip_and_zero_copy_value_outlives_eviction() {
    let mut cfg = ultra_cache_config_default();
    cfg.capacity = 2;
    cfg.shard_count = 1;
    let c = new_cache(cfg);
    assert_eq!(put(c, b"k1", b"hello"), ULTRA_OK);
    let mut v = null_mut();
    // SAFETY: live pointers throughout.
    unsafe {
        assert_eq!(
            ultra_cache_get_value(c, b"k1".as_ptr(), 2, &mut v),
            ULTRA_OK
        );
        assert_eq!(ultra_value_ttl_ms(v), u64::MAX);
        assert!(!ultra_value_should_refresh(v));
        // Evict and replace everything, then free the cache: the value lives on.
        for i in 0..10u8 {
            assert_eq!(put(c, &[b'x', i], b"other"), ULTRA_OK);
        }
        ultra_cache_free(c);
        let mut len = 0;
        let p = ultra_value_data(v, &mut len);
        assert_eq!(std::slice::from_raw_parts(p, len), b"hello");
        ultra_value_release(v);
        ultra_value_release(null_mut());
        ultra_cache_free(null_mut());
        let mut len = 7;
        assert!(ultra_value_data(null(), &mut len).is_null());
        assert_eq!(len, 0);
    }
}

#[test]
fn get_reports_not_found_and_buffer_too_small() {
    let c = new_cache(ultra_cache_config_default());
    assert_eq!(put(c, b"post:1", b"0123456789"), ULTRA_OK);
    let mut buf = [0u8; 4];
    let mut n = 0usize;
    // SAFETY: live pointers throughout.
    unsafe {
        assert_eq!(
            ultra_cache_get(c, b"nope".as_ptr(), 4, buf.as_mut_ptr(), 4, &mut n),
            ULTRA_ERR_NOT_FOUND
        );
        assert_eq!(n, 0);
        assert!(last_error().contains("not found"));
        assert_eq!(
            ultra_cache_get(c, b"post:1".as_ptr(), 6, buf.as_mut_ptr(), 4, &mut n),
            ULTRA_ERR_BUFFER_TOO_SMALL
        );
        assert_eq!((n, buf), (10, [0; 4]));
        assert!(last_error().contains("10 bytes needed"));
        // cap 0 with a NULL buffer asks for the size.
        assert_eq!(
            ultra_cache_get(c, b"post:1".as_ptr(), 6, null_mut(), 0, &mut n),
            ULTRA_ERR_BUFFER_TOO_SMALL
        );
        let mut big = [0u8; 16];
        assert_eq!(
            ultra_cache_get(c, b"post:1".as_ptr(), 6, big.as_mut_ptr(), 16, &mut n),
            ULTRA_OK
        );
        assert_eq!(&big[..n], b"0123456789");
        // Zero-length keys and values are ordinary.
        assert_eq!(ultra_cache_put(c, null(), 0, null(), 0, 0), ULTRA_OK);
        assert_eq!(
            ultra_cache_get(c, null(), 0, null_mut(), 0, &mut n),
            ULTRA_OK
        );
        assert_eq!(n, 0);
        assert_eq!(ultra_cache_remove(c, null(), 0), ULTRA_OK);
        assert_eq!(ultra_cache_remove(c, null(), 0), ULTRA_ERR_NOT_FOUND);
        ultra_cache_free(c);
    }
}

#[test]
fn null_arguments_are_refused_and_change_nothing() {
    let c = new_cache(ultra_cache_config_default());
    assert_eq!(put(c, b"a", b"1"), ULTRA_OK);
    let before = stats(c);
    let mut n = 0usize;
    let mut v = null_mut();
    let mut out = null_mut();
    // SAFETY: every non-NULL pointer is live.
    unsafe {
        let cfg = ultra_cache_config_default();
        assert_eq!(ultra_cache_new(null(), &mut out), ULTRA_ERR_NULL_ARGUMENT);
        assert!(last_error().contains("config"));
        assert_eq!(ultra_cache_new(&cfg, null_mut()), ULTRA_ERR_NULL_ARGUMENT);
        assert_eq!(
            ultra_cache_put(null(), b"a".as_ptr(), 1, b"2".as_ptr(), 1, 0),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_cache_put(c, null(), 1, b"2".as_ptr(), 1, 0),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert!(last_error().contains("key"));
        assert_eq!(
            ultra_cache_put(c, b"a".as_ptr(), 1, null(), 1, 0),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_cache_get(c, b"a".as_ptr(), 1, null_mut(), 0, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert!(last_error().contains("val_len"));
        assert_eq!(
            ultra_cache_get(null(), b"a".as_ptr(), 1, null_mut(), 0, &mut n),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_cache_get_value(c, b"a".as_ptr(), 1, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_cache_get_value(null(), b"a".as_ptr(), 1, &mut v),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert!(v.is_null());
        assert_eq!(
            ultra_cache_remove(null(), b"a".as_ptr(), 1),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_cache_remove_prefix(c, null(), 1, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_cache_remove_prefix(null(), b"a".as_ptr(), 1, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(ultra_cache_clear(null()), ULTRA_ERR_NULL_ARGUMENT);
        assert_eq!(
            ultra_cache_purge_expired(null(), null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_cache_stats(null(), &mut ultra_cache_stats_t::default()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(ultra_cache_stats(c, null_mut()), ULTRA_ERR_NULL_ARGUMENT);
        assert_eq!(ultra_value_age_ms(null()), 0);
        assert_eq!(ultra_value_ttl_ms(null()), 0);
        assert!(!ultra_value_should_refresh(null()));
    }
    // Only the refused lookups' absence shows: the entry and counters are intact.
    let after = stats(c);
    assert_eq!(
        (after.entries, after.inserts, after.updates, after.hits),
        (before.entries, 1, 0, 0)
    );
    let mut buf = [0u8; 1];
    // SAFETY: live pointers.
    unsafe {
        assert_eq!(
            ultra_cache_get(c, b"a".as_ptr(), 1, buf.as_mut_ptr(), 1, &mut n),
            ULTRA_OK
        );
        ultra_cache_free(c);
    }
    assert_eq!(&buf, b"1");
}

#[test]
fn bad_configs_and_oversized_entries() {
    let mut out = null_mut();
    for f in [
        (|c: &mut ultra_cache_config_t| c.capacity = 0) as fn(&mut ultra_cache_config_t),
        |c| c.shard_count = 3,
        |c| c.shard_count = 1 << 20,
        |c| c.refresh_ahead_permille = 1000,
        |c| {
            c.shard_count = 8;
            c.max_bytes = 4;
        },
    ] {
        let mut cfg = ultra_cache_config_default();
        f(&mut cfg);
        // SAFETY: live locals.
        let status = unsafe { ultra_cache_new(&cfg, &mut out) };
        assert_eq!(status, ULTRA_ERR_INVALID_ARGUMENT);
        assert!(out.is_null());
        assert!(last_error().starts_with("ultra_cache_new: invalid argument"));
    }
    let mut cfg = ultra_cache_config_default();
    cfg.max_bytes = 64;
    cfg.shard_count = 2;
    let c = new_cache(cfg);
    assert_eq!(put(c, b"k", b"small"), ULTRA_OK);
    // 33 bytes > 64 / 2 per shard: refused, the old value stays.
    assert_eq!(put(c, b"k", &[7u8; 32]), ULTRA_ERR_INVALID_ARGUMENT);
    assert!(last_error().contains("exceeds"));
    let mut buf = [0u8; 8];
    let mut n = 0;
    // SAFETY: live pointers.
    unsafe {
        assert_eq!(
            ultra_cache_get(c, b"k".as_ptr(), 1, buf.as_mut_ptr(), 8, &mut n),
            ULTRA_OK
        );
        assert_eq!(&buf[..n], b"small");
        for i in 0..100u8 {
            assert_eq!(put(c, &[i], b"0123456789"), ULTRA_OK);
            assert!(stats(c).weight <= 64);
        }
        ultra_cache_free(c);
    }
}

#[test]
fn ttl_prefix_clear_purge() {
    let mut cfg = ultra_cache_config_default();
    cfg.default_ttl_ms = 60_000;
    cfg.refresh_ahead_permille = 500;
    let c = new_cache(cfg);
    for k in ["post:42", "post:42:meta", "post:4", "user:1"] {
        assert_eq!(put(c, k.as_bytes(), b"v"), ULTRA_OK);
    }
    let mut v = null_mut();
    let mut removed = 0;
    let mut purged = 9;
    // SAFETY: live pointers throughout.
    unsafe {
        assert_eq!(
            ultra_cache_get_value(c, b"user:1".as_ptr(), 6, &mut v),
            ULTRA_OK
        );
        assert!(ultra_value_ttl_ms(v) <= 60_000 && ultra_value_ttl_ms(v) > 59_000);
        assert!(ultra_value_age_ms(v) < 1_000);
        ultra_value_release(v);
        assert_eq!(
            ultra_cache_remove_prefix(c, b"post:42".as_ptr(), 7, &mut removed),
            ULTRA_OK
        );
        assert_eq!(removed, 2);
        assert_eq!(ultra_cache_purge_expired(c, &mut purged), ULTRA_OK);
        assert_eq!(purged, 0);
        assert_eq!(ultra_cache_clear(c), ULTRA_OK);
        assert_eq!(stats(c).entries, 0);
        assert_eq!(stats(c).removals, 4);
        ultra_cache_free(c);
    }
}

#[test]
fn concurrent_c_calls() {
    let mut cfg = ultra_cache_config_default();
    cfg.capacity = 256;
    let c = new_cache(cfg) as usize;
    std::thread::scope(|s| {
        for t in 0..4u8 {
            s.spawn(move || {
                let c = c as *const ultra_cache_t;
                for i in 0..2_000u32 {
                    let k = format!("k{}", (i * 7 + u32::from(t)) % 500);
                    if i % 3 == 0 {
                        assert_eq!(put(c, k.as_bytes(), k.as_bytes()), ULTRA_OK);
                    } else {
                        let mut v = null_mut();
                        // SAFETY: live pointers.
                        unsafe {
                            if ultra_cache_get_value(c, k.as_ptr(), k.len(), &mut v) == ULTRA_OK {
                                let mut n = 0;
                                let p = ultra_value_data(v, &mut n);
                                assert_eq!(std::slice::from_raw_parts(p, n), k.as_bytes());
                                ultra_value_release(v);
                            }
                        }
                    }
                }
            });
        }
    });
    assert!(stats(c as *const _).entries <= 256);
    // SAFETY: no thread uses it any more.
    unsafe { ultra_cache_free(c as *mut _) };
}
