//! C ABI of [`crate::alloc`]: NUMA pages, object pools, arenas.

use std::ffi::c_void;
use std::ptr::NonNull;

use super::common::{
    arg_mut, arg_ref, box_out, free_box, guard, guard_value, non_null, ultra_status, write_out,
};
use crate::alloc::{
    Arena, ArenaConfig, MapOptions, Pages, Placement, Policy, Pool, PoolConfig, node_of, topology,
};
use crate::error::{Error, Result};

/// `ultra_numa_alloc_onnode` flag: back the memory with huge pages (explicit
/// hugetlb pages when reserved, else transparent huge pages). The size is
/// rounded up to 2 MiB.
pub const ULTRA_NUMA_HUGE_PAGES: u32 = 1;
/// `ultra_numa_alloc_onnode` flag: spread the pages round-robin over every
/// node with memory (`node` must be -1).
pub const ULTRA_NUMA_INTERLEAVE: u32 = 2;

/// A fixed-size object pool (opaque). Made by `ultra_pool_new`, released by
/// `ultra_pool_destroy`.
#[allow(non_camel_case_types)]
pub struct ultra_pool_t(Pool);

/// A bump arena (opaque). Made by `ultra_arena_new`, released by
/// `ultra_arena_free`.
#[allow(non_camel_case_types)]
pub struct ultra_arena_t(Arena);

/// Counters of a pool (`ultra_pool_stats`); exact when no other thread is
/// mid-call on the pool.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ultra_pool_stats_t {
    /// Objects allocated and not yet freed.
    pub live_objects: usize,
    /// Objects ready to hand out (shared lists and per-thread caches).
    pub free_objects: usize,
    /// Slabs mapped.
    pub slabs: usize,
    /// Bytes mapped for slabs.
    pub reserved_bytes: usize,
    /// Bytes between consecutive objects (size rounded up to the alignment).
    pub object_stride: usize,
    /// Number of NUMA nodes holding slabs (see `ultra_pool_node_bytes`).
    pub nodes_used: usize,
}

fn node_arg(node: i32) -> Result<Option<usize>> {
    match node {
        -1 => Ok(None),
        n if n >= 0 => Ok(Some(n as usize)),
        n => Err(Error::invalid(format!(
            "node {n} is neither -1 (local) nor a node id"
        ))),
    }
}

/// Number of NUMA nodes of this machine (1 when it has no NUMA information).
/// Never fails. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ultra_numa_node_count() -> u32 {
    super::common::catch("ultra_numa_node_count", || topology().node_count() as u32)
}

/// The NUMA node the calling thread runs on now (0 without NUMA). Never
/// fails. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ultra_numa_current_node() -> i32 {
    super::common::catch("ultra_numa_current_node", || {
        topology().current_node() as i32
    })
}

/// Map `size` bytes of zeroed pages on `node` (`MPOL_BIND`), or with the
/// default first-touch policy when `node` is -1, and store the page-aligned
/// address in `*out`. `flags`: `ULTRA_NUMA_HUGE_PAGES`, `ULTRA_NUMA_INTERLEAVE`.
///
/// Errors: `ULTRA_ERR_NULL_ARGUMENT` (out), `ULTRA_ERR_INVALID_ARGUMENT`
/// (size 0 or absurd, unknown flags, a node that does not exist or has no
/// memory, interleave with a node), `ULTRA_ERR_UNAVAILABLE` (a node was named
/// and the kernel has no NUMA), `ULTRA_ERR_OUT_OF_MEMORY`. On error `*out` is
/// unchanged. Release with `ultra_numa_free(ptr, size)`. Thread-safe.
///
/// # Safety
/// `out` is NULL or valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_numa_alloc_onnode(
    size: usize,
    node: i32,
    flags: u32,
    out: *mut *mut c_void,
) -> ultra_status {
    guard("ultra_numa_alloc_onnode", || {
        non_null(out, "out")?;
        if flags & !(ULTRA_NUMA_HUGE_PAGES | ULTRA_NUMA_INTERLEAVE) != 0 {
            return Err(Error::invalid(format!("unknown flags {flags:#x}")));
        }
        let policy = match (node_arg(node)?, flags & ULTRA_NUMA_INTERLEAVE != 0) {
            (None, false) => Policy::Default,
            (Some(n), false) => Policy::Bind(n),
            (None, true) => Policy::Interleave(topology().memory_nodes()),
            (Some(_), true) => return Err(Error::invalid("ULTRA_NUMA_INTERLEAVE needs node -1")),
        };
        let pages = Pages::map(
            size,
            &MapOptions {
                policy,
                huge: flags & ULTRA_NUMA_HUGE_PAGES != 0,
            },
        )?;
        // SAFETY: `out` checked non-NULL above; valid per the contract.
        unsafe { write_out(out, pages.into_raw().as_ptr().cast(), "out") }
    })
}

