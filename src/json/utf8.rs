//! Scalar UTF-8 validation of the non-ASCII part of a document: the path
//! for kernels without a SIMD checker, and the one that finds the offset of
//! an error the SIMD checker reported.
//!
//! Stage 1 records the first 64-byte block that holds a byte `>= 0x80`; an
//! all-ASCII document (the common case for machine-written JSON) needs no
//! further work. Otherwise the tail from that block on (backed up to a
//! character boundary) is checked with `core::str::from_utf8`, which skips
//! ASCII a word at a time. The error offset is the first byte that is not
//! part of a valid sequence.

use super::error::{JsonError, JsonErrorKind};

/// Validate `input[from..]` (with `from` moved back to a character boundary).
pub(crate) fn validate_from(input: &[u8], mut from: usize) -> Result<(), JsonError> {
    let mut back = 0;
    while from > 0 && back < 3 && (input[from] & 0xC0) == 0x80 {
        from -= 1;
        back += 1;
    }
    match std::str::from_utf8(&input[from..]) {
        Ok(_) => Ok(()),
        Err(e) => Err(JsonError::new(
            JsonErrorKind::InvalidUtf8,
            from + e.valid_up_to(),
        )),
    }
}
