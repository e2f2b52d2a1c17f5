//! Eisel–Lemire: a correctly rounded `f64` from a decimal `w * 10^q` with
//! one or two 64×64→128-bit multiplications.
//!
//! # Algorithm
//!
//! Lemire, *Number Parsing at a Gigabyte per Second*, Software: Practice and
//! Experience 51(8), 2021, after an idea of Michael Eisel; the fallback-free
//! form is from Mushtak & Lemire, *Fast Number Parsing Without Fallback*,
//! Software: Practice and Experience 53(6), 2023.
//!
//! The input is a 64-bit decimal significand `w > 0` and an exponent `q`,
//! the value being `v = w * 10^q = w * 5^q * 2^q`. The table
//! [`POW5`](super::pow5_table::POW5) holds for every `q` in `[-342, 308]` a
//! 128-bit `T(q)` with `2^127 <= T(q) < 2^128` and
//!
//! ```text
//! 5^q ≈ T(q) * 2^(e5(q) - 127),   e5(q) = floor(log2 5^q)
//! ```
//!
//! (truncated for `q >= 0`, rounded up for `-27 <= q < 0`; see
//! `scripts/gen_pow5.py`). Normalise `w` so its top bit is set
//! (`w' = w << lz`, `2^63 <= w' < 2^64`); the 192-bit product `w' * T(q)`
//! then lies in `[2^190, 2^192)` and its top 64 bits `hi` satisfy
//!
//! ```text
//! v ≈ hi * 2^(e5(q) + q - lz + 1),   e5(q) + q = floor(q * log2 10)
//! ```
//!
//! `floor(q * log2 10)` is computed exactly for `|q| <= 342` as
//! `(217706 * q) >> 16`. Of `hi` we keep the top 54 bits (the 53 bits of
//! an `f64` significand plus one rounding bit); the biased binary exponent
//! is `floor(q log2 10) + 63 + upperbit - lz + 1023`, where `upperbit` says
//! whether the product's top bit is bit 191 or bit 190.
//!
//! Only the high 64 bits of `T(q)` are multiplied first. When the 9 bits
//! of `hi` below the kept 54 (plus the `upperbit` slack) are all ones, the
//! missing low half of the product could still carry into them, so the low
//! 64 bits of `T(q)` are multiplied too and their high half is added. Mushtak
//! and Lemire prove that for every 64-bit `w` and every `q` in the table the
//! resulting top 64 bits then decide the rounding correctly, so the original
//! algorithm's "give up and fall back" branch is never needed.
//!
//! Rounding is to nearest; a tie (the discarded bits are exactly one half)
//! can only happen when the product is exact, which needs `-4 <= q <= 23`
//! (`5^23 < 2^54`, and for `q < 0` `5^-q` must divide `w`) and then shows as
//! a zero low word (at most 1, from the rounded-up table entries): ties go
//! to the even significand. Results below the normal range are shifted into
//! subnormals (no ties are possible there: `q < -300`); `q < -342` is zero
//! and `q > 308` is infinity for every `w`, because `w < 2^64 < 10^20`.
//!
//! Invariants: for `w` in `[1, 2^64)` and `q` in `[-342, 308]`,
//! `compute(w, q) == (w * 10^q rounded to nearest-even f64).to_bits()`.

use super::pow5_table::{POW5, POW5_MAX_Q, POW5_MIN_Q};

/// Explicit significand bits of an `f64`.
const MANT_BITS: u32 = 52;
/// Bits of `hi` below the 54 kept ones, when `upperbit == 1`.
const SHIFT: u32 = 64 - MANT_BITS - 3;
/// The exponent field of infinity.
const INF_EXP: i64 = 0x7FF;
/// Bit pattern of `f64::INFINITY`.
pub(crate) const INF_BITS: u64 = (INF_EXP as u64) << MANT_BITS;

/// `floor(q * log2(10)) + 63` for `|q| <= 342` (exact there: 217706 / 2^16
/// approximates log2 10 closely enough).
#[inline(always)]
fn power(q: i64) -> i64 {
    ((217706 * q) >> 16) + 63
}