/// Unmap memory from `ultra_numa_alloc_onnode`; `size` must be the size
/// passed there. NULL is a no-op. `ULTRA_ERR_INVALID_ARGUMENT` (nothing
/// changes) when `ptr` is not a live allocation of that size. Thread-safe.
///
/// # Safety
/// Nothing uses the memory after the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_numa_free(ptr: *mut c_void, size: usize) -> ultra_status {
    guard("ultra_numa_free", || {
        if !ptr.is_null() {
            drop(Pages::from_raw(ptr.cast(), size)?);
        }
        Ok(())
    })
}

/// Store in `*node` the NUMA node holding the page at `ptr` (touch the page
/// first: an untouched page is faulted in). `ULTRA_ERR_NULL_ARGUMENT`,
/// `ULTRA_ERR_INVALID_ARGUMENT` (unmapped address), `ULTRA_ERR_UNAVAILABLE`
/// (no NUMA in the kernel). Thread-safe.
///
/// # Safety
/// `node` is NULL or valid for an int write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_numa_node_of(ptr: *const c_void, node: *mut i32) -> ultra_status {
    guard("ultra_numa_node_of", || {
        non_null(ptr, "ptr")?;
        non_null(node, "node")?;
        let n = node_of(ptr.cast())?;
        // SAFETY: checked non-NULL; valid per the contract.
        unsafe { write_out(node, n as i32, "node") }
    })
}

/// Create a pool of objects of `object_size` bytes aligned to `align` (a
/// power of two), with slabs bound to `node`, or on the node of the thread
/// that needs them when `node` is -1.
///
/// Errors: `ULTRA_ERR_NULL_ARGUMENT`, `ULTRA_ERR_INVALID_ARGUMENT` (size 0 or
/// above 1 GiB, bad alignment, no such node), `ULTRA_ERR_UNAVAILABLE` (a node
/// was named and the kernel has no NUMA). Release with `ultra_pool_destroy`.
///
/// # Safety
/// `out` is NULL or valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_pool_new(
    object_size: usize,
    align: usize,
    node: i32,
    out: *mut *mut ultra_pool_t,
) -> ultra_status {
    guard("ultra_pool_new", || {
        non_null(out, "out")?;
        let placement = node_arg(node)?.map_or(Placement::Local, Placement::Node);
        let pool = Pool::new(PoolConfig::new(object_size, align).placement(placement))?;
        // SAFETY: `out` checked non-NULL; valid per the contract.
        unsafe { box_out(out, ultra_pool_t(pool), "out") }
    })
}

/// Allocate one object (uninitialised) from the calling thread's cache.
/// Returns NULL when the pool is exhausted or on error; `ultra_last_error`
/// says why. Thread-safe: any number of threads may allocate and free
/// concurrently.
///
/// # Safety
/// `pool` is NULL or a live pool.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_pool_alloc(pool: *mut ultra_pool_t) -> *mut c_void {
    guard_value("ultra_pool_alloc", std::ptr::null_mut(), || {
        // SAFETY: NULL (checked) or live per the contract.
        let pool = unsafe { arg_ref(pool, "pool") }?;
        Ok(pool.0.alloc()?.as_ptr().cast())
    })
}

/// Return an object to its pool, from any thread. NULL `ptr` is a no-op.
/// Debug builds of the library detect a pointer that is not an object of
/// this pool and return `ULTRA_ERR_INVALID_ARGUMENT` (nothing changes);
/// release builds do not check (freeing a foreign pointer is undefined).
/// Thread-safe.
///
/// # Safety
/// `pool` is NULL or a live pool; `ptr` is NULL or an object of it, not used
/// or freed again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_pool_free(
    pool: *mut ultra_pool_t,
    ptr: *mut c_void,
) -> ultra_status {
    guard("ultra_pool_free", || {
        // SAFETY: NULL (checked) or live per the contract.
        let pool = unsafe { arg_ref(pool, "pool") }?;
        match NonNull::new(ptr.cast::<u8>()) {
            // SAFETY: an object of this pool per the contract.
            Some(p) => unsafe { pool.0.free(p) },
            None => Ok(()),
        }
    })
}

/// Fill `*out` with the pool's counters. Thread-safe.
///
/// # Safety
/// `pool` is NULL or a live pool; `out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_pool_stats(
    pool: *const ultra_pool_t,
    out: *mut ultra_pool_stats_t,
) -> ultra_status {
    guard("ultra_pool_stats", || {
        // SAFETY: NULL (checked) or live per the contract.
        let pool = unsafe { arg_ref(pool, "pool") }?;
        non_null(out, "out")?;
        let s = pool.0.stats();
        let stats = ultra_pool_stats_t {
            live_objects: s.live_objects,
            free_objects: s.free_objects,
            slabs: s.slabs,
            reserved_bytes: s.reserved_bytes,
            object_stride: pool.0.stride(),
            nodes_used: s.node_bytes.len(),
        };
        // SAFETY: checked non-NULL; valid per the contract.
        unsafe { write_out(out, stats, "out") }
    })
}

