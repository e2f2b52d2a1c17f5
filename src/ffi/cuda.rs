//! C ABI of `ultra::cuda`: device discovery, a GPU handle, streams, pooled
//! device buffers, pinned host buffers, and top-k / decay that run on the GPU
//! when a handle is given and on the CPU when it is NULL.
//!
//! Without a CUDA driver (or in a build without the `cuda` feature)
//! `ultra_gpu_device_count` reports 0 and `ultra_gpu_open` returns
//! `ULTRA_ERR_UNAVAILABLE`; the NULL-gpu (CPU) paths always work.

use std::ffi::{c_char, c_int, c_void};

use super::common::{
    arg_mut, arg_ref, arg_slice, arg_slice_mut, box_out, free_box, guard, non_null, ultra_status,
    write_out,
};
use crate::cuda::{self, DeviceBuffer, Gpu, GpuConfig, PinnedBuffer, Stream};
use crate::error::{Error, Result};

/// An open GPU (a context on one device, with its memory pool and kernels).
#[allow(non_camel_case_types)]
pub struct ultra_gpu_t(Gpu);

/// A stream of GPU work (in-order queue).
#[allow(non_camel_case_types)]
pub struct ultra_gpu_stream_t(Stream);

/// A device memory buffer taken from a GPU's pool.
#[allow(non_camel_case_types)]
pub struct ultra_gpu_buffer_t(DeviceBuffer);

/// Page-locked host memory registered with a GPU, on the GPU's NUMA node.
#[allow(non_camel_case_types)]
pub struct ultra_gpu_pinned_t(PinnedBuffer);

/// What one GPU is (filled by `ultra_gpu_device_info`).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ultra_gpu_info_t {
    /// Device name, NUL-terminated (truncated to 255 bytes).
    pub name: [c_char; 256],
    /// Compute capability, major part.
    pub compute_major: c_int,
    /// Compute capability, minor part.
    pub compute_minor: c_int,
    /// Total device memory in bytes.
    pub total_memory: usize,
    /// Free device memory in bytes at the time of the call.
    pub free_memory: usize,
    /// Number of streaming multiprocessors.
    pub sm_count: c_int,
    /// NUMA node nearest the GPU, or -1 when unknown.
    pub numa_node: c_int,
    /// PCI address "dddd:bb:dd.0", NUL-terminated.
    pub pci_bus_id: [c_char; 16],
}

/// Settings for `ultra_gpu_open`; start from `ultra_gpu_config_default()`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ultra_gpu_config_t {
    /// Most bytes the device memory pool may hand out at once (> 0).
    pub pool_size: usize,
    /// Bytes the pool keeps reserved when idle (<= pool_size).
    pub release_threshold: usize,
}

impl From<ultra_gpu_config_t> for GpuConfig {
    fn from(c: ultra_gpu_config_t) -> Self {
        GpuConfig {
            pool_size: c.pool_size,
            release_threshold: c.release_threshold,
        }
    }
}

fn c_string<const N: usize>(s: &str) -> [c_char; N] {
    let mut out = [0 as c_char; N];
    for (o, &b) in out.iter_mut().zip(s.as_bytes().iter().take(N - 1)) {
        *o = b as c_char;
    }
    out
}

fn device_ordinal(device: c_int) -> Result<usize> {
    usize::try_from(device).map_err(|_| Error::invalid(format!("device {device} is negative")))
}

/// The default configuration: a 256 MiB pool keeping up to 64 MiB reserved.
/// Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ultra_gpu_config_default() -> ultra_gpu_config_t {
    let d = GpuConfig::default();
    ultra_gpu_config_t {
        pool_size: d.pool_size,
        release_threshold: d.release_threshold,
    }
}

/// Write the number of CUDA devices to `*count`: 0 (and ULTRA_OK) when there
/// is no driver. NULL `count` is ULTRA_ERR_NULL_ARGUMENT. Thread-safe.
///
/// # Safety
/// `count` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_device_count(count: *mut c_int) -> ultra_status {
    guard("ultra_gpu_device_count", || {
        non_null(count, "count")?;
        let n = cuda::device_count()?;
        // SAFETY: checked non-NULL; valid per the contract.
        unsafe { write_out(count, n.min(c_int::MAX as usize) as c_int, "count") }
    })
}

