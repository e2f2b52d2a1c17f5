//! Gives the shared object its soname, `libultra.so.<ABI major>`, so that a C
//! program linked against it records the major ABI version it was built for.

fn main() {
    // Keep in step with `ULTRA_ABI_VERSION_MAJOR` in src/ffi/core.rs (a test checks it).
    const ABI_MAJOR: u32 = 1;
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" || target_os == "android" || target_os == "freebsd" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libultra.so.{ABI_MAJOR}");
    }
    // The enabled features, so the C harness (tests/c_examples.rs) can build
    // libultra.so with the same ones as the test run.
    let mut features: Vec<String> = std::env::vars()
        .filter_map(|(k, _)| {
            k.strip_prefix("CARGO_FEATURE_")
                .map(|f| f.to_lowercase().replace('_', "-"))
        })
        .filter(|f| f != "default")
        .collect();
    features.sort();
    println!(
        "cargo:rustc-env=ULTRA_BUILD_FEATURES={}",
        features.join(",")
    );
    println!("cargo:rerun-if-changed=build.rs");
}
