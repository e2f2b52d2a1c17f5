//! The stream-ordered device memory pool and device buffers taken from it.
//!
//! Allocation is `cuMemAllocFromPoolAsync` on a stream and release is
//! `cuMemFreeAsync` (done by cudarc's `CudaSlice` drop), so both are ordered
//! with the work on that stream and cost no device synchronisation. See
//! [`super::pool`] for the limits.

use std::sync::Arc as StdArc;

use cudarc::driver::sys::{
    CUmemAllocationHandleType, CUmemAllocationType, CUmemLocation, CUmemLocationType,
    CUmemPool_attribute, CUmemPoolProps, CUmemoryPool,
};
use cudarc::driver::{CudaContext, CudaSlice, DeviceRepr, result};

use super::pool::{GpuConfig, Lease, PoolBudget};
use super::probe::call;
use super::stream::Stream;
use crate::error::{Error, Result};
use crate::sync::Arc;

/// A device memory pool: the driver's pool plus ultra's byte budget.
#[derive(Debug)]
pub(crate) struct DevicePool {
    pool: CUmemoryPool,
    pub(crate) budget: Arc<PoolBudget>,
    /// Keeps the context alive until the pool is destroyed (buffers may
    /// outlive their Gpu).
    _ctx: StdArc<CudaContext>,
}

// SAFETY: a CUmemoryPool handle may be used from any thread (driver objects
// are thread-safe); DevicePool adds only an atomic budget.
unsafe impl Send for DevicePool {}
// SAFETY: as above.
unsafe impl Sync for DevicePool {}

impl DevicePool {
    /// Create a pool on `ctx`'s device sized by `config` (already validated).
    pub(crate) fn new(ctx: &StdArc<CudaContext>, config: &GpuConfig) -> Result<Self> {
        // SAFETY: CUmemPoolProps is plain data for which all-zero is valid
        // (zero reserved bytes are required).
        let mut props: CUmemPoolProps = unsafe { std::mem::zeroed() };
        props.allocType = CUmemAllocationType::CU_MEM_ALLOCATION_TYPE_PINNED;
        props.handleTypes = CUmemAllocationHandleType::CU_MEM_HANDLE_TYPE_NONE;
        props.location = CUmemLocation {
            type_: CUmemLocationType::CU_MEM_LOCATION_TYPE_DEVICE,
            id: ctx.ordinal() as i32,
        };
        props.maxSize = config.pool_size;
        // SAFETY: `props` is a fully initialised CUmemPoolProps.
        let pool = call(|| unsafe { result::mem_pool::create(&props) })?;
        let this = DevicePool {
            pool,
            budget: PoolBudget::new(config.pool_size),
            _ctx: ctx.clone(),
        };
        let mut threshold = config.release_threshold as u64;
        // SAFETY: the release threshold attribute takes a cuuint64_t; `pool` is live.
        call(|| unsafe {
            result::mem_pool::set_attribute(
                this.pool,
                CUmemPool_attribute::CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                (&mut threshold as *mut u64).cast(),
            )
        })?;
        Ok(this)
    }

    /// Allocate `len` elements of `T` on `stream`, uninitialised.
    pub(crate) fn alloc<T: DeviceRepr>(&self, stream: &Stream, len: usize) -> Result<Pooled<T>> {
        let bytes = len
            .checked_mul(std::mem::size_of::<T>())
            .filter(|&b| b > 0)
            .ok_or_else(|| Error::invalid(format!("cannot allocate {len} elements")))?;
        let lease = PoolBudget::reserve(&self.budget, bytes)?;
        let s = &stream.inner;
        call(|| s.context().bind_to_thread())?;
        // SAFETY: pool and stream are live; the memory is uninitialised, which
        // `Pooled` documents (callers write before reading).
        let ptr =
            call(|| unsafe { result::mem_pool::alloc_async(self.pool, bytes, s.cu_stream()) })
                .map_err(|e| Error::out_of_memory(format!("device pool: {e}")))?;
        // SAFETY: `ptr` is a fresh allocation of `len * size_of::<T>()` bytes; the
        // CudaSlice frees it with cuMemFreeAsync on `s` when dropped.
        let slice = unsafe { s.upgrade_device_ptr::<T>(ptr, len) };
        Ok(Pooled {
            slice,
            _lease: lease,
        })
    }

