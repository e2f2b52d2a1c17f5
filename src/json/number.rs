//! Number parsing: exact `i64`/`u64`, correctly rounded `f64`.
//!
//! One left-to-right scan reads the sign, the integer digits, the fraction
//! digits and the exponent, accumulating every digit into one wrapping
//! `u64` significand `w` and counting the digits. Fraction digits go eight
//! at a time (SWAR: one 8-byte load, a digit test on all bytes, three
//! multiplications; the word that holds the end of the run converts its
//! leading digits the same way after shifting the rest out). Integer parts
//! go digit by digit unless their first eight bytes are all digits (the
//! 9–18-digit ids of citm_catalog.json and twitter.json), which then take
//! the eight-at-a-time path too: short float integer parts measured faster
//! digit by digit, long ids faster by words.
//!
//! Integers with at most 19 digits are exact in `w` (`10^19 - 1 < 2^64`);
//! longer ones are re-read with checked arithmetic, and a value outside
//! `i64`/`u64` becomes an `f64` (like serde_json), so
//! [`super::Value::as_i64`] reports the overflow as `None`. `-0` is the
//! float `-0.0`.
//!
//! A float with at most 19 significant digits is exactly `w * 10^q`:
//!
//! - Clinger's fast path when `w <= 2^53` and `|q| <= 22`: `w` and `10^|q|`
//!   are exact doubles, so one IEEE multiply or divide is correctly rounded.
//!   Kept because it measures faster than the general path on canada.json.
//! - Otherwise [`eisel_lemire::compute`] (Lemire 2021, Mushtak & Lemire
//!   2023): one or two 64×64→128-bit products with a generated table of
//!   128-bit powers of five, correctly rounded for every 64-bit `w`, no
//!   fallback needed.
//!
//! With more than 19 significant digits the first 19 form `w` and the value
//! lies in `[w, w + 1) * 10^q`; when both ends round to the same double it
//! is the answer, else (very rarely: the value is within 10^-19 relative of
//! a halfway point) `core`'s `f64::from_str` decides with big-decimal
//! arithmetic. Values that round to infinity are errors (as in serde_json).
//!
//! Why hand-written and not a crate (`fast-float2`, `lexical-core`): those
//! take the number's text and scan it again to find `w` and `q`; stage 2
//! already holds both after its single scan (which it needs anyway to find
//! the number's end and to tell integers from floats), so a crate would
//! repeat the scan, which costs about as much as the conversion itself for
//! canada.json's 16–17-digit coordinates. The conversion is about 60 lines and
//! is checked bit for bit against `str::parse` in `tests/json_numbers.rs`.
//! (`core`'s own `f64::from_str` is also Eisel–Lemire, but takes `&str` and
//! re-scans for the same reason: re-parsing with it made ultra 0.75× simd-json
//! on canada.json.)

use super::eisel_lemire;
use super::error::{JsonError, JsonErrorKind};

/// A parsed JSON number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    /// Fits `i64`.
    I64(i64),
    /// Above `i64::MAX`, fits `u64`.
    U64(u64),
    /// Has a fraction/exponent, is `-0`, or is outside the integer ranges.
    F64(f64),
}

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `10^n` for `n < 8`, to append `n` digits to a significand.
const POW10_U64: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// `b'0'` in every byte.
const ZEROS: u64 = 0x3030_3030_3030_3030;

#[inline(always)]
fn digit(input: &[u8], i: usize) -> Option<u8> {
    match input.get(i) {
        Some(&b) if b.is_ascii_digit() => Some(b - b'0'),
        _ => None,
    }
}

