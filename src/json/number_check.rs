//! Number grammar check without conversion, for validation.
//!
//! [`super::validate`] must accept exactly the numbers [`super::Parser`]
//! accepts, but it has no use for their values. This module matches
//! RFC 8259's `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` and
//! runs over digits sixteen at a time (SSE2 on x86-64: `v - '0' <= 9`
//! unsigned, one `movemask`), else eight at a time with the parser's SWAR
//! digit test (`number::non_digits`: the lowest flagged byte of a word is
//! its first non-digit).
//!
//! The only numbers the grammar accepts but the parser rejects are those
//! that round to infinity; they need a decimal magnitude of at least
//! `10^308`, so a number whose integer digits plus exponent could reach
//! that is handed to the full parser for the verdict.

use super::error::{JsonError, JsonErrorKind};
use super::number;

/// Offset of the first byte at or after `i` that is not an ASCII digit.
#[inline(always)]
fn digits_end(input: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= input.len() {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86-64 baseline; `i + 16 <= len`
        // keeps the unaligned load in bounds.
        let nondigit = unsafe {
            let v = _mm_sub_epi8(
                _mm_loadu_si128(input.as_ptr().add(i).cast()),
                _mm_set1_epi8(b'0' as i8),
            );
            let digit = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(9)), v);
            !(_mm_movemask_epi8(digit) as u32) & 0xFFFF
        };
        if nondigit != 0 {
            return i + nondigit.trailing_zeros() as usize;
        }
        i += 16;
    }
    while let Some(x) = number::load8(input, i) {
        let bad = number::non_digits(x);
        if bad != 0 {
            return i + (bad.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while input.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// Check the number starting at `start`; returns the offset just past it.
/// Accepts and rejects exactly as [`number::parse`] does.
#[inline(always)]
pub(crate) fn check(input: &[u8], start: usize) -> Result<usize, JsonError> {
    let err = |at| Err(JsonError::new(JsonErrorKind::InvalidNumber, at));
    let mut i = start + (input.get(start) == Some(&b'-')) as usize;
    let int_start = i;
    match input.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits_end(input, i + 1),
        _ => return err(i),
    }
    let int_digits = i - int_start;
    if input.get(i) == Some(&b'.') {
        let f = i + 1;
        i = digits_end(input, f);
        if i == f {
            return err(i);
        }
    }
    let mut big = int_digits > 300;
    if matches!(input.get(i), Some(b'e' | b'E')) {
        i += 1;
        let neg = number::exponent_sign(input, &mut i);
        let e = i;
        i = digits_end(input, e);
        if i == e {
            return err(i);
        }
        // An exponent of three or more digits (or a large integer part)
        // may overflow: let the parser decide.
        big |= !neg && (i - e > 2 || int_digits > 200);
    }
    if big {
        return number::parse(input, start).map(|(_, end)| end);
    }
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_end_finds_the_first_non_digit() {
        for len in 0..40 {
            for stop in [b' ', b',', b'.', b'e', b':', b'/', b']', 0xFF, 0x00] {
                let mut v = vec![b'7'; len];
                v.push(stop);
                v.extend_from_slice(b"123456789");
                assert_eq!(digits_end(&v, 0), len, "len {len} stop {stop:#x}");
            }
            assert_eq!(digits_end(&vec![b'1'; len], 0), len);
        }
    }

    #[test]
    fn agrees_with_the_parser() {
        let cases: &[&[u8]] = &[
            b"0",
            b"-0",
            b"01",
            b"-",
            b"1.",
            b"1.5",
            b".5",
            b"1e",
            b"1e+",
            b"1E-7",
            b"-1.25e10",
            b"1e308",
            b"1e309",
            b"9e307",
            b"1.5e+9999",
            b"-1e+9999",
            b"123e-10000000",
            b"123456789012345678901234567890",
            b"1x",
            b"2.e3",
            b"1.0e-",
            b"-a",
            b"00",
            b"0.0e0",
        ];
        for c in cases {
            let p = number::parse(c, 0).map(|(_, e)| e);
            assert_eq!(check(c, 0), p, "{}", String::from_utf8_lossy(c));
        }
        let mut huge = vec![b'9'; 400];
        assert_eq!(check(&huge, 0), number::parse(&huge, 0).map(|(_, e)| e));
        huge.extend_from_slice(b"e-500");
        assert_eq!(check(&huge, 0), number::parse(&huge, 0).map(|(_, e)| e));
    }

    /// Every string of up to 5 bytes over the number alphabet plus one
    /// stray letter, followed by each kind of end, with and without room
    /// for an 8-byte word.
    #[test]
    fn exhaustive_short_tokens_agree() {
        const ALPHA: &[u8] = b"019-+.eEx";
        let mut tok = Vec::new();
        for len in 1..=5u32 {
            for mut code in 0..ALPHA.len().pow(len) {
                tok.clear();
                for _ in 0..len {
                    tok.push(ALPHA[code % ALPHA.len()]);
                    code /= ALPHA.len();
                }
                for tail in [&b","[..], b"]", b" ", b"x", b"\"", b""] {
                    for pad in [0, 40] {
                        let mut v = tok.clone();
                        v.extend_from_slice(tail);
                        v.resize(v.len() + pad, b' ');
                        let want = number::parse(&v, 0).map(|(_, e)| e);
                        assert_eq!(check(&v, 0), want, "{:?}", String::from_utf8_lossy(&v));
                    }
                }
            }
        }
    }

    #[test]
    fn long_and_big_exponent_tokens_agree() {
        let cases: &[&str] = &[
            "-65.613616999999977",
            "1234567890123456789012345678.5",
            "12345678901234567890123456789.5",
            "123456789012345678901234567890.5",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "9.9e99",
            "9.9e+99",
            "9.9e+999",
            "9.9e-999",
            "1e0000000000000000000000001",
            "-0.000000000000000000000000001e-5",
            "0.5e+07",
            "1e-1.1",
            "1e+1.1",
            "1.1e-1.1",
            "-1e-1e1",
            "1.5E-0",
        ];
        for c in cases {
            for tail in [",", "}", "x"] {
                let mut v = format!("{c}{tail}").into_bytes();
                v.resize(v.len() + 40, b' ');
                let want = number::parse(&v, 0).map(|(_, e)| e);
                assert_eq!(check(&v, 0), want, "{c}{tail}");
            }
        }
    }
}
