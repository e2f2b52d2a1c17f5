//! Skip JSON values without a structural index.
//!
//! [`super::get`] follows a pointer by skipping whole sibling values. A
//! string is skipped by scanning for its closing quote ([`string_end`]), a
//! number or literal by scanning to the next operator or whitespace byte. A
//! container is skipped by [`container`] with bracket counting over 64-byte
//! blocks, and the elements of an array before the one wanted by
//! [`commas`]: the scheme of simdjson's On-Demand front end and of sonic-rs
//! (Keiser & Lemire, *On-Demand JSON: A Better Way to Parse Documents?*,
//! Software: Practice and Experience 54(6), 2024), built from the stage-1
//! string masks of Langdale & Lemire, *Parsing Gigabytes of JSON per
//! Second* (VLDB Journal 28(6), 2019), §3.1.
//!
//! Per block, with `B`, `Q` the backslash and quote masks and `O`, `C` the
//! opening and closing brackets ([`container`]: of the container's own kind,
//! `{`/`}` or `[`/`]` — in a well-formed document brackets of the other kind
//! balance among themselves; [`commas`]: both kinds):
//!
//! - `E = escaped(B, e)` as in stage 1; `Q' = Q & !E`;
//!   `S = prefix_xor(Q') ^ s` (inside strings), where `e` and `s` are carried
//!   from the previous block. When a block holds no bracket, [`container`]
//!   only flips `s` when `popcnt(Q')` is odd.
//! - `O' = O & !S`, `C' = C & !S`, `X = O' | C'`; `d` is the depth before the
//!   block (for [`container`] `d >= 1`, the opening bracket included; for
//!   [`commas`] `d >= 0` counts brackets inside the array).
//! - **Alternation shortcut.** Let `f` be all ones iff the lowest bit of `X`
//!   is a close, and `A = prefix_xor(X) ^ f`. If `O' == X & A` the brackets
//!   alternate, so the depth only moves between `b = d - (f & 1)` and `b + 1`,
//!   and is `b + A_i` after byte `i`. With `b >= 1` nothing closes; the depth
//!   after the block is `b + A_63`. In an array at `b == 0` the top-level
//!   commas are `comma & !S & !A`. Arrays of small arrays or objects
//!   (coordinate pairs, records) take this path on almost every block.
//! - Otherwise [`container`] first applies the rough test: the block can hold
//!   the matching close only if `popcnt(C') >= d`; if so, the `k`-th close
//!   (1-based) at bit `i` closes the container iff
//!   `d + popcnt(O' & (2^i - 1)) == k`; else `d += popcnt(O') - popcnt(C')`,
//!   which stays `>= 1`. [`commas`] follows the brackets one by one, keeping
//!   the commas met at depth 0, and stops at a close met at depth 0 (the
//!   array's end).
//!
//! Both start where the carries are known to be 0: after an opening bracket,
//! or after a whole array element. The last partial block is copied into a
//! block of spaces, so no read goes past the input. They trust the document
//! (they check neither the grammar nor the UTF-8 of what they skip) but on
//! malformed or truncated input they still end, in bounds: with the offset
//! of some bracket or comma, or with an error.

use super::error::{JsonError, JsonErrorKind};
use super::stage1::{Isa, escaped, scalar};
use super::string::string_end;

/// Bracket-counting state carried from one block to the next.
struct Counter {
    /// Unclosed brackets of the container's kind, the container's own included.
    depth: u64,
    /// 1 when the next block's first byte is escaped.
    prev_escaped: u64,
    /// All ones when the next block starts inside a string.
    prev_in_string: u64,
}

