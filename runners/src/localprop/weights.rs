//! The forward weight update of the local propagation learner (the local
//! propagation constraints paper, eq. 16 with the weight constraint
//! `𝒱(A)` of section 2.2): the exact minimiser of
//!
//! `½‖A X − W‖²_F + λ₂/2 ‖A‖²_F − λ₄ log |det AᵀA|`
//!
//! for a square `A`. With `X Xᵀ + λ₂ I = L Lᵀ` (Cholesky) and the SVD
//! `W Xᵀ L⁻ᵀ = Q Σ Rᵀ`, the gradient `(A X − W) Xᵀ + λ₂ A − 2λ₄ A⁻ᵀ`
//! vanishes at `A = Q D Rᵀ L⁻¹` with `D = (Σ + (Σ² + 8λ₄)^½) / 2`, the
//! closed form of sparsifying transform learning (Ravishankar and Bresler;
//! the "approximate closed form" the paper cites drops its coherence term
//! `λ₃‖AAᵀ − I‖²`, which has none: we leave `λ₃` out). `λ₄ = 0` gives ridge
//! regression `W Xᵀ (X Xᵀ + λ₂ I)⁻¹`.
//!
//! Without the coherence term nothing ties the scale of `A` to that of its
//! backward twin `B = Aᵀ`, and the diffusion term `λ_f A_lᵀ e_{l+1}` then
//! grows with `‖A‖²`: on a two-node chain the weights grew tenfold per
//! iteration. The coherence term's limit `λ₃ → ∞` is the constraint
//! `A Aᵀ = I` (which makes `λ₂` and `λ₄` constants); its exact minimiser is
//! orthogonal Procrustes, `A = Q Rᵀ` for the SVD `W Xᵀ = Q Σ Rᵀ`
//! ([`procrustes`]), the default of `lwl localprop`.

use faer::linalg::triangular_solve::{solve_lower_triangular_in_place, solve_upper_triangular_in_place};
use faer::{Mat, MatRef, Par, Side};

/// The weight constraint's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conditioning {
    /// `λ₂`, the Frobenius penalty.
    pub lambda2: f64,
    /// `λ₄`, the log-determinant barrier (keeps `A` invertible).
    pub lambda4: f64,
}

/// Why the update failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightError {
    /// `X Xᵀ + λ₂ I` is not positive definite (λ₂ = 0 with rank-deficient data).
    NotPositiveDefinite,
    /// The SVD did not converge.
    Svd,
}

/// The minimiser and its multiply-adds (the products counted exactly, the
/// Cholesky factor as `N³/3`, each triangular solve as `N³/2`, the SVD as
/// `11 N³`, half of Golub and Van Loan's flop count).
pub fn update(x: MatRef<'_, f64>, w: MatRef<'_, f64>, c: Conditioning) -> Result<(Mat<f64>, u64), WeightError> {
    let (n, m) = (x.nrows(), x.ncols());
    let mut gram = x * x.transpose();
    for i in 0..n {
        gram[(i, i)] += c.lambda2;
    }
    let llt = gram.llt(Side::Lower).map_err(|_| WeightError::NotPositiveDefinite)?;
    let l = llt.L();
    // Kᵀ = L⁻¹ (W Xᵀ)ᵀ = L⁻¹ X Wᵀ
    let mut kt = x * w.transpose();
    solve_lower_triangular_in_place(l, kt.as_mut(), Par::Seq);
    let svd = kt.transpose().svd().map_err(|_| WeightError::Svd)?;
    let s = svd.S().column_vector();
    let d: Vec<f64> = (0..n).map(|i| 0.5 * (s[i] + (s[i] * s[i] + 8.0 * c.lambda4).sqrt())).collect();
    let (q, r) = (svd.U(), svd.V());
    // B = Q D Rᵀ, then Aᵀ = L⁻ᵀ Bᵀ
    let qd = Mat::from_fn(n, n, |i, j| q[(i, j)] * d[j]);
    let mut at = r * qd.transpose();
    solve_upper_triangular_in_place(l.transpose(), at.as_mut(), Par::Seq);
    let nn = (n * n) as u64;
    let work = 2 * nn * m as u64 + nn * n as u64 * (2 + 3 + 3 + 66 + 6) / 6;
    Ok((at.transpose().to_owned(), work))
}

/// The orthogonal `A` nearest to mapping `X` to `W`: the minimiser of
/// `½‖A X − W‖²_F` subject to `A Aᵀ = I`, and its multiply-adds (the product
/// exactly, the SVD as `11 N³`, the last product `N³`).
pub fn procrustes(x: MatRef<'_, f64>, w: MatRef<'_, f64>) -> Result<(Mat<f64>, u64), WeightError> {
    let (n, m) = (x.nrows(), x.ncols());
    let p = w * x.transpose();
    let svd = p.svd().map_err(|_| WeightError::Svd)?;
    let a = svd.U() * svd.V().transpose();
    let nn = (n * n) as u64;
    Ok((a, nn * m as u64 + 12 * nn * n as u64))
}