#[inline(always)]
fn mul128(a: u64, b: u64) -> (u64, u64) {
    let p = a as u128 * b as u128;
    ((p >> 64) as u64, p as u64)
}

/// The bits of the `f64` nearest to `w * 10^q` (ties to even), for `w >= 0`
/// and any `q`. Overflow gives [`INF_BITS`], underflow `0`.
#[inline]
pub(crate) fn compute(w: u64, q: i64) -> u64 {
    if w == 0 || q < POW5_MIN_Q {
        return 0;
    }
    if q > POW5_MAX_Q {
        return INF_BITS;
    }
    let lz = w.leading_zeros();
    let w = w << lz;
    let (t_hi, t_lo) = POW5[(q - POW5_MIN_Q) as usize];
    let (mut hi, mut lo) = mul128(w, t_hi);
    // The 9 bits below the kept 54 (plus the upperbit slack) are all ones:
    // the low half of T(q) may carry into them.
    const MASK: u64 = u64::MAX >> (MANT_BITS + 3);
    if hi & MASK == MASK {
        let (c, _) = mul128(w, t_lo);
        let (sum, carry) = lo.overflowing_add(c);
        lo = sum;
        hi += carry as u64;
    }
    let upper = (hi >> 63) as u32;
    let mut mant = hi >> (upper + SHIFT);
    let mut exp = power(q) + upper as i64 - lz as i64 + 1023;
    if exp <= 0 {
        // Subnormal (or zero): shift the extra `1 - exp` bits out, then round.
        let s = 1 - exp;
        if s >= 64 {
            return 0;
        }
        mant >>= s;
        mant += mant & 1;
        mant >>= 1;
        // Rounding up to 2^52 makes it the smallest normal number.
        let e = (mant >> MANT_BITS) & 1;
        return (e << MANT_BITS) | (mant & ((1 << MANT_BITS) - 1));
    }
    // Exactly halfway with an even result below: round down instead of up.
    if lo <= 1 && (-4..=23).contains(&q) && mant & 3 == 1 && (mant << (upper + SHIFT)) == hi {
        mant &= !1;
    }
    mant += mant & 1;
    mant >>= 1;
    if mant >= 2 << MANT_BITS {
        mant = 1 << MANT_BITS;
        exp += 1;
    }
    if exp >= INF_EXP {
        return INF_BITS;
    }
    (mant & ((1 << MANT_BITS) - 1)) | ((exp as u64) << MANT_BITS)
}

#[cfg(test)]
mod tests {
    use super::super::pow5_table::{POW5, POW5_MAX_Q, POW5_MIN_Q};
    use super::compute;

    /// Little-endian base-2^32 bignum, just enough for the table check.
    #[derive(Clone, PartialEq, Eq, Debug)]
    struct Big(Vec<u32>);

