//! Stage 2 for validation: the grammar of the structural index, nothing else.
//!
//! [`super::validate`] needs a yes or no, so this walk keeps only what the
//! grammar needs: the index of the next structural, the depth, and one bit
//! per open container (object or array) in a bit stack; strings cost nothing
//! (stage 1 has found their ends and checked their bytes, their escapes are
//! checked in a separate pass over the blocks that hold a backslash), and
//! numbers are matched against the grammar without conversion
//! ([`super::number_check`]). It is the automaton of Langdale & Lemire 2019,
//! §4 (states *value*, *object key*, *after value*), with the object/array
//! distinction of its stack held in a register for the innermost container.
//!
//! The walk only answers *valid or not*; on *not*, the caller runs the full
//! stage-2 walk to find the same error, at the same offset, that
//! [`super::Parser::parse`] reports. Invariant: `grammar_ok(d)` implies the
//! full walk accepts `d` (tests check both directions on JSONTestSuite and
//! on mutated documents).

use super::number_check;
use super::stage1::scalar;

/// True if the byte at `end` may follow a number or literal.
#[inline(always)]
pub(crate) fn terminated(input: &[u8], end: usize) -> bool {
    input.get(end).is_none_or(|&b| scalar::is_terminator(b))
}

/// True if the `N` bytes at `p` are `word` (a fixed-size compare, no
/// `memcmp` call).
#[inline(always)]
pub(crate) fn word_at<const N: usize>(input: &[u8], p: usize, word: &[u8; N]) -> bool {
    input
        .get(p..p + N)
        .is_some_and(|w| <[u8; N]>::try_from(w).is_ok_and(|w| w == *word))
}

/// [`word_at`], followed by a terminator.
#[inline(always)]
fn is_word<const N: usize>(input: &[u8], p: usize, word: &[u8; N]) -> bool {
    word_at(input, p, word) && terminated(input, p + N)
}

/// True if the scalar (not a string or container) starting at `p` is valid.
#[inline(always)]
fn scalar_ok(input: &[u8], p: usize, c: u8) -> bool {
    match c {
        b't' => is_word(input, p, b"true"),
        b'f' => is_word(input, p, b"false"),
        b'n' => is_word(input, p, b"null"),
        b'-' | b'0'..=b'9' => number_check::check(input, p).is_ok_and(|end| terminated(input, end)),
        _ => false,
    }
}