/// The 8 bytes at `i` as a little-endian word (first byte lowest), if the
/// input has them.
#[inline(always)]
pub(crate) fn load8(input: &[u8], i: usize) -> Option<u64> {
    let b: [u8; 8] = input.get(i..i.wrapping_add(8))?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

/// Bit 7 of each byte of `v` that is not an ASCII digit. Only the lowest set
/// bit is exact (borrows and carries run upwards from a non-digit byte);
/// that is the only one used.
#[inline(always)]
pub(crate) fn non_digits(v: u64) -> u64 {
    (v.wrapping_add(0x4646_4646_4646_4646) | v.wrapping_sub(ZEROS)) & 0x8080_8080_8080_8080
}

/// The number written by 8 digit values `d[0..8]` (0..=9 each, `d[0]` most
/// significant, in the lowest byte), in three multiplications:
/// `v*10 + (v>>8)` puts `10 d[2k] + d[2k+1]` in byte `2k`; two multiplies by
/// packed `(100, 10^6)` and `(1, 10^4)` then sum the four pairs with their
/// weights in bits 32..64.
#[inline(always)]
fn eight_digits(v: u64) -> u64 {
    const LOW: u64 = 0x0000_00FF_0000_00FF;
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let a = (v & LOW).wrapping_mul(100 + (1_000_000 << 32));
    let b = ((v >> 16) & LOW).wrapping_mul(1 + (10_000 << 32));
    a.wrapping_add(b) >> 32
}

/// Consume the run of digits at `i`, appending them to `*mant` (wrapping
/// on overflow: callers only trust `*mant` for at most 19 digits). Returns
/// the offset of the first non-digit. Eight digits at a time where the input
/// has 8 more bytes: full words of digits are appended whole, and the word
/// that holds the end of the run appends its `n < 8` leading digits by
/// shifting them to the top (leading zero digits below).
#[inline(always)]
fn digits(input: &[u8], mut i: usize, mant: &mut u64) -> usize {
    let mut m = *mant;
    while let Some(v) = load8(input, i) {
        let nd = non_digits(v);
        if nd == 0 {
            m = m
                .wrapping_mul(100_000_000)
                .wrapping_add(eight_digits(v.wrapping_sub(ZEROS)));
            i += 8;
            continue;
        }
        let n = nd.trailing_zeros() / 8;
        // The bytes below the first non-digit are digits, so the
        // subtraction borrows nothing into them. Two shifts so that `n == 0`
        // (a 64-bit shift) gives 0.
        let s = 4 * (8 - n);
        let d = (v.wrapping_sub(ZEROS) << s) << s;
        m = m
            .wrapping_mul(POW10_U64[n as usize])
            .wrapping_add(eight_digits(d));
        *mant = m;
        return i + n as usize;
    }
    while let Some(d) = digit(input, i) {
        m = m.wrapping_mul(10).wrapping_add(d as u64);
        i += 1;
    }
    *mant = m;
    i
}

/// Consume the optional sign of an exponent at `*i`; true if it is `-`.
#[inline(always)]
pub(crate) fn exponent_sign(input: &[u8], i: &mut usize) -> bool {
    let c = input.get(*i).copied();
    *i += matches!(c, Some(b'-' | b'+')) as usize;
    c == Some(b'-')
}

/// Parse the number starting at `start`; returns it and the offset just past it.
/// The caller checks that the byte at that offset ends a value.
#[inline(always)]
pub(crate) fn parse(input: &[u8], start: usize) -> Result<(Num, usize), JsonError> {
    let mut i = start;
    let neg = input.get(i) == Some(&b'-');
    i += neg as usize;
    let int_start = i;
    let mut mant: u64 = 0;
    // Significant digits of the integer part (a lone `0` has none).
    let int_sig = match digit(input, i) {
        None => return Err(invalid(i)),
        Some(0) => {
            i += 1;
            0
        }
        Some(_) => {
            // Digit by digit for short parts (floats); a run of at least
            // eight digits (ids) eight at a time.
            if load8(input, i).is_some_and(|v| non_digits(v) == 0) {
                i = digits(input, i, &mut mant);
            } else {
                while let Some(d) = digit(input, i) {
                    mant = mant.wrapping_mul(10).wrapping_add(d as u64);
                    i += 1;
                }
            }
            i - int_start
        }
    };
    let int_end = i;
    let mut frac_len = 0usize;
    let mut is_float = false;
    if input.get(i) == Some(&b'.') {
        is_float = true;
        let fs = i + 1;
        i = digits(input, fs, &mut mant);
        frac_len = i - fs;
        if frac_len == 0 {
            return Err(invalid(i));
        }
    }
    let mut exp: i64 = 0;
    if matches!(input.get(i), Some(b'e' | b'E')) {
        is_float = true;
        i += 1;
        let eneg = exponent_sign(input, &mut i);
        let es = i;
        while let Some(d) = digit(input, i) {
            if exp < 1_000_000 {
                exp = exp * 10 + d as i64;
            }
            i += 1;
        }
        if i == es {
            return Err(invalid(i));
        }
        if eneg {
            exp = -exp;
        }
    }
    if !is_float {
        let mant = if int_sig <= 19 {
            mant
        } else {
            match exact_u64(&input[int_start..int_end]) {
                Some(m) => m,
                None => return long_float(input, start, int_start, int_end, i, 0, neg),
            }
        };
        return Ok((integer(mant, neg), i));
    }
    if int_sig + frac_len > 19 {
        return long_float(input, start, int_start, int_end, i, exp, neg);
    }
    // `mant` holds every digit exactly: the value is `mant * 10^e10`.
    let e10 = exp - frac_len as i64;
    let bits = if mant <= 1u64 << 53 && (-22..=22).contains(&e10) {
        // Clinger: `mant` and `10^|e10|` are exact f64s, so one correctly
        // rounded IEEE operation gives the correctly rounded result.
        // `mant <= 2^53`: the signed conversion is exact and one instruction.
        let m = mant as i64 as f64;
        let v = if e10 >= 0 {
            m * POW10[e10 as usize]
        } else {
            m / POW10[(-e10) as usize]
        };
        v.to_bits()
    } else {
        let b = eisel_lemire::compute(mant, e10);
        if b == eisel_lemire::INF_BITS {
            return Err(invalid(start));
        }
        b
    };
    Ok((Num::F64(f64::from_bits(bits | (neg as u64) << 63)), i))
}

#[cold]
fn invalid(at: usize) -> JsonError {
    JsonError::new(JsonErrorKind::InvalidNumber, at)
}

/// The integer `mant` with sign `neg`, as JSON integers are typed: `i64`
/// where it fits, `u64` above `i64::MAX`, `-0` and values below `i64::MIN`
/// as `f64`.
#[inline(always)]
fn integer(mant: u64, neg: bool) -> Num {
    if !neg {
        if mant <= i64::MAX as u64 {
            Num::I64(mant as i64)
        } else {
            Num::U64(mant)
        }
    } else if mant == 0 {
        Num::F64(-0.0)
    } else if mant <= 1u64 << 63 {
        Num::I64((mant as i64).wrapping_neg())
    } else {
        // `u64 as f64` rounds to nearest, ties to even.
        Num::F64(-(mant as f64))
    }
}

/// The digits of an integer with more than 19 digits, if it fits `u64`.
#[cold]
fn exact_u64(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |m, &d| {
        m.checked_mul(10)?.checked_add((d - b'0') as u64)
    })
}

