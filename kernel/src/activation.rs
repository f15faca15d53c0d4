//! Node constraints on `(X, y, b)`: the activation side constraint
//! `X = f(y - b)` of eq. 26c / 38d, and the fixed data and code values of
//! eq. 26b / 38b–c.
//!
//! By lemma 4.1 the consensus value `X` of a node's out-edge copies carries
//! weight `outdeg`, and `y`, `b` carry `g² = outdeg` (eq. 28–30, 39), so the
//! projection to the graph of `f` is isotropic in `(X, y, b)`; only
//! `z = y - b` enters `f`, and a move along `z` shifts `y` and `b` equally and
//! oppositely.
//!
//! Activations: ReLU (section 5.2; the reference formula, bit for bit), the
//! gapped step of Fig. 2 and the zigmoid of Fig. 17 of full width `Δ`
//! (`z` from `-Δ/2` to `+Δ/2`), and the soft threshold
//! `u = sign(z) max(|z| - τ, 0)` of the local-propagation paper (eq. 4). The
//! last three are projected as graphs of piecewise-linear functions: the
//! nearest of the pieces' projections, ties to the lower piece.

use crate::simd::V;

/// A hidden-node activation "function" (a constraint set).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// `f(z) = max(0, z)`.
    Relu,
    /// Gapped step of full gap `width`: 0 for `z ≤ -width/2`, 1 for
    /// `z ≥ width/2`, nothing in between.
    Step {
        /// Full width Δ of the forbidden interval.
        width: f64,
    },
    /// Zigmoid: 0 below `-width/2`, 1 above `width/2`, linear in between.
    Zigmoid {
        /// Full width Δ of the ramp (a non-positive width acts as the step
        /// with zero gap).
        width: f64,
    },
    /// Soft threshold `sign(z) max(|z| - tau, 0)`.
    Soft {
        /// Threshold τ (negative values act as 0).
        tau: f64,
    },
}

/// One linear piece `X = a z + c` on `lo ≤ z ≤ hi`.
#[derive(Clone, Copy, Debug)]
struct Piece {
    a: f64,
    c: f64,
    lo: f64,
    hi: f64,
}

const NEG: f64 = f64::NEG_INFINITY;
const POS: f64 = f64::INFINITY;

/// Pieces of the graph of `f`, and how many are used.
fn pieces(act: Activation) -> ([Piece; 3], usize) {
    let flat = |c, lo, hi| Piece { a: 0.0, c, lo, hi };
    let none = flat(0.0, 0.0, 0.0);
    match act {
        Activation::Relu => ([flat(0.0, NEG, 0.0), Piece { a: 1.0, c: 0.0, lo: 0.0, hi: POS }, none], 2),
        Activation::Step { width } => {
            let h = half(width);
            ([flat(0.0, NEG, -h), flat(1.0, h, POS), none], 2)
        }
        Activation::Zigmoid { width } => {
            let h = half(width);
            if h > 0.0 {
                let mid = Piece { a: 1.0 / width, c: 0.5, lo: -h, hi: h };
                ([flat(0.0, NEG, -h), mid, flat(1.0, h, POS)], 3)
            } else {
                ([flat(0.0, NEG, 0.0), flat(1.0, 0.0, POS), none], 2)
            }
        }
        Activation::Soft { tau } => {
            let t = if tau > 0.0 { tau } else { 0.0 };
            ([Piece { a: 1.0, c: t, lo: NEG, hi: -t }, flat(0.0, -t, t), Piece { a: 1.0, c: -t, lo: t, hi: POS }], 3)
        }
    }
}

fn half(width: f64) -> f64 {
    if width > 0.0 { 0.5 * width } else { 0.0 }
}

/// `f(z)` for the forward pass (the step takes 1 at `z ≥ 0`, its midpoint
/// rule for a feed-forward decision).
pub fn value(act: Activation, z: f64) -> f64 {
    match act {
        Activation::Relu => {
            if z > 0.0 {
                z
            } else {
                0.0
            }
        }
        Activation::Step { .. } => {
            if z >= 0.0 {
                1.0
            } else {
                0.0
            }
        }
        Activation::Zigmoid { width } => {
            let h = half(width);
            if z <= -h {
                0.0
            } else if z >= h {
                1.0
            } else {
                z / width + 0.5
            }
        }
        Activation::Soft { tau } => {
            let t = if tau > 0.0 { tau } else { 0.0 };
            if z > t {
                z - t
            } else if z < -t {
                z + t
            } else {
                0.0
            }
        }
    }
}