    impl Big {
        fn from(v: u64) -> Big {
            let mut b = Big(vec![v as u32, (v >> 32) as u32]);
            b.trim();
            b
        }
        fn trim(&mut self) {
            while self.0.last() == Some(&0) {
                self.0.pop();
            }
        }
        fn bits(&self) -> u32 {
            match self.0.last() {
                None => 0,
                Some(&top) => 32 * (self.0.len() as u32 - 1) + (32 - top.leading_zeros()),
            }
        }
        fn bit(&self, i: u32) -> bool {
            self.0
                .get((i / 32) as usize)
                .is_some_and(|w| w >> (i % 32) & 1 == 1)
        }
        fn mul_small(&mut self, m: u32) {
            let mut carry = 0u64;
            for d in &mut self.0 {
                let p = *d as u64 * m as u64 + carry;
                *d = p as u32;
                carry = p >> 32;
            }
            if carry > 0 {
                self.0.push(carry as u32);
            }
        }
        fn pow5(n: u32) -> Big {
            let mut b = Big::from(1);
            for _ in 0..n {
                b.mul_small(5);
            }
            b
        }
        fn shl(&self, n: u32) -> Big {
            let mut out = Big(vec![0; (n / 32) as usize]);
            let s = n % 32;
            let mut carry = 0u32;
            for &d in &self.0 {
                out.0.push(if s == 0 { d } else { (d << s) | carry });
                carry = if s == 0 { 0 } else { d >> (32 - s) };
            }
            out.0.push(carry);
            out.trim();
            out
        }
        /// Numeric `self < o` (both trimmed).
        fn less_than(&self, o: &Big) -> bool {
            if self.0.len() != o.0.len() {
                return self.0.len() < o.0.len();
            }
            self.0.iter().rev().lt(o.0.iter().rev())
        }
        fn sub(&mut self, o: &Big) {
            let mut borrow = 0i64;
            for i in 0..self.0.len() {
                let v = self.0[i] as i64 - o.0.get(i).copied().unwrap_or(0) as i64 - borrow;
                borrow = (v < 0) as i64;
                self.0[i] = v.rem_euclid(1 << 32) as u32;
            }
            assert_eq!(borrow, 0);
            self.trim();
        }
        /// `floor(self / d)` by binary long division.
        fn div(&self, d: &Big) -> Big {
            let mut q = Big(vec![0; self.0.len()]);
            let mut r = Big(Vec::new());
            for i in (0..self.bits()).rev() {
                r = r.shl(1);
                if self.bit(i) {
                    if r.0.is_empty() {
                        r.0.push(0);
                    }
                    r.0[0] |= 1;
                }
                if !r.less_than(d) {
                    r.sub(d);
                    q.0[(i / 32) as usize] |= 1 << (i % 32);
                }
            }
            q.trim();
            q
        }
        /// The top 128 bits (the value must have at least 128 bits).
        fn top128(&self) -> u128 {
            let n = self.bits();
            assert!(n >= 128);
            (0..128).fold(0u128, |acc, k| acc << 1 | self.bit(n - 1 - k) as u128)
        }
        fn add_one(&mut self) {
            for d in &mut self.0 {
                let (v, c) = d.overflowing_add(1);
                *d = v;
                if !c {
                    return;
                }
            }
            self.0.push(1);
        }
    }

    fn expected(q: i64) -> u128 {
        if q >= 0 {
            let p = Big::pow5(q as u32);
            if p.bits() >= 128 {
                p.top128()
            } else {
                p.shl(128 - p.bits()).top128()
            }
        } else {
            let p = Big::pow5((-q) as u32);
            let z = p.bits();
            let num = if q >= -27 { z + 127 } else { 2 * z + 128 };
            let mut c = Big::from(1).shl(num).div(&p);
            c.add_one();
            c.top128()
        }
    }

    #[test]
    fn pow5_table_matches_bignum() {
        // Every entry in release builds; a spread of them in debug builds.
        let step = 1;
        let mut qs: Vec<i64> = (POW5_MIN_Q..=POW5_MAX_Q).step_by(step).collect();
        qs.extend([-342, -28, -27, -26, -1, 0, 1, 27, 55, 56, 307, 308]);
        for q in qs {
            let (hi, lo) = POW5[(q - POW5_MIN_Q) as usize];
            let got = (hi as u128) << 64 | lo as u128;
            assert_eq!(got, expected(q), "5^{q}");
        }
    }

    #[test]
    fn small_exact_values() {
        for (w, q, v) in [
            (1u64, 0i64, 1.0f64),
            (5, -1, 0.5),
            (25, -2, 0.25),
            (9007199254740993, 0, 9007199254740992.0),
            (9007199254740995, 0, 9007199254740996.0),
            (1, 23, 1e23),
            (17976931348623157, 292, f64::MAX),
            (49406564584124654, -340, 5e-324),
            (22250738585072014, -324, f64::MIN_POSITIVE),
        ] {
            assert_eq!(compute(w, q), v.to_bits(), "{w}e{q}");
        }
        assert_eq!(compute(0, 5), 0);
        assert_eq!(compute(1, -343), 0);
        assert_eq!(compute(1, 309), super::INF_BITS);
        assert_eq!(compute(17976931348623159, 292), super::INF_BITS);
    }
}
