//! Kernel choice: detected on first use, cached in an atomic function pointer.
//!
//! No static initializer runs at load time (DESIGN.md: no runtime). The first
//! call to [`stage1`] finds [`detect`] in the pointer, detects the widest
//! kernel, stores it and calls it; later calls jump straight to the kernel.
//! Races on the first call are benign: every thread computes the same kernel.
//! The pointer is a process-wide `static`, so it uses `std`'s atomics rather
//! than `crate::sync` (loom atomics cannot be `const`-constructed, and there is
//! no interleaving to model: every store writes the same value).

use std::sync::atomic::{AtomicPtr, Ordering};

use super::{Stage1Fn, State};

/// A stage-1 kernel the library can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Portable table-driven code; runs everywhere.
    Scalar,
    /// x86-64 SSE4.2 + PCLMULQDQ.
    Sse42,
    /// x86-64 AVX2 + PCLMULQDQ + POPCNT + BMI1/2.
    Avx2,
    /// x86-64 AVX-512F/BW + PCLMULQDQ + POPCNT + BMI1/2.
    Avx512,
    /// aarch64 NEON + PMULL.
    Neon,
}

impl Kernel {
    /// Every kernel, widest first.
    pub const ALL: [Kernel; 5] = [
        Kernel::Avx512,
        Kernel::Avx2,
        Kernel::Sse42,
        Kernel::Neon,
        Kernel::Scalar,
    ];

    /// The kernel's name as printed in benchmark tables.
    pub const fn name(self) -> &'static str {
        match self {
            Kernel::Scalar => "scalar",
            Kernel::Sse42 => "sse4.2",
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512bw",
            Kernel::Neon => "neon",
        }
    }

    /// True when this CPU can run the kernel.
    pub fn is_supported(self) -> bool {
        match self {
            Kernel::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Sse42 => {
                is_x86_feature_detected!("sse4.2") && is_x86_feature_detected!("pclmulqdq")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                is_x86_feature_detected!("avx2")
                    && is_x86_feature_detected!("pclmulqdq")
                    && is_x86_feature_detected!("popcnt")
                    && is_x86_feature_detected!("bmi1")
                    && is_x86_feature_detected!("bmi2")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                is_x86_feature_detected!("avx512f")
                    && is_x86_feature_detected!("avx512bw")
                    && is_x86_feature_detected!("pclmulqdq")
                    && is_x86_feature_detected!("popcnt")
                    && is_x86_feature_detected!("bmi1")
                    && is_x86_feature_detected!("bmi2")
            }
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon => {
                std::arch::is_aarch64_feature_detected!("neon")
                    && std::arch::is_aarch64_feature_detected!("aes")
            }
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The kernel's entry point, or `None` if this CPU cannot run it.
    pub(crate) fn entry(self) -> Option<Stage1Fn> {
        if !self.is_supported() {
            return None;
        }
        Some(match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Sse42 => super::sse42::stage1,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => super::avx2::stage1,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => super::avx512::stage1,
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon => super::neon::stage1,
            _ => super::scalar::stage1,
        })
    }

    fn of(f: Stage1Fn) -> Kernel {
        Kernel::ALL
            .into_iter()
            .find(|k| k.entry().is_some_and(|e| std::ptr::fn_addr_eq(e, f)))
            .unwrap_or(Kernel::Scalar)
    }
}

/// The widest kernel this CPU supports.
pub fn best() -> Kernel {
    Kernel::ALL
        .into_iter()
        .find(|k| k.is_supported())
        .unwrap_or(Kernel::Scalar)
}

/// Placeholder stored until the first call: detect, store, run.
///
/// # Safety
/// Same contract as every [`Stage1Fn`] (none beyond valid references).
unsafe fn detect(st: &mut State, input: &[u8], base: usize, out: &mut Vec<u32>) {
    let f = best().entry().unwrap_or(super::scalar::stage1);
    // Relaxed: the pointer is the only datum published and a function pointer
    // needs no other memory to be visible; a racing thread stores the same value.
    ACTIVE.store(f as *mut (), Ordering::Relaxed);
    // SAFETY: `f` came from `entry`, so the CPU supports its features.
    unsafe { f(st, input, base, out) }
}

static ACTIVE: AtomicPtr<()> = AtomicPtr::new(detect as *mut ());

fn active() -> Stage1Fn {
    // Relaxed: see `detect`; the value is either `detect` or a kernel entry.
    let p = ACTIVE.load(Ordering::Relaxed);
    // SAFETY: ACTIVE only ever holds `detect` or an entry of type Stage1Fn.
    unsafe { std::mem::transmute::<*mut (), Stage1Fn>(p) }
}

/// Run the active kernel over `input` (absolute start `base`).
#[inline]
pub(crate) fn stage1(st: &mut State, input: &[u8], base: usize, out: &mut Vec<u32>) {
    // SAFETY: the active pointer is `detect` or a kernel the CPU supports.
    unsafe { active()(st, input, base, out) }
}

/// The kernel that runs (detecting it if no call has yet).
pub fn active_kernel() -> Kernel {
    let f = active();
    if std::ptr::fn_addr_eq(f, detect as Stage1Fn) {
        best()
    } else {
        Kernel::of(f)
    }
}

/// Force `kernel` for every later call in this process (for tests and
/// benchmarks). Returns `false`, changing nothing, if the CPU cannot run it.
#[doc(hidden)]
pub fn force_kernel(kernel: Kernel) -> bool {
    match kernel.entry() {
        Some(f) => {
            // Relaxed: see `detect`.
            ACTIVE.store(f as *mut (), Ordering::Relaxed);
            crate::json::lazy::redetect();
            true
        }
        None => false,
    }
}

/// Run one named kernel (for differential tests): `None` if unsupported.
#[doc(hidden)]
pub fn run_kernel(kernel: Kernel, input: &[u8]) -> Option<(Vec<u32>, Option<usize>, bool)> {
    let f = kernel.entry()?;
    let mut st = State::default();
    let mut out = Vec::new();
    // SAFETY: `entry` returned `f` only because the CPU supports it.
    unsafe { f(&mut st, input, 0, &mut out) };
    Some((out, st.ctrl_at, st.in_string()))
}
