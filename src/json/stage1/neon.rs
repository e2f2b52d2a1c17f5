//! aarch64 NEON vocabulary: four 16-byte quarters, `tbl` nibble lookups, a
//! bit-weight reduction for movemask, `pmull` for prefix-xor.

use std::arch::aarch64::*;

use super::{Isa, Masks, State};

/// The NEON vocabulary.
pub(crate) struct Neon;

const WS_TABLE: [u8; 16] = [
    b' ', 100, 100, 100, 17, 100, 113, 2, 100, b'\t', b'\n', 112, 100, b'\r', 100, 100,
];
const OP_TABLE: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b':', b'{', b',', b'}', 0, 0];
const BITS: [u8; 16] = [1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128];

/// Movemask of four 0x00/0xFF vectors into one 64-bit mask.
#[target_feature(enable = "neon")]
#[inline]
fn movemask4(v: [uint8x16_t; 4]) -> u64 {
    // SAFETY: BITS is 16 readable bytes.
    let bits = unsafe { vld1q_u8(BITS.as_ptr()) };
    let t0 = vandq_u8(v[0], bits);
    let t1 = vandq_u8(v[1], bits);
    let t2 = vandq_u8(v[2], bits);
    let t3 = vandq_u8(v[3], bits);
    let s0 = vpaddq_u8(t0, t1);
    let s1 = vpaddq_u8(t2, t3);
    let s0 = vpaddq_u8(s0, s1);
    let s0 = vpaddq_u8(s0, s0);
    vgetq_lane_u64(vreinterpretq_u64_u8(s0), 0)
}

impl Isa for Neon {
    type Utf8 = super::NoUtf8;

    #[target_feature(enable = "neon")]
    #[inline]
    unsafe fn masks(p: *const u8) -> Masks {
        // SAFETY: `p` readable for 64 bytes (trait contract); tables 16 bytes.
        let (v, ws_t, op_t) = unsafe {
            (
                [
                    vld1q_u8(p),
                    vld1q_u8(p.add(16)),
                    vld1q_u8(p.add(32)),
                    vld1q_u8(p.add(48)),
                ],
                vld1q_u8(WS_TABLE.as_ptr()),
                vld1q_u8(OP_TABLE.as_ptr()),
            )
        };
        let nib = vdupq_n_u8(0x0f);
        let map =
            |f: &dyn Fn(uint8x16_t) -> uint8x16_t| movemask4([f(v[0]), f(v[1]), f(v[2]), f(v[3])]);
        let ctrl = map(&|x| vcleq_u8(x, vdupq_n_u8(0x1f)));
        Masks {
            backslash: map(&|x| vceqq_u8(x, vdupq_n_u8(b'\\'))),
            quote: map(&|x| vceqq_u8(x, vdupq_n_u8(b'"'))),
            op: map(&|x| {
                vceqq_u8(
                    vorrq_u8(x, vdupq_n_u8(0x20)),
                    vqtbl1q_u8(op_t, vandq_u8(x, nib)),
                )
            }) & !ctrl,
            ws: map(&|x| vceqq_u8(x, vqtbl1q_u8(ws_t, vandq_u8(x, nib)))),
            ctrl,
            non_ascii: map(&|x| vcgeq_u8(x, vdupq_n_u8(0x80))),
        }
    }

    #[target_feature(enable = "neon,aes")]
    #[inline]
    unsafe fn prefix_xor(x: u64) -> u64 {
        vmull_p64(x, u64::MAX) as u64
    }
}

/// Stage 1 with the NEON vocabulary.
///
/// # Safety
/// The CPU supports NEON and PMULL (`aes`).
#[target_feature(enable = "neon,aes")]
pub(crate) unsafe fn stage1(st: &mut State, input: &[u8], base: usize, out: &mut Vec<u32>) {
    // SAFETY: features enabled on this function (caller's contract).
    unsafe { super::run::<Neon>(st, input, base, out) }
}
