//! Stage 1: find every structural byte of a JSON text, 64 bytes at a time.
//!
//! One generic body ([`run`]) is written once over a tiny per-ISA vocabulary
//! ([`Isa`]): classify a 64-byte block into bit masks ([`Masks`], bit `i` ↔
//! byte `i`) and a prefix-xor. Each ISA file (`scalar`, `sse42`, `avx2`,
//! `avx512`, `neon`) supplies that vocabulary and one entry point compiled
//! with its `#[target_feature]`, into which the generic body is inlined.
//! [`dispatch`] picks the widest kernel the CPU has, once.
//!
//! Per block, with `E` = escaped bytes, `Q` = unescaped quotes (Langdale &
//! Lemire 2019, §3.1–3.3):
//!
//! - `E`: a byte is escaped iff it follows an odd-length run of backslashes.
//!   With `B` the backslashes and `c` the carried "first byte is escaped" bit:
//!   `P = B & !c`, `T = ((P << 1 | ODD) - P) ^ ODD`, `E = T ^ (B | c)`; the
//!   subtraction lets the carry run through each backslash run, so the parity
//!   of the run decides the bit after it.
//! - `Q = quote & !E`; `S = prefix_xor(Q) ^ carry` has bit `i` set iff byte `i`
//!   is inside a string (opening quote included, closing quote excluded).
//!   `prefix_xor(x) = clmul(x, !0)`; carry = sign of the previous `S`.
//! - scalars: `V = !(op | ws)`; a scalar starts where `V` does not follow a
//!   non-quote scalar byte; structurals `= (op | start) & !(S ^ Q)`.
//!
//! Invariants checked per block: `ctrl & S == 0` (no raw control byte in a
//! string); at the end the string carry is 0 (every string closed). UTF-8 is
//! validated in the same pass by the ISA's [`Utf8Check`] (SSE4.2, AVX2; AVX-512
//! uses the AVX2 checker), or else (NEON, scalar) by
//! [`crate::json::utf8`] from the first block that holds a non-ASCII byte.

pub(crate) mod dispatch;
pub(crate) mod scalar;

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2;
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512;
#[cfg(target_arch = "aarch64")]
pub(crate) mod neon;
#[cfg(target_arch = "x86_64")]
pub(crate) mod sse42;
#[cfg(target_arch = "x86_64")]
pub(crate) mod utf8_classes;

/// Bit masks of one 64-byte block; bit `i` describes byte `i`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Masks {
    /// `\`
    pub backslash: u64,
    /// `"`
    pub quote: u64,
    /// `{ } [ ] , :`
    pub op: u64,
    /// space, tab, LF, CR
    pub ws: u64,
    /// bytes `<= 0x1f`
    pub ctrl: u64,
    /// bytes `>= 0x80`
    pub non_ascii: u64,
}

/// The masks the skipper ([`crate::json::skip`]) needs of one 64-byte
/// block. It is inlined into its callers, so a field they leave unread
/// costs nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SkipMasks {
    /// `\`
    pub backslash: u64,
    /// `"`
    pub quote: u64,
    /// the opening bracket asked for (`{` or `[`)
    pub open: u64,
    /// its closing bracket (`open + 2`: `}` or `]`)
    pub close: u64,
    /// `{` or `[`
    pub any_open: u64,
    /// `}` or `]`
    pub any_close: u64,
    /// `,`
    pub comma: u64,
}

impl SkipMasks {
    /// The masks from `eq(c)` (bytes equal to `c`) and `folded(c)` (bytes
    /// whose `| 0x20` equals `c`: `[`/`{` for `{`, `]`/`}` for `}`).
    #[inline(always)]
    pub(crate) fn from_compares(
        open: u8,
        eq: impl Fn(u8) -> u64,
        folded: impl Fn(u8) -> u64,
    ) -> SkipMasks {
        SkipMasks {
            backslash: eq(b'\\'),
            quote: eq(b'"'),
            open: eq(open),
            close: eq(open + 2),
            any_open: folded(b'{'),
            any_close: folded(b'}'),
            comma: eq(b','),
        }
    }
}