impl Counter {
    /// Count one block; the bit of the container's closing bracket if the
    /// block holds it.
    ///
    /// # Safety
    /// `p` is readable for 64 bytes and the CPU supports `I`.
    #[inline(always)]
    unsafe fn block<I: Isa>(&mut self, p: *const u8, open: u8) -> Option<u32> {
        // SAFETY: forwarded contract.
        let m = unsafe { I::skip_masks(p, open) };
        let quote = m.quote & !escaped(m.backslash, &mut self.prev_escaped);
        if m.open | m.close == 0 {
            self.prev_in_string ^= ((quote.count_ones() & 1) as u64).wrapping_neg();
            return None;
        }
        // SAFETY: ISA supported (contract).
        let in_string = unsafe { I::prefix_xor(quote) } ^ self.prev_in_string;
        self.prev_in_string = ((in_string as i64) >> 63) as u64;
        let opens = m.open & !in_string;
        let mut closes = m.close & !in_string;
        // Brackets that alternate (open, close, open, …, or from a close
        // when depth >= 2) keep the depth within one of where it started, so
        // cannot close the container: one prefix-xor and no branch per
        // bracket (arrays of small arrays, e.g. coordinate pairs).
        let x = opens | closes;
        let first_close = closes & x.wrapping_neg() != 0;
        // SAFETY: ISA supported (contract).
        let inside = unsafe { I::prefix_xor(x) } ^ (first_close as u64).wrapping_neg();
        if opens == x & inside && self.depth > first_close as u64 {
            self.depth = self.depth - first_close as u64 + (inside >> 63);
            return None;
        }
        let n = closes.count_ones() as u64;
        if n >= self.depth {
            let mut k = 0u64;
            while closes != 0 {
                let bit = closes.trailing_zeros();
                k += 1;
                if self.depth + (opens & ((1u64 << bit) - 1)).count_ones() as u64 == k {
                    return Some(bit);
                }
                closes &= closes - 1;
            }
        }
        self.depth = self.depth + opens.count_ones() as u64 - n;
        None
    }
}

/// Offset just past the bracket that closes the container opened at `pos`.
///
/// # Safety
/// `input[pos]` is `{` or `[`, and the CPU supports `I`.
#[inline(always)]
pub(crate) unsafe fn container<I: Isa>(input: &[u8], pos: usize) -> Result<usize, JsonError> {
    let open = input[pos];
    let mut c = Counter {
        depth: 1,
        prev_escaped: 0,
        prev_in_string: 0,
    };
    let mut i = pos + 1;
    while i + 64 <= input.len() {
        // SAFETY: `i + 64 <= input.len()`; ISA supported (contract).
        if let Some(bit) = unsafe { c.block::<I>(input.as_ptr().add(i), open) } {
            return Ok(i + bit as usize + 1);
        }
        i += 64;
    }
    if i < input.len() {
        let mut pad = [b' '; 64];
        pad[..input.len() - i].copy_from_slice(&input[i..]);
        // SAFETY: `pad` is 64 bytes; ISA supported (contract).
        if let Some(bit) = unsafe { c.block::<I>(pad.as_ptr(), open) } {
            return Ok(i + bit as usize + 1);
        }
    }
    Err(end_error(input.len(), c.prev_in_string))
}

/// What one block of an array scan found.
enum Step {
    /// Neither the comma looked for nor the array's end.
    More,
    /// The comma looked for, at this bit.
    Comma(u32),
    /// The array ends in this block, before the comma looked for.
    Closed,
}

/// Array-scan state carried from one block to the next.
struct Commas {
    /// Unclosed brackets (any kind) inside the array.
    depth: u64,
    /// Top-level commas still to pass (`>= 1`).
    left: u64,
    /// 1 when the next block's first byte is escaped.
    prev_escaped: u64,
    /// All ones when the next block starts inside a string.
    prev_in_string: u64,
}

impl Commas {
    /// Scan one block.
    ///
    /// # Safety
    /// `p` is readable for 64 bytes and the CPU supports `I`.
    #[inline(always)]
    unsafe fn block<I: Isa>(&mut self, p: *const u8) -> Step {
        // SAFETY: forwarded contract.
        let m = unsafe { I::skip_masks(p, b'[') };
        let quote = m.quote & !escaped(m.backslash, &mut self.prev_escaped);
        // SAFETY: ISA supported (contract).
        let in_string = unsafe { I::prefix_xor(quote) } ^ self.prev_in_string;
        self.prev_in_string = ((in_string as i64) >> 63) as u64;
        let opens = m.any_open & !in_string;
        let closes = m.any_close & !in_string;
        let commas = m.comma & !in_string;
        let x = opens | closes;
        let mut closed = false;
        let top = if x == 0 {
            commas & ((self.depth == 0) as u64).wrapping_neg()
        } else {
            // Alternating brackets (as in `Counter::block`) keep the depth
            // in `base ..= base + 1`; when `base == 0` (arrays of flat arrays
            // or objects) the depth-1 stretches are the prefix-xor of the
            // brackets, as strings are of the quotes.
            let first_close = closes & x.wrapping_neg() != 0;
            // SAFETY: ISA supported (contract).
            let inside = unsafe { I::prefix_xor(x) } ^ (first_close as u64).wrapping_neg();
            if opens == x & inside && self.depth >= first_close as u64 {
                let base = self.depth - first_close as u64;
                self.depth = base + (inside >> 63);
                commas & !inside & ((base == 0) as u64).wrapping_neg()
            } else {
                let (top, c) = self.walk(opens, closes, commas);
                closed = c;
                top
            }
        };
        let n = top.count_ones() as u64;
        if n >= self.left {
            let mut t = top;
            for _ in 1..self.left {
                t &= t - 1;
            }
            return Step::Comma(t.trailing_zeros());
        }
        if closed {
            return Step::Closed;
        }
        self.left -= n;
        Step::More
    }

