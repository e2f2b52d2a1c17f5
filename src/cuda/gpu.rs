//! [`Gpu`]: a context on one device, its default stream, its memory pool and
//! its compiled kernels.

use std::sync::{Arc as StdArc, OnceLock};

use cudarc::driver::CudaContext;

use super::cpu::{self, BatchTopK};
use super::device::{DeviceInfo, device_info};
use super::kernels::{Kernels, Launch, MAX_SORT};
use super::memory::{DeviceBuffer, DevicePool};
use super::pinned::PinnedBuffer;
use super::pool::GpuConfig;
use super::probe::{call, driver, guarded};
use super::stream::Stream;
use crate::error::{Error, Result};

/// A CUDA context on one device (the device's primary context), with a
/// stream-ordered memory pool and kernels compiled on first use.
///
/// Thread-safe (`Send + Sync`): calls from several threads are allowed; the
/// high-level kernels ([`topk_f32`](Self::topk_f32) …) run on the Gpu's own
/// stream and return when their results are on the host.
#[derive(Debug)]
pub struct Gpu {
    // Fields drop in order: modules, pool and stream go before the context.
    kernels: OnceLock<Result<Kernels>>,
    pool: StdArc<DevicePool>,
    stream: Stream,
    info: DeviceInfo,
    config: GpuConfig,
    ctx: StdArc<CudaContext>,
}

impl Gpu {
    /// Open device `ordinal`: `Unavailable` without a driver,
    /// `InvalidArgument` for a bad ordinal or config, `Device` if the driver
    /// fails (including devices without memory-pool support).
    pub fn open(ordinal: usize, config: &GpuConfig) -> Result<Self> {
        config.validate()?;
        driver()?;
        let info = device_info(ordinal)?;
        guarded(|| {
            let ctx = call(|| CudaContext::new(ordinal))?;
            if !ctx.has_async_alloc() {
                return Err(Error::unavailable(
                    "this device does not support stream-ordered memory pools",
                ));
            }
            let stream = Stream {
                inner: call(|| ctx.new_stream())?,
            };
            let pool = StdArc::new(DevicePool::new(&ctx, config)?);
            Ok(Gpu {
                ctx,
                stream,
                pool,
                info,
                config: *config,
                kernels: OnceLock::new(),
            })
        })
    }

