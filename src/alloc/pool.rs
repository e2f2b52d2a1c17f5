//! Fixed-size object pools: node-local slabs, per-thread magazines, one
//! lock-free tagged free list per node.
//!
//! See the [module docs](super) for the algorithm and its invariants.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

use super::freelist::{Chain, Links, NONE, TaggedStack};
use super::node::{MapOptions, Pages, topology};
use super::os::{self, Policy};
use super::topology::placement;
use crate::error::{Error, ErrorKind, Result};
use crate::sync::{
    Arc, AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, CachePadded, Mutex, Ordering,
};

/// Largest object a pool serves (1 GiB); larger sizes are rejected as absurd.
pub const MAX_OBJECT_SIZE: usize = 1 << 30;

/// Where a pool's slabs live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// On the node of the thread that needs a new slab (`MPOL_PREFERRED`
    /// when the machine has several nodes).
    Local,
    /// Bound to this node (`MPOL_BIND`).
    Node(usize),
}

/// How to build a [`Pool`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolConfig {
    /// Size of one object in bytes, `1 ..= MAX_OBJECT_SIZE`.
    pub object_size: usize,
    /// Alignment of every object, a power of two.
    pub align: usize,
    /// Where slabs are placed.
    pub placement: Placement,
    /// Bytes per slab (a power of two); 0 picks 256 KiB or more so a slab
    /// holds at least 8 objects (2 MiB or more with huge pages).
    pub slab_bytes: usize,
    /// The most slabs the pool may map; allocation fails with
    /// [`Error::Full`] beyond. Default 4096.
    pub max_slabs: usize,
    /// Back slabs with huge pages (explicit, else transparent).
    pub huge: bool,
    /// Blocks moved between a magazine and the shared list at once; 0 picks
    /// `clamp(128 KiB / stride, 8, 512)` (a magazine holds up to twice that).
    pub batch: usize,
}

impl PoolConfig {
    /// Objects of `object_size` bytes aligned to `align`, local placement,
    /// other settings automatic.
    pub fn new(object_size: usize, align: usize) -> Self {
        PoolConfig {
            object_size,
            align,
            placement: Placement::Local,
            slab_bytes: 0,
            max_slabs: 4096,
            huge: false,
            batch: 0,
        }
    }

    /// Set the placement.
    pub fn placement(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    /// Set the slab size in bytes (a power of two).
    pub fn slab_bytes(mut self, bytes: usize) -> Self {
        self.slab_bytes = bytes;
        self
    }

    /// Set the slab limit.
    pub fn max_slabs(mut self, n: usize) -> Self {
        self.max_slabs = n;
        self
    }

    /// Ask for huge pages.
    pub fn huge(mut self, huge: bool) -> Self {
        self.huge = huge;
        self
    }

    /// Set the magazine batch.
    pub fn batch(mut self, batch: usize) -> Self {
        self.batch = batch;
        self
    }
}

/// A snapshot of a pool's counters (exact when no thread is mid-operation).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolStats {
    /// Objects handed out and not yet freed.
    pub live_objects: usize,
    /// Objects ready to hand out (shared lists and magazines).
    pub free_objects: usize,
    /// Slabs mapped.
    pub slabs: usize,
    /// Bytes mapped for slabs.
    pub reserved_bytes: usize,
    /// Bytes of slabs per node: `(node, bytes)` for nodes holding slabs.
    pub node_bytes: Vec<(usize, usize)>,
}

/// Written at the start of every slab, before it is published; immutable
/// until the pool is dropped.
#[repr(C)]
struct SlabHeader {
    idx: u32,
    node: u32,
}

struct Slab {
    pages: Pages,
    node: usize,
    /// Next-links of the slab's blocks (see `freelist`).
    links: Box<[AtomicU32]>,
}

