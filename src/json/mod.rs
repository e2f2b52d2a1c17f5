//! SIMD JSON: validate, parse to a tape, look up, project, minify, write.
//!
//! # Algorithm
//!
//! ultra follows simdjson (Langdale & Lemire, *Parsing Gigabytes of JSON per
//! Second*, VLDB Journal 28(6), 2019). **Stage 1** ([`stage1`](self)) reads the
//! input in 64-byte blocks and turns each into bit masks: backslashes,
//! quotes, operators `{}[],:` and whitespace (a `pshufb`-style nibble lookup),
//! control bytes and non-ASCII bytes. Escaped bytes follow from the parity of
//! each backslash run (one subtraction); the inside of strings is the
//! prefix-xor of the unescaped quotes (one carry-less multiplication). The
//! structural bytes — operators outside strings plus the first byte of every
//! string, number and literal — are written as `u32` offsets to the
//! *structural index*. One generic body is compiled per ISA (AVX-512BW, AVX2,
//! SSE4.2, NEON, portable) and the widest one the CPU supports is chosen at
//! run time, once; [`active_kernel`] names it.
//!
//! **Stage 2** walks the index as an automaton of three states (value,
//! object key, after value — two nested loops and a function) with an
//! explicit stack (no recursion) and writes a flat *tape* of 16-byte entries in which every
//! container records the index just past its end, so any subtree is skipped
//! in O(1). Strings without escapes are not copied; numbers are parsed
//! exactly ([`number`](self) docs: Clinger's fast path, then our own
//! Eisel–Lemire). UTF-8 is validated inside the stage-1 pass
//! (Keiser & Lemire, *Validating UTF-8 In Less Than One Instruction Per
//! Byte*, 2021): three nibble lookups on each byte and its predecessor give
//! the bad two-byte patterns, a saturating subtraction marks the bytes that
//! must be third or fourth continuation bytes, and all-ASCII blocks only
//! check that no sequence was left open. Kernels without that checker, and
//! any input it rejects (to find the error offset), use the scalar path.
//!
//! Strings on the tape are sized without a scan: stage 1 puts a structural
//! right after every string, so the closing quote is the last non-blank
//! byte before the next structural — unless one of the 64-byte blocks that
//! hold a backslash (stage 1 records them) overlaps the string, in which
//! case it is scanned and decoded.
//!
//! **Validation** ([`validate`]) runs stage 1 and then a grammar-only walk
//! (`check`): a bit stack instead of container frames, nothing done for
//! strings, numbers matched against the grammar without conversion (eight
//! digits at a time), and the escapes of the whole document checked in one
//! pass over the blocks that hold a backslash. If that walk says *invalid*,
//! the full walk runs to report the very error (kind and offset) that
//! [`Parser::parse`] reports.
//!
//! **Lazy lookup** ([`get`]) builds no index at all: it follows the pointer
//! through the text and skips sibling subtrees by counting brackets over
//! 64-byte blocks with the stage-1 string masks (module `skip`; Keiser &
//! Lemire, *On-Demand JSON: A Better Way to Parse Documents?*, SPE 2024).
//!
//! Invariants, for a document `d` that parsed:
//!
//! - `index[k] < index[k+1]`, `index.last() == input.len()` (sentinel);
//! - for a container entry at `i` with `aux = j`: `i < j <= tape.len()`, and
//!   its members occupy exactly `i+1 .. j`;
//! - depth never exceeds `max_depth`; `input.len() <= max_size < 2^32`.
//!
//! # Implementation-defined cases (JSONTestSuite `i_` files)
//!
//! | file | ultra |
//! | --- | --- |
//! | `i_number_double_huge_neg_exp` (`[123.456e-789]`) | accepted, `0.0` |
//! | `i_number_huge_exp` | rejected (`InvalidNumber`: rounds to infinity) |
//! | `i_number_neg_int_huge_exp` (`[-1e+9999]`) | rejected (infinity) |
//! | `i_number_pos_double_huge_exp` (`[1.5e+9999]`) | rejected (infinity) |
//! | `i_number_real_neg_overflow` (`[-123123e100000]`) | rejected (infinity) |
//! | `i_number_real_pos_overflow` (`[123123e100000]`) | rejected (infinity) |
//! | `i_number_real_underflow` (`[123e-10000000]`) | accepted, `0.0` |
//! | `i_number_too_big_neg_int` (`[-123123123123123123123123123123]`) | accepted as `f64` |
//! | `i_number_too_big_pos_int` (`[100000000000000000000]`) | accepted as `f64` |
//! | `i_number_very_big_negative_int` | accepted as `f64` |
//! | `i_object_key_lone_2nd_surrogate` | rejected (`InvalidSurrogate`) |
//! | `i_string_1st_surrogate_but_2nd_missing` | rejected (`InvalidSurrogate`) |
//! | `i_string_1st_valid_surrogate_2nd_invalid` | rejected (`InvalidSurrogate`) |
//! | `i_string_UTF-16LE_with_BOM` | rejected (`ControlInString`: UTF-16 is not accepted) |
//! | `i_string_UTF-8_invalid_sequence` | rejected (`InvalidUtf8`) |
//! | `i_string_UTF8_surrogate_U+D800` | rejected (`InvalidUtf8`) |
//! | `i_string_incomplete_surrogate_and_escape_valid` | rejected (`InvalidSurrogate`) |
//! | `i_string_incomplete_surrogate_pair` | rejected (`InvalidSurrogate`) |
//! | `i_string_incomplete_surrogates_escape_valid` | rejected (`InvalidSurrogate`) |
//! | `i_string_invalid_lonely_surrogate` | rejected (`InvalidSurrogate`) |
//! | `i_string_invalid_surrogate` | rejected (`InvalidSurrogate`) |
//! | `i_string_invalid_utf-8` | rejected (`InvalidUtf8`) |
//! | `i_string_inverted_surrogates_U+1D11E` | rejected (`InvalidSurrogate`) |
//! | `i_string_iso_latin_1` | rejected (`InvalidUtf8`) |
//! | `i_string_lone_second_surrogate` | rejected (`InvalidSurrogate`) |
//! | `i_string_lone_utf8_continuation_byte` | rejected (`InvalidUtf8`) |
//! | `i_string_not_in_unicode_range` | rejected (`InvalidUtf8`) |
//! | `i_string_overlong_sequence_2_bytes` | rejected (`InvalidUtf8`) |
//! | `i_string_overlong_sequence_6_bytes` | rejected (`InvalidUtf8`) |
//! | `i_string_overlong_sequence_6_bytes_null` | rejected (`InvalidUtf8`) |
//! | `i_string_truncated-utf-8` | rejected (`InvalidUtf8`) |
//! | `i_string_utf16BE_no_BOM` | rejected (`ControlInString`) |
//! | `i_string_utf16LE_no_BOM` | rejected (`ControlInString`) |
//! | `i_structure_500_nested_arrays` | accepted (depth 500 < 1024) |
//! | `i_structure_UTF-8_BOM_empty_object` | rejected (`UnexpectedChar`, BOM is not JSON) |
//!
//! The table is checked by `tests/json_conformance.rs`.
//!
//! # Example
//!
//! ```
//! use ultra::json::{Parser, Kind};
//! let mut p = Parser::new();
//! let doc = p.parse(br#"{"events":[{"type":1,"post_id":42}]}"#)?;
//! let ev = doc.root().pointer("/events/0").unwrap();
//! assert_eq!(ev.get("post_id").and_then(|v| v.as_u64()), Some(42));
//! assert_eq!(ev.kind(), Kind::Object);
//! # Ok::<(), ultra::json::JsonError>(())
//! ```

