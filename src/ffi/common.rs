//! What every C entry point shares: the status enum, the thread-local
//! last-error text, the panic boundary, and NULL-checking pointer conversions.
//!
//! An entry point in `src/ffi/<pillar>.rs` has one shape:
//!
//! ```ignore
//! #[unsafe(no_mangle)]
//! pub unsafe extern "C" fn ultra_thing_verb(t: *mut ultra_thing_t, out: *mut usize) -> ultra_status {
//!     guard("ultra_thing_verb", || {
//!         // SAFETY: caller passes a live handle or NULL (checked).
//!         let t = unsafe { handle(t, "thing") }?;
//!         let n = t.0.verb()?;
//!         // SAFETY: `out` is NULL (checked) or valid for a write.
//!         unsafe { write_out(out, n, "out") }
//!     })
//! }
//! ```
//!
//! check (every pointer, before anything changes), convert, call the Rust
//! API, map the error. [`guard`] catches panics, turns an `Err` into its
//! status code and records the message for `ultra_last_error`.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Error, ErrorKind, Result};

/// Status code returned by every fallible C function. Values are fixed forever;
/// new codes are only ever appended.
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ultra_status {
    /// Success.
    ULTRA_OK = 0,
    /// A required pointer argument was NULL.
    ULTRA_ERR_NULL_ARGUMENT = 1,
    /// An argument is out of range or inconsistent.
    ULTRA_ERR_INVALID_ARGUMENT = 2,
    /// The key, path or item does not exist.
    ULTRA_ERR_NOT_FOUND = 3,
    /// No room right now.
    ULTRA_ERR_FULL = 4,
    /// Nothing to take right now.
    ULTRA_ERR_EMPTY = 5,
    /// The output buffer is too small; the size needed was written back.
    ULTRA_ERR_BUFFER_TOO_SMALL = 6,
    /// Memory could not be obtained.
    ULTRA_ERR_OUT_OF_MEMORY = 7,
    /// Malformed input; `ultra_last_error` gives the byte offset.
    ULTRA_ERR_PARSE = 8,
    /// Not available on this machine (no GPU, no NUMA, ...).
    ULTRA_ERR_UNAVAILABLE = 9,
    /// A device (GPU driver) call failed.
    ULTRA_ERR_DEVICE = 10,
    /// A Rust panic was caught at the boundary; the object involved may be unusable.
    ULTRA_ERR_PANIC = 11,
}

impl From<ErrorKind> for ultra_status {
    fn from(kind: ErrorKind) -> Self {
        use ultra_status::*;
        match kind {
            ErrorKind::NullArgument => ULTRA_ERR_NULL_ARGUMENT,
            ErrorKind::InvalidArgument => ULTRA_ERR_INVALID_ARGUMENT,
            ErrorKind::NotFound => ULTRA_ERR_NOT_FOUND,
            ErrorKind::Full => ULTRA_ERR_FULL,
            ErrorKind::Empty => ULTRA_ERR_EMPTY,
            ErrorKind::BufferTooSmall => ULTRA_ERR_BUFFER_TOO_SMALL,
            ErrorKind::OutOfMemory => ULTRA_ERR_OUT_OF_MEMORY,
            ErrorKind::Parse => ULTRA_ERR_PARSE,
            ErrorKind::Unavailable => ULTRA_ERR_UNAVAILABLE,
            ErrorKind::Device => ULTRA_ERR_DEVICE,
            ErrorKind::Panic => ULTRA_ERR_PANIC,
        }
    }
}

impl From<&Error> for ultra_status {
    fn from(e: &Error) -> Self {
        e.kind().into()
    }
}

/// A borrowed byte string `(ptr, len)`; not NUL-terminated.
/// `ptr` may be NULL only when `len` is 0.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ultra_str_t {
    /// First byte.
    pub ptr: *const u8,
    /// Number of bytes.
    pub len: usize,
}

