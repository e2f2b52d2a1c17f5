//! # ultra
//!
//! Hot-path building blocks for API gateways, as a Rust library with a stable
//! C ABI (`libultra.so`, `include/ultra.h`, `include/ultra.hpp`).
//!
//! | module | what it gives |
//! | --- | --- |
//! | [`cache`] | sharded in-process cache: TTL, weight budgets, adaptive S3-FIFO eviction, prefix invalidation, single-flight loads |
//! | [`alloc`] | NUMA topology, node-bound and huge pages, lock-free object pools, arenas |
//! | [`ring`] | bounded SPSC and MPMC rings, plus byte-record rings for C |
//! | [`cuda`] | GPU discovery, streams, pooled device and pinned memory, top-k / decay kernels with CPU fallbacks |
//! | [`json`] | SIMD JSON: validate, parse, lazy lookup, projection, minify, NDJSON, writer |
//!
//! Every fallible call returns [`Result`] with the crate's one [`Error`],
//! whose [`ErrorKind`] is the C status code. The C ABI lives in [`ffi`].
//!
//! ultra has no runtime: no global constructors, no background threads, no
//! executor. Every object is created and destroyed by the caller.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs, clippy::undocumented_unsafe_blocks)]

pub mod alloc;
pub mod cache;
pub mod cuda;
pub mod error;
pub mod ffi;
pub mod json;
pub mod ring;
pub mod sync;

pub use error::{Error, ErrorKind, Result};
