//! A bump allocator over node-local chunks for request-scoped data.
//!
//! See the [module docs](super) for the algorithm and its invariants.

use std::alloc::Layout;
use std::cell::{Cell, UnsafeCell};
use std::ptr::NonNull;

use super::node::{MapOptions, Pages, topology};
use super::os::Policy;
use crate::error::{Error, Result};

/// How to build an [`Arena`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArenaConfig {
    /// Bytes per chunk (> 0; rounded up to the page size). Larger requests
    /// get a chunk of their own size.
    pub chunk_size: usize,
    /// `Some(n)`: chunks bound to node `n`; `None`: first-touch (the node of
    /// the thread using the arena).
    pub node: Option<usize>,
    /// Back chunks with huge pages.
    pub huge: bool,
}

impl ArenaConfig {
    /// Chunks of `chunk_size` bytes, local placement, normal pages.
    pub fn new(chunk_size: usize) -> Self {
        ArenaConfig {
            chunk_size,
            node: None,
            huge: false,
        }
    }
}

/// A bump allocator: allocation moves a cursor, [`Arena::reset`] frees
/// everything at once in O(1) and keeps the chunks for reuse. `Send`, not
/// `Sync` (one thread at a time). Values placed in the arena are never
/// dropped.
pub struct Arena {
    /// Next free byte of the current chunk.
    cur: Cell<usize>,
    /// End of the current chunk.
    end: Cell<usize>,
    /// Index of the current chunk in `chunks`.
    idx: Cell<usize>,
    /// Chunks in use order; only ever appended to or inserted into.
    chunks: UnsafeCell<Vec<Pages>>,
    opts: MapOptions,
    chunk_size: usize,
}

impl std::fmt::Debug for Arena {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Arena")
            .field("chunk_size", &self.chunk_size)
            .field("chunks", &self.chunk_count())
            .finish_non_exhaustive()
    }
}

impl Arena {
    /// An arena for `cfg`, with its first chunk mapped. `InvalidArgument`
    /// for a zero or absurd chunk size or a node that does not exist;
    /// `Unavailable` when a node is named and the kernel has no NUMA support.
    pub fn new(cfg: ArenaConfig) -> Result<Arena> {
        if cfg.chunk_size == 0 {
            return Err(Error::invalid("arena chunk size must be > 0"));
        }
        let policy = match cfg.node {
            Some(n) => {
                topology().check_node(n)?;
                Policy::Bind(n)
            }
            None => Policy::Default,
        };
        let opts = MapOptions {
            policy,
            huge: cfg.huge,
        };
        let first = Pages::map(cfg.chunk_size, &opts)?;
        let (cur, end) = (
            first.as_ptr() as usize,
            first.as_ptr() as usize + first.mapped_len(),
        );
        Ok(Arena {
            cur: Cell::new(cur),
            end: Cell::new(end),
            idx: Cell::new(0),
            chunks: UnsafeCell::new(vec![first]),
            opts,
            chunk_size: cfg.chunk_size,
        })
    }

    /// Allocate `layout` (uninitialised). `InvalidArgument` never (a
    /// `Layout` is valid by construction); `OutOfMemory` when a new chunk
    /// cannot be mapped.
    #[inline]
    pub fn alloc_layout(&self, layout: Layout) -> Result<NonNull<u8>> {
        let cur = self.cur.get();
        let start = cur.wrapping_add(layout.align() - 1) & !(layout.align() - 1);
        let end = self.end.get();
        if start >= cur && start <= end && layout.size() <= end - start {
            self.cur.set(start + layout.size());
            // SAFETY: start lies inside a live chunk, so it is non-null.
            return Ok(unsafe { NonNull::new_unchecked(start as *mut u8) });
        }
        self.alloc_slow(layout)
    }

    #[cold]
    fn alloc_slow(&self, layout: Layout) -> Result<NonNull<u8>> {
        let need = layout
            .size()
            .checked_add(layout.align())
            .ok_or_else(|| Error::invalid("allocation size overflows"))?;
        // SAFETY: `chunks` is only reached through &self on this thread
        // (Arena is !Sync) and no reference into the Vec escapes.
        let chunks = unsafe { &mut *self.chunks.get() };
        let mut next = self.idx.get() + 1;
        // Skip kept chunks too small for this request (they stay for later).
        while next < chunks.len() && chunks[next].mapped_len() < need {
            next += 1;
        }
        if next == chunks.len() {
            let size = need.max(self.chunk_size);
            chunks.push(Pages::map(size, &self.opts)?);
        }
        let c = &chunks[next];
        self.idx.set(next);
        self.cur.set(c.as_ptr() as usize);
        self.end.set(c.as_ptr() as usize + c.mapped_len());
        self.alloc_layout(layout)
    }

