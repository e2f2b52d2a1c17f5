//! loom models of the pool's lock-free free list (ABA) and of cross-thread
//! frees through per-thread magazines.
//!
//! `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release --test loom_alloc`
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use ultra::alloc::freelist::{Chain, Links, NONE, TaggedStack};
use ultra::alloc::{Pool, PoolConfig};
use ultra::sync::{AtomicU32, AtomicUsize, Ordering};

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(3);
    b.check(f);
}

struct Side(Vec<AtomicU32>);
impl Links for Side {
    fn next(&self, id: u32) -> &AtomicU32 {
        &self.0[id as usize]
    }
}

/// Every id is owned by at most one thread at a time: popping sets its bit,
/// pushing clears it. Without the tag, thread 1's stale pop (`head = 0, next
/// = 1`) racing with thread 2's `pop 0, pop 1, push 0` would hand out 1 twice.
struct Owned(AtomicUsize);
impl Owned {
    fn take(&self, l: &Side, c: Chain) {
        let mut id = c.first;
        for i in 0..c.len {
            let bit = 1 << id;
            assert_eq!(
                self.0.fetch_or(bit, Ordering::Relaxed) & bit,
                0,
                "id {id} handed out twice"
            );
            if i + 1 < c.len {
                id = l.next(id).load(Ordering::Relaxed);
            }
        }
        assert_eq!(id, c.last);
    }
    fn give(&self, id: u32) {
        self.0.fetch_and(!(1 << id), Ordering::Relaxed);
    }
}

#[test]
fn tagged_stack_defeats_aba() {
    model(|| {
        let links = Arc::new(Side((0..3).map(|_| AtomicU32::new(NONE)).collect()));
        let stack = Arc::new(TaggedStack::new());
        let owned = Arc::new(Owned(AtomicUsize::new(0)));
        for id in (0..3).rev() {
            stack.push(
                Chain {
                    first: id,
                    last: id,
                    len: 1,
                },
                &*links,
            );
        }
        let t = {
            let (links, stack, owned) = (links.clone(), stack.clone(), owned.clone());
            thread::spawn(move || {
                if let Some(c) = stack.pop(1, &*links) {
                    owned.take(&links, c);
                    owned.give(c.first);
                    stack.push(c, &*links);
                }
            })
        };
        // pop 0, pop 1, push 0 back (the classic ABA sequence), then 1.
        let a = stack.pop(1, &*links).unwrap();
        owned.take(&links, a);
        let b = stack.pop(1, &*links);
        if let Some(b) = b {
            owned.take(&links, b);
        }
        owned.give(a.first);
        stack.push(a, &*links);
        if let Some(b) = b {
            owned.give(b.first);
            stack.push(b, &*links);
        }
        t.join().unwrap();
        let all = stack.pop(10, &*links).unwrap();
        owned.take(&links, all);
        assert_eq!(all.len, 3);
        assert!(stack.pop(1, &*links).is_none());
    });
}

#[test]
fn batch_pop_races_with_push() {
    model(|| {
        let links = Arc::new(Side((0..4).map(|_| AtomicU32::new(NONE)).collect()));
        let stack = Arc::new(TaggedStack::new());
        let owned = Arc::new(Owned(AtomicUsize::new(0)));
        // 0 -> 1 on the stack; 2 -> 3 held by the pusher.
        links.next(0).store(1, Ordering::Relaxed);
        stack.push(
            Chain {
                first: 0,
                last: 1,
                len: 2,
            },
            &*links,
        );
        owned.0.store(0b1100, Ordering::Relaxed);
        let t = {
            let (links, stack, owned) = (links.clone(), stack.clone(), owned.clone());
            thread::spawn(move || {
                links.next(2).store(3, Ordering::Relaxed);
                owned.give(2);
                owned.give(3);
                stack.push(
                    Chain {
                        first: 2,
                        last: 3,
                        len: 2,
                    },
                    &*links,
                );
            })
        };
        let mut got = 0;
        while got < 4 {
            match stack.pop(3, &*links) {
                Some(c) => {
                    owned.take(&links, c);
                    got += c.len;
                }
                None => thread::yield_now(),
            }
        }
        t.join().unwrap();
        assert_eq!(owned.0.load(Ordering::Relaxed), 0b1111);
    });
}

/// Blocks allocated on one thread are freed on another through its own
/// magazine while the first keeps allocating: no block is handed out twice
/// and every block comes back.
#[test]
fn cross_thread_free_through_magazines() {
    model(|| {
        let cfg = PoolConfig::new(1024, 8)
            .slab_bytes(4096)
            .max_slabs(1)
            .batch(1);
        let pool = Arc::new(Pool::new(cfg).unwrap());
        let per_slab = pool.objects_per_slab();
        let mut mine = pool.local_cache();
        let a = mine.alloc().unwrap();
        let b = mine.alloc().unwrap();
        // Bit i set: the other thread has started freeing block i (a, b).
        let released = Arc::new(AtomicUsize::new(0));
        let t = {
            let (pool, released) = (pool.clone(), released.clone());
            let (a, b) = (a.as_ptr() as usize, b.as_ptr() as usize);
            thread::spawn(move || {
                let mut theirs = pool.local_cache();
                for (i, p) in [a, b].into_iter().enumerate() {
                    // Relaxed is enough: the block can only come back to the
                    // main thread through the free list's Release/Acquire.
                    released.fetch_or(1 << i, Ordering::Relaxed);
                    // SAFETY: allocated by the main thread and handed to us.
                    unsafe {
                        theirs
                            .free(std::ptr::NonNull::new(p as *mut u8).unwrap())
                            .unwrap()
                    };
                }
            })
        };
        let x = mine.alloc().unwrap();
        let rel = released.load(Ordering::Relaxed);
        assert!(
            x != a || rel & 1 != 0,
            "block a handed out before it was freed"
        );
        assert!(
            x != b || rel & 2 != 0,
            "block b handed out before it was freed"
        );
        t.join().unwrap();
        let y = mine.alloc().unwrap();
        assert_ne!(x, y);
        let stats = pool.stats();
        assert_eq!(stats.live_objects, 2);
        assert_eq!(stats.free_objects, per_slab - 2);
        for p in [x, y] {
            // SAFETY: allocated above, freed once.
            unsafe { mine.free(p).unwrap() };
        }
        drop(mine);
        assert_eq!(pool.stats().live_objects, 0);
    });
}
