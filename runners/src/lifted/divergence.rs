//! The terms of the lifted objective, entry by entry, and the exact
//! one-dimensional minimiser of a state (the Bregman lifted networks paper,
//! eq. 1–3; the implicit-models paper, eq. 7–8).
//!
//! Both activations are proximal maps, `σ = prox_Ψ` with `Ψ` convex. Write
//! `Φ = Ψ + ½x²`; then `Φ' = σ⁻¹` and the convex conjugate `Φ*` has
//! derivative `σ`:
//!
//! - ReLU: `Ψ` the indicator of `x ≥ 0`; `Φ(x) = ½x²` on `x ≥ 0`,
//!   `Φ*(z) = ½ relu(z)²`;
//! - tanh: `Φ(x) = x atanh x + ½ log(1 − x²)` on `|x| ≤ 1`,
//!   `Φ*(z) = log cosh z`.
//!
//! A hidden state `x` is tied to its pre-activation `z` by
//!
//! - the quadratic penalty (classical lifted networks, eq. 1):
//!   `½(x − z)² + Ψ(x) = Φ(x) − xz + ½z²`, whose minimiser over `x` is
//!   `σ(z)`; for ReLU it is `½(x − z)²` with `x ≥ 0`;
//! - the Bregman penalty (eq. 3, the Fenchel divergence of the implicit
//!   paper's eq. 7 for ReLU and eq. 8 for tanh): `Φ(x) + Φ*(z) − xz ≥ 0`,
//!   zero exactly where `x = σ(z)`.
//!
//! They differ by `½z² − Φ*(z)`, a function of `z` alone (for ReLU
//! `½ min(z, 0)²`: the quadratic penalty also pulls negative
//! pre-activations up to zero). So in `x` both are `Φ(x) − xz` up to a
//! constant; in `z` the quadratic one is `½z² − xz`, a least-squares term
//! with target `x`, and the Bregman one has gradient `σ(z) − x`, no
//! derivative of σ, and curvature `σ'(z) ≤ 1`.
//!
//! The output terms, against the one-hot target `t`: the squared error
//! `½(z − t)²`, and the squared hinge `½ dist²(z, C)` with `C` the class
//! set of `lwl classify` (`z ≥ Δ` at the item's class, `z ≤ 0` elsewhere),
//! whose gradient `z − P_C(z)` is 1-Lipschitz.

use crate::feedforward::Activation;

/// The term of one layer, as a function of one entry `z` of the layer's
/// pre-activations and its target `t` (the state, or the one-hot target).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Term {
    /// Output: `½(z − t)²`.
    Squared,
    /// Output: `½ dist²(z, C)`, class margin Δ.
    Hinge(f64),
    /// Hidden: `Φ(t) − tz + ½z²`.
    Quadratic(Activation),
    /// Hidden: `Φ(t) + Φ*(z) − tz`.
    Bregman(Activation),
}

impl Term {
    /// The term's value.
    pub fn value(self, z: f64, t: f64) -> f64 {
        match self {
            Self::Squared => 0.5 * (z - t) * (z - t),
            Self::Hinge(_) => 0.5 * self.residual(z, t).powi(2),
            Self::Quadratic(Activation::Relu) => 0.5 * (t - z) * (t - z),
            Self::Quadratic(act) => phi(act, t) - t * z + 0.5 * z * z,
            Self::Bregman(act) => bregman(act, t, z),
        }
    }

    /// The derivative in `z`.
    pub fn residual(self, z: f64, t: f64) -> f64 {
        match self {
            Self::Squared | Self::Quadratic(_) => z - t,
            Self::Hinge(delta) if t > 0.5 => (z - delta).min(0.0),
            Self::Hinge(_) => z.max(0.0),
            Self::Bregman(act) => act.apply(z) - t,
        }
    }

    /// Whether the term is `½z² − tz` plus a constant, so that the weights
    /// below it have a least-squares minimiser with target `t`; otherwise
    /// its curvature in `z` is at most 1 and the weights take the
    /// minimiser of that quadratic majorant.
    pub fn exact(self) -> bool {
        matches!(self, Self::Squared | Self::Quadratic(_))
    }
}

/// `Φ(x)` (for states inside the activation's range).
pub fn phi(act: Activation, x: f64) -> f64 {
    match act {
        Activation::Relu => 0.5 * x * x,
        Activation::Tanh if x.abs() > 1.0 => f64::INFINITY,
        // the limit at |x| = 1
        Activation::Tanh if x.abs() == 1.0 => std::f64::consts::LN_2,
        Activation::Tanh => x * x.atanh() + 0.5 * ((1.0 - x) * (1.0 + x)).ln(),
        // the indicator of [0, 1]
        Activation::Step if (0.0..=1.0).contains(&x) => 0.0,
        Activation::Step => f64::INFINITY,
    }
}

