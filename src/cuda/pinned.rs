//! Page-locked host memory on the GPU's NUMA node, registered with the driver.
//!
//! Pages come from [`super::host::HostPages`] (mmap, `mbind` to the node
//! nearest the GPU, faulted in), then `cuMemHostRegister` pins them so DMA
//! copies run at full bus speed and asynchronously. An event records the
//! last queued copy touching the buffer; host accessors wait on it, so the
//! host never reads or writes bytes a copy is still using.

use std::sync::Arc as StdArc;

use cudarc::driver::{CudaContext, CudaEvent, CudaStream, HostSlice, SyncOnDrop, sys};

use super::host::{HostPages, node_of};
use super::probe::call;
use crate::error::{Error, Result};

/// Page-locked host bytes for fast, asynchronous host↔device copies.
#[derive(Debug)]
pub struct PinnedBuffer {
    pages: HostPages,
    event: CudaEvent,
    ctx: StdArc<CudaContext>,
}

// SAFETY: the buffer exclusively owns its pages; the event and context are
// thread-safe driver objects.
unsafe impl Send for PinnedBuffer {}
// SAFETY: shared access hands out `&[u8]` only after the event completed.
unsafe impl Sync for PinnedBuffer {}

impl PinnedBuffer {
    pub(crate) fn new(ctx: &StdArc<CudaContext>, len: usize, node: Option<u32>) -> Result<Self> {
        let (pages, _bound) = HostPages::new(len, node)?;
        call(|| ctx.bind_to_thread())?;
        // SAFETY: `pages` is a live, page-aligned mapping of `len` bytes that
        // stays mapped until `drop`, which unregisters it first.
        call(|| unsafe {
            sys::cuMemHostRegister_v2(
                pages.as_ptr().cast(),
                pages.len(),
                sys::CU_MEMHOSTREGISTER_PORTABLE,
            )
            .result()
        })?;
        let event = match call(|| ctx.new_event(None)) {
            Ok(e) => e,
            Err(e) => {
                // SAFETY: registered just above; unregister before unmapping.
                unsafe { sys::cuMemHostUnregister(pages.as_ptr().cast()) };
                return Err(e);
            }
        };
        Ok(Self {
            pages,
            event,
            ctx: ctx.clone(),
        })
    }

    /// Size in bytes.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// Always false: empty pinned buffers cannot be made.
    pub fn is_empty(&self) -> bool {
        self.pages.len() == 0
    }

    /// The bytes, after any queued copy touching them has finished.
    pub fn as_slice(&self) -> Result<&[u8]> {
        call(|| self.event.synchronize())?;
        // SAFETY: the mapping is `len` initialised bytes; no copy is in flight.
        Ok(unsafe { std::slice::from_raw_parts(self.pages.as_ptr(), self.pages.len()) })
    }

    /// The bytes, mutably, after any queued copy touching them has finished.
    pub fn as_mut_slice(&mut self) -> Result<&mut [u8]> {
        call(|| self.event.synchronize())?;
        // SAFETY: as in `as_slice`, and `&mut self` makes the access unique.
        Ok(unsafe { std::slice::from_raw_parts_mut(self.pages.as_ptr(), self.pages.len()) })
    }

    /// The raw start address (for C callers); valid for `len()` bytes.
    pub fn as_ptr(&self) -> *mut u8 {
        self.pages.as_ptr()
    }

    /// The NUMA node the pages are on, as the kernel reports it; `None`
    /// without NUMA support.
    pub fn numa_node(&self) -> Option<u32> {
        node_of(self.pages.as_ptr())
    }

    fn bounds(&self, range: &std::ops::Range<usize>) -> Result<()> {
        if range.start <= range.end && range.end <= self.len() {
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "range {range:?} is outside a {}-byte pinned buffer",
                self.len()
            )))
        }
    }

    pub(crate) fn checked(&self, range: std::ops::Range<usize>) -> Result<PinnedView<'_>> {
        self.bounds(&range)?;
        Ok(PinnedView { buf: self, range })
    }

    pub(crate) fn checked_mut(&mut self, range: std::ops::Range<usize>) -> Result<PinnedView<'_>> {
        self.bounds(&range)?;
        Ok(PinnedView { buf: self, range })
    }
}

impl Drop for PinnedBuffer {
    fn drop(&mut self) {
        let _ = call(|| self.event.synchronize());
        let _ = call(|| self.ctx.bind_to_thread());
        // SAFETY: registered in `new`; no copy is in flight (synchronised above).
        let _ = call(|| unsafe { sys::cuMemHostUnregister(self.pages.as_ptr().cast()).result() });
        // The pages are unmapped by HostPages' drop, after this.
    }
}

/// A byte range of a [`PinnedBuffer`] handed to cudarc's copy functions; it
/// makes the copy wait for earlier copies of the buffer and records itself in
/// the buffer's event.
pub(crate) struct PinnedView<'a> {
    buf: &'a PinnedBuffer,
    pub(crate) range: std::ops::Range<usize>,
}

impl HostSlice<u8> for PinnedView<'_> {
    fn len(&self) -> usize {
        self.range.len()
    }

    unsafe fn stream_synced_slice<'a>(
        &'a self,
        stream: &'a CudaStream,
    ) -> (&'a [u8], SyncOnDrop<'a>) {
        stream.context().record_err(stream.wait(&self.buf.event));
        // SAFETY: in bounds (checked when the view was made); the pages live as
        // long as `buf`; the recorded event keeps host accessors off until done.
        let s = unsafe {
            std::slice::from_raw_parts(self.buf.pages.as_ptr().add(self.range.start), self.len())
        };
        (s, SyncOnDrop::Record(Some((&self.buf.event, stream))))
    }

    unsafe fn stream_synced_mut_slice<'a>(
        &'a mut self,
        stream: &'a CudaStream,
    ) -> (&'a mut [u8], SyncOnDrop<'a>) {
        stream.context().record_err(stream.wait(&self.buf.event));
        // SAFETY: as above; the view was made from `&mut PinnedBuffer`, so no
        // other host reference to these bytes exists.
        let s = unsafe {
            std::slice::from_raw_parts_mut(
                self.buf.pages.as_ptr().add(self.range.start),
                self.len(),
            )
        };
        (s, SyncOnDrop::Record(Some((&self.buf.event, stream))))
    }
}
