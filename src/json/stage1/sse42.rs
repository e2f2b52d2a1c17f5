//! SSE4.2 vocabulary: four 16-byte quarters, `pshufb` nibble lookups,
//! `pclmulqdq` for prefix-xor, and the Keiser–Lemire UTF-8 check on 16-byte
//! chunks (the AVX2 checker's algorithm with `palignr` for the previous
//! bytes).

use std::arch::x86_64::*;

use super::avx2::{OP_TABLE, WS_TABLE, prefix_xor_clmul};
use super::utf8_classes::{BYTE1_HIGH, BYTE1_LOW, BYTE2_HIGH, INCOMPLETE_MAX};
use super::{Isa, Masks, SkipMasks, State, Utf8Check, opaque};

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
    type Utf8 = Utf8Sse;

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
        Masks::joined(j)
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

/// The SSE4.2 UTF-8 checker state: the previous 16-byte chunk, whether it
/// ended inside a sequence, and the accumulated error bits.
#[derive(Clone, Copy)]
pub(crate) struct Utf8Sse {
    prev: __m128i,
    incomplete: __m128i,
    err: __m128i,
}

#[target_feature(enable = "sse4.2")]
#[inline]
fn lookup(table: &[u8; 16], idx: __m128i) -> __m128i {
    // SAFETY: `table` is 16 readable bytes; unaligned load.
    _mm_shuffle_epi8(unsafe { _mm_loadu_si128(table.as_ptr().cast()) }, idx)
}

impl Utf8Sse {
    /// Check one 16-byte chunk (see the AVX2 checker and `utf8_classes`).
    #[target_feature(enable = "sse4.2")]
    #[inline]
    fn chunk(&mut self, input: __m128i) {
        let prev1 = _mm_alignr_epi8::<15>(input, self.prev);
        let prev2 = _mm_alignr_epi8::<14>(input, self.prev);
        let prev3 = _mm_alignr_epi8::<13>(input, self.prev);
        let nib = _mm_set1_epi8(0x0f);
        let high = |v: __m128i| _mm_and_si128(_mm_srli_epi16::<4>(v), nib);
        let special = _mm_and_si128(
            _mm_and_si128(
                lookup(&BYTE1_HIGH, high(prev1)),
                lookup(&BYTE1_LOW, _mm_and_si128(prev1, nib)),
            ),
            lookup(&BYTE2_HIGH, high(input)),
        );
        let third = _mm_subs_epu8(prev2, _mm_set1_epi8((0xE0u8 - 0x80) as i8));
        let fourth = _mm_subs_epu8(prev3, _mm_set1_epi8((0xF0u8 - 0x80) as i8));
        let must23 = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8(0x80u8 as i8));
        self.err = _mm_or_si128(self.err, _mm_xor_si128(must23, special));
        // SAFETY: bytes 16..32 of INCOMPLETE_MAX are readable; unaligned
        // load. They hold the limits for the last three bytes of a chunk.
        let max = unsafe { _mm_loadu_si128(INCOMPLETE_MAX.as_ptr().add(16).cast()) };
        self.incomplete = _mm_subs_epu8(input, max);
        self.prev = input;
    }
}

impl Utf8Check for Utf8Sse {
    const SIMD: bool = true;

    #[target_feature(enable = "sse4.2")]
    #[inline]
    unsafe fn new() -> Self {
        let z = _mm_setzero_si128();
        Utf8Sse {
            prev: z,
            incomplete: z,
            err: z,
        }
    }

    #[target_feature(enable = "sse4.2")]
    #[inline]
    unsafe fn block(&mut self, p: *const u8) {
        for k in 0..4 {
            // SAFETY: `p` readable for 64 bytes (trait contract); unaligned load.
            self.chunk(unsafe { _mm_loadu_si128(p.add(16 * k).cast()) });
        }
    }

    #[target_feature(enable = "sse4.2")]
    #[inline]
    unsafe fn ascii(&mut self) {
        self.err = _mm_or_si128(self.err, self.incomplete);
        self.incomplete = _mm_setzero_si128();
    }

    #[target_feature(enable = "sse4.2")]
    #[inline]
    unsafe fn failed(&self) -> bool {
        let e = _mm_or_si128(self.err, self.incomplete);
        _mm_testz_si128(e, e) == 0
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
