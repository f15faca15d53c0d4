//! Back-propagation for a feed-forward ReLU or tanh net with a softmax output and
//! the cross-entropy loss (scikit-learn's MLPClassifier):
//! `J = −(1/B) Σ_k log softmax(z_L)[c_k] + (α/2B) Σ_l ‖W_l‖²`, or for real
//! targets the squared error `J = (1/2B) Σ_k ‖z_L − y_k‖² + (α/2B) Σ_l ‖W_l‖²`
//! (scikit-learn's MLPRegressor); and the updates of SGD with Nesterov
//! momentum, Adam and RMSProp.

use std::path::Path;

use faer::{Mat, MatRef};

use crate::error::{Error, InputError};
use crate::feedforward::Params;
use crate::formats::matrix::{read_matrix, write_matrix};

/// What the outputs are fitted to.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// A class per item: softmax and cross-entropy.
    Classes(&'a [usize]),
    /// Real targets, one column per item: squared error.
    Values(MatRef<'a, f64>),
}

/// The loss `J` of `p` on inputs `x` (one column per item) against
/// `target`, and its gradient (same shapes as `p`); `work` counts the
/// multiply-adds.
pub fn loss_and_gradient(
    p: &Params,
    x: MatRef<'_, f64>,
    target: Target<'_>,
    alpha: f64,
    work: &mut u64,
) -> (f64, Params) {
    let layers = p.w.len();
    let bsz = x.ncols();
    let bf = bsz as f64;
    // forward, keeping every layer's activations
    let mut acts: Vec<Mat<f64>> = vec![x.to_owned()];
    for l in 1..=layers {
        let mut z = p.pre(l, acts[l - 1].as_ref());
        *work += (p.w[l - 1].nrows() * p.w[l - 1].ncols() * bsz) as u64;
        if l < layers {
            p.act.apply_in_place(&mut z);
        }
        acts.push(z);
    }
    // the loss and delta = dJ/dz_L: (softmax − onehot) / B, or (z − y) / B
    let out = &acts[layers];
    let mut delta = Mat::zeros(out.nrows(), bsz);
    let mut loss = 0.0;
    match target {
        Target::Classes(labels) => {
            for k in 0..bsz {
                let m = (0..out.nrows()).map(|i| out[(i, k)]).fold(f64::NEG_INFINITY, f64::max);
                let s: f64 = (0..out.nrows()).map(|i| (out[(i, k)] - m).exp()).sum();
                for i in 0..out.nrows() {
                    let q = (out[(i, k)] - m).exp() / s;
                    delta[(i, k)] = (q - f64::from(i == labels[k])) / bf;
                }
                loss -= out[(labels[k], k)] - m - s.ln();
            }
        }
        Target::Values(y) => {
            for k in 0..bsz {
                for i in 0..out.nrows() {
                    let d = out[(i, k)] - y[(i, k)];
                    delta[(i, k)] = d / bf;
                    loss += 0.5 * d * d;
                }
            }
        }
    }
    loss /= bf;
    loss += alpha / (2.0 * bf) * p.w.iter().map(|w| w.squared_norm_l2()).sum::<f64>();
    // backward
    let mut grad = Params { w: Vec::with_capacity(layers), b: Vec::with_capacity(layers), act: p.act };
    for l in (1..=layers).rev() {
        let a = &acts[l - 1];
        let mut gw = &delta * a.transpose();
        *work += (delta.nrows() * a.nrows() * bsz) as u64;
        for j in 0..gw.ncols() {
            for i in 0..gw.nrows() {
                gw[(i, j)] += alpha / bf * p.w[l - 1][(i, j)];
            }
        }
        let gb: Vec<f64> = (0..delta.nrows()).map(|i| (0..bsz).map(|k| delta[(i, k)]).sum()).collect();
        if l > 1 {
            let mut d = p.w[l - 1].transpose() * &delta;
            *work += (a.nrows() * delta.nrows() * bsz) as u64;
            for k in 0..bsz {
                for i in 0..d.nrows() {
                    d[(i, k)] *= p.act.slope_at(a[(i, k)]);
                }
            }
            delta = d;
        }
        grad.w.push(gw);
        grad.b.push(gb);
    }
    grad.w.reverse();
    grad.b.reverse();
    (loss, grad)
}

/// Every parameter of `p` (weights, then biases, layer by layer) with the
/// matching entry of `g`, in one order.
fn each(p: &mut Params, g: &Params, mut f: impl FnMut(usize, &mut f64, f64)) {
    let mut at = 0;
    for (w, gw) in p.w.iter_mut().zip(&g.w) {
        for j in 0..w.ncols() {
            for i in 0..w.nrows() {
                f(at, &mut w[(i, j)], gw[(i, j)]);
                at += 1;
            }
        }
    }
    for (b, gb) in p.b.iter_mut().zip(&g.b) {
        for (v, gv) in b.iter_mut().zip(gb) {
            f(at, v, *gv);
            at += 1;
        }
    }
}

/// An optimiser's state: one or two moments per parameter and the step
/// count.
pub struct State {
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

impl State {
    /// Zero moments for `p`.
    pub fn new(p: &Params) -> Self {
        let n = p.w.iter().map(|w| w.nrows() * w.ncols()).sum::<usize>() + p.b.iter().map(Vec::len).sum::<usize>();
        Self { m: vec![0.0; n], v: vec![0.0; n], t: 0 }
    }

    /// The moments as a matrix file (two rows: first, then second moments;
    /// parameters in the order of the weights, then the biases) and the
    /// step count.
    pub fn to_file(&self) -> (String, i32) {
        let mut v = self.m.clone();
        v.extend_from_slice(&self.v);
        (write_matrix(&v, self.m.len()), self.t)
    }

    /// The state saved by [`State::to_file`] in `path`, for `p`.
    pub fn from_file(path: &Path, p: &Params, steps: i32) -> Result<Self, Error> {
        let mut s = Self::new(p);
        let (cols, v) = read_matrix(path)?;
        if cols != s.m.len() || v.len() != 2 * cols {
            return Err(InputError::file(
                &path.display().to_string(),
                format!(
                    "holds {} rows of {cols} moments; the net has {} parameters (two rows)",
                    v.len() / cols,
                    s.m.len()
                ),
            )
            .into());
        }
        s.m.copy_from_slice(&v[..cols]);
        s.v.copy_from_slice(&v[cols..]);
        s.t = steps;
        Ok(s)
    }

    /// SGD with Nesterov momentum `mu`, scikit-learn's form:
    /// `v ← μ v − η g`, then `p ← p + μ v − η g`.
    pub fn sgd(&mut self, p: &mut Params, g: &Params, lr: f64, mu: f64) {
        each(p, g, |i, x, gi| {
            self.m[i] = mu * self.m[i] - lr * gi;
            *x += mu * self.m[i] - lr * gi;
        });
    }

    /// Adam with bias correction (β₁ 0.9, β₂ 0.999, ε 1e-8).
    pub fn adam(&mut self, p: &mut Params, g: &Params, lr: f64) {
        self.t += 1;
        let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8);
        let step = lr * (1.0 - b2.powi(self.t)).sqrt() / (1.0 - b1.powi(self.t));
        each(p, g, |i, x, gi| {
            self.m[i] = b1 * self.m[i] + (1.0 - b1) * gi;
            self.v[i] = b2 * self.v[i] + (1.0 - b2) * gi * gi;
            *x -= step * self.m[i] / (self.v[i].sqrt() + eps);
        });
    }

    /// RMSProp (ρ 0.9, ε 1e-8).
    pub fn rmsprop(&mut self, p: &mut Params, g: &Params, lr: f64) {
        each(p, g, |i, x, gi| {
            self.v[i] = 0.9 * self.v[i] + 0.1 * gi * gi;
            *x -= lr * gi / (self.v[i].sqrt() + 1e-8);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedforward::Activation;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn problem(seed: u64, act: Activation) -> (Params, Mat<f64>, Vec<usize>, Mat<f64>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let sizes = [3, 4, 3, 2];
        let w = sizes.windows(2).map(|s| Mat::from_fn(s[1], s[0], |_, _| rng.random::<f64>() - 0.5)).collect();
        let b = sizes[1..].iter().map(|&n| (0..n).map(|_| rng.random::<f64>() * 0.2).collect()).collect();
        let x = Mat::from_fn(3, 5, |_, _| rng.random::<f64>() * 2.0 - 1.0);
        let y = Mat::from_fn(2, 5, |_, _| rng.random::<f64>() * 2.0 - 1.0);
        (Params { w, b, act }, x, vec![0, 1, 1, 0, 1], y)
    }

    /// The gradient equals central differences of the loss (brute force).
    #[test]
    fn gradient_equals_finite_differences() {
        for (seed, act, values) in (0..3)
            .flat_map(|s| [(s, Activation::Relu, false), (s, Activation::Tanh, false), (s, Activation::Tanh, true)])
        {
            let (p, x, labels, y) = problem(seed, act);
            let target = if values { Target::Values(y.as_ref()) } else { Target::Classes(&labels) };
            let mut work = 0;
            let (_, g) = loss_and_gradient(&p, x.as_ref(), target, 0.3, &mut work);
            let eps = 1e-6;
            let mut worst: f64 = 0.0;
            let mut q = p.clone();
            let n = p.w.iter().map(|w| w.nrows() * w.ncols()).sum::<usize>() + p.b.iter().map(Vec::len).sum::<usize>();
            for at in 0..n {
                let shift = |q: &mut Params, d: f64| {
                    each(q, &g, |i, v, _| {
                        if i == at {
                            *v += d
                        }
                    })
                };
                shift(&mut q, eps);
                let up = loss_and_gradient(&q, x.as_ref(), target, 0.3, &mut work).0;
                shift(&mut q, -2.0 * eps);
                let down = loss_and_gradient(&q, x.as_ref(), target, 0.3, &mut work).0;
                shift(&mut q, eps);
                let mut gi = 0.0;
                let mut g2 = g.clone();
                each(&mut g2, &g, |i, v, _| {
                    if i == at {
                        gi = *v
                    }
                });
                worst = worst.max(((up - down) / (2.0 * eps) - gi).abs());
            }
            assert!(worst < 1e-7, "{act:?} seed {seed} values {values}: gradient off by {worst}");
        }
    }

    /// Small steps of every optimiser lower the loss on a fixed batch.
    #[test]
    fn every_optimiser_lowers_the_loss() {
        for opt in 0..3 {
            let (mut p, x, labels, _) = problem(7, Activation::Relu);
            let mut st = State::new(&p);
            let mut work = 0;
            let t = Target::Classes(&labels);
            let first = loss_and_gradient(&p, x.as_ref(), t, 1e-4, &mut work).0;
            for _ in 0..200 {
                let (_, g) = loss_and_gradient(&p, x.as_ref(), t, 1e-4, &mut work);
                match opt {
                    0 => st.sgd(&mut p, &g, 0.05, 0.9),
                    1 => st.adam(&mut p, &g, 0.01),
                    _ => st.rmsprop(&mut p, &g, 0.01),
                }
            }
            let last = loss_and_gradient(&p, x.as_ref(), t, 1e-4, &mut work).0;
            assert!(last < 0.5 * first, "optimiser {opt}: {first} -> {last}");
        }
    }

    /// The work of one forward and backward pass of a 2-3-2 net on 5 items,
    /// counted by hand.
    #[test]
    fn work_of_a_pass_by_hand() {
        let p = Params {
            w: vec![Mat::zeros(3, 2), Mat::zeros(2, 3)],
            b: vec![vec![0.0; 3], vec![0.0; 2]],
            act: Activation::Relu,
        };
        let x = Mat::zeros(2, 5);
        let mut work = 0;
        loss_and_gradient(&p, x.as_ref(), Target::Classes(&[0, 1, 0, 1, 0]), 0.0, &mut work);
        // forward 3·2·5 + 2·3·5; gradients 2·3·5 + 3·2·5; one backward delta 3·2·5
        assert_eq!(work, (6 + 6 + 6 + 6 + 6) * 5);
    }
}