/// State shared by a pool's handle and every thread's magazine.
struct Shared {
    object_size: usize,
    align: usize,
    stride: usize,
    slab_bytes: usize,
    first_off: usize,
    blocks: usize,
    block_bits: u32,
    batch: usize,
    huge: bool,
    placement: Placement,
    /// Several nodes may hold slabs: frees must route by node.
    multi_node: bool,
    /// `table[i]` is slab `i` for `i < nslabs`; null above.
    table: Box<[AtomicPtr<Slab>]>,
    /// Slabs published; grows only under `grow`.
    nslabs: AtomicUsize,
    grow: Mutex<()>,
    /// One free list per node id.
    stacks: Box<[CachePadded<TaggedStack>]>,
    /// Block counts of live magazines (for stats).
    mags: Mutex<Vec<Arc<AtomicUsize>>>,
    /// Set when the `Pool` handle is dropped; thread caches then let go.
    closed: AtomicBool,
}

impl Links for Shared {
    #[inline]
    fn next(&self, id: u32) -> &AtomicU32 {
        let slab = self.slab((id >> self.block_bits) as usize);
        &slab.links[(id & ((1 << self.block_bits) - 1)) as usize]
    }
}

impl Shared {
    fn new(cfg: &PoolConfig) -> Result<Shared> {
        if cfg.object_size == 0 {
            return Err(Error::invalid("object size must be > 0"));
        }
        if cfg.object_size > MAX_OBJECT_SIZE {
            return Err(Error::invalid(format!(
                "object size {} exceeds the maximum {MAX_OBJECT_SIZE}",
                cfg.object_size
            )));
        }
        if !cfg.align.is_power_of_two() || cfg.align > os::HUGE_PAGE {
            return Err(Error::invalid(format!(
                "alignment {} is not a power of two <= 2 MiB",
                cfg.align
            )));
        }
        let topo = topology();
        let home = match cfg.placement {
            Placement::Node(n) => {
                topo.check_node(n)?;
                n
            }
            Placement::Local => 0,
        };
        let stride = os::round_up(cfg.object_size, cfg.align).expect("both bounded");
        let first_off = os::round_up(size_of::<SlabHeader>(), cfg.align).expect("bounded");
        let min_slab = if cfg.huge { os::HUGE_PAGE } else { 256 << 10 };
        let slab_bytes = if cfg.slab_bytes == 0 {
            (first_off + 8 * stride).next_power_of_two().max(min_slab)
        } else {
            cfg.slab_bytes
        };
        if !slab_bytes.is_power_of_two()
            || slab_bytes < os::page_size()
            || slab_bytes < first_off + stride
        {
            return Err(Error::invalid(format!(
                "slab size {slab_bytes} must be a power of two >= the page size holding at least one object"
            )));
        }
        let blocks = (slab_bytes - first_off) / stride;
        let block_bits = usize::BITS - (blocks - 1).leading_zeros();
        let max_ids = (1usize << (32 - block_bits)) - 1;
        if cfg.max_slabs == 0 || cfg.max_slabs > max_ids.min(1 << 20) {
            return Err(Error::invalid(format!(
                "max_slabs must be in 1..={}",
                max_ids.min(1 << 20)
            )));
        }
        let batch = if cfg.batch == 0 {
            ((128 << 10) / stride).clamp(8, 512)
        } else {
            cfg.batch
        };
        let max_node = topo
            .nodes()
            .iter()
            .map(|n| n.id)
            .max()
            .unwrap_or(0)
            .max(home);
        Ok(Shared {
            object_size: cfg.object_size,
            align: cfg.align,
            stride,
            slab_bytes,
            first_off,
            blocks,
            block_bits,
            batch,
            huge: cfg.huge,
            placement: cfg.placement,
            multi_node: cfg.placement == Placement::Local && topo.memory_nodes().len() > 1,
            table: (0..cfg.max_slabs)
                .map(|_| AtomicPtr::new(std::ptr::null_mut()))
                .collect(),
            nslabs: AtomicUsize::new(0),
            grow: Mutex::new(()),
            stacks: (0..=max_node)
                .map(|_| CachePadded::new(TaggedStack::new()))
                .collect(),
            mags: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        })
    }

