//! Lazy lookup: follow a JSON pointer without building a document.
//!
//! [`get`] reads the document front to back once, on demand, and builds
//! nothing: along the path it reads keys, colons and commas byte by byte
//! (skipping whitespace), and every sibling value before the target is
//! skipped by [`super::skip`]: a string by a scan for its closing quote, a
//! scalar by a scan to the next operator or whitespace, a container by SIMD
//! bracket counting over 64-byte blocks with the stage-1 string masks (the
//! On-Demand scheme of Keiser & Lemire, SPE 2024). In an array, large
//! elements are skipped one by one; from the first element shorter than
//! [`SMALL`] bytes on, a block scan counts the top-level commas instead, so
//! a long array of small elements costs per block, not per element. No
//! structural index is built, so the cost of a late path is one pass of a
//! few compares and bit operations per 64 bytes over the skipped subtrees.
//!
//! Keys are compared in place with the pointer token; only a key holding an
//! escape is decoded (into a local buffer). The walk is one generic body
//! compiled per ISA, chosen at run time like stage 1 and cached in an
//! atomic function pointer ([`super::testing::force_kernel`] switches it
//! too).
//!
//! `get` checks the grammar along the path it walks (keys, colons, the
//! commas after object members and large array elements) and that strings
//! are closed, but not the inside of the subtrees it skips nor UTF-8: like `sonic_rs::get_unchecked`, it trusts the document. Use
//! [`super::validate`] first for untrusted input. On any input it ends
//! without reading out of bounds; a truncated document is an error
//! (`UnexpectedEnd` or `UnclosedString`).

use std::borrow::Cow;
use std::sync::atomic::{AtomicPtr, Ordering};

use super::error::{JsonError, JsonErrorKind};
use super::number::{self, Num};
use super::skip;
use super::stage1::dispatch::{self, Kernel};
use super::stage1::{Isa, scalar};
use super::string::{find_quote_or_backslash, unescape};

/// Offset of the first non-whitespace byte at or after `i`.
#[inline(always)]
fn tok(s: &[u8], mut i: usize) -> Result<usize, JsonError> {
    while i < s.len() {
        if !scalar::is_ws(s[i]) {
            return Ok(i);
        }
        i += 1;
    }
    Err(JsonError::new(JsonErrorKind::UnexpectedEnd, s.len()))
}

/// After a value ending at `e` inside a container closed by `close`: the
/// start of the next member after a `,`, or `None` at `close`.
#[inline(always)]
fn next_member(s: &[u8], e: usize, close: u8) -> Result<Option<usize>, JsonError> {
    let c = tok(s, e)?;
    match s[c] {
        b',' => tok(s, c + 1).map(Some),
        x if x == close => Ok(None),
        _ => Err(JsonError::new(JsonErrorKind::UnexpectedChar, c)),
    }
}

/// The start of the value of member `key` in the object opened at `obj`.
///
/// # Safety
/// `s[obj] == b'{'` and the CPU supports `I`.
#[inline(always)]
unsafe fn member<I: Isa>(
    s: &[u8],
    obj: usize,
    key: &[u8],
    scratch: &mut Vec<u8>,
) -> Result<Option<usize>, JsonError> {
    let mut p = tok(s, obj + 1)?;
    if s[p] == b'}' {
        return Ok(None);
    }
    loop {
        if s[p] != b'"' {
            return Err(JsonError::new(JsonErrorKind::UnexpectedChar, p));
        }
        let stop = find_quote_or_backslash(s, p + 1);
        let (hit, after) = match s.get(stop) {
            Some(b'"') => (&s[p + 1..stop] == key, stop + 1),
            Some(_) => {
                scratch.clear();
                let e = unescape(s, p + 1, stop, scratch)?;
                (scratch[..] == *key, e + 1)
            }
            None => return Err(JsonError::new(JsonErrorKind::UnclosedString, p)),
        };
        let colon = tok(s, after)?;
        if s[colon] != b':' {
            return Err(JsonError::new(JsonErrorKind::UnexpectedChar, colon));
        }
        let v = tok(s, colon + 1)?;
        if hit {
            return Ok(Some(v));
        }
        // SAFETY: `v < s.len()` (from `tok`); ISA supported (contract).
        let e = unsafe { skip::value::<I>(s, v)? };
        match next_member(s, e, b'}')? {
            Some(n) => p = n,
            None => return Ok(None),
        }
    }
}

