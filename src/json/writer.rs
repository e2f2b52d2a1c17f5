//! [`Writer`]: build JSON text into a reusable buffer.
//!
//! Strings are escaped 16 bytes at a time: one SSE2 pass (x86-64 baseline)
//! finds the next `"`, `\` or control byte, the run before it is copied with
//! one `extend`, and only the special byte takes the slow path. Integers use
//! `itoa`, floats `ryu` (shortest round-trip form); non-finite floats are
//! written as `null`, as serde_json does.

/// Index of the first byte at or after `i` that JSON must escape, or `len`.
#[inline]
fn next_special(s: &[u8], i: usize) -> usize {
    super::string::find_first(s, i, s.len(), b'"', b'\\', true)
}

/// Append `s` as a quoted, escaped JSON string to `out`.
pub fn escape_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut i = 0;
    loop {
        let j = next_special(b, i);
        out.extend_from_slice(&b[i..j]);
        if j == b.len() {
            break;
        }
        match b[j] {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            8 => out.extend_from_slice(b"\\b"),
            12 => out.extend_from_slice(b"\\f"),
            c => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(c >> 4) as usize],
                HEX[(c & 15) as usize],
            ]),
        }
        i = j + 1;
    }
    out.push(b'"');
}

/// A JSON builder over a reusable buffer. Commas and colons are inserted
/// automatically; the caller nests `begin_*`/`end_*` correctly and gives a
/// [`key`](Writer::key) before each object member.
///
/// ```
/// let mut w = ultra::json::Writer::new();
/// w.begin_object().key("id").u64(7).key("tags").begin_array().string("a\"b").end_array().end_object();
/// assert_eq!(w.as_bytes(), br#"{"id":7,"tags":["a\"b"]}"#);
/// ```
#[derive(Debug, Default, Clone)]
pub struct Writer {
    buf: Vec<u8>,
    /// One entry per open container: (is an object, holds an item).
    open: Vec<(bool, bool)>,
    after_key: bool,
}

/// The next thing a caller wants to write, for [`Writer::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Any value, including the start of an object or array.
    Value,
    /// An object key.
    Key,
    /// `}`
    EndObject,
    /// `]`
    EndArray,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget the contents, keep the capacity.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.open.clear();
        self.after_key = false;
    }

    /// The JSON written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Open containers not yet closed.
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    /// True once exactly one complete value has been written.
    pub fn is_complete(&self) -> bool {
        self.open.is_empty() && !self.buf.is_empty()
    }

    /// Whether `step` keeps the text valid JSON here. The builder methods
    /// do not check (they are the hot path of code that is correct by
    /// construction); the C ABI checks every call with this and refuses
    /// the ones that would produce invalid JSON, leaving the text as it was.
    pub fn check(&self, step: Step) -> Result<(), &'static str> {
        let top = self.open.last().map(|&(obj, _)| obj);
        match (step, top) {
            (Step::Value, None) if !self.buf.is_empty() => {
                Err("the document is complete: clear the writer to start another")
            }
            (Step::Value, Some(true)) if !self.after_key => {
                Err("a value inside an object needs its key first")
            }
            (Step::Value, _) => Ok(()),
            (Step::Key | Step::EndObject, Some(true)) if self.after_key => {
                Err("the last key has no value yet")
            }
            (Step::Key | Step::EndObject, Some(true)) => Ok(()),
            (Step::Key, _) => Err("a key is only valid directly inside an object"),
            (Step::EndObject, _) => Err("the innermost open container is not an object"),
            (Step::EndArray, Some(false)) => Ok(()),
            (Step::EndArray, _) => Err("the innermost open container is not an array"),
        }
    }

    #[inline]
    fn sep(&mut self) {
        if self.after_key {
            self.after_key = false;
        } else if let Some((_, has)) = self.open.last_mut() {
            if *has {
                self.buf.push(b',');
            }
            *has = true;
        }
    }

    /// `{`
    pub fn begin_object(&mut self) -> &mut Self {
        self.sep();
        self.buf.push(b'{');
        self.open.push((true, false));
        self
    }

    /// `}`
    pub fn end_object(&mut self) -> &mut Self {
        self.open.pop();
        self.buf.push(b'}');
        self
    }

    /// `[`
    pub fn begin_array(&mut self) -> &mut Self {
        self.sep();
        self.buf.push(b'[');
        self.open.push((false, false));
        self
    }

    /// `]`
    pub fn end_array(&mut self) -> &mut Self {
        self.open.pop();
        self.buf.push(b']');
        self
    }

    /// An object member's key (the next value is its value).
    pub fn key(&mut self, k: &str) -> &mut Self {
        self.sep();
        escape_str(&mut self.buf, k);
        self.buf.push(b':');
        self.after_key = true;
        self
    }

    /// A string value.
    pub fn string(&mut self, s: &str) -> &mut Self {
        self.sep();
        escape_str(&mut self.buf, s);
        self
    }

    /// An integer value.
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.sep();
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        self
    }

    /// An unsigned integer value.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.sep();
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        self
    }

    /// A float value (shortest form that reads back exactly; `null` if not finite).
    pub fn f64(&mut self, v: f64) -> &mut Self {
        self.sep();
        if v.is_finite() {
            self.buf
                .extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
        } else {
            self.buf.extend_from_slice(b"null");
        }
        self
    }

    /// `true` or `false`.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.sep();
        self.buf
            .extend_from_slice(if v { b"true" as &[u8] } else { b"false" });
        self
    }

    /// `null`
    pub fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(b"null");
        self
    }

    /// Already-serialised JSON (for example a [`super::project`] result),
    /// inserted as one value without checking.
    pub fn raw(&mut self, json: &[u8]) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(json);
        self
    }
}
