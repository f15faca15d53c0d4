//! Class-node constraints on `z = y - b` (eq. 26d–e): `z ≥ Δ` at the item's
//! class node, `z ≤ 0` at the others; `y` and `b` move equally and oppositely
//! to the equality case. And the selection rules for compromised data:
//! eccentric exemptions (section 5.3.1, eq. 32), relabelling (section 5.3.2,
//! eq. 33) and the false-positive allowance of section 6.2, as docs/design.md
//! states them (golden README 4.2 of each classifier case for the order of
//! operations).

use crate::simd::V;

/// Which class constraint a batch uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassMode {
    /// Every item satisfies its class constraint (eq. 26d–e).
    Plain,
    /// Up to this many items per batch are exempt (eq. 32).
    Exempt(usize),
    /// Up to this many items per batch may take another label (eq. 33).
    Relabel(usize),
    /// Two classes, class 0 = fake: up to this many fake items per batch may
    /// take the genuine label (section 6.2).
    FalsePositive(usize),
    /// Regression: every class node's `z` lies within [`Params::margin`]
    /// of its real target (the batch's value of that node), labels unused
    /// ([`target`]).
    ///
    /// [`Params::margin`]: crate::network::Params::margin
    Targets,
}

/// Marks an exempted item in the per-item label record.
pub const EXEMPT: u32 = u32::MAX;

/// Plain projection of one class node: returns `(y', b', d)` with `d` the
/// half squared displacement `(2s)s` (0 when the constraint holds).
#[inline]
pub fn plain(y: f64, b: f64, margin: f64, is_true: bool) -> (f64, f64, f64) {
    if is_true {
        let s = ((y - b) - margin) / 2.0;
        if s < 0.0 {
            return (y - s, b + s, (2.0 * s) * s);
        }
    } else {
        let s = (y - b) / 2.0;
        if s > 0.0 {
            return (y - s, b + s, (2.0 * s) * s);
        }
    }
    (y, b, 0.0)
}

/// Regression projection of one class node onto `|z − t| ≤ tol`, `z = y − b`:
/// `y` and `b` move equally and oppositely to the nearest end of the
/// interval; returns `(y', b', d)` with `d` the half squared displacement
/// `(2s)s` as in [`plain`] (0 inside the interval).
#[inline]
pub fn target(y: f64, b: f64, t: f64, tol: f64) -> (f64, f64, f64) {
    let z = y - b;
    let s = if z > t + tol {
        (z - (t + tol)) / 2.0
    } else if z < t - tol {
        (z - (t - tol)) / 2.0
    } else {
        return (y, b, 0.0);
    };
    (y - s, b + s, (2.0 * s) * s)
}

/// Lane twin of [`plain`]: `is_true` is a lane mask.
#[inline(always)]
pub fn plain_lanes(y: V, b: V, margin: f64, is_true: V) -> (V, V) {
    let zero = V::splat(0.0);
    let z = y - b;
    let st = (z - V::splat(margin)) / V::splat(2.0);
    let sf = z / V::splat(2.0);
    let s = is_true.select(st, sf);
    let moves = is_true.select(st.simd_lt(zero), sf.simd_gt(zero));
    let s = moves.select(s, zero);
    (moves.select(y - s, y), moves.select(b + s, b))
}

/// Squared-distance measure `D` of projecting an item's `n` class nodes with
/// `label` as its class: `Σ (2s)s` over moved nodes, in node order;
/// `yb(c)` gives `(y, b)` of class node `c`.
pub fn item_distance(n: usize, yb: impl Fn(usize) -> (f64, f64), margin: f64, label: usize) -> f64 {
    let mut d = 0.0;
    for c in 0..n {
        let (y, b) = yb(c);
        let (_, _, dc) = plain(y, b, margin, c == label);
        if dc != 0.0 {
            d += dc;
        }
    }
    d
}

/// The `n`-th largest value of `v` counting repeats (`n ≥ 1`; larger `n`
/// is taken as `v.len()`), using `scratch` (at least `v.len()` long). NaN
/// counts as larger than every number. `None` when `n` is 0, `v` is empty or
/// `scratch` is short.
pub fn largest_threshold(v: &[f64], n: usize, scratch: &mut [f64]) -> Option<f64> {
    let n = n.min(v.len());
    if n == 0 || scratch.len() < v.len() {
        return None;
    }
    let s = &mut scratch[..v.len()];
    s.copy_from_slice(v);
    let (_, t, _) = s.select_nth_unstable_by(n - 1, |a, b| nan_high(b, a));
    Some(*t)
}

/// Total order with every NaN (whatever its sign) above every number.
fn nan_high(a: &f64, b: &f64) -> core::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => core::cmp::Ordering::Equal,
        (true, false) => core::cmp::Ordering::Greater,
        (false, true) => core::cmp::Ordering::Less,
        (false, false) => a.total_cmp(b),
    }
}

/// The rule shared by eccentric exemptions (on `D_k`) and relabelling (on the
/// excess distance): selected when `x ≥ T` and `x > 0` with `T` from
/// [`largest_threshold`]; ties at `T` select more than the budget; a NaN value
/// is selected whenever there is a budget.
#[inline]
pub fn selected(x: f64, t: Option<f64>) -> bool {
    match t {
        Some(t) => (x >= t && x > 0.0) || x.is_nan(),
        None => false,
    }
}