/// Elements shorter than this are not skipped one by one: the rest of the
/// array goes to the comma scan ([`skip::commas`]), whose cost is per block,
/// not per element.
const SMALL: usize = 128;

/// The start of element `want` of the array opened at `arr`.
///
/// Large elements are skipped one by one (bracket counting of one kind,
/// [`skip::container`]); at the first small one the rest of the way is a
/// comma scan.
///
/// # Safety
/// `s[arr] == b'['` and the CPU supports `I`.
#[inline(always)]
unsafe fn element<I: Isa>(s: &[u8], arr: usize, want: usize) -> Result<Option<usize>, JsonError> {
    let mut p = tok(s, arr + 1)?;
    if s[p] == b']' {
        return Ok(None);
    }
    for k in 0..want {
        // SAFETY: `p < s.len()` (from `tok`); ISA supported (contract).
        let e = unsafe { skip::value::<I>(s, p)? };
        if e - p < SMALL {
            // `e` is just past element `k`: on the array's top level, outside
            // strings, `want - k` commas before element `want`.
            // SAFETY: ISA supported (contract).
            return match unsafe { skip::commas::<I>(s, e, want - k)? } {
                Some(after_comma) => tok(s, after_comma).map(Some),
                None => Ok(None),
            };
        }
        match next_member(s, e, b']')? {
            Some(n) => p = n,
            None => return Ok(None),
        }
    }
    Ok(Some(p))
}

/// The generic body of [`get`].
///
/// # Safety
/// The CPU supports `I`.
#[inline(always)]
unsafe fn walk<'a, I: Isa>(s: &'a [u8], pointer: &str) -> Result<Option<Raw<'a>>, JsonError> {
    let mut pos = tok(s, 0).map_err(|_| JsonError::new(JsonErrorKind::Empty, s.len()))?;
    let ptr = pointer.as_bytes();
    if ptr.first().is_some_and(|&b| b != b'/') {
        return Err(JsonError::new(JsonErrorKind::UnexpectedChar, 0));
    }
    let mut scratch = Vec::new();
    let mut decoded = Vec::new();
    // `slash` is the `/` before the next token.
    let mut slash = 0;
    while slash < ptr.len() {
        let start = slash + 1;
        let mut end = start;
        let mut tilde = false;
        while end < ptr.len() && ptr[end] != b'/' {
            tilde |= ptr[end] == b'~';
            end += 1;
        }
        slash = end;
        let token = if tilde {
            unescape_token(&ptr[start..end], &mut decoded);
            &decoded[..]
        } else {
            &ptr[start..end]
        };
        let next = match s[pos] {
            // SAFETY: `s[pos] == b'{'`; ISA supported (contract).
            b'{' => unsafe { member::<I>(s, pos, token, &mut scratch)? },
            b'[' => match parse_index(token) {
                // SAFETY: `s[pos] == b'['`; ISA supported (contract).
                Some(want) => unsafe { element::<I>(s, pos, want)? },
                None => None,
            },
            _ => None,
        };
        match next {
            Some(p) => pos = p,
            None => return Ok(None),
        }
    }
    // SAFETY: `pos < s.len()` (from `tok`); ISA supported (contract).
    let end = unsafe { skip::value::<I>(s, pos)? };
    Ok(Some(Raw(&s[pos..end])))
}

/// RFC 6901 token decoding into `out`: `~1` is `/`, `~0` is `~` (read left
/// to right; any other `~` is kept).
fn unescape_token(t: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < t.len() {
        match (t[i], t.get(i + 1)) {
            (b'~', Some(b'0')) => (out.push(b'~'), i += 2),
            (b'~', Some(b'1')) => (out.push(b'/'), i += 2),
            (b, _) => (out.push(b), i += 1),
        };
    }
}

/// An RFC 6901 array index: `0` or digits without a leading zero.
fn parse_index(t: &[u8]) -> Option<usize> {
    if t.is_empty() || (t.len() > 1 && t[0] == b'0') {
        return None;
    }
    t.iter().try_fold(0usize, |n, &b| {
        b.is_ascii_digit()
            .then_some(())
            .and(n.checked_mul(10)?.checked_add((b - b'0') as usize))
    })
}

/// Signature of [`walk`] instantiated for one ISA.
type GetFn = for<'a, 'p> unsafe fn(&'a [u8], &'p str) -> Result<Option<Raw<'a>>, JsonError>;