    /// Slab `i`, which must be published (`i < nslabs` as seen through some
    /// happens-before edge, e.g. the free list's Acquire or a user hand-off).
    #[inline]
    fn slab(&self, i: usize) -> &Slab {
        // Relaxed: the caller already synchronised with the Release store that
        // published slab `i` (see above), so coherence guarantees we see it.
        let p = self.table[i].load(Ordering::Relaxed);
        debug_assert!(!p.is_null());
        // SAFETY: published slabs live until `Shared` is dropped.
        unsafe { &*p }
    }

    #[inline]
    fn ptr_of(&self, id: u32) -> NonNull<u8> {
        let slab = self.slab((id >> self.block_bits) as usize);
        let block = (id & ((1 << self.block_bits) - 1)) as usize;
        // SAFETY: block < blocks, so the offset lies inside the slab mapping.
        unsafe {
            NonNull::new_unchecked(
                slab.pages
                    .as_ptr()
                    .add(self.first_off + block * self.stride),
            )
        }
    }

    #[inline]
    fn header(&self, p: NonNull<u8>) -> &SlabHeader {
        let base = p.as_ptr() as usize & !(self.slab_bytes - 1);
        // SAFETY: `p` is a block of this pool (caller's contract), so its
        // slab-aligned base is a slab start holding a header written before
        // the slab was published and never changed.
        unsafe { &*(base as *const SlabHeader) }
    }

    #[inline]
    fn id_of(&self, p: NonNull<u8>) -> u32 {
        let base = p.as_ptr() as usize & !(self.slab_bytes - 1);
        let block = (p.as_ptr() as usize - base - self.first_off) / self.stride;
        (self.header(p).idx << self.block_bits) | block as u32
    }

    /// Whether `p` is the start of a block of this pool (O(slabs)).
    fn owns(&self, p: *const u8) -> bool {
        // Acquire: pairs with the Release publication in `new_slab`.
        let n = self.nslabs.load(Ordering::Acquire);
        let addr = p as usize;
        (0..n).any(|i| {
            // Acquire: as above, per slab.
            let slab = self.table[i].load(Ordering::Acquire);
            // SAFETY: i < nslabs, so the slab is published and alive.
            let start = unsafe { (*slab).pages.as_ptr() } as usize + self.first_off;
            addr >= start
                && addr < start + self.blocks * self.stride
                && (addr - start).is_multiple_of(self.stride)
        })
    }

    /// Map, register and publish a slab on `node`; returns its blocks as a
    /// chain (internally linked).
    fn new_slab(&self, node: usize) -> Result<Chain> {
        let _g = self.grow.lock();
        // Relaxed: nslabs only changes under `grow`, which we hold.
        let idx = self.nslabs.load(Ordering::Relaxed);
        if idx >= self.table.len() {
            return Err(Error::Full);
        }
        let policy = match self.placement {
            Placement::Node(n) => Policy::Bind(n),
            Placement::Local if self.multi_node => Policy::Preferred(node),
            Placement::Local => Policy::Default,
        };
        let opts = MapOptions {
            policy,
            huge: self.huge,
        };
        let pages = match Pages::map_aligned(self.slab_bytes, self.slab_bytes, &opts) {
            Err(e) if e.kind() == ErrorKind::Unavailable && self.placement == Placement::Local => {
                Pages::map_aligned(
                    self.slab_bytes,
                    self.slab_bytes,
                    &MapOptions {
                        policy: Policy::Default,
                        ..opts
                    },
                )?
            }
            r => r?,
        };
        // SAFETY: the fresh mapping is slab-aligned, writable and ours alone.
        unsafe {
            pages.as_ptr().cast::<SlabHeader>().write(SlabHeader {
                idx: idx as u32,
                node: node as u32,
            })
        };
        let id = |b: usize| ((idx as u32) << self.block_bits) | b as u32;
        let links = (0..self.blocks)
            .map(|b| AtomicU32::new(if b + 1 < self.blocks { id(b + 1) } else { NONE }))
            .collect();
        let slab = Box::into_raw(Box::new(Slab { pages, node, links }));
        // Release: publishes the slab (header, links) to `owns`/`stats`
        // readers that Acquire-load it.
        self.table[idx].store(slab, Ordering::Release);
        // Release: pairs with the Acquire loads of nslabs in owns/stats.
        self.nslabs.store(idx + 1, Ordering::Release);
        Ok(Chain {
            first: id(0),
            last: id(self.blocks - 1),
            len: self.blocks,
        })
    }

