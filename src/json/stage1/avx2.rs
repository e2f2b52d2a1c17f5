//! AVX2 vocabulary: two 32-byte halves, `vpshufb` nibble lookups for the
//! operator and whitespace classes, `pclmulqdq` for prefix-xor.

use std::arch::x86_64::*;

use super::utf8_classes::{BYTE1_HIGH, BYTE1_LOW, BYTE2_HIGH, INCOMPLETE_MAX};
use super::{Isa, Masks, SkipMasks, State, Utf8Check, opaque};

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

/// Movemask of `v == c` (bit `i` ↔ byte `i`).
#[target_feature(enable = "avx2")]
#[inline]
fn eq_mask(v: __m256i, c: u8) -> u32 {
    _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8))) as u32
}

impl Isa for Avx2 {
    type Utf8 = Utf8Avx2;

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
        Masks::joined(j)
    }

    #[target_feature(enable = "pclmulqdq")]
    #[inline]
    unsafe fn prefix_xor(x: u64) -> u64 {
        prefix_xor_clmul(x)
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn skip_masks(p: *const u8, open: u8) -> SkipMasks {
        // SAFETY: `p` readable for 64 bytes (trait contract); unaligned loads.
        let (lo, hi) = unsafe {
            (
                _mm256_loadu_si256(p.cast()),
                _mm256_loadu_si256(p.add(32).cast()),
            )
        };
        let (flo, fhi) = (
            _mm256_or_si256(lo, _mm256_set1_epi8(0x20)),
            _mm256_or_si256(hi, _mm256_set1_epi8(0x20)),
        );
        SkipMasks::from_compares(
            open,
            |c| opaque(eq_mask(lo, c) as u64 | (eq_mask(hi, c) as u64) << 32),
            |c| opaque(eq_mask(flo, c) as u64 | (eq_mask(fhi, c) as u64) << 32),
        )
    }
}

/// The AVX2 UTF-8 checker state: the previous 32-byte chunk, whether it
/// ended inside a sequence, and the accumulated error bits.
#[derive(Clone, Copy)]
pub(crate) struct Utf8Avx2 {
    prev: __m256i,
    incomplete: __m256i,
    err: __m256i,
}

#[target_feature(enable = "avx2")]
#[inline]
fn lookup(table: &[u8; 16], idx: __m256i) -> __m256i {
    // SAFETY: `table` is 16 readable bytes; unaligned load.
    let t = _mm256_broadcastsi128_si256(unsafe { _mm_loadu_si128(table.as_ptr().cast()) });
    _mm256_shuffle_epi8(t, idx)
}

impl Utf8Avx2 {
    /// Check one 32-byte chunk: three nibble lookups give the bad two-byte
    /// patterns; bytes that must be the 3rd/4th of a sequence (from the
    /// bytes two and three back) must carry exactly `TWO_CONTS`.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn chunk(&mut self, input: __m256i) {
        let joined = _mm256_permute2x128_si256::<0x21>(self.prev, input);
        let prev1 = _mm256_alignr_epi8::<15>(input, joined);
        let prev2 = _mm256_alignr_epi8::<14>(input, joined);
        let prev3 = _mm256_alignr_epi8::<13>(input, joined);
        let nib = _mm256_set1_epi8(0x0f);
        let high = |v: __m256i| _mm256_and_si256(_mm256_srli_epi16::<4>(v), nib);
        let special = _mm256_and_si256(
            _mm256_and_si256(
                lookup(&BYTE1_HIGH, high(prev1)),
                lookup(&BYTE1_LOW, _mm256_and_si256(prev1, nib)),
            ),
            lookup(&BYTE2_HIGH, high(input)),
        );
        let third = _mm256_subs_epu8(prev2, _mm256_set1_epi8((0xE0u8 - 0x80) as i8));
        let fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8((0xF0u8 - 0x80) as i8));
        let must23 = _mm256_and_si256(
            _mm256_or_si256(third, fourth),
            _mm256_set1_epi8(0x80u8 as i8),
        );
        self.err = _mm256_or_si256(self.err, _mm256_xor_si256(must23, special));
        // SAFETY: INCOMPLETE_MAX is 32 readable bytes; unaligned load.
        let max = unsafe { _mm256_loadu_si256(INCOMPLETE_MAX.as_ptr().cast()) };
        self.incomplete = _mm256_subs_epu8(input, max);
        self.prev = input;
    }
}

impl Utf8Check for Utf8Avx2 {
    const SIMD: bool = true;

    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn new() -> Self {
        let z = _mm256_setzero_si256();
        Utf8Avx2 {
            prev: z,
            incomplete: z,
            err: z,
        }
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn block(&mut self, p: *const u8) {
        // SAFETY: `p` readable for 64 bytes (trait contract); unaligned loads.
        let (lo, hi) = unsafe {
            (
                _mm256_loadu_si256(p.cast()),
                _mm256_loadu_si256(p.add(32).cast()),
            )
        };
        self.chunk(lo);
        self.chunk(hi);
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn ascii(&mut self) {
        // `prev` is left as it is: it only matters when it ended inside a
        // sequence, and that is recorded here as an error.
        self.err = _mm256_or_si256(self.err, self.incomplete);
        self.incomplete = _mm256_setzero_si256();
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn failed(&self) -> bool {
        let e = _mm256_or_si256(self.err, self.incomplete);
        _mm256_testz_si256(e, e) == 0
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
/// The CPU supports AVX2, PCLMULQDQ, POPCNT and BMI1/2 (the popcount and
/// `tzcnt`/`blsr` of the index writer would otherwise be emulated).
#[target_feature(enable = "avx2,pclmulqdq,popcnt,bmi1,bmi2")]
pub(crate) unsafe fn stage1(st: &mut State, input: &[u8], base: usize, out: &mut Vec<u32>) {
    // SAFETY: features enabled on this function (caller's contract).
    unsafe { super::run::<Avx2>(st, input, base, out) }
}