/// Describe device `device` into `*out`. ULTRA_ERR_UNAVAILABLE without a
/// driver, ULTRA_ERR_INVALID_ARGUMENT for a device that does not exist,
/// ULTRA_ERR_NULL_ARGUMENT for NULL `out`; on error `*out` is unchanged.
/// Thread-safe.
///
/// # Safety
/// `out` is NULL or valid for a write of `ultra_gpu_info_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_device_info(
    device: c_int,
    out: *mut ultra_gpu_info_t,
) -> ultra_status {
    guard("ultra_gpu_device_info", || {
        non_null(out, "out")?;
        let d = cuda::device_info(device_ordinal(device)?)?;
        let info = ultra_gpu_info_t {
            name: c_string(&d.name),
            compute_major: d.compute_capability.0 as c_int,
            compute_minor: d.compute_capability.1 as c_int,
            total_memory: d.total_memory,
            free_memory: d.free_memory,
            sm_count: d.sm_count as c_int,
            numa_node: d.numa_node.map_or(-1, |n| n as c_int),
            pci_bus_id: c_string(&d.pci_bus_id),
        };
        // SAFETY: checked non-NULL; valid per the contract.
        unsafe { write_out(out, info, "out") }
    })
}

/// Open device `device` with `config` (NULL = defaults) and hand the handle
/// to `*out` (release with `ultra_gpu_close`). ULTRA_ERR_UNAVAILABLE without
/// a GPU or driver; ULTRA_ERR_INVALID_ARGUMENT for a bad device or config.
/// On error `*out` is unchanged. Thread-safe; the handle may be used from
/// several threads at once.
///
/// # Safety
/// `config` is NULL or points to a valid config; `out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_open(
    device: c_int,
    config: *const ultra_gpu_config_t,
    out: *mut *mut ultra_gpu_t,
) -> ultra_status {
    guard("ultra_gpu_open", || {
        non_null(out, "out")?;
        // SAFETY: NULL or a valid config per the contract.
        let cfg = unsafe { config.as_ref() }.map_or_else(GpuConfig::default, |c| (*c).into());
        let gpu = Gpu::open(device_ordinal(device)?, &cfg)?;
        // SAFETY: checked non-NULL; valid per the contract.
        unsafe { box_out(out, ultra_gpu_t(gpu), "out") }
    })
}

/// Release a GPU handle; NULL is a no-op. Streams, buffers and pinned memory
/// made from it stay valid (they keep the context alive) and are released
/// separately. Not thread-safe with other calls on the same handle.
///
/// # Safety
/// `gpu` is NULL or a live handle from `ultra_gpu_open`, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_close(gpu: *mut ultra_gpu_t) {
    // SAFETY: per the contract.
    super::common::catch("ultra_gpu_close", || unsafe { free_box(gpu) })
}

/// Write the bytes of `gpu`'s memory pool currently handed out to `*out`.
/// Thread-safe.
///
/// # Safety
/// `gpu` is NULL or live; `out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_pool_used(
    gpu: *const ultra_gpu_t,
    out: *mut usize,
) -> ultra_status {
    guard("ultra_gpu_pool_used", || {
        // SAFETY: NULL or live per the contract.
        let g = unsafe { arg_ref(gpu, "gpu") }?;
        non_null(out, "out")?;
        // SAFETY: checked non-NULL.
        unsafe { write_out(out, g.0.pool_used(), "out") }
    })
}

