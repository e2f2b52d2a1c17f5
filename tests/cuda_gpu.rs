//! The GPU suite: needs a CUDA driver, NVRTC and a device. Run it with
//!
//! ```text
//! cargo test --features cuda -- --ignored gpu
//! ```
//!
//! Every test compares the GPU against the CPU kernels (the oracle).
#![cfg(feature = "cuda")]

use ultra::ErrorKind;
use ultra::cuda::{self, Gpu, GpuConfig, cpu};

fn open() -> Gpu {
    Gpu::open(0, &GpuConfig::default()).expect("the GPU suite needs a GPU (device 0)")
}

fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn random_scores(n: usize, seed: &mut u64, distinct: u64) -> Vec<f32> {
    (0..n)
        .map(|i| match xorshift(seed) % 97 {
            0 if i % 3 == 0 => f32::NAN,
            1 => -0.0,
            _ => (xorshift(seed) % distinct) as f32 * 0.25 - 100.0,
        })
        .collect()
}

fn same(a: &(Vec<u32>, Vec<f32>), b: &(Vec<u32>, Vec<f32>)) -> bool {
    a.0 == b.0
        && a.1.len() == b.1.len()
        && a.1
            .iter()
            .zip(&b.1)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

#[test]
#[ignore = "needs a GPU"]
fn gpu_devices_are_described() {
    let devs = cuda::devices().unwrap();
    assert!(!devs.is_empty());
    for d in &devs {
        assert!(d.total_memory > 0 && d.free_memory <= d.total_memory);
        assert!(d.sm_count > 0 && d.compute_capability.0 >= 3);
        assert_eq!(d.pci_bus_id.len(), 12, "{}", d.pci_bus_id);
        eprintln!("{d:?}");
    }
}

#[test]
#[ignore = "needs a GPU"]
fn gpu_topk_equals_cpu_on_many_sizes() {
    let gpu = open();
    let mut seed = 7;
    for n in [1usize, 2, 5, 255, 256, 257, 1000, 4096, 65_537, 1 << 20] {
        for distinct in [3u64, 1000, 1 << 30] {
            let scores = random_scores(n, &mut seed, distinct);
            for k in [0, 1, 10, 100, 1000, 5000, n] {
                let want = cpu::topk_f32(&scores, k).unwrap();
                let got = gpu.topk_f32(&scores, k).unwrap();
                assert!(same(&got, &want), "n = {n}, k = {k}, distinct = {distinct}");
                assert!(same(&cuda::topk(Some(&gpu), &scores, k).unwrap(), &want));
            }
        }
    }
}

#[test]
#[ignore = "needs a GPU"]
fn gpu_topk_on_device_data_equals_cpu() {
    let gpu = open();
    let mut seed = 11;
    let scores = random_scores(100_000, &mut seed, 1 << 20);
    let bytes: Vec<u8> = scores.iter().flat_map(|x| x.to_ne_bytes()).collect();
    let mut buf = gpu.alloc(gpu.stream(), bytes.len()).unwrap();
    buf.upload(gpu.stream(), 0, &bytes).unwrap();
    let got = gpu.topk_f32_device(&buf, scores.len(), 100).unwrap();
    assert!(same(&got, &cpu::topk_f32(&scores, 100).unwrap()));
}

#[test]
#[ignore = "needs a GPU"]
fn gpu_batched_topk_equals_cpu() {
    let gpu = open();
    let mut seed = 3;
    for max_seg in [1usize, 17, 300, 4096, 5000] {
        let scores = random_scores(50_000, &mut seed, 50);
        let mut offsets = vec![0usize];
        while *offsets.last().unwrap() < scores.len() {
            let step = (xorshift(&mut seed) as usize % max_seg) + 1;
            offsets.push((offsets.last().unwrap() + step).min(scores.len()));
        }
        for k in [1usize, 8, 64] {
            let want = cpu::topk_batched_f32(&scores, &offsets, k).unwrap();
            let got = gpu.topk_batched_f32(&scores, &offsets, k).unwrap();
            assert_eq!(got.counts, want.counts);
            assert_eq!(got.indices, want.indices, "max_seg = {max_seg}, k = {k}");
        }
    }
}

#[test]
#[ignore = "needs a GPU"]
fn gpu_decay_equals_cpu() {
    let gpu = open();
    let mut seed = 5;
    for n in [1usize, 1000, 1 << 20] {
        let scores = random_scores(n, &mut seed, 1 << 20);
        let ts: Vec<f64> = (0..n)
            .map(|_| (xorshift(&mut seed) % 20_000) as f64)
            .collect();
        let (mut a, mut b) = (scores.clone(), scores.clone());
        cpu::decay_f32(&mut a, &ts, 10_000.0, 3600.0).unwrap();
        gpu.decay_f32(&mut b, &ts, 10_000.0, 3600.0).unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert!(x == y || (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-6 * x.abs());
        }
        let offsets = [0, n / 3, n];
        let (mut a, mut b) = (scores.clone(), scores);
        cpu::decay_batched_f32(&mut a, &ts, &offsets, 10_000.0, &[60.0, 3600.0]).unwrap();
        gpu.decay_batched_f32(&mut b, &ts, &offsets, 10_000.0, &[60.0, 3600.0])
            .unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert!(x == y || (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-6 * x.abs());
        }
    }
}

#[test]
#[ignore = "needs a GPU"]
fn gpu_pool_limit_holds() {
    let cfg = GpuConfig {
        pool_size: 8 << 20,
        release_threshold: 1 << 20,
    };
    let gpu = Gpu::open(0, &cfg).unwrap();
    let s = gpu.stream();
    let a = gpu.alloc(s, 6 << 20).unwrap();
    assert_eq!(gpu.pool_used(), 6 << 20);
    assert_eq!(
        gpu.alloc(s, 3 << 20).unwrap_err().kind(),
        ErrorKind::OutOfMemory
    );
    let b = gpu.alloc(s, 2 << 20).unwrap();
    assert_eq!(gpu.pool_used(), 8 << 20);
    drop(a);
    drop(b);
    assert_eq!(gpu.pool_used(), 0);
    gpu.synchronize().unwrap();
    gpu.trim_pool(0).unwrap();
    // A top-k bigger than the pool fails cleanly instead of overrunning it.
    let big = vec![1.0f32; 4 << 20];
    assert_eq!(
        gpu.topk_f32(&big, 10).unwrap_err().kind(),
        ErrorKind::OutOfMemory
    );
}

#[test]
#[ignore = "needs a GPU"]
fn gpu_pinned_memory_is_on_the_reported_node_and_copies_round_trip() {
    let gpu = open();
    let mut p = gpu.pinned(1 << 20).unwrap();
    if let Some(node) = gpu.info().numa_node {
        assert_eq!(p.numa_node(), Some(node));
    }
    for (i, b) in p.as_mut_slice().unwrap().iter_mut().enumerate() {
        *b = i as u8;
    }
    let s = gpu.new_stream().unwrap();
    let mut d = gpu.alloc(&s, 1 << 20).unwrap();
    let start = s.record().unwrap();
    d.upload_pinned(&s, 0, &p, 0..1 << 20).unwrap();
    let mut back = gpu.pinned(1 << 20).unwrap();
    d.download_pinned(&s, 0, &mut back, 0..1 << 20).unwrap();
    let end = s.record().unwrap();
    end.synchronize().unwrap();
    assert!(start.elapsed_ms(&end).unwrap() >= 0.0);
    assert_eq!(back.as_slice().unwrap(), p.as_slice().unwrap());
}
