//! Finding the CUDA driver without crashing when it is absent.
//!
//! cudarc loads `libcuda.so` and `libnvrtc.so` lazily and *panics* when a
//! library or symbol is missing. Every GPU call in ultra therefore goes
//! through two gates: [`driver`] checks once (cached) that the driver library
//! loads and `cuInit` succeeds, turning absence into
//! [`Error::Unavailable`]; and the internal `call` runs each cudarc call inside
//! `catch_unwind`, turning any panic that still escapes (a symbol missing from
//! an old driver, say) into [`Error::Device`].

use crate::error::{Error, Result};

/// Why GPU calls are unavailable when the crate is built without the `cuda` feature.
#[cfg(not(feature = "cuda"))]
pub(crate) const NO_FEATURE: &str = "ultra was built without the `cuda` feature";

/// `Ok` when the CUDA driver library loads and initialises; cached after the
/// first call. Never panics.
#[cfg(feature = "cuda")]
pub fn driver() -> Result<()> {
    use std::sync::OnceLock;
    static STATE: OnceLock<Result<()>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            // SAFETY: `is_culib_present` only tries `dlopen` on a fixed list of
            // library names and closes what it opened; it has no preconditions.
            if !unsafe { cudarc::driver::sys::is_culib_present() } {
                return Err(Error::unavailable(
                    "no CUDA driver (libcuda.so could not be loaded)",
                ));
            }
            call(cudarc::driver::result::init)
                .map_err(|e| Error::unavailable(format!("the CUDA driver did not initialise: {e}")))
        })
        .clone()
}

/// Without the `cuda` feature there is never a driver.
#[cfg(not(feature = "cuda"))]
pub fn driver() -> Result<()> {
    Err(Error::unavailable(NO_FEATURE))
}

/// `Ok` when NVRTC (needed to compile the kernels) loads; cached. Never panics.
#[cfg(feature = "cuda")]
pub fn nvrtc() -> Result<()> {
    use std::sync::OnceLock;
    static STATE: OnceLock<bool> = OnceLock::new();
    // SAFETY: as in `driver`: a dlopen probe over fixed names.
    if *STATE.get_or_init(|| unsafe { cudarc::nvrtc::sys::is_culib_present() }) {
        Ok(())
    } else {
        Err(Error::unavailable(
            "NVRTC (libnvrtc.so) could not be loaded: the kernels cannot be compiled; \
             add the CUDA runtime libraries to LD_LIBRARY_PATH",
        ))
    }
}

/// Run a driver call, turning its error into [`Error::Device`] and a panic
/// into [`Error::Device`] too (cudarc panics on a missing symbol).
#[cfg(feature = "cuda")]
pub(crate) fn call<T, E: std::fmt::Display>(f: impl FnOnce() -> Result<T, E>) -> Result<T> {
    guarded(|| f().map_err(|e| Error::device(e.to_string())))
}

/// Run `f`, turning a panic that escapes it into [`Error::Device`]; its own
/// errors pass through unchanged.
#[cfg(feature = "cuda")]
pub(crate) fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => Err(Error::device(format!(
            "the CUDA library panicked: {}",
            p.downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into())
        ))),
    }
}