/// The `k` best of `n` scores, sorted by value descending (ties: lower index
/// first; NaN ranks below every number): writes `min(k, n)` indices to
/// `out_idx` and values to `out_val`. Runs on `gpu`, or on the CPU when `gpu`
/// is NULL, with identical results. `scores` may be NULL only when `n == 0`;
/// outputs only when `min(k, n) == 0`. On error nothing is written.
/// Thread-safe (the inputs are only read).
///
/// # Safety
/// `gpu` is NULL or live; `scores` is valid for `n` reads; `out_idx` and
/// `out_val` are valid for `min(k, n)` writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_topk_f32(
    gpu: *const ultra_gpu_t,
    scores: *const f32,
    n: usize,
    k: usize,
    out_idx: *mut u32,
    out_val: *mut f32,
) -> ultra_status {
    guard("ultra_gpu_topk_f32", || {
        // SAFETY: pointers valid per the contract (NULL checked by the helpers).
        let (g, s, oi, ov) = unsafe {
            (
                gpu.as_ref(),
                arg_slice(scores, n, "scores")?,
                arg_slice_mut(out_idx, k.min(n), "out_idx")?,
                arg_slice_mut(out_val, k.min(n), "out_val")?,
            )
        };
        let (idx, val) = cuda::topk(g.map(|g| &g.0), s, k)?;
        oi.copy_from_slice(&idx);
        ov.copy_from_slice(&val);
        Ok(())
    })
}

/// Top-k of each segment `scores[offsets[s] .. offsets[s + 1]]` for
/// `s < num_offsets - 1`, in a fixed stride: segment `s` writes
/// `out_counts[s] = min(k, its length)` results at `out_idx[s * k]` and
/// `out_val[s * k]` (indices relative to the segment); the rest of its
/// stride is filled with UINT32_MAX / NaN. Offsets must be non-decreasing and
/// at most `n`. NULL `gpu` runs on the CPU. On error nothing is written.
/// Thread-safe.
///
/// # Safety
/// `scores` valid for `n` reads, `offsets` for `num_offsets` reads; `out_idx`
/// and `out_val` for `(num_offsets - 1) * k` writes, `out_counts` for
/// `num_offsets - 1` writes.
#[allow(clippy::too_many_arguments)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_topk_batched_f32(
    gpu: *const ultra_gpu_t,
    scores: *const f32,
    n: usize,
    offsets: *const usize,
    num_offsets: usize,
    k: usize,
    out_idx: *mut u32,
    out_val: *mut f32,
    out_counts: *mut u32,
) -> ultra_status {
    guard("ultra_gpu_topk_batched_f32", || {
        let segs = num_offsets.saturating_sub(1);
        let total = segs
            .checked_mul(k)
            .ok_or_else(|| Error::invalid("segments * k overflows"))?;
        // SAFETY: pointers valid per the contract (NULL checked by the helpers).
        let (g, s, o, oi, ov, oc) = unsafe {
            (
                gpu.as_ref(),
                arg_slice(scores, n, "scores")?,
                arg_slice(offsets, num_offsets, "offsets")?,
                arg_slice_mut(out_idx, total, "out_idx")?,
                arg_slice_mut(out_val, total, "out_val")?,
                arg_slice_mut(out_counts, segs, "out_counts")?,
            )
        };
        let b = cuda::topk_batched(g.map(|g| &g.0), s, o, k)?;
        oi.copy_from_slice(&b.indices);
        ov.copy_from_slice(&b.values);
        oc.copy_from_slice(&b.counts);
        Ok(())
    })
}

/// Exponential decay in place: `scores[i] *= 0.5^((now - timestamps[i]) /
/// half_life)`; timestamps after `now` leave their score unchanged.
/// `half_life <= 0` or non-finite, or non-finite `now`, is
/// ULTRA_ERR_INVALID_ARGUMENT and nothing changes. NULL `gpu` runs on the CPU.
/// Not thread-safe with other users of `scores`.
///
/// # Safety
/// `scores` valid for `n` reads and writes, `timestamps` for `n` reads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_decay_f32(
    gpu: *const ultra_gpu_t,
    scores: *mut f32,
    timestamps: *const f64,
    n: usize,
    now: f64,
    half_life: f64,
) -> ultra_status {
    guard("ultra_gpu_decay_f32", || {
        // SAFETY: pointers valid per the contract (NULL checked by the helpers).
        let (g, s, t) = unsafe {
            (
                gpu.as_ref(),
                arg_slice_mut(scores, n, "scores")?,
                arg_slice(timestamps, n, "timestamps")?,
            )
        };
        cuda::decay(g.map(|g| &g.0), s, t, now, half_life)
    })
}