    /// Link `ptrs` into a chain and push it on `node`'s list.
    fn push_ptrs(&self, node: usize, ptrs: &[NonNull<u8>]) {
        let Some((&last, rest)) = ptrs.split_last() else {
            return;
        };
        let mut next = self.id_of(last);
        let last_id = next;
        for &p in rest.iter().rev() {
            let id = self.id_of(p);
            // Relaxed: published by the push's Release CAS.
            self.next(id).store(next, Ordering::Relaxed);
            next = id;
        }
        self.stacks[node].push(
            Chain {
                first: next,
                last: last_id,
                len: ptrs.len(),
            },
            self,
        );
    }

    fn stats(&self) -> PoolStats {
        // Acquire: pairs with new_slab's Release.
        let n = self.nslabs.load(Ordering::Acquire);
        let mut node_bytes: Vec<(usize, usize)> = Vec::new();
        for i in 0..n {
            // Acquire: as above.
            // SAFETY: published slabs live as long as `self`.
            let node = unsafe { (*self.table[i].load(Ordering::Acquire)).node };
            match node_bytes.iter_mut().find(|(nd, _)| *nd == node) {
                Some((_, b)) => *b += self.slab_bytes,
                None => node_bytes.push((node, self.slab_bytes)),
            }
        }
        node_bytes.sort_unstable();
        let stacked: usize = self.stacks.iter().map(|s| s.len()).sum();
        let held: usize = self
            .mags
            .lock()
            .iter()
            .map(|h| h.load(Ordering::Relaxed))
            .sum();
        let capacity = n * self.blocks;
        let free = (stacked + held).min(capacity);
        PoolStats {
            live_objects: capacity - free,
            free_objects: free,
            slabs: n,
            reserved_bytes: n * self.slab_bytes,
            node_bytes,
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        for slot in self.table.iter() {
            // Relaxed: we are the last owner (`&mut self`).
            let p = slot.load(Ordering::Relaxed);
            if !p.is_null() {
                // SAFETY: made by Box::into_raw in new_slab, freed once here.
                drop(unsafe { Box::from_raw(p) });
            }
        }
    }
}

/// A thread's cache of free blocks of one pool (all on one node).
struct Magazine {
    items: Vec<NonNull<u8>>,
    node: usize,
    /// `items.len()`, published for statistics.
    held: Arc<AtomicUsize>,
}

impl Magazine {
    fn new(shared: &Shared) -> Magazine {
        let node = match shared.placement {
            Placement::Node(n) => n,
            Placement::Local if shared.multi_node => {
                let topo = topology();
                let cur = topo.current_node();
                placement::fallback_order(topo, cur)
                    .first()
                    .copied()
                    .unwrap_or(cur)
            }
            Placement::Local => 0,
        };
        let held = Arc::new(AtomicUsize::new(0));
        shared.mags.lock().push(held.clone());
        Magazine {
            items: Vec::with_capacity(2 * shared.batch + 1),
            node,
            held,
        }
    }

    #[inline]
    fn alloc(&mut self, shared: &Shared) -> Result<NonNull<u8>> {
        match self.items.pop() {
            Some(p) => {
                self.held.store(self.items.len(), Ordering::Relaxed);
                Ok(p)
            }
            None => self.refill(shared),
        }
    }

