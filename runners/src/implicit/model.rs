//! Implicit models (the implicit deep learning paper, section 2):
//! `x = φ(A x + B u)`, `ŷ = C x + D u`, with a bias on every state and
//! output (the paper's `(u, 1)`), `φ` ReLU or tanh.
//!
//! The state vector is split into blocks `x = (x_1, …, x_K)`; the rows of
//! block `g` are a [`Map`]: weights on one state block (its part of `A`),
//! weights on the inputs (its part of `B`) and a bias. Two structures:
//!
//! - *dense*: one block of `n` states that reads itself and the inputs, so
//!   `A` is a full `n × n` matrix (well-posed when `‖A‖∞ < 1`, section 3.1);
//! - *layered*: a feed-forward net (section 2.2), block `l` reading block
//!   `l − 1` (the first the inputs), the output the last block; `A` is
//!   strictly block-lower-triangular, well-posed for any weights, and
//!   Picard iteration from 0 is exact after `K` steps.
//!
//! Inference is Picard iteration `x ← φ(A x + B u)` from `x = 0`.

use std::cmp::Ordering;

use faer::{Mat, MatRef};
use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::feedforward::{Activation, Params};

/// The rows of one state block, or of the output: `Z = W_x X_from + W_u U +
/// b 1ᵀ`.
#[derive(Clone, Debug, PartialEq)]
pub struct Map {
    /// The state block read and the weights on it (rows × its size).
    pub wx: Option<(usize, Mat<f64>)>,
    /// The weights on the inputs (rows × inputs).
    pub wu: Option<Mat<f64>>,
    /// The bias.
    pub bias: Vec<f64>,
}

impl Map {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.bias.len()
    }

    /// `Z` for state blocks `xs` and inputs `u`.
    pub fn pre(&self, xs: &[Mat<f64>], u: MatRef<'_, f64>) -> Mat<f64> {
        let mut z = match (&self.wx, &self.wu) {
            (Some((b, w)), Some(wu)) => {
                let mut z = w * &xs[*b];
                z += wu * u;
                z
            }
            (Some((b, w)), None) => w * &xs[*b],
            (None, Some(wu)) => wu * u,
            (None, None) => Mat::zeros(self.rows(), u.ncols()),
        };
        for k in 0..z.ncols() {
            for (i, b) in self.bias.iter().enumerate() {
                z[(i, k)] += b;
            }
        }
        z
    }

    /// Multiply-adds of [`Map::pre`] for `items` items.
    pub fn work(&self, items: usize) -> u64 {
        let w = self.wx.as_ref().map_or(0, |(_, w)| w.ncols()) + self.wu.as_ref().map_or(0, Mat::ncols);
        (w * self.rows() * items) as u64
    }

    /// `Σ ‖W‖²` over the weights (not the bias).
    pub fn squared_norm(&self) -> f64 {
        self.wx.as_ref().map_or(0.0, |(_, w)| w.squared_norm_l2()) + self.wu.as_ref().map_or(0.0, Mat::squared_norm_l2)
    }
}

/// An implicit model.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The state blocks' maps (their rows of `A`, `B` and the biases).
    pub blocks: Vec<Map>,
    /// The output map (`C`, `D` and the output bias).
    pub out: Map,
    /// `φ`.
    pub act: Activation,
}

/// The result of Picard iteration on a set of items.
#[derive(Clone, Debug, PartialEq)]
pub struct Fixed {
    /// The states, per block.
    pub x: Vec<Mat<f64>>,
    /// Iterations made.
    pub steps: usize,
    /// The largest change of a state in the last iteration (∞-norm over
    /// states and items).
    pub residual: f64,
    /// Items whose last change exceeded the tolerance.
    pub unconverged: usize,
    /// Multiply-adds.
    pub work: u64,
}

/// Uniform weights in ±√(6/n_in), `rows × cols`.
fn uniform(rows: usize, cols: usize, fan_in: usize, rng: &mut Xoshiro256PlusPlus) -> Mat<f64> {
    let r = (6.0 / fan_in.max(1) as f64).sqrt();
    Mat::from_fn(rows, cols, |_, _| r * (2.0 * rng.random::<f64>() - 1.0))
}

impl Model {
    /// The state blocks' sizes.
    pub fn block_sizes(&self) -> Vec<usize> {
        self.blocks.iter().map(Map::rows).collect()
    }

    /// `‖A‖∞`: the largest ℓ1 norm of a row of `A`.
    pub fn a_norm(&self) -> f64 {
        let mut worst: f64 = 0.0;
        for m in &self.blocks {
            if let Some((_, w)) = &m.wx {
                for i in 0..w.nrows() {
                    worst = worst.max((0..w.ncols()).map(|j| w[(i, j)].abs()).sum());
                }
            }
        }
        worst
    }

