//! The stable C ABI: a thin translation layer over the Rust API.
//!
//! `include/ultra.h` is generated from this module by cbindgen
//! (`ULTRA_BLESS=1 cargo test --test header` rewrites it). Conventions
//! (DESIGN.md, "C ABI conventions"):
//!
//! - objects are opaque handles made by `ultra_<thing>_new(..., &out)` and
//!   released by `ultra_<thing>_free` (NULL is a no-op);
//! - fallible calls return [`ultra_status`]; results go
//!   through out-pointers; variable-size results use `(out, cap, &written)`
//!   and report `ULTRA_ERR_BUFFER_TOO_SMALL` with the size needed;
//! - every entry point checks its pointers (`ULTRA_ERR_NULL_ARGUMENT`) before
//!   changing anything, catches panics (`ULTRA_ERR_PANIC`), and leaves a
//!   message for `ultra_last_error` on every failure.

pub mod alloc;
pub mod cache;
pub mod common;
pub mod core;
pub mod cuda;
pub mod json;
pub mod ring;

pub use common::{ultra_status, ultra_str_t};
