//! Consensus projections and sums: `simd::sum_lanes` agrees with `sum` within
//! `len · 2^-52 · Σ|v|` on every prefix (NaN/inf cases exactly); `sphere` returns
//! false with `w` unchanged or a finite `w`, of norm Ω for moderate input;
//! `nonneg_sphere_strided` leaves other entries alone, gives non-negative
//! entries of norm Ω, returns true exactly when no value is positive, and then
//! has exactly one non-zero entry; `nonneg` is the documented clamp.
#![no_main]
#[path = "common.rs"]
mod common;

use common::Bytes;
use libfuzzer_sys::fuzz_target;
use lwl_kernel::consensus::{nonneg, nonneg_sphere_strided, sphere};
use lwl_kernel::simd::{sum, sum_lanes};

/// Norm without overflow or underflow of the squares.
fn norm(v: &[f64]) -> f64 {
    let m = v.iter().fold(0.0f64, |a, &x| a.max(x.abs()));
    if m == 0.0 { 0.0 } else { m * v.iter().map(|x| (x / m) * (x / m)).sum::<f64>().sqrt() }
}

/// Nonzero values in `[1e-100, 1e100]` and Ω in the same range: nothing
/// overflows or underflows.
fn tame(v: f64) -> bool {
    v == 0.0 || (1e-100..=1e100).contains(&v.abs())
}

fn check_sum(v: &[f64]) {
    let (a, b) = (sum_lanes(v), sum(v));
    let abs: f64 = v.iter().filter(|x| x.is_finite()).map(|x| x.abs()).sum();
    let (pinf, ninf) = (v.contains(&f64::INFINITY), v.contains(&f64::NEG_INFINITY));
    if v.iter().any(|x| x.is_nan()) || (pinf && ninf) {
        assert!(a.is_nan() && b.is_nan(), "{v:?}: {a} {b}");
    } else if abs < 1e300 && (pinf || ninf) {
        assert!(a == b && a.is_infinite(), "{v:?}: {a} {b}");
    } else if abs < 1e300 {
        assert!((a - b).abs() <= v.len() as f64 * f64::EPSILON * abs, "{v:?}: {a} {b}");
    }
}

fuzz_target!(|data: &[u8]| {
    let mut r = Bytes(data);
    let (start, stride, cut, omega) = (r.u8() as usize % 4, 1 + r.u8() as usize % 3, r.u8() as usize, r.f64());
    let v = r.rest();
    (0..=v.len()).for_each(|l| check_sum(&v[..l]));
    let m = nonneg(omega);
    assert!(m >= 0.0 && (m == omega || m == 0.0) && (omega > 0.0 || m == 0.0));

    let mut w = v.clone();
    let moderate = omega > 0.0 && tame(omega) && v.iter().all(|&x| tame(x));
    if !sphere(&mut w, omega) {
        assert!(w.iter().zip(&v).all(|(a, b)| a.to_bits() == b.to_bits()), "changed on false");
    } else if omega.is_finite() && omega.abs() < 1e150 {
        assert!(w.iter().all(|x| x.is_finite()), "{v:?} {omega} -> {w:?}");
        assert!(!moderate || v.is_empty() || (norm(&w) - omega).abs() <= 1e-9 * omega, "{v:?} {omega} -> {w:?}");
    }

    let avail = if v.len() > start { (v.len() - start - 1) / stride + 1 } else { 0 };
    let n = avail.saturating_sub(cut % 4);
    let idx: Vec<usize> = (0..n).map(|i| start + i * stride).collect();
    let mut w = v.clone();
    let all_nonpos = nonneg_sphere_strided(&mut w, start, stride, n, omega);
    let col: Vec<f64> = idx.iter().map(|&i| w[i]).collect();
    let ctx = format!("{v:?} start {start} stride {stride} n {n} omega {omega} -> {w:?}, {all_nonpos}");
    assert!((0..v.len()).all(|i| idx.contains(&i) || w[i].to_bits() == v[i].to_bits()), "{ctx}");
    assert!(col.iter().all(|&x| x >= 0.0), "{ctx}");
    assert!(all_nonpos == (n > 0 && !idx.iter().any(|&i| v[i] > 0.0)), "{ctx}");
    if all_nonpos {
        assert_eq!(col.iter().filter(|&&x| x != 0.0).count(), 1, "{ctx}");
    }
    if moderate && n > 0 {
        assert!((norm(&col) - omega).abs() <= 1e-9 * omega, "{ctx}");
    }
});