impl Masks {
    /// Masks from the six per-class words `j(0..6)` joined from `movemask`
    /// pieces (backslash, quote, op, ws, ctrl, non-ASCII), each passed
    /// through [`opaque`].
    #[inline(always)]
    pub(crate) fn joined(j: impl Fn(usize) -> u64) -> Masks {
        Masks {
            backslash: opaque(j(0)),
            quote: opaque(j(1)),
            op: opaque(j(2)),
            ws: opaque(j(3)),
            ctrl: opaque(j(4)),
            non_ascii: opaque(j(5)),
        }
    }
}

/// A SIMD UTF-8 checker run inside the stage-1 pass (Keiser & Lemire 2021).
///
/// The generic body calls [`Utf8Check::block`] on every 64-byte block that
/// holds a byte `>= 0x80` and [`Utf8Check::ascii`] on every other block, so
/// all-ASCII text costs one branch per block. The checker accumulates an
/// error vector; [`Utf8Check::failed`] is true iff the bytes seen so far are
/// not valid UTF-8 or end inside a sequence.
pub(crate) trait Utf8Check: Copy {
    /// False for ISAs without a SIMD checker: stage 1 then leaves UTF-8 to
    /// [`crate::json::utf8`] (the scalar path, also used for error offsets).
    const SIMD: bool;
    /// A checker at the start of the text.
    ///
    /// # Safety
    /// The CPU supports the ISA.
    unsafe fn new() -> Self;
    /// Check the 64 bytes at `p`, which hold at least one non-ASCII byte.
    ///
    /// # Safety
    /// `p` is valid for 64 byte reads and the CPU supports the ISA.
    unsafe fn block(&mut self, p: *const u8);
    /// An all-ASCII block: only a sequence left open before it is an error.
    ///
    /// # Safety
    /// The CPU supports the ISA.
    unsafe fn ascii(&mut self);
    /// True iff an error was seen or the text ends inside a sequence.
    ///
    /// # Safety
    /// The CPU supports the ISA.
    unsafe fn failed(&self) -> bool;
}

/// The checker of ISAs without a SIMD UTF-8 path: does nothing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoUtf8;

impl Utf8Check for NoUtf8 {
    const SIMD: bool = false;
    #[inline(always)]
    unsafe fn new() -> Self {
        NoUtf8
    }
    #[inline(always)]
    unsafe fn block(&mut self, _p: *const u8) {}
    #[inline(always)]
    unsafe fn ascii(&mut self) {}
    #[inline(always)]
    unsafe fn failed(&self) -> bool {
        false
    }
}

/// The per-ISA vocabulary the generic body is written in.
pub(crate) trait Isa {
    /// The UTF-8 checker ([`NoUtf8`] where the ISA has none).
    type Utf8: Utf8Check;
    /// Classify the 64 bytes at `p`.
    ///
    /// # Safety
    /// `p` is valid for 64 byte reads and the CPU supports the ISA.
    unsafe fn masks(p: *const u8) -> Masks;
    /// `r` with bit `i` = xor of bits `0..=i` of `x`.
    ///
    /// # Safety
    /// The CPU supports the ISA.
    unsafe fn prefix_xor(x: u64) -> u64;
    /// The [`SkipMasks`] of the 64 bytes at `p` (`open` is `{` or `[`).
    /// The default derives them from [`Isa::masks`] and tests each operator
    /// byte; SIMD ISAs override it with one compare per mask.
    ///
    /// # Safety
    /// `p` is valid for 64 byte reads and the CPU supports the ISA.
    #[inline(always)]
    unsafe fn skip_masks(p: *const u8, open: u8) -> SkipMasks {
        // SAFETY: forwarded contract.
        let m = unsafe { Self::masks(p) };
        let mut r = SkipMasks {
            backslash: m.backslash,
            quote: m.quote,
            ..SkipMasks::default()
        };
        let mut ops = m.op;
        while ops != 0 {
            let i = ops.trailing_zeros();
            // SAFETY: `i < 64` and `p` is readable for 64 bytes.
            let b = unsafe { *p.add(i as usize) };
            r.open |= ((b == open) as u64) << i;
            r.close |= ((b == open + 2) as u64) << i;
            r.any_open |= ((b | 0x20 == b'{') as u64) << i;
            r.any_close |= ((b | 0x20 == b'}') as u64) << i;
            r.comma |= ((b == b',') as u64) << i;
            ops &= ops - 1;
        }
        r
    }
}

const ODD: u64 = 0xAAAA_AAAA_AAAA_AAAA;

