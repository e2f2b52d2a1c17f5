//! Every input through every stage-1 kernel the CPU has (must agree with the
//! portable one) and through the parser (same accept/reject as serde_json).
//! Run: `cargo +nightly fuzz run json_vs_serde -- -max_total_time=60`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ultra::json::{self, Kernel, Parser, testing::run_kernel};

fuzz_target!(|data: &[u8]| {
    let oracle = run_kernel(Kernel::Scalar, data);
    for k in Kernel::ALL {
        if let Some(r) = run_kernel(k, data) {
            assert_eq!(Some(r), oracle, "kernel {} differs", k.name());
        }
    }
    let ours = Parser::new().parse(data).is_ok();
    let theirs = serde_json::from_slice::<serde_json::Value>(data).is_ok();
    // serde_json stops at depth 128; ultra allows 1024.
    let deep = data.iter().filter(|&&b| b == b'[' || b == b'{').count() >= 128;
    if !deep {
        assert_eq!(ours, theirs, "accept/reject differs from serde_json");
    }
    assert_eq!(ours, json::validate(data).is_ok());
    let mut out = Vec::new();
    if ours {
        json::minify(data, &mut out).unwrap();
        assert!(json::validate(&out).is_ok());
    }
});
