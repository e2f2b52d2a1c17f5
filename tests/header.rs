//! `include/ultra.h` must be exactly what cbindgen (pinned in Cargo.toml)
//! generates from `src/ffi/`. Regenerate with:
//!
//! ```text
//! ULTRA_BLESS=1 cargo test --test header
//! ```

use std::path::Path;

fn generate() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_src(root.join("src/ffi/mod.rs"))
        .with_config(config)
        .generate()
        .expect("cbindgen failed to parse src/ffi");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("header is UTF-8")
}

#[test]
fn header_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("include/ultra.h");
    let fresh = generate();
    if std::env::var_os("ULTRA_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write include/ultra.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let first_diff = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(fresh.lines().count()));
        panic!(
            "include/ultra.h is stale (first difference at line {}).\n\
             The C surface in src/ffi/ changed; regenerate the header with\n\
             \n    ULTRA_BLESS=1 cargo test --test header\n\n\
             and commit include/ultra.h.",
            first_diff + 1
        );
    }
}

#[test]
fn version_macros_match_the_library() {
    let header =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("include/ultra.h"))
            .expect("include/ultra.h");
    let macro_value = |name: &str| -> u32 {
        let line = header
            .lines()
            .find(|l| l.starts_with(&format!("#define {name} ")))
            .unwrap_or_else(|| panic!("{name} missing from include/ultra.h"));
        line.split_whitespace().nth(2).unwrap().parse().unwrap()
    };
    let major = macro_value("ULTRA_ABI_VERSION_MAJOR");
    let minor = macro_value("ULTRA_ABI_VERSION_MINOR");
    assert_eq!(ultra::ffi::core::ultra_abi_version(), major << 16 | minor);
    // build.rs stamps the soname with the same major.
    let build_rs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("build.rs")).unwrap();
    assert!(
        build_rs.contains(&format!("const ABI_MAJOR: u32 = {major};")),
        "build.rs ABI_MAJOR must equal ULTRA_ABI_VERSION_MAJOR ({major})"
    );
}
