//! The C ABI of `ultra::cuda`, called directly: bad input gets its status, a
//! last-error text, and leaves outputs untouched; without a GPU every GPU
//! entry point is ULTRA_ERR_UNAVAILABLE and the NULL-gpu (CPU) paths work.

use std::ptr::{null, null_mut};

use ultra::ffi::common::{ultra_status, with_last_error};
use ultra::ffi::cuda::*;

use ultra_status::*;

fn last_error() -> String {
    with_last_error(|m| String::from_utf8_lossy(m).into_owned())
}

fn no_driver() -> bool {
    ultra::cuda::probe::driver().is_err()
}

#[test]
fn device_count_and_open_without_a_gpu() {
    if !no_driver() {
        eprintln!("a CUDA driver is present: skipping");
        return;
    }
    let mut count = -1;
    // SAFETY: valid out-pointer.
    assert_eq!(unsafe { ultra_gpu_device_count(&mut count) }, ULTRA_OK);
    assert_eq!(count, 0);
    let cfg = ultra_gpu_config_default();
    let mut gpu: *mut ultra_gpu_t = null_mut();
    // SAFETY: valid pointers.
    let st = unsafe { ultra_gpu_open(0, &cfg, &mut gpu) };
    assert_eq!(st, ULTRA_ERR_UNAVAILABLE);
    assert!(gpu.is_null());
    assert!(
        last_error().starts_with("ultra_gpu_open: unavailable"),
        "{}",
        last_error()
    );
    // SAFETY: NULL config means defaults.
    let st = unsafe { ultra_gpu_open(0, null(), &mut gpu) };
    assert_eq!(st, ULTRA_ERR_UNAVAILABLE);
    let mut info = std::mem::MaybeUninit::<ultra_gpu_info_t>::uninit();
    // SAFETY: valid out-pointer.
    let st = unsafe { ultra_gpu_device_info(0, info.as_mut_ptr()) };
    assert_eq!(st, ULTRA_ERR_UNAVAILABLE);
}

