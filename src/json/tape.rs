//! Stage 2: walk the structural index once and build the tape.
//!
//! The tape is a flat array of [`Entry`]s in document order, one per value
//! (object keys are string entries followed by their value). An entry is two
//! words: `head = tag | aux << 8`, `data`:
//!
//! | tag | aux | data |
//! | --- | --- | --- |
//! | `{` / `[` | index of the entry after the container | number of members / elements |
//! | `s` | byte length | offset in the input, or `ESCAPED | offset` in the string buffer |
//! | `l` / `u` / `d` | 0 | `i64` / `u64` / `f64` bits |
//! | `t` / `f` / `n` | 0 | 0 |
//!
//! so skipping any value is `next(i) = if container { aux } else { i + 1 }`.
//! The walk is a loop over three states (value, object key, after value) with
//! an explicit stack of open containers: no recursion, and the depth limit is
//! checked on every push, so hostile nesting is an error, never a stack
//! overflow.

use super::check::{self, grammar_ok, word_at};
use super::error::{JsonError, JsonErrorKind};
use super::number::{self, Num};
use super::number_check;
use super::stage1::{State, dispatch, scalar};
use super::string::{check_escapes, find_quote_or_backslash, unescape};
use super::{Document, utf8};

pub(crate) const T_OBJ: u8 = b'{';
pub(crate) const T_ARR: u8 = b'[';
pub(crate) const T_STR: u8 = b's';
pub(crate) const T_I64: u8 = b'l';
pub(crate) const T_U64: u8 = b'u';
pub(crate) const T_F64: u8 = b'd';
pub(crate) const T_TRUE: u8 = b't';
pub(crate) const T_FALSE: u8 = b'f';
pub(crate) const T_NULL: u8 = b'n';
/// `data` flag of a string decoded into the parser's string buffer.
pub(crate) const ESCAPED: u64 = 1 << 63;

/// One tape entry (see the module docs for the encoding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub head: u64,
    pub data: u64,
}

impl Entry {
    #[inline(always)]
    pub fn tag(self) -> u8 {
        self.head as u8
    }
    #[inline(always)]
    pub fn aux(self) -> usize {
        (self.head >> 8) as usize
    }
}

/// Default nesting limit.
pub const DEFAULT_MAX_DEPTH: usize = 1024;
/// Default (and largest) document size: offsets are stored as `u32`.
pub const DEFAULT_MAX_SIZE: usize = u32::MAX as usize - 128;

/// Run stage 1 over the whole of `input` into `out`, then check the
/// invariants it gathers (closed strings, no control bytes, UTF-8). Pushes
/// a sentinel `input.len()` so stage 2 can always read one index ahead.
pub(crate) fn index(input: &[u8], out: &mut Vec<u32>, max_size: usize) -> Result<(), JsonError> {
    index_with(input, out, max_size, None)
}

/// [`index`], also recording in `escapes` the offsets of the blocks that
/// hold a backslash.
fn index_with(
    input: &[u8],
    out: &mut Vec<u32>,
    max_size: usize,
    escapes: Option<&mut Vec<u32>>,
) -> Result<(), JsonError> {
    if input.len() > max_size.min(DEFAULT_MAX_SIZE) {
        return Err(JsonError::new(JsonErrorKind::SizeLimit, max_size));
    }
    out.clear();
    let mut st = State::default();
    st.check_utf8 = true;
    if let Some(e) = escapes {
        e.clear();
        st.record_escapes = true;
        st.escape_blocks = std::mem::take(e);
        dispatch::stage1(&mut st, input, 0, out);
        *e = std::mem::take(&mut st.escape_blocks);
    } else {
        dispatch::stage1(&mut st, input, 0, out);
    }
    if let Some(at) = st.ctrl_at {
        return Err(JsonError::new(JsonErrorKind::ControlInString, at));
    }
    if st.in_string() {
        let open = out.last().map_or(0, |&p| p as usize);
        return Err(JsonError::new(JsonErrorKind::UnclosedString, open));
    }
    // The scalar check runs when the kernel has no SIMD checker, or to find
    // the offset of the error the SIMD checker saw.
    if let Some(at) = st.non_ascii_at
        && (!st.utf8_checked || st.utf8_bad)
    {
        utf8::validate_from(input, at)?;
    }
    out.push(input.len() as u32);
    Ok(())
}

