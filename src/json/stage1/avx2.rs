//! AVX2 vocabulary: two 32-byte halves, `vpshufb` nibble lookups for the
//! operator and whitespace classes, `pclmulqdq` for prefix-xor.

use std::arch::x86_64::*;

use super::{Isa, Masks, State, opaque};

/// The AVX2 vocabulary.
pub(crate) struct Avx2;

/// Whitespace table indexed by low nibble: a byte is whitespace iff it equals
/// the entry at its own low nibble (entries that are not whitespace never
/// equal any byte with that nibble).
pub(crate) const WS_TABLE: [u8; 16] = [
    b' ', 100, 100, 100, 17, 100, 113, 2, 100, b'\t', b'\n', 112, 100, b'\r', 100, 100,
];
/// Operator table indexed by low nibble, compared with `byte | 0x20`
/// (which folds `[`→`{` and `]`→`}`); control bytes are removed afterwards.
pub(crate) const OP_TABLE: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b':', b'{', b',', b'}', 0, 0];

#[target_feature(enable = "avx2")]
#[inline]
fn half(v: __m256i) -> [u32; 6] {
    let ws_t = _mm256_broadcastsi128_si256(
        // SAFETY: WS_TABLE is 16 readable bytes; unaligned load.
        unsafe { _mm_loadu_si128(WS_TABLE.as_ptr().cast()) },
    );
    let op_t = _mm256_broadcastsi128_si256(
        // SAFETY: OP_TABLE is 16 readable bytes; unaligned load.
        unsafe { _mm_loadu_si128(OP_TABLE.as_ptr().cast()) },
    );
    let ws = _mm256_cmpeq_epi8(v, _mm256_shuffle_epi8(ws_t, v));
    let curl = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
    let op = _mm256_cmpeq_epi8(curl, _mm256_shuffle_epi8(op_t, v));
    let ctrl = _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1f)), v);
    let q = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'"' as i8));
    let bs = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\\' as i8));
    [
        _mm256_movemask_epi8(bs) as u32,
        _mm256_movemask_epi8(q) as u32,
        _mm256_movemask_epi8(_mm256_andnot_si256(ctrl, op)) as u32,
        _mm256_movemask_epi8(ws) as u32,
        _mm256_movemask_epi8(ctrl) as u32,
        _mm256_movemask_epi8(v) as u32,
    ]
}

impl Isa for Avx2 {
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn masks(p: *const u8) -> Masks {
        // SAFETY: `p` readable for 64 bytes (trait contract); unaligned loads.
        let (lo, hi) = unsafe {
            (
                _mm256_loadu_si256(p.cast()),
                _mm256_loadu_si256(p.add(32).cast()),
            )
        };
        let (a, b) = (half(lo), half(hi));
        let j = |k: usize| a[k] as u64 | (b[k] as u64) << 32;
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
}

/// `prefix_xor` by carry-less multiplication with all ones.
#[target_feature(enable = "pclmulqdq")]
#[inline]
pub(crate) fn prefix_xor_clmul(x: u64) -> u64 {
    let r = _mm_clmulepi64_si128(_mm_set_epi64x(0, x as i64), _mm_set1_epi8(-1), 0);
    _mm_cvtsi128_si64(r) as u64
}

/// Stage 1 with the AVX2 vocabulary.
///
/// # Safety
/// The CPU supports AVX2 and PCLMULQDQ.
#[target_feature(enable = "avx2,pclmulqdq")]
pub(crate) unsafe fn stage1(st: &mut State, input: &[u8], base: usize, out: &mut Vec<u32>) {
    // SAFETY: features enabled on this function (caller's contract).
    unsafe { super::run::<Avx2>(st, input, base, out) }
}
