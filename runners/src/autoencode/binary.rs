//! What a binary-encoding run achieved (section 6.3.1): whether the trained
//! consensus parameters meet every step constraint with the margin of the
//! gapped step, and whether they encode and decode exactly with the
//! zero-width step (what a near-solution can still do).

use super::feed::{Auto, Start};

/// How far inside the gap a constraint may be missed and still count as met
/// (rounding in the feed-around of parameters that RRR left at the gap's
/// edge).
pub const SLACK: f64 = 1e-6;

/// The smallest margin over feed-arounds of every item of `items`
/// (item-major, fixed-layer values): at the fixed layer `z − Δ/2` for a 1
/// and `−z − Δ/2` for a 0, elsewhere `|z| − Δ/2`, with `z = y − b`. The step
/// constraints hold at width Δ exactly when it is ≥ 0.
fn worst_margin(auto: &Auto, start: Start, items: &[f64], width: f64) -> f64 {
    let (n, b) = (auto.net.nodes(), auto.biases);
    let fixed = auto.feed.fixed(start);
    let (mut v, mut y) = (vec![0.0; n], vec![0.0; n]);
    let mut worst = f64::INFINITY;
    let mut is_fixed = vec![false; n];
    fixed.iter().for_each(|&i| is_fixed[i] = true);
    for item in items.chunks_exact(fixed.len()) {
        for (&i, &x) in fixed.iter().zip(item) {
            v[i] = x;
        }
        auto.run(start, &mut v, &mut y);
        for (&i, &x) in fixed.iter().zip(item) {
            let z = y[i] - b[i];
            worst = worst.min(if x >= 0.5 { z } else { -z } - width / 2.0);
        }
        for i in (0..n).filter(|&i| !is_fixed[i]) {
            worst = worst.min((y[i] - b[i]).abs() - width / 2.0);
        }
    }
    worst
}

/// Whether every data item and every code item passes through encoder and
/// decoder with `|y − b| ≥ Δ/2` (within [`SLACK`]) on the correct side.
pub fn margins_met(auto: &Auto, data: &[f64], codes: &[f64], width: f64) -> bool {
    worst_margin(auto, Start::Data, data, width).min(worst_margin(auto, Start::Code, codes, width)) >= -SLACK
}

/// Whether every data item encodes, with the zero-width step (`f(z) = 1`
/// for `z ≥ 0`), to a code no other item gets and decodes back exactly.
pub fn decodes(auto: &Auto, data: &[f64]) -> bool {
    let enc = auto.pass(Start::Data, data);
    let mut codes: Vec<&[f64]> = enc.out.chunks_exact(auto.feed.code.len()).collect();
    codes.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    enc.err == 0.0 && codes.windows(2).all(|w| w[0] != w[1])
}

#[cfg(test)]
mod tests {
    use lwl_kernel::activation::Activation;
    use lwl_kernel::class::ClassMode;
    use lwl_kernel::network::Params;

    use super::*;
    use crate::autoencode::data::binary;
    use crate::autoencode::feed::FeedAround;
    use crate::formats::netfile::NetSpec;

    /// The equality-case solution of appendix C (eq. 61, and its decoder
    /// twin) for n = 2: weights ±Ω/√|D| into code nodes, ±Ω/√|C| into data
    /// nodes, biases centring each node's gap.
    #[test]
    fn appendix_c_solution_meets_the_bounds_exactly() {
        let src = binary(2).unwrap();
        let spec = NetSpec::autoencoder(4, &[], 2, &[]).unwrap();
        let net = spec.net().unwrap();
        let feed = FeedAround::new(&net).unwrap();
        let omega = 10.0;
        let bit = |item: usize, j: usize| (item >> j) & 1 == 1;
        let mut w = vec![0.0; net.edges()];
        let mut b = vec![0.0; net.nodes()];
        for (c, &j) in feed.code.iter().enumerate() {
            for e in net.in_edges(j) {
                w[e] = if bit(net.src(e), c) { 1.0 } else { -1.0 } * omega / 2.0;
            }
        }
        for &i in &feed.data {
            let ones = (0..2).filter(|&c| bit(i, c)).count() as f64;
            for e in net.in_edges(i) {
                w[e] = if bit(i, net.src(e) - 4) { 1.0 } else { -1.0 } * omega / 2f64.sqrt();
            }
            // its own code gives y = ones/√2, any other at most (ones − 1)/√2
            b[i] = (ones - 0.5) / 2f64.sqrt();
        }
        let p = Params {
            beta: 0.5,
            gamma: 1.0,
            omega,
            upsilon: 1.0,
            margin: 0.0,
            activation: Activation::Step { width: 0.0 },
            class_mode: ClassMode::Plain,
        };
        let codes = src.codes.unwrap().values;
        let auto = Auto { net: &net, feed: &feed, p: &p, weights: &w, biases: &b };
        assert!(decodes(&auto, &src.train.values));
        // the bounds: min(2/√4, 1/√2) = 1/√2
        let bound = 1.0 / 2f64.sqrt();
        assert!(margins_met(&auto, &src.train.values, &codes, bound - 1e-9));
        assert!(!margins_met(&auto, &src.train.values, &codes, bound + 1e-3));
    }
}