/// Receives the values stage 2 finds: builds a tape, or only validates.
pub(crate) trait Sink {
    /// False when the sink only validates: numbers are then checked for
    /// syntax (and overflow) without being converted.
    const VALUES: bool = true;
    /// A container opens; returns its tape index.
    fn open(&mut self, tag: u8) -> u32;
    /// The container opened at `at` closes with `count` members.
    fn close(&mut self, at: u32, count: u32);
    /// A string whose opening quote is at `pos`; `next` is the offset of
    /// the next structural byte (or the end of input).
    fn string(&mut self, input: &[u8], pos: usize, next: usize) -> Result<(), JsonError>;
    /// A scalar that is not a string.
    fn scalar(&mut self, tag: u8, data: u64);
}

/// Builds the tape.
pub(crate) struct TapeSink<'a> {
    pub tape: &'a mut Vec<Entry>,
    pub strings: &'a mut Vec<u8>,
    /// Offsets of the 64-byte blocks that hold a backslash (ascending).
    pub escapes: &'a [u32],
    /// First entry of `escapes` that may overlap the next string.
    pub next_escape: usize,
}

impl<'a> TapeSink<'a> {
    /// A sink for the walk over `idx[start..]`: reserves one tape entry per
    /// remaining structural (each value and key has its own structural, so
    /// the walk never writes more) and positions the escape cursor.
    pub fn new(
        tape: &'a mut Vec<Entry>,
        strings: &'a mut Vec<u8>,
        escapes: &'a [u32],
        idx: &[u32],
        start: usize,
    ) -> Self {
        tape.reserve(idx.len() - start);
        let first = idx.get(start).map_or(0, |&p| p as usize);
        let next_escape = escapes.partition_point(|&b| b as usize + 64 <= first);
        TapeSink {
            tape,
            strings,
            escapes,
            next_escape,
        }
    }

    #[inline(always)]
    fn emit(&mut self, head: u64, data: u64) {
        debug_assert!(self.tape.len() < self.tape.capacity());
        let len = self.tape.len();
        // SAFETY: `new` reserved one entry per structural of the walk and
        // the walk emits at most one entry per structural, so `len` is
        // below the capacity; the entry is written before `set_len`.
        unsafe {
            self.tape.as_mut_ptr().add(len).write(Entry { head, data });
            self.tape.set_len(len + 1);
        }
    }

    /// True if a block holding a backslash overlaps `start..end`. Strings
    /// arrive in document order, so the cursor only moves forward.
    #[inline(always)]
    fn may_escape(&mut self, start: usize, end: usize) -> bool {
        let e = self.escapes;
        let mut k = self.next_escape;
        while k < e.len() && e[k] as usize + 64 <= start {
            k += 1;
        }
        self.next_escape = k;
        k < e.len() && (e[k] as usize) < end
    }
}

impl Sink for TapeSink<'_> {
    #[inline(always)]
    fn open(&mut self, tag: u8) -> u32 {
        let at = self.tape.len() as u32;
        self.emit(tag as u64, 0);
        at
    }
    #[inline(always)]
    fn close(&mut self, at: u32, count: u32) {
        let end = self.tape.len() as u64;
        let e = &mut self.tape[at as usize];
        e.head |= end << 8;
        e.data = count as u64;
    }
    /// Without a backslash nearby the closing quote is the last non-blank
    /// byte before the next structural (stage 1 put one right after every
    /// string), so the string is never scanned.
    #[inline(always)]
    fn string(&mut self, input: &[u8], pos: usize, next: usize) -> Result<(), JsonError> {
        let start = pos + 1;
        // Usually the quote is right before the next structural.
        let mut q = next.wrapping_sub(1);
        if byte(input, q) != b'"' {
            while q > start && scalar::is_ws(byte(input, q)) {
                q -= 1;
            }
        }
        let stop = if q >= start && byte(input, q) == b'"' && !self.may_escape(start, q) {
            q
        } else {
            find_quote_or_backslash(input, start)
        };
        if input.get(stop) == Some(&b'"') {
            self.emit(T_STR as u64 | ((stop - start) as u64) << 8, start as u64);
            return Ok(());
        }
        let off = self.strings.len();
        unescape(input, start, stop, self.strings)?;
        let len = self.strings.len() - off;
        self.emit(T_STR as u64 | (len as u64) << 8, ESCAPED | off as u64);
        Ok(())
    }
    #[inline(always)]
    fn scalar(&mut self, tag: u8, data: u64) {
        self.emit(tag as u64, data);
    }
}

