//! CPU kernels: top-k and exponential decay, single and batched.
//!
//! These are the reference the GPU kernels are tested against and the path
//! [`super::topk`] takes when no GPU is open. Both paths rank by the same
//! 64-bit key ([`rank_key`]), so their results are identical element for
//! element.

use crate::error::{Error, Result};

/// The rank of a score as an unsigned integer: larger key = better score.
///
/// Non-NaN values map monotonically onto `1 ..= u32::MAX` following IEEE 754
/// `totalOrder` (so `-0.0` ranks just below `+0.0`, `-inf` lowest,
/// `+inf` highest); every NaN maps to `0`, below every number.
#[inline(always)]
pub fn order_key(x: f32) -> u32 {
    let bits = x.to_bits();
    // Negative: flip every bit (!bits); positive: set the sign bit. Branch-free.
    let flipped = bits ^ (((bits as i32) >> 31) as u32 | 0x8000_0000);
    if bits & 0x7FFF_FFFF > 0x7F80_0000 {
        0 // NaN
    } else {
        flipped
    }
}

/// The full ranking key of element `index` with score `x`:
/// `order_key(x) << 32 | !index`. Keys are unique within one array, and
/// "larger key" means "ranks first": higher value, then lower index.
#[inline(always)]
pub fn rank_key(x: f32, index: u32) -> u64 {
    ((order_key(x) as u64) << 32) | (!index) as u64
}

/// The index encoded in a [`rank_key`].
#[inline(always)]
pub fn key_index(key: u64) -> u32 {
    !(key as u32)
}

/// The f32 value a rank key was made from (a NaN for every NaN: payloads
/// are not kept).
#[inline(always)]
pub fn key_value(key: u64) -> f32 {
    let o = (key >> 32) as u32;
    if o == 0 {
        f32::NAN
    } else if o & 0x8000_0000 != 0 {
        f32::from_bits(o & 0x7FFF_FFFF)
    } else {
        f32::from_bits(!o)
    }
}

/// Check that `n` elements can be indexed by `u32` (indices are reported as `u32`).
pub(crate) fn check_len(n: usize) -> Result<()> {
    if n >= u32::MAX as usize {
        return Err(Error::invalid(format!(
            "{n} scores: at most {} are supported (indices are u32)",
            u32::MAX - 1
        )));
    }
    Ok(())
}

/// The largest [`order_key`] in `chunk` (a block of at most 64 scores);
/// written over fixed-size lanes so the compiler vectorises it.
#[inline(always)]
fn block_max(chunk: &[f32]) -> u32 {
    let mut lanes = [0u32; 16];
    let mut it = chunk.chunks_exact(16);
    for c in &mut it {
        for (l, &x) in lanes.iter_mut().zip(c) {
            *l = (*l).max(order_key(x));
        }
    }
    let tail = it
        .remainder()
        .iter()
        .map(|&x| order_key(x))
        .fold(0, u32::max);
    lanes.into_iter().fold(tail, u32::max)
}

/// The `k` largest rank keys of `scores`, sorted descending.
///
/// Threshold buffer: keys above the current threshold are appended to a
/// buffer of capacity `max(2k, 64)`; when it fills, `select_nth_unstable`
/// keeps the best `k` and raises the threshold to the worst kept key. Blocks
/// of 64 scores whose best order key is below the threshold are skipped after
/// one vectorised max; every compaction
/// discards at least half the buffer, so the total is `O(n + k log k)`.
pub(crate) fn topk_keys(scores: &[f32], k: usize) -> Result<Vec<u64>> {
    check_len(scores.len())?;
    let k = k.min(scores.len());
    if k == 0 {
        return Ok(Vec::new());
    }
    let cap = (2 * k).max(64);
    let mut buf: Vec<u64> = Vec::with_capacity(cap.min(scores.len()) + 1);
    // Every key is >= 1 (the index part `!i` is non-zero for i < u32::MAX),
    // so threshold 0 admits everything until the first compaction.
    let mut threshold = 0u64;
    // Chunks of CHUNK scores whose largest order key is below the threshold's
    // cannot contribute; the max is a branch-free, vectorisable reduction, so
    // once the threshold is high most of the input costs one SIMD pass.
    const CHUNK: usize = 64;
    for (c, chunk) in scores.chunks(CHUNK).enumerate() {
        let top = block_max(chunk);
        if top < (threshold >> 32) as u32 {
            continue;
        }
        for (j, &x) in chunk.iter().enumerate() {
            let key = rank_key(x, (c * CHUNK + j) as u32);
            if key > threshold {
                buf.push(key);
                if buf.len() == cap {
                    buf.select_nth_unstable_by(k - 1, |a, b| b.cmp(a));
                    buf.truncate(k);
                    threshold = buf[k - 1];
                }
            }
        }
    }
    if buf.len() > k {
        buf.select_nth_unstable_by(k - 1, |a, b| b.cmp(a));
        buf.truncate(k);
    }
    buf.sort_unstable_by(|a, b| b.cmp(a));
    Ok(buf)
}

