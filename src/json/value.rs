//! [`Document`] and [`Value`]: read-only views of a parsed tape.

use super::tape::{
    ESCAPED, Entry, T_ARR, T_F64, T_FALSE, T_I64, T_NULL, T_OBJ, T_STR, T_TRUE, T_U64,
};

/// A parsed document. It borrows the [`Parser`](super::Parser) that built it
/// and the input (unescaped strings point into the input). `Copy`, cheap.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) tape: &'a [Entry],
    pub(crate) strings: &'a [u8],
}

impl<'a> Document<'a> {
    /// The top-level value.
    pub fn root(&self) -> Value<'a> {
        Value { doc: *self, i: 0 }
    }

    /// The value at tape index `i`, if `i` is in range (for the C ABI).
    #[doc(hidden)]
    pub fn value_at(&self, i: usize) -> Option<Value<'a>> {
        (i < self.tape.len()).then_some(Value { doc: *self, i })
    }

    /// Number of tape entries (values plus object keys): a size measure.
    pub fn tape_len(&self) -> usize {
        self.tape.len()
    }
}

/// The type of a JSON value. Numbers are split by how they are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Kind {
    /// `null`
    Null = 0,
    /// `true` or `false`
    Bool = 1,
    /// An integer that fits `i64`.
    I64 = 2,
    /// An integer above `i64::MAX` that fits `u64`.
    U64 = 3,
    /// Any other number (fraction, exponent, `-0`, or out of integer range).
    F64 = 4,
    /// A string.
    String = 5,
    /// An array.
    Array = 6,
    /// An object.
    Object = 7,
}

/// One value inside a [`Document`]. `Copy`; all accessors are O(1) except
/// [`get`](Value::get), [`at`](Value::at) and [`pointer`](Value::pointer),
/// which skip siblings in O(1) each.
#[derive(Debug, Clone, Copy)]
pub struct Value<'a> {
    doc: Document<'a>,
    i: usize,
}

impl<'a> Value<'a> {
    #[inline(always)]
    fn entry(&self) -> Entry {
        self.doc.tape[self.i]
    }

    /// Index of the entry after this value.
    #[inline(always)]
    fn next(&self) -> usize {
        let e = self.entry();
        if e.tag() == T_OBJ || e.tag() == T_ARR {
            e.aux()
        } else {
            self.i + 1
        }
    }

    /// This value's tape index (for the C ABI; see [`Document::value_at`]).
    #[doc(hidden)]
    pub fn tape_index(&self) -> usize {
        self.i
    }