    /// Whether every block reads only earlier blocks: `A` strictly
    /// block-lower-triangular, well-posed for any weights.
    pub fn triangular(&self) -> bool {
        self.blocks.iter().enumerate().all(|(g, m)| m.wx.as_ref().is_none_or(|(b, _)| *b < g))
    }

    /// Whether the model is known to be well-posed: triangular, or
    /// `‖A‖∞ < 1` (a contraction for the non-expansive `φ`).
    pub fn well_posed(&self) -> bool {
        self.triangular() || self.a_norm() < 1.0
    }

    /// Picard iteration `x ← φ(A x + B u)` from `x = 0` for the items
    /// `u` (one column each), at most `steps` iterations, until no state
    /// of an item changes by more than `tol`.
    pub fn picard(&self, u: MatRef<'_, f64>, steps: usize, tol: f64) -> Fixed {
        let m = u.ncols();
        let mut x: Vec<Mat<f64>> = self.blocks.iter().map(|b| Mat::zeros(b.rows(), m)).collect();
        let mut change = vec![f64::INFINITY; m];
        let (mut done, mut work) = (0, 0);
        while done < steps {
            let mut next: Vec<Mat<f64>> = self.blocks.iter().map(|b| b.pre(&x, u)).collect();
            work += self.blocks.iter().map(|b| b.work(m)).sum::<u64>();
            change.iter_mut().for_each(|c| *c = 0.0);
            for (n, old) in next.iter_mut().zip(&x) {
                self.act.apply_in_place(n);
                for (k, c) in change.iter_mut().enumerate() {
                    for i in 0..n.nrows() {
                        *c = c.max((n[(i, k)] - old[(i, k)]).abs());
                    }
                }
            }
            x = next;
            done += 1;
            if change.iter().all(|c| *c <= tol) {
                break;
            }
        }
        let residual = change.iter().copied().fold(0.0, f64::max);
        // a NaN change counts as not converged
        let unconverged = change
            .iter()
            .filter(|c| !matches!((**c).partial_cmp(&tol), Some(Ordering::Less | Ordering::Equal)))
            .count();
        Fixed { x, steps: done, residual, unconverged, work }
    }

    /// The outputs `ŷ = C x + D u` at the Picard fixed point, and the
    /// iteration's report.
    pub fn predict(&self, u: MatRef<'_, f64>, steps: usize, tol: f64) -> (Mat<f64>, Fixed) {
        let mut f = self.picard(u, steps, tol);
        let y = self.out.pre(&f.x, u);
        f.work += self.out.work(u.ncols());
        (y, f)
    }

    /// A feed-forward net written as an implicit model (section 2.2): one
    /// block per hidden layer, block `l` reading block `l − 1`.
    pub fn from_feedforward(p: &Params) -> Self {
        let layers = p.w.len();
        let map = |l: usize| Map {
            wx: (l > 1).then(|| (l - 2, p.w[l - 1].clone())),
            wu: (l == 1).then(|| p.w[0].clone()),
            bias: p.b[l - 1].clone(),
        };
        Self { blocks: (1..layers).map(map).collect(), out: map(layers), act: p.act }
    }

    /// A layered model of layer sizes `sizes` (inputs, hidden layers,
    /// outputs), weights uniform in ±√(6/n_in), zero biases.
    pub fn layered(sizes: &[usize], act: Activation, rng: &mut Xoshiro256PlusPlus) -> Self {
        Self::from_feedforward(&crate::lifted::initial(sizes, act, rng))
    }