/// The `k` best scores: `(indices, values)` sorted by value descending.
///
/// Order: IEEE `totalOrder` on numbers (`-0.0` below `+0.0`), every NaN below
/// every number, equal values by lower index first. `k = 0` or an empty input
/// gives empty vectors; `k >= scores.len()` ranks the whole input. Inputs of
/// `u32::MAX` elements or more are `InvalidArgument` (indices are `u32`).
pub fn topk_f32(scores: &[f32], k: usize) -> Result<(Vec<u32>, Vec<f32>)> {
    let keys = topk_keys(scores, k)?;
    let idx: Vec<u32> = keys.iter().map(|&key| key_index(key)).collect();
    let val = idx.iter().map(|&i| scores[i as usize]).collect();
    Ok((idx, val))
}

/// Check segment offsets: non-decreasing and within `n`. Segment `s` is
/// `offsets[s] .. offsets[s + 1]`, so `offsets.len() - 1` segments (none when
/// `offsets` has fewer than two entries).
pub(crate) fn check_offsets(offsets: &[usize], n: usize) -> Result<()> {
    if let Some(w) = offsets.windows(2).find(|w| w[0] > w[1]) {
        return Err(Error::invalid(format!(
            "offsets must be non-decreasing ({} > {})",
            w[0], w[1]
        )));
    }
    match offsets.last() {
        Some(&last) if last > n => Err(Error::invalid(format!(
            "last offset {last} is past the end of {n} scores"
        ))),
        _ => Ok(()),
    }
}

/// Top-k of many arrays at once, in a fixed-stride layout.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchTopK {
    /// The `k` the batch was ranked with; the stride of `indices` and `values`.
    pub k: usize,
    /// Results per segment: `counts[s] = min(k, len(segment s))`.
    pub counts: Vec<u32>,
    /// Segment `s`'s indices (relative to the segment start) are
    /// `indices[s * k .. s * k + counts[s]]`; the rest of its stride is `u32::MAX`.
    pub indices: Vec<u32>,
    /// Values, laid out like `indices`; padding is NaN.
    pub values: Vec<f32>,
}

impl BatchTopK {
    /// An all-padding batch for `segments` segments.
    pub(crate) fn empty(segments: usize, k: usize) -> Result<Self> {
        let total = segments
            .checked_mul(k)
            .ok_or_else(|| Error::invalid("segments * k overflows"))?;
        Ok(Self {
            k,
            counts: vec![0; segments],
            indices: vec![u32::MAX; total],
            values: vec![f32::NAN; total],
        })
    }

    /// Store segment `s`'s result (at most `k` entries).
    pub(crate) fn set(&mut self, s: usize, (idx, val): (Vec<u32>, Vec<f32>)) {
        let base = s * self.k;
        self.counts[s] = idx.len() as u32;
        self.indices[base..base + idx.len()].copy_from_slice(&idx);
        self.values[base..base + val.len()].copy_from_slice(&val);
    }

    /// Segment `s`'s `(indices, values)`.
    pub fn segment(&self, s: usize) -> (&[u32], &[f32]) {
        let r = s * self.k..s * self.k + self.counts[s] as usize;
        (&self.indices[r.clone()], &self.values[r])
    }
}

/// [`topk_f32`] of every segment `scores[offsets[s] .. offsets[s + 1]]`.
pub fn topk_batched_f32(scores: &[f32], offsets: &[usize], k: usize) -> Result<BatchTopK> {
    check_offsets(offsets, scores.len())?;
    let segments = offsets.len().saturating_sub(1);
    let mut out = BatchTopK::empty(segments, k)?;
    for s in 0..segments {
        out.set(s, topk_f32(&scores[offsets[s]..offsets[s + 1]], k)?);
    }
    Ok(out)
}