thread_local! {
    static LAST_ERROR: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Record `msg` as this thread's last error (what `ultra_last_error` returns).
pub fn set_last_error(msg: &str) {
    LAST_ERROR.with(|e| {
        let mut e = e.borrow_mut();
        e.clear();
        // An interior NUL would truncate the C string; replace it.
        e.extend(msg.bytes().map(|b| if b == 0 { b'?' } else { b }));
    });
}

/// Run `f` with this thread's last error message (without terminator).
pub fn with_last_error<R>(f: impl FnOnce(&[u8]) -> R) -> R {
    LAST_ERROR.with(|e| f(&e.borrow()))
}

/// Record `err` for `func` and return its status.
pub fn fail(func: &str, err: &Error) -> ultra_status {
    set_last_error(&format!("{func}: {err}"));
    err.into()
}

/// The value an entry point returns when a panic was caught: the status
/// `ULTRA_ERR_PANIC`, NULL, zero or false depending on its return type.
pub trait PanicValue {
    /// The value to return after a caught panic.
    fn panic_value() -> Self;
}

impl PanicValue for ultra_status {
    fn panic_value() -> Self {
        ultra_status::ULTRA_ERR_PANIC
    }
}

impl<T> PanicValue for *mut T {
    fn panic_value() -> Self {
        std::ptr::null_mut()
    }
}

impl<T> PanicValue for *const T {
    fn panic_value() -> Self {
        std::ptr::null()
    }
}

macro_rules! panic_value_zero {
    ($($t:ty),*) => { $(impl PanicValue for $t { fn panic_value() -> Self { Default::default() } })* };
}
panic_value_zero!((), bool, u8, u16, u32, u64, usize, i32, i64, f32, f64);

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

/// The panic boundary: run `f`; if it panics, record the panic for
/// `ultra_last_error` and return `R::panic_value()` instead of unwinding into C.
pub fn catch<R: PanicValue>(func: &str, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            set_last_error(&format!("{func}: panic: {}", panic_message(&*payload)));
            R::panic_value()
        }
    }
}

/// [`catch`] for status-returning entry points: `Ok` is `ULTRA_OK`, an
/// `Err` becomes its status code with its text recorded.
pub fn guard(func: &str, f: impl FnOnce() -> Result<()>) -> ultra_status {
    catch(func, || match f() {
        Ok(()) => ultra_status::ULTRA_OK,
        Err(e) => fail(func, &e),
    })
}

/// Like [`guard`] for functions that hand back a value (a pointer, a count):
/// on `Err` the error is recorded and `on_error` is returned.
pub fn guard_value<R: PanicValue>(func: &str, on_error: R, f: impl FnOnce() -> Result<R>) -> R {
    catch(func, || match f() {
        Ok(v) => v,
        Err(e) => {
            fail(func, &e);
            on_error
        }
    })
}

/// Borrow a handle or input struct, failing with `NullArgument(name)` on NULL.
///
/// # Safety
/// `p` is NULL or points to a live `T` that outlives `'a` and is not mutated
/// through another pointer meanwhile (except through interior mutability).
pub unsafe fn arg_ref<'a, T>(p: *const T, name: &'static str) -> Result<&'a T> {
    // SAFETY: per the contract above, a non-NULL `p` is valid for `'a`.
    unsafe { p.as_ref() }.ok_or(Error::NullArgument(name))
}

/// Mutably borrow a handle, failing with `NullArgument(name)` on NULL.
///
/// # Safety
/// `p` is NULL or points to a live `T` that nobody else accesses during `'a`.
pub unsafe fn arg_mut<'a, T>(p: *mut T, name: &'static str) -> Result<&'a mut T> {
    // SAFETY: per the contract above, a non-NULL `p` is valid and unaliased for `'a`.
    unsafe { p.as_mut() }.ok_or(Error::NullArgument(name))
}

/// Borrow `(ptr, len)` as a slice. NULL is accepted only with `len == 0`.
///
/// # Safety
/// A non-NULL `ptr` is valid for reads of `len` elements during `'a`.
pub unsafe fn arg_slice<'a, T>(ptr: *const T, len: usize, name: &'static str) -> Result<&'a [T]> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Error::NullArgument(name))
        };
    }
    // SAFETY: non-NULL and valid for `len` reads per the contract above.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrow `(ptr, len)` as a mutable slice. NULL is accepted only with `len == 0`.
