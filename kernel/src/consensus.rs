//! Consensus projections with side constraints (lemma 4.1): the plain mean
//! (eq. 26a, 26f), the norm sphere `‖w‖ = Ω` (eq. 26g, 38f), non-negative
//! weights on a sphere including the all-non-positive case (eq. 14b–c,
//! section 4.2) and non-negative codes (eq. 14a). Batch sums use the lane
//! helpers of [`crate::simd`]; the oracle sums sequentially.

/// Scales `w` to Euclidean norm `omega` (reference order: squares summed in
/// index order, then a division by `sqrt(Σ)/Ω`). When the sum of squares
/// overflows or underflows for a finite non-zero `w`, the norm is taken of
/// `w` scaled by its largest magnitude instead. A zero vector becomes
/// `omega` times the first unit vector (every direction is equally near);
/// returns `false` when `w` or the scale is not finite (then `w` is
/// unchanged).
pub fn sphere(w: &mut [f64], omega: f64) -> bool {
    let ss = w.iter().fold(0.0, |a, &v| a + v * v);
    let mut s = libm::sqrt(ss) / omega;
    if !ss.is_normal() {
        let big = w.iter().fold(0.0f64, |m, &v| m.max(libm::fabs(v)));
        if !big.is_finite() || w.iter().any(|v| v.is_nan()) {
            return false;
        }
        if big > 0.0 {
            let scaled = w.iter().fold(0.0, |a, &v| a + (v / big) * (v / big));
            s = big * (libm::sqrt(scaled) / omega);
        }
    }
    if !s.is_finite() {
        return false;
    }
    if s == 0.0 {
        w.fill(0.0);
        if let Some(first) = w.first_mut() {
            *first = omega;
        }
        return true;
    }
    for v in w.iter_mut() {
        *v /= s;
    }
    true
}

/// Non-negative projection of `n` values `w[start + i*stride]` followed by
/// scaling to norm `omega` (NMF weight column, eq. 14b–c). When every value
/// is non-positive the largest (first of equals) becomes `omega` and the
/// rest 0 (section 4.2). Returns `true` in that all-non-positive case. An
/// empty column, or one that does not fit in `w`, is left alone (`false`).
pub fn nonneg_sphere_strided(w: &mut [f64], start: usize, stride: usize, n: usize, omega: f64) -> bool {
    let last = n.checked_sub(1).and_then(|m| m.checked_mul(stride)).and_then(|o| o.checked_add(start));
    if last.is_none_or(|l| l >= w.len()) {
        return false;
    }
    let idx = |i: usize| start + i * stride;
    // the largest value, first of equals, NaN ignored (the reference starts
    // from the first value; the same for every non-NaN input)
    let mut imax = 0;
    let mut max = f64::NEG_INFINITY;
    for i in 0..n {
        let m = w[idx(i)];
        if m > max {
            max = m;
            imax = i;
        }
        w[idx(i)] = if m >= 0.0 { m } else { 0.0 };
    }
    let any_positive = max > 0.0;
    let all_nonpos = !any_positive;
    if all_nonpos {
        w[idx(imax)] = 1.0;
    }
    let mut ss = 0.0;
    for i in 0..n {
        ss += w[idx(i)] * w[idx(i)];
    }
    let s = libm::sqrt(ss) / omega;
    if s.is_finite() && s > 0.0 {
        for i in 0..n {
            w[idx(i)] /= s;
        }
    }
    all_nonpos
}

/// Non-negative consensus value of a code (eq. 14a): the mean, or 0 when
/// negative (NaN also becomes 0).
#[inline]
pub fn nonneg(mean: f64) -> f64 {
    if mean > 0.0 { mean } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(v: &[f64]) -> f64 {
        v.iter().map(|x| x * x).sum::<f64>().sqrt()
    }

    #[test]
    fn sphere_feasible_idempotent_optimal() {
        let mut w = [0.3, -1.2, 0.5];
        let orig = w;
        assert!(sphere(&mut w, 2.0));
        assert!((norm(&w) - 2.0).abs() < 1e-12);
        let once = w;
        sphere(&mut w, 2.0);
        for i in 0..3 {
            assert!((w[i] - once[i]).abs() < 1e-12);
        }
        // optimal: the radial point is the nearest point of the sphere
        let d = |v: &[f64]| v.iter().zip(&orig).map(|(a, b)| (a - b).powi(2)).sum::<f64>();
        for i in 0..50 {
            let a = i as f64 * 0.37;
            let b = i as f64 * 0.91;
            let p = [2.0 * a.cos() * b.sin(), 2.0 * a.sin() * b.sin(), 2.0 * b.cos()];
            assert!(d(&once) <= d(&p) + 1e-12);
        }
        let mut z = [0.0; 3];
        assert!(sphere(&mut z, 2.0));
        assert_eq!(z, [2.0, 0.0, 0.0]);
    }

    #[test]
    fn nonneg_sphere_cases() {
        let mut w = [0.5, 0.0, -1.0, 0.0, 2.0, 0.0];
        assert!(!nonneg_sphere_strided(&mut w, 0, 2, 3, 3.0));
        assert!((w[0] * w[0] + w[4] * w[4] - 9.0).abs() < 1e-12 && w[2] == 0.0);
        let mut v = [-0.5, -0.2, -0.9];
        assert!(nonneg_sphere_strided(&mut v, 0, 1, 3, 0.6));
        assert_eq!(v, [0.0, 0.6, 0.0]);
    }
}