/// Decay of each segment `offsets[s] .. offsets[s + 1]` with its own
/// `half_lives[s]` (`num_offsets - 1` of them). Everything is checked before
/// anything changes. NULL `gpu` runs on the CPU.
///
/// # Safety
/// `scores` valid for `n` reads and writes, `timestamps` for `n` reads,
/// `offsets` for `num_offsets` reads, `half_lives` for `num_offsets - 1` reads.
#[allow(clippy::too_many_arguments)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_decay_batched_f32(
    gpu: *const ultra_gpu_t,
    scores: *mut f32,
    timestamps: *const f64,
    n: usize,
    offsets: *const usize,
    num_offsets: usize,
    now: f64,
    half_lives: *const f64,
) -> ultra_status {
    guard("ultra_gpu_decay_batched_f32", || {
        // SAFETY: pointers valid per the contract (NULL checked by the helpers).
        let (g, s, t, o, h) = unsafe {
            (
                gpu.as_ref(),
                arg_slice_mut(scores, n, "scores")?,
                arg_slice(timestamps, n, "timestamps")?,
                arg_slice(offsets, num_offsets, "offsets")?,
                arg_slice(half_lives, num_offsets.saturating_sub(1), "half_lives")?,
            )
        };
        cuda::decay_batched(g.map(|g| &g.0), s, t, o, now, h)
    })
}

/// Create a stream on `gpu` (release with `ultra_gpu_stream_free`).
/// Thread-safe.
///
/// # Safety
/// `gpu` is NULL or live; `out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_stream_new(
    gpu: *const ultra_gpu_t,
    out: *mut *mut ultra_gpu_stream_t,
) -> ultra_status {
    guard("ultra_gpu_stream_new", || {
        // SAFETY: NULL or live per the contract.
        let g = unsafe { arg_ref(gpu, "gpu") }?;
        non_null(out, "out")?;
        let s = g.0.new_stream()?;
        // SAFETY: checked non-NULL.
        unsafe { box_out(out, ultra_gpu_stream_t(s), "out") }
    })
}

/// Release a stream (queued work still completes); NULL is a no-op.
///
/// # Safety
/// `stream` is NULL or a live handle, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_stream_free(stream: *mut ultra_gpu_stream_t) {
    // SAFETY: per the contract.
    super::common::catch("ultra_gpu_stream_free", || unsafe { free_box(stream) })
}

/// Block until all work queued on `stream` has finished. Thread-safe.
///
/// # Safety
/// `stream` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_stream_synchronize(
    stream: *const ultra_gpu_stream_t,
) -> ultra_status {
    guard("ultra_gpu_stream_synchronize", || {
        // SAFETY: NULL or live per the contract.
        unsafe { arg_ref(stream, "stream") }?.0.synchronize()
    })
}

/// Allocate `bytes > 0` of zeroed device memory from `gpu`'s pool, ordered on
/// `stream` (release with `ultra_gpu_buffer_free`). ULTRA_ERR_OUT_OF_MEMORY
/// when the pool's size would be exceeded. Thread-safe.
///
/// # Safety
/// `gpu` and `stream` are NULL or live; `out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_buffer_new(
    gpu: *const ultra_gpu_t,
    stream: *const ultra_gpu_stream_t,
    bytes: usize,
    out: *mut *mut ultra_gpu_buffer_t,
) -> ultra_status {
    guard("ultra_gpu_buffer_new", || {
        // SAFETY: NULL or live per the contract.
        let (g, s) = unsafe { (arg_ref(gpu, "gpu")?, arg_ref(stream, "stream")?) };
        non_null(out, "out")?;
        let b = g.0.alloc(&s.0, bytes)?;
        // SAFETY: checked non-NULL.
        unsafe { box_out(out, ultra_gpu_buffer_t(b), "out") }
    })
}

