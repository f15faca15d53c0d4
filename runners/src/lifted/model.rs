//! Lifted training of a feed-forward ReLU net by block-coordinate descent
//! (the Bregman lifted networks paper, eq. 1–3).
//!
//! Layers `l = 1..L`, weights `W_l` (`n_l × n_{l−1}`), biases `b_l`, the
//! batch's inputs `X_0` and, for the hidden layers `l < L`, lifted states
//! `X_l ≥ 0` (one column per item). With `Z_l = W_l X_{l−1} + b_l 1ᵀ` the
//! objective is
//!
//! `E = (1/B) [ ½‖Y − Z_L‖² + Σ_{l<L} γ_l P(X_l, Z_l) ] + (λ/2) Σ_l ‖W_l‖²`
//!
//! with `Y` the one-hot targets and the penalty `P` either quadratic,
//! `½‖X − Z‖²` (eq. 1), or Bregman, `L_Ψ(X, Z) = ½‖X‖² + ½‖relu(Z)‖² −
//! ⟨X, Z⟩`, which for ReLU (Ψ the indicator of `X ≥ 0`) is eq. 3. One sweep
//! updates, in this order, `W_L, X_{L−1}, W_{L−1}, …, X_1, W_1`; every
//! block update leaves `E` no larger:
//!
//! - `W_l, b_l` against a quadratic term (the output layer, or a quadratic
//!   penalty): the regularised least-squares minimiser, from a Cholesky
//!   factor of `γ A Aᵀ/B + λ D` with `A = [X_{l−1}; 1ᵀ]` (`D` leaves the bias
//!   unregularised);
//! - `W_l, b_l` against a Bregman penalty: the minimiser of the quadratic
//!   majorant with that same matrix (the curvature of `½ relu(z)²` is at
//!   most 1), a step that needs no derivative of the activation: the
//!   gradient is `γ (relu(Z) − X) Aᵀ / B + λ W D`;
//! - `X_l`, entry by entry (coordinate descent): the exact minimiser of the
//!   one-dimensional quadratic over `x ≥ 0` where the next layer's term is
//!   quadratic, the minimiser of its majorant where it is Bregman.
//!
//! Work is counted in multiply-adds, the unit of RRR's weight-multiplies.

use faer::linalg::solvers::Solve;
use faer::{Mat, MatRef, Side};

use crate::feedforward::relu_in_place;
pub use crate::feedforward::{Params, classes};

/// The penalty that relaxes `X_l = relu(Z_l)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Penalty {
    /// `½‖X − Z‖²` with `X ≥ 0` (classical lifted network, eq. 1).
    Quadratic,
    /// `½‖X‖² + ½‖relu(Z)‖² − ⟨X, Z⟩` with `X ≥ 0` (eq. 2–3).
    Bregman,
}

/// Hyperparameters of the objective.
#[derive(Clone, Debug, PartialEq)]
pub struct Hyper {
    /// The penalty of every hidden layer.
    pub penalty: Penalty,
    /// Penalty weight `γ_l` of hidden layer `l = 1..L−1` (index `l − 1`).
    pub gamma: Vec<f64>,
    /// Weight decay `λ` (biases are not decayed).
    pub lambda: f64,
}

/// The terms of the objective.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// `E`.
    pub total: f64,
    /// `½‖Y − Z_L‖² / B`.
    pub output: f64,
    /// `γ_l P(X_l, Z_l) / B` per hidden layer.
    pub penalties: Vec<f64>,
    /// `(λ/2) Σ ‖W_l‖²`.
    pub decay: f64,
}

/// One batch being trained: inputs, targets and lifted states.
pub struct Lifted {
    /// Inputs `X_0`, one column per item.
    pub x0: Mat<f64>,
    /// One-hot targets `Y`.
    pub y: Mat<f64>,
    /// Hidden states `X_1 … X_{L−1}` (index `l − 1`).
    pub x: Vec<Mat<f64>>,
    /// Multiply-adds done so far.
    pub work: u64,
}

/// Why a block update could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiftedError {
    /// The normal-equation matrix of a weight block is not positive definite
    /// (λ = 0 with fewer independent items than inputs).
    NotPositiveDefinite {
        /// The layer (1-based).
        layer: usize,
    },
}

