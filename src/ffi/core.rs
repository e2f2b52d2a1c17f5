//! Library-wide C entry points: versions, status strings, the last error.

use std::ffi::c_char;

use super::common::{catch, with_last_error};
use crate::error::ErrorKind;

/// Major ABI version: bumped only if a released symbol, enum value or struct
/// layout changed meaning (never, by policy). `libultra.so.<major>` is the soname.
pub const ULTRA_ABI_VERSION_MAJOR: u32 = 1;
/// Minor ABI version: bumped whenever symbols are added.
pub const ULTRA_ABI_VERSION_MINOR: u32 = 0;

/// The library version as a static NUL-terminated string, e.g. "0.1.0".
///
/// Never NULL; the string lives for the whole process. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ultra_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The ABI version of the loaded library: `major << 16 | minor`.
///
/// Compare with `ULTRA_ABI_VERSION_MAJOR` from the header you compiled
/// against: the majors must be equal and the loaded minor at least yours.
/// Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ultra_abi_version() -> u32 {
    (ULTRA_ABI_VERSION_MAJOR << 16) | ULTRA_ABI_VERSION_MINOR
}

/// A static NUL-terminated description of a status code (an `ultra_status`
/// value). Unknown values give "unknown status". Never NULL. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ultra_status_str(status: i32) -> *const c_char {
    let s: &'static str = if status == 0 {
        "ok\0"
    } else {
        match ErrorKind::ALL.iter().find(|k| k.code() == status) {
            Some(ErrorKind::NullArgument) => "a required pointer argument was NULL\0",
            Some(ErrorKind::InvalidArgument) => "invalid argument\0",
            Some(ErrorKind::NotFound) => "not found\0",
            Some(ErrorKind::Full) => "full\0",
            Some(ErrorKind::Empty) => "empty\0",
            Some(ErrorKind::BufferTooSmall) => "output buffer too small\0",
            Some(ErrorKind::OutOfMemory) => "out of memory\0",
            Some(ErrorKind::Parse) => "parse error\0",
            Some(ErrorKind::Unavailable) => "unavailable on this machine\0",
            Some(ErrorKind::Device) => "device error\0",
            Some(ErrorKind::Panic) => "internal panic caught at the C boundary\0",
            None => "unknown status\0",
        }
    };
    s.as_ptr().cast()
}

/// Copy the message of the most recent failure on the calling thread into
/// `buf` (NUL-terminated, truncated to `cap - 1` bytes) and return the full
/// message length without the terminator.
///
/// Call with `buf = NULL` or `cap = 0` to learn the length only. Returns 0 and
/// writes an empty string if no call on this thread has failed yet. The message
/// is kept until the next failure on the same thread (successful calls do not
/// clear it). Thread-safe: every thread has its own message.
///
/// # Safety
/// `buf` is NULL or valid for `cap` byte writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_last_error(buf: *mut c_char, cap: usize) -> usize {
    catch("ultra_last_error", || {
        with_last_error(|msg| {
            if !buf.is_null() && cap > 0 {
                let n = msg.len().min(cap - 1);
                // SAFETY: `buf` is valid for `cap > n` bytes per the contract; the
                // thread-local message cannot overlap caller memory.
                unsafe {
                    std::ptr::copy_nonoverlapping(msg.as_ptr(), buf.cast::<u8>(), n);
                    buf.add(n).write(0);
                }
            }
            msg.len()
        })
    })
}
