//! Allocation benchmarks: ultra's pool and arena against the system
//! allocator, mimalloc, jemalloc (tikv-jemallocator) and bumpalo, same loops,
//! same run.
//!
//! `cargo bench --bench alloc`

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossbeam_queue::ArrayQueue;
use mimalloc::MiMalloc;
use tikv_jemallocator::Jemalloc;
use ultra::alloc::{Arena, ArenaConfig, Pool, PoolConfig};

/// One allocator under test: a size-fixed alloc/free pair.
trait Peer: Sync {
    fn alloc(&self, l: Layout) -> *mut u8;
    /// # Safety
    /// `p` came from `alloc` with the same layout.
    unsafe fn free(&self, p: *mut u8, l: Layout);
}

macro_rules! global_peer {
    ($t:ty) => {
        impl Peer for $t {
            #[inline]
            fn alloc(&self, l: Layout) -> *mut u8 {
                // SAFETY: non-zero layouts only.
                unsafe { GlobalAlloc::alloc(self, l) }
            }
            #[inline]
            unsafe fn free(&self, p: *mut u8, l: Layout) {
                // SAFETY: per the trait contract.
                unsafe { GlobalAlloc::dealloc(self, p, l) }
            }
        }
    };
}
global_peer!(System);
global_peer!(MiMalloc);
global_peer!(Jemalloc);

impl Peer for Pool {
    #[inline]
    fn alloc(&self, _: Layout) -> *mut u8 {
        Pool::alloc(self).unwrap().as_ptr()
    }
    #[inline]
    unsafe fn free(&self, p: *mut u8, _: Layout) {
        // SAFETY: per the trait contract.
        unsafe { Pool::free(self, std::ptr::NonNull::new_unchecked(p)).unwrap() }
    }
}

fn pool(size: usize) -> Pool {
    Pool::new(PoolConfig::new(size, 16)).unwrap()
}

fn single_thread(c: &mut Criterion) {
    for size in [64usize, 256] {
        let l = Layout::from_size_align(size, 16).unwrap();
        let p = pool(size);
        let peers: [(&str, &dyn Peer); 4] = [
            ("ultra_pool", &p),
            ("system", &System),
            ("mimalloc", &MiMalloc),
            ("jemalloc", &Jemalloc),
        ];
        let mut g = c.benchmark_group(format!("pair_{size}"));
        // The explicit per-thread cache: same loop without the thread-local lookup.
        g.bench_function("ultra_pool_local", |b| {
            let mut cache = p.local_cache();
            b.iter(|| {
                let x = cache.alloc().unwrap();
                black_box(x);
                // SAFETY: just allocated.
                unsafe { cache.free(x).unwrap() };
            })
        });
        for (name, a) in peers {
            g.bench_function(name, |b| {
                b.iter(|| {
                    let x = a.alloc(l);
                    black_box(x);
                    // SAFETY: just allocated with `l`.
                    unsafe { a.free(x, l) };
                })
            });
        }
        g.finish();

        let mut g = c.benchmark_group(format!("batch1000_{size}"));
        let mut v = Vec::with_capacity(1000);
        g.bench_function("ultra_pool_local", |b| {
            let mut cache = p.local_cache();
            b.iter(|| {
                for _ in 0..1000 {
                    v.push(cache.alloc().unwrap());
                }
                for x in v.drain(..) {
                    // SAFETY: allocated above.
                    unsafe { cache.free(black_box(x)).unwrap() };
                }
            })
        });
        let mut v = Vec::with_capacity(1000);
        for (name, a) in peers {
            g.bench_function(name, |b| {
                b.iter(|| {
                    for _ in 0..1000 {
                        v.push(a.alloc(l));
                    }
                    for x in v.drain(..) {
                        // SAFETY: allocated above with `l`.
                        unsafe { a.free(black_box(x), l) };
                    }
                })
            });
        }
        g.finish();
    }
}

/// One thread allocates 64-byte blocks and hands them through a ring to a
/// second thread that frees them; time per 1000 blocks (thread start-up is
/// amortised over all iterations of a sample).
fn cross_thread(c: &mut Criterion) {
    let l = Layout::from_size_align(64, 16).unwrap();
    let p = pool(64);
    let peers: [(&str, &dyn Peer); 4] = [
        ("ultra_pool", &p),
        ("system", &System),
        ("mimalloc", &MiMalloc),
        ("jemalloc", &Jemalloc),
    ];
    let mut g = c.benchmark_group("cross_thread_64");
    for (name, a) in peers {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let ring = Arc::new(ArrayQueue::<usize>::new(1024));
                std::thread::scope(|s| {
                    let r = ring.clone();
                    let start = Instant::now();
                    s.spawn(move || {
                        let mut freed = 0;
                        while freed < iters * 1000 {
                            match r.pop() {
                                // SAFETY: allocated by the other thread with `l`.
                                Some(x) => unsafe {
                                    a.free(x as *mut u8, l);
                                    freed += 1;
                                },
                                None => std::hint::spin_loop(),
                            }
                        }
                    });
                    for _ in 0..iters * 1000 {
                        let mut x = a.alloc(l) as usize;
                        while let Err(back) = ring.push(x) {
                            x = back;
                            std::hint::spin_loop();
                        }
                    }
                    start
                })
                .elapsed()
            })
        });
    }
    g.finish();
}

const MIXED: [usize; 8] = [8, 24, 16, 40, 3, 64, 12, 100];

/// 1000 allocations of mixed small sizes, then a reset.
fn arena(c: &mut Criterion) {
    let mut g = c.benchmark_group("arena_mixed_1000");
    let mut ours = Arena::new(ArenaConfig::new(1 << 20)).unwrap();
    g.bench_function("ultra_arena", |b| {
        b.iter(|| {
            for i in 0..1000 {
                let l = Layout::from_size_align(MIXED[i % 8], 8).unwrap();
                black_box(ours.alloc_layout(l).unwrap());
            }
            ours.reset();
        })
    });
    let mut bump = bumpalo::Bump::with_capacity(1 << 20);
    g.bench_function("bumpalo", |b| {
        b.iter(|| {
            for i in 0..1000 {
                let l = Layout::from_size_align(MIXED[i % 8], 8).unwrap();
                black_box(bump.alloc_layout(l));
            }
            bump.reset();
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(15);
    targets = single_thread, cross_thread, arena
}
criterion_main!(benches);
