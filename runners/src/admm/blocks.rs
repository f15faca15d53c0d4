//! The closed-form block updates that the layer-split ADMM of Taylor et al.
//! (2016) and the block-coordinate descent of Zeng et al. (2019) share, on a
//! feed-forward ReLU net with the variables of every layer split apart:
//! weights and biases `W_l, b_l`, pre-activations `z_l`, activations
//! `a_l = relu(z_l)` relaxed by penalties (one column per item).
//!
//! - [`weights`]: `argmin_{W,b} c/2 ‖Z − W A − b 1ᵀ‖² + α/2 ‖(W, b) − (W₀, b₀)‖²
//!   + λ/2 ‖W‖²`, regularised least squares from a Cholesky factor (Taylor:
//!   `α = 0`, the least-squares fit `Z A⁺`; Zeng: the proximal `α`);
//! - [`activations`]: `argmin_a c/2 ‖Z' − W' a − b'‖² + g/2 ‖a − h‖²` for all
//!   items at once, `(c W'ᵀW' + g I)⁻¹ (c W'ᵀ (Z' − b') + g h)`;
//! - [`relu_prox`]: `argmin_z g/2 (a − relu z)² + c/2 (z − m)²`, entry by
//!   entry, the better of the two pieces `z ≥ 0` and `z ≤ 0`;
//! - [`output_prox`]: `argmin_z ℓ(z) + c/2 (z − m)²` for the output loss
//!   `ℓ` (`lwl lifted`'s [`Output`]: squared error to the one-hot target,
//!   or the squared hinge to the class set of `lwl classify`), entry by
//!   entry.
//!
//! Work is counted in multiply-adds, as `lwl lifted` counts it (a Cholesky
//! factor as `n³/3`, each of its solves as `n²` per right-hand side).

use faer::linalg::solvers::Solve;
use faer::{Mat, MatRef, Side};

pub use crate::lifted::model::Output;

/// Why a block update failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotPositiveDefinite;

/// `argmin_{W,b} c/2 ‖Z − W A − b 1ᵀ‖² + α/2 (‖W − W₀‖² + ‖b − b₀‖²) + λ/2 ‖W‖²`
/// and the multiply-adds; `(w, b)` holds `(W₀, b₀)` on entry and the
/// minimiser on return.
pub fn weights(
    z: MatRef<'_, f64>,
    a: MatRef<'_, f64>,
    (c, alpha, lambda): (f64, f64, f64),
    w: &mut Mat<f64>,
    b: &mut [f64],
) -> Result<u64, NotPositiveDefinite> {
    let (n, m, items) = (a.nrows(), z.nrows(), a.ncols());
    // Ā = [A; 1ᵀ]: the normal equations (c Ā Āᵀ + α I + λ D) X = c Ā Zᵀ + α X₀
    let abar = Mat::from_fn(n + 1, items, |i, k| if i < n { a[(i, k)] } else { 1.0 });
    let mut gram = &abar * abar.transpose() * c;
    for i in 0..=n {
        gram[(i, i)] += alpha + if i < n { lambda } else { 0.0 };
    }
    let llt = gram.llt(Side::Lower).map_err(|_| NotPositiveDefinite)?;
    let mut rhs = &abar * z.transpose() * c;
    for i in 0..m {
        for j in 0..n {
            rhs[(j, i)] += alpha * w[(i, j)];
        }
        rhs[(n, i)] += alpha * b[i];
    }
    llt.solve_in_place(rhs.as_mut());
    for i in 0..m {
        for j in 0..n {
            w[(i, j)] = rhs[(j, i)];
        }
        b[i] = rhs[(n, i)];
    }
    let (n1, m, items) = ((n + 1) as u64, m as u64, items as u64);
    Ok(n1 * n1 * items + n1 * m * items + n1 * n1 * n1 / 3 + n1 * n1 * m)
}