    #[cold]
    fn refill(&mut self, shared: &Shared) -> Result<NonNull<u8>> {
        let chain = match shared.stacks[self.node].pop(shared.batch, shared) {
            Some(c) => c,
            None => match shared.new_slab(self.node) {
                Ok(c) => c,
                Err(Error::Full) => {
                    // Out of slabs: take free blocks from the nearest other node.
                    let topo = topology();
                    placement::fallback_order(topo, self.node)
                        .into_iter()
                        .filter(|&n| n < shared.stacks.len())
                        .find_map(|n| shared.stacks[n].pop(shared.batch, shared))
                        .ok_or_else(|| {
                            Error::out_of_memory(format!(
                                "pool exhausted: all {} slabs in use",
                                shared.table.len()
                            ))
                        })?
                }
                Err(e) => return Err(e),
            },
        };
        let (take, rest) = if chain.len > shared.batch {
            let mut last = chain.first;
            for _ in 1..shared.batch {
                // Relaxed: the chain is ours (popped or fresh).
                last = shared.next(last).load(Ordering::Relaxed);
            }
            let next = shared.next(last).load(Ordering::Relaxed);
            let rest = Chain {
                first: next,
                last: chain.last,
                len: chain.len - shared.batch,
            };
            (
                Chain {
                    first: chain.first,
                    last,
                    len: shared.batch,
                },
                Some(rest),
            )
        } else {
            (chain, None)
        };
        if let Some(rest) = rest {
            shared.stacks[self.node].push(rest, shared);
        }
        let mut id = take.first;
        for i in 0..take.len {
            self.items.push(shared.ptr_of(id));
            if i + 1 < take.len {
                // Relaxed: the chain is ours.
                id = shared.next(id).load(Ordering::Relaxed);
            }
        }
        self.alloc(shared)
    }

    #[inline]
    fn free(&mut self, shared: &Shared, p: NonNull<u8>) {
        if shared.multi_node {
            let node = shared.header(p).node as usize;
            if node != self.node {
                shared.push_ptrs(node, &[p]);
                return;
            }
        }
        if self.items.len() >= 2 * shared.batch {
            self.flush(shared, shared.batch);
        }
        self.items.push(p);
        self.held.store(self.items.len(), Ordering::Relaxed);
    }

    /// Return the `n` oldest blocks to the node's shared list.
    #[cold]
    fn flush(&mut self, shared: &Shared, n: usize) {
        let n = n.min(self.items.len());
        shared.push_ptrs(self.node, &self.items[..n]);
        self.items.drain(..n);
        self.held.store(self.items.len(), Ordering::Relaxed);
    }

    fn release(&mut self, shared: &Shared) {
        self.flush(shared, self.items.len());
        shared.mags.lock().retain(|h| !Arc::ptr_eq(h, &self.held));
    }
}

/// A fixed-size, fixed-alignment object pool. `Send + Sync`: share it by
/// reference (or `Arc`) between threads; any thread may free any object.
pub struct Pool {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("object_size", &self.shared.object_size)
            .field("align", &self.shared.align)
            .field("placement", &self.shared.placement)
            .finish_non_exhaustive()
    }
}

// SAFETY: all shared state is atomics, mutexes and immutable slab memory;
// block pointers are handed out, never dereferenced by the pool.
unsafe impl Send for Pool {}
// SAFETY: as above.
unsafe impl Sync for Pool {}
// SAFETY: as above; Shared lives behind Arc in pools and thread caches.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

struct TlsEntry {
    shared: Arc<Shared>,
    mag: Magazine,
}

impl Drop for TlsEntry {
    fn drop(&mut self) {
        self.mag.release(&self.shared);
    }
}

thread_local! {
    /// This thread's magazines, most recently used pool first.
    static CACHES: RefCell<Vec<TlsEntry>> = const { RefCell::new(Vec::new()) };
}

impl Pool {
    /// A pool for `cfg`. `InvalidArgument` for a zero or absurd size, an
    /// alignment that is not a power of two, a bad slab size or a node that
    /// does not exist; `Unavailable` when a node is named and the kernel has
    /// no NUMA support (the first slab is mapped eagerly for a named node).
    pub fn new(cfg: PoolConfig) -> Result<Pool> {
        let shared = Shared::new(&cfg)?;
        if let Placement::Node(n) = cfg.placement {
            let chain = shared.new_slab(n)?;
            shared.stacks[n].push(chain, &shared);
        }
        Ok(Pool {
            shared: Arc::new(shared),
        })
    }