///
/// # Safety
/// A non-NULL `ptr` is valid for writes of `len` elements during `'a` and not aliased.
pub unsafe fn arg_slice_mut<'a, T>(
    ptr: *mut T,
    len: usize,
    name: &'static str,
) -> Result<&'a mut [T]> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&mut [])
        } else {
            Err(Error::NullArgument(name))
        };
    }
    // SAFETY: non-NULL, valid and unaliased for `len` elements per the contract above.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// Fail with `NullArgument(name)` if `p` is NULL (for out-pointers checked up
/// front, before any state changes).
pub fn non_null<T>(p: *const T, name: &'static str) -> Result<()> {
    if p.is_null() {
        Err(Error::NullArgument(name))
    } else {
        Ok(())
    }
}

/// Write `value` through the out-pointer `out`.
///
/// # Safety
/// `out` is NULL or valid for a write of `T`.
pub unsafe fn write_out<T>(out: *mut T, value: T, name: &'static str) -> Result<()> {
    non_null(out, name)?;
    // SAFETY: checked non-NULL; valid for writes per the contract above.
    unsafe { out.write(value) };
    Ok(())
}

/// Box `value` and hand ownership to C through `out`.
///
/// # Safety
/// `out` is NULL or valid for a write of a pointer.
pub unsafe fn box_out<T>(out: *mut *mut T, value: T, name: &'static str) -> Result<()> {
    non_null(out, name)?;
    // SAFETY: checked non-NULL; valid for writes per the contract above.
    unsafe { out.write(Box::into_raw(Box::new(value))) };
    Ok(())
}

/// Take back and drop a handle made by [`box_out`]; NULL is a no-op.
///
/// # Safety
/// `p` is NULL or came from [`box_out`] for the same `T` and was not freed yet.
pub unsafe fn free_box<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: `p` came from Box::into_raw and is freed exactly once.
        drop(unsafe { Box::from_raw(p) });
    }
}

/// Copy `src` into the caller's buffer `(out, cap)` and report its length
/// through `written`. When `cap < src.len()` nothing is copied, `*written`
/// is set to the size needed and the result is `BufferTooSmall`.
///
/// # Safety
/// `out` is NULL or valid for `cap` byte writes; `written` is NULL or valid for a write.
pub unsafe fn copy_out(src: &[u8], out: *mut u8, cap: usize, written: *mut usize) -> Result<()> {
    non_null(written, "written")?;
    // SAFETY: checked non-NULL above; valid for a write per the contract.
    unsafe { written.write(src.len()) };
    if cap < src.len() {
        return Err(Error::BufferTooSmall { needed: src.len() });
    }
    if !src.is_empty() {
        non_null(out, "out")?;
        // SAFETY: `out` is valid for `cap >= src.len()` bytes and cannot overlap
        // `src`, which is ultra-owned memory.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), out, src.len()) };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_values_match_error_kinds() {
        for kind in ErrorKind::ALL {
            assert_eq!(ultra_status::from(kind) as i32, kind.code());
        }
        assert_eq!(ultra_status::ULTRA_OK as i32, 0);
    }

    #[test]
    fn panic_becomes_status() {
        let s = guard("ultra_test", || panic!("boom"));
        assert_eq!(s, ultra_status::ULTRA_ERR_PANIC);
        with_last_error(|m| assert_eq!(m, b"ultra_test: panic: boom"));
        let p: *mut u8 = catch("ultra_test", || panic!("again"));
        assert!(p.is_null());
    }

    #[test]
    fn error_is_recorded() {
        let s = guard("ultra_x", || Err(Error::invalid("capacity must be > 0")));
        assert_eq!(s, ultra_status::ULTRA_ERR_INVALID_ARGUMENT);
        with_last_error(|m| assert_eq!(m, b"ultra_x: invalid argument: capacity must be > 0"));
    }

    #[test]
    fn copy_out_reports_needed_size() {
        let mut buf = [0u8; 2];
        let mut n = 0usize;
        // SAFETY: buffers are live locals.
        let r = unsafe { copy_out(b"abc", buf.as_mut_ptr(), buf.len(), &mut n) };
        assert_eq!(r, Err(Error::BufferTooSmall { needed: 3 }));
        assert_eq!((n, buf), (3, [0, 0]));
    }
}