/// Return a buffer to its pool (after the work queued on its stream); NULL is
/// a no-op.
///
/// # Safety
/// `buf` is NULL or a live handle, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_buffer_free(buf: *mut ultra_gpu_buffer_t) {
    // SAFETY: per the contract.
    super::common::catch("ultra_gpu_buffer_free", || unsafe { free_box(buf) })
}

/// Queue a copy of `len` host bytes from `src` into `buf` at `offset` on
/// `stream`; `src` may be reused when the call returns. A range outside the
/// buffer is ULTRA_ERR_INVALID_ARGUMENT. Not thread-safe with other users of `buf`.
///
/// # Safety
/// `buf`/`stream` NULL or live; `src` valid for `len` reads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_buffer_upload(
    buf: *mut ultra_gpu_buffer_t,
    stream: *const ultra_gpu_stream_t,
    offset: usize,
    src: *const c_void,
    len: usize,
) -> ultra_status {
    guard("ultra_gpu_buffer_upload", || {
        // SAFETY: pointers valid per the contract (NULL checked by the helpers).
        let (b, s, src) = unsafe {
            (
                arg_mut(buf, "buf")?,
                arg_ref(stream, "stream")?,
                arg_slice(src.cast::<u8>(), len, "src")?,
            )
        };
        b.0.upload(&s.0, offset, src)
    })
}

/// Copy `len` bytes of `buf` at `offset` into host memory `dst`, waiting for
/// the copy (and the work queued before it on `stream`). Thread-safe with
/// other readers of `buf`.
///
/// # Safety
/// `buf`/`stream` NULL or live; `dst` valid for `len` writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_buffer_download(
    buf: *const ultra_gpu_buffer_t,
    stream: *const ultra_gpu_stream_t,
    offset: usize,
    dst: *mut c_void,
    len: usize,
) -> ultra_status {
    guard("ultra_gpu_buffer_download", || {
        // SAFETY: pointers valid per the contract (NULL checked by the helpers).
        let (b, s, dst) = unsafe {
            (
                arg_ref(buf, "buf")?,
                arg_ref(stream, "stream")?,
                arg_slice_mut(dst.cast::<u8>(), len, "dst")?,
            )
        };
        b.0.download(&s.0, offset, dst)
    })
}

/// Queue an asynchronous copy of `pinned[pinned_offset .. + len]` into `buf`
/// at `offset`; returns at once. Do not touch the pinned bytes until
/// `ultra_gpu_stream_synchronize(stream)`.
///
/// # Safety
/// Handles NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_buffer_upload_pinned(
    buf: *mut ultra_gpu_buffer_t,
    stream: *const ultra_gpu_stream_t,
    offset: usize,
    pinned: *const ultra_gpu_pinned_t,
    pinned_offset: usize,
    len: usize,
) -> ultra_status {
    guard("ultra_gpu_buffer_upload_pinned", || {
        // SAFETY: NULL or live per the contract.
        let (b, s, p) = unsafe {
            (
                arg_mut(buf, "buf")?,
                arg_ref(stream, "stream")?,
                arg_ref(pinned, "pinned")?,
            )
        };
        let end = pinned_offset
            .checked_add(len)
            .ok_or_else(|| Error::invalid("pinned range overflows"))?;
        b.0.upload_pinned(&s.0, offset, &p.0, pinned_offset..end)
    })
}

/// Queue an asynchronous copy of `len` bytes of `buf` at `offset` into
/// `pinned[pinned_offset ..]`; returns at once. Read the pinned bytes only
/// after `ultra_gpu_stream_synchronize(stream)`.
///
/// # Safety
/// Handles NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_buffer_download_pinned(
    buf: *const ultra_gpu_buffer_t,
    stream: *const ultra_gpu_stream_t,
    offset: usize,
    pinned: *mut ultra_gpu_pinned_t,
    pinned_offset: usize,
    len: usize,
) -> ultra_status {
    guard("ultra_gpu_buffer_download_pinned", || {
        // SAFETY: NULL or live per the contract.
        let (b, s, p) = unsafe {
            (
                arg_ref(buf, "buf")?,
                arg_ref(stream, "stream")?,
                arg_mut(pinned, "pinned")?,
            )
        };
        let end = pinned_offset
            .checked_add(len)
            .ok_or_else(|| Error::invalid("pinned range overflows"))?;
        b.0.download_pinned(&s.0, offset, &mut p.0, pinned_offset..end)
    })
}