/// `Φ*(z)`.
pub fn phi_star(act: Activation, z: f64) -> f64 {
    match act {
        Activation::Relu => 0.5 * z.max(0.0).powi(2),
        Activation::Step => z.max(0.0),
        // log cosh z without overflow
        Activation::Tanh => z.abs() + (-2.0 * z.abs()).exp().ln_1p() - std::f64::consts::LN_2,
    }
}

/// The Bregman loss `Φ(x) + Φ*(z) − xz`.
pub fn bregman(act: Activation, x: f64, z: f64) -> f64 {
    phi(act, x) + phi_star(act, z) - x * z
}

/// The minimiser over the activation's range of
/// `γ (Φ(x) − xz) + a (x − x₀) + ½ c (x − x₀)²` (`γ > 0`, `c ≥ 0`): a
/// state's own penalty plus the next layer's term, exact or majorised.
pub fn solve_state(act: Activation, gamma: f64, z: f64, a: f64, c: f64, x0: f64) -> f64 {
    match act {
        Activation::Relu => ((gamma * z + c * x0 - a) / (gamma + c)).max(0.0),
        // linear in x on [0, 1] plus the proximal term: its clamped root,
        // or without one the better end
        Activation::Step if c > 0.0 => (x0 + (gamma * z - a) / c).clamp(0.0, 1.0),
        Activation::Step => f64::from(u8::from(gamma * z - a > 0.0)),
        Activation::Tanh => {
            // x = tanh s with g(s) = γ(s − z) + a + c(tanh s − x₀) = 0, g
            // increasing; tanh s ∈ [−1, 1] brackets the root. Newton's
            // method from the current state, safeguarded by bisection
            // wherever a step would leave the bracket or not halve.
            let (mut lo, mut hi) = (z - (a + c * (1.0 - x0)) / gamma, z - (a - c * (1.0 + x0)) / gamma);
            let mut s = x0.atanh().max(lo).min(hi);
            let mut dx = hi - lo;
            for _ in 0..200 {
                let th = s.tanh();
                let v = gamma * (s - z) + a + c * (th - x0);
                if v == 0.0 {
                    break;
                }
                if v > 0.0 {
                    hi = s
                } else {
                    lo = s
                }
                let slope = gamma + c * (1.0 - th * th);
                let newton = s - v / slope;
                if newton == s {
                    // the step is below the resolution of s: converged
                    break;
                }
                let dxold = dx;
                if !(newton > lo && newton < hi) || (2.0 * v).abs() > (dxold * slope).abs() {
                    dx = 0.5 * (hi - lo);
                    s = lo + dx;
                } else {
                    dx = v / slope;
                    s = newton;
                }
                if dx.abs() <= 1e-15 * (1.0 + s.abs()) {
                    break;
                }
            }
            s.tanh()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    const ACTS: [Activation; 3] = [Activation::Relu, Activation::Tanh, Activation::Step];

    /// A range of states to search: the activation's range (ReLU's cut).
    fn range(act: Activation) -> (f64, f64) {
        match act {
            Activation::Relu => (0.0, 3.0),
            Activation::Tanh => (-1.0, 1.0),
            Activation::Step => (0.0, 1.0),
        }
    }

    /// Eq. 8 of the implicit-models paper, written as it is printed.
    fn eq8(x: f64, z: f64) -> f64 {
        0.5 * (x * ((1.0 + x) / (1.0 - x)).ln() + (1.0 - x * x).abs().ln()) + z.cosh().ln() - x * z
    }

    #[test]
    fn tanh_bregman_loss_is_eq8_nonnegative_and_zero_on_the_graph() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        for _ in 0..1000 {
            let (x, z) = (rng.random::<f64>() * 1.98 - 0.99, rng.random::<f64>() * 8.0 - 4.0);
            let f = bregman(Activation::Tanh, x, z);
            assert!((f - eq8(x, z)).abs() < 1e-12, "({x}, {z}): {f} against {}", eq8(x, z));
            assert!(f >= -1e-15);
            assert!(bregman(Activation::Tanh, z.tanh(), z).abs() < 1e-12);
        }
        // the limit at the edge of the range, and no overflow of cosh
        assert!((bregman(Activation::Tanh, 1.0, 800.0) - 0.0).abs() < 1e-9);
        assert!(bregman(Activation::Tanh, 0.5, -800.0).is_finite());
    }

    /// `Φ*` is the conjugate of `Φ`: `sup_x xz − Φ(x)`, by a fine grid.
    #[test]
    fn phi_star_is_the_conjugate_of_phi() {
        for act in ACTS {
            for z in [-2.0, -0.3, 0.0, 0.7, 1.9] {
                let (a, b) = range(act);
                let sup = (0..=200_000)
                    .map(|i| a + (b - a) * i as f64 / 200_000.0)
                    .map(|x| x * z - phi(act, x))
                    .fold(f64::NEG_INFINITY, f64::max);
                assert!((sup - phi_star(act, z)).abs() < 1e-8, "{act:?} z {z}: {sup} against {}", phi_star(act, z));
            }
        }
    }

    /// The quadratic penalty's minimiser over the states is σ(z), and it
    /// exceeds the Bregman loss by a function of z alone.
    #[test]
    fn quadratic_and_bregman_penalties_differ_by_a_function_of_z() {
        for act in ACTS {
            for z in [-1.5, -0.2, 0.4, 2.0] {
                let d = |x: f64| Term::Quadratic(act).value(z, x) - Term::Bregman(act).value(z, x);
                let xs = match act {
                    Activation::Relu => [0.0, 0.3, 2.0],
                    Activation::Tanh => [-0.9, 0.1, 0.8],
                    Activation::Step => [0.0, 0.4, 1.0],
                };
                assert!(xs.iter().all(|&x| (d(x) - d(xs[0])).abs() < 1e-12), "{act:?} z {z}");
                assert!((d(xs[0]) - (0.5 * z * z - phi_star(act, z))).abs() < 1e-12);
                let best = solve_state(act, 1.0, z, 0.0, 0.0, 0.0);
                assert!((best - act.apply(z)).abs() < 1e-12, "{act:?} z {z}: {best}");
            }
        }
    }

    /// The state solve is the minimiser: it equals the best point of a fine
    /// grid over the activation's range.
    #[test]
    fn state_solve_equals_a_grid_search() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
        for act in ACTS {
            for _ in 0..40 {
                let (gamma, z, a) =
                    (0.1 + rng.random::<f64>() * 2.0, rng.random::<f64>() * 6.0 - 3.0, rng.random::<f64>() * 4.0 - 2.0);
                let c = rng.random::<f64>() * 3.0;
                let (lo, hi) = if act == Activation::Relu { (0.0, 10.0) } else { range(act) };
                let x0 = lo + rng.random::<f64>() * (hi.min(2.0) - lo);
                let f = |x: f64| gamma * (phi(act, x) - x * z) + a * (x - x0) + 0.5 * c * (x - x0).powi(2);
                let grid = (0..=400_000).map(|i| lo + (hi - lo) * i as f64 / 400_000.0);
                let best = grid.map(|x| (f(x), x)).fold((f64::INFINITY, 0.0), |b, p| if p.0 < b.0 { p } else { b });
                let x = solve_state(act, gamma, z, a, c, x0);
                assert!(f(x) <= best.0 + 1e-10, "{act:?}: f({x}) = {} above the grid's {} at {}", f(x), best.0, best.1);
                assert!((x - best.1).abs() < 1e-3, "{act:?}: {x} against {}", best.1);
            }
        }
    }

    /// The hinge residual is `z − P_C(z)` with `P_C` computed by brute force
    /// (the nearest point of a fine grid of the set).
    #[test]
    fn hinge_residual_is_the_distance_to_the_class_set() {
        let delta = 0.7;
        for z in [-1.0, -0.1, 0.0, 0.3, 0.69, 0.7, 1.5] {
            for t in [0.0, 1.0] {
                // the class node's set is [Δ, ∞), the others' (−∞, 0]
                let near = (0..=40_000)
                    .map(|i| if t > 0.5 { delta + i as f64 * 1e-4 } else { -(i as f64) * 1e-4 })
                    .min_by(|a, b| (a - z).abs().total_cmp(&(b - z).abs()))
                    .unwrap();
                let r = Term::Hinge(delta).residual(z, t);
                assert!((r - (z - near)).abs() < 1e-4, "z {z} t {t}: {r} against {}", z - near);
                assert!((Term::Hinge(delta).value(z, t) - 0.5 * (z - near).powi(2)).abs() < 1e-4);
            }
        }
    }

    /// Every term's residual is its derivative in z (central differences).
    #[test]
    fn residuals_are_derivatives() {
        let terms = [
            Term::Squared,
            Term::Hinge(0.5),
            Term::Quadratic(Activation::Relu),
            Term::Quadratic(Activation::Tanh),
            Term::Bregman(Activation::Relu),
            Term::Bregman(Activation::Tanh),
        ];
        for term in terms {
            for (z, t) in [(-0.8, 0.3), (0.25, 0.6), (1.3, 0.0), (0.1, 1.0)] {
                let e = 1e-6;
                let fd = (term.value(z + e, t) - term.value(z - e, t)) / (2.0 * e);
                assert!(
                    (fd - term.residual(z, t)).abs() < 1e-6,
                    "{term:?} ({z}, {t}): {fd} against {}",
                    term.residual(z, t)
                );
            }
        }
    }
}