impl std::fmt::Display for LiftedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotPositiveDefinite { layer } => write!(
                f,
                "layer {layer}: the least-squares matrix is singular (give --lambda > 0, or a batch with more \
                 items than the layer has inputs)"
            ),
        }
    }
}

impl Lifted {
    /// A batch with states set by a forward pass of `p` (`X_l = relu(Z_l)`).
    pub fn new(p: &Params, x0: Mat<f64>, y: Mat<f64>) -> Self {
        let mut x = Vec::new();
        let mut a = x0.clone();
        for l in 1..p.w.len() {
            let mut z = p.pre(l, a.as_ref());
            relu_in_place(&mut z);
            x.push(z.clone());
            a = z;
        }
        let work = p.forward_work(x0.ncols());
        Self { x0, y, x, work }
    }

    fn items(&self) -> usize {
        self.x0.ncols()
    }

    /// The input of layer `l` (1-based): `X_{l−1}`.
    fn input(&self, l: usize) -> MatRef<'_, f64> {
        if l == 1 { self.x0.as_ref() } else { self.x[l - 2].as_ref() }
    }

    /// The objective at `p`.
    pub fn objective(&self, p: &Params, h: &Hyper) -> Objective {
        let layers = p.w.len();
        let bf = self.items() as f64;
        let mut penalties = Vec::new();
        let mut output = 0.0;
        for l in 1..=layers {
            let z = p.pre(l, self.input(l));
            if l == layers {
                output = sq_dist(z.as_ref(), self.y.as_ref()) / (2.0 * bf);
            } else {
                let x = self.x[l - 1].as_ref();
                let v = match h.penalty {
                    Penalty::Quadratic => sq_dist(x, z.as_ref()) / 2.0,
                    Penalty::Bregman => bregman(x, z.as_ref()),
                };
                penalties.push(h.gamma[l - 1] * v / bf);
            }
        }
        let decay = h.lambda / 2.0 * p.w.iter().map(|w| w.squared_norm_l2()).sum::<f64>();
        Objective { total: output + penalties.iter().sum::<f64>() + decay, output, penalties, decay }
    }

    /// One sweep over every block, in the order of the module docs.
    pub fn sweep(&mut self, p: &mut Params, h: &Hyper) -> Result<(), LiftedError> {
        for l in (1..=p.w.len()).rev() {
            self.update_weights(p, h, l)?;
            if l > 1 {
                self.update_states(p, h, l - 1);
            }
        }
        Ok(())
    }

    /// Updates `W_l`, `b_l` (1-based `l`).
    pub fn update_weights(&mut self, p: &mut Params, h: &Hyper, l: usize) -> Result<(), LiftedError> {
        let layers = p.w.len();
        let (n, m, bsz) = (p.w[l - 1].ncols(), p.w[l - 1].nrows(), self.items());
        let bf = bsz as f64;
        let gamma = if l == layers { 1.0 } else { h.gamma[l - 1] };
        let mut work = 0u64;
        // A = [X_{l−1}; 1ᵀ]
        let input = self.input(l);
        let a = Mat::from_fn(n + 1, bsz, |i, k| if i < n { input[(i, k)] } else { 1.0 });
        let mut g = &a * a.transpose();
        work += ((n + 1) * (n + 1) * bsz) as u64;
        for j in 0..=n {
            for i in 0..=n {
                g[(i, j)] *= gamma / bf;
            }
            if j < n {
                g[(j, j)] += h.lambda;
            }
        }
        let llt = g.llt(Side::Lower).map_err(|_| LiftedError::NotPositiveDefinite { layer: l })?;
        work += ((n + 1).pow(3) / 3) as u64;
        let bregman = l < layers && h.penalty == Penalty::Bregman;
        // right-hand side, (n+1) × m
        let mut rhs = if bregman {
            // the majorant's minimiser: Wᵀ − G⁻¹ ∇ᵀ, ∇ᵀ = γ A (relu(Z) − X)ᵀ/B + λ D Wᵀ
            let mut z = p.pre(l, input);
            work += (m * n * bsz) as u64;
            let x = &self.x[l - 1];
            for k in 0..bsz {
                for i in 0..m {
                    z[(i, k)] = z[(i, k)].max(0.0) - x[(i, k)];
                }
            }
            let mut grad = &a * z.transpose();
            work += ((n + 1) * m * bsz) as u64;
            for i in 0..m {
                for j in 0..=n {
                    grad[(j, i)] *= gamma / bf;
                    if j < n {
                        grad[(j, i)] += h.lambda * p.w[l - 1][(i, j)];
                    }
                }
            }
            grad
        } else {
            let t = if l == layers { self.y.as_ref() } else { self.x[l - 1].as_ref() };
            let mut r = &a * t.transpose();
            work += ((n + 1) * m * bsz) as u64;
            for i in 0..m {
                for j in 0..=n {
                    r[(j, i)] *= gamma / bf;
                }
            }
            r
        };
        llt.solve_in_place(rhs.as_mut());
        work += ((n + 1) * (n + 1) * m) as u64;
        let (w, b) = (&mut p.w[l - 1], &mut p.b[l - 1]);
        for i in 0..m {
            for j in 0..n {
                w[(i, j)] = if bregman { w[(i, j)] - rhs[(j, i)] } else { rhs[(j, i)] };
            }
            b[i] = if bregman { b[i] - rhs[(n, i)] } else { rhs[(n, i)] };
        }
        self.work += work;
        Ok(())
    }

    /// Updates the states `X_l` of hidden layer `l` (1-based, `l < L`) by one
    /// pass of coordinate descent over its entries.
    pub fn update_states(&mut self, p: &Params, h: &Hyper, l: usize) {
        let layers = p.w.len();
        let z = p.pre(l, self.input(l));
        let next = &p.w[l];
        let (n, m, bsz) = (next.ncols(), next.nrows(), self.items());
        self.work += ((p.w[l - 1].nrows() * p.w[l - 1].ncols() + 2 * n * m) * bsz) as u64;
        let cols: Vec<Vec<f64>> = (0..n).map(|j| (0..m).map(|i| next[(i, j)]).collect()).collect();
        let norms: Vec<f64> = cols.iter().map(|c| c.iter().map(|v| v * v).sum()).collect();
        let own = h.gamma[l - 1];
        // the next layer's term: quadratic with weight `wn`, or Bregman
        let (wn, next_bregman) = match (l + 1 == layers, h.penalty) {
            (true, _) => (1.0, false),
            (false, Penalty::Quadratic) => (h.gamma[l], false),
            (false, Penalty::Bregman) => (h.gamma[l], true),
        };
        let (lo, hi) = self.x.split_at_mut(l);
        let (x, xn, y) = (&mut lo[l - 1], hi.first(), &self.y);
        let mut u = vec![0.0; m];
        for k in 0..bsz {
            let t: Vec<f64> = (0..m).map(|i| xn.map_or_else(|| y[(i, k)], |xn| xn[(i, k)])).collect();
            // u = W' x + b'
            for (i, ui) in u.iter_mut().enumerate() {
                *ui = p.b[l][i] + (0..n).map(|j| cols[j][i] * x[(j, k)]).sum::<f64>();
            }
            for j in 0..n {
                let dot: f64 = if next_bregman {
                    cols[j].iter().zip(&u).zip(&t).map(|((w, u), t)| w * (u.max(0.0) - t)).sum()
                } else {
                    cols[j].iter().zip(&u).zip(&t).map(|((w, u), t)| w * (u - t)).sum()
                };
                let xj = x[(j, k)];
                let grad = own * (xj - z[(j, k)]) + wn * dot;
                let curv = own + wn * norms[j];
                let new = (xj - grad / curv).max(0.0);
                let d = new - xj;
                if d != 0.0 {
                    x[(j, k)] = new;
                    for (ui, w) in u.iter_mut().zip(&cols[j]) {
                        *ui += w * d;
                    }
                }
            }
        }
    }
}

