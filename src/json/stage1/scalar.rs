//! Portable kernel: a 256-entry class table, one byte at a time. The oracle
//! for every SIMD kernel in the differential tests.

use super::{Isa, Masks, State};

const OP: u8 = 1;
const WS: u8 = 2;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'{' as usize] = OP;
    t[b'}' as usize] = OP;
    t[b'[' as usize] = OP;
    t[b']' as usize] = OP;
    t[b',' as usize] = OP;
    t[b':' as usize] = OP;
    t[b' ' as usize] = WS;
    t[b'\t' as usize] = WS;
    t[b'\n' as usize] = WS;
    t[b'\r' as usize] = WS;
    t
};

/// The portable vocabulary.
pub(crate) struct Scalar;

impl Isa for Scalar {
    type Utf8 = super::NoUtf8;

    #[inline(always)]
    unsafe fn masks(p: *const u8) -> Masks {
        let mut m = Masks::default();
        for i in 0..64 {
            // SAFETY: `p` is readable for 64 bytes (trait contract).
            let b = unsafe { *p.add(i) };
            let bit = 1u64 << i;
            let c = CLASS[b as usize];
            m.op |= if c == OP { bit } else { 0 };
            m.ws |= if c == WS { bit } else { 0 };
            m.quote |= if b == b'"' { bit } else { 0 };
            m.backslash |= if b == b'\\' { bit } else { 0 };
            m.ctrl |= if b < 0x20 { bit } else { 0 };
            m.non_ascii |= if b >= 0x80 { bit } else { 0 };
        }
        m
    }

    #[inline(always)]
    unsafe fn prefix_xor(mut x: u64) -> u64 {
        x ^= x << 1;
        x ^= x << 2;
        x ^= x << 4;
        x ^= x << 8;
        x ^= x << 16;
        x ^= x << 32;
        x
    }
}

/// Stage 1 with the portable vocabulary.
///
/// # Safety
/// Always safe to call; `unsafe` only to share [`super::Stage1Fn`]'s type.
pub(crate) unsafe fn stage1(st: &mut State, input: &[u8], base: usize, out: &mut Vec<u32>) {
    // SAFETY: the scalar vocabulary needs no CPU feature.
    unsafe { super::run::<Scalar>(st, input, base, out) }
}

/// True if `b` ends a number or literal: whitespace or an operator.
#[inline(always)]
pub(crate) fn is_terminator(b: u8) -> bool {
    CLASS[b as usize] != 0
}

/// True if `b` is JSON whitespace.
#[inline(always)]
pub(crate) fn is_ws(b: u8) -> bool {
    CLASS[b as usize] == WS
}
