//! The sparse tanh teacher of the implicit deep learning paper's section
//! 7.1: a net `ŷ(u) = W_3 tanh(W_2 tanh(W_1 u))` (no biases) of layer sizes
//! 20 → 12 → 6 → 5 by default, each weight zero with probability 0.7 and
//! otherwise uniform in [−0.5, 0.5]; inputs drawn from a zero-mean normal
//! with covariance `Σ = M Mᵀ − λ_min(M Mᵀ) I`, `M` uniform in [−0.5, 0.5]
//! (`p × p`), a fresh `M` for the test set; targets the teacher's outputs.
//!
//! Everything comes from one seed, drawn in this order: the weights layer
//! by layer (row-major, a coin then a value per entry), the training
//! covariance's `M` (row-major), the training inputs (item by item, by
//! Box–Muller), then the test set's `M` and inputs.

use faer::{Mat, MatRef, Side};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::error::Error;

/// The teacher's layers (section 7.1).
pub const LAYERS: [usize; 4] = [20, 12, 6, 5];

/// Probability that a teacher weight is zero.
pub const SPARSITY: f64 = 0.7;

/// Inputs and real targets, one column per item.
#[derive(Clone, Debug)]
pub struct Regression {
    /// Inputs `U`, `p × m`.
    pub u: Mat<f64>,
    /// Targets `Y`, `q × m`.
    pub y: Mat<f64>,
}

/// A teacher and its training and test sets.
#[derive(Clone, Debug)]
pub struct Teacher {
    /// The weights `W_1 … W_L`.
    pub w: Vec<Mat<f64>>,
    /// The training set.
    pub train: Regression,
    /// The test set (drawn with an independent covariance).
    pub test: Regression,
}

/// The teacher's outputs for inputs `u`.
pub fn outputs(w: &[Mat<f64>], u: MatRef<'_, f64>) -> Mat<f64> {
    let mut a = u.to_owned();
    for (l, wl) in w.iter().enumerate() {
        a = wl * &a;
        if l + 1 < w.len() {
            for k in 0..a.ncols() {
                for i in 0..a.nrows() {
                    a[(i, k)] = a[(i, k)].tanh();
                }
            }
        }
    }
    a
}

/// A standard normal draw (Box–Muller, one of the pair).
pub fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    // 1 − U in (0, 1]: the logarithm is finite
    let r = (-2.0 * (1.0 - rng.random::<f64>()).ln()).sqrt();
    r * (std::f64::consts::TAU * rng.random::<f64>()).cos()
}

/// `m` inputs from `N(0, M Mᵀ − λ_min I)` with a fresh `M` (`p × p`).
fn inputs(p: usize, m: usize, rng: &mut Xoshiro256PlusPlus) -> Result<Mat<f64>, Error> {
    let mm = Mat::from_fn(p, p, |_, _| rng.random::<f64>() - 0.5);
    let sigma = &mm * mm.transpose();
    let eig = sigma
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| Error::Usage(format!("the teacher's covariance has no eigendecomposition: {e:?}")))?;
    let s = eig.S().column_vector();
    let lmin = (0..p).map(|i| s[i]).fold(f64::INFINITY, f64::min);
    // Σ = V diag(s − λ_min) Vᵀ, so u = V diag(√(s − λ_min)) g with g ~ N(0, I)
    let root = Mat::from_fn(p, p, |i, j| eig.U()[(i, j)] * (s[j] - lmin).max(0.0).sqrt());
    let mut g = Mat::zeros(p, m);
    for k in 0..m {
        for i in 0..p {
            g[(i, k)] = normal(rng);
        }
    }
    Ok(&root * &g)
}

/// A teacher of layer sizes `sizes` with `train` training and `test` test
/// items, from `seed`.
pub fn generate(sizes: &[usize], train: usize, test: usize, seed: u64) -> Result<Teacher, Error> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut w = Vec::new();
    for s in sizes.windows(2) {
        let mut wl = Mat::zeros(s[1], s[0]);
        for i in 0..s[1] {
            for j in 0..s[0] {
                let keep = rng.random::<f64>() >= SPARSITY;
                let v = rng.random::<f64>() - 0.5;
                wl[(i, j)] = if keep { v } else { 0.0 };
            }
        }
        w.push(wl);
    }
    let p = sizes[0];
    let u = inputs(p, train, &mut rng)?;
    let y = outputs(&w, u.as_ref());
    let ut = inputs(p, test, &mut rng)?;
    let yt = outputs(&w, ut.as_ref());
    Ok(Teacher { w, train: Regression { u, y }, test: Regression { u: ut, y: yt } })
}

/// The root-mean-square error of predictions `yhat` against `y` over every
/// entry.
pub fn rmse(yhat: MatRef<'_, f64>, y: MatRef<'_, f64>) -> f64 {
    let n = (y.nrows() * y.ncols()).max(1) as f64;
    let mut s = 0.0;
    for k in 0..y.ncols() {
        for i in 0..y.nrows() {
            s += (yhat[(i, k)] - y[(i, k)]).powi(2);
        }
    }
    (s / n).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teacher_is_sparse_and_its_inputs_have_the_stated_covariance() {
        let t = generate(&[20, 12, 6, 5], 20_000, 10, 3).unwrap();
        let entries: usize = t.w.iter().map(|w| w.nrows() * w.ncols()).sum();
        let zeros: usize =
            t.w.iter()
                .map(|w| (0..w.ncols()).map(|j| (0..w.nrows()).filter(|&i| w[(i, j)] == 0.0).count()).sum::<usize>())
                .sum();
        let share = zeros as f64 / entries as f64;
        assert!((share - SPARSITY).abs() < 0.06, "share of zero weights {share}");
        assert!(t.w.iter().all(|w| (0..w.ncols()).all(|j| (0..w.nrows()).all(|i| w[(i, j)].abs() <= 0.5))));
        // the training covariance: M Mᵀ − λ_min I, redrawn from the seed
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for _ in 0..2 * entries {
            rng.random::<f64>();
        }
        let mm = Mat::from_fn(20, 20, |_, _| rng.random::<f64>() - 0.5);
        let sigma = &mm * mm.transpose();
        let lmin = sigma.self_adjoint_eigenvalues(Side::Lower).unwrap()[0];
        let emp = &t.train.u * t.train.u.transpose() * (1.0 / 20_000.0);
        let scale = (0..20).map(|i| sigma[(i, i)]).fold(0.0, f64::max);
        for i in 0..20 {
            for j in 0..20 {
                let want = sigma[(i, j)] - if i == j { lmin } else { 0.0 };
                assert!((emp[(i, j)] - want).abs() < 0.05 * scale, "Σ[{i},{j}] {} against {want}", emp[(i, j)]);
            }
        }
        // targets are the teacher's outputs; the test set has its own inputs
        assert_eq!(outputs(&t.w, t.train.u.as_ref()), t.train.y);
        assert_eq!((t.test.u.nrows(), t.test.u.ncols(), t.test.y.nrows()), (20, 10, 5));
        assert!(rmse(t.train.y.as_ref(), t.train.y.as_ref()) == 0.0);
    }
}