/// A float with more than 19 significant digits (or an integer beyond
/// `u64`), `start..end` being its text, `int_start..int_end` its integer
/// digits. With `w` the first 19 significant digits and `n` their count,
/// the value lies in `[w, w + 1) * 10^q`, `q = exp - frac_len + n - 19`;
/// when both ends round to the same `f64`, so does the value (rounding is
/// monotonic). Otherwise core's `f64::from_str` (big-decimal arithmetic)
/// decides.
#[cold]
#[inline(never)]
fn long_float(
    input: &[u8],
    start: usize,
    int_start: usize,
    int_end: usize,
    end: usize,
    exp: i64,
    neg: bool,
) -> Result<(Num, usize), JsonError> {
    let frac = input.get(int_end) == Some(&b'.');
    let frac_len = if frac {
        input[int_end + 1..end]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    } else {
        0
    };
    let digits = input[int_start..int_end].iter().chain(if frac {
        &input[int_end + 1..int_end + 1 + frac_len]
    } else {
        &[][..]
    });
    let (mut w, mut n) = (0u64, 0i64);
    for &d in digits.skip_while(|&&d| d == b'0') {
        if n < 19 {
            w = w * 10 + (d - b'0') as u64;
        }
        n += 1;
    }
    let q = exp - frac_len as i64 + (n - 19).max(0);
    let lo = eisel_lemire::compute(w, q);
    let bits = if n <= 19 || lo == eisel_lemire::compute(w + 1, q) {
        lo
    } else {
        // SAFETY: bytes `start..end` were matched by `parse` as ASCII sign,
        // digits, '.', 'e'/'E' and '+'/'-', so they are valid UTF-8.
        let text = unsafe { std::str::from_utf8_unchecked(&input[start..end]) };
        match text.parse::<f64>() {
            Ok(v) => v.abs().to_bits(),
            Err(_) => return Err(invalid(start)),
        }
    };
    if bits >= eisel_lemire::INF_BITS {
        return Err(invalid(start));
    }
    Ok((Num::F64(f64::from_bits(bits | (neg as u64) << 63)), end))
}
