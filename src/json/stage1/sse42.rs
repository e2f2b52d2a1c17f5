//! SSE4.2 vocabulary: four 16-byte quarters, `pshufb` nibble lookups,
//! `pclmulqdq` for prefix-xor.

use std::arch::x86_64::*;

use super::avx2::{OP_TABLE, WS_TABLE, prefix_xor_clmul};
use super::{Isa, Masks, SkipMasks, State, opaque};

/// The SSE4.2 vocabulary.
pub(crate) struct Sse42;

#[target_feature(enable = "sse4.2")]
#[inline]
fn quarter(v: __m128i) -> [u16; 6] {
    // SAFETY: both tables are 16 readable bytes; unaligned loads.
    let (ws_t, op_t) = unsafe {
        (
            _mm_loadu_si128(WS_TABLE.as_ptr().cast()),
            _mm_loadu_si128(OP_TABLE.as_ptr().cast()),
        )
    };
    let ws = _mm_cmpeq_epi8(v, _mm_shuffle_epi8(ws_t, v));
    let op = _mm_cmpeq_epi8(
        _mm_or_si128(v, _mm_set1_epi8(0x20)),
        _mm_shuffle_epi8(op_t, v),
    );
    let ctrl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
    let q = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
    let bs = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
    [
        _mm_movemask_epi8(bs) as u16,
        _mm_movemask_epi8(q) as u16,
        _mm_movemask_epi8(_mm_andnot_si128(ctrl, op)) as u16,
        _mm_movemask_epi8(ws) as u16,
        _mm_movemask_epi8(ctrl) as u16,
        _mm_movemask_epi8(v) as u16,
    ]
}

impl Isa for Sse42 {
    type Utf8 = super::NoUtf8;

    #[target_feature(enable = "sse4.2")]
    #[inline]
    unsafe fn masks(p: *const u8) -> Masks {
        let mut q = [[0u16; 6]; 4];
        for (k, out) in q.iter_mut().enumerate() {
            // SAFETY: `p` readable for 64 bytes (trait contract); unaligned load.
            *out = quarter(unsafe { _mm_loadu_si128(p.add(16 * k).cast()) });
        }
        let j = |k: usize| {
            q[0][k] as u64
                | (q[1][k] as u64) << 16
                | (q[2][k] as u64) << 32
                | (q[3][k] as u64) << 48
        };
        Masks {
            backslash: opaque(j(0)),
            quote: opaque(j(1)),
            op: opaque(j(2)),
            ws: opaque(j(3)),
            ctrl: opaque(j(4)),
            non_ascii: opaque(j(5)),
        }
    }

    #[target_feature(enable = "pclmulqdq")]
    #[inline]
    unsafe fn prefix_xor(x: u64) -> u64 {
        prefix_xor_clmul(x)
    }

    #[target_feature(enable = "sse4.2")]
    #[inline]
    unsafe fn skip_masks(p: *const u8, open: u8) -> SkipMasks {
        // SAFETY: `p` readable for 64 bytes (trait contract); unaligned loads.
        let v = unsafe { [0, 16, 32, 48].map(|k| _mm_loadu_si128(p.add(k).cast())) };
        let folded = v.map(|x| _mm_or_si128(x, _mm_set1_epi8(0x20)));
        let j = |v: &[__m128i; 4], c: u8| {
            let m = v.map(|x| _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8))) as u16);
            opaque(m[0] as u64 | (m[1] as u64) << 16 | (m[2] as u64) << 32 | (m[3] as u64) << 48)
        };
        SkipMasks::from_compares(open, |c| j(&v, c), |c| j(&folded, c))
    }
}

/// Stage 1 with the SSE4.2 vocabulary.
///
/// # Safety
/// The CPU supports SSE4.2 and PCLMULQDQ.
#[target_feature(enable = "sse4.2,pclmulqdq")]
pub(crate) unsafe fn stage1(st: &mut State, input: &[u8], base: usize, out: &mut Vec<u32>) {
    // SAFETY: features enabled on this function (caller's contract).
    unsafe { super::run::<Sse42>(st, input, base, out) }
}