/// Store in `*bytes` the slab bytes the pool holds on `node` (0 for a node
/// without slabs). `ULTRA_ERR_INVALID_ARGUMENT` for a negative node.
/// Thread-safe.
///
/// # Safety
/// `pool` is NULL or a live pool; `bytes` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_pool_node_bytes(
    pool: *const ultra_pool_t,
    node: i32,
    bytes: *mut usize,
) -> ultra_status {
    guard("ultra_pool_node_bytes", || {
        // SAFETY: NULL (checked) or live per the contract.
        let pool = unsafe { arg_ref(pool, "pool") }?;
        non_null(bytes, "bytes")?;
        let node = node_arg(node)?.ok_or_else(|| Error::invalid("node must be >= 0"))?;
        let b = pool
            .0
            .stats()
            .node_bytes
            .iter()
            .find(|(n, _)| *n == node)
            .map_or(0, |(_, b)| *b);
        // SAFETY: checked non-NULL; valid per the contract.
        unsafe { write_out(bytes, b, "bytes") }
    })
}

/// Destroy a pool and unmap its slabs; NULL is a no-op. Every object must
/// have been freed (objects still out become dangling). Not thread-safe with
/// other calls on the same pool.
///
/// # Safety
/// `pool` is NULL or a live pool not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_pool_destroy(pool: *mut ultra_pool_t) {
    super::common::catch("ultra_pool_destroy", || {
        // SAFETY: NULL or made by ultra_pool_new, freed once per the contract.
        unsafe { free_box(pool) }
    })
}

/// Create an arena whose chunks hold `chunk_size` bytes (rounded up to the
/// page size), bound to `node` or first-touch when `node` is -1.
/// `ULTRA_ERR_NULL_ARGUMENT`, `ULTRA_ERR_INVALID_ARGUMENT` (chunk size 0 or
/// absurd, no such node), `ULTRA_ERR_UNAVAILABLE`, `ULTRA_ERR_OUT_OF_MEMORY`.
/// Release with `ultra_arena_free`.
///
/// # Safety
/// `out` is NULL or valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_arena_new(
    chunk_size: usize,
    node: i32,
    out: *mut *mut ultra_arena_t,
) -> ultra_status {
    guard("ultra_arena_new", || {
        non_null(out, "out")?;
        let arena = Arena::new(ArenaConfig {
            node: node_arg(node)?,
            ..ArenaConfig::new(chunk_size)
        })?;
        // SAFETY: `out` checked non-NULL; valid per the contract.
        unsafe { box_out(out, ultra_arena_t(arena), "out") }
    })
}

/// Allocate `size` bytes aligned to `align` (a power of two) from the arena.
/// Returns NULL on error (`size` 0, bad alignment, absurd size, out of
/// memory); `ultra_last_error` says why. The memory lives until
/// `ultra_arena_reset` or `ultra_arena_free`. Not thread-safe: one thread
/// at a time per arena.
///
/// # Safety
/// `arena` is NULL or a live arena not used concurrently.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_arena_alloc(
    arena: *mut ultra_arena_t,
    size: usize,
    align: usize,
) -> *mut c_void {
    guard_value("ultra_arena_alloc", std::ptr::null_mut(), || {
        // SAFETY: NULL (checked) or live and unshared per the contract.
        let arena = unsafe { arg_ref(arena, "arena") }?;
        if size == 0 {
            return Err(Error::invalid("size must be > 0"));
        }
        let layout = std::alloc::Layout::from_size_align(size, align).map_err(|_| {
            Error::invalid(format!(
                "size {size} / alignment {align} is not a valid layout"
            ))
        })?;
        Ok(arena.0.alloc_layout(layout)?.as_ptr().cast())
    })
}

/// Free everything allocated from the arena in O(1); its chunks are kept for
/// reuse. Every pointer it returned becomes invalid. Not thread-safe.
///
/// # Safety
/// `arena` is NULL or a live arena not used concurrently.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_arena_reset(arena: *mut ultra_arena_t) -> ultra_status {
    guard("ultra_arena_reset", || {
        // SAFETY: NULL (checked) or live and unshared per the contract.
        unsafe { arg_mut(arena, "arena") }?.0.reset();
        Ok(())
    })
}

/// Store in `*used` the bytes handed out since the last reset and in
/// `*reserved` the bytes mapped for chunks. Not thread-safe.
///
/// # Safety
/// `arena` is NULL or a live arena; `used` and `reserved` are NULL or valid
/// for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_arena_usage(
    arena: *const ultra_arena_t,
    used: *mut usize,
    reserved: *mut usize,
) -> ultra_status {
    guard("ultra_arena_usage", || {
        // SAFETY: NULL (checked) or live per the contract.
        let arena = unsafe { arg_ref(arena, "arena") }?;
        non_null(used, "used")?;
        non_null(reserved, "reserved")?;
        // SAFETY: both checked non-NULL; valid per the contract.
        unsafe {
            write_out(used, arena.0.used_bytes(), "used")?;
            write_out(reserved, arena.0.reserved_bytes(), "reserved")
        }
    })
}

/// Destroy an arena and unmap its chunks; NULL is a no-op.
///
/// # Safety
/// `arena` is NULL or a live arena not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_arena_free(arena: *mut ultra_arena_t) {
    super::common::catch("ultra_arena_free", || {
        // SAFETY: NULL or made by ultra_arena_new, freed once per the contract.
        unsafe { free_box(arena) }
    })
}