/// Return `x` unchanged, hiding where it came from from the optimiser.
///
/// ISA files pass every mask joined from `movemask` halves through this.
/// Without it LLVM folds the later scalar bit arithmetic (shifts, `!`,
/// `&`) back into the vector domain as `<64 x i1>` operations and
/// scalarises them into dozens of `vpextrb` per block, which cost about
/// 4x of the whole stage-1 throughput.
#[inline(always)]
pub(crate) fn opaque(x: u64) -> u64 {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        let mut x = x;
        // SAFETY: an empty asm block that only names a register in and out;
        // it reads and writes no memory and leaves `x` unchanged.
        unsafe {
            std::arch::asm!("/* {0} */", inout(reg) x, options(pure, nomem, nostack, preserves_flags));
        }
        x
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        x
    }
}

/// The escaped bytes of a block with backslashes `bs`, given the carried
/// "first byte is escaped" bit `*prev` (0 or 1), which it updates (the
/// formula of [`block`]; Langdale & Lemire 2019, §3.1.1).
#[inline(always)]
pub(crate) fn escaped(bs: u64, prev: &mut u64) -> u64 {
    if bs == 0 {
        let e = *prev;
        *prev = 0;
        return e;
    }
    let potential = bs & !*prev;
    let codes = ((potential << 1) | ODD).wrapping_sub(potential) ^ ODD;
    let e = codes ^ (bs | *prev);
    *prev = (codes & bs) >> 63;
    e
}

/// State carried from one block to the next.
#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    /// 1 when the first byte of the next block is escaped.
    prev_escaped: u64,
    /// all ones when the next block starts inside a string.
    prev_in_string: u64,
    /// 1 when the last byte of the previous block was a non-quote scalar byte.
    prev_scalar: u64,
    /// Offset of the first control byte found inside a string, if any.
    pub ctrl_at: Option<usize>,
    /// Offset of the first 64-byte block holding a non-ASCII byte, if any.
    pub non_ascii_at: Option<usize>,
    /// Set by the caller before the first call: run the kernel's SIMD UTF-8
    /// checker. Only valid when the whole text goes through one call.
    pub check_utf8: bool,
    /// After the call: the kernel's SIMD checker ran over the whole text.
    pub utf8_checked: bool,
    /// After the call: the SIMD checker found invalid UTF-8.
    pub utf8_bad: bool,
    /// Set by the caller: append to [`State::escape_blocks`].
    pub record_escapes: bool,
    /// Offsets of the blocks that hold a backslash, when recorded (for
    /// `string::check_escapes`).
    pub escape_blocks: Vec<u32>,
}

impl State {
    /// True when the text so far ends inside a string.
    pub fn in_string(&self) -> bool {
        self.prev_in_string != 0
    }
}

/// Per-block classification; returns the structural mask.
#[inline(always)]
unsafe fn block<I: Isa>(st: &mut State, u: &mut I::Utf8, p: *const u8, base: usize) -> u64 {
    // SAFETY: forwarded contract: `p` readable for 64 bytes, ISA supported.
    let m = unsafe { I::masks(p) };
    if I::Utf8::SIMD && st.check_utf8 {
        // SAFETY: as above.
        unsafe {
            if m.non_ascii != 0 {
                u.block(p);
            } else {
                u.ascii();
            }
        }
    }
    let bs = m.backslash;
    let escaped = if bs == 0 {
        let e = st.prev_escaped;
        st.prev_escaped = 0;
        e
    } else {
        if st.record_escapes {
            st.escape_blocks.push(base as u32);
        }
        let potential = bs & !st.prev_escaped;
        let codes = ((potential << 1) | ODD).wrapping_sub(potential) ^ ODD;
        let e = codes ^ (bs | st.prev_escaped);
        st.prev_escaped = (codes & bs) >> 63;
        e
    };
    let quote = m.quote & !escaped;
    // SAFETY: ISA supported (caller's contract).
    let in_string = unsafe { I::prefix_xor(quote) } ^ st.prev_in_string;
    st.prev_in_string = ((in_string as i64) >> 63) as u64;
    let bad = m.ctrl & in_string;
    if bad != 0 && st.ctrl_at.is_none() {
        st.ctrl_at = Some(base + bad.trailing_zeros() as usize);
    }
    if m.non_ascii != 0 && st.non_ascii_at.is_none() {
        st.non_ascii_at = Some(base);
    }
    let scalar = !(m.op | m.ws);
    let nonquote_scalar = scalar & !m.quote;
    let follows = (nonquote_scalar << 1) | st.prev_scalar;
    st.prev_scalar = nonquote_scalar >> 63;
    let start = scalar & !follows;
    (m.op | start) & !(in_string ^ quote)
}

