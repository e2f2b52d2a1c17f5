//! C ABI of [`crate::cache`]: a cache of byte-string keys and values.
//!
//! Values are stored as `Arc<[u8]>`, so a zero-copy read
//! ([`ultra_cache_get_value`]) hands C a reference that stays valid until
//! [`ultra_value_release`], even if the entry is evicted, replaced or the
//! cache is freed meanwhile. An entry weighs `key_len + val_len` bytes
//! against `max_bytes`. Every function on a live `ultra_cache_t` may be
//! called from any number of threads at once.

use std::sync::Arc;
use std::time::Duration;

use super::common::{
    arg_ref, arg_slice, box_out, catch, copy_out, free_box, guard, non_null, ultra_status,
    write_out,
};
use crate::cache::{Cache, Entry, Stats};
use crate::error::Error;

/// A cache of byte-string keys and values (opaque; made by
/// `ultra_cache_new`, released by `ultra_cache_free`).
#[allow(non_camel_case_types)]
pub struct ultra_cache_t(ByteCache);

/// The Rust type behind `ultra_cache_t`.
type ByteCache = Cache<Box<[u8]>, Arc<[u8]>>;

/// A value read with `ultra_cache_get_value`: the bytes plus their age,
/// remaining TTL and refresh-ahead flag. Owned by the caller until
/// `ultra_value_release`; independent of the cache it came from.
#[allow(non_camel_case_types)]
pub struct ultra_value_t(Entry<Arc<[u8]>>);

/// Settings for `ultra_cache_new`. Start from `ultra_cache_config_default()`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ultra_cache_config_t {
    /// Maximum number of entries (> 0). An exact bound.
    pub capacity: u64,
    /// Maximum total `key_len + val_len` bytes; 0 = unbounded. An exact bound;
    /// one entry may use at most `max_bytes / shard_count` bytes.
    pub max_bytes: u64,
    /// Number of shards, a power of two <= capacity; 0 = four per CPU, fewer
    /// for small caches (at least 256 entries and 1 MiB of `max_bytes` each).
    pub shard_count: u32,
    /// TTL of entries put with `ttl_ms == 0`; 0 = they never expire.
    pub default_ttl_ms: u64,
    /// Refresh-ahead point in thousandths of the TTL (e.g. 800); 0 = off.
    /// Once an entry is older than that, exactly one `ultra_cache_get_value`
    /// caller sees `ultra_value_should_refresh` return true.
    pub refresh_ahead_permille: u32,
}

/// Counters of a cache (`ultra_cache_stats`).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ultra_cache_stats_t {
    /// Lookups that returned a value.
    pub hits: u64,
    /// Lookups that found nothing (or only an expired entry).
    pub misses: u64,
    /// Puts of a new key.
    pub inserts: u64,
    /// Puts that replaced a present key's value.
    pub updates: u64,
    /// Entries dropped by the eviction policy.
    pub evictions: u64,
    /// Entries dropped because their TTL had passed.
    pub expirations: u64,
    /// Entries dropped by remove, remove_prefix or clear.
    pub removals: u64,
    /// Entries held now.
    pub entries: u64,
    /// Bytes (`key_len + val_len`) held now.
    pub weight: u64,
}

impl From<Stats> for ultra_cache_stats_t {
    fn from(s: Stats) -> Self {
        Self {
            hits: s.hits,
            misses: s.misses,
            inserts: s.inserts,
            updates: s.updates,
            evictions: s.evictions,
            expirations: s.expirations,
            removals: s.removals,
            entries: s.entries,
            weight: s.weight,
        }
    }
}

/// An entry weighs its key and value bytes.
#[allow(clippy::borrowed_box)] // the weigher signature is fixed by `Cache`'s key type
fn weigh(k: &Box<[u8]>, v: &Arc<[u8]>) -> u64 {
    (k.len() + v.len()) as u64
}

impl ultra_cache_config_t {
    fn build(&self) -> crate::Result<ByteCache> {
        let cap =
            usize::try_from(self.capacity).map_err(|_| Error::invalid("capacity too large"))?;
        let mut b = Cache::builder()
            .capacity(cap)
            .max_weight(self.max_bytes)
            .weigher(weigh);
        if self.shard_count != 0 {
            b = b.shard_count(self.shard_count as usize);
        }
        if self.default_ttl_ms != 0 {
            b = b.default_ttl(Duration::from_millis(self.default_ttl_ms));
        }
        if self.refresh_ahead_permille != 0 {
            b = b.refresh_ahead(f64::from(self.refresh_ahead_permille) / 1000.0);
        }
        b.build()
    }
}

