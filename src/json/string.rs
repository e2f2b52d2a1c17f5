//! String scanning and unescaping.
//!
//! Stage 1 has already proven that every string is closed and free of raw
//! control bytes. Stage 2 finds the end of a string by scanning for the first
//! `"` or `\` (16 bytes at a time with SSE2 on x86-64, which every x86-64 CPU
//! has); a string without `\` is handed out zero-copy from the input, one
//! with escapes is decoded into the parser's string buffer.

use super::error::{JsonError, JsonErrorKind};

/// Index of the first `"` or `\` at or after `i`, or `input.len()`.
#[inline]
pub(crate) fn find_quote_or_backslash(input: &[u8], i: usize) -> usize {
    find_first(input, i, input.len(), b'"', b'\\', false)
}

/// Index of the first byte of `input[i..end]` that is `a` or `b` or, with
/// `ctrl`, a control byte (`<= 0x1f`); `end` if there is none. 16 bytes at a
/// time with SSE2 on x86-64 (which every x86-64 CPU has). Shared by the
/// string scans here and the writer's escaping.
#[inline(always)]
pub(crate) fn find_first(
    input: &[u8],
    mut i: usize,
    end: usize,
    a: u8,
    b: u8,
    ctrl: bool,
) -> usize {
    let end = end.min(input.len());
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        while i + 16 <= end {
            // SAFETY: SSE2 is part of the x86-64 baseline; `i + 16 <= end
            // <= len` keeps the unaligned 16-byte load in bounds.
            let m = unsafe {
                let v = _mm_loadu_si128(input.as_ptr().add(i).cast());
                let x = _mm_cmpeq_epi8(v, _mm_set1_epi8(a as i8));
                let y = _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
                let mut hit = _mm_or_si128(x, y);
                if ctrl {
                    let c = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
                    hit = _mm_or_si128(hit, c);
                }
                _mm_movemask_epi8(hit) as u32
            };
            if m != 0 {
                return i + m.trailing_zeros() as usize;
            }
            i += 16;
        }
    }
    while i < end && input[i] != a && input[i] != b && !(ctrl && input[i] <= 0x1f) {
        i += 1;
    }
    i
}

fn hex4(input: &[u8], i: usize) -> Result<u32, JsonError> {
    let mut v = 0u32;
    for k in 0..4 {
        let d = match input.get(i + k) {
            Some(&b) => (b as char).to_digit(16),
            None => None,
        };
        match d {
            Some(d) => v = v << 4 | d,
            None => return Err(JsonError::new(JsonErrorKind::InvalidEscape, i + k)),
        }
    }
    Ok(v)
}

/// Decode the escape sequence whose backslash is at `bs`: returns the code
/// point (a surrogate pair is joined; a lone surrogate is an error) and the
/// offset just past the sequence.
#[inline]
fn decode_escape(input: &[u8], bs: usize) -> Result<(u32, usize), JsonError> {
    let simple = match input.get(bs + 1) {
        Some(b'"') => b'"',
        Some(b'\\') => b'\\',
        Some(b'/') => b'/',
        Some(b'b') => 8,
        Some(b'f') => 12,
        Some(b'n') => b'\n',
        Some(b'r') => b'\r',
        Some(b't') => b'\t',
        Some(b'u') => {
            let c = hex4(input, bs + 2)?;
            let next = bs + 6;
            if (0xDC00..0xE000).contains(&c) {
                return Err(JsonError::new(JsonErrorKind::InvalidSurrogate, bs));
            }
            if !(0xD800..0xDC00).contains(&c) {
                return Ok((c, next));
            }
            if input.get(next) != Some(&b'\\') || input.get(next + 1) != Some(&b'u') {
                return Err(JsonError::new(JsonErrorKind::InvalidSurrogate, bs));
            }
            let lo = hex4(input, next + 2)?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(JsonError::new(JsonErrorKind::InvalidSurrogate, next));
            }
            return Ok((0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00), next + 6));
        }
        _ => return Err(JsonError::new(JsonErrorKind::InvalidEscape, bs)),
    };
    Ok((simple as u32, bs + 2))
}

/// Decode the string whose content starts at `start` and whose first `\` is
/// at `bs`, appending the decoded bytes to `out`. Returns the index of the
/// closing quote.
pub(crate) fn unescape(
    input: &[u8],
    start: usize,
    mut bs: usize,
    out: &mut Vec<u8>,
) -> Result<usize, JsonError> {
    out.extend_from_slice(&input[start..bs]);
    loop {
        let (c, next) = decode_escape(input, bs)?;
        if c < 0x80 {
            out.push(c as u8);
        } else {
            // `decode_escape` never returns a surrogate, so `c` is a scalar value.
            let ch =
                char::from_u32(c).ok_or(JsonError::new(JsonErrorKind::InvalidSurrogate, bs))?;
            out.extend_from_slice(ch.encode_utf8(&mut [0u8; 4]).as_bytes());
        }
        let end = find_quote_or_backslash(input, next);
        out.extend_from_slice(&input[next.min(end)..end]);
        match input.get(end) {
            Some(b'"') => return Ok(end),
            Some(_) => bs = end,
            None => return Err(JsonError::new(JsonErrorKind::UnclosedString, input.len())),
        }
    }
}

/// Check every escape sequence of a document without decoding it.
///
/// `blocks` are the offsets, ascending, of the 64-byte blocks that hold a
/// backslash (stage 1 records them), and every backslash of the document is
/// inside a string (the grammar walk has checked that). Scanning the
/// backslashes in order and jumping over each escape sequence therefore
/// meets exactly the escape-initiating ones, whatever the parity of a run
/// that crosses a block boundary. Returns the first bad escape before
/// `limit`, as [`unescape`] would report it.
pub(crate) fn check_escapes(input: &[u8], blocks: &[u32], limit: usize) -> Result<(), JsonError> {
    let mut resume = 0;
    for &b in blocks {
        let b = b as usize;
        let end = (b + 64).min(input.len()).min(limit);
        let mut i = resume.max(b);
        while i < end {
            i = find_first(input, i, end, b'\\', b'\\', false);
            if i < end {
                i = decode_escape(input, i)?.1;
            }
        }
        resume = i;
    }
    Ok(())
}

/// Index of the quote closing the string whose content starts at `i`
/// (escapes skipped, not decoded), or `input.len()` if it never closes.
pub(crate) fn string_end(input: &[u8], mut i: usize) -> usize {
    loop {
        i = find_quote_or_backslash(input, i);
        match input.get(i) {
            Some(b'\\') => i += 2,
            Some(_) => return i,
            None => return input.len(),
        }
    }
}
