//! Consensus side constraints (section 1d): every projection lands in its
//! set, is idempotent and is not beaten by any sampled point of the set.

use lwl_kernel::consensus;
use proptest::prelude::*;

use crate::support::{Rng, axpy, close, config, coord, dist2, magnitude, norm2, special};

/// Unit-norm random direction (not zero).
fn direction(rng: &mut Rng, n: usize) -> Vec<f64> {
    loop {
        let v = rng.vec(n, 1.0);
        let s = norm2(&v).sqrt();
        if s > 1e-3 {
            return v.iter().map(|x| x / s).collect();
        }
    }
}

/// Random non-negative points of the sphere of radius `omega`: dense, sparse,
/// the unit vectors, and perturbations of `near` clamped and rescaled.
fn nonneg_sphere_samples(n: usize, omega: f64, near: &[f64], rng: &mut Rng) -> Vec<Vec<f64>> {
    let scaled = |v: Vec<f64>| -> Option<Vec<f64>> {
        let s = norm2(&v).sqrt();
        (s > 1e-12).then(|| v.iter().map(|x| omega * x / s).collect())
    };
    let mut out = Vec::new();
    for i in 0..n {
        let mut e = vec![0.0; n];
        e[i] = omega;
        out.push(e);
    }
    for _ in 0..24 {
        out.extend(scaled(rng.vec(n, 1.0).iter().map(|x| x.abs()).collect()));
        out.extend(scaled((0..n).map(|_| if rng.unit() < 0.4 { rng.unit() } else { 0.0 }).collect()));
        for eps in [1e-4, 1e-2, 0.3] {
            out.extend(scaled(axpy(near, eps * omega, &rng.vec(n, 1.0)).iter().map(|x| x.max(0.0)).collect()));
        }
    }
    out
}

proptest! {
    #![proptest_config(config(2048))]

    /// `sphere()`: norm Ω, idempotent, nearest among sampled sphere points.
    #[test]
    fn consensus_sphere(
        w in prop::collection::vec(-3.0..3.0f64, 1..=12),
        scale in magnitude(-3.0, 3.0),
        omega in 0.1..5.0f64,
        seed in any::<u64>(),
    ) {
        let mut rng = Rng(seed);
        let w: Vec<f64> = w.iter().map(|v| v * scale).collect();
        prop_assume!(norm2(&w) > 0.0);
        let mut p = w.clone();
        prop_assert!(consensus::sphere(&mut p, omega));
        prop_assert!(close(norm2(&p).sqrt(), omega, 1e-12), "norm {} vs {}", norm2(&p).sqrt(), omega);
        let mut q = p.clone();
        prop_assert!(consensus::sphere(&mut q, omega));
        for (a, b) in q.iter().zip(&p) {
            prop_assert!((a - b).abs() <= 1e-12 * omega, "not idempotent");
        }
        let d = dist2(&p, &w);
        let tol = 1e-12 * (omega + norm2(&w).sqrt()).powi(2);
        let n = w.len();
        for eps in [0.0, 1e-4, 1e-2, 0.3, 10.0] {
            for _ in 0..8 {
                let r = direction(&mut rng, n);
                let dir = if eps == 0.0 { r } else { axpy(&p, eps * omega, &r) };
                let s = norm2(&dir).sqrt();
                prop_assume!(s > 0.0);
                let c: Vec<f64> = dir.iter().map(|x| omega * x / s).collect();
                prop_assert!(dist2(&c, &w) >= d - tol, "sampled sphere point nearer");
            }
        }
    }

    /// `nonneg_sphere_strided()`: non-negative, norm Ω, other entries
    /// untouched, the all-non-positive case at the largest entry, idempotent,
    /// nearest among sampled non-negative sphere points.
    #[test]
    fn consensus_nonneg_sphere_strided(
        start in 0usize..3,
        stride in 1usize..4,
        vals in prop::collection::vec(coord(), 1..=8),
        all_nonpos in any::<bool>(),
        omega in 0.1..5.0f64,
        seed in any::<u64>(),
    ) {
        let mut rng = Rng(seed);
        let n = vals.len();
        let v: Vec<f64> = if all_nonpos { vals.iter().map(|x| -x.abs()).collect() } else { vals };
        let idx = |i: usize| start + i * stride;
        let mut buf: Vec<f64> = (0..idx(n - 1) + 2).map(|i| 100.0 + i as f64).collect();
        for (i, &x) in v.iter().enumerate() {
            buf[idx(i)] = x;
        }
        let orig = buf.clone();
        let flag = consensus::nonneg_sphere_strided(&mut buf, start, stride, n, omega);
        let max = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        prop_assert_eq!(flag, max <= 0.0, "flag for max {}", max);
        for (i, (a, b)) in buf.iter().zip(&orig).enumerate() {
            if i < start || (i - start) % stride != 0 || (i - start) / stride >= n {
                prop_assert_eq!(a.to_bits(), b.to_bits(), "entry {} off the stride changed", i);
            }
        }
        let p: Vec<f64> = (0..n).map(|i| buf[idx(i)]).collect();
        prop_assert!(p.iter().all(|&x| x >= 0.0), "negative entry in {:?}", p);
        prop_assert!(close(norm2(&p).sqrt(), omega, 1e-12), "norm of {:?}", p);
        if flag {
            let first = v.iter().position(|&x| x == max).unwrap();
            for (i, &x) in p.iter().enumerate() {
                let want = if i == first { omega } else { 0.0 };
                prop_assert!(close(x, want, 4.0 * f64::EPSILON), "all-non-positive case: {:?} from {:?}", p, v);
            }
        }
        let mut again = buf.clone();
        prop_assert!(!consensus::nonneg_sphere_strided(&mut again, start, stride, n, omega));
        for (a, b) in again.iter().zip(&buf) {
            prop_assert!((a - b).abs() <= 1e-12 * omega, "not idempotent");
        }
        let d = dist2(&p, &v);
        let tol = 1e-12 * (omega + norm2(&v).sqrt()).powi(2);
        for c in nonneg_sphere_samples(n, omega, &p, &mut rng) {
            prop_assert!(dist2(&c, &v) >= d - tol, "{:?} nearer to {:?} than {:?}", c, v, p);
        }
    }

    /// `nonneg()`: the nearest non-negative value (NaN becomes 0), idempotent.
    #[test]
    fn consensus_nonneg(m in special(), seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let r = consensus::nonneg(m);
        prop_assert!(r >= 0.0, "nonneg({}) = {}", m, r);
        prop_assert_eq!(r.to_bits(), if m > 0.0 { m.to_bits() } else { 0.0f64.to_bits() });
        prop_assert_eq!(consensus::nonneg(r).to_bits(), r.to_bits());
        if m.is_finite() {
            for c in [0.0, m.abs(), 3.0 * rng.unit(), m.abs() * rng.unit()] {
                prop_assert!((r - m).abs() <= (c - m).abs());
            }
        }
    }
}