/// Validate the scalar arguments of a decay.
pub(crate) fn check_decay(
    scores: usize,
    timestamps: usize,
    now: f64,
    half_life: f64,
) -> Result<()> {
    if scores != timestamps {
        return Err(Error::invalid(format!(
            "{scores} scores but {timestamps} timestamps"
        )));
    }
    if !now.is_finite() {
        return Err(Error::invalid("`now` must be finite"));
    }
    if !(half_life > 0.0 && half_life.is_finite()) {
        return Err(Error::invalid(format!(
            "half_life must be finite and > 0, got {half_life}"
        )));
    }
    Ok(())
}

/// The decay factor `0.5^(max(now - t, 0) / half_life)`, computed in f64.
#[inline(always)]
pub fn decay_factor(t: f64, now: f64, half_life: f64) -> f64 {
    let age = now - t;
    // `age > 0` is false for NaN too: a NaN timestamp leaves NaN below.
    if age > 0.0 {
        (-age / half_life).exp2()
    } else if age.is_nan() {
        f64::NAN
    } else {
        1.0
    }
}

/// Exponential time decay in place: `score *= 0.5^((now - t) / half_life)`.
///
/// Timestamps and `now` share one unit (seconds, milliseconds…), and so does
/// `half_life`. A timestamp after `now` (clock skew) counts as age 0: the
/// score is unchanged, never amplified. A NaN timestamp makes its score NaN
/// (which [`topk_f32`] ranks last). `half_life <= 0`, a non-finite
/// `half_life` or `now`, or `timestamps.len() != scores.len()` is
/// `InvalidArgument` and nothing changes.
pub fn decay_f32(scores: &mut [f32], timestamps: &[f64], now: f64, half_life: f64) -> Result<()> {
    check_decay(scores.len(), timestamps.len(), now, half_life)?;
    for (s, &t) in scores.iter_mut().zip(timestamps) {
        *s = (*s as f64 * decay_factor(t, now, half_life)) as f32;
    }
    Ok(())
}

/// [`decay_f32`] of every segment `offsets[s] .. offsets[s + 1]` with its own
/// half-life `half_lives[s]` (e.g. one per feed or category). All arguments
/// are checked before anything changes.
pub fn decay_batched_f32(
    scores: &mut [f32],
    timestamps: &[f64],
    offsets: &[usize],
    now: f64,
    half_lives: &[f64],
) -> Result<()> {
    check_batched_decay(scores.len(), timestamps.len(), offsets, now, half_lives)?;
    for (s, &h) in half_lives.iter().enumerate() {
        let r = offsets[s]..offsets[s + 1];
        decay_f32(&mut scores[r.clone()], &timestamps[r], now, h)?;
    }
    Ok(())
}

/// Validate every argument of a batched decay.
pub(crate) fn check_batched_decay(
    scores: usize,
    timestamps: usize,
    offsets: &[usize],
    now: f64,
    half_lives: &[f64],
) -> Result<()> {
    check_offsets(offsets, scores)?;
    if half_lives.len() != offsets.len().saturating_sub(1) {
        return Err(Error::invalid(format!(
            "{} half-lives for {} segments",
            half_lives.len(),
            offsets.len().saturating_sub(1)
        )));
    }
    for &h in half_lives {
        check_decay(scores, timestamps, now, h)?;
    }
    if half_lives.is_empty() {
        check_decay(scores, timestamps, now, 1.0)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_key_is_total_order_with_nan_last() {
        let xs = [
            f32::NEG_INFINITY,
            -1.0,
            -f32::MIN_POSITIVE,
            -0.0,
            0.0,
            f32::MIN_POSITIVE,
            1.0,
            f32::INFINITY,
        ];
        for w in xs.windows(2) {
            assert!(order_key(w[0]) < order_key(w[1]), "{} vs {}", w[0], w[1]);
        }
        assert_eq!(order_key(f32::NAN), 0);
        assert_eq!(order_key(-f32::NAN), 0);
        assert!(order_key(f32::NEG_INFINITY) > 0);
    }

    #[test]
    fn key_round_trips_index() {
        for i in [0u32, 1, 77, u32::MAX - 1] {
            assert_eq!(key_index(rank_key(3.5, i)), i);
        }
        for x in [
            0.0f32,
            -0.0,
            1.5,
            -7.25,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE,
        ] {
            assert_eq!(key_value(rank_key(x, 9)).to_bits(), x.to_bits());
        }
        assert!(key_value(rank_key(f32::NAN, 0)).is_nan());
    }
}