    /// Move `value` into the arena. It is never dropped.
    #[allow(clippy::mut_from_ref)] // distinct memory per call, like bumpalo
    pub fn alloc<T>(&self, value: T) -> Result<&mut T> {
        let p = self.alloc_layout(Layout::new::<T>())?.cast::<T>();
        // SAFETY: fresh, aligned, exclusively ours until reset (&mut self).
        unsafe {
            p.as_ptr().write(value);
            Ok(&mut *p.as_ptr())
        }
    }

    /// Copy `s` into the arena.
    #[allow(clippy::mut_from_ref)] // distinct memory per call, like bumpalo
    pub fn alloc_str(&self, s: &str) -> Result<&mut str> {
        let bytes = self.alloc_slice_copy(s.as_bytes())?;
        // SAFETY: a byte-for-byte copy of a valid str.
        Ok(unsafe { std::str::from_utf8_unchecked_mut(bytes) })
    }

    /// Copy `src` into the arena.
    #[allow(clippy::mut_from_ref)] // distinct memory per call, like bumpalo
    pub fn alloc_slice_copy<T: Copy>(&self, src: &[T]) -> Result<&mut [T]> {
        let layout = Layout::for_value(src);
        let p = self.alloc_layout(layout)?.cast::<T>();
        // SAFETY: room for src.len() Ts, aligned, not overlapping src.
        unsafe {
            std::ptr::copy_nonoverlapping(src.as_ptr(), p.as_ptr(), src.len());
            Ok(std::slice::from_raw_parts_mut(p.as_ptr(), src.len()))
        }
    }

    /// A slice of `len` values made by `f(index)`.
    #[allow(clippy::mut_from_ref)] // distinct memory per call, like bumpalo
    pub fn alloc_slice_fill_with<T>(
        &self,
        len: usize,
        mut f: impl FnMut(usize) -> T,
    ) -> Result<&mut [T]> {
        let layout = Layout::array::<T>(len).map_err(|_| Error::invalid("slice too large"))?;
        let p = self.alloc_layout(layout)?.cast::<T>();
        for i in 0..len {
            // SAFETY: i < len, inside the fresh allocation.
            unsafe { p.as_ptr().add(i).write(f(i)) };
        }
        // SAFETY: all len elements were initialised above.
        Ok(unsafe { std::slice::from_raw_parts_mut(p.as_ptr(), len) })
    }

    /// Try to grow the most recent allocation `ptr` of `old` bytes to `new`
    /// bytes in place; true on success.
    pub(crate) fn grow_last(&self, ptr: NonNull<u8>, old: usize, new: usize) -> bool {
        let p = ptr.as_ptr() as usize;
        if p + old == self.cur.get() && new <= self.end.get() - p {
            self.cur.set(p + new);
            true
        } else {
            false
        }
    }

    /// Give back the most recent allocation `ptr` of `size` bytes (no-op if
    /// it is not the most recent).
    pub(crate) fn free_last(&self, ptr: NonNull<u8>, size: usize) {
        if ptr.as_ptr() as usize + size == self.cur.get() {
            self.cur.set(ptr.as_ptr() as usize);
        }
    }

    /// Free everything allocated so far in O(1); chunks are kept for reuse.
    pub fn reset(&mut self) {
        let first = &self.chunks.get_mut()[0];
        let (start, end) = (
            first.as_ptr() as usize,
            first.as_ptr() as usize + first.mapped_len(),
        );
        self.idx.set(0);
        self.cur.set(start);
        self.end.set(end);
    }

    /// Chunks mapped.
    pub fn chunk_count(&self) -> usize {
        // SAFETY: shared read on the owning thread; no &mut is live.
        unsafe { (*self.chunks.get()).len() }
    }

    /// Bytes mapped for chunks.
    pub fn reserved_bytes(&self) -> usize {
        // SAFETY: as in chunk_count.
        unsafe { (*self.chunks.get()).iter().map(|c| c.mapped_len()).sum() }
    }

    /// Bytes handed out since the last reset, including alignment padding
    /// (and the unused tails of chunks left behind).
    pub fn used_bytes(&self) -> usize {
        // SAFETY: as in chunk_count.
        let chunks = unsafe { &*self.chunks.get() };
        let idx = self.idx.get();
        let before: usize = chunks[..idx].iter().map(|c| c.mapped_len()).sum();
        before + (self.cur.get() - chunks[idx].as_ptr() as usize)
    }

    /// The node the arena's chunks are bound to, if any.
    pub fn node(&self) -> Option<usize> {
        match self.opts.policy {
            Policy::Bind(n) => Some(n),
            _ => None,
        }
    }
}