#[test]
fn null_and_bad_arguments() {
    let mut gpu: *mut ultra_gpu_t = null_mut();
    // SAFETY: NULL pointers are what is being tested.
    unsafe {
        assert_eq!(ultra_gpu_device_count(null_mut()), ULTRA_ERR_NULL_ARGUMENT);
        assert!(last_error().contains("count"));
        assert_eq!(
            ultra_gpu_device_info(0, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_gpu_open(0, null(), null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        let bad = ultra_gpu_config_t {
            pool_size: 0,
            release_threshold: 0,
        };
        assert_eq!(
            ultra_gpu_open(0, &bad, &mut gpu),
            ULTRA_ERR_INVALID_ARGUMENT
        );
        assert_eq!(
            ultra_gpu_open(-1, null(), &mut gpu),
            ULTRA_ERR_INVALID_ARGUMENT
        );
        assert!(gpu.is_null());
        let mut info = std::mem::MaybeUninit::<ultra_gpu_info_t>::uninit();
        assert_ne!(ultra_gpu_device_info(-3, info.as_mut_ptr()), ULTRA_OK);
        let mut stream: *mut ultra_gpu_stream_t = null_mut();
        assert_eq!(
            ultra_gpu_stream_new(null(), &mut stream),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_gpu_stream_synchronize(null()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        let mut buf: *mut ultra_gpu_buffer_t = null_mut();
        assert_eq!(
            ultra_gpu_buffer_new(null(), null(), 8, &mut buf),
            ULTRA_ERR_NULL_ARGUMENT
        );
        let mut pinned: *mut ultra_gpu_pinned_t = null_mut();
        assert_eq!(
            ultra_gpu_pinned_alloc(null(), 8, &mut pinned),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert!(stream.is_null() && buf.is_null() && pinned.is_null());
        assert!(ultra_gpu_pinned_data(null()).is_null());
        let mut node = 7;
        assert_eq!(
            ultra_gpu_pinned_numa_node(null(), &mut node),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(node, 7);
        let mut used = 9usize;
        assert_eq!(
            ultra_gpu_pool_used(null(), &mut used),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(used, 9);
        let mut byte = 0u8;
        assert_eq!(
            ultra_gpu_buffer_upload(null_mut(), null(), 0, (&byte as *const u8).cast(), 1),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_gpu_buffer_download(null(), null(), 0, (&mut byte as *mut u8).cast(), 1),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_gpu_topk_f32_device(null(), null(), 4, 2, null_mut(), null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        // Freeing NULL is a no-op.
        ultra_gpu_close(null_mut());
        ultra_gpu_stream_free(null_mut());
        ultra_gpu_buffer_free(null_mut());
        ultra_gpu_pinned_free(null_mut());
    }
}

#[test]
fn cpu_topk_through_the_c_abi() {
    let scores = [0.5f32, 2.0, f32::NAN, 2.0, -1.0];
    let (mut idx, mut val) = ([0u32; 3], [0f32; 3]);
    // SAFETY: buffers sized min(k, n) = 3.
    let st = unsafe {
        ultra_gpu_topk_f32(
            null(),
            scores.as_ptr(),
            5,
            3,
            idx.as_mut_ptr(),
            val.as_mut_ptr(),
        )
    };
    assert_eq!(st, ULTRA_OK);
    assert_eq!((idx, val), ([1, 3, 0], [2.0, 2.0, 0.5]));
    // k > n writes n results; k = 0 and n = 0 accept NULL outputs.
    let (mut idx, mut val) = ([9u32; 5], [9f32; 5]);
    // SAFETY: buffers hold 5 elements.
    unsafe {
        assert_eq!(
            ultra_gpu_topk_f32(
                null(),
                scores.as_ptr(),
                5,
                50,
                idx.as_mut_ptr(),
                val.as_mut_ptr()
            ),
            ULTRA_OK
        );
        assert_eq!(idx, [1, 3, 0, 4, 2]);
        assert_eq!(
            ultra_gpu_topk_f32(null(), scores.as_ptr(), 5, 0, null_mut(), null_mut()),
            ULTRA_OK
        );
        assert_eq!(
            ultra_gpu_topk_f32(null(), null(), 0, 4, null_mut(), null_mut()),
            ULTRA_OK
        );
    }
    // NULL inputs/outputs: status, message, outputs untouched.
    let (mut idx, mut val) = ([7u32; 2], [7f32; 2]);
    // SAFETY: NULLs are what is being tested; other buffers are valid.
    unsafe {
        assert_eq!(
            ultra_gpu_topk_f32(null(), null(), 5, 2, idx.as_mut_ptr(), val.as_mut_ptr()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert!(last_error().contains("scores"), "{}", last_error());
        assert_eq!(
            ultra_gpu_topk_f32(null(), scores.as_ptr(), 5, 2, idx.as_mut_ptr(), null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert!(last_error().contains("out_val"));
    }
    assert_eq!((idx, val), ([7; 2], [7.0; 2]));
}

#[test]
fn cpu_batched_topk_through_the_c_abi() {
    let scores = [1.0f32, 5.0, 3.0, 9.0, 2.0, 7.0];
    let offsets = [0usize, 3, 3, 6];
    let (mut idx, mut val, mut cnt) = ([0u32; 6], [0f32; 6], [0u32; 3]);
    // SAFETY: outputs hold 3 segments * k = 2.
    let st = unsafe {
        ultra_gpu_topk_batched_f32(
            null(),
            scores.as_ptr(),
            6,
            offsets.as_ptr(),
            4,
            2,
            idx.as_mut_ptr(),
            val.as_mut_ptr(),
            cnt.as_mut_ptr(),
        )
    };
    assert_eq!(st, ULTRA_OK);
    assert_eq!(cnt, [2, 0, 2]);
    assert_eq!(idx, [1, 2, u32::MAX, u32::MAX, 0, 2]);
    // Decreasing offsets: invalid, nothing written.
    let bad = [0usize, 4, 2];
    let mut cnt = [5u32; 2];
    // SAFETY: outputs hold 2 segments * k = 2 (idx/val have 6).
    let st = unsafe {
        ultra_gpu_topk_batched_f32(
            null(),
            scores.as_ptr(),
            6,
            bad.as_ptr(),
            3,
            2,
            idx.as_mut_ptr(),
            val.as_mut_ptr(),
            cnt.as_mut_ptr(),
        )
    };
    assert_eq!(st, ULTRA_ERR_INVALID_ARGUMENT);
    assert!(last_error().contains("non-decreasing"), "{}", last_error());
    assert_eq!(cnt, [5, 5]);
}

#[test]
fn cpu_decay_through_the_c_abi() {
    let mut s = [4.0f32, 4.0];
    let ts = [0.0f64, 2.0];
    // SAFETY: arrays of length 2.
    unsafe {
        assert_eq!(
            ultra_gpu_decay_f32(null(), s.as_mut_ptr(), ts.as_ptr(), 2, 2.0, 1.0),
            ULTRA_OK
        );
        assert_eq!(s, [1.0, 4.0]);
        assert_eq!(
            ultra_gpu_decay_f32(null(), s.as_mut_ptr(), ts.as_ptr(), 2, 2.0, 0.0),
            ULTRA_ERR_INVALID_ARGUMENT
        );
        assert!(last_error().contains("half_life"));
        assert_eq!(
            ultra_gpu_decay_f32(null(), s.as_mut_ptr(), null(), 2, 2.0, 1.0),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(s, [1.0, 4.0]);
        let offsets = [0usize, 1, 2];
        let hl = [1.0f64, 2.0];
        assert_eq!(
            ultra_gpu_decay_batched_f32(
                null(),
                s.as_mut_ptr(),
                ts.as_ptr(),
                2,
                offsets.as_ptr(),
                3,
                4.0,
                hl.as_ptr()
            ),
            ULTRA_OK
        );
        assert_eq!(s, [1.0 / 16.0, 2.0]);
        assert_eq!(
            ultra_gpu_decay_batched_f32(
                null(),
                s.as_mut_ptr(),
                ts.as_ptr(),
                2,
                offsets.as_ptr(),
                3,
                4.0,
                null()
            ),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_gpu_decay_f32(null(), null_mut(), null(), 0, 1.0, 1.0),
            ULTRA_OK
        );
    }
}

#[test]
fn default_config_is_valid() {
    let c = ultra_gpu_config_default();
    assert!(c.pool_size > 0 && c.release_threshold <= c.pool_size);
}