    /// Object size in bytes.
    pub fn object_size(&self) -> usize {
        self.shared.object_size
    }

    /// Object alignment.
    pub fn align(&self) -> usize {
        self.shared.align
    }

    /// Bytes between consecutive objects (size rounded up to the alignment).
    pub fn stride(&self) -> usize {
        self.shared.stride
    }

    /// Objects per slab.
    pub fn objects_per_slab(&self) -> usize {
        self.shared.blocks
    }

    /// Whether `layout` fits one object.
    pub fn fits(&self, layout: std::alloc::Layout) -> bool {
        layout.size() <= self.shared.object_size && layout.align() <= self.shared.align
    }

    /// Run `f` on this thread's magazine for this pool. The hit path (the
    /// pool used last on this thread) is a TLS access, a `RefCell` flag and
    /// one pointer compare, inlined into `alloc`/`free`; everything else is
    /// in [`Pool::promote`].
    #[inline]
    fn with_cache<R>(&self, f: impl FnOnce(&Shared, &mut Magazine) -> R) -> R {
        let mut f = Some(f);
        let r = CACHES.try_with(|c| {
            let mut c = c.borrow_mut();
            if !c
                .first()
                .is_some_and(|e| Arc::ptr_eq(&e.shared, &self.shared))
            {
                self.promote(&mut c);
            }
            let e = &mut c[0];
            f.take().map(|f| f(&e.shared, &mut e.mag))
        });
        match r {
            Ok(Some(r)) => r,
            // Thread-local storage is being torn down: use a one-off magazine.
            _ => {
                let mut mag = Magazine::new(&self.shared);
                let f = f.take().expect("the closure runs at most once");
                let r = f(&self.shared, &mut mag);
                mag.release(&self.shared);
                r
            }
        }
    }

    /// Put this pool's magazine first in the thread's list (creating it),
    /// dropping the magazines of pools that have been closed.
    #[cold]
    #[inline(never)]
    fn promote(&self, c: &mut Vec<TlsEntry>) {
        // Acquire: pairs with Pool::drop's Release; drops caches of dead pools.
        c.retain(|e| !e.shared.closed.load(Ordering::Acquire));
        match c.iter().position(|e| Arc::ptr_eq(&e.shared, &self.shared)) {
            Some(i) => c.swap(0, i),
            None => {
                let mag = Magazine::new(&self.shared);
                c.insert(
                    0,
                    TlsEntry {
                        shared: self.shared.clone(),
                        mag,
                    },
                );
            }
        }
    }

    /// Allocate one object (uninitialised) from the calling thread's
    /// magazine. `OutOfMemory` when the pool is exhausted (`max_slabs`
    /// reached and no free block on any node) or the OS refuses memory.
    #[inline]
    pub fn alloc(&self) -> Result<NonNull<u8>> {
        self.with_cache(|s, m| m.alloc(s))
    }

    /// Return an object to the pool, from any thread.
    ///
    /// In debug builds a pointer that is not an object of this pool is
    /// detected and rejected with `InvalidArgument` (nothing changes).
    ///
    /// # Safety
    /// `ptr` came from [`Pool::alloc`] (or a [`LocalCache`]) of this pool and
    /// is not used or freed again.
    #[inline]
    pub unsafe fn free(&self, ptr: NonNull<u8>) -> Result<()> {
        self.check_owned(ptr)?;
        self.with_cache(|s, m| m.free(s, ptr));
        Ok(())
    }

    #[inline]
    fn check_owned(&self, ptr: NonNull<u8>) -> Result<()> {
        if cfg!(debug_assertions) && !self.owns(ptr.as_ptr()) {
            return Err(Error::invalid(format!(
                "{ptr:p} is not an object of this pool"
            )));
        }
        Ok(())
    }

    /// Whether `ptr` is the start of an object of this pool (O(slabs); does
    /// not tell whether it is currently allocated).
    pub fn owns(&self, ptr: *const u8) -> bool {
        self.shared.owns(ptr)
    }

