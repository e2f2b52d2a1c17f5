//! The C and C++ harness: builds `libultra.so`, compiles every program in
//! `c_examples/` against `include/` with `-Wall -Wextra -Werror`, runs it and
//! checks its output; where valgrind is installed, runs each again (with
//! `--quick`) under memcheck and fails on any error or leak.
//!
//! Contract for a program in `c_examples/`: it verifies its own results, exits
//! 0 on success, prints `<file stem>: OK` as its last line, and accepts
//! `--quick` to shrink its workload (used under valgrind).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("could not run {cmd:?}: {e}"));
    if !out.status.success() {
        panic!(
            "{cmd:?} failed with {}\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Build the cdylib with the same profile and features as this test and lay it
/// out as an installed library would be: `libultra.so.1` plus the dev symlink.
fn build_library() -> PathBuf {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["build", "--lib"]).current_dir(root());
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    let features = env!("ULTRA_BUILD_FEATURES");
    cmd.arg("--no-default-features");
    if !features.is_empty() {
        cmd.arg("--features").arg(features);
    }
    run(&mut cmd);

    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let target_dir = if target_dir.is_absolute() {
        target_dir
    } else {
        root().join(target_dir)
    };
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let built = target_dir.join(profile).join("libultra.so");
    assert!(built.exists(), "{} was not built", built.display());

    let libdir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c-examples-lib");
    std::fs::create_dir_all(&libdir).unwrap();
    let versioned = libdir.join("libultra.so.1");
    std::fs::copy(&built, &versioned).unwrap();
    let link = libdir.join("libultra.so");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink("libultra.so.1", &link).unwrap();
    libdir
}

fn compile(src: &Path, libdir: &Path, outdir: &Path) -> PathBuf {
    let cpp = src.extension().is_some_and(|e| e == "cpp");
    let exe = outdir.join(src.file_stem().unwrap());
    let mut cmd = Command::new(if cpp { "c++" } else { "cc" });
    cmd.arg(if cpp { "-std=c++17" } else { "-std=c11" })
        .args(["-O1", "-g", "-Wall", "-Wextra", "-Werror", "-pthread"])
        .arg("-I")
        .arg(root().join("include"))
        .arg(src)
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", libdir.display()))
        .arg(format!("-Wl,-rpath,{}", libdir.display()))
        .args(["-lultra", "-lm"]);
    run(&mut cmd);
    exe
}

fn check_output(name: &str, out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    assert_eq!(
        last.trim(),
        format!("{name}: OK"),
        "{name} must print `{name}: OK` last\n--- stdout\n{stdout}"
    );
}

fn examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("c_examples"))
        .expect("c_examples/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c" || e == "cpp"))
        .collect();
    v.sort();
    v
}

#[test]
fn header_compiles_standalone_as_c_and_cpp() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c-header-check");
    std::fs::create_dir_all(&dir).unwrap();
    let inc = root().join("include");
    let c = dir.join("only_header.c");
    std::fs::write(&c, "#include <ultra.h>\nint main(void) { return ultra_abi_version() >> 16 == ULTRA_ABI_VERSION_MAJOR ? 0 : 1; }\n").unwrap();
    for std_flag in ["-std=c99", "-std=c11"] {
        run(Command::new("cc")
            .args([
                std_flag,
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "-fsyntax-only",
            ])
            .arg("-I")
            .arg(&inc)
            .arg(&c));
    }
    let cpp = dir.join("only_header.cpp");
    std::fs::write(&cpp, "#include <ultra.hpp>\nint main() { return ultra::abi_version() >> 16 == ULTRA_ABI_VERSION_MAJOR ? 0 : 1; }\n").unwrap();
    run(Command::new("c++")
        .args([
            "-std=c++17",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-fsyntax-only",
        ])
        .arg("-I")
        .arg(&inc)
        .arg(&cpp));
}

#[test]
fn c_examples_build_run_and_pass() {
    let libdir = build_library();
    let outdir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c-examples-bin");
    std::fs::create_dir_all(&outdir).unwrap();
    let all = examples();
    assert!(!all.is_empty(), "no programs in c_examples/");
    let valgrind = have("valgrind");
    if !valgrind {
        eprintln!("valgrind not installed: skipping the memcheck runs of c_examples/");
    }
    for src in &all {
        let name = src.file_stem().unwrap().to_str().unwrap().to_owned();
        let exe = compile(src, &libdir, &outdir);
        let out = run(&mut Command::new(&exe));
        check_output(&name, &out);
        eprintln!("{name}: passed");
        if valgrind {
            let out = run(Command::new("valgrind")
                .args([
                    "--quiet",
                    "--error-exitcode=97",
                    "--leak-check=full",
                    "--show-leak-kinds=definite,indirect,possible",
                    "--errors-for-leak-kinds=definite,indirect,possible",
                ])
                .arg(&exe)
                .arg("--quick"));
            check_output(&name, &out);
            eprintln!("{name}: passed under valgrind memcheck");
        }
    }
}