/// ReLU projection exactly as the reference programs compute it (golden
/// README 4.1): returns `(X, y, b)`.
#[inline]
pub fn relu_ref(xa: f64, y: f64, b: f64) -> (f64, f64, f64) {
    let (y1, b1, d1);
    if y < b {
        (y1, b1, d1) = (y, b, xa * xa);
    } else {
        let s = (y - b) / 2.0;
        let yy = y - s;
        (y1, b1, d1) = (yy, yy, xa * xa + (2.0 * s) * s);
    }
    let s = ((xa - y) + b) / 3.0;
    let x2 = xa - s;
    let (x2, y2, b2, d2) = if x2 < 0.0 {
        let s = (y - b) / 2.0;
        let yy = y - s;
        (0.0, yy, yy, xa * xa + (2.0 * s) * s)
    } else {
        (x2, y + s, b - s, (3.0 * s) * s)
    };
    if d1 < d2 { (0.0, y1, b1) } else { (x2, y2, b2) }
}

/// Lane twin of [`relu_ref`] (identical bits per lane).
#[inline(always)]
pub fn relu_lanes(xa: V, y: V, b: V) -> (V, V, V) {
    let zero = V::splat(0.0);
    let two = V::splat(2.0);
    let s0 = (y - b) / two;
    let yy = y - s0;
    let keep = y.simd_lt(b);
    let xx = xa * xa;
    let y1 = keep.select(y, yy);
    let b1 = keep.select(b, yy);
    let d1 = keep.select(xx, xx + (two * s0) * s0);
    let s = ((xa - y) + b) / V::splat(3.0);
    let x2 = xa - s;
    let neg = x2.simd_lt(zero);
    let x2 = neg.select(zero, x2);
    let y2 = neg.select(yy, y + s);
    let b2 = neg.select(yy, b - s);
    let d2 = neg.select(xx + (two * s0) * s0, (V::splat(3.0) * s) * s);
    let z = d1.simd_lt(d2);
    (z.select(zero, x2), z.select(y1, y2), z.select(b1, b2))
}

#[inline(always)]
fn piece_proj(p: &Piece, x: f64, y: f64, b: f64) -> (f64, f64, f64, f64) {
    let z = y - b;
    let r = x - p.a * z - p.c;
    let lam = r / (1.0 + 2.0 * p.a * p.a);
    let mut zp = z + 2.0 * p.a * lam;
    if zp < p.lo {
        zp = p.lo;
    }
    if zp > p.hi {
        zp = p.hi;
    }
    let xp = p.a * zp + p.c;
    let s = 0.5 * (zp - z);
    let (yp, bp) = (y + s, b - s);
    let d = (xp - x) * (xp - x) + 2.0 * s * s;
    (xp, yp, bp, d)
}

/// Projection of `(X, y, b)` to the graph of the activation: returns
/// `(X', y', b')`. ReLU uses the reference formula.
pub fn project(act: Activation, x: f64, y: f64, b: f64) -> (f64, f64, f64) {
    if act == Activation::Relu {
        return relu_ref(x, y, b);
    }
    let (ps, n) = pieces(act);
    let mut best = piece_proj(&ps[0], x, y, b);
    for p in &ps[1..n] {
        let c = piece_proj(p, x, y, b);
        if c.3 < best.3 {
            best = c;
        }
    }
    (best.0, best.1, best.2)
}

#[inline(always)]
fn piece_lanes(p: &Piece, x: V, y: V, b: V) -> (V, V, V, V) {
    let (a, c) = (V::splat(p.a), V::splat(p.c));
    let z = y - b;
    let r = x - a * z - c;
    let lam = r / (V::splat(1.0) + V::splat(2.0) * a * a);
    let zp = z + V::splat(2.0) * a * lam;
    let zp = zp.simd_lt(V::splat(p.lo)).select(V::splat(p.lo), zp);
    let zp = zp.simd_gt(V::splat(p.hi)).select(V::splat(p.hi), zp);
    let xp = a * zp + c;
    let s = V::splat(0.5) * (zp - z);
    let d = (xp - x) * (xp - x) + V::splat(2.0) * s * s;
    (xp, y + s, b - s, d)
}

/// Lane twin of [`project`] (identical bits per lane).
#[inline(always)]
pub fn project_lanes(act: Activation, x: V, y: V, b: V) -> (V, V, V) {
    if act == Activation::Relu {
        return relu_lanes(x, y, b);
    }
    let (ps, n) = pieces(act);
    let mut best = piece_lanes(&ps[0], x, y, b);
    for p in &ps[1..n] {
        let c = piece_lanes(p, x, y, b);
        let m = c.3.simd_lt(best.3);
        best = (m.select(c.0, best.0), m.select(c.1, best.1), m.select(c.2, best.2), m.select(c.3, best.3));
    }
    (best.0, best.1, best.2)
}