/// `argmin_a c/2 ‖Z' − W' a − b' 1ᵀ‖² + g/2 ‖a − H‖²` (every column at once)
/// and the multiply-adds.
pub fn activations(
    next: (MatRef<'_, f64>, &[f64]),
    z_next: MatRef<'_, f64>,
    h: MatRef<'_, f64>,
    (c, g): (f64, f64),
) -> Result<(Mat<f64>, u64), NotPositiveDefinite> {
    let (w, b) = next;
    let (m, n, items) = (w.nrows(), w.ncols(), h.ncols());
    let mut gram = w.transpose() * w * c;
    for i in 0..n {
        gram[(i, i)] += g;
    }
    let llt = gram.llt(Side::Lower).map_err(|_| NotPositiveDefinite)?;
    let shifted = Mat::from_fn(m, items, |i, k| z_next[(i, k)] - b[i]);
    let mut rhs = w.transpose() * shifted * c + h * g;
    llt.solve_in_place(rhs.as_mut());
    let (m, n, items) = (m as u64, n as u64, items as u64);
    Ok((rhs, n * n * m + n * n * n / 3 + n * m * items + n * n * items))
}

/// `argmin_z g/2 (a − relu z)² + c/2 (z − m)²` (`g, c > 0`).
pub fn relu_prox(a: f64, m: f64, g: f64, c: f64) -> f64 {
    let f = |z: f64| 0.5 * g * (a - z.max(0.0)).powi(2) + 0.5 * c * (z - m).powi(2);
    let up = ((g * a + c * m) / (g + c)).max(0.0);
    let down = m.min(0.0);
    if f(up) <= f(down) { up } else { down }
}

/// `argmin_z ℓ(z; t) + c/2 (z − m)²` (`c > 0`).
pub fn output_prox(loss: Output, t: f64, m: f64, c: f64) -> f64 {
    match loss {
        Output::Squared => (t + c * m) / (1.0 + c),
        // the loss is zero on one side of its kink `k` and ½ (z − k)² on
        // the other: the prox keeps `m` on the flat side, else pulls it
        // toward `k` by the factor 1 / (1 + c)
        Output::Hinge(delta) if t > 0.5 => {
            if m >= delta {
                m
            } else {
                (delta + c * m) / (1.0 + c)
            }
        }
        Output::Hinge(_) => {
            if m <= 0.0 {
                m
            } else {
                c * m / (1.0 + c)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn random(r: usize, c: usize, rng: &mut Xoshiro256PlusPlus) -> Mat<f64> {
        Mat::from_fn(r, c, |_, _| 2.0 * rng.random::<f64>() - 1.0)
    }

    /// The scalar proxes beat a fine grid.
    #[test]
    fn proxes_minimise_by_brute_force() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..300 {
            let (a, m) = (3.0 * rng.random::<f64>() - 1.0, 4.0 * rng.random::<f64>() - 2.0);
            let (g, c) = (0.1 + 5.0 * rng.random::<f64>(), 0.1 + 5.0 * rng.random::<f64>());
            let f = |z: f64| 0.5 * g * (a - z.max(0.0)).powi(2) + 0.5 * c * (z - m).powi(2);
            let z = relu_prox(a, m, g, c);
            for loss in [Output::Squared, Output::Hinge(0.7)] {
                for t in [0.0, 1.0] {
                    let h = |z: f64| loss.term().value(z, t) + 0.5 * c * (z - m).powi(2);
                    let y = output_prox(loss, t, m, c);
                    for s in -4000..=4000 {
                        let v = s as f64 * 1e-3;
                        assert!(h(y) <= h(v) + 1e-12, "{loss:?} t {t} m {m} c {c}: {y} vs {v}");
                    }
                }
            }
            for s in -4000..=4000 {
                let v = s as f64 * 1e-3;
                assert!(f(z) <= f(v) + 1e-12, "a {a} m {m} g {g} c {c}: {z} vs {v}");
            }
        }
    }

    /// The weight and activation updates are stationary points of their
    /// convex problems (zero gradient) and beat random perturbations.
    #[test]
    fn least_squares_blocks_are_the_minimisers() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let (n, m, items) = (4, 3, 9);
        let (a, z) = (random(n, items, &mut rng), random(m, items, &mut rng));
        let (w0, b0) = (random(m, n, &mut rng), vec![0.3, -0.2, 0.1]);
        let (c, alpha, lambda) = (1.5, 0.7, 0.2);
        let (mut w, mut b) = (w0.clone(), b0.clone());
        weights(z.as_ref(), a.as_ref(), (c, alpha, lambda), &mut w, &mut b).unwrap();
        let f = |w: &Mat<f64>, b: &[f64]| {
            let mut r = 0.0;
            for k in 0..items {
                for i in 0..m {
                    let p: f64 = (0..n).map(|j| w[(i, j)] * a[(j, k)]).sum::<f64>() + b[i];
                    r += 0.5 * c * (z[(i, k)] - p).powi(2);
                }
            }
            r + 0.5
                * alpha
                * ((w - &w0).squared_norm_l2() + b.iter().zip(&b0).map(|(x, y)| (x - y).powi(2)).sum::<f64>())
                + 0.5 * lambda * w.squared_norm_l2()
        };
        let best = f(&w, &b);
        for _ in 0..500 {
            let dw = random(m, n, &mut rng) * 1e-3;
            let db: Vec<f64> = b.iter().map(|x| x + 1e-3 * (rng.random::<f64>() - 0.5)).collect();
            assert!(best <= f(&(&w + &dw), &db) + 1e-13);
        }
        // activations: the gradient c W'ᵀ(W' a + b' − Z') + g (a − H) vanishes
        let (wn, bn) = (random(m, n, &mut rng), vec![0.5, 0.0, -0.5]);
        let (zn, h) = (random(m, items, &mut rng), random(n, items, &mut rng));
        let (act, _) = activations((wn.as_ref(), &bn), zn.as_ref(), h.as_ref(), (c, 2.0)).unwrap();
        let mut res = &wn * &act - &zn;
        for k in 0..items {
            for i in 0..m {
                res[(i, k)] += bn[i];
            }
        }
        let grad = wn.transpose() * res * c + (&act - &h) * 2.0;
        assert!(grad.norm_l2() < 1e-12, "{}", grad.norm_l2());
    }

    /// Without a penalty, rank-deficient inputs have no unique fit.
    #[test]
    fn singular_normal_equations_are_refused() {
        let a = Mat::<f64>::zeros(3, 5);
        let z = Mat::<f64>::zeros(2, 5);
        let (mut w, mut b) = (Mat::zeros(2, 3), vec![0.0; 2]);
        assert_eq!(weights(z.as_ref(), a.as_ref(), (1.0, 0.0, 0.0), &mut w, &mut b), Err(NotPositiveDefinite));
    }
}
