//! The GPU types of a build without the `cuda` feature.
//!
//! They keep the API (and the C ABI) identical, but cannot be constructed:
//! [`Gpu::open`] always fails with `Unavailable`, and every other type is
//! only ever obtained from a `Gpu`, so their methods are unreachable.

use super::cpu::BatchTopK;
use super::device::DeviceInfo;
use super::pool::GpuConfig;
use super::probe::NO_FEATURE;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy)]
enum Never {}

/// A GPU context; cannot exist in a build without the `cuda` feature.
#[derive(Debug)]
pub struct Gpu(Never);
/// A GPU stream; cannot exist without the `cuda` feature.
#[derive(Debug, Clone)]
pub struct Stream(Never);
/// A GPU event; cannot exist without the `cuda` feature.
#[derive(Debug)]
pub struct Event(Never);
/// A device buffer; cannot exist without the `cuda` feature.
#[derive(Debug)]
pub struct DeviceBuffer(Never);
/// Page-locked host memory; cannot exist without the `cuda` feature.
#[derive(Debug)]
pub struct PinnedBuffer(Never);

#[allow(missing_docs, clippy::missing_errors_doc)]
impl Gpu {
    /// Always `Unavailable`: built without the `cuda` feature.
    pub fn open(_ordinal: usize, config: &GpuConfig) -> Result<Self> {
        config.validate()?;
        Err(Error::unavailable(NO_FEATURE))
    }
    pub fn info(&self) -> &DeviceInfo {
        match self.0 {}
    }
    pub fn config(&self) -> GpuConfig {
        match self.0 {}
    }
    pub fn stream(&self) -> &Stream {
        match self.0 {}
    }
    pub fn new_stream(&self) -> Result<Stream> {
        match self.0 {}
    }
    pub fn synchronize(&self) -> Result<()> {
        match self.0 {}
    }
    pub fn alloc(&self, _: &Stream, _: usize) -> Result<DeviceBuffer> {
        match self.0 {}
    }
    pub fn pool_used(&self) -> usize {
        match self.0 {}
    }
    pub fn trim_pool(&self, _: usize) -> Result<()> {
        match self.0 {}
    }
    pub fn pinned(&self, _: usize) -> Result<PinnedBuffer> {
        match self.0 {}
    }
    pub fn topk_f32(&self, _: &[f32], _: usize) -> Result<(Vec<u32>, Vec<f32>)> {
        match self.0 {}
    }
    pub fn topk_f32_device(
        &self,
        _: &DeviceBuffer,
        _: usize,
        _: usize,
    ) -> Result<(Vec<u32>, Vec<f32>)> {
        match self.0 {}
    }
    pub fn topk_batched_f32(&self, _: &[f32], _: &[usize], _: usize) -> Result<BatchTopK> {
        match self.0 {}
    }
    pub fn decay_f32(&self, _: &mut [f32], _: &[f64], _: f64, _: f64) -> Result<()> {
        match self.0 {}
    }
    pub fn decay_batched_f32(
        &self,
        _: &mut [f32],
        _: &[f64],
        _: &[usize],
        _: f64,
        _: &[f64],
    ) -> Result<()> {
        match self.0 {}
    }
}

#[allow(missing_docs)]
impl Stream {
    pub fn synchronize(&self) -> Result<()> {
        match self.0 {}
    }
    pub fn record(&self) -> Result<Event> {
        match self.0 {}
    }
    pub fn wait(&self, _: &Event) -> Result<()> {
        match self.0 {}
    }
}

#[allow(missing_docs)]
impl Event {
    pub fn synchronize(&self) -> Result<()> {
        match self.0 {}
    }
    pub fn is_complete(&self) -> Result<bool> {
        match self.0 {}
    }
    pub fn elapsed_ms(&self, _: &Event) -> Result<f32> {
        match self.0 {}
    }
}

#[allow(missing_docs)]
impl DeviceBuffer {
    pub fn len(&self) -> usize {
        match self.0 {}
    }
    pub fn is_empty(&self) -> bool {
        match self.0 {}
    }
    pub fn upload(&mut self, _: &Stream, _: usize, _: &[u8]) -> Result<()> {
        match self.0 {}
    }
    pub fn download(&self, _: &Stream, _: usize, _: &mut [u8]) -> Result<()> {
        match self.0 {}
    }
    pub fn upload_pinned(
        &mut self,
        _: &Stream,
        _: usize,
        _: &PinnedBuffer,
        _: std::ops::Range<usize>,
    ) -> Result<()> {
        match self.0 {}
    }
    pub fn download_pinned(
        &self,
        _: &Stream,
        _: usize,
        _: &mut PinnedBuffer,
        _: std::ops::Range<usize>,
    ) -> Result<()> {
        match self.0 {}
    }
}

#[allow(missing_docs)]
impl PinnedBuffer {
    pub fn len(&self) -> usize {
        match self.0 {}
    }
    pub fn is_empty(&self) -> bool {
        match self.0 {}
    }
    pub fn as_slice(&self) -> Result<&[u8]> {
        match self.0 {}
    }
    pub fn as_mut_slice(&mut self) -> Result<&mut [u8]> {
        match self.0 {}
    }
    pub fn as_ptr(&self) -> *mut u8 {
        match self.0 {}
    }
    pub fn numa_node(&self) -> Option<u32> {
        match self.0 {}
    }
}