/// Validates only. Strings cost nothing here: stage 1 has found their ends
/// and checked their bytes, and their escapes are checked afterwards in one
/// pass over the blocks that hold a backslash ([`check_escapes`]).
pub(crate) struct CheckSink;

impl Sink for CheckSink {
    const VALUES: bool = false;
    #[inline(always)]
    fn open(&mut self, _tag: u8) -> u32 {
        0
    }
    #[inline(always)]
    fn close(&mut self, _at: u32, _count: u32) {}
    #[inline(always)]
    fn string(&mut self, _input: &[u8], _pos: usize, _next: usize) -> Result<(), JsonError> {
        Ok(())
    }
    #[inline(always)]
    fn scalar(&mut self, _tag: u8, _data: u64) {}
}

/// An open container on the stage-2 stack.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    at: u32,
    count: u32,
    obj: bool,
}

#[inline(always)]
fn byte(input: &[u8], pos: usize) -> u8 {
    input.get(pos).copied().unwrap_or(0)
}

/// Check that a literal or number ending at `end` is followed by whitespace,
/// an operator or the end of input.
#[inline(always)]
fn terminated(input: &[u8], end: usize, kind: JsonErrorKind) -> Result<(), JsonError> {
    if check::terminated(input, end) {
        Ok(())
    } else {
        Err(JsonError::new(kind, end))
    }
}

/// Parse one scalar (not a container) at `pos` into `sink`; `next` is the
/// offset of the next structural.
#[inline(always)]
fn scalar_value<S: Sink>(
    sink: &mut S,
    input: &[u8],
    pos: usize,
    next: usize,
) -> Result<(), JsonError> {
    let c = byte(input, pos);
    match c {
        b'"' => sink.string(input, pos, next)?,
        b't' | b'f' | b'n' => {
            let (ok, len, tag) = match c {
                b't' => (word_at(input, pos, b"true"), 4, T_TRUE),
                b'f' => (word_at(input, pos, b"false"), 5, T_FALSE),
                _ => (word_at(input, pos, b"null"), 4, T_NULL),
            };
            if !ok {
                return Err(JsonError::new(JsonErrorKind::InvalidLiteral, pos));
            }
            terminated(input, pos + len, JsonErrorKind::InvalidLiteral)?;
            sink.scalar(tag, 0);
        }
        b'-' | b'0'..=b'9' if !S::VALUES => {
            let end = number_check::check(input, pos)?;
            terminated(input, end, JsonErrorKind::InvalidNumber)?;
        }
        b'-' | b'0'..=b'9' => {
            let (n, end) = number::parse(input, pos)?;
            terminated(input, end, JsonErrorKind::InvalidNumber)?;
            match n {
                Num::I64(v) => sink.scalar(T_I64, v as u64),
                Num::U64(v) => sink.scalar(T_U64, v),
                Num::F64(v) => sink.scalar(T_F64, v.to_bits()),
            }
        }
        0 if pos >= input.len() => {
            return Err(JsonError::new(JsonErrorKind::UnexpectedEnd, input.len()));
        }
        _ => return Err(JsonError::new(JsonErrorKind::UnexpectedChar, pos)),
    }
    Ok(())
}

fn unexpected(input: &[u8], pos: usize) -> JsonError {
    if pos >= input.len() {
        JsonError::new(JsonErrorKind::UnexpectedEnd, input.len())
    } else {
        JsonError::new(JsonErrorKind::UnexpectedChar, pos)
    }
}

/// State *object key*: the string at structural `i` and the colon after it.
#[inline(always)]
fn key<S: Sink>(sink: &mut S, input: &[u8], idx: &[u32], i: &mut usize) -> Result<(), JsonError> {
    let pos = idx[*i] as usize;
    if byte(input, pos) != b'"' {
        return Err(unexpected(input, pos));
    }
    let colon = idx[*i + 1] as usize;
    sink.string(input, pos, colon)?;
    if byte(input, colon) != b':' {
        return Err(unexpected(input, colon));
    }
    *i += 2;
    Ok(())
}

