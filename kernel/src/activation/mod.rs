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
//! Activations: ReLU (section 5.2), the gapped step of Fig. 2 and the
//! zigmoid of Fig. 17 of full width `Δ = 2h` (`z` from `-h` to `+h`), each
//! with the reference programs' formulas and boundary rules bit for bit
//! (RRRclass for ReLU, RRRauto for the step and the zigmoid: the golden
//! cases of `tests/golden/`, the autoencoder case `auto_8_3_8` included);
//! and the soft threshold `u = sign(z) max(|z| - τ, 0)` of the
//! local-propagation paper (eq. 4), which no reference program has.
//!
//! Boundary conventions (the paper leaves them open; where a reference
//! program exists, they are its):
//!
//! | set | value `f(z)` at a boundary | projection tie (equal distances) |
//! |---|---|---|
//! | ReLU | `f(0) = 0` | `d(X=0) < d(X>0)` strictly takes `X = 0`, else the linear piece |
//! | step | `f(0) = 0` (`z ≤ 0` gives 0, `z > 0` gives 1) | candidate 1 (`X = 1`): 0 only when strictly nearer |
//! | zigmoid | `(z + h)/Δ` for `|z| < h`; `f(-h) = 0`, `f(h) = 1`, `f(0) = 0` at `Δ = 0` | between 0 and 1 as the step; the ramp only when strictly nearer than that choice |
//! | soft | `f(±τ) = 0` | the lower piece (in `z`) |
//! | class node | — | moves only on a strict violation (`z < Δ` true class, `z > 0` others: `class.rs`) |
//!
//! The step and the zigmoid at zero: the feed-around of an autoencoder
//! reaches `y - b = 0` exactly whenever a weighted sum is exactly zero (the
//! all-zero code of binary encoding gives `y = 0` at every data node), so
//! `f(0)` decides the initial iterate. The zigmoid's ramp is the
//! unclamped projection onto its line, kept only when `X' ∈ [0, 1]`.

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

/// The three pieces of the soft threshold's graph.
fn soft_pieces(tau: f64) -> [Piece; 3] {
    let t = if tau > 0.0 { tau } else { 0.0 };
    [
        Piece { a: 1.0, c: t, lo: NEG, hi: -t },
        Piece { a: 0.0, c: 0.0, lo: -t, hi: t },
        Piece { a: 1.0, c: -t, lo: t, hi: POS },
    ]
}

fn half(width: f64) -> f64 {
    if width > 0.0 { 0.5 * width } else { 0.0 }
}