    /// What this device is.
    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }

    /// The configuration it was opened with.
    pub fn config(&self) -> GpuConfig {
        self.config
    }

    /// The Gpu's own stream (the one the high-level kernels use).
    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    /// A new stream on this device.
    pub fn new_stream(&self) -> Result<Stream> {
        call(|| self.ctx.new_stream()).map(|inner| Stream { inner })
    }

    /// Block until all work on this device has finished.
    pub fn synchronize(&self) -> Result<()> {
        call(|| self.ctx.synchronize())
    }

    /// A zeroed device buffer of `bytes > 0` from the pool, allocated in
    /// `stream` order. `OutOfMemory` when the pool's size would be exceeded.
    pub fn alloc(&self, stream: &Stream, bytes: usize) -> Result<DeviceBuffer> {
        guarded(|| {
            let mut mem = self.pool.alloc::<u8>(stream, bytes)?;
            call(|| stream.inner.memset_zeros(&mut mem.slice))?;
            Ok(DeviceBuffer {
                mem,
                _pool: self.pool.clone(),
            })
        })
    }

    /// Bytes of the pool currently handed out.
    pub fn pool_used(&self) -> usize {
        self.pool.budget.used()
    }

    /// Return reserved-but-free pool memory to the driver, keeping `keep` bytes.
    pub fn trim_pool(&self, keep: usize) -> Result<()> {
        guarded(|| self.pool.trim(keep))
    }

    /// `bytes > 0` of page-locked host memory on this GPU's NUMA node (when
    /// known and the kernel supports binding), registered with the driver.
    pub fn pinned(&self, bytes: usize) -> Result<PinnedBuffer> {
        guarded(|| PinnedBuffer::new(&self.ctx, bytes, self.info.numa_node))
    }

    fn launch(&self) -> Result<Launch<'_>> {
        let k = self
            .kernels
            .get_or_init(|| guarded(|| Kernels::compile(&self.ctx)))
            .as_ref()
            .map_err(Clone::clone)?;
        call(|| self.ctx.bind_to_thread())?;
        Ok(Launch {
            k,
            pool: &self.pool,
            stream: &self.stream,
            sm_count: self.info.sm_count,
        })
    }

    /// [`cpu::topk_f32`] on the GPU: same arguments, same result.
    pub fn topk_f32(&self, scores: &[f32], k: usize) -> Result<(Vec<u32>, Vec<f32>)> {
        cpu::check_len(scores.len())?;
        let k = k.min(scores.len());
        if k == 0 {
            return Ok((Vec::new(), Vec::new()));
        }
        guarded(|| {
            let l = self.launch()?;
            let mut d = self.pool.alloc::<f32>(&self.stream, scores.len())?;
            call(|| self.stream.inner.memcpy_htod(scores, &mut d.slice))?;
            let keys = l.topk_keys(&d.slice.as_view(), scores.len(), k)?;
            let idx: Vec<u32> = keys.iter().map(|&key| cpu::key_index(key)).collect();
            let val = idx.iter().map(|&i| scores[i as usize]).collect();
            Ok((idx, val))
        })
    }

    /// Top-k of `n` f32 scores already in `buf` (bytes `0 .. 4n`); values
    /// are read back from the device (NaN payloads are not preserved).
    pub fn topk_f32_device(
        &self,
        buf: &DeviceBuffer,
        n: usize,
        k: usize,
    ) -> Result<(Vec<u32>, Vec<f32>)> {
        cpu::check_len(n)?;
        if n.checked_mul(4).is_none_or(|b| b > buf.len()) {
            return Err(Error::invalid(format!(
                "{n} floats do not fit a {}-byte buffer",
                buf.len()
            )));
        }
        let k = k.min(n);
        if k == 0 {
            return Ok((Vec::new(), Vec::new()));
        }
        guarded(|| {
            let l = self.launch()?;
            // SAFETY: the buffer holds at least 4n bytes (checked) and pool
            // allocations are 256-byte aligned, so it is a valid [f32; n] view.
            let view = unsafe { buf.mem.slice.transmute::<f32>(n) }
                .ok_or_else(|| Error::invalid("buffer too small"))?;
            let keys = l.topk_keys(&view, n, k)?;
            let idx: Vec<u32> = keys.iter().map(|&key| cpu::key_index(key)).collect();
            let val = keys.iter().map(|&key| cpu::key_value(key)).collect();
            Ok((idx, val))
        })
    }

    /// [`cpu::topk_batched_f32`] on the GPU: one block per segment when every
    /// segment is at most 4096 long, else one radix select per segment.
    pub fn topk_batched_f32(
        &self,
        scores: &[f32],
        offsets: &[usize],
        k: usize,
    ) -> Result<BatchTopK> {
        cpu::check_offsets(offsets, scores.len())?;
        let segments = offsets.len().saturating_sub(1);
        let mut out = BatchTopK::empty(segments, k)?;
        let max_len = offsets.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        if segments == 0 || k == 0 || max_len == 0 {
            return Ok(out);
        }
        if max_len > MAX_SORT || segments > u32::MAX as usize {
            for s in 0..segments {
                out.set(s, self.topk_f32(&scores[offsets[s]..offsets[s + 1]], k)?);
            }
            return Ok(out);
        }
        guarded(|| {
            let l = self.launch()?;
            let mut d = self.pool.alloc::<f32>(&self.stream, scores.len())?;
            call(|| self.stream.inner.memcpy_htod(scores, &mut d.slice))?;
            l.topk_segments(&d.slice, offsets, k, max_len, &mut out)?;
            Ok(out)
        })
    }

    /// [`cpu::decay_f32`] on the GPU (same rules, same checks).
    pub fn decay_f32(
        &self,
        scores: &mut [f32],
        timestamps: &[f64],
        now: f64,
        half_life: f64,
    ) -> Result<()> {
        cpu::check_decay(scores.len(), timestamps.len(), now, half_life)?;
        cpu::check_len(scores.len())?;
        if scores.is_empty() {
            return Ok(());
        }
        self.decay_with(scores, timestamps, |l, s, t| {
            let n = s.len();
            l.decay(s, t, n, now, half_life)
        })
    }

    /// [`cpu::decay_batched_f32`] on the GPU.
    pub fn decay_batched_f32(
        &self,
        scores: &mut [f32],
        timestamps: &[f64],
        offsets: &[usize],
        now: f64,
        half_lives: &[f64],
    ) -> Result<()> {
        cpu::check_batched_decay(scores.len(), timestamps.len(), offsets, now, half_lives)?;
        if scores.is_empty() || half_lives.is_empty() {
            return Ok(());
        }
        self.decay_with(scores, timestamps, |l, s, t| {
            l.decay_segments(s, t, offsets, now, half_lives)
        })
    }

    fn decay_with(
        &self,
        scores: &mut [f32],
        timestamps: &[f64],
        run: impl FnOnce(
            &Launch<'_>,
            &mut cudarc::driver::CudaSlice<f32>,
            &cudarc::driver::CudaSlice<f64>,
        ) -> Result<()>,
    ) -> Result<()> {
        guarded(|| {
            let l = self.launch()?;
            let s = &self.stream.inner;
            let mut ds = self.pool.alloc::<f32>(&self.stream, scores.len())?;
            let mut dt = self.pool.alloc::<f64>(&self.stream, timestamps.len())?;
            call(|| s.memcpy_htod(scores, &mut ds.slice))?;
            call(|| s.memcpy_htod(timestamps, &mut dt.slice))?;
            run(&l, &mut ds.slice, &dt.slice)?;
            call(|| s.memcpy_dtoh(&ds.slice, scores))?;
            self.stream.synchronize()
        })
    }
}
