//! Lifted training of a feed-forward net by block-coordinate descent (the
//! Bregman lifted networks paper, eq. 1–3; the implicit-models paper's
//! BCD, section 4).
//!
//! Layers `l = 1..L`, weights `W_l` (`n_l × n_{l−1}`), biases `b_l`, the
//! batch's inputs `X_0` and, for the hidden layers `l < L`, lifted states
//! `X_l` in the activation's range (one column per item). With
//! `Z_l = W_l X_{l−1} + b_l 1ᵀ` the objective is
//!
//! `E = (1/B) [ T_L(Z_L; Y) + Σ_{l<L} γ_l T_l(Z_l; X_l) ] + (λ/2) Σ_l ‖W_l‖²`
//!
//! with `Y` the one-hot targets and the terms `T` of [`divergence`]
//! summed over the entries: the output's squared error or squared hinge,
//! the hidden layers' quadratic penalty (eq. 1) or Bregman loss (eq. 3).
//! One sweep updates, in this order, `W_L, X_{L−1}, W_{L−1}, …, X_1, W_1`;
//! every block update leaves `E` no larger:
//!
//! - `W_l, b_l` below an exact term (squared error, quadratic penalty):
//!   the regularised least-squares minimiser, from a Cholesky factor of
//!   `γ A Aᵀ/B + λ D` with `A = [X_{l−1}; 1ᵀ]` (`D` leaves the bias
//!   unregularised);
//! - `W_l, b_l` below a Bregman or hinge term: the minimiser of the
//!   quadratic majorant with that same matrix (the term's curvature in `z`
//!   is at most 1), a step that needs no derivative of the activation: the
//!   gradient is `γ R Aᵀ / B + λ W D` with `R` the term's residual
//!   (`σ(Z) − X`, or `Z − P_C(Z)`);
//! - `X_l`, entry by entry (coordinate descent): the exact minimiser over
//!   the activation's range of its own penalty plus the next layer's term
//!   where that is exact, plus that term's majorant where it is not
//!   ([`divergence::solve_state`]).
//!
//! `X_0` is fixed for a batch, so the first layer's Cholesky factor is
//! computed once per batch. The Gram products are split into fixed blocks
//! of columns and the state updates into fixed blocks of items, run on
//! `threads` threads: the results are the same for every thread count.
//! Work is counted in multiply-adds, the unit of RRR's weight-multiplies.

use faer::linalg::solvers::{Llt, Solve};
use faer::{Mat, MatRef, Side};

use super::divergence::{self, Term};
use crate::engine::parallel::in_parallel;
use crate::feedforward::Activation;
pub use crate::feedforward::{Params, classes};

/// Columns per block of a Gram product.
const GRAM_BLOCK: usize = 128;

/// Items per block of a state update.
const ITEM_BLOCK: usize = 32;

/// The penalty that relaxes `X_l = σ(Z_l)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Penalty {
    /// `½‖X − Z‖² + Ψ(X)` (classical lifted network, eq. 1).
    Quadratic,
    /// `Φ(X) + Φ*(Z) − ⟨X, Z⟩` (eq. 2–3).
    Bregman,
}

/// The output layer's loss against the one-hot targets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Output {
    /// `½‖Z_L − Y‖²`.
    Squared,
    /// `½ dist²(Z_L, C)`, `C` the class set with margin Δ.
    Hinge(f64),
}

impl Output {
    /// The loss as a term of one entry.
    pub fn term(self) -> Term {
        match self {
            Output::Squared => Term::Squared,
            Output::Hinge(delta) => Term::Hinge(delta),
        }
    }
}

/// Hyperparameters of the objective.
#[derive(Clone, Debug, PartialEq)]
pub struct Hyper {
    /// The penalty of every hidden layer.
    pub penalty: Penalty,
    /// The output layer's loss.
    pub output: Output,
    /// Penalty weight `γ_l` of hidden layer `l = 1..L−1` (index `l − 1`).
    pub gamma: Vec<f64>,
    /// Weight decay `λ` (biases are not decayed).
    pub lambda: f64,
}

impl Hyper {
    /// The term of layer `l` (1-based) of a net of `layers` layers with
    /// activation `act`, and its weight.
    pub fn term(&self, act: Activation, l: usize, layers: usize) -> (Term, f64) {
        if l == layers {
            return (self.output.term(), 1.0);
        }
        let t = match self.penalty {
            Penalty::Quadratic => Term::Quadratic(act),
            Penalty::Bregman => Term::Bregman(act),
        };
        (t, self.gamma[l - 1])
    }
}

