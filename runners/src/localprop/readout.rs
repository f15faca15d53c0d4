//! The evaluation of the local propagation paper (section 4.1): a linear
//! classifier trained on the training set's output representations and
//! applied to the test set's. The paper uses a linear SVM; we fit ridge
//! regression one-vs-rest (targets +1 for the item's class, −1 elsewhere,
//! a bias column, penalty `α` on the weights, the bias unpenalised), whose
//! exact solution needs one Cholesky factor and no solver settings.

use faer::linalg::solvers::Solve;
use faer::{Mat, MatRef, Side};

/// A linear one-vs-rest classifier: the class with the largest `w_c·x + b_c`.
#[derive(Clone, Debug, PartialEq)]
pub struct Ridge {
    /// `(features + 1) × classes`: one column per class, the bias last.
    pub weights: Mat<f64>,
}

impl Ridge {
    /// Fits the classifier to `x` (one item per column) with `labels` of
    /// `classes` classes and penalty `alpha`; the multiply-adds counted
    /// (Gram and right-hand side exactly, the factor as `n³/3`, the solve
    /// as `n² · classes`).
    pub fn fit(x: MatRef<'_, f64>, labels: &[u32], classes: usize, alpha: f64) -> Option<(Self, u64)> {
        let (n, m) = (x.nrows(), x.ncols());
        let a = Mat::from_fn(n + 1, m, |i, k| if i < n { x[(i, k)] } else { 1.0 });
        let mut g = &a * a.transpose();
        (0..n).for_each(|i| g[(i, i)] += alpha);
        let t = Mat::from_fn(m, classes, |k, c| if labels[k] as usize == c { 1.0 } else { -1.0 });
        let mut w = &a * &t;
        g.llt(Side::Lower).ok()?.solve_in_place(w.as_mut());
        let n1 = (n + 1) as u64;
        let work = n1 * n1 * m as u64 + n1 * (m * classes) as u64 + n1 * n1 * n1 / 3 + n1 * n1 * classes as u64;
        Some((Self { weights: w }, work))
    }

    /// The predicted class of every column of `x`.
    pub fn predict(&self, x: MatRef<'_, f64>) -> Vec<usize> {
        let n = x.nrows();
        let w = self.weights.as_ref();
        let scores = w.subrows(0, n).transpose() * x;
        (0..x.ncols())
            .map(|k| {
                let score = |c: usize| scores[(c, k)] + w[(n, c)];
                (0..w.ncols()).fold(0, |best, c| if score(c) > score(best) { c } else { best })
            })
            .collect()
    }

    /// The fraction of columns of `x` predicted wrong.
    pub fn error(&self, x: MatRef<'_, f64>, labels: &[u32]) -> f64 {
        let p = self.predict(x);
        p.iter().zip(labels).filter(|(p, l)| **p != **l as usize).count() as f64 / labels.len().max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// The fit is the minimiser: its gradient vanishes, and three separable
    /// clusters are classified without error.
    #[test]
    fn ridge_is_the_least_squares_minimiser_and_separates_clusters() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let centres = [[3.0, 0.0], [0.0, 3.0], [-3.0, -3.0]];
        let labels: Vec<u32> = (0..60).map(|k| (k % 3) as u32).collect();
        let x = Mat::from_fn(2, 60, |i, k| centres[k % 3][i] + rng.random::<f64>() - 0.5);
        let alpha = 0.7;
        let (r, work) = Ridge::fit(x.as_ref(), &labels, 3, alpha).unwrap();
        assert!(work > 0);
        assert_eq!(r.error(x.as_ref(), &labels), 0.0);
        let a = Mat::from_fn(3, 60, |i, k| if i < 2 { x[(i, k)] } else { 1.0 });
        let t = Mat::from_fn(60, 3, |k, c| if labels[k] as usize == c { 1.0 } else { -1.0 });
        let mut grad = &a * (a.transpose() * &r.weights - &t);
        for i in 0..2 {
            for c in 0..3 {
                grad[(i, c)] += alpha * r.weights[(i, c)];
            }
        }
        assert!(grad.norm_l2() < 1e-9, "{}", grad.norm_l2());
    }
}
