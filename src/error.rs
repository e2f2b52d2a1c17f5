//! The one error type of the crate.
//!
//! Every fallible operation in every pillar returns [`Result<T>`], whose error
//! is [`Error`]. Each variant corresponds to exactly one C status code
//! (`ultra_status` in `include/ultra.h`); [`Error::kind`] gives that code as an
//! [`ErrorKind`] whose discriminants *are* the C values, so the mapping is 1:1
//! by construction and checked by a test. The human-readable text of an error
//! (its `Display`) is what the C ABI hands back through `ultra_last_error`.

use std::borrow::Cow;
use std::fmt;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The category of an [`Error`]; the discriminant is the stable C status code.
///
/// Values never change once released. `0` is `ULTRA_OK` and has no variant here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ErrorKind {
    /// A required pointer was NULL (C ABI only).
    NullArgument = 1,
    /// An argument is out of range or inconsistent (zero capacity, bad alignment…).
    InvalidArgument = 2,
    /// The key, path or item does not exist.
    NotFound = 3,
    /// The container has no room for the item right now.
    Full = 4,
    /// The container holds nothing to take right now.
    Empty = 5,
    /// The caller's output buffer is too small; the size needed is reported.
    BufferTooSmall = 6,
    /// Memory could not be obtained.
    OutOfMemory = 7,
    /// Input could not be parsed (JSON); the error carries a byte offset.
    Parse = 8,
    /// The facility is not available on this machine (no GPU, no NUMA, …).
    Unavailable = 9,
    /// A device (GPU driver) reported a failure.
    Device = 10,
    /// A panic was caught at the C boundary.
    Panic = 11,
}

impl ErrorKind {
    /// Every kind, in code order.
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::NullArgument,
        ErrorKind::InvalidArgument,
        ErrorKind::NotFound,
        ErrorKind::Full,
        ErrorKind::Empty,
        ErrorKind::BufferTooSmall,
        ErrorKind::OutOfMemory,
        ErrorKind::Parse,
        ErrorKind::Unavailable,
        ErrorKind::Device,
        ErrorKind::Panic,
    ];

    /// The stable numeric code (the C `ultra_status` value).
    pub const fn code(self) -> i32 {
        self as i32
    }

    /// A short, static description of the kind.
    pub const fn description(self) -> &'static str {
        match self {
            ErrorKind::NullArgument => "a required pointer argument was NULL",
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::NotFound => "not found",
            ErrorKind::Full => "full",
            ErrorKind::Empty => "empty",
            ErrorKind::BufferTooSmall => "output buffer too small",
            ErrorKind::OutOfMemory => "out of memory",
            ErrorKind::Parse => "parse error",
            ErrorKind::Unavailable => "unavailable on this machine",
            ErrorKind::Device => "device error",
            ErrorKind::Panic => "internal panic caught at the C boundary",
        }
    }
}

/// An error from any part of ultra.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A required pointer argument was NULL; carries the argument's name.
    NullArgument(&'static str),
    /// An argument is out of range or inconsistent; carries the reason.
    InvalidArgument(Cow<'static, str>),
    /// The key, path or item does not exist.
    NotFound,
    /// No room right now (a ring or pool at capacity).
    Full,
    /// Nothing to take right now.
    Empty,
    /// The output buffer holds fewer than `needed` bytes/items.
    BufferTooSmall {
        /// The size the caller must provide.
        needed: usize,
    },
    /// Memory could not be obtained; carries what was being allocated.
    OutOfMemory(Cow<'static, str>),
    /// Input is malformed at byte `offset`.
    Parse {
        /// Byte offset of the error in the input.
        offset: usize,
        /// What was wrong.
        message: Cow<'static, str>,
    },
    /// The facility does not exist on this machine; carries why.
    Unavailable(Cow<'static, str>),
    /// A device/driver call failed; carries the driver's message.
    Device(Cow<'static, str>),
    /// A panic was caught; carries the panic message.
    Panic(Cow<'static, str>),
}

impl Error {
    /// The kind (and so the C status code) of this error.
    pub const fn kind(&self) -> ErrorKind {
        match self {
            Error::NullArgument(_) => ErrorKind::NullArgument,
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::NotFound => ErrorKind::NotFound,
            Error::Full => ErrorKind::Full,
            Error::Empty => ErrorKind::Empty,
            Error::BufferTooSmall { .. } => ErrorKind::BufferTooSmall,
            Error::OutOfMemory(_) => ErrorKind::OutOfMemory,
            Error::Parse { .. } => ErrorKind::Parse,
            Error::Unavailable(_) => ErrorKind::Unavailable,
            Error::Device(_) => ErrorKind::Device,
            Error::Panic(_) => ErrorKind::Panic,
        }
    }

    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(msg: impl Into<Cow<'static, str>>) -> Self {
        Error::InvalidArgument(msg.into())
    }

    /// Shorthand for [`Error::Unavailable`].
    pub fn unavailable(msg: impl Into<Cow<'static, str>>) -> Self {
        Error::Unavailable(msg.into())
    }

    /// Shorthand for [`Error::OutOfMemory`].
    pub fn out_of_memory(msg: impl Into<Cow<'static, str>>) -> Self {
        Error::OutOfMemory(msg.into())
    }

    /// Shorthand for [`Error::Device`].
    pub fn device(msg: impl Into<Cow<'static, str>>) -> Self {
        Error::Device(msg.into())
    }

    /// Shorthand for [`Error::Parse`].
    pub fn parse(offset: usize, msg: impl Into<Cow<'static, str>>) -> Self {
        Error::Parse {
            offset,
            message: msg.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NullArgument(name) => write!(f, "argument `{name}` must not be NULL"),
            Error::InvalidArgument(m) => write!(f, "invalid argument: {m}"),
            Error::NotFound => f.write_str("not found"),
            Error::Full => f.write_str("full"),
            Error::Empty => f.write_str("empty"),
            Error::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            Error::OutOfMemory(m) => write!(f, "out of memory: {m}"),
            Error::Parse { offset, message } => {
                write!(f, "parse error at byte {offset}: {message}")
            }
            Error::Unavailable(m) => write!(f, "unavailable: {m}"),
            Error::Device(m) => write!(f, "device error: {m}"),
            Error::Panic(m) => write!(f, "panic: {m}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let codes: Vec<i32> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, (1..=11).collect::<Vec<_>>());
    }

    #[test]
    fn display_carries_details() {
        assert_eq!(
            Error::parse(17, "unexpected character").to_string(),
            "parse error at byte 17: unexpected character"
        );
        assert_eq!(
            Error::BufferTooSmall { needed: 9 }.to_string(),
            "output buffer too small: 9 bytes needed"
        );
        assert_eq!(Error::NullArgument("out").kind(), ErrorKind::NullArgument);
    }
}