    /// An explicit per-thread cache: the fastest path, with no thread-local
    /// lookup. Its blocks go back to the shared lists when it is dropped.
    pub fn local_cache(&self) -> LocalCache<'_> {
        LocalCache {
            pool: self,
            mag: Magazine::new(&self.shared),
        }
    }

    /// Counters; exact when no other thread is mid-operation.
    pub fn stats(&self) -> PoolStats {
        self.shared.stats()
    }

    /// The node a block lives on, from its slab (no system call).
    ///
    /// # Safety
    /// `ptr` is an object of this pool.
    pub unsafe fn node_of(&self, ptr: NonNull<u8>) -> usize {
        self.shared.header(ptr).node as usize
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Release: pairs with the Acquire in other threads' cache sweeps.
        self.shared.closed.store(true, Ordering::Release);
        let _ = CACHES.try_with(|c| {
            c.borrow_mut()
                .retain(|e| !Arc::ptr_eq(&e.shared, &self.shared))
        });
    }
}

/// A per-thread magazine held explicitly (see [`Pool::local_cache`]).
/// Not `Send`: it belongs to the thread that made it.
pub struct LocalCache<'p> {
    pool: &'p Pool,
    mag: Magazine,
}

impl LocalCache<'_> {
    /// Allocate one object. See [`Pool::alloc`].
    #[inline]
    pub fn alloc(&mut self) -> Result<NonNull<u8>> {
        self.mag.alloc(&self.pool.shared)
    }

    /// Free one object into this cache. See [`Pool::free`].
    ///
    /// # Safety
    /// As for [`Pool::free`].
    #[inline]
    pub unsafe fn free(&mut self, ptr: NonNull<u8>) -> Result<()> {
        self.pool.check_owned(ptr)?;
        self.mag.free(&self.pool.shared, ptr);
        Ok(())
    }

    /// Blocks held by this cache.
    pub fn held(&self) -> usize {
        self.mag.items.len()
    }
}

impl Drop for LocalCache<'_> {
    fn drop(&mut self) {
        self.mag.release(&self.pool.shared);
    }
}

/// An owned `T` living in a pool object; dropped and returned on drop.
pub struct PoolBox<'p, T> {
    ptr: NonNull<T>,
    pool: &'p Pool,
    _own: PhantomData<T>,
}

// SAFETY: a PoolBox owns its T like a Box; the pool accepts frees from any thread.
unsafe impl<T: Send> Send for PoolBox<'_, T> {}
// SAFETY: &PoolBox only gives &T.
unsafe impl<T: Sync> Sync for PoolBox<'_, T> {}

impl<'p, T> PoolBox<'p, T> {
    /// Move `value` into an object of `pool`. `InvalidArgument` if `T` does
    /// not fit the pool's size or alignment.
    pub fn new_in(value: T, pool: &'p Pool) -> Result<Self> {
        if !pool.fits(std::alloc::Layout::new::<T>()) {
            return Err(Error::invalid(format!(
                "a {} of {} bytes (align {}) does not fit the pool's objects ({} bytes, align {})",
                std::any::type_name::<T>(),
                size_of::<T>(),
                align_of::<T>(),
                pool.object_size(),
                pool.align()
            )));
        }
        let ptr = pool.alloc()?.cast::<T>();
        // SAFETY: fresh object, large and aligned enough for T.
        unsafe { ptr.as_ptr().write(value) };
        Ok(PoolBox {
            ptr,
            pool,
            _own: PhantomData,
        })
    }

    /// The address of the object.
    pub fn as_ptr(this: &Self) -> *const T {
        this.ptr.as_ptr()
    }
}

impl<T> Deref for PoolBox<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: initialised in new_in, owned until drop.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> DerefMut for PoolBox<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: initialised in new_in, uniquely owned.
        unsafe { self.ptr.as_mut() }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for PoolBox<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl<T> Drop for PoolBox<'_, T> {
    fn drop(&mut self) {
        // SAFETY: the object holds an initialised T that we own; after the
        // drop it is returned exactly once.
        unsafe {
            self.ptr.as_ptr().drop_in_place();
            let _ = self.pool.free(self.ptr.cast());
        }
    }
}
