//! Pools and arenas: behaviour, bad input, cross-thread stress with pattern
//! checks, placement, hashbrown on top.

use std::collections::HashSet;
use std::ptr::NonNull;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ultra::ErrorKind;
use ultra::alloc::{Arena, ArenaConfig, Placement, Pool, PoolBox, PoolConfig, node_of, topology};

fn pool(size: usize, align: usize) -> Pool {
    Pool::new(PoolConfig::new(size, align)).unwrap()
}

#[test]
fn alloc_free_and_stats() {
    let p = pool(64, 64);
    assert_eq!((p.object_size(), p.align(), p.stride()), (64, 64, 64));
    let blocks: Vec<_> = (0..1000).map(|_| p.alloc().unwrap()).collect();
    let set: HashSet<_> = blocks.iter().map(|b| b.as_ptr() as usize).collect();
    assert_eq!(set.len(), 1000);
    assert!(
        blocks
            .iter()
            .all(|b| (b.as_ptr() as usize).is_multiple_of(64) && p.owns(b.as_ptr()))
    );
    let s = p.stats();
    assert_eq!(s.live_objects, 1000);
    assert_eq!(
        s.slabs * p.objects_per_slab(),
        s.live_objects + s.free_objects
    );
    assert_eq!(
        s.reserved_bytes,
        s.node_bytes.iter().map(|(_, b)| b).sum::<usize>()
    );
    for b in blocks {
        // SAFETY: allocated above, freed once.
        unsafe { p.free(b).unwrap() };
    }
    assert_eq!(p.stats().live_objects, 0);
}

#[test]
fn odd_sizes_and_alignments() {
    for (size, align) in [(1, 1), (3, 1), (24, 8), (100, 4), (4096, 4096), (70000, 16)] {
        let p = pool(size, align);
        let mut c = p.local_cache();
        let v: Vec<_> = (0..50).map(|_| c.alloc().unwrap()).collect();
        for (i, b) in v.iter().enumerate() {
            assert_eq!(b.as_ptr() as usize % align, 0);
            // SAFETY: each block has `size` writable bytes.
            unsafe { b.as_ptr().write_bytes(i as u8, size) };
        }
        for (i, b) in v.iter().enumerate() {
            // SAFETY: as above.
            let s = unsafe { std::slice::from_raw_parts(b.as_ptr(), size) };
            assert!(
                s.iter().all(|&x| x == i as u8),
                "size {size} align {align}: overlap"
            );
        }
        for b in v {
            // SAFETY: allocated from this pool.
            unsafe { c.free(b).unwrap() };
        }
        drop(c);
        assert_eq!(p.stats().live_objects, 0);
    }
}

