//! NUMA-aware allocation: topology, node-bound and huge-page memory,
//! lock-free object pools and per-request arenas.
//!
//! # Layers
//!
//! - [`os`] — the primitive layer: `mmap`, `mbind`, `get_mempolicy`,
//!   `madvise`, `getcpu` through `libc::syscall`, behind one written contract.
//!   "No NUMA" is one more backend: binding reports
//!   [`Error::Unavailable`](crate::Error::Unavailable), plain pages work.
//! - [`topology`](mod@topology) — nodes, CPUs, memory and distances from sysfs (or hwloc
//!   with the `hwloc` feature), and the [`placement`] decisions as plain
//!   functions over a [`Topology`] so synthetic topologies can test them.
//! - [`node`] — [`Pages`] (an owned mapping) and [`NodeMemory`], the page
//!   allocator for one node; [`node_of`] verifies placement.
//! - [`pool`] — [`Pool`]: fixed-size objects from node-local slabs.
//! - [`arena`] — [`Arena`]: bump allocation over node-local chunks.
//! - [`api2`] — `allocator-api2` impls for `&Pool` and `&Arena`.
//!
//! # The pool
//!
//! A pool carves slabs (256 KiB by default, aligned to their size, mapped on
//! one node) into `blocks` objects of `stride = round_up(size, align)` bytes.
//! Each block has a 32-bit id `slab << block_bits | index`; its "next" link
//! lives in a side table of atomics beside the slab, never inside the block,
//! so stale reads never see user data. Free blocks sit in one of three places:
//!
//! 1. a thread's **magazine** (a plain `Vec` of pointers, the design of
//!    J. Bonwick and J. Adams, *Magazines and Vmem*, USENIX ATC 2001): the
//!    hot path is a `Vec::pop` / `Vec::push` with no atomic read-modify-write;
//! 2. the **shared free list** of the block's node: a Treiber stack of ids
//!    with a 32-bit version tag in the same 64-bit word, so a pop that
//!    raced with other pops and pushes fails its CAS instead of corrupting
//!    the list (ABA; see [`freelist`]). Magazines move `batch` blocks at a
//!    time with one CAS;
//! 3. not yet carved: a new slab is mapped (under a mutex, rarely) when the
//!    node's list is empty.
//!
//! A free from any thread goes into that thread's magazine if the block lives
//! on the magazine's node, else straight onto the list of the block's node
//! (read from the slab header at `ptr & !(slab_bytes - 1)`), so memory always
//! returns to its node. A magazine holding `2 × batch` blocks flushes its
//! `batch` oldest to its node's list.
//!
//! Invariants (checked by the stress tests through [`PoolStats`]):
//!
//! - `slabs × objects_per_slab = live + Σ|shared lists| + Σ|magazines|`
//! - every block id is in exactly one of: a list, a magazine, a user's hands
//! - `node(block) = node(slab)` and a block on node `n`'s list has node `n`
//!
//! # The arena
//!
//! `cur ≤ end` inside the current chunk; `alloc` aligns `cur` up, checks
//! `size ≤ end − cur` and bumps: a handful of instructions. A miss moves to
//! the next kept chunk or maps a new one (`max(chunk_size, size + align)`).
//! [`Arena::reset`] (O(1)) points `cur` back at the first chunk and keeps
//! every chunk for reuse; the borrow checker guarantees no reference into
//! the arena survives it.
//!
//! # C ABI
//!
//! `ultra_numa_*`, `ultra_pool_*` and `ultra_arena_*` in
//! [`ffi::alloc`](crate::ffi::alloc).

pub mod api2;
pub mod arena;
pub mod freelist;
#[cfg(feature = "hwloc")]
pub mod hwloc;
pub mod node;
pub mod os;
pub mod pool;
pub mod topology;

pub use arena::{Arena, ArenaConfig};
pub use node::{MapOptions, NodeMemory, Pages, node_of, topology};
pub use os::{Huge, Policy};
pub use pool::{LocalCache, Placement, Pool, PoolBox, PoolConfig, PoolStats};
pub use topology::{NumaNode, Source, Topology, placement};
