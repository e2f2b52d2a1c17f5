//! The device memory pool's configuration and its byte budget.
//!
//! Each [`Gpu`](super::Gpu) owns a stream-ordered pool (`cuMemPoolCreate`)
//! whose `maxSize` is [`GpuConfig::pool_size`] and whose release threshold
//! (`CU_MEMPOOL_ATTR_RELEASE_THRESHOLD`) is [`GpuConfig::release_threshold`]:
//! memory freed back to the pool stays reserved up to that many bytes at each
//! synchronisation, so steady-state allocation never reaches the OS driver.
//! [`PoolBudget`] enforces the size on ultra's side too, so the limit holds
//! (with a clear `OutOfMemory`) even where the driver rounds `maxSize` up.
//! Invariant: `0 <= used <= limit` at every instant.

use crate::error::{Error, Result};
use crate::sync::{Arc, AtomicUsize, Ordering};

/// How to open a [`Gpu`](super::Gpu).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpuConfig {
    /// Most bytes the device memory pool may hand out at once (> 0).
    pub pool_size: usize,
    /// Bytes the pool keeps reserved when idle (<= `pool_size`).
    pub release_threshold: usize,
}

impl Default for GpuConfig {
    /// 256 MiB pool keeping up to 64 MiB reserved.
    fn default() -> Self {
        Self {
            pool_size: 256 << 20,
            release_threshold: 64 << 20,
        }
    }
}

impl GpuConfig {
    /// `InvalidArgument` unless `0 < pool_size` and `release_threshold <= pool_size`.
    pub fn validate(&self) -> Result<()> {
        if self.pool_size == 0 {
            return Err(Error::invalid("pool_size must be > 0"));
        }
        if self.release_threshold > self.pool_size {
            return Err(Error::invalid("release_threshold must be <= pool_size"));
        }
        Ok(())
    }
}

/// A byte budget shared by a pool and its live allocations.
#[derive(Debug)]
pub struct PoolBudget {
    used: AtomicUsize,
    limit: usize,
}

/// Bytes reserved from a [`PoolBudget`]; returned when dropped.
#[derive(Debug)]
pub struct Lease {
    budget: Arc<PoolBudget>,
    bytes: usize,
}

impl PoolBudget {
    /// A budget of `limit` bytes.
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self {
            used: AtomicUsize::new(0),
            limit,
        })
    }

    /// Reserve `bytes` of `budget`, or `OutOfMemory` (nothing reserved) if
    /// that would exceed the limit. (An associated function, not a method:
    /// loom's `Arc` cannot be a receiver.)
    pub fn reserve(budget: &Arc<Self>, bytes: usize) -> Result<Lease> {
        let this = &**budget;
        // Relaxed is enough: the counter guards no other memory, only itself,
        // and compare_exchange makes each update atomic.
        this.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                u.checked_add(bytes).filter(|&n| n <= this.limit)
            })
            .map_err(|u| {
                Error::out_of_memory(format!(
                    "device pool: {bytes} bytes requested, {u} of {} in use",
                    this.limit
                ))
            })?;
        Ok(Lease {
            budget: budget.clone(),
            bytes,
        })
    }

    /// Bytes currently reserved.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The limit in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

impl Lease {
    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_limit_holds() {
        let b = PoolBudget::new(100);
        let a = PoolBudget::reserve(&b, 60).unwrap();
        assert!(matches!(
            PoolBudget::reserve(&b, 41),
            Err(Error::OutOfMemory(_))
        ));
        assert_eq!(b.used(), 60);
        let c = PoolBudget::reserve(&b, 40).unwrap();
        assert_eq!(b.used(), 100);
        drop(a);
        assert_eq!(b.used(), 40);
        assert!(PoolBudget::reserve(&b, usize::MAX).is_err());
        drop(c);
        assert_eq!(b.used(), 0);
    }

    #[test]
    fn config_validation() {
        assert!(GpuConfig::default().validate().is_ok());
        let bad = GpuConfig {
            pool_size: 0,
            release_threshold: 0,
        };
        assert!(bad.validate().is_err());
        let bad = GpuConfig {
            pool_size: 10,
            release_threshold: 11,
        };
        assert!(bad.validate().is_err());
    }
}
