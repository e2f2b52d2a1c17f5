//! NVRTC-compiled kernels: top-k (radix select) and decay, single and batched.
//!
//! The CUDA C sources live beside this file (`kernels/topk.cu`,
//! `kernels/decay.cu`). They are compiled to PTX by NVRTC the first time a
//! [`Gpu`](super::Gpu) needs them and the loaded module is cached in that
//! Gpu (one compile per context).
//!
//! Top-k of `n` scores: every element has a unique 64-bit rank key
//! ([`super::cpu::rank_key`]). Radix select finds the k-th largest key `T`
//! 8 bits at a time from the top: pass `p` histograms the digit of the keys
//! that still match the chosen prefix, and the host walks the 256 counts
//! from the top until they cover the `need` keys still wanted. It stops early
//! when one bucket holds exactly `need` keys (usually after 4 passes, when
//! the values are distinct). Then exactly `k` keys satisfy `key >= T`; one
//! gather pass collects them and a one-block bitonic sort orders them (or the
//! host does, past [`MAX_SORT`] keys). Invariant after each pass:
//! `|{key > prefix region}| + need == k`.

use std::sync::Arc as StdArc;

use cudarc::driver::{CudaContext, CudaFunction, CudaSlice, CudaView, LaunchConfig, PushKernelArg};
use cudarc::nvrtc::{CompileOptions, compile_ptx_with_opts};

use super::memory::{DevicePool, Pooled};
use super::probe::{call, nvrtc};
use super::stream::Stream;
use crate::error::{Error, Result};

/// Largest `k` (and batched segment length) sorted on the device in one block.
pub(crate) const MAX_SORT: usize = 4096;
const THREADS: u32 = 256;

/// The compiled kernels of one context.
#[derive(Debug)]
pub(crate) struct Kernels {
    radix_hist: CudaFunction,
    gather_ge: CudaFunction,
    sort_desc: CudaFunction,
    topk_segments: CudaFunction,
    decay: CudaFunction,
    decay_segments: CudaFunction,
}

impl Kernels {
    pub(crate) fn compile(ctx: &StdArc<CudaContext>) -> Result<Self> {
        nvrtc()?;
        let load = |name: &str, src: &str| {
            let ptx = call(|| {
                compile_ptx_with_opts(
                    src,
                    CompileOptions {
                        name: Some(name.into()),
                        ..Default::default()
                    },
                )
            })?;
            call(|| ctx.load_module(ptx))
        };
        let topk = load("topk.cu", include_str!("kernels/topk.cu"))?;
        let decay = load("decay.cu", include_str!("kernels/decay.cu"))?;
        let f = |m: &StdArc<cudarc::driver::CudaModule>, n: &str| call(|| m.load_function(n));
        Ok(Self {
            radix_hist: f(&topk, "radix_hist")?,
            gather_ge: f(&topk, "gather_ge")?,
            sort_desc: f(&topk, "sort_desc")?,
            topk_segments: f(&topk, "topk_segments")?,
            decay: f(&decay, "decay")?,
            decay_segments: f(&decay, "decay_segments")?,
        })
    }
}

fn grid(n: usize, sm_count: u32) -> LaunchConfig {
    let blocks = n
        .div_ceil(THREADS as usize)
        .clamp(1, (sm_count.max(1) * 8) as usize);
    LaunchConfig {
        grid_dim: (blocks as u32, 1, 1),
        block_dim: (THREADS, 1, 1),
        shared_mem_bytes: 0,
    }
}

/// What a launch needs from its Gpu.
pub(crate) struct Launch<'a> {
    pub(crate) k: &'a Kernels,
    pub(crate) pool: &'a DevicePool,
    pub(crate) stream: &'a Stream,
    pub(crate) sm_count: u32,
}

