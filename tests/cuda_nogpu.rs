//! Without a GPU (CI, this machine): the probe finds no device and every GPU
//! entry point fails cleanly with `Unavailable`, never panicking. Each test
//! skips itself when a driver *is* present.

use ultra::ErrorKind;
use ultra::cuda::{self, Gpu, GpuConfig};

fn no_driver() -> bool {
    if cuda::probe::driver().is_ok() {
        eprintln!("a CUDA driver is present: skipping the no-GPU checks");
        return false;
    }
    true
}

#[test]
fn probe_reports_no_device() {
    if !no_driver() {
        return;
    }
    assert_eq!(
        cuda::probe::driver().unwrap_err().kind(),
        ErrorKind::Unavailable
    );
    assert_eq!(cuda::device_count().unwrap(), 0);
    assert!(cuda::devices().unwrap().is_empty());
    assert_eq!(
        cuda::device_info(0).unwrap_err().kind(),
        ErrorKind::Unavailable
    );
}

#[test]
fn open_is_unavailable_and_config_is_checked_first() {
    if !no_driver() {
        return;
    }
    let e = Gpu::open(0, &GpuConfig::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    assert!(e.to_string().contains("unavailable"), "{e}");
    let bad = GpuConfig {
        pool_size: 0,
        release_threshold: 0,
    };
    assert_eq!(
        Gpu::open(0, &bad).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    // Repeated probes stay cheap and consistent.
    for _ in 0..3 {
        assert_eq!(
            Gpu::open(1, &GpuConfig::default()).unwrap_err().kind(),
            ErrorKind::Unavailable
        );
    }
}

#[test]
fn front_falls_back_to_the_cpu() {
    let scores = [0.1f32, 0.9, 0.5];
    assert_eq!(cuda::topk(None, &scores, 2).unwrap().0, [1, 2]);
    let mut s = [2.0f32];
    cuda::decay(None, &mut s, &[0.0], 1.0, 1.0).unwrap();
    assert_eq!(s, [1.0]);
    let b = cuda::topk_batched(None, &scores, &[0, 2, 3], 1).unwrap();
    assert_eq!(b.indices, [1, 0]);
    let mut s = [2.0f32, 2.0];
    cuda::decay_batched(None, &mut s, &[0.0, 0.0], &[0, 1, 2], 1.0, &[1.0, 0.5]).unwrap();
    assert_eq!(s, [1.0, 0.5]);
}

#[test]
fn pci_numa_node_of_a_missing_device_is_unknown() {
    assert_eq!(cuda::device::pci_numa_node("ffff:ff:ff.0"), None);
}