    /// The value's type.
    pub fn kind(&self) -> Kind {
        match self.entry().tag() {
            T_NULL => Kind::Null,
            T_TRUE | T_FALSE => Kind::Bool,
            T_I64 => Kind::I64,
            T_U64 => Kind::U64,
            T_F64 => Kind::F64,
            T_STR => Kind::String,
            T_ARR => Kind::Array,
            _ => Kind::Object,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        self.entry().tag() == T_NULL
    }

    /// The boolean, if this is `true` or `false`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.entry().tag() {
            T_TRUE => Some(true),
            T_FALSE => Some(false),
            _ => None,
        }
    }

    /// The integer, if this is an integer that fits `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        let e = self.entry();
        match e.tag() {
            T_I64 => Some(e.data as i64),
            _ => None,
        }
    }

    /// The integer, if this is a non-negative integer that fits `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        let e = self.entry();
        match e.tag() {
            T_I64 if (e.data as i64) >= 0 => Some(e.data),
            T_U64 => Some(e.data),
            _ => None,
        }
    }

    /// The number as `f64` (integers are converted, possibly rounding).
    pub fn as_f64(&self) -> Option<f64> {
        let e = self.entry();
        match e.tag() {
            T_I64 => Some(e.data as i64 as f64),
            T_U64 => Some(e.data as f64),
            T_F64 => Some(f64::from_bits(e.data)),
            _ => None,
        }
    }

    /// The unescaped string. Zero-copy from the input when the string had no
    /// escapes; otherwise it lives in the parser's string buffer.
    pub fn as_str(&self) -> Option<&'a str> {
        let e = self.entry();
        if e.tag() != T_STR {
            return None;
        }
        let len = e.aux();
        let bytes = if e.data & ESCAPED != 0 {
            let off = (e.data & !ESCAPED) as usize;
            &self.doc.strings[off..off + len]
        } else {
            let off = e.data as usize;
            &self.doc.input[off..off + len]
        };
        // SAFETY: the whole input was validated as UTF-8 in stage 1 and the
        // string's bounds are its quotes (ASCII), so the slice is UTF-8; the
        // decoded buffer holds only whole chars written by `encode_utf8` and
        // slices of that validated input cut at ASCII quotes or backslashes.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    }

    /// Number of elements (array) or members (object); `None` for scalars.
    pub fn len(&self) -> Option<usize> {
        let e = self.entry();
        match e.tag() {
            T_ARR | T_OBJ => Some(e.data as usize),
            _ => None,
        }
    }

    /// True for an empty array or object (and `false` for scalars).
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Iterate over an array's elements (empty for non-arrays).
    pub fn array_iter(&self) -> ArrayIter<'a> {
        let e = self.entry();
        if e.tag() == T_ARR {
            ArrayIter {
                doc: self.doc,
                cur: self.i + 1,
                end: e.aux(),
            }
        } else {
            ArrayIter {
                doc: self.doc,
                cur: 0,
                end: 0,
            }
        }
    }

    /// Iterate over an object's `(key, value)` members in document order
    /// (empty for non-objects).
    pub fn object_iter(&self) -> ObjectIter<'a> {
        let e = self.entry();
        let (cur, end) = if e.tag() == T_OBJ {
            (self.i + 1, e.aux())
        } else {
            (0, 0)
        };
        ObjectIter {
            doc: self.doc,
            cur,
            end,
        }
    }

    /// The `index`-th element of an array.
    pub fn at(&self, index: usize) -> Option<Value<'a>> {
        self.array_iter().nth(index)
    }

    /// The value of the first member named `key` of an object.
    pub fn get(&self, key: &str) -> Option<Value<'a>> {
        self.object_iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Follow an RFC 6901 JSON pointer (`""` is this value, `"/a/0/b"`,
    /// `~0` = `~`, `~1` = `/`). `None` if a step is missing or malformed.
    pub fn pointer(&self, pointer: &str) -> Option<Value<'a>> {
        if pointer.is_empty() {
            return Some(*self);
        }
        let rest = pointer.strip_prefix('/')?;
        let mut v = *self;
        for raw in rest.split('/') {
            let token = unescape_token(raw);
            v = match v.kind() {
                Kind::Object => v.get(&token)?,
                Kind::Array => v.at(parse_index(&token)?)?,
                _ => return None,
            };
        }
        Some(v)
    }
}

/// Decode `~1` → `/` and `~0` → `~` in a pointer token.
pub(crate) fn unescape_token(raw: &str) -> std::borrow::Cow<'_, str> {
    if raw.contains('~') {
        raw.replace("~1", "/").replace("~0", "~").into()
    } else {
        raw.into()
    }
}

/// An RFC 6901 array index: `0` or digits without a leading zero.
pub(crate) fn parse_index(token: &str) -> Option<usize> {
    if token.is_empty() || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    if !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

/// Iterator over an array's elements.
#[derive(Debug, Clone)]
pub struct ArrayIter<'a> {
    doc: Document<'a>,
    cur: usize,
    end: usize,
}

impl<'a> Iterator for ArrayIter<'a> {
    type Item = Value<'a>;
    fn next(&mut self) -> Option<Value<'a>> {
        if self.cur >= self.end {
            return None;
        }
        let v = Value {
            doc: self.doc,
            i: self.cur,
        };
        self.cur = v.next();
        Some(v)
    }
}

/// Iterator over an object's members.
#[derive(Debug, Clone)]
pub struct ObjectIter<'a> {
    doc: Document<'a>,
    cur: usize,
    end: usize,
}

impl<'a> ObjectIter<'a> {
    /// `(next entry, end)` tape indexes (for the C ABI's iterator).
    #[doc(hidden)]
    pub fn position(&self) -> (usize, usize) {
        (self.cur, self.end)
    }

    /// Resume an iteration saved with [`position`](Self::position); `None`
    /// if the indexes are out of range.
    #[doc(hidden)]
    pub fn resume(doc: Document<'a>, cur: usize, end: usize) -> Option<Self> {
        (cur <= end && end <= doc.tape.len()).then_some(ObjectIter { doc, cur, end })
    }
}

impl<'a> Iterator for ObjectIter<'a> {
    type Item = (&'a str, Value<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        if self.cur >= self.end {
            return None;
        }
        let k = Value {
            doc: self.doc,
            i: self.cur,
        };
        let v = Value {
            doc: self.doc,
            i: self.cur + 1,
        };
        self.cur = v.next();
        Some((k.as_str().unwrap_or(""), v))
    }
}
