//! The dispatching front: one call that ranks on the GPU when one is open
//! and on the CPU otherwise, so callers never branch.

use super::Gpu;
use super::cpu::{self, BatchTopK};
use crate::error::Result;

/// Top-k of `scores` (see [`cpu::topk_f32`] for the order): on `gpu` when
/// given, else on the CPU. Both give identical results.
pub fn topk(gpu: Option<&Gpu>, scores: &[f32], k: usize) -> Result<(Vec<u32>, Vec<f32>)> {
    match gpu {
        Some(g) => g.topk_f32(scores, k),
        None => cpu::topk_f32(scores, k),
    }
}

/// Batched top-k (see [`cpu::topk_batched_f32`]): on `gpu` when given.
pub fn topk_batched(
    gpu: Option<&Gpu>,
    scores: &[f32],
    offsets: &[usize],
    k: usize,
) -> Result<BatchTopK> {
    match gpu {
        Some(g) => g.topk_batched_f32(scores, offsets, k),
        None => cpu::topk_batched_f32(scores, offsets, k),
    }
}

/// Exponential decay in place (see [`cpu::decay_f32`]): on `gpu` when given.
pub fn decay(
    gpu: Option<&Gpu>,
    scores: &mut [f32],
    timestamps: &[f64],
    now: f64,
    half_life: f64,
) -> Result<()> {
    match gpu {
        Some(g) => g.decay_f32(scores, timestamps, now, half_life),
        None => cpu::decay_f32(scores, timestamps, now, half_life),
    }
}

/// Batched decay with per-segment half-lives (see [`cpu::decay_batched_f32`]).
pub fn decay_batched(
    gpu: Option<&Gpu>,
    scores: &mut [f32],
    timestamps: &[f64],
    offsets: &[usize],
    now: f64,
    half_lives: &[f64],
) -> Result<()> {
    match gpu {
        Some(g) => g.decay_batched_f32(scores, timestamps, offsets, now, half_lives),
        None => cpu::decay_batched_f32(scores, timestamps, offsets, now, half_lives),
    }
}