/// Append `base + i` for every set bit `i` of `bits` to `out`.
///
/// The flatten-bits trick (Langdale & Lemire 2019, §3.2): the first 8 and,
/// when there are more, the next 8 offsets are written unconditionally
/// (`tzcnt` of 0 is 64, so surplus slots hold junk past the new length);
/// only blocks with more than 16 structurals take the loop. Each offset goes
/// through [`opaque`] so that it is stored straight from its register
/// (otherwise LLVM gathers eight of them into a vector with `vpinsrd`,
/// which measured a few percent slower).
///
/// # Safety
/// `out` has spare capacity for `max(bits.count_ones() + 3, 16)` more
/// elements.
#[inline(always)]
unsafe fn flatten(out: &mut Vec<u32>, base: u32, mut bits: u64) {
    if bits == 0 {
        return;
    }
    let n = bits.count_ones() as usize;
    let len = out.len();
    // SAFETY: we write slots `len .. len + max(n + 3, 16)`, inside the
    // spare capacity (contract), and only expose `len + n` of them.
    unsafe {
        let q = out.as_mut_ptr().add(len);
        for k in 0..8 {
            *q.add(k) = opaque((base + bits.trailing_zeros()) as u64) as u32;
            bits &= bits.wrapping_sub(1);
        }
        if n > 8 {
            for k in 8..16 {
                *q.add(k) = opaque((base + bits.trailing_zeros()) as u64) as u32;
                bits &= bits.wrapping_sub(1);
            }
            let mut k = 16;
            while bits != 0 {
                *q.add(k) = opaque((base + bits.trailing_zeros()) as u64) as u32;
                bits &= bits.wrapping_sub(1);
                *q.add(k + 1) = opaque((base + bits.trailing_zeros()) as u64) as u32;
                bits &= bits.wrapping_sub(1);
                *q.add(k + 2) = opaque((base + bits.trailing_zeros()) as u64) as u32;
                bits &= bits.wrapping_sub(1);
                *q.add(k + 3) = opaque((base + bits.trailing_zeros()) as u64) as u32;
                bits &= bits.wrapping_sub(1);
                k += 4;
            }
        }
        out.set_len(len + n);
    }
}

/// The generic stage-1 body: classify `input` (whose first byte is at
/// absolute offset `base`) and append the absolute offsets of its structural
/// bytes to `out`. A final partial block is padded with spaces.
///
/// # Safety
/// The CPU supports `I`.
#[inline(always)]
pub(crate) unsafe fn run<I: Isa>(st: &mut State, input: &[u8], base: usize, out: &mut Vec<u32>) {
    // Room for every byte being structural plus the 16-slot flatten overrun.
    out.reserve(input.len() + 72);
    let full = input.len() / 64 * 64;
    let mut i = 0;
    // SAFETY: ISA supported (contract).
    let mut u = unsafe { I::Utf8::new() };
    while i < full {
        // SAFETY: `i + 64 <= input.len()`; ISA supported (contract).
        let bits = unsafe { block::<I>(st, &mut u, input.as_ptr().add(i), base + i) };
        // SAFETY: at most 64 new entries per block and capacity was reserved
        // for `input.len() + 72` in total.
        unsafe { flatten(out, (base + i) as u32, bits) };
        i += 64;
    }
    if i < input.len() {
        let mut pad = [b' '; 64];
        pad[..input.len() - i].copy_from_slice(&input[i..]);
        // SAFETY: `pad` is 64 bytes; ISA supported (contract).
        let bits = unsafe { block::<I>(st, &mut u, pad.as_ptr(), base + i) };
        // SAFETY: as above.
        unsafe { flatten(out, (base + i) as u32, bits) };
    }
    if I::Utf8::SIMD && st.check_utf8 {
        st.utf8_checked = true;
        // SAFETY: ISA supported (contract).
        st.utf8_bad |= unsafe { u.failed() };
    }
}

/// Signature of every kernel's entry point: [`run`] instantiated for an ISA.
pub(crate) type Stage1Fn = unsafe fn(&mut State, &[u8], usize, &mut Vec<u32>);
