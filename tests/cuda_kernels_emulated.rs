//! The CUDA C kernels (src/cuda/kernels/*.cu), compiled as host C++ with a
//! small CUDA prelude and run sequentially against sort-based references
//! (tests/cuda_emu/emu.cpp). This checks the kernels' algorithms on machines
//! without a GPU; the GPU suite (tests/cuda_gpu.rs) checks the real thing.

use std::path::Path;
use std::process::Command;

#[test]
fn kernels_match_references_under_sequential_emulation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cuda_kernels_emu");
    let out = Command::new("c++")
        .args(["-std=c++17", "-O1", "-w"])
        .arg("-I")
        .arg(root.join("src/cuda/kernels"))
        .arg("-I")
        .arg(root.join("tests/cuda_emu"))
        .arg(root.join("tests/cuda_emu/emu.cpp"))
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("a C++ compiler (c++) is needed");
    assert!(
        out.status.success(),
        "compiling the kernels as C++ failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert_eq!(stdout.trim(), "emulated kernels: OK");
}