mod check;
mod eisel_lemire;
mod error;
mod lazy;
mod minify;
mod number;
mod number_check;
mod pow5_table;
mod skip;
mod stage1;
mod string;
mod tape;
mod utf8;
mod value;
mod writer;

pub use error::{JsonError, JsonErrorKind};
pub use lazy::{Raw, get};
pub use minify::{minify, project};
pub use stage1::dispatch::{Kernel, active_kernel};
pub use tape::{DEFAULT_MAX_DEPTH, DEFAULT_MAX_SIZE, Documents, Parser};
pub use value::{ArrayIter, Document, Kind, ObjectIter, Value};
pub use writer::{Step, Writer, escape_str};

/// Test and benchmark hooks: force or run one stage-1 kernel.
#[doc(hidden)]
pub mod testing {
    pub use super::lazy::get_kernel;
    pub use super::stage1::dispatch::{best, force_kernel, run_kernel};
}

use std::cell::RefCell;

thread_local! {
    static CHECKER: RefCell<Parser> = RefCell::new(Parser::new());
}

/// Check that `bytes` is exactly one valid JSON document (RFC 8259, UTF-8),
/// with the default limits. Uses a per-thread parser, so repeated calls do
/// not allocate once its buffers have grown.
pub fn validate(bytes: &[u8]) -> Result<(), JsonError> {
    CHECKER.with(|p| match p.try_borrow_mut() {
        Ok(mut p) => p.validate(bytes),
        Err(_) => Parser::new().validate(bytes),
    })
}