/// The terms of the objective.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// `E`.
    pub total: f64,
    /// `T_L(Z_L; Y) / B`.
    pub output: f64,
    /// `γ_l T_l(Z_l; X_l) / B` per hidden layer.
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
    /// Threads of the Gram products and state updates.
    pub threads: usize,
    /// The first layer's Cholesky factor and the (γ, λ) it was made with.
    first: Option<(Llt<f64>, f64, f64)>,
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

/// `A Aᵀ`, its columns computed in fixed blocks on `threads` threads.
fn gram(a: MatRef<'_, f64>, threads: usize) -> Mat<f64> {
    let n = a.nrows();
    let blocks = n.div_ceil(GRAM_BLOCK);
    if blocks <= 1 {
        return a * a.transpose();
    }
    let parts = in_parallel(blocks, threads, |j| {
        let c0 = j * GRAM_BLOCK;
        a * a.subrows(c0, GRAM_BLOCK.min(n - c0)).transpose()
    });
    Mat::from_fn(n, n, |i, c| parts[c / GRAM_BLOCK][(i, c % GRAM_BLOCK)])
}

impl Lifted {
    /// A batch with states set by a forward pass of `p` (`X_l = σ(Z_l)`).
    pub fn new(p: &Params, x0: Mat<f64>, y: Mat<f64>, threads: usize) -> Self {
        let mut x = Vec::new();
        let mut a = x0.clone();
        for l in 1..p.w.len() {
            let mut z = p.pre(l, a.as_ref());
            p.act.apply_in_place(&mut z);
            x.push(z.clone());
            a = z;
        }
        let work = p.forward_work(x0.ncols());
        Self { x0, y, x, work, threads: threads.max(1), first: None }
    }

    fn items(&self) -> usize {
        self.x0.ncols()
    }