/// `f(z)` for the forward pass and the feed-around: the step gives 0 at
/// `z ≤ 0` and 1 above (the reference's rule), the zigmoid `(z + h)/Δ` on
/// `|z| < h` and the step's values outside.
pub fn value(act: Activation, z: f64) -> f64 {
    match act {
        Activation::Relu => {
            if z > 0.0 {
                z
            } else {
                0.0
            }
        }
        Activation::Zigmoid { width } if half(width) > 0.0 && z.abs() < half(width) => (z + half(width)) / width,
        Activation::Step { .. } | Activation::Zigmoid { .. } => {
            if z <= 0.0 {
                0.0
            } else {
                1.0
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
pub fn relu(xa: f64, y: f64, b: f64) -> (f64, f64, f64) {
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

/// Lane twin of [`relu`] (identical bits per lane).
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

/// The step's two candidates as RRRauto's `actproj` forms them, for
/// `X = 0` (`z ≤ -h`) and `X = 1` (`z ≥ h`), and the nearer one as
/// `(X', y', b', d)`, `d` the squared distance; the tie goes to 1.
#[inline(always)]
fn gap(x: f64, y: f64, b: f64, h: f64) -> (f64, f64, f64, f64) {
    let z = y - b;
    let mut d0 = x * x;
    let s = (z + h) / 2.0;
    let (y0, b0) = if s < 0.0 {
        (y, b)
    } else {
        d0 += (2.0 * s) * s;
        (y - s, b + s)
    };
    let mut d1 = (1.0 - x) * (1.0 - x);
    let s = (z - h) / 2.0;
    let (y1, b1) = if s > 0.0 {
        (y, b)
    } else {
        d1 += (2.0 * s) * s;
        (y - s, b + s)
    };
    if d0 < d1 { (0.0, y0, b0, d0) } else { (1.0, y1, b1, d1) }
}

/// Projection to the graph of the step (`ramp` `None`) or the zigmoid of
/// width `Δ = 2h` (`ramp` `Some(Δ)`, `h > 0`), as RRRauto's `actproj`: the
/// nearer flat piece (a tie to `X = 1`), replaced by the ramp's projection
/// when that lies on the ramp (`X' ∈ [0, 1]`) and is strictly nearer.
fn step_or_zigmoid(x: f64, y: f64, b: f64, h: f64, ramp: Option<f64>) -> (f64, f64, f64) {
    let flat = gap(x, y, b, h);
    if let Some(width) = ramp {
        let k = 1.0 + 0.5 / (h * h);
        let s = (x - (y - b) / width - 0.5) / k;
        let xz = x - s;
        if (0.0..=1.0).contains(&xz) && k * s * s < flat.3 {
            return (xz, y + s / width, b - s / width);
        }
    }
    (flat.0, flat.1, flat.2)
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
/// `(X', y', b')`, with the boundary rules of the table above.
pub fn project(act: Activation, x: f64, y: f64, b: f64) -> (f64, f64, f64) {
    match act {
        Activation::Relu => relu(x, y, b),
        Activation::Step { width } => step_or_zigmoid(x, y, b, half(width), None),
        Activation::Zigmoid { width } => {
            let h = half(width);
            step_or_zigmoid(x, y, b, h, (h > 0.0).then_some(width))
        }
        Activation::Soft { tau } => {
            let ps = soft_pieces(tau);
            let mut best = piece_proj(&ps[0], x, y, b);
            for p in &ps[1..] {
                let c = piece_proj(p, x, y, b);
                if c.3 < best.3 {
                    best = c;
                }
            }
            (best.0, best.1, best.2)
        }
    }
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

/// Lane twin of [`step_or_zigmoid`] (identical bits per lane).
#[inline(always)]
fn step_or_zigmoid_lanes(x: V, y: V, b: V, h: f64, ramp: Option<f64>) -> (V, V, V) {
    let (zero, one, two) = (V::splat(0.0), V::splat(1.0), V::splat(2.0));
    let z = y - b;
    let s0 = (z + V::splat(h)) / two;
    let move0 = !s0.simd_lt(zero);
    let d0 = x * x;
    let d0 = move0.select(d0 + (two * s0) * s0, d0);
    let (y0, b0) = (move0.select(y - s0, y), move0.select(b + s0, b));
    let s1 = (z - V::splat(h)) / two;
    let move1 = !s1.simd_gt(zero);
    let d1 = (one - x) * (one - x);
    let d1 = move1.select(d1 + (two * s1) * s1, d1);
    let (y1, b1) = (move1.select(y - s1, y), move1.select(b + s1, b));
    let pick0 = d0.simd_lt(d1);
    let (xf, yf, bf, df) = (pick0.select(zero, one), pick0.select(y0, y1), pick0.select(b0, b1), pick0.select(d0, d1));
    match ramp {
        Some(width) => {
            let (k, w) = (V::splat(1.0 + 0.5 / (h * h)), V::splat(width));
            let s = (x - z / w - V::splat(0.5)) / k;
            let xz = x - s;
            let on = !xz.simd_lt(zero) & !xz.simd_gt(one) & xz.simd_eq(xz) & (k * s * s).simd_lt(df);
            (on.select(xz, xf), on.select(y + s / w, yf), on.select(b - s / w, bf))
        }
        None => (xf, yf, bf),
    }
}

/// Lane twin of [`project`] (identical bits per lane).
#[inline(always)]
pub fn project_lanes(act: Activation, x: V, y: V, b: V) -> (V, V, V) {
    match act {
        Activation::Relu => relu_lanes(x, y, b),
        Activation::Step { width } => step_or_zigmoid_lanes(x, y, b, half(width), None),
        Activation::Zigmoid { width } => {
            let h = half(width);
            step_or_zigmoid_lanes(x, y, b, h, (h > 0.0).then_some(width))
        }
        Activation::Soft { tau } => {
            let ps = soft_pieces(tau);
            let mut best = piece_lanes(&ps[0], x, y, b);
            for p in &ps[1..] {
                let c = piece_lanes(p, x, y, b);
                let m = c.3.simd_lt(best.3);
                best = (m.select(c.0, best.0), m.select(c.1, best.1), m.select(c.2, best.2), m.select(c.3, best.3));
            }
            (best.0, best.1, best.2)
        }
    }
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
        // the ramp's interior values are handled by `fixed`
        Activation::Zigmoid { width } => {
            let h = half(width);
            if v >= 1.0 { (h, POS) } else { (NEG, -h) }
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
    if let Activation::Zigmoid { width } = act {
        let h = half(width);
        if h > 0.0 && v > 0.0 && v < 1.0 {
            // RRRauto's `autoproj`: z moves to the ramp point h(2v - 1)
            let s = ((y - b) + h * (1.0 - 2.0 * v)) / 2.0;
            return (y - s, b + s);
        }
    }
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
mod tests;