/// The objective `½‖A X − W‖² + λ₂/2 ‖A‖² − λ₄ log |det AᵀA|`; infinite for
/// a singular `A` when `λ₄ > 0`.
pub fn objective(a: MatRef<'_, f64>, x: MatRef<'_, f64>, w: MatRef<'_, f64>, c: Conditioning) -> f64 {
    let r = a * x - w;
    let fit = 0.5 * r.squared_norm_l2() + 0.5 * c.lambda2 * a.squared_norm_l2();
    if c.lambda4 == 0.0 {
        return fit;
    }
    let Ok(s) = a.singular_values() else { return f64::INFINITY };
    let logdet: f64 = s.iter().map(|v| 2.0 * v.ln()).sum();
    fit - c.lambda4 * logdet
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::linalg::solvers::DenseSolveCore;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn random(n: usize, m: usize, rng: &mut Xoshiro256PlusPlus) -> Mat<f64> {
        Mat::from_fn(n, m, |_, _| 2.0 * rng.random::<f64>() - 1.0)
    }

    /// The closed form is a stationary point and no perturbation nor random
    /// matrix does better (the objective is not convex in A, but this
    /// stationary point is its global minimum).
    #[test]
    fn closed_form_minimises_by_brute_force() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        for (n, m, lambda2, lambda4) in [(2, 7, 0.5, 0.3), (3, 9, 0.1, 1.0), (4, 5, 1.0, 0.0), (3, 20, 0.0, 0.5)] {
            let (x, w) = (random(n, m, &mut rng), random(n, m, &mut rng));
            let c = Conditioning { lambda2, lambda4 };
            let (a, work) = update(x.as_ref(), w.as_ref(), c).unwrap();
            assert!(work > 0);
            // gradient (A X − W) Xᵀ + λ₂ A − 2 λ₄ A⁻ᵀ
            let mut grad = (&a * &x - &w) * x.transpose() + &a * lambda2;
            if lambda4 > 0.0 {
                let inv = a.transpose().to_owned().partial_piv_lu().inverse();
                grad -= &inv * (2.0 * lambda4);
            }
            assert!(grad.norm_l2() < 1e-9 * (1.0 + a.norm_l2()), "{n}×{m}: gradient {}", grad.norm_l2());
            let best = objective(a.as_ref(), x.as_ref(), w.as_ref(), c);
            for t in 0..2000 {
                let scale = [1e-3, 1e-1, 1.0][t % 3];
                let b = &a + random(n, n, &mut rng) * scale;
                let other = objective(b.as_ref(), x.as_ref(), w.as_ref(), c);
                assert!(best <= other + 1e-12, "{n}×{m}: {other} at a perturbation beats {best}");
            }
            if lambda4 == 0.0 {
                // ridge regression
                let mut g = &x * x.transpose();
                (0..n).for_each(|i| g[(i, i)] += lambda2);
                let ridge = (&w * x.transpose()) * g.partial_piv_lu().inverse();
                assert!((&ridge - &a).norm_l2() < 1e-10);
            }
        }
    }

    /// Procrustes is orthogonal and no orthogonal matrix does better: random
    /// rotations and reflections (by QR of normal matrices) and small
    /// rotations of the solution itself.
    #[test]
    fn procrustes_is_the_nearest_orthogonal_map() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
        for (n, m) in [(2, 5), (3, 8), (5, 4)] {
            let (x, w) = (random(n, m, &mut rng), random(n, m, &mut rng));
            let (a, _) = procrustes(x.as_ref(), w.as_ref()).unwrap();
            assert!((&a * a.transpose() - Mat::<f64>::identity(n, n)).norm_l2() < 1e-12);
            let f = |b: &Mat<f64>| 0.5 * (b * &x - &w).squared_norm_l2();
            let best = f(&a);
            for t in 0..2000 {
                let g = if t % 2 == 0 { random(n, n, &mut rng) } else { &a + random(n, n, &mut rng) * 1e-2 };
                let q = g.qr().compute_Q();
                assert!(best <= f(&q) + 1e-12, "{n}×{m}: {} beats {best}", f(&q));
            }
        }
    }

    #[test]
    fn rank_deficient_data_without_a_penalty_is_refused() {
        let x = Mat::from_fn(3, 2, |i, k| (i + k) as f64);
        let c = Conditioning { lambda2: 0.0, lambda4: 0.1 };
        assert_eq!(update(x.as_ref(), x.as_ref(), c).unwrap_err(), WeightError::NotPositiveDefinite);
    }
}