#[test]
fn bad_config_is_rejected() {
    let bad = |cfg: PoolConfig| Pool::new(cfg).unwrap_err().kind();
    assert_eq!(bad(PoolConfig::new(0, 8)), ErrorKind::InvalidArgument);
    assert_eq!(
        bad(PoolConfig::new(usize::MAX, 8)),
        ErrorKind::InvalidArgument
    );
    assert_eq!(bad(PoolConfig::new(1 << 40, 8)), ErrorKind::InvalidArgument);
    assert_eq!(bad(PoolConfig::new(64, 3)), ErrorKind::InvalidArgument);
    assert_eq!(bad(PoolConfig::new(64, 0)), ErrorKind::InvalidArgument);
    assert_eq!(
        bad(PoolConfig::new(64, 8).placement(Placement::Node(999))),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        bad(PoolConfig::new(64, 8).slab_bytes(5000)),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        bad(PoolConfig::new(64, 8).max_slabs(0)),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn exhaustion_is_an_error_and_recovers() {
    let p = Pool::new(PoolConfig::new(1024, 8).slab_bytes(8192).max_slabs(2)).unwrap();
    let cap = 2 * p.objects_per_slab();
    let v: Vec<_> = (0..cap).map(|_| p.alloc().unwrap()).collect();
    let e = p.alloc().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfMemory);
    assert!(e.to_string().contains("exhausted"), "{e}");
    // SAFETY: allocated above.
    unsafe { p.free(v[0]).unwrap() };
    let again = p.alloc().unwrap();
    assert_eq!(again, v[0]);
    for b in v.into_iter().skip(1).chain([again]) {
        // SAFETY: allocated above, freed once.
        unsafe { p.free(b).unwrap() };
    }
}

#[cfg(debug_assertions)]
#[test]
fn foreign_pointers_are_detected_in_debug() {
    let p = pool(64, 16);
    let q = pool(64, 16);
    let mine = p.alloc().unwrap();
    let mut local = [0u64; 16];
    let foreign = NonNull::new(local.as_mut_ptr().cast::<u8>()).unwrap();
    // SAFETY: the debug check rejects these before anything changes.
    unsafe {
        assert_eq!(
            p.free(foreign).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(q.free(mine).unwrap_err().kind(), ErrorKind::InvalidArgument);
        let inside = NonNull::new(mine.as_ptr().add(8)).unwrap();
        assert_eq!(
            p.free(inside).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        p.free(mine).unwrap();
    }
    assert_eq!(p.stats().live_objects, 0);
}

struct Counted<'a>(&'a AtomicUsize, [u64; 4]);
impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn pool_box_drops_and_returns() {
    let p = pool(64, 8);
    let drops = AtomicUsize::new(0);
    {
        let mut b = PoolBox::new_in(Counted(&drops, [1, 2, 3, 4]), &p).unwrap();
        b.1[0] = 9;
        assert_eq!(b.1, [9, 2, 3, 4]);
        assert_eq!(p.stats().live_objects, 1);
        let moved = std::thread::scope(|s| s.spawn(move || b.1[0]).join().unwrap());
        assert_eq!(moved, 9);
    }
    assert_eq!(drops.load(Ordering::Relaxed), 1);
    assert_eq!(p.stats().live_objects, 0);
    assert_eq!(
        PoolBox::new_in([0u8; 65], &p).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    #[derive(Debug)]
    #[repr(align(64))]
    struct Big(#[allow(dead_code)] u8);
    assert_eq!(
        PoolBox::new_in(Big(0), &p).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

/// Several threads allocate, stamp and hand blocks to another thread, which
/// checks the stamp and frees: no block is ever handed out twice, every block
/// comes back, and memory stays on its node.
#[test]
fn cross_thread_stress() {
    const THREADS: usize = 4;
    let per_thread = if cfg!(debug_assertions) {
        20_000
    } else {
        200_000
    };
    let p = Pool::new(PoolConfig::new(48, 16).batch(32)).unwrap();
    let live: Mutex<HashSet<usize>> = Mutex::new(HashSet::new());
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..THREADS)
        .map(|_| std::sync::mpsc::channel::<usize>())
        .unzip();
    std::thread::scope(|s| {
        for (t, rx) in rxs.into_iter().enumerate() {
            let tx = txs[(t + 1) % THREADS].clone();
            let (p, live) = (&p, &live);
            s.spawn(move || {
                for i in 0..per_thread {
                    let b = p.alloc().unwrap();
                    assert!(
                        live.lock().unwrap().insert(b.as_ptr() as usize),
                        "block handed out twice"
                    );
                    let stamp = ((t as u64) << 32) | i as u64;
                    // SAFETY: 48 writable bytes, ours until sent.
                    unsafe { b.as_ptr().cast::<[u64; 6]>().write([stamp; 6]) };
                    tx.send(b.as_ptr() as usize).unwrap();
                    // Free what others sent us, on this thread.
                    while let Ok(a) = rx.try_recv() {
                        check_and_free(p, live, a);
                    }
                }
                drop(tx);
                for a in rx {
                    check_and_free(p, live, a);
                }
            });
        }
        drop(txs);
    });
    assert!(live.lock().unwrap().is_empty());
    let s = p.stats();
    assert_eq!(s.live_objects, 0, "{s:?}");
    assert_eq!(s.free_objects, s.slabs * p.objects_per_slab());
}

fn check_and_free(p: &Pool, live: &Mutex<HashSet<usize>>, a: usize) {
    let b = NonNull::new(a as *mut u8).unwrap();
    // SAFETY: the block was stamped by its allocator and handed to us.
    let words = unsafe { b.as_ptr().cast::<[u64; 6]>().read() };
    assert!(
        words.iter().all(|&w| w == words[0]),
        "block corrupted: {words:x?}"
    );
    assert!(live.lock().unwrap().remove(&a));
    // SAFETY: ours now; freed once.
    unsafe { p.free(b).unwrap() };
}

#[test]
fn node_bound_pool_places_every_block_on_its_node() {
    for node in topology().memory_nodes() {
        let p = match Pool::new(PoolConfig::new(256, 64).placement(Placement::Node(node))) {
            Err(e) if e.kind() == ErrorKind::Unavailable => return eprintln!("skipping: {e}"),
            r => r.unwrap(),
        };
        let v: Vec<_> = (0..3000).map(|_| p.alloc().unwrap()).collect();
        for b in &v {
            // SAFETY: 256 writable bytes.
            unsafe { b.as_ptr().write_bytes(1, 256) };
            assert_eq!(node_of(b.as_ptr()).unwrap(), node);
            // SAFETY: a block of this pool.
            assert_eq!(unsafe { p.node_of(*b) }, node);
        }
        // Freed on another thread, the blocks return to this node's list.
        std::thread::scope(|s| {
            let addrs: Vec<usize> = v.iter().map(|b| b.as_ptr() as usize).collect();
            let p = &p;
            s.spawn(move || {
                for a in addrs {
                    // SAFETY: allocated above; freed once.
                    unsafe { p.free(NonNull::new(a as *mut u8).unwrap()).unwrap() };
                }
            });
        });
        let st = p.stats();
        assert_eq!(st.live_objects, 0);
        assert_eq!(st.node_bytes, vec![(node, st.reserved_bytes)]);
    }
}

#[test]
fn arena_bumps_aligns_and_resets() {
    let mut a = Arena::new(ArenaConfig::new(4096)).unwrap();
    let first = a.alloc(7u8).unwrap() as *mut u8 as usize;
    let x = a.alloc(0x1122_3344_5566_7788u64).unwrap();
    assert_eq!(x as *mut u64 as usize % 8, 0);
    let s = a.alloc_str("hello, arena").unwrap();
    assert_eq!(s, "hello, arena");
    let v = a.alloc_slice_copy(&[1u32, 2, 3]).unwrap();
    v[1] = 20;
    assert_eq!(v, &[1, 20, 3]);
    let sq = a.alloc_slice_fill_with(5, |i| i * i).unwrap();
    assert_eq!(sq, &[0, 1, 4, 9, 16]);
    // Spill into new chunks, including one larger than the chunk size.
    let big = a.alloc_slice_fill_with(10_000, |i| i as u8).unwrap();
    assert_eq!(big[9_999], (9_999 % 256) as u8);
    for _ in 0..100 {
        a.alloc([0u8; 100]).unwrap();
    }
    assert!(a.chunk_count() >= 3);
    let chunks = a.chunk_count();
    a.reset();
    assert_eq!(a.used_bytes(), 0);
    assert_eq!(a.alloc(1u8).unwrap() as *mut u8 as usize, first);
    for _ in 0..100 {
        a.alloc([0u8; 100]).unwrap();
    }
    assert_eq!(a.chunk_count(), chunks, "reset keeps and reuses chunks");
    assert_eq!(
        Arena::new(ArenaConfig::new(0)).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let bad_node = ArenaConfig {
        node: Some(4242),
        ..ArenaConfig::new(4096)
    };
    assert_eq!(
        Arena::new(bad_node).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let huge = std::alloc::Layout::from_size_align(1 << 62, 8).unwrap();
    assert!(a.alloc_layout(huge).is_err());
}

#[test]
fn arena_on_a_node_and_zero_sizes() {
    let node = topology().memory_nodes()[0];
    let a = match Arena::new(ArenaConfig {
        node: Some(node),
        ..ArenaConfig::new(1 << 16)
    }) {
        Err(e) if e.kind() == ErrorKind::Unavailable => return eprintln!("skipping: {e}"),
        r => r.unwrap(),
    };
    let s = a.alloc_slice_fill_with(1000, |i| i as u64).unwrap();
    assert_eq!(node_of(s.as_ptr().cast()).unwrap(), node);
    assert_eq!(a.node(), Some(node));
    let z = a
        .alloc_layout(std::alloc::Layout::from_size_align(0, 1).unwrap())
        .unwrap();
    assert!(
        a.used_bytes() < 1000 * 8 + 8,
        "zero-size allocation took no space"
    );
    let _ = z;
}

#[test]
fn hashbrown_tables_in_arena_and_pool() {
    let a = Arena::new(ArenaConfig::new(1 << 16)).unwrap();
    let mut m = hashbrown::HashMap::new_in(&a);
    for i in 0..5000u32 {
        m.insert(i, i * 2);
    }
    assert!((0..5000u32).all(|i| m[&i] == i * 2));
    assert!(a.used_bytes() > 5000 * 8);
    drop(m);

    let p = pool(4096, 64);
    {
        let mut m = hashbrown::HashMap::with_capacity_in(64, &p);
        for i in 0..64u64 {
            m.insert(i, i + 1);
        }
        assert!((0..64u64).all(|i| m[&i] == i + 1));
        assert_eq!(p.stats().live_objects, 1);
        // Growing past one object is refused, not corrupted.
        let mut too_big =
            hashbrown::HashMap::<u64, u64, hashbrown::DefaultHashBuilder, _>::with_hasher_in(
                Default::default(),
                &p,
            );
        let r: Result<(), _> = too_big.try_reserve(10_000);
        assert!(r.is_err());
    }
    assert_eq!(p.stats().live_objects, 0);
}
