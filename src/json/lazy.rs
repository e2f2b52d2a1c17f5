//! Lazy lookup: follow a JSON pointer without building a document.
//!
//! Stage 1 runs chunk by chunk (256 bytes, doubling up to 16 KiB, with its
//! carry state kept between chunks) only as far as the walk needs, so an
//! early path costs a few blocks and a late one few calls. Sibling values are skipped on the structural index: a scalar is
//! one structural, a container is skipped by counting `{[` against `}]`
//! (brackets inside strings are not structural, so they never count).
//!
//! `get` checks the grammar along the path it walks (keys, colons, commas)
//! and that strings are closed, but not the inside of the subtrees it skips
//! nor UTF-8: like `sonic_rs::get_unchecked`, it trusts the document. Use
//! [`super::validate`] first for untrusted input.

use std::borrow::Cow;
use std::cell::RefCell;

use super::error::{JsonError, JsonErrorKind};
use super::number::{self, Num};
use super::stage1::{State, dispatch, scalar};
use super::string::{find_quote_or_backslash, string_end, unescape};
use super::value::{parse_index, unescape_token};

/// First stage-1 chunk; each next one is twice as large, up to [`CHUNK_MAX`].
const CHUNK_MIN: usize = 256;
/// Largest stage-1 chunk.
const CHUNK_MAX: usize = 16 * 1024;

/// A structural-index cursor that runs stage 1 on demand.
pub(crate) struct Cursor<'a, 'b> {
    input: &'a [u8],
    st: State,
    idx: &'b mut Vec<u32>,
    at: usize,
    scanned: usize,
    chunk: usize,
}

impl<'a, 'b> Cursor<'a, 'b> {
    pub(crate) fn new(input: &'a [u8], idx: &'b mut Vec<u32>) -> Self {
        idx.clear();
        Cursor {
            input,
            st: State::default(),
            idx,
            at: 0,
            scanned: 0,
            chunk: CHUNK_MIN,
        }
    }

    /// Offset of the next structural byte, or `None` at the end of input.
    #[inline]
    pub(crate) fn next(&mut self) -> Option<usize> {
        while self.at >= self.idx.len() {
            if self.scanned >= self.input.len() {
                return None;
            }
            let end = (self.scanned + self.chunk).min(self.input.len());
            self.chunk = (self.chunk * 2).min(CHUNK_MAX);
            self.idx.clear();
            self.at = 0;
            dispatch::stage1(
                &mut self.st,
                &self.input[self.scanned..end],
                self.scanned,
                self.idx,
            );
            self.scanned = end;
        }
        let p = self.idx[self.at] as usize;
        self.at += 1;
        Some(p)
    }

    fn expect(&mut self) -> Result<usize, JsonError> {
        self.next().ok_or(JsonError::new(
            JsonErrorKind::UnexpectedEnd,
            self.input.len(),
        ))
    }

    /// Skip the value starting at structural `pos`; returns the offset just
    /// past its last byte.
    pub(crate) fn skip(&mut self, pos: usize) -> Result<usize, JsonError> {
        let input = self.input;
        match input[pos] {
            b'{' | b'[' => {
                let mut depth = 1usize;
                loop {
                    let p = self.expect()?;
                    match input[p] {
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Ok(p + 1);
                            }
                        }
                        _ => {}
                    }
                }
            }
            b'"' => {
                let e = string_end(input, pos + 1);
                if e >= input.len() {
                    return Err(JsonError::new(JsonErrorKind::UnclosedString, pos));
                }
                Ok(e + 1)
            }
            _ => {
                let mut e = pos + 1;
                while e < input.len() && !scalar::is_terminator(input[e]) {
                    e += 1;
                }
                Ok(e)
            }
        }
    }

    /// After a value inside a container: `true` on `,`, `false` on the
    /// closing bracket `close`.
    pub(crate) fn more(&mut self, close: u8) -> Result<bool, JsonError> {
        let p = self.expect()?;
        match self.input[p] {
            b',' => Ok(true),
            c if c == close => Ok(false),
            _ => Err(JsonError::new(JsonErrorKind::UnexpectedChar, p)),
        }
    }

    /// Read an object key at structural `pos` and the colon after it.
    pub(crate) fn key(
        &mut self,
        pos: usize,
        scratch: &mut Vec<u8>,
    ) -> Result<Cow<'a, [u8]>, JsonError> {
        let input = self.input;
        if input[pos] != b'"' {
            return Err(JsonError::new(JsonErrorKind::UnexpectedChar, pos));
        }
        let stop = find_quote_or_backslash(input, pos + 1);
        let key = match input.get(stop) {
            Some(b'"') => Cow::Borrowed(&input[pos + 1..stop]),
            Some(_) => {
                scratch.clear();
                unescape(input, pos + 1, stop, scratch)?;
                Cow::Owned(scratch.clone())
            }
            None => return Err(JsonError::new(JsonErrorKind::UnclosedString, pos)),
        };
        let colon = self.expect()?;
        if input[colon] != b':' {
            return Err(JsonError::new(JsonErrorKind::UnexpectedChar, colon));
        }
        Ok(key)
    }
}