/// Top-k of `n` f32 scores stored in device buffer `buf` (see
/// `ultra_gpu_topk_f32`), computed on `gpu`'s stream after the work already
/// queued there. Values are read back from the device (NaN payloads are not
/// kept). Thread-safe.
///
/// # Safety
/// Handles NULL or live; outputs valid for `min(k, n)` writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_topk_f32_device(
    gpu: *const ultra_gpu_t,
    buf: *const ultra_gpu_buffer_t,
    n: usize,
    k: usize,
    out_idx: *mut u32,
    out_val: *mut f32,
) -> ultra_status {
    guard("ultra_gpu_topk_f32_device", || {
        // SAFETY: pointers valid per the contract (NULL checked by the helpers).
        let (g, b, oi, ov) = unsafe {
            (
                arg_ref(gpu, "gpu")?,
                arg_ref(buf, "buf")?,
                arg_slice_mut(out_idx, k.min(n), "out_idx")?,
                arg_slice_mut(out_val, k.min(n), "out_val")?,
            )
        };
        let (idx, val) = g.0.topk_f32_device(&b.0, n, k)?;
        oi.copy_from_slice(&idx);
        ov.copy_from_slice(&val);
        Ok(())
    })
}

/// Allocate `bytes > 0` of page-locked host memory for fast copies with
/// `gpu`, placed on the GPU's NUMA node when known (release with
/// `ultra_gpu_pinned_free`). Thread-safe.
///
/// # Safety
/// `gpu` NULL or live; `out` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_pinned_alloc(
    gpu: *const ultra_gpu_t,
    bytes: usize,
    out: *mut *mut ultra_gpu_pinned_t,
) -> ultra_status {
    guard("ultra_gpu_pinned_alloc", || {
        // SAFETY: NULL or live per the contract.
        let g = unsafe { arg_ref(gpu, "gpu") }?;
        non_null(out, "out")?;
        let p = g.0.pinned(bytes)?;
        // SAFETY: checked non-NULL.
        unsafe { box_out(out, ultra_gpu_pinned_t(p), "out") }
    })
}

/// The start of a pinned buffer's bytes (valid until `ultra_gpu_pinned_free`),
/// or NULL for a NULL handle. Thread-safe.
///
/// # Safety
/// `pinned` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_pinned_data(pinned: *const ultra_gpu_pinned_t) -> *mut c_void {
    super::common::catch("ultra_gpu_pinned_data", || {
        // SAFETY: NULL or live per the contract.
        match unsafe { pinned.as_ref() } {
            Some(p) => p.0.as_ptr().cast(),
            None => std::ptr::null_mut(),
        }
    })
}

/// Write the NUMA node holding the pinned pages to `*node` (-1 when the
/// kernel cannot tell). Thread-safe.
///
/// # Safety
/// `pinned` NULL or live; `node` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_pinned_numa_node(
    pinned: *const ultra_gpu_pinned_t,
    node: *mut c_int,
) -> ultra_status {
    guard("ultra_gpu_pinned_numa_node", || {
        // SAFETY: NULL or live per the contract.
        let p = unsafe { arg_ref(pinned, "pinned") }?;
        let n = p.0.numa_node().map_or(-1, |n| n as c_int);
        // SAFETY: NULL-checked by write_out; valid per the contract.
        unsafe { write_out(node, n, "node") }
    })
}

/// Unregister and release pinned memory (waits for copies using it); NULL is
/// a no-op.
///
/// # Safety
/// `pinned` is NULL or a live handle, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_gpu_pinned_free(pinned: *mut ultra_gpu_pinned_t) {
    // SAFETY: per the contract.
    super::common::catch("ultra_gpu_pinned_free", || unsafe { free_box(pinned) })
}