/// False-positive allowance difference for a fake (class 0) item of a
/// two-class net: distance as genuine minus distance as fake, in the
/// reference grouping (golden README class_fp, 4.2).
pub fn fpa_delta(y0: f64, b0: f64, y1: f64, b1: f64, margin: f64) -> f64 {
    let s0n = f64::min(0.0, ((y0 - b0) - margin) / 2.0);
    let s1n = f64::max(0.0, (y1 - b1) / 2.0);
    let s0p = f64::max(0.0, (y0 - b0) / 2.0);
    let s1p = f64::min(0.0, ((y1 - b1) - margin) / 2.0);
    (-(s0n * s0n) - (s1n * s1n)) + ((s0p * s0p) + (s1p * s1p))
}

/// Threshold of the false-positive allowance: the `(fpa+1)`-th smallest
/// negative value of `delta` (genuine items carry `delta = 0`), or 0 when
/// there are at most `fpa` negative values. A fake item is allowed when its
/// delta is strictly below it (at most `fpa`, fewer on ties). Uses
/// `scratch` (at least `delta.len()` long).
pub fn fpa_threshold(delta: &[f64], fpa: usize, scratch: &mut [f64]) -> f64 {
    let mut n = 0;
    for &d in delta {
        if d < 0.0 && n < scratch.len() {
            scratch[n] = d;
            n += 1;
        }
    }
    if n > fpa {
        let (_, t, _) = scratch[..n].select_nth_unstable_by(fpa, nan_high);
        *t
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_feasible_idempotent_optimal() {
        for i in 0..200 {
            let y = (i % 17) as f64 * 0.13 - 1.0;
            let b = (i % 7) as f64 * 0.21 - 0.6;
            for t in [true, false] {
                let (yp, bp, d) = plain(y, b, 0.1, t);
                let z = yp - bp;
                assert!(if t { z >= 0.1 - 1e-12 } else { z <= 1e-12 });
                let (y2, b2, d2) = plain(yp, bp, 0.1, t);
                assert!((y2 - yp).abs() < 1e-12 && (b2 - bp).abs() < 1e-12 && d2 < 1e-24);
                // optimal: half squared distance equals (2s)s, no sampled feasible point is closer
                let dist = (yp - y).powi(2) + (bp - b).powi(2);
                assert!((dist - d).abs() < 1e-12);
                for j in -20..20 {
                    for m in -5..5 {
                        let (sy, sb) = (j as f64 * 0.1, m as f64 * 0.2);
                        let ok = if t { sy - sb >= 0.1 } else { sy - sb <= 0.0 };
                        if ok {
                            assert!((sy - y).powi(2) + (sb - b).powi(2) >= dist - 1e-12);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn target_feasible_idempotent_optimal() {
        for i in 0..300 {
            let y = (i % 17) as f64 * 0.13 - 1.0;
            let b = (i % 7) as f64 * 0.21 - 0.6;
            let t = (i % 11) as f64 * 0.09 - 0.4;
            for tol in [0.0, 0.05, 0.3] {
                let (yp, bp, d) = target(y, b, t, tol);
                let z = yp - bp;
                assert!((z - t).abs() <= tol + 1e-12, "infeasible: z {z}, t {t}, tol {tol}");
                let (y2, b2, d2) = target(yp, bp, t, tol);
                assert!((y2 - yp).abs() < 1e-12 && (b2 - bp).abs() < 1e-12 && d2 < 1e-24);
                let dist = (yp - y).powi(2) + (bp - b).powi(2);
                assert!((dist - d).abs() < 1e-12);
                // no feasible point of a grid (and of the interval's ends along
                // every direction) is closer
                for j in -40..40 {
                    let sy = y + j as f64 * 0.05;
                    for zz in [t - tol, t, t + tol] {
                        let sb = sy - zz;
                        assert!((sy - y).powi(2) + (sb - b).powi(2) >= dist - 1e-12);
                    }
                }
            }
        }
        // inside the interval nothing moves
        assert_eq!(target(0.3, 0.1, 0.25, 0.1), (0.3, 0.1, 0.0));
    }

    #[test]
    fn exempt_rule_ties_and_zero() {
        let d = [0.5, 0.0, 0.2, 0.5, 0.1];
        let mut s = [0.0; 5];
        let pick = |t| d.map(|x| selected(x, t));
        let t = largest_threshold(&d, 1, &mut s);
        assert_eq!(pick(t), [true, false, false, true, false]); // tie at T = 0.5
        let t = largest_threshold(&d, 5, &mut s);
        assert_eq!(pick(t), [true, false, true, true, true]); // T = 0: only positive D
        assert_eq!(pick(largest_threshold(&d, 0, &mut s)), [false; 5]);
        assert_eq!(largest_threshold(&d, 3, &mut s), Some(0.2));
    }

    #[test]
    fn fpa_rule() {
        // genuine items carry 0; negatives of fakes: -0.5, -0.3, -0.3, -0.1
        let delta = [-0.3, -0.1, 0.2, -0.5, -0.3, 0.0];
        let mut s = [0.0; 6];
        let t = fpa_threshold(&delta, 2, &mut s); // 3rd smallest = -0.3
        assert_eq!(delta.map(|d| d < t), [false, false, false, true, false, false]);
        let t = fpa_threshold(&delta, 4, &mut s);
        assert_eq!(t, 0.0);
        assert_eq!(delta.iter().filter(|&&d| d < t).count(), 4);
    }
}
