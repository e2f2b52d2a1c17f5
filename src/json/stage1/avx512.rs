//! AVX-512BW vocabulary: one 64-byte register per block, mask registers give
//! the 64-bit masks directly; `pclmulqdq` for prefix-xor. UTF-8 is checked
//! by the AVX2 checker (every AVX-512F CPU has AVX2; AVX-512F implies AVX2
//! in `target_feature`, so the checker inlines into this kernel).

use std::arch::x86_64::*;

use super::avx2::{OP_TABLE, WS_TABLE, prefix_xor_clmul};
use super::{Isa, Masks, SkipMasks, State};

/// The AVX-512BW vocabulary.
pub(crate) struct Avx512;

impl Isa for Avx512 {
    type Utf8 = super::avx2::Utf8Avx2;

    #[target_feature(enable = "avx512f,avx512bw")]
    #[inline]
    unsafe fn masks(p: *const u8) -> Masks {
        // SAFETY: `p` readable for 64 bytes (trait contract); the tables are
        // 16 readable bytes; all loads unaligned.
        let (v, ws_t, op_t) = unsafe {
            (
                _mm512_loadu_si512(p.cast()),
                _mm512_broadcast_i32x4(_mm_loadu_si128(WS_TABLE.as_ptr().cast())),
                _mm512_broadcast_i32x4(_mm_loadu_si128(OP_TABLE.as_ptr().cast())),
            )
        };
        let ws = _mm512_cmpeq_epi8_mask(v, _mm512_shuffle_epi8(ws_t, v));
        let curl = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
        let op = _mm512_cmpeq_epi8_mask(curl, _mm512_shuffle_epi8(op_t, v));
        let ctrl = _mm512_cmple_epu8_mask(v, _mm512_set1_epi8(0x1f));
        Masks {
            backslash: _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\\' as i8)),
            quote: _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'"' as i8)),
            op: op & !ctrl,
            ws,
            ctrl,
            non_ascii: _mm512_movepi8_mask(v),
        }
    }

    #[target_feature(enable = "pclmulqdq")]
    #[inline]
    unsafe fn prefix_xor(x: u64) -> u64 {
        prefix_xor_clmul(x)
    }

    #[target_feature(enable = "avx512f,avx512bw")]
    #[inline]
    unsafe fn skip_masks(p: *const u8, open: u8) -> SkipMasks {
        // SAFETY: `p` readable for 64 bytes (trait contract); unaligned load.
        let v = unsafe { _mm512_loadu_si512(p.cast()) };
        let folded = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
        SkipMasks::from_compares(
            open,
            |c| _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(c as i8)),
            |c| _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8(c as i8)),
        )
    }
}

/// Stage 1 with the AVX-512BW vocabulary.
///
/// # Safety
/// The CPU supports AVX-512F, AVX-512BW, PCLMULQDQ, POPCNT and BMI1/2.
#[target_feature(enable = "avx512f,avx512bw,pclmulqdq,popcnt,bmi1,bmi2")]
pub(crate) unsafe fn stage1(st: &mut State, input: &[u8], base: usize, out: &mut Vec<u32>) {
    // SAFETY: features enabled on this function (caller's contract).
    unsafe { super::run::<Avx512>(st, input, base, out) }
}