/// True iff `idx` (the structural index of `input`, ending with the
/// sentinel `input.len()`) is exactly one JSON value nested at most
/// `max_depth` deep. `bits` is scratch space for the bit stack.
pub(crate) fn grammar_ok(input: &[u8], idx: &[u32], max_depth: usize, bits: &mut Vec<u64>) -> bool {
    let n = idx.len() - 1;
    if n == 0 {
        return false;
    }
    // Depth never exceeds the number of structurals, whatever the limit.
    let words = max_depth.min(n) / 64 + 1;
    if bits.len() < words {
        bits.resize(words, 0);
    }
    let byte = |i: usize| input.get(idx[i] as usize).copied().unwrap_or(0);
    let mut i = 0;
    let mut depth = 0usize;
    // The innermost open container is an object.
    let mut obj = false;
    'value: loop {
        // State *value*: structural `i` starts a value.
        let c = byte(i);
        i += 1;
        if c == b'{' || c == b'[' {
            if depth >= max_depth {
                return false;
            }
            let is_obj = c == b'{';
            if byte(i) == c + 2 {
                // `{}` or `[]`: `}` and `]` are two past `{` and `[`.
                i += 1;
            } else {
                let (w, b) = (depth / 64, depth % 64);
                bits[w] = (bits[w] & !(1 << b)) | (obj as u64) << b;
                depth += 1;
                obj = is_obj;
                if !is_obj {
                    continue 'value;
                }
                // State *object key*: a string, then a colon.
                if byte(i) != b'"' || byte(i + 1) != b':' {
                    return false;
                }
                i += 2;
                continue 'value;
            }
        } else if c != b'"' && !scalar_ok(input, idx[i - 1] as usize, c) {
            return false;
        }
        // State *after value*.
        loop {
            if depth == 0 {
                return i == n;
            }
            let c = byte(i);
            i += 1;
            if c == b',' {
                if obj {
                    if byte(i) != b'"' || byte(i + 1) != b':' {
                        return false;
                    }
                    i += 2;
                }
                continue 'value;
            }
            if c != if obj { b'}' } else { b']' } {
                return false;
            }
            depth -= 1;
            obj = (bits[depth / 64] >> (depth % 64)) & 1 == 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::tape::{DEFAULT_MAX_DEPTH, index};

    fn fast_verdict(doc: &[u8]) -> Option<bool> {
        let mut idx = Vec::new();
        index(doc, &mut idx, usize::MAX).ok()?;
        Some(grammar_ok(doc, &idx, DEFAULT_MAX_DEPTH, &mut Vec::new()))
    }

    /// The fast walk must not send valid documents to the slow path
    /// (rejecting invalid ones is checked through `validate` == `parse`).
    #[test]
    fn accepts_what_the_full_walk_accepts() {
        let docs: &[&[u8]] = &[
            b"0",
            b"-1.5e-3",
            b"\"s\"",
            b"[]",
            b"{}",
            b"[[],{}]",
            b" { \"a\" : [1, true, null, false, {\"b\":{}}] } ",
            b"[\"\\\\\", \"\\\"\", \"\\u00e9\\ud83d\\ude00\"]",
        ];
        for d in docs {
            assert_eq!(
                fast_verdict(d),
                Some(true),
                "{}",
                String::from_utf8_lossy(d)
            );
        }
        let suite = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/jsontestsuite/test_parsing"
        );
        let Ok(dir) = std::fs::read_dir(suite) else {
            return;
        };
        for e in dir.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("y_") {
                let d = std::fs::read(e.path()).unwrap();
                assert_eq!(fast_verdict(&d), Some(true), "{name}");
            }
        }
    }

    /// Alternate objects and arrays 300 deep so the bit stack crosses words.
    #[test]
    fn deep_mixed_nesting() {
        let mut d = String::new();
        for k in 0..300 {
            d.push_str(if k % 3 == 0 { "{\"k\":" } else { "[0," });
        }
        d.push('1');
        for k in (0..300).rev() {
            d.push(if k % 3 == 0 { '}' } else { ']' });
        }
        assert_eq!(fast_verdict(d.as_bytes()), Some(true));
        let bad = d.replacen("]}", "}}", 1);
        assert_eq!(fast_verdict(bad.as_bytes()), Some(false));
    }

    /// A huge configured limit must not size the bit stack.
    #[test]
    fn unbounded_depth_limit_allocates_by_input() {
        let d = "[".repeat(200) + &"]".repeat(200);
        let mut idx = Vec::new();
        index(d.as_bytes(), &mut idx, usize::MAX).unwrap();
        let mut bits = Vec::new();
        assert!(grammar_ok(d.as_bytes(), &idx, usize::MAX, &mut bits));
        assert!(bits.len() <= 401 / 64 + 1);
    }

    #[test]
    fn depth_limit_and_trailing_content_fail_fast() {
        let mut idx = Vec::new();
        let d = b"[[[1]]]";
        index(d, &mut idx, usize::MAX).unwrap();
        assert!(grammar_ok(d, &idx, 3, &mut Vec::new()));
        assert!(!grammar_ok(d, &idx, 2, &mut Vec::new()));
        for bad in [
            &b"[1] 2"[..],
            b"[1,]",
            b"{\"a\"}",
            b"{\"a\":1,}",
            b"[1:2]",
            b"{1:2}",
            b"[}",
            b"[1 2]",
            b"tru",
            b"[nul]",
        ] {
            assert_eq!(
                fast_verdict(bad),
                Some(false),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