/// The default settings: 10000 entries, no byte budget, automatic shard
/// count, no default TTL, no refresh-ahead. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ultra_cache_config_default() -> ultra_cache_config_t {
    ultra_cache_config_t {
        capacity: 10_000,
        max_bytes: 0,
        shard_count: 0,
        default_ttl_ms: 0,
        refresh_ahead_permille: 0,
    }
}

/// Create a cache from `config` and store it in `*out` (free it with
/// `ultra_cache_free`).
///
/// NULL `config` or `out`: ULTRA_ERR_NULL_ARGUMENT. Zero capacity, a shard
/// count that is not a power of two or exceeds the capacity, `max_bytes`
/// below the shard count, or `refresh_ahead_permille >= 1000`:
/// ULTRA_ERR_INVALID_ARGUMENT. On error `*out` is untouched. Thread-safe.
///
/// # Safety
/// `config` is NULL or points to a valid config; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_cache_new(
    config: *const ultra_cache_config_t,
    out: *mut *mut ultra_cache_t,
) -> ultra_status {
    guard("ultra_cache_new", || {
        // SAFETY: `config` is NULL (checked) or valid per the contract.
        let cfg = unsafe { arg_ref(config, "config") }?;
        non_null(out, "out")?;
        let cache = cfg.build()?;
        // SAFETY: `out` is non-NULL and writable per the contract.
        unsafe { box_out(out, ultra_cache_t(cache), "out") }
    })
}

/// Free a cache and every entry in it. NULL is a no-op. Values still held
/// through `ultra_value_t` stay valid. No other thread may use `cache`
/// during or after this call.
///
/// # Safety
/// `cache` is NULL or came from `ultra_cache_new` and was not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_cache_free(cache: *mut ultra_cache_t) {
    // SAFETY: per the contract, `cache` is NULL or a live box from `ultra_cache_new`.
    catch("ultra_cache_free", || unsafe { free_box(cache) })
}

/// Insert or replace `key` (copied) with `val` (copied), expiring after
/// `ttl_ms` milliseconds (0 = the cache's default TTL).
///
/// NULL `cache`, or NULL `key`/`val` with a non-zero length:
/// ULTRA_ERR_NULL_ARGUMENT. An entry larger than one shard's share of
/// `max_bytes`: ULTRA_ERR_INVALID_ARGUMENT. On error nothing changes.
/// Thread-safe.
///
/// # Safety
/// `cache` is NULL or live; `key`/`val` are valid for `key_len`/`val_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_cache_put(
    cache: *const ultra_cache_t,
    key: *const u8,
    key_len: usize,
    val: *const u8,
    val_len: usize,
    ttl_ms: u64,
) -> ultra_status {
    guard("ultra_cache_put", || {
        // SAFETY: pointers are NULL (checked) or valid per the contract.
        let (c, k, v) = unsafe {
            (
                arg_ref(cache, "cache")?,
                arg_slice(key, key_len, "key")?,
                arg_slice(val, val_len, "val")?,
            )
        };
        let (k, v): (Box<[u8]>, Arc<[u8]>) = (k.into(), v.into());
        match ttl_ms {
            0 => c.0.insert(k, v),
            t => c.0.insert_with_ttl(k, v, Duration::from_millis(t)),
        }
    })
}

/// Copy the value under `key` into `(out, cap)` and its length into `*val_len`.
///
/// ULTRA_ERR_NOT_FOUND if absent or expired (`*val_len` untouched);
/// ULTRA_ERR_BUFFER_TOO_SMALL if `cap` is too small (`*val_len` = size
/// needed, `out` untouched); NULL `cache` or `val_len`, or NULL `key` with a
/// non-zero length: ULTRA_ERR_NULL_ARGUMENT. `out` may be NULL when `cap`
/// is 0. Thread-safe.
///
/// # Safety
/// `cache` is NULL or live; `key` valid for `key_len` bytes; `out` valid for
/// `cap` bytes; `val_len` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_cache_get(
    cache: *const ultra_cache_t,
    key: *const u8,
    key_len: usize,
    out: *mut u8,
    cap: usize,
    val_len: *mut usize,
) -> ultra_status {
    guard("ultra_cache_get", || {
        // SAFETY: pointers are NULL (checked) or valid per the contract.
        let (c, k) = unsafe { (arg_ref(cache, "cache")?, arg_slice(key, key_len, "key")?) };
        non_null(val_len, "val_len")?;
        let v = c.0.get(k).ok_or(Error::NotFound)?;
        // SAFETY: `out` valid for `cap` bytes, `val_len` checked and writable.
        unsafe { copy_out(&v, out, cap, val_len) }
    })
}

