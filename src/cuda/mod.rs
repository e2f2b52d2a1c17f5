//! CUDA wrappers with CPU fallbacks: device discovery, a GPU context with
//! streams and events, a stream-ordered device memory pool, NUMA-placed
//! pinned host memory, and top-k / time-decay kernels compiled by NVRTC.
//!
//! # Loading without a GPU
//!
//! The driver (`libcuda.so`) and NVRTC are loaded at run time through
//! [cudarc](https://docs.rs/cudarc) with dynamic loading, so building needs no
//! CUDA toolkit. cudarc panics when a library is missing; ultra probes first
//! ([`probe::driver`], cached) and turns absence into
//! [`Error::Unavailable`](crate::Error::Unavailable), and runs every driver
//! call inside `catch_unwind` as a second line of defence. Without a driver,
//! [`device_count`] is 0, [`Gpu::open`] is `Unavailable`, and the CPU kernels
//! and the dispatching front ([`topk`], [`decay`]) work as usual. Without the
//! default-on `cuda` cargo feature, cudarc is not compiled at all and the GPU
//! types cannot be constructed.
//!
//! # Ranking order
//!
//! Each score gets a unique 64-bit key `order_key(x) << 32 | !index`
//! ([`cpu::rank_key`]): `order_key` is IEEE 754 `totalOrder` on numbers
//! (`-0.0` just below `+0.0`) mapped onto `1 ..= u32::MAX`, and every NaN
//! maps to 0, below every number. Top-k returns the `k` largest keys in
//! descending order, i.e. by value descending with ties broken by lower
//! index. Keys being unique makes the result deterministic and identical on
//! CPU and GPU: `topk_gpu(s, k) == topk_cpu(s, k)` for every input.
//!
//! # Algorithms
//!
//! CPU top-k ([`cpu::topk_f32`]) filters keys against a rising threshold into
//! a buffer of `2k` and compacts it with `select_nth_unstable` when full:
//! `O(n + k log k)`, no full sort. GPU top-k ([`Gpu::topk_f32`]) is a radix
//! select over the 64-bit keys, 8 bits per pass (the approach of Alabi et al.,
//! "Fast K-selection algorithms for graphics processing units", JEA 2012),
//! stopping as soon as the bucket of the k-th key is taken whole, then a
//! gather of the `k` keys `>= T` and a one-block bitonic sort. Batched top-k
//! sorts each segment in one block's shared memory. Decay is
//! `score *= 2^(-max(now - t, 0) / half_life)` computed in f64.
//!
//! # Memory
//!
//! [`Gpu`] owns a `cuMemPoolCreate` pool with `maxSize = pool_size` and the
//! configured release threshold; [`DeviceBuffer`]s come from it in stream
//! order and go back on drop. Invariant: `pool_used() <= config.pool_size`.
//! [`PinnedBuffer`]s are mmap'ed, bound to the GPU's NUMA node
//! ([`DeviceInfo::numa_node`], from sysfs), faulted in, then registered with
//! `cuMemHostRegister`.
//!
//! # Testing
//!
//! `cargo test` covers the CPU kernels (against a sort-based reference and
//! with property tests) and the no-GPU behaviour of every entry point. On a
//! machine with a GPU, the GPU suite (results equal to the CPU kernels on
//! random inputs of many sizes, pool limits, pinned memory placement) runs with
//!
//! ```text
//! cargo test --features cuda -- --ignored gpu
//! ```

pub mod cpu;
pub mod device;
mod front;
#[cfg_attr(not(feature = "cuda"), allow(dead_code))]
mod host;
pub mod pool;
pub mod probe;

#[cfg(feature = "cuda")]
mod gpu;
#[cfg(feature = "cuda")]
mod kernels;
#[cfg(feature = "cuda")]
mod memory;
#[cfg(feature = "cuda")]
mod pinned;
#[cfg(feature = "cuda")]
mod stream;

#[cfg(not(feature = "cuda"))]
mod disabled;

pub use cpu::{BatchTopK, decay_batched_f32, decay_f32, topk_batched_f32, topk_f32};
pub use device::{DeviceInfo, device_count, device_info, devices};
pub use front::{decay, decay_batched, topk, topk_batched};
pub use pool::GpuConfig;

#[cfg(not(feature = "cuda"))]
pub use disabled::{DeviceBuffer, Event, Gpu, PinnedBuffer, Stream};
#[cfg(feature = "cuda")]
pub use gpu::Gpu;
#[cfg(feature = "cuda")]
pub use memory::DeviceBuffer;
#[cfg(feature = "cuda")]
pub use pinned::PinnedBuffer;
#[cfg(feature = "cuda")]
pub use stream::{Event, Stream};
