//! Number parsing: exact `i64`/`u64`, correctly rounded `f64`.
//!
//! Integers accumulate up to 19 digits without overflow (`10^19 - 1 < 2^64`);
//! further digits use checked arithmetic, and a value outside `i64`/`u64`
//! becomes an `f64` (like serde_json), so [`super::Value::as_i64`] reports the
//! overflow as `None`. `-0` is the float `-0.0`.
//!
//! Floats take Clinger's exact fast path when the significand has at most 19
//! digits, is `<= 2^53` and the decimal exponent is within `±22` (one IEEE
//! multiply or divide by an exact power of ten is then correctly rounded).
//! Everything else goes to `core`'s `f64::from_str`, which implements the
//! Eisel–Lemire algorithm with a big-decimal fallback — the same algorithm as
//! the `fast-float`/`lexical` crates, correctly rounded, with no dependency.
//! Values that round to infinity are errors (as in serde_json).

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

#[inline(always)]
fn digit(input: &[u8], i: usize) -> Option<u8> {
    match input.get(i) {
        Some(&b) if b.is_ascii_digit() => Some(b - b'0'),
        _ => None,
    }
}

/// Parse the number starting at `start`; returns it and the offset just past it.
/// The caller checks that the byte at that offset ends a value.
#[inline]
pub(crate) fn parse(input: &[u8], start: usize) -> Result<(Num, usize), JsonError> {
    let err = |at| Err(JsonError::new(JsonErrorKind::InvalidNumber, at));
    let mut i = start;
    let neg = input.get(i) == Some(&b'-');
    i += neg as usize;
    let mut mant: u64 = 0;
    let mut sig_digits = 0usize; // digits after the first non-zero one
    let mut overflow = false;
    match digit(input, i) {
        None => return err(i),
        Some(0) => i += 1,
        Some(_) => {
            while let Some(d) = digit(input, i) {
                if sig_digits < 19 {
                    mant = mant * 10 + d as u64;
                } else if !overflow {
                    match mant.checked_mul(10).and_then(|m| m.checked_add(d as u64)) {
                        Some(m) => mant = m,
                        None => overflow = true,
                    }
                }
                sig_digits += 1;
                i += 1;
            }
        }
    }
    let mut frac_digits = 0i64;
    let mut is_float = false;
    if input.get(i) == Some(&b'.') {
        is_float = true;
        i += 1;
        let fs = i;
        while let Some(d) = digit(input, i) {
            if sig_digits < 19 {
                mant = mant * 10 + d as u64;
                frac_digits += 1;
                if mant != 0 {
                    sig_digits += 1;
                }
            } else {
                sig_digits += 1;
            }
            i += 1;
        }
        if i == fs {
            return err(i);
        }
    }
    let mut exp: i64 = 0;
    if matches!(input.get(i), Some(b'e' | b'E')) {
        is_float = true;
        i += 1;
        let eneg = match input.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let es = i;
        while let Some(d) = digit(input, i) {
            if exp < 1_000_000 {
                exp = exp * 10 + d as i64;
            }
            i += 1;
        }
        if i == es {
            return err(i);
        }
        if eneg {
            exp = -exp;
        }
    }
    if !is_float && !overflow {
        let n = if !neg {
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
            Num::F64(-(mant as f64))
        };
        return Ok((n, i));
    }
    let e10 = exp - frac_digits;
    if sig_digits <= 19 && mant <= 1u64 << 53 && (-22..=22).contains(&e10) {
        let m = mant as f64;
        let v = if e10 >= 0 {
            m * POW10[e10 as usize]
        } else {
            m / POW10[(-e10) as usize]
        };
        return Ok((Num::F64(if neg { -v } else { v }), i));
    }
    // SAFETY: bytes `start..i` were matched above as ASCII sign, digits, '.',
    // 'e'/'E' and '+'/'-', so they are valid UTF-8.
    let text = unsafe { std::str::from_utf8_unchecked(&input[start..i]) };
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok((Num::F64(v), i)),
        _ => err(start),
    }
}