    /// Follow the depth bracket by bracket; the top-level commas (before the
    /// array's end) and whether the array ends in the block.
    #[inline(always)]
    fn walk(&mut self, opens: u64, closes: u64, commas: u64) -> (u64, bool) {
        let mut top = 0;
        let mut done = 0u64;
        let mut x = opens | closes;
        while x != 0 {
            let bit = x & x.wrapping_neg();
            if self.depth == 0 {
                top |= commas & (bit - 1) & !done;
            }
            if opens & bit != 0 {
                self.depth += 1;
            } else if self.depth == 0 {
                return (top, true);
            } else {
                self.depth -= 1;
            }
            done |= bit | (bit - 1);
            x &= x - 1;
        }
        if self.depth == 0 {
            top |= commas & !done;
        }
        (top, false)
    }
}

/// Offset just past the `want`-th comma (`want >= 1`) at the top level of
/// an array, scanning from `from`, or `None` when the array ends first.
/// `from` is on the array's top level and outside any string: just after its
/// `[` or just after one of its elements.
///
/// Blocks in which the depth stays within one level with alternating
/// brackets take the prefix-xor shortcut; others follow the brackets one
/// by one. Either way no element is skipped on its own, so a long array of
/// small elements costs a few operations per 64 bytes, not per element.
///
/// # Safety
/// The CPU supports `I`.
#[inline(always)]
pub(crate) unsafe fn commas<I: Isa>(
    input: &[u8],
    from: usize,
    want: usize,
) -> Result<Option<usize>, JsonError> {
    let mut c = Commas {
        depth: 0,
        left: want as u64,
        prev_escaped: 0,
        prev_in_string: 0,
    };
    let mut i = from;
    let mut pad = [b' '; 64];
    while i < input.len() {
        let p = if i + 64 <= input.len() {
            // SAFETY: `i + 64 <= input.len()`.
            unsafe { input.as_ptr().add(i) }
        } else {
            pad[..input.len() - i].copy_from_slice(&input[i..]);
            pad.as_ptr()
        };
        // SAFETY: `p` is readable for 64 bytes; ISA supported (contract).
        match unsafe { c.block::<I>(p) } {
            Step::More => i += 64,
            Step::Comma(bit) => return Ok(Some(i + bit as usize + 1)),
            Step::Closed => return Ok(None),
        }
    }
    Err(end_error(input.len(), c.prev_in_string))
}

/// The error for a text that ends inside a container.
fn end_error(len: usize, prev_in_string: u64) -> JsonError {
    let kind = if prev_in_string != 0 {
        JsonErrorKind::UnclosedString
    } else {
        JsonErrorKind::UnexpectedEnd
    };
    JsonError::new(kind, len)
}

/// Offset just past the value that starts at `pos` (a non-whitespace byte).
///
/// # Safety
/// `pos < input.len()` and the CPU supports `I`.
#[inline(always)]
pub(crate) unsafe fn value<I: Isa>(input: &[u8], pos: usize) -> Result<usize, JsonError> {
    match input[pos] {
        // SAFETY: `input[pos]` is a bracket; ISA supported (contract).
        b'{' | b'[' => unsafe { container::<I>(input, pos) },
        b'"' => {
            let e = string_end(input, pos + 1);
            if e >= input.len() {
                return Err(JsonError::new(JsonErrorKind::UnclosedString, pos));
            }
            Ok(e + 1)
        }
        b'}' | b']' | b',' | b':' => Err(JsonError::new(JsonErrorKind::UnexpectedChar, pos)),
        _ => {
            let mut e = pos + 1;
            while e < input.len() && !scalar::is_terminator(input[e]) {
                e += 1;
            }
            Ok(e)
        }
    }
}
