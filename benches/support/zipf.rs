//! Zipf-distributed keys shared by `benches/cache.rs` and `examples/cache_sim.rs`
//! (included with `#[path]`), so the throughput bench and the hit-ratio
//! simulator draw from the same distribution.

/// `n` draws from Zipf(`s`) over keys `0..universe` (inverse CDF on a table),
/// keys scrambled so that popularity is not correlated with key order.
pub fn zipf(universe: usize, s: f64, n: usize, seed: u64) -> Vec<u64> {
    let mut cdf = Vec::with_capacity(universe);
    let mut acc = 0.0;
    for k in 1..=universe {
        acc += 1.0 / (k as f64).powf(s);
        cdf.push(acc);
    }
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            // xorshift64*
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let u = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
            let r = cdf.partition_point(|&c| c < u * acc) as u64;
            r.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        })
        .collect()
}