    /// The input of layer `l` (1-based): `X_{l−1}`.
    fn input(&self, l: usize) -> MatRef<'_, f64> {
        if l == 1 { self.x0.as_ref() } else { self.x[l - 2].as_ref() }
    }

    /// The target of layer `l`'s term: `X_l`, or `Y` for the output.
    fn target(&self, l: usize) -> MatRef<'_, f64> {
        if l == self.x.len() + 1 { self.y.as_ref() } else { self.x[l - 1].as_ref() }
    }

    /// The objective at `p`.
    pub fn objective(&self, p: &Params, h: &Hyper) -> Objective {
        let layers = p.w.len();
        let bf = self.items() as f64;
        let mut penalties = Vec::new();
        let mut output = 0.0;
        for l in 1..=layers {
            let z = p.pre(l, self.input(l));
            let (term, weight) = h.term(p.act, l, layers);
            let t = self.target(l);
            let mut v = 0.0;
            for k in 0..z.ncols() {
                for i in 0..z.nrows() {
                    v += term.value(z[(i, k)], t[(i, k)]);
                }
            }
            if l == layers {
                output = v / bf;
            } else {
                penalties.push(weight * v / bf);
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

    /// The Cholesky factor of `γ A Aᵀ/B + λ D` for layer `l`, with its
    /// work; the first layer's is kept for the batch.
    fn factor(
        &mut self,
        l: usize,
        a: MatRef<'_, f64>,
        gamma: f64,
        lambda: f64,
    ) -> Result<(Llt<f64>, u64), LiftedError> {
        if l == 1
            && let Some((f, g, lam)) = &self.first
            && (*g, *lam) == (gamma, lambda)
        {
            return Ok((f.clone(), 0));
        }
        let (n, bsz) = (a.nrows() - 1, a.ncols());
        let mut g = gram(a, self.threads);
        for j in 0..=n {
            for i in 0..=n {
                g[(i, j)] *= gamma / bsz as f64;
            }
            if j < n {
                g[(j, j)] += lambda;
            }
        }
        let llt = g.llt(Side::Lower).map_err(|_| LiftedError::NotPositiveDefinite { layer: l })?;
        if l == 1 {
            self.first = Some((llt.clone(), gamma, lambda));
        }
        Ok((llt, ((n + 1) * (n + 1) * bsz + (n + 1).pow(3) / 3) as u64))
    }

    /// Updates `W_l`, `b_l` (1-based `l`).
    pub fn update_weights(&mut self, p: &mut Params, h: &Hyper, l: usize) -> Result<(), LiftedError> {
        let layers = p.w.len();
        let (n, m, bsz) = (p.w[l - 1].ncols(), p.w[l - 1].nrows(), self.items());
        let bf = bsz as f64;
        let (term, gamma) = h.term(p.act, l, layers);
        // A = [X_{l−1}; 1ᵀ]
        let a = {
            let input = self.input(l);
            Mat::from_fn(n + 1, bsz, |i, k| if i < n { input[(i, k)] } else { 1.0 })
        };
        let (llt, mut work) = self.factor(l, a.as_ref(), gamma, h.lambda)?;
        let (input, t) = (self.input(l), self.target(l));
        // right-hand side, (n+1) × m
        let mut rhs = if term.exact() {
            // the least-squares minimiser: γ A Tᵀ / B
            let mut r = &a * t.transpose();
            for i in 0..m {
                for j in 0..=n {
                    r[(j, i)] *= gamma / bf;
                }
            }
            r
        } else {
            // the majorant's minimiser: Wᵀ − G⁻¹ ∇ᵀ, ∇ᵀ = γ A Rᵀ/B + λ D Wᵀ
            let mut z = p.pre(l, input);
            work += (m * n * bsz) as u64;
            for k in 0..bsz {
                for i in 0..m {
                    z[(i, k)] = term.residual(z[(i, k)], t[(i, k)]);
                }
            }
            let mut grad = &a * z.transpose();
            for i in 0..m {
                for j in 0..=n {
                    grad[(j, i)] *= gamma / bf;
                    if j < n {
                        grad[(j, i)] += h.lambda * p.w[l - 1][(i, j)];
                    }
                }
            }
            grad
        };
        work += ((n + 1) * m * bsz) as u64;
        llt.solve_in_place(rhs.as_mut());
        work += ((n + 1) * (n + 1) * m) as u64;
        let exact = term.exact();
        let (w, b) = (&mut p.w[l - 1], &mut p.b[l - 1]);
        for i in 0..m {
            for j in 0..n {
                w[(i, j)] = if exact { rhs[(j, i)] } else { w[(i, j)] - rhs[(j, i)] };
            }
            b[i] = if exact { rhs[(n, i)] } else { b[i] - rhs[(n, i)] };
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
        let (own, act) = (h.gamma[l - 1], p.act);
        let (term, wn) = h.term(act, l + 1, layers);
        let (x, t, bias) = (&self.x[l - 1], self.target(l + 1), &p.b[l]);
        // each item's states, from its own column alone
        let item = |k: usize, out: &mut Vec<f64>| {
            let mut xs: Vec<f64> = (0..n).map(|j| x[(j, k)]).collect();
            // u = W' x + b'
            let mut u: Vec<f64> = bias.clone();
            for (j, col) in cols.iter().enumerate() {
                for (ui, w) in u.iter_mut().zip(col) {
                    *ui += w * xs[j];
                }
            }
            for j in 0..n {
                let dot: f64 =
                    cols[j].iter().zip(&u).enumerate().map(|(i, (w, u))| w * term.residual(*u, t[(i, k)])).sum();
                let xj = xs[j];
                let new = divergence::solve_state(act, own, z[(j, k)], wn * dot, wn * norms[j], xj);
                let d = new - xj;
                if d != 0.0 {
                    xs[j] = new;
                    for (ui, w) in u.iter_mut().zip(&cols[j]) {
                        *ui += w * d;
                    }
                }
            }
            out.extend(xs);
        };
        let blocks = in_parallel(bsz.div_ceil(ITEM_BLOCK), self.threads, |b| {
            let mut out = Vec::with_capacity(ITEM_BLOCK * n);
            for k in b * ITEM_BLOCK..((b + 1) * ITEM_BLOCK).min(bsz) {
                item(k, &mut out);
            }
            out
        });
        let x = &mut self.x[l - 1];
        for (b, vals) in blocks.iter().enumerate() {
            for (r, col) in vals.chunks(n).enumerate() {
                for (j, v) in col.iter().enumerate() {
                    x[(j, b * ITEM_BLOCK + r)] = *v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
