//! Time for expiry: an injectable monotonic clock.
//!
//! The cache never spawns a timer thread. It reads [`Clock::now_nanos`] lazily:
//! on every insert (to stamp the entry), and on a read only when the entry
//! found carries an expiry, or when the caller asks for the age
//! ([`Cache::get_entry`](super::Cache::get_entry)). Tests inject a
//! [`ManualClock`] and move time by hand, so TTL behaviour is tested without
//! sleeping.

use std::fmt;
use std::time::{Duration, Instant};

use crate::sync::{AtomicU64, Ordering};

/// "Never expires", as an absolute deadline in clock nanoseconds.
pub(crate) const NEVER: u64 = u64::MAX;

/// A monotonic source of time in nanoseconds since an arbitrary origin.
///
/// Implementations must never go backwards (the cache treats `now >= deadline`
/// as expired and computes ages as `now - inserted`, saturating at 0).
pub trait Clock: Send + Sync + fmt::Debug {
    /// Nanoseconds since this clock's origin.
    fn now_nanos(&self) -> u64;
}

/// The default clock: [`Instant`] since the clock was made.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose origin is now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now_nanos(&self) -> u64 {
        // Saturates after 584 years of uptime.
        u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX - 1)
    }
}

/// A clock that moves only when told to: for tests and simulations.
///
/// Share it with the cache through an `Arc` (`Cache::builder().clock(arc)`)
/// and keep a clone to call [`advance`](Self::advance).
#[derive(Debug)]
pub struct ManualClock {
    /// Nanoseconds since the origin. `Relaxed` is enough: the value is the
    /// whole message, no other memory is published with it.
    now: AtomicU64,
}

impl ManualClock {
    /// A clock standing at 0.
    pub fn new() -> Self {
        Self {
            now: AtomicU64::new(0),
        }
    }

    /// Move time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.now.fetch_add(by, Ordering::Relaxed);
    }

    /// Set the time to `nanos` since the origin; ignored if that would go back.
    pub fn set_nanos(&self, nanos: u64) {
        self.now.fetch_max(nanos, Ordering::Relaxed);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now_nanos(&self) -> u64 {
        self.now.load(Ordering::Relaxed)
    }
}

/// Duration to clock nanoseconds, saturating below [`NEVER`].
pub(crate) fn to_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos())
        .unwrap_or(NEVER - 1)
        .min(NEVER - 1)
}

/// The absolute deadline of an entry stamped at `now` with `ttl` (nanos).
pub(crate) fn deadline(now: u64, ttl: Option<u64>) -> u64 {
    match ttl {
        None => NEVER,
        Some(t) => now.saturating_add(t).min(NEVER - 1),
    }
}