impl Launch<'_> {
    fn zeros<T: cudarc::driver::DeviceRepr + cudarc::driver::ValidAsZeroBits>(
        &self,
        len: usize,
    ) -> Result<Pooled<T>> {
        let mut p = self.pool.alloc::<T>(self.stream, len)?;
        call(|| self.stream.inner.memset_zeros(&mut p.slice))?;
        Ok(p)
    }

    /// The `k` (1 ..= n) largest rank keys of the `n` device scores, descending.
    pub(crate) fn topk_keys(
        &self,
        scores: &CudaView<'_, f32>,
        n: usize,
        k: usize,
    ) -> Result<Vec<u64>> {
        let s = &self.stream.inner;
        let n32 = n as u32;
        let cfg = grid(n, self.sm_count);
        let (mut prefix, mut mask, mut need) = (0u64, 0u64, k as u64);
        for shift in (0..64u32).step_by(8).rev() {
            let mut hist = self.zeros::<u32>(256)?;
            // SAFETY: argument types match `radix_hist`'s signature; `scores`
            // holds n floats and `hist` 256 counters.
            call(|| unsafe {
                s.launch_builder(&self.k.radix_hist)
                    .arg(scores)
                    .arg(&n32)
                    .arg(&prefix)
                    .arg(&mask)
                    .arg(&shift)
                    .arg(&mut hist.slice)
                    .launch(cfg)
            })?;
            let counts = call(|| s.clone_dtoh(&hist.slice))?;
            self.stream.synchronize()?;
            let mut digit = 255usize;
            loop {
                let c = counts[digit] as u64;
                if c >= need {
                    break;
                }
                need -= c;
                if digit == 0 {
                    return Err(Error::device("radix select lost count of the keys"));
                }
                digit -= 1;
            }
            prefix |= (digit as u64) << shift;
            mask |= 0xFFu64 << shift;
            if counts[digit] as u64 == need {
                break;
            }
        }
        let threshold = prefix;
        let mut out = self.zeros::<u64>(k)?;
        let mut counter = self.zeros::<u32>(1)?;
        // SAFETY: matches `gather_ge`; exactly k keys are >= threshold, so at
        // most k slots of `out` are written.
        call(|| unsafe {
            s.launch_builder(&self.k.gather_ge)
                .arg(scores)
                .arg(&n32)
                .arg(&threshold)
                .arg(&mut out.slice)
                .arg(&mut counter.slice)
                .launch(cfg)
        })?;
        if k <= MAX_SORT {
            let (k32, p2) = (k as u32, k.next_power_of_two() as u32);
            let one = LaunchConfig {
                grid_dim: (1, 1, 1),
                block_dim: (1024, 1, 1),
                shared_mem_bytes: p2 * 8,
            };
            // SAFETY: matches `sort_desc`; p2 * 8 <= 32 KiB of shared memory.
            call(|| unsafe {
                s.launch_builder(&self.k.sort_desc)
                    .arg(&mut out.slice)
                    .arg(&k32)
                    .arg(&p2)
                    .launch(one)
            })?;
        }
        let mut keys = call(|| s.clone_dtoh(&out.slice))?;
        self.stream.synchronize()?;
        if k > MAX_SORT {
            keys.sort_unstable_by(|a, b| b.cmp(a));
        }
        Ok(keys)
    }

    /// Batched top-k of segments no longer than [`MAX_SORT`] (one block each).
    pub(crate) fn topk_segments(
        &self,
        scores: &CudaSlice<f32>,
        offsets: &[usize],
        k: usize,
        max_len: usize,
        out: &mut super::cpu::BatchTopK,
    ) -> Result<()> {
        let s = &self.stream.inner;
        let segs = offsets.len() - 1;
        let offs: Vec<u64> = offsets.iter().map(|&o| o as u64).collect();
        let mut d_offs = self.pool.alloc::<u64>(self.stream, offs.len())?;
        call(|| s.memcpy_htod(&offs, &mut d_offs.slice))?;
        let total = segs * k;
        let mut idx = self.pool.alloc::<u32>(self.stream, total)?;
        let mut val = self.pool.alloc::<f32>(self.stream, total)?;
        let mut counts = self.zeros::<u32>(segs)?;
        // Padding: 0xFF bytes are u32::MAX indices and NaN values.
        // SAFETY: both allocations are `total` elements of 4 bytes.
        call(|| unsafe {
            use cudarc::driver::DevicePtrMut;
            let (p, _r) = idx.slice.device_ptr_mut(s);
            cudarc::driver::result::memset_d8_async(p, 0xFF, total * 4, s.cu_stream())?;
            let (p, _r) = val.slice.device_ptr_mut(s);
            cudarc::driver::result::memset_d8_async(p, 0xFF, total * 4, s.cu_stream())
        })?;
        let (k32, p2) = (k as u32, max_len.next_power_of_two().max(1) as u32);
        let cfg = LaunchConfig {
            grid_dim: (segs as u32, 1, 1),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: p2 * 8,
        };
        // SAFETY: matches `topk_segments`; every segment is <= p2 long and
        // outputs hold segs * k elements.
        call(|| unsafe {
            s.launch_builder(&self.k.topk_segments)
                .arg(scores)
                .arg(&d_offs.slice)
                .arg(&k32)
                .arg(&p2)
                .arg(&mut idx.slice)
                .arg(&mut val.slice)
                .arg(&mut counts.slice)
                .launch(cfg)
        })?;
        call(|| s.memcpy_dtoh(&idx.slice, &mut out.indices))?;
        call(|| s.memcpy_dtoh(&val.slice, &mut out.values))?;
        call(|| s.memcpy_dtoh(&counts.slice, &mut out.counts))?;
        self.stream.synchronize()
    }

    /// Decay `n` device scores in place.
    pub(crate) fn decay(
        &self,
        scores: &mut CudaSlice<f32>,
        ts: &CudaSlice<f64>,
        n: usize,
        now: f64,
        half_life: f64,
    ) -> Result<()> {
        let n32 = n as u32;
        // SAFETY: matches `decay`; both buffers hold n elements.
        call(|| unsafe {
            self.stream
                .inner
                .launch_builder(&self.k.decay)
                .arg(scores)
                .arg(ts)
                .arg(&n32)
                .arg(&now)
                .arg(&half_life)
                .launch(grid(n, self.sm_count))
        })
        .map(drop)
    }

    /// Decay device scores segment by segment with per-segment half-lives.
    pub(crate) fn decay_segments(
        &self,
        scores: &mut CudaSlice<f32>,
        ts: &CudaSlice<f64>,
        offsets: &[usize],
        now: f64,
        half_lives: &[f64],
    ) -> Result<()> {
        let s = &self.stream.inner;
        let offs: Vec<u64> = offsets.iter().map(|&o| o as u64).collect();
        let mut d_offs = self.pool.alloc::<u64>(self.stream, offs.len())?;
        call(|| s.memcpy_htod(&offs, &mut d_offs.slice))?;
        let mut d_h = self.pool.alloc::<f64>(self.stream, half_lives.len())?;
        call(|| s.memcpy_htod(half_lives, &mut d_h.slice))?;
        let cfg = LaunchConfig {
            grid_dim: (half_lives.len() as u32, 1, 1),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        // SAFETY: matches `decay_segments`; offsets are validated against the
        // buffers' length and there is one half-life per segment.
        call(|| unsafe {
            s.launch_builder(&self.k.decay_segments)
                .arg(scores)
                .arg(ts)
                .arg(&d_offs.slice)
                .arg(&d_h.slice)
                .arg(&now)
                .launch(cfg)
        })
        .map(drop)
    }
}