/// The interval of `z = y - b` whose image is the fixed value `v`. A value
/// outside the image of `f` is taken at the nearest end of the image.
fn preimage(act: Activation, v: f64) -> (f64, f64) {
    match act {
        Activation::Relu => {
            if v > 0.0 {
                (v, v)
            } else {
                (NEG, 0.0)
            }
        }
        Activation::Step { width } => {
            let h = half(width);
            if v >= 0.5 { (h, POS) } else { (NEG, -h) }
        }
        Activation::Zigmoid { width } if half(width) == 0.0 => {
            // zero width: the zero-gap step
            if v >= 0.5 { (0.0, POS) } else { (NEG, 0.0) }
        }
        Activation::Zigmoid { width } => {
            let h = half(width);
            if v <= 0.0 || !(v < 1.0 || v >= 1.0) {
                (NEG, -h)
            } else if v >= 1.0 {
                (h, POS)
            } else {
                let z = width * v - h;
                (z, z)
            }
        }
        Activation::Soft { tau } => {
            let t = if tau > 0.0 { tau } else { 0.0 };
            if v > 0.0 {
                (v + t, v + t)
            } else if v < 0.0 {
                (v - t, v - t)
            } else {
                (-t, t)
            }
        }
    }
}

/// Projection for a node whose value is fixed to `v` (data or code, eq. 38b–c):
/// `y` and `b` move equally and oppositely until `f(y - b) = v`; returns
/// `(y', b')`.
pub fn fixed(act: Activation, v: f64, y: f64, b: f64) -> (f64, f64) {
    let (lo, hi) = preimage(act, v);
    let z = y - b;
    let zp = if z < lo {
        lo
    } else if z > hi {
        hi
    } else {
        return (y, b);
    };
    let s = (z - zp) / 2.0;
    (y - s, b + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph_points(act: Activation) -> impl Iterator<Item = (f64, f64, f64)> {
        (-40..=40).flat_map(move |i| {
            (-4..=4).map(move |j| {
                let z = i as f64 * 0.05;
                let b = j as f64 * 0.3;
                (value(act, z), z + b, b)
            })
        })
    }

    fn on_graph(act: Activation, x: f64, y: f64, b: f64) -> bool {
        let z = y - b;
        match act {
            Activation::Step { width } => {
                (x == 0.0 && z <= -width / 2.0 + 1e-12) || (x == 1.0 && z >= width / 2.0 - 1e-12)
            }
            _ => (x - value(act, z)).abs() < 1e-12,
        }
    }

    const ACTS: [Activation; 4] = [
        Activation::Relu,
        Activation::Step { width: 0.4 },
        Activation::Zigmoid { width: 0.4 },
        Activation::Soft { tau: 0.3 },
    ];

    #[test]
    fn feasible_idempotent_optimal() {
        for act in ACTS {
            for i in 0..400 {
                let x = ((i * 37) % 101) as f64 / 25.0 - 2.0;
                let y = ((i * 53) % 97) as f64 / 20.0 - 2.4;
                let b = ((i * 11) % 89) as f64 / 30.0 - 1.5;
                let (xp, yp, bp) = project(act, x, y, b);
                assert!(on_graph(act, xp, yp, bp), "{act:?} {x} {y} {b} -> {xp} {yp} {bp}");
                let again = project(act, xp, yp, bp);
                assert!((again.0 - xp).abs() < 1e-12 && (again.1 - yp).abs() < 1e-12);
                let d = (xp - x).powi(2) + (yp - y).powi(2) + (bp - b).powi(2);
                for (gx, gy, gb) in graph_points(act).filter(|&(a, b, c)| on_graph(act, a, b, c)) {
                    let dg = (gx - x).powi(2) + (gy - y).powi(2) + (gb - b).powi(2);
                    assert!(d <= dg + 1e-9, "{act:?}: sampled point closer");
                }
            }
        }
    }

    #[test]
    fn fixed_reaches_value() {
        for act in ACTS {
            for v in [0.0, 1.0, 0.25] {
                let (y, b) = fixed(act, v, 0.37, -0.2);
                let want = match act {
                    Activation::Step { .. } => {
                        if v >= 0.5 {
                            1.0
                        } else {
                            0.0
                        }
                    }
                    _ => v,
                };
                assert!(on_graph(act, want, y, b), "{act:?} {v}");
                assert!(((y + b) - (0.37 - 0.2)).abs() < 1e-12);
            }
        }
    }
}