fn sq_dist(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
    let mut s = 0.0;
    for k in 0..a.ncols() {
        for i in 0..a.nrows() {
            let d = a[(i, k)] - b[(i, k)];
            s += d * d;
        }
    }
    s
}

/// `Σ ½x² + ½relu(z)² − x z` over the entries (the Bregman loss of ReLU).
fn bregman(x: MatRef<'_, f64>, z: MatRef<'_, f64>) -> f64 {
    let mut s = 0.0;
    for k in 0..x.ncols() {
        for i in 0..x.nrows() {
            let (x, z) = (x[(i, k)], z[(i, k)]);
            s += 0.5 * x * x + 0.5 * z.max(0.0).powi(2) - x * z;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn random_mat(r: usize, c: usize, rng: &mut Xoshiro256PlusPlus) -> Mat<f64> {
        Mat::from_fn(r, c, |_, _| rng.random::<f64>() * 2.0 - 1.0)
    }

    /// A random net and batch with random (non-negative) states, so that
    /// every block has work to do.
    fn problem(sizes: &[usize], items: usize, seed: u64) -> (Params, Lifted) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let w: Vec<Mat<f64>> = sizes.windows(2).map(|s| random_mat(s[1], s[0], &mut rng)).collect();
        let b = sizes[1..].iter().map(|&n| (0..n).map(|_| rng.random::<f64>() - 0.5).collect()).collect();
        let p = Params { w, b };
        let x0 = random_mat(sizes[0], items, &mut rng);
        let classes = *sizes.last().unwrap();
        let y = Mat::from_fn(classes, items, |i, k| f64::from(i == k % classes));
        let mut t = Lifted::new(&p, x0, y);
        for x in &mut t.x {
            *x = Mat::from_fn(x.nrows(), x.ncols(), |_, _| rng.random::<f64>());
        }
        (p, t)
    }

    fn hyper(penalty: Penalty, layers: usize) -> Hyper {
        Hyper { penalty, gamma: (1..layers).map(|l| 0.5 + 0.25 * l as f64).collect(), lambda: 0.01 }
    }

    #[test]
    fn no_block_update_increases_the_objective() {
        for penalty in [Penalty::Quadratic, Penalty::Bregman] {
            for seed in 0..5 {
                let sizes = [4, 5, 3, 2];
                let (mut p, mut t) = problem(&sizes, 7, seed);
                let h = hyper(penalty, 3);
                let mut last = t.objective(&p, &h).total;
                for _ in 0..4 {
                    for l in (1..=3).rev() {
                        t.update_weights(&mut p, &h, l).unwrap();
                        let e = t.objective(&p, &h).total;
                        assert!(e <= last + 1e-12 * last.abs(), "{penalty:?} seed {seed}: W_{l} {last} -> {e}");
                        last = e;
                        if l > 1 {
                            t.update_states(&p, &h, l - 1);
                            let e = t.objective(&p, &h).total;
                            assert!(
                                e <= last + 1e-12 * last.abs(),
                                "{penalty:?} seed {seed}: X_{} {last} -> {e}",
                                l - 1
                            );
                            last = e;
                        }
                    }
                }
                assert!(t.x.iter().all(|x| (0..x.ncols()).all(|k| (0..x.nrows()).all(|i| x[(i, k)] >= 0.0))));
            }
        }
    }

    /// The least-squares weight update is the minimiser: the objective's
    /// gradient in `W_l`, `b_l` vanishes there and every small step away
    /// from it raises the objective.
    #[test]
    fn quadratic_weight_update_is_the_minimiser() {
        for l in 1..=3 {
            let (mut p, mut t) = problem(&[3, 4, 3, 2], 6, 11 + l as u64);
            let h = hyper(Penalty::Quadratic, 3);
            t.update_weights(&mut p, &h, l).unwrap();
            let best = t.objective(&p, &h).total;
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
            for _ in 0..50 {
                let mut q = p.clone();
                let (r, c) = (q.w[l - 1].nrows(), q.w[l - 1].ncols());
                for i in 0..r {
                    for j in 0..c {
                        q.w[l - 1][(i, j)] += 1e-3 * (rng.random::<f64>() - 0.5);
                    }
                    q.b[l - 1][i] += 1e-3 * (rng.random::<f64>() - 0.5);
                }
                assert!(t.objective(&q, &h).total > best, "layer {l}");
            }
            // central differences of E in every weight and bias: zero
            let eps = 1e-5;
            for i in 0..p.w[l - 1].nrows() {
                for j in 0..=p.w[l - 1].ncols() {
                    let at = |d: f64| {
                        let mut q = p.clone();
                        if j < q.w[l - 1].ncols() {
                            q.w[l - 1][(i, j)] += d;
                        } else {
                            q.b[l - 1][i] += d;
                        }
                        t.objective(&q, &h).total
                    };
                    let g = (at(eps) - at(-eps)) / (2.0 * eps);
                    assert!(g.abs() < 1e-7, "layer {l} ({i}, {j}): gradient {g}");
                }
            }
        }
    }

    /// Where the next layer's term is quadratic, the state update of one
    /// entry is the exact minimiser over `x ≥ 0`: it equals the best point
    /// of a fine grid.
    #[test]
    fn state_update_of_an_entry_equals_a_grid_search() {
        for penalty in [Penalty::Quadratic, Penalty::Bregman] {
            // one hidden unit: coordinate descent is one exact 1-D step
            let (p, mut t) = problem(&[2, 1, 2], 1, 3);
            let h = hyper(penalty, 2);
            let start = t.x[0][(0, 0)];
            let mut best = (f64::INFINITY, 0.0);
            for s in 0..=40000 {
                let v = s as f64 * 1e-4;
                t.x[0][(0, 0)] = v;
                let e = t.objective(&p, &h).total;
                if e < best.0 {
                    best = (e, v);
                }
            }
            t.x[0][(0, 0)] = start;
            t.update_states(&p, &h, 1);
            assert!((t.x[0][(0, 0)] - best.1).abs() <= 1e-4, "{penalty:?}: {} against {}", t.x[0][(0, 0)], best.1);
        }
    }

    /// For ReLU, eq. 3 (½‖y − σ(z)‖² plus the Bregman distance of Ψ at σ(z)
    /// with subgradient z − σ(z)) equals ½‖y‖² + ½‖σ(z)‖² − ⟨y, z⟩, the
    /// Fenchel divergence of the implicit-models paper's eq. 7.
    #[test]
    fn bregman_loss_equals_the_fenchel_divergence() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let x = Mat::from_fn(5, 4, |_, _| rng.random::<f64>() * 2.0);
        let z = Mat::from_fn(5, 4, |_, _| rng.random::<f64>() * 4.0 - 2.0);
        let mut eq3 = 0.0;
        for k in 0..4 {
            for i in 0..5 {
                let (y, z) = (x[(i, k)], z[(i, k)]);
                let s = z.max(0.0);
                // D_Ψ(y, s) = Ψ(y) − Ψ(s) − ⟨z − s, y − s⟩ with Ψ = 0 on y ≥ 0
                eq3 += 0.5 * (y - s).powi(2) - (z - s) * (y - s);
            }
        }
        assert!((bregman(x.as_ref(), z.as_ref()) - eq3).abs() < 1e-12);
        assert!(bregman(x.as_ref(), z.as_ref()) >= 0.0);
        let r = Mat::from_fn(5, 4, |i, k| z[(i, k)].max(0.0));
        assert!(bregman(r.as_ref(), z.as_ref()).abs() < 1e-12, "zero exactly at x = relu(z)");
    }

    /// The work of one sweep of a 2-3-2 net on 5 items, counted by hand.
    #[test]
    fn work_of_a_sweep_by_hand() {
        let (mut p, mut t) = problem(&[2, 3, 2], 5, 1);
        assert_eq!(t.work, (3 * 2 + 2 * 3) * 5, "the forward pass that sets the states");
        t.work = 0;
        let h = hyper(Penalty::Quadratic, 2);
        t.sweep(&mut p, &h).unwrap();
        // W_2 (n = 3, m = 2): Gram 4·4·5, Cholesky 4³/3 = 21, rhs 4·2·5, solve 4·4·2
        let w2 = 4 * 4 * 5 + 21 + 4 * 2 * 5 + 4 * 4 * 2;
        // X_1: Z_1 (3·2·5), then per item u and the coordinate sweep (2·3·2 each)
        let x1 = (3 * 2 + 2 * 3 * 2) * 5;
        // W_1 (n = 2, m = 3): Gram 3·3·5, Cholesky 3³/3 = 9, rhs 3·3·5, solve 3·3·3
        let w1 = 3 * 3 * 5 + 9 + 3 * 3 * 5 + 3 * 3 * 3;
        assert_eq!(t.work, (w2 + x1 + w1) as u64);
    }
}