    /// A dense model of `n` states on `p` inputs with `q` outputs: `B`, `C`
    /// and `D` uniform in ±√(6/n_in), `A` likewise, each row then scaled to
    /// an ℓ1 norm of at most `a_row` (so `‖A‖∞ ≤ a_row`); zero biases.
    pub fn dense(p: usize, n: usize, q: usize, act: Activation, a_row: f64, rng: &mut Xoshiro256PlusPlus) -> Self {
        let mut a = uniform(n, n, n + p, rng);
        for i in 0..n {
            let l1: f64 = (0..n).map(|j| a[(i, j)].abs()).sum();
            if l1 > a_row {
                for j in 0..n {
                    a[(i, j)] *= a_row / l1;
                }
            }
        }
        let b = uniform(n, p, n + p, rng);
        let c = uniform(q, n, n + p, rng);
        let d = uniform(q, p, n + p, rng);
        Self {
            blocks: vec![Map { wx: Some((0, a)), wu: Some(b), bias: vec![0.0; n] }],
            out: Map { wx: Some((0, c)), wu: Some(d), bias: vec![0.0; q] },
            act,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn random(r: usize, c: usize, scale: f64, rng: &mut Xoshiro256PlusPlus) -> Mat<f64> {
        Mat::from_fn(r, c, |_, _| scale * (2.0 * rng.random::<f64>() - 1.0))
    }

    /// A layered net written as an implicit model gives exactly (bit for
    /// bit) the layered forward pass, and Picard stops after K + 1 steps.
    #[test]
    fn layered_model_is_exactly_the_forward_pass() {
        for act in [Activation::Relu, Activation::Tanh] {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
            let sizes = [7, 9, 5, 4, 3];
            let w: Vec<Mat<f64>> = sizes.windows(2).map(|s| random(s[1], s[0], 1.0, &mut rng)).collect();
            let b = sizes[1..].iter().map(|&n| (0..n).map(|_| rng.random::<f64>() - 0.5).collect()).collect();
            let p = Params { w, b, act };
            let m = Model::from_feedforward(&p);
            assert!(m.triangular() && m.well_posed());
            let u = random(7, 11, 2.0, &mut rng);
            let (y, f) = m.predict(u.as_ref(), 100, 0.0);
            assert_eq!(y, p.forward(u.as_ref()), "{act:?}");
            assert_eq!((f.steps, f.unconverged, f.residual), (4, 0, 0.0), "{act:?}");
        }
    }

    /// A random A with ‖A‖∞ < 1 converges, to the same states as the
    /// iteration unrolled by hand (one dense product per step).
    #[test]
    fn well_posed_random_model_converges_and_matches_the_unrolled_iteration() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        for act in [Activation::Relu, Activation::Tanh] {
            let m = Model::dense(6, 8, 3, act, 0.9, &mut rng);
            assert!(m.a_norm() <= 0.9 + 1e-12 && !m.triangular() && m.well_posed());
            let u = random(6, 5, 1.0, &mut rng);
            let f = m.picard(u.as_ref(), 500, 1e-13);
            assert_eq!(f.unconverged, 0);
            assert!(f.residual <= 1e-13 && f.steps < 500);
            let (a, b) = match &m.blocks[0] {
                Map { wx: Some((_, a)), wu: Some(b), .. } => (a, b),
                _ => unreachable!("a dense model reads itself and the inputs"),
            };
            // unrolled: x_{t+1} = φ(A x_t + B u + b), column by column
            for k in 0..5 {
                let mut x = vec![0.0; 8];
                for _ in 0..f.steps {
                    x = (0..8)
                        .map(|i| {
                            let z: f64 = (0..8).map(|j| a[(i, j)] * x[j]).sum::<f64>()
                                + (0..6).map(|j| b[(i, j)] * u[(j, k)]).sum::<f64>()
                                + m.blocks[0].bias[i];
                            act.apply(z)
                        })
                        .collect();
                }
                for i in 0..8 {
                    assert!((x[i] - f.x[0][(i, k)]).abs() < 1e-12, "{act:?} item {k} state {i}");
                    // and it is a fixed point of the equation
                    let z: f64 = (0..8).map(|j| a[(i, j)] * f.x[0][(j, k)]).sum::<f64>()
                        + (0..6).map(|j| b[(i, j)] * u[(j, k)]).sum::<f64>();
                    assert!((act.apply(z) - f.x[0][(i, k)]).abs() < 1e-12);
                }
            }
        }
    }

    /// Past ‖A‖∞ ≥ 1 the model is not known to be well-posed; A = 2I with
    /// ReLU diverges and Picard reports every item.
    #[test]
    fn expansive_model_is_not_well_posed_and_does_not_converge() {
        let n = 3;
        let m = Model {
            blocks: vec![Map {
                wx: Some((0, Mat::from_fn(n, n, |i, j| if i == j { 2.0 } else { 0.0 }))),
                wu: Some(Mat::from_fn(n, 1, |_, _| 1.0)),
                bias: vec![0.0; n],
            }],
            out: Map { wx: Some((0, Mat::from_fn(1, n, |_, _| 1.0))), wu: None, bias: vec![0.0] },
            act: Activation::Relu,
        };
        assert_eq!(m.a_norm(), 2.0);
        assert!(!m.well_posed());
        let f = m.picard(Mat::from_fn(1, 4, |_, k| k as f64 + 1.0).as_ref(), 30, 1e-9);
        assert_eq!((f.steps, f.unconverged), (30, 4));
    }
}
