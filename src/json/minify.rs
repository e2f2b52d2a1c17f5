//! Minify and project, both driven by the structural index.
//!
//! Between two consecutive structural bytes lies exactly one token (an
//! operator, a string, a number or a literal) followed by optional
//! whitespace, because whitespace inside strings never reaches the index.
//! So the minified text is the concatenation over structurals `p_k` of
//! `input[p_k .. p_{k+1}]` with trailing whitespace removed.

use std::cell::RefCell;

use super::error::{JsonError, JsonErrorKind};
use super::stage1::scalar;
use super::string::{find_quote_or_backslash, unescape};
use super::tape::{DEFAULT_MAX_SIZE, Parser, index};
use super::writer::escape_str;

/// Append the minified text of the tokens at `pos` (the last one ending
/// before `end`) to `out`.
fn segments(input: &[u8], pos: &[u32], end: usize, out: &mut Vec<u8>) {
    for (k, &p) in pos.iter().enumerate() {
        let p = p as usize;
        let mut q = pos.get(k + 1).map_or(end, |&q| q as usize);
        while q > p + 1 && scalar::is_ws(input[q - 1]) {
            q -= 1;
        }
        out.extend_from_slice(&input[p..q]);
    }
}

struct Scratch {
    parser: Parser,
    idx: Vec<u32>,
    found: Vec<Option<(u32, u32)>>,
    key: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch {
        parser: Parser::new(),
        idx: Vec::new(),
        found: Vec::new(),
        key: Vec::new(),
    });
}

fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|c| match c.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        Err(_) => f(&mut Scratch {
            parser: Parser::new(),
            idx: Vec::new(),
            found: Vec::new(),
            key: Vec::new(),
        }),
    })
}

/// Append `bytes` without insignificant whitespace to `out`.
///
/// Stage 1's checks apply (strings closed, no raw control bytes in strings,
/// valid UTF-8); the grammar is not checked, so invalid JSON with valid
/// strings is minified as it stands. Use [`super::validate`] when that matters.
pub fn minify(bytes: &[u8], out: &mut Vec<u8>) -> Result<(), JsonError> {
    with_scratch(|s| {
        index(bytes, &mut s.idx, DEFAULT_MAX_SIZE)?;
        let n = s.idx.len() - 1;
        out.reserve(bytes.len());
        segments(bytes, &s.idx[..n], bytes.len(), out);
        Ok(())
    })
}

/// Append to `out` a minified object holding only the top-level members of
/// `bytes` named in `fields`, in the order of `fields` (missing ones are
/// skipped; for a duplicated key the first occurrence wins).
///
/// The whole input is validated first, so the output is always valid JSON.
/// A top-level value that is not an object is
/// [`JsonErrorKind::NotAnObject`].
///
/// ```
/// let post = br#"{"id":7, "body":"long...", "title":"Hi", "tags":[ "a" ]}"#;
/// let mut out = Vec::new();
/// ultra::json::project(post, &["id", "title", "author", "tags"], &mut out)?;
/// assert_eq!(out, br#"{"id":7,"title":"Hi","tags":["a"]}"#);
/// # Ok::<(), ultra::json::JsonError>(())
/// ```
pub fn project(bytes: &[u8], fields: &[&str], out: &mut Vec<u8>) -> Result<(), JsonError> {
    with_scratch(|s| {
        let idx = s.parser.validated_index(bytes)?;
        let n = idx.len() - 1;
        let root = idx[0] as usize;
        if bytes[root] != b'{' {
            return Err(JsonError::new(JsonErrorKind::NotAnObject, root));
        }
        s.found.clear();
        s.found.resize(fields.len(), None);
        let mut i = 1;
        // Validated: members are `"key" : value` separated by `,`.
        while i < n && bytes[idx[i] as usize] == b'"' {
            let kp = idx[i] as usize;
            let stop = find_quote_or_backslash(bytes, kp + 1);
            let key: &[u8] = if bytes[stop] == b'"' {
                &bytes[kp + 1..stop]
            } else {
                s.key.clear();
                unescape(bytes, kp + 1, stop, &mut s.key)?;
                &s.key
            };
            let vi = i + 2;
            let mut j = vi + 1;
            if matches!(bytes[idx[vi] as usize], b'{' | b'[') {
                let mut depth = 1usize;
                while depth > 0 {
                    match bytes[idx[j] as usize] {
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => depth -= 1,
                        _ => {}
                    }
                    j += 1;
                }
            }
            if let Some(f) = fields.iter().position(|f| f.as_bytes() == key) {
                s.found[f].get_or_insert((vi as u32, j as u32));
            }
            // idx[j] is ',' or the closing '}'.
            i = j + 1;
        }
        out.push(b'{');
        let mut first = true;
        for (f, range) in fields.iter().zip(&s.found) {
            if let Some((a, b)) = *range {
                if !first {
                    out.push(b',');
                }
                first = false;
                escape_str(out, f);
                out.push(b':');
                let (a, b) = (a as usize, b as usize);
                segments(bytes, &idx[a..b], idx[b] as usize, out);
            }
        }
        out.push(b'}');
        Ok(())
    })
}
