//! The std / loom switch.
//!
//! Lock-free code in ultra takes its atomics, cells, locks, `Arc` and threads
//! only from this module. A normal build re-exports `std` (and `parking_lot`
//! for locks); a build with `RUSTFLAGS="--cfg loom"` re-exports
//! [loom](https://docs.rs/loom)'s model-checked replacements, so every
//! interleaving of a small model in `tests/loom_*.rs` is explored against the
//! very code that ships.
//!
//! The one API difference loom imposes is on `UnsafeCell`: loom tracks each
//! access, so the cell is only reachable through `with` / `with_mut`
//! closures. [`UnsafeCell`] here offers that same API over `std`'s cell so that
//! callers are written once.

#[cfg(not(loom))]
pub use std::sync::atomic::{
    AtomicBool, AtomicI64, AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
};

#[cfg(loom)]
pub use loom::sync::atomic::{
    AtomicBool, AtomicI64, AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
};

#[cfg(not(loom))]
pub use std::sync::Arc;

#[cfg(loom)]
pub use loom::sync::Arc;

/// Threads (std, or loom's modelled threads).
pub mod thread {
    #[cfg(not(loom))]
    pub use std::thread::{JoinHandle, spawn, yield_now};

    #[cfg(loom)]
    pub use loom::thread::{JoinHandle, spawn, yield_now};
}

/// Tell the CPU (or loom's scheduler) that we are spinning on a value another
/// thread will change.
#[inline]
pub fn spin_loop() {
    #[cfg(not(loom))]
    std::hint::spin_loop();
    #[cfg(loom)]
    loom::thread::yield_now();
}

/// A mutex whose `lock` never fails (poisoning is not part of ultra's model):
/// `parking_lot::Mutex` normally, loom's mutex under `cfg(loom)`.
#[derive(Debug, Default)]
pub struct Mutex<T> {
    #[cfg(not(loom))]
    inner: parking_lot::Mutex<T>,
    #[cfg(loom)]
    inner: loom::sync::Mutex<T>,
}

/// Guard returned by [`Mutex::lock`].
#[cfg(not(loom))]
pub type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;
/// Guard returned by [`Mutex::lock`].
#[cfg(loom)]
pub type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    /// A new unlocked mutex holding `value`.
    pub fn new(value: T) -> Self {
        Self {
            #[cfg(not(loom))]
            inner: parking_lot::Mutex::new(value),
            #[cfg(loom)]
            inner: loom::sync::Mutex::new(value),
        }
    }

    /// Lock, blocking until the lock is free.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        #[cfg(not(loom))]
        {
            self.inner.lock()
        }
        #[cfg(loom)]
        {
            self.inner.lock().unwrap_or_else(|e| e.into_inner())
        }
    }
}

/// A reader-writer lock whose `read` / `write` never fail:
/// `parking_lot::RwLock` normally, loom's `RwLock` under `cfg(loom)`.
#[derive(Debug, Default)]
pub struct RwLock<T> {
    #[cfg(not(loom))]
    inner: parking_lot::RwLock<T>,
    #[cfg(loom)]
    inner: loom::sync::RwLock<T>,
}

/// Shared guard returned by [`RwLock::read`].
#[cfg(not(loom))]
pub type RwLockReadGuard<'a, T> = parking_lot::RwLockReadGuard<'a, T>;
/// Shared guard returned by [`RwLock::read`].
#[cfg(loom)]
pub type RwLockReadGuard<'a, T> = loom::sync::RwLockReadGuard<'a, T>;
/// Exclusive guard returned by [`RwLock::write`].
#[cfg(not(loom))]
pub type RwLockWriteGuard<'a, T> = parking_lot::RwLockWriteGuard<'a, T>;
/// Exclusive guard returned by [`RwLock::write`].
#[cfg(loom)]
pub type RwLockWriteGuard<'a, T> = loom::sync::RwLockWriteGuard<'a, T>;

impl<T> RwLock<T> {
    /// A new unlocked lock holding `value`.
    pub fn new(value: T) -> Self {
        Self {
            #[cfg(not(loom))]
            inner: parking_lot::RwLock::new(value),
            #[cfg(loom)]
            inner: loom::sync::RwLock::new(value),
        }
    }

    /// Lock for shared reading, blocking while a writer holds it.
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        #[cfg(not(loom))]
        {
            self.inner.read()
        }
        #[cfg(loom)]
        {
            self.inner.read().unwrap_or_else(|e| e.into_inner())
        }
    }

    /// Lock for exclusive writing, blocking while anyone else holds it.
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        #[cfg(not(loom))]
        {
            self.inner.write()
        }
        #[cfg(loom)]
        {
            self.inner.write().unwrap_or_else(|e| e.into_inner())
        }
    }
}

/// An `UnsafeCell` reachable only through closures, identical under std and loom.
#[derive(Debug)]
pub struct UnsafeCell<T> {
    #[cfg(not(loom))]
    inner: core::cell::UnsafeCell<T>,
    #[cfg(loom)]
    inner: loom::cell::UnsafeCell<T>,
}

impl<T> UnsafeCell<T> {
    /// Wrap `value`.
    pub fn new(value: T) -> Self {
        Self {
            #[cfg(not(loom))]
            inner: core::cell::UnsafeCell::new(value),
            #[cfg(loom)]
            inner: loom::cell::UnsafeCell::new(value),
        }
    }

    /// Unwrap the value.
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T> UnsafeCell<T> {
    /// Run `f` with a shared raw pointer to the contents.
    #[inline(always)]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        #[cfg(not(loom))]
        {
            f(self.inner.get())
        }
        #[cfg(loom)]
        {
            self.inner.with(f)
        }
    }

    /// Run `f` with a mutable raw pointer to the contents.
    #[inline(always)]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        #[cfg(not(loom))]
        {
            f(self.inner.get())
        }
        #[cfg(loom)]
        {
            self.inner.with_mut(f)
        }
    }
}

/// A cache-line padded value (128 bytes on x86-64 and aarch64, where the
/// adjacent-line prefetcher pairs lines), from crossbeam-utils.
pub use crossbeam_utils::CachePadded;