thread_local! {
    static INDEX: RefCell<(Vec<u32>, Vec<u8>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Find the value at RFC 6901 `pointer` in `bytes` without building a
/// document. `Ok(None)` when a step does not exist.
///
/// ```
/// let doc = br#"{"user":{"name":"ann","tags":["a","b"]},"n":1}"#;
/// let v = ultra::json::get(doc, "/user/tags/1")?.unwrap();
/// assert_eq!(v.as_str().as_deref(), Some("b"));
/// # Ok::<(), ultra::json::JsonError>(())
/// ```
pub fn get<'a>(bytes: &'a [u8], pointer: &str) -> Result<Option<Raw<'a>>, JsonError> {
    INDEX.with(|cell| match cell.try_borrow_mut() {
        Ok(mut bufs) => {
            let (idx, scratch) = &mut *bufs;
            get_with(bytes, pointer, idx, scratch)
        }
        Err(_) => get_with(bytes, pointer, &mut Vec::new(), &mut Vec::new()),
    })
}

fn get_with<'a>(
    bytes: &'a [u8],
    pointer: &str,
    idx: &mut Vec<u32>,
    scratch: &mut Vec<u8>,
) -> Result<Option<Raw<'a>>, JsonError> {
    let mut cur = Cursor::new(bytes, idx);
    let mut pos = cur
        .next()
        .ok_or(JsonError::new(JsonErrorKind::Empty, bytes.len()))?;
    let tokens = match pointer {
        "" => None,
        p => Some(
            p.strip_prefix('/')
                .ok_or(JsonError::new(JsonErrorKind::UnexpectedChar, 0))?
                .split('/'),
        ),
    };
    for raw in tokens.into_iter().flatten() {
        let token = unescape_token(raw);
        match bytes[pos] {
            b'{' => {
                let mut p = cur.expect()?;
                if bytes[p] == b'}' {
                    return Ok(None);
                }
                loop {
                    let k = cur.key(p, scratch)?;
                    let v = cur.expect()?;
                    if *k == *token.as_bytes() {
                        pos = v;
                        break;
                    }
                    cur.skip(v)?;
                    if !cur.more(b'}')? {
                        return Ok(None);
                    }
                    p = cur.expect()?;
                }
            }
            b'[' => {
                let Some(want) = parse_index(&token) else {
                    return Ok(None);
                };
                let mut p = cur.expect()?;
                if bytes[p] == b']' {
                    return Ok(None);
                }
                let mut k = 0;
                while k < want {
                    cur.skip(p)?;
                    if !cur.more(b']')? {
                        return Ok(None);
                    }
                    p = cur.expect()?;
                    k += 1;
                }
                pos = p;
            }
            _ => return Ok(None),
        }
    }
    let end = cur.skip(pos)?;
    Ok(Some(Raw(&bytes[pos..end])))
}

/// The raw JSON text of one value found by [`get`], with decoders for
/// scalars. Containers can be parsed further with a [`super::Parser`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw<'a>(pub &'a [u8]);

impl<'a> Raw<'a> {
    /// The value's JSON text (without surrounding whitespace).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    fn number(&self) -> Option<Num> {
        match number::parse(self.0, 0) {
            Ok((n, end)) if end == self.0.len() => Some(n),
            _ => None,
        }
    }

    /// The integer, if the value is an integer that fits `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self.number()? {
            Num::I64(v) => Some(v),
            _ => None,
        }
    }

    /// The integer, if the value is a non-negative integer that fits `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match self.number()? {
            Num::I64(v) => u64::try_from(v).ok(),
            Num::U64(v) => Some(v),
            Num::F64(_) => None,
        }
    }

    /// The number as `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        match self.number()? {
            Num::I64(v) => Some(v as f64),
            Num::U64(v) => Some(v as f64),
            Num::F64(v) => Some(v),
        }
    }

    /// The boolean, if the value is `true` or `false`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.0 {
            b"true" => Some(true),
            b"false" => Some(false),
            _ => None,
        }
    }

    /// The unescaped string (borrowed when it has no escapes); `None` if the
    /// value is not a valid string.
    pub fn as_str(&self) -> Option<Cow<'a, str>> {
        let s = self.0;
        if s.len() < 2 || s[0] != b'"' {
            return None;
        }
        let stop = find_quote_or_backslash(s, 1);
        if stop == s.len() - 1 {
            return std::str::from_utf8(&s[1..stop]).ok().map(Cow::Borrowed);
        }
        let mut out = Vec::new();
        match unescape(s, 1, stop, &mut out) {
            Ok(e) if e == s.len() - 1 => String::from_utf8(out).ok().map(Cow::Owned),
            _ => None,
        }
    }
}