    /// Release reserved but unused memory down to `keep` bytes.
    pub(crate) fn trim(&self, keep: usize) -> Result<()> {
        // SAFETY: `pool` is live.
        call(|| unsafe { result::mem_pool::trim_to(self.pool, keep) })
    }
}

impl Drop for DevicePool {
    fn drop(&mut self) {
        // Every Pooled holds an Arc to the Gpu's pool, so none is live here.
        // SAFETY: `pool` was created in `new` and is destroyed once.
        let _ = call(|| unsafe { result::mem_pool::destroy(self.pool) });
    }
}

/// A typed device allocation from a pool, returned to it on drop (stream-ordered).
#[derive(Debug)]
pub(crate) struct Pooled<T> {
    pub(crate) slice: CudaSlice<T>,
    _lease: Lease,
}

/// A byte buffer in device memory, taken from a [`Gpu`](super::Gpu)'s pool
/// and returned to it when dropped (ordered after the work already queued on
/// the stream it was allocated on). Contents start zeroed.
#[derive(Debug)]
pub struct DeviceBuffer {
    pub(crate) mem: Pooled<u8>,
    pub(crate) _pool: StdArc<DevicePool>,
}

impl DeviceBuffer {
    /// Size in bytes.
    pub fn len(&self) -> usize {
        self.mem.slice.len()
    }

    /// Always false: empty buffers cannot be made.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn range(&self, offset: usize, len: usize) -> Result<std::ops::Range<usize>> {
        match offset.checked_add(len) {
            Some(end) if end <= self.len() => Ok(offset..end),
            _ => Err(Error::invalid(format!(
                "range {offset}+{len} is outside a {}-byte buffer",
                self.len()
            ))),
        }
    }

    /// Queue a copy of `src` into `self[offset..]` on `stream`. From a
    /// [`PinnedBuffer`](super::PinnedBuffer) (see [`upload_pinned`](Self::upload_pinned))
    /// the copy is truly asynchronous; from ordinary memory the driver stages
    /// it and returns once `src` may be reused.
    pub fn upload(&mut self, stream: &Stream, offset: usize, src: &[u8]) -> Result<()> {
        let r = self.range(offset, src.len())?;
        let mut dst = self.mem.slice.slice_mut(r);
        call(|| stream.inner.memcpy_htod(src, &mut dst))
    }

    /// Queue a copy of `self[offset..offset + dst.len()]` into `dst` and wait
    /// for it (the stream is synchronised before returning).
    pub fn download(&self, stream: &Stream, offset: usize, dst: &mut [u8]) -> Result<()> {
        let r = self.range(offset, dst.len())?;
        let src = self.mem.slice.slice(r);
        call(|| stream.inner.memcpy_dtoh(&src, dst))?;
        stream.synchronize()
    }

    /// Queue an asynchronous copy of `src[range]` (page-locked) into
    /// `self[offset..]`. `src` is not touched by the host until the copy has
    /// run: its accessors wait for it.
    pub fn upload_pinned(
        &mut self,
        stream: &Stream,
        offset: usize,
        src: &super::PinnedBuffer,
        range: std::ops::Range<usize>,
    ) -> Result<()> {
        let src_bytes = src.checked(range)?;
        let r = self.range(offset, src_bytes.range.len())?;
        let mut dst = self.mem.slice.slice_mut(r);
        call(|| stream.inner.memcpy_htod(&src_bytes, &mut dst))
    }

    /// Queue an asynchronous copy of `self[offset..]` into `dst[range]`
    /// (page-locked); `dst`'s accessors wait for it.
    pub fn download_pinned(
        &self,
        stream: &Stream,
        offset: usize,
        dst: &mut super::PinnedBuffer,
        range: std::ops::Range<usize>,
    ) -> Result<()> {
        let mut dst_bytes = dst.checked_mut(range)?;
        let r = self.range(offset, dst_bytes.range.len())?;
        let src = self.mem.slice.slice(r);
        call(|| stream.inner.memcpy_dtoh(&src, &mut dst_bytes))
    }
}