/// Zero-copy read: store a reference to the value under `key` in `*out`,
/// with its age, remaining TTL and refresh-ahead flag. Release it with
/// `ultra_value_release`; the bytes stay valid until then even if the entry
/// is evicted, replaced or removed, or the cache freed.
///
/// ULTRA_ERR_NOT_FOUND if absent or expired (`*out` untouched); NULL
/// `cache` or `out`, or NULL `key` with a non-zero length:
/// ULTRA_ERR_NULL_ARGUMENT. Thread-safe.
///
/// # Safety
/// `cache` is NULL or live; `key` valid for `key_len` bytes; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_cache_get_value(
    cache: *const ultra_cache_t,
    key: *const u8,
    key_len: usize,
    out: *mut *mut ultra_value_t,
) -> ultra_status {
    guard("ultra_cache_get_value", || {
        // SAFETY: pointers are NULL (checked) or valid per the contract.
        let (c, k) = unsafe { (arg_ref(cache, "cache")?, arg_slice(key, key_len, "key")?) };
        non_null(out, "out")?;
        let e = c.0.get_entry(k).ok_or(Error::NotFound)?;
        // SAFETY: `out` checked non-NULL and writable per the contract.
        unsafe { box_out(out, ultra_value_t(e), "out") }
    })
}

/// The bytes of `value` (valid until `ultra_value_release`); their length
/// goes to `*len` when `len` is not NULL. NULL `value`: returns NULL and
/// writes 0. Thread-safe (the value is immutable).
///
/// # Safety
/// `value` is NULL or a live `ultra_value_t`; `len` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_value_data(
    value: *const ultra_value_t,
    len: *mut usize,
) -> *const u8 {
    catch("ultra_value_data", || {
        // SAFETY: `value` is NULL or live per the contract.
        let bytes: &[u8] = unsafe { value.as_ref() }.map_or(&[], |v| &v.0.value);
        if !len.is_null() {
            // SAFETY: `len` is non-NULL and writable per the contract.
            unsafe { len.write(bytes.len()) };
        }
        if value.is_null() {
            std::ptr::null()
        } else {
            bytes.as_ptr()
        }
    })
}

/// Milliseconds between storing the value and reading it (the HTTP
/// `Age`/`X-Cache-Age`). NULL `value`: 0. Thread-safe.
///
/// # Safety
/// `value` is NULL or a live `ultra_value_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_value_age_ms(value: *const ultra_value_t) -> u64 {
    catch("ultra_value_age_ms", || {
        // SAFETY: `value` is NULL or live per the contract.
        let v = unsafe { value.as_ref() };
        v.map_or(0, |v| v.0.age.as_millis() as u64)
    })
}

/// Milliseconds of TTL left when the value was read; `UINT64_MAX` if it
/// never expires. NULL `value`: 0. Thread-safe.
///
/// # Safety
/// `value` is NULL or a live `ultra_value_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_value_ttl_ms(value: *const ultra_value_t) -> u64 {
    catch("ultra_value_ttl_ms", || {
        // SAFETY: `value` is NULL or live per the contract.
        let v = unsafe { value.as_ref() };
        v.map_or(0, |v| {
            v.0.ttl_remaining.map_or(u64::MAX, |t| t.as_millis() as u64)
        })
    })
}

/// True for exactly one reader once the entry passed the refresh-ahead point
/// of its TTL: that caller should re-fetch the value and put it again.
/// NULL `value`: false. Thread-safe.
///
/// # Safety
/// `value` is NULL or a live `ultra_value_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_value_should_refresh(value: *const ultra_value_t) -> bool {
    catch("ultra_value_should_refresh", || {
        // SAFETY: `value` is NULL or live per the contract.
        unsafe { value.as_ref() }.is_some_and(|v| v.0.should_refresh)
    })
}