/// One entry point per ISA: [`walk`] compiled with the ISA's features.
macro_rules! entry {
    ($(#[$cfg:meta])* $name:ident, $isa:ty, $features:literal) => {
        $(#[$cfg])*
        /// [`walk`] for one ISA.
        ///
        /// # Safety
        /// The CPU supports the enabled features.
        #[target_feature(enable = $features)]
        unsafe fn $name<'a>(s: &'a [u8], pointer: &str) -> Result<Option<Raw<'a>>, JsonError> {
            // SAFETY: the features are enabled on this function (contract).
            unsafe { walk::<$isa>(s, pointer) }
        }
    };
}

entry!(
    #[cfg(target_arch = "x86_64")]
    get_avx512,
    super::stage1::avx512::Avx512,
    "avx512f,avx512bw,pclmulqdq,popcnt"
);
entry!(
    #[cfg(target_arch = "x86_64")]
    get_avx2,
    super::stage1::avx2::Avx2,
    "avx2,pclmulqdq,popcnt,bmi1,bmi2"
);
entry!(
    #[cfg(target_arch = "x86_64")]
    get_sse42,
    super::stage1::sse42::Sse42,
    "sse4.2,pclmulqdq,popcnt"
);
entry!(
    #[cfg(target_arch = "aarch64")]
    get_neon,
    super::stage1::neon::Neon,
    "neon,aes"
);

/// [`walk`] with the portable vocabulary.
///
/// # Safety
/// Always safe; `unsafe` only to share [`GetFn`]'s type.
unsafe fn get_scalar<'a>(s: &'a [u8], pointer: &str) -> Result<Option<Raw<'a>>, JsonError> {
    // SAFETY: the scalar vocabulary needs no CPU feature.
    unsafe { walk::<scalar::Scalar>(s, pointer) }
}

/// The entry for stage-1 kernel `k`, falling back to the portable one where
/// the CPU lacks a feature the entry enables.
fn entry_for(k: Kernel) -> GetFn {
    if !k.is_supported() {
        return get_scalar;
    }
    #[cfg(target_arch = "x86_64")]
    {
        let popcnt = is_x86_feature_detected!("popcnt");
        match k {
            Kernel::Avx512 if popcnt => return get_avx512,
            Kernel::Avx2 => return get_avx2,
            Kernel::Sse42 if popcnt => return get_sse42,
            _ => {}
        }
    }
    #[cfg(target_arch = "aarch64")]
    if k == Kernel::Neon {
        return get_neon;
    }
    get_scalar
}

/// Placeholder stored until the first call (and after a forced kernel):
/// pick the entry of the active stage-1 kernel, store it, run it.
///
/// # Safety
/// None beyond valid references (shares [`GetFn`]'s type).
unsafe fn detect<'a>(s: &'a [u8], pointer: &str) -> Result<Option<Raw<'a>>, JsonError> {
    let f = entry_for(dispatch::active_kernel());
    // Relaxed: the pointer is the only datum published (see stage-1 dispatch).
    ACTIVE.store(f as *mut (), Ordering::Relaxed);
    // SAFETY: `entry_for` checked that the CPU supports `f`'s features.
    unsafe { f(s, pointer) }
}

static ACTIVE: AtomicPtr<()> = AtomicPtr::new(detect as *mut ());

/// Forget the cached entry, so the next call follows a newly forced kernel.
pub(crate) fn redetect() {
    // Relaxed: see `detect`.
    ACTIVE.store(detect as *mut (), Ordering::Relaxed);
}

/// [`get`] with the walk of one stage-1 kernel (for differential tests):
/// `None` if the CPU cannot run it.
#[doc(hidden)]
pub fn get_kernel<'a>(
    kernel: Kernel,
    bytes: &'a [u8],
    pointer: &str,
) -> Option<Result<Option<Raw<'a>>, JsonError>> {
    if !kernel.is_supported() {
        return None;
    }
    let f = entry_for(kernel);
    // SAFETY: `entry_for` checked that the CPU supports `f`'s features.
    Some(unsafe { f(bytes, pointer) })
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
    // Relaxed: see `detect`; the value is `detect` or an entry.
    let p = ACTIVE.load(Ordering::Relaxed);
    // SAFETY: ACTIVE only ever holds `detect` or an entry of type GetFn
    // returned by `entry_for`, whose features the CPU has.
    unsafe { std::mem::transmute::<*mut (), GetFn>(p)(bytes, pointer) }
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
