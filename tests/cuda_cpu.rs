//! The CPU kernels of `ultra::cuda` against sort-based references.

use proptest::prelude::*;
use ultra::ErrorKind;
use ultra::cuda::{cpu, decay_batched_f32, decay_f32, topk, topk_batched_f32, topk_f32};

/// The reference: sort every index by (NaN last, value desc by totalOrder, index asc).
fn reference(scores: &[f32], k: usize) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..scores.len() as u32).collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (scores[a as usize], scores[b as usize]);
        match (x.is_nan(), y.is_nan()) {
            (true, true) => a.cmp(&b),
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            (false, false) => y.total_cmp(&x).then(a.cmp(&b)),
        }
    });
    idx.truncate(k);
    idx
}

fn check(scores: &[f32], k: usize) {
    let (idx, val) = topk_f32(scores, k).unwrap();
    assert_eq!(idx, reference(scores, k), "k = {k}, n = {}", scores.len());
    assert_eq!(val.len(), idx.len());
    for (&i, &v) in idx.iter().zip(&val) {
        assert_eq!(v.to_bits(), scores[i as usize].to_bits());
    }
}

/// A small deterministic generator (xorshift), so tests need no rand crate.
fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn topk_matches_reference_on_many_sizes() {
    let mut seed = 0x9E37_79B9_7F4A_7C15;
    for n in [1usize, 2, 3, 10, 63, 64, 65, 127, 1000, 4099, 20_000] {
        let scores: Vec<f32> = (0..n)
            .map(|_| (xorshift(&mut seed) % 1000) as f32 / 7.0 - 50.0)
            .collect();
        for k in [0, 1, 2, 5, 31, 32, 33, 100, n / 2, n - 1, n, n + 7] {
            check(&scores, k);
        }
    }
}

#[test]
fn ties_go_to_the_lower_index() {
    let scores = [1.0f32, 3.0, 3.0, 2.0, 3.0, 1.0];
    let (idx, val) = topk_f32(&scores, 4).unwrap();
    assert_eq!(idx, [1, 2, 4, 3]);
    assert_eq!(val, [3.0, 3.0, 3.0, 2.0]);
    let all_equal = vec![5.0f32; 300];
    let (idx, _) = topk_f32(&all_equal, 10).unwrap();
    assert_eq!(idx, (0..10).collect::<Vec<u32>>());
}

#[test]
fn nan_ranks_below_every_number_and_signed_zeros_are_ordered() {
    let scores = [
        f32::NAN,
        f32::NEG_INFINITY,
        0.0,
        -0.0,
        f32::NAN,
        1.0,
        -f32::NAN,
    ];
    let (idx, val) = topk_f32(&scores, 7).unwrap();
    assert_eq!(idx, [5, 2, 3, 1, 0, 4, 6]);
    assert_eq!(val[1].to_bits(), 0.0f32.to_bits());
    assert_eq!(val[2].to_bits(), (-0.0f32).to_bits());
    assert!(val[4..].iter().all(|v| v.is_nan()));
    // Only NaN: still ranked, by index.
    let (idx, _) = topk_f32(&[f32::NAN; 4], 2).unwrap();
    assert_eq!(idx, [0, 1]);
}

#[test]
fn edge_cases_k_zero_empty_and_k_past_n() {
    assert_eq!(topk_f32(&[], 5).unwrap(), (vec![], vec![]));
    assert_eq!(topk_f32(&[1.0, 2.0], 0).unwrap(), (vec![], vec![]));
    assert_eq!(
        topk_f32(&[1.0, 2.0], 9).unwrap(),
        (vec![1, 0], vec![2.0, 1.0])
    );
    // The front without a GPU is the CPU kernel.
    assert_eq!(
        topk(None, &[0.5, 0.25, 0.75], 2).unwrap(),
        (vec![2, 0], vec![0.75, 0.5])
    );
}

#[test]
fn batched_topk_has_fixed_stride_and_padding() {
    let scores = [1.0f32, 5.0, 3.0, 9.0, 2.0, 7.0];
    let offsets = [0usize, 3, 3, 6];
    let b = topk_batched_f32(&scores, &offsets, 2).unwrap();
    assert_eq!(b.counts, [2, 0, 2]);
    assert_eq!(b.segment(0), (&[1u32, 2][..], &[5.0f32, 3.0][..]));
    assert_eq!(b.segment(1).0.len(), 0);
    assert_eq!(b.segment(2), (&[0u32, 2][..], &[9.0f32, 7.0][..]));
    assert_eq!(b.indices[2..4], [u32::MAX, u32::MAX]);
    assert!(b.values[2].is_nan());
    let short = topk_batched_f32(&scores, &[0, 1], 3).unwrap();
    assert_eq!(short.counts, [1]);
    assert_eq!(short.indices, [0, u32::MAX, u32::MAX]);
    assert_eq!(topk_batched_f32(&scores, &[], 3).unwrap().counts.len(), 0);
}