/// Release a value from `ultra_cache_get_value`. NULL is a no-op.
///
/// # Safety
/// `value` is NULL or a live `ultra_value_t`, released exactly once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_value_release(value: *mut ultra_value_t) {
    // SAFETY: per the contract, `value` is NULL or a live box from `ultra_cache_get_value`.
    catch("ultra_value_release", || unsafe { free_box(value) })
}

/// Remove `key`. ULTRA_ERR_NOT_FOUND if it was absent or expired. NULL
/// `cache`, or NULL `key` with a non-zero length: ULTRA_ERR_NULL_ARGUMENT.
/// Thread-safe.
///
/// # Safety
/// `cache` is NULL or live; `key` valid for `key_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_cache_remove(
    cache: *const ultra_cache_t,
    key: *const u8,
    key_len: usize,
) -> ultra_status {
    guard("ultra_cache_remove", || {
        // SAFETY: pointers are NULL (checked) or valid per the contract.
        let (c, k) = unsafe { (arg_ref(cache, "cache")?, arg_slice(key, key_len, "key")?) };
        c.0.remove(k).map(drop).ok_or(Error::NotFound)
    })
}

/// Remove every entry whose key starts with `(prefix, len)` (e.g. "post:42"
/// removes "post:42" and "post:42:meta"); the number removed goes to
/// `*removed` when `removed` is not NULL. An empty prefix removes everything.
/// NULL `cache`, or NULL `prefix` with a non-zero length:
/// ULTRA_ERR_NULL_ARGUMENT. Thread-safe (scans shard by shard).
///
/// # Safety
/// `cache` is NULL or live; `prefix` valid for `len` bytes; `removed` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_cache_remove_prefix(
    cache: *const ultra_cache_t,
    prefix: *const u8,
    len: usize,
    removed: *mut u64,
) -> ultra_status {
    guard("ultra_cache_remove_prefix", || {
        // SAFETY: pointers are NULL (checked) or valid per the contract.
        let (c, p) = unsafe { (arg_ref(cache, "cache")?, arg_slice(prefix, len, "prefix")?) };
        let n = c.0.remove_prefix(p) as u64;
        if removed.is_null() {
            return Ok(());
        }
        // SAFETY: `removed` is non-NULL and writable per the contract.
        unsafe { write_out(removed, n, "removed") }
    })
}

/// Remove every entry. NULL `cache`: ULTRA_ERR_NULL_ARGUMENT. Thread-safe.
///
/// # Safety
/// `cache` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_cache_clear(cache: *const ultra_cache_t) -> ultra_status {
    guard("ultra_cache_clear", || {
        // SAFETY: `cache` is NULL (checked) or live per the contract.
        unsafe { arg_ref(cache, "cache") }?.0.clear();
        Ok(())
    })
}

/// Drop every expired entry; the number dropped goes to `*purged` when
/// `purged` is not NULL. NULL `cache`: ULTRA_ERR_NULL_ARGUMENT. Thread-safe.
///
/// # Safety
/// `cache` is NULL or live; `purged` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_cache_purge_expired(
    cache: *const ultra_cache_t,
    purged: *mut u64,
) -> ultra_status {
    guard("ultra_cache_purge_expired", || {
        // SAFETY: `cache` is NULL (checked) or live per the contract.
        let n = unsafe { arg_ref(cache, "cache") }?.0.purge_expired() as u64;
        if purged.is_null() {
            return Ok(());
        }
        // SAFETY: `purged` is non-NULL and writable per the contract.
        unsafe { write_out(purged, n, "purged") }
    })
}

/// Write the cache's counters to `*out`. NULL `cache` or `out`:
/// ULTRA_ERR_NULL_ARGUMENT. Thread-safe (a per-counter snapshot).
///
/// # Safety
/// `cache` is NULL or live; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_cache_stats(
    cache: *const ultra_cache_t,
    out: *mut ultra_cache_stats_t,
) -> ultra_status {
    guard("ultra_cache_stats", || {
        // SAFETY: `cache` is NULL (checked) or live per the contract.
        let c = unsafe { arg_ref(cache, "cache") }?;
        // SAFETY: `out` is NULL (checked) or writable per the contract.
        unsafe { write_out(out, c.0.stats().into(), "out") }
    })
}