/// Walk the structural index `idx` (ending with the sentinel) of `input`
/// from structural `start`; returns the index just past the value. With
/// `many`, content after the value is left for the next call.
///
/// The states *value* and *after value* are two nested loops (and *object
/// key* a function), so each transition is a jump from its own place in the
/// code, which branch predictors learn better than one `match` on a state.
pub(crate) fn walk<S: Sink>(
    sink: &mut S,
    input: &[u8],
    idx: &[u32],
    start: usize,
    many: bool,
    stack: &mut Vec<Frame>,
    max_depth: usize,
) -> Result<usize, JsonError> {
    let n = idx.len() - 1;
    if start >= n {
        return Err(JsonError::new(JsonErrorKind::Empty, input.len()));
    }
    stack.clear();
    let mut i = start;
    // The innermost open container lives in registers; `stack` holds the
    // ones around it.
    let mut top = Frame {
        at: 0,
        count: 0,
        obj: false,
    };
    let mut depth = 0usize;
    'value: loop {
        let pos = idx[i] as usize;
        i += 1;
        let c = byte(input, pos);
        if c == b'{' || c == b'[' {
            if depth >= max_depth {
                return Err(JsonError::new(JsonErrorKind::DepthLimit, pos));
            }
            let obj = c == b'{';
            let at = sink.open(c);
            // `}` and `]` are two past `{` and `[`.
            if byte(input, idx[i] as usize) == c + 2 {
                i += 1;
                sink.close(at, 0);
            } else {
                stack.push(top);
                top = Frame { at, count: 0, obj };
                depth += 1;
                if obj {
                    key(sink, input, idx, &mut i)?;
                }
                continue 'value;
            }
        } else {
            let next = idx.get(i).map_or(input.len(), |&p| p as usize);
            scalar_value(sink, input, pos, next)?;
        }
        // State *after value*.
        loop {
            if depth == 0 {
                if i < n && !many {
                    return Err(JsonError::new(
                        JsonErrorKind::TrailingContent,
                        idx[i] as usize,
                    ));
                }
                return Ok(i);
            }
            top.count += 1;
            let pos = idx[i] as usize;
            i += 1;
            let c = byte(input, pos);
            if c == b',' {
                if top.obj {
                    key(sink, input, idx, &mut i)?;
                }
                continue 'value;
            }
            if c != if top.obj { b'}' } else { b']' } {
                return Err(unexpected(input, pos));
            }
            sink.close(top.at, top.count);
            depth -= 1;
            top = stack.pop().unwrap_or(top);
        }
    }
}

/// A reusable JSON parser: keeps its buffers between calls, so parsing
/// documents no larger than earlier ones does not allocate.
#[derive(Debug)]
pub struct Parser {
    indexes: Vec<u32>,
    escape_blocks: Vec<u32>,
    bits: Vec<u64>,
    tape: Vec<Entry>,
    strings: Vec<u8>,
    stack: Vec<Frame>,
    max_depth: usize,
    max_size: usize,
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

impl Parser {
    /// A parser with the default limits (depth 1024, size `u32::MAX - 128`).
    pub fn new() -> Self {
        Parser {
            indexes: Vec::new(),
            escape_blocks: Vec::new(),
            bits: Vec::new(),
            tape: Vec::new(),
            strings: Vec::new(),
            stack: Vec::new(),
            max_depth: DEFAULT_MAX_DEPTH,
            max_size: DEFAULT_MAX_SIZE,
        }
    }

    /// Set the nesting limit (containers open at once); deeper input fails
    /// with [`JsonErrorKind::DepthLimit`] at the offending bracket.
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Set the document size limit in bytes (capped at the default); larger
    /// input fails with [`JsonErrorKind::SizeLimit`].
    pub fn with_max_size(mut self, bytes: usize) -> Self {
        self.max_size = bytes.min(DEFAULT_MAX_SIZE);
        self
    }

