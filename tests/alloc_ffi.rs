//! The alloc C ABI called directly: statuses, last-error texts, state left
//! intact on bad input.

use std::ffi::c_void;
use std::ptr::null_mut;

use ultra::ffi::alloc::*;
use ultra::ffi::core::ultra_last_error;
use ultra::ffi::ultra_status::{self, *};

fn last_error() -> String {
    let mut buf = [0u8; 512];
    // SAFETY: buf is a live local of the given size.
    let n = unsafe { ultra_last_error(buf.as_mut_ptr().cast(), buf.len()) };
    String::from_utf8_lossy(&buf[..n.min(511)]).into_owned()
}

fn expect(s: ultra_status, want: ultra_status, text: &str) {
    assert_eq!(s, want);
    let e = last_error();
    assert!(e.contains(text), "last error `{e}` lacks `{text}`");
}

#[test]
fn numa_pages_through_the_abi() {
    assert!(ultra_numa_node_count() >= 1);
    assert!(ultra_numa_current_node() >= 0);
    let mut mem: *mut c_void = null_mut();
    // SAFETY: out-pointers are live locals; the mapping is used within its size.
    unsafe {
        assert_eq!(ultra_numa_alloc_onnode(10_000, 0, 0, &mut mem), ULTRA_OK);
        mem.cast::<u8>().write_bytes(1, 10_000);
        let mut node = -1;
        assert_eq!(ultra_numa_node_of(mem, &mut node), ULTRA_OK);
        assert_eq!(node, 0);
        expect(
            ultra_numa_free(mem, 9_999),
            ULTRA_ERR_INVALID_ARGUMENT,
            "not 9999",
        );
        assert_eq!(ultra_numa_free(mem, 10_000), ULTRA_OK);
        expect(
            ultra_numa_free(mem, 10_000),
            ULTRA_ERR_INVALID_ARGUMENT,
            "not a live",
        );
        let mut huge: *mut c_void = null_mut();
        assert_eq!(
            ultra_numa_alloc_onnode(
                1,
                -1,
                ULTRA_NUMA_HUGE_PAGES | ULTRA_NUMA_INTERLEAVE,
                &mut huge
            ),
            ULTRA_OK
        );
        assert_eq!(huge as usize % (2 << 20), 0);
        assert_eq!(ultra_numa_free(huge, 1), ULTRA_OK);
    }
}