#[test]
fn batched_offsets_are_checked() {
    let s = [1.0f32; 4];
    let e = topk_batched_f32(&s, &[0, 3, 2], 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = topk_batched_f32(&s, &[0, 5], 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn decay_halves_per_half_life() {
    let mut s = [8.0f32, 8.0, 8.0, 8.0, 8.0];
    let ts = [100.0, 90.0, 80.0, 110.0, f64::NAN];
    decay_f32(&mut s, &ts, 100.0, 10.0).unwrap();
    assert_eq!(&s[..4], &[8.0, 4.0, 2.0, 8.0]); // future timestamp: unchanged
    assert!(s[4].is_nan());
}

#[test]
fn decay_rejects_bad_arguments_and_changes_nothing() {
    let mut s = [1.0f32, 2.0];
    for (ts, now, h) in [
        (&[0.0, 0.0][..], 1.0, 0.0),
        (&[0.0, 0.0][..], 1.0, -3.0),
        (&[0.0, 0.0][..], 1.0, f64::NAN),
        (&[0.0, 0.0][..], 1.0, f64::INFINITY),
        (&[0.0, 0.0][..], f64::NAN, 1.0),
        (&[0.0][..], 1.0, 1.0),
    ] {
        let e = decay_f32(&mut s, ts, now, h).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(s, [1.0, 2.0]);
    }
}

#[test]
fn batched_decay_uses_each_segments_half_life() {
    let mut s = [4.0f32, 4.0, 4.0, 4.0];
    let ts = [0.0, 0.0, 0.0, 0.0];
    decay_batched_f32(&mut s, &ts, &[0, 2, 4], 2.0, &[1.0, 2.0]).unwrap();
    assert_eq!(s, [1.0, 1.0, 2.0, 2.0]);
    // Wrong number of half-lives, or a bad one: nothing changes.
    let e = decay_batched_f32(&mut s, &ts, &[0, 2, 4], 2.0, &[1.0]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = decay_batched_f32(&mut s, &ts, &[0, 2, 4], 2.0, &[1.0, 0.0]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(s, [1.0, 1.0, 2.0, 2.0]);
}

fn any_score() -> impl Strategy<Value = f32> {
    prop_oneof![
        8 => (-20i32..20).prop_map(|v| v as f32 / 2.0),
        2 => any::<f32>(),
        1 => Just(f32::NAN),
        1 => Just(-0.0f32),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 200 } else { 1000 }))]

    #[test]
    fn topk_equals_sorting(scores in prop::collection::vec(any_score(), 0..400), k in 0usize..450) {
        let (idx, _) = topk_f32(&scores, k).unwrap();
        prop_assert_eq!(idx, reference(&scores, k));
    }

    #[test]
    fn batched_equals_per_segment(
        scores in prop::collection::vec(any_score(), 0..200),
        cuts in prop::collection::vec(0usize..200, 0..8),
        k in 0usize..20,
    ) {
        let mut offsets: Vec<usize> = cuts.into_iter().map(|c| c.min(scores.len())).collect();
        offsets.sort_unstable();
        let b = topk_batched_f32(&scores, &offsets, k).unwrap();
        for s in 0..offsets.len().saturating_sub(1) {
            let seg = &scores[offsets[s]..offsets[s + 1]];
            let (idx, _) = topk_f32(seg, k).unwrap();
            prop_assert_eq!(b.segment(s).0, &idx[..]);
        }
    }

    #[test]
    fn decay_matches_formula(
        pairs in prop::collection::vec((-1e6f32..1e6, -1e4f64..2e4), 0..100),
        half_life in 0.001f64..1e5,
    ) {
        let now = 1e4;
        let (mut s, ts): (Vec<f32>, Vec<f64>) = pairs.iter().copied().unzip();
        decay_f32(&mut s, &ts, now, half_life).unwrap();
        for ((&x, &t), &y) in pairs.iter().map(|(x, _)| x).zip(&ts).zip(&s) {
            let f = cpu::decay_factor(t, now, half_life);
            prop_assert!((0.0..=1.0).contains(&f));
            prop_assert_eq!(y, (x as f64 * f) as f32);
            prop_assert!(y.abs() <= x.abs());
        }
    }
}