    /// Bytes held by the reusable buffers (stays constant once they have
    /// grown to the largest document parsed).
    pub fn capacity_bytes(&self) -> usize {
        (self.indexes.capacity() + self.escape_blocks.capacity()) * 4
            + self.tape.capacity() * 16
            + self.strings.capacity()
            + self.bits.capacity() * 8
            + self.stack.capacity() * std::mem::size_of::<Frame>()
    }

    /// The nesting limit.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// The document size limit.
    pub fn max_size(&self) -> usize {
        self.max_size
    }

    /// Parse `input` into a [`Document`] that borrows this parser's buffers
    /// and, for strings without escapes, the input itself.
    pub fn parse<'a>(&'a mut self, input: &'a [u8]) -> Result<Document<'a>, JsonError> {
        self.index(input)?;
        self.build(input, 0, false)?;
        Ok(Document {
            input,
            tape: &self.tape,
            strings: &self.strings,
        })
    }

    /// Stage 1 over `input` into this parser's index, recording the blocks
    /// that hold a backslash.
    fn index(&mut self, input: &[u8]) -> Result<(), JsonError> {
        index_with(
            input,
            &mut self.indexes,
            self.max_size,
            Some(&mut self.escape_blocks),
        )
    }

    /// Build the tape of the value at structural `start` (of the indexed
    /// `input`); returns the structural after it.
    fn build(&mut self, input: &[u8], start: usize, many: bool) -> Result<usize, JsonError> {
        self.tape.clear();
        self.strings.clear();
        let mut sink = TapeSink::new(
            &mut self.tape,
            &mut self.strings,
            &self.escape_blocks,
            &self.indexes,
            start,
        );
        walk(
            &mut sink,
            input,
            &self.indexes,
            start,
            many,
            &mut self.stack,
            self.max_depth,
        )
    }

    /// Check that `input` is one valid JSON document without building a tape.
    /// Reports the same error as [`Parser::parse`] would.
    pub fn validate(&mut self, input: &[u8]) -> Result<(), JsonError> {
        self.index(input)?;
        let walked = if grammar_ok(input, &self.indexes, self.max_depth, &mut self.bits) {
            Ok(0)
        } else {
            walk(
                &mut CheckSink,
                input,
                &self.indexes,
                0,
                false,
                &mut self.stack,
                self.max_depth,
            )
        };
        // The walk skipped the escapes; `parse` meets a bad one before any
        // grammar error that comes after it.
        let limit = walked.as_ref().map_or_else(|e| e.offset, |_| input.len());
        check_escapes(input, &self.escape_blocks, limit)?;
        walked.map(drop)
    }

    /// Run stage 1 and validate `input` fully, keeping the structural index
    /// for a caller that walks it again (projection).
    pub(crate) fn validated_index(&mut self, input: &[u8]) -> Result<&[u32], JsonError> {
        self.validate(input)?;
        Ok(&self.indexes)
    }

    /// Parse a stream of concatenated or newline-delimited documents.
    /// Stage 1 runs once over all of `input`; each
    /// [`Documents::next_document`] builds the tape of the next one.
    pub fn parse_many<'a>(&'a mut self, input: &'a [u8]) -> Documents<'a> {
        let err = self.index(input).err();
        Documents {
            parser: self,
            input,
            next: 0,
            err,
        }
    }
}

/// Documents of an NDJSON or concatenated-JSON input, one at a time; each
/// borrows the parser until the next call (a lending iterator).
#[derive(Debug)]
pub struct Documents<'a> {
    parser: &'a mut Parser,
    input: &'a [u8],
    next: usize,
    err: Option<JsonError>,
}

impl Documents<'_> {
    /// The next document, `None` at the end of input. After an error the
    /// stream ends (the error is returned once).
    pub fn next_document(&mut self) -> Option<Result<Document<'_>, JsonError>> {
        if let Some(e) = self.err.take() {
            self.next = usize::MAX;
            return Some(Err(e));
        }
        let p = &mut *self.parser;
        if self.next.saturating_add(1) >= p.indexes.len() {
            return None;
        }
        match p.build(self.input, self.next, true) {
            Ok(i) => {
                self.next = i;
                Some(Ok(Document {
                    input: self.input,
                    tape: &p.tape,
                    strings: &p.strings,
                }))
            }
            Err(e) => {
                self.next = usize::MAX;
                Some(Err(e))
            }
        }
    }
}