#[test]
fn numa_bad_input() {
    let mut mem: *mut c_void = null_mut();
    let mut node = 0i32;
    // SAFETY: out-pointers are live locals or NULL.
    unsafe {
        expect(
            ultra_numa_alloc_onnode(0, -1, 0, &mut mem),
            ULTRA_ERR_INVALID_ARGUMENT,
            "length must be > 0",
        );
        expect(
            ultra_numa_alloc_onnode(usize::MAX, -1, 0, &mut mem),
            ULTRA_ERR_INVALID_ARGUMENT,
            "too large",
        );
        expect(
            ultra_numa_alloc_onnode(64, 3000, 0, &mut mem),
            ULTRA_ERR_INVALID_ARGUMENT,
            "node 3000",
        );
        expect(
            ultra_numa_alloc_onnode(64, -2, 0, &mut mem),
            ULTRA_ERR_INVALID_ARGUMENT,
            "-2",
        );
        expect(
            ultra_numa_alloc_onnode(64, -1, 4, &mut mem),
            ULTRA_ERR_INVALID_ARGUMENT,
            "unknown flags",
        );
        expect(
            ultra_numa_alloc_onnode(64, -1, 0, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT,
            "out",
        );
        assert!(mem.is_null(), "nothing written on error");
        expect(
            ultra_numa_node_of(null_mut(), &mut node),
            ULTRA_ERR_NULL_ARGUMENT,
            "ptr",
        );
        expect(
            ultra_numa_node_of(&node as *const i32 as *const c_void, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT,
            "node",
        );
        assert_eq!(ultra_numa_free(null_mut(), 5), ULTRA_OK);
    }
}

#[test]
fn pool_through_the_abi() {
    let mut pool: *mut ultra_pool_t = null_mut();
    // SAFETY: handles come from ultra_pool_new; out-pointers are live locals.
    unsafe {
        assert_eq!(ultra_pool_new(40, 8, -1, &mut pool), ULTRA_OK);
        let a = ultra_pool_alloc(pool);
        let b = ultra_pool_alloc(pool);
        assert!(!a.is_null() && !b.is_null() && a != b);
        a.cast::<u8>().write_bytes(7, 40);
        let mut st = ultra_pool_stats_t::default();
        assert_eq!(ultra_pool_stats(pool, &mut st), ULTRA_OK);
        assert_eq!(
            (st.live_objects, st.slabs, st.object_stride, st.nodes_used),
            (2, 1, 40, 1)
        );
        let mut bytes = 0usize;
        let node = ultra_numa_current_node();
        assert_eq!(ultra_pool_node_bytes(pool, node, &mut bytes), ULTRA_OK);
        assert_eq!(bytes, st.reserved_bytes);
        expect(
            ultra_pool_node_bytes(pool, -1, &mut bytes),
            ULTRA_ERR_INVALID_ARGUMENT,
            ">= 0",
        );
        // Freed on another thread.
        let (pa, aa) = (pool as usize, a as usize);
        std::thread::spawn(move || {
            assert_eq!(ultra_pool_free(pa as *mut _, aa as *mut _), ULTRA_OK)
        })
        .join()
        .unwrap();
        assert_eq!(ultra_pool_free(pool, b), ULTRA_OK);
        assert_eq!(ultra_pool_free(pool, null_mut()), ULTRA_OK);
        assert_eq!(ultra_pool_stats(pool, &mut st), ULTRA_OK);
        assert_eq!(st.live_objects, 0);
        ultra_pool_destroy(pool);
        ultra_pool_destroy(null_mut());
    }
}

#[test]
fn pool_bad_input() {
    let mut pool: *mut ultra_pool_t = null_mut();
    // SAFETY: out-pointers are live locals or NULL; handles are valid or NULL.
    unsafe {
        expect(
            ultra_pool_new(0, 8, -1, &mut pool),
            ULTRA_ERR_INVALID_ARGUMENT,
            "object size must be > 0",
        );
        expect(
            ultra_pool_new(usize::MAX, 8, -1, &mut pool),
            ULTRA_ERR_INVALID_ARGUMENT,
            "exceeds",
        );
        expect(
            ultra_pool_new(64, 24, -1, &mut pool),
            ULTRA_ERR_INVALID_ARGUMENT,
            "power of two",
        );
        expect(
            ultra_pool_new(64, 8, 512, &mut pool),
            ULTRA_ERR_INVALID_ARGUMENT,
            "node 512",
        );
        expect(
            ultra_pool_new(64, 8, -1, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT,
            "out",
        );
        assert!(pool.is_null());
        assert!(ultra_pool_alloc(null_mut()).is_null());
        assert!(last_error().contains("ultra_pool_alloc"));
        expect(
            ultra_pool_free(null_mut(), 8 as *mut c_void),
            ULTRA_ERR_NULL_ARGUMENT,
            "pool",
        );
        expect(
            ultra_pool_stats(null_mut(), &mut ultra_pool_stats_t::default()),
            ULTRA_ERR_NULL_ARGUMENT,
            "pool",
        );

        assert_eq!(ultra_pool_new(64, 16, -1, &mut pool), ULTRA_OK);
        let a = ultra_pool_alloc(pool);
        expect(
            ultra_pool_stats(pool, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT,
            "out",
        );
        if cfg!(debug_assertions) {
            let mut local = [0u64; 8];
            expect(
                ultra_pool_free(pool, local.as_mut_ptr().cast()),
                ULTRA_ERR_INVALID_ARGUMENT,
                "not an object",
            );
            expect(
                ultra_pool_free(pool, a.cast::<u8>().add(1).cast()),
                ULTRA_ERR_INVALID_ARGUMENT,
                "not an object",
            );
        }
        let mut st = ultra_pool_stats_t::default();
        assert_eq!(ultra_pool_stats(pool, &mut st), ULTRA_OK);
        assert_eq!(st.live_objects, 1, "state intact after rejected frees");
        assert_eq!(ultra_pool_free(pool, a), ULTRA_OK);
        ultra_pool_destroy(pool);
    }
}

#[test]
fn arena_through_the_abi() {
    let mut arena: *mut ultra_arena_t = null_mut();
    // SAFETY: handles from ultra_arena_new; out-pointers are live locals.
    unsafe {
        expect(
            ultra_arena_new(0, -1, &mut arena),
            ULTRA_ERR_INVALID_ARGUMENT,
            "chunk size",
        );
        expect(
            ultra_arena_new(4096, 99, &mut arena),
            ULTRA_ERR_INVALID_ARGUMENT,
            "node 99",
        );
        expect(
            ultra_arena_new(4096, -1, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT,
            "out",
        );
        assert!(arena.is_null());
        assert_eq!(ultra_arena_new(4096, 0, &mut arena), ULTRA_OK);
        let a = ultra_arena_alloc(arena, 10, 1);
        let b = ultra_arena_alloc(arena, 8, 64);
        assert!(!a.is_null() && (b as usize).is_multiple_of(64) && b as usize > a as usize);
        let big = ultra_arena_alloc(arena, 100_000, 16);
        assert!(!big.is_null());
        big.cast::<u8>().write_bytes(3, 100_000);
        let (mut used, mut reserved) = (0usize, 0usize);
        assert_eq!(ultra_arena_usage(arena, &mut used, &mut reserved), ULTRA_OK);
        assert!(used >= 100_018 && reserved >= 104_096);
        assert!(ultra_arena_alloc(arena, 0, 8).is_null());
        assert!(last_error().contains("size must be > 0"));
        assert!(ultra_arena_alloc(arena, 8, 12).is_null());
        assert!(last_error().contains("alignment 12"));
        assert!(ultra_arena_alloc(arena, usize::MAX - 8, 8).is_null());
        assert!(ultra_arena_alloc(null_mut(), 8, 8).is_null());
        expect(
            ultra_arena_usage(arena, null_mut(), &mut reserved),
            ULTRA_ERR_NULL_ARGUMENT,
            "used",
        );
        assert_eq!(ultra_arena_reset(arena), ULTRA_OK);
        assert_eq!(
            ultra_arena_alloc(arena, 10, 1),
            a,
            "reset reuses the first chunk"
        );
        expect(
            ultra_arena_reset(null_mut()),
            ULTRA_ERR_NULL_ARGUMENT,
            "arena",
        );
        ultra_arena_free(arena);
        ultra_arena_free(null_mut());
    }
}
