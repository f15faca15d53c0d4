//! Training an implicit model by block-coordinate descent on the paper's
//! bi-convex relaxation (the implicit deep learning paper, eq. 10–15, with
//! the per-component weights λ of eq. 11):
//!
//! `E = ½‖Y − (C P + D U)‖² + Σ_g λ_g f_φ(P_g, Z_g) + (μ/2)‖X − P‖²
//!      + (δ/2)(Σ_g λ_g ‖W_g‖² + ‖C, D‖²)`,
//!
//! `Z = A X + B U` (biases included), `f_φ` the Fenchel divergence
//! `Φ(P) + Φ*(Z) − ⟨P, Z⟩` (eq. 7 for ReLU, eq. 8 for tanh), `X` the
//! states, `P` their proxies in `φ`'s range, `δ` a ridge (`--decay`) that
//! keeps every least-squares matrix positive definite. The blocks (one
//! sweep visits them in `--order`, by default `cd, p, ab, x`):
//!
//! - `cd` (eq. 12): the output's weights on `P`, then on `[U; 1]`: each the
//!   exact regularised least-squares minimiser (a Cholesky solve);
//! - `ab` (eq. 13): per state block, its weights on `X` (rows of `A`),
//!   then on `[U; 1]` (rows of `B`, bias): the minimiser of the quadratic
//!   majorant `G = V Vᵀ + δ` of the divergence (its curvature in `Z` is at
//!   most 1, so the step needs no derivative of φ). A row whose step
//!   leaves the ℓ1 ball of `--kappa` (`‖A‖∞ ≤ κ`) or `--kappa-b` (per row
//!   of `B`) is instead moved by `--inner` projected gradient steps of
//!   length 1/L, `L ≥ λ_max(G)`;
//! - `x` (eq. 14): per state block, from the last, the minimiser of the
//!   majorant with matrix `Σ λ_g W_gᵀ W_g + μ I` over the blocks that read
//!   it;
//! - `p` (eq. 15): per state block, entry by entry, the exact minimiser of
//!   the entry's divergence, coupling and (for the block the output reads)
//!   loss terms: one pass of coordinate descent. Without the loss term it
//!   is the paper's closed form `max(P_0, 0)`,
//!   `P_0 = (λ Z + μ X)/(λ + μ)`, for ReLU.
//!
//! Every block update leaves `E` no larger (tested). Work is counted in
//! multiply-adds, the unit of RRR's weight-multiplies.

use faer::linalg::solvers::{Llt, Solve};
use faer::{Mat, Side};

use super::model::Model;
use super::rows::{Fit, Inputs, factor, update_map, with_ones};
use crate::lifted::divergence::{bregman, solve_state};

/// One block of a sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The output's weights (eq. 12).
    Cd,
    /// The proxies `P` (eq. 15).
    P,
    /// The state blocks' weights (eq. 13).
    Ab,
    /// The states `X` (eq. 14).
    X,
}

impl Step {
    /// The step of its name in `--order`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cd" => Some(Self::Cd),
            "p" => Some(Self::P),
            "ab" => Some(Self::Ab),
            "x" => Some(Self::X),
            _ => None,
        }
    }
}

/// Hyperparameters of the relaxation and its solver.
#[derive(Clone, Debug, PartialEq)]
pub struct Hyper {
    /// `λ_g` per state block.
    pub lambda: Vec<f64>,
    /// `μ`.
    pub mu: f64,
    /// The ridge `δ`.
    pub decay: f64,
    /// The bound `κ` on every row's ℓ1 norm in `A`.
    pub kappa: Option<f64>,
    /// The bound on every row's ℓ1 norm in `B` (not the bias).
    pub kappa_b: Option<f64>,
    /// Projected gradient steps for a row whose majorant step leaves its ℓ1
    /// ball.
    pub inner: usize,
}

/// The terms of `E`.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// `E`.
    pub total: f64,
    /// `½‖Y − Ŷ‖²`.
    pub loss: f64,
    /// `λ_g f_φ(P_g, Z_g)` per state block.
    pub divergence: Vec<f64>,
    /// `(μ/2)‖X − P‖²`.
    pub coupling: f64,
    /// The ridge terms.
    pub decay: f64,
}

/// The full-batch training state: data, states and proxies.
#[derive(Clone)]
pub struct Bcd {
    /// Inputs `U`, one column per item.
    pub u: Mat<f64>,
    /// Targets `Y`.
    pub y: Mat<f64>,
    /// States `X`, per block.
    pub x: Vec<Mat<f64>>,
    /// Proxies `P`, per block.
    pub p: Vec<Mat<f64>>,
    /// Multiply-adds so far.
    pub work: u64,
    /// `[U; 1ᵀ]` and `1ᵀ`, and their factors (made once: `U` is fixed).
    ua: Mat<f64>,
    ones: Mat<f64>,
    factors: Option<(Llt<f64>, Llt<f64>)>,
}

impl Bcd {
    /// The state of a model with states and proxies set to the Picard fixed
    /// point of `model` (at most `steps` iterations to `tol`).
    pub fn new(model: &Model, u: Mat<f64>, y: Mat<f64>, steps: usize, tol: f64) -> Self {
        let f = model.picard(u.as_ref(), steps, tol);
        let m = u.ncols();
        let ua = with_ones(Some(u.as_ref()), m);
        let ones = with_ones(None, m);
        Self { u, y, x: f.x.clone(), p: f.x, work: f.work, ua, ones, factors: None }
    }

    /// The objective at `model`.
    pub fn objective(&self, model: &Model, h: &Hyper) -> Objective {
        let yhat = model.out.pre(&self.p, self.u.as_ref());
        let loss = 0.5 * (&yhat - &self.y).squared_norm_l2();
        let divergence = model
            .blocks
            .iter()
            .enumerate()
            .map(|(g, map)| {
                let z = map.pre(&self.x, self.u.as_ref());
                let p = &self.p[g];
                let mut s = 0.0;
                for k in 0..z.ncols() {
                    for i in 0..z.nrows() {
                        s += bregman(model.act, p[(i, k)], z[(i, k)]);
                    }
                }
                h.lambda[g] * s
            })
            .collect::<Vec<f64>>();
        let coupling = 0.5 * h.mu * self.x.iter().zip(&self.p).map(|(x, p)| (x - p).squared_norm_l2()).sum::<f64>();
        let decay = 0.5
            * h.decay
            * (model.blocks.iter().zip(&h.lambda).map(|(m, l)| l * m.squared_norm()).sum::<f64>()
                + model.out.squared_norm());
        let total = loss + divergence.iter().sum::<f64>() + coupling + decay;
        Objective { total, loss, divergence, coupling, decay }
    }

    /// One sweep: the blocks in `order`.
    pub fn sweep(&mut self, model: &mut Model, h: &Hyper, order: &[Step]) {
        for s in order {
            match s {
                Step::Cd => self.step_cd(model, h),
                Step::P => self.step_p(model, h),
                Step::Ab => self.step_ab(model, h),
                Step::X => self.step_x(model, h),
            }
        }
    }

    /// The factors of `[U; 1][U; 1]ᵀ + δD` and `1 1ᵀ`.
    fn input_factors(&mut self, decay: f64) -> (Llt<f64>, Llt<f64>) {
        if self.factors.is_none() {
            let (a, wa) = factor(self.ua.as_ref(), decay, true);
            let (b, wb) = factor(self.ones.as_ref(), decay, true);
            self.work += wa + wb;
            self.factors = Some((a, b));
        }
        self.factors.clone().unwrap_or_else(|| unreachable!("set above"))
    }

    /// The output's weights (eq. 12): exact least squares, on `P` then on
    /// `[U; 1]`.
    pub fn step_cd(&mut self, model: &mut Model, h: &Hyper) {
        let (fu, fo) = self.input_factors(h.decay);
        let inputs = Inputs { ua: self.ua.as_ref(), ones: self.ones.as_ref(), fu: &fu, fo: &fo };
        self.work += update_map(&mut model.out, &self.p, &inputs, Fit::Squared, self.y.as_ref(), h, None, None);
    }

    /// The state blocks' weights (eq. 13), block by block.
    pub fn step_ab(&mut self, model: &mut Model, h: &Hyper) {
        let (fu, fo) = self.input_factors(h.decay);
        let inputs = Inputs { ua: self.ua.as_ref(), ones: self.ones.as_ref(), fu: &fu, fo: &fo };
        let act = model.act;
        for (g, map) in model.blocks.iter_mut().enumerate() {
            let fit = Fit::Divergence(act);
            self.work += update_map(map, &self.x, &inputs, fit, self.p[g].as_ref(), h, h.kappa, h.kappa_b);
        }
    }

    /// The states (eq. 14), block by block from the last: one step to the
    /// minimiser of the majorant.
    pub fn step_x(&mut self, model: &mut Model, h: &Hyper) {
        let m = self.u.ncols();
        for b in (0..self.x.len()).rev() {
            let nb = self.x[b].nrows();
            let mut grad = Mat::from_fn(nb, m, |i, k| h.mu * (self.x[b][(i, k)] - self.p[b][(i, k)]));
            let mut mm = Mat::from_fn(nb, nb, |i, j| if i == j { h.mu } else { 0.0 });
            for (g, map) in model.blocks.iter().enumerate() {
                let Some((from, w)) = &map.wx else { continue };
                if *from != b {
                    continue;
                }
                let z = map.pre(&self.x, self.u.as_ref());
                let r = Mat::from_fn(z.nrows(), m, |i, k| model.act.apply(z[(i, k)]) - self.p[g][(i, k)]);
                let (wr, ww) = (w.transpose() * &r, w.transpose() * w);
                let lam = h.lambda[g];
                for k in 0..m {
                    for i in 0..nb {
                        grad[(i, k)] += lam * wr[(i, k)];
                    }
                }
                for j in 0..nb {
                    for i in 0..nb {
                        mm[(i, j)] += lam * ww[(i, j)];
                    }
                }
                self.work += map.work(m) + (w.nrows() * nb * (m + nb)) as u64;
            }
            let llt = mm.llt(Side::Lower).unwrap_or_else(|_| unreachable!("μ I + Σ λ WᵀW is positive definite"));
            llt.solve_in_place(grad.as_mut());
            self.work += (nb.pow(3) / 3 + nb * nb * m) as u64;
            for k in 0..m {
                for i in 0..nb {
                    self.x[b][(i, k)] -= grad[(i, k)];
                }
            }
        }
    }

    /// The proxies (eq. 15), block by block, entry by entry: for the block
    /// the output reads, one pass of coordinate descent with the loss; for
    /// the others the exact minimiser of divergence plus coupling.
    pub fn step_p(&mut self, model: &Model, h: &Hyper) {
        let (m, act) = (self.u.ncols(), model.act);
        for (b, map) in model.blocks.iter().enumerate() {
            let z = map.pre(&self.x, self.u.as_ref());
            self.work += map.work(m);
            let lam = h.lambda[b];
            match &model.out.wx {
                Some((from, c)) if *from == b => {
                    let mut r = model.out.pre(&self.p, self.u.as_ref()) - &self.y;
                    self.work += model.out.work(m) + (2 * c.nrows() * c.ncols() * m) as u64;
                    let norms: Vec<f64> =
                        (0..c.ncols()).map(|j| (0..c.nrows()).map(|i| c[(i, j)].powi(2)).sum()).collect();
                    let (x, p) = (&self.x[b], &mut self.p[b]);
                    for k in 0..m {
                        for j in 0..c.ncols() {
                            let old = p[(j, k)];
                            let a: f64 =
                                (0..c.nrows()).map(|i| c[(i, j)] * r[(i, k)]).sum::<f64>() + h.mu * (old - x[(j, k)]);
                            let new = solve_state(act, lam, z[(j, k)], a, norms[j] + h.mu, old);
                            if new != old {
                                for i in 0..c.nrows() {
                                    r[(i, k)] += c[(i, j)] * (new - old);
                                }
                                p[(j, k)] = new;
                            }
                        }
                    }
                }
                _ => {
                    let (x, p) = (&self.x[b], &mut self.p[b]);
                    for k in 0..m {
                        for j in 0..p.nrows() {
                            let old = p[(j, k)];
                            p[(j, k)] = solve_state(act, lam, z[(j, k)], h.mu * (old - x[(j, k)]), h.mu, old);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedforward::Activation;
    use crate::implicit::rows::bound_rows;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn random(r: usize, c: usize, scale: f64, rng: &mut Xoshiro256PlusPlus) -> Mat<f64> {
        Mat::from_fn(r, c, |_, _| scale * (2.0 * rng.random::<f64>() - 1.0))
    }

    fn hyper(blocks: usize, kappa: Option<f64>, kappa_b: Option<f64>) -> Hyper {
        Hyper { lambda: (0..blocks).map(|g| 0.5 + g as f64).collect(), mu: 0.7, decay: 1e-3, kappa, kappa_b, inner: 10 }
    }

    fn models(rng: &mut Xoshiro256PlusPlus) -> Vec<Model> {
        let mut out = vec![];
        for act in [Activation::Relu, Activation::Tanh] {
            out.push(Model::dense(4, 6, 2, act, 0.5, rng));
            out.push(Model::layered(&[4, 5, 3, 2], act, rng));
        }
        out
    }

    /// Every block of a sweep leaves the objective of eq. 10 no larger,
    /// with ℓ1 bounds that bind; the bounds hold after the (A, B) step.
    #[test]
    fn every_step_does_not_increase_the_objective() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        for (t, mut model) in models(&mut rng).into_iter().enumerate() {
            let u = random(4, 30, 1.5, &mut rng);
            let y = random(2, 30, 1.0, &mut rng);
            let k = model.blocks.len();
            let h = hyper(k, Some(0.5), Some(0.8));
            for m in &mut model.blocks {
                if let Some(b) = &mut m.wu {
                    bound_rows(b, 0.8);
                }
                if let Some((_, a)) = &mut m.wx {
                    bound_rows(a, 0.5);
                }
            }
            let mut s = Bcd::new(&model, u, y, 200, 1e-12);
            // start away from the fixed point, so that every block has work
            for p in &mut s.p {
                let noise = random(p.nrows(), p.ncols(), 0.3, &mut rng);
                let lo = if model.act == Activation::Relu { 0.0 } else { -0.99 };
                *p = Mat::from_fn(p.nrows(), p.ncols(), |i, k| (p[(i, k)] + noise[(i, k)]).clamp(lo, 0.99));
            }
            let mut e = s.objective(&model, &h).total;
            let mut projected = false;
            for sweep in 0..6 {
                for step in [Step::Cd, Step::P, Step::Ab, Step::X] {
                    s.sweep(&mut model, &h, &[step]);
                    let next = s.objective(&model, &h).total;
                    assert!(next <= e + 1e-10 * e.abs().max(1.0), "model {t} sweep {sweep} {step:?}: {e} → {next}");
                    e = next;
                }
                for m in &model.blocks {
                    let mut rows = vec![];
                    if let Some((_, a)) = &m.wx {
                        rows.extend(
                            (0..a.nrows()).map(|i| ((0..a.ncols()).map(|j| a[(i, j)].abs()).sum::<f64>(), 0.5)),
                        );
                    }
                    if let Some(b) = &m.wu {
                        rows.extend(
                            (0..b.nrows()).map(|i| ((0..b.ncols()).map(|j| b[(i, j)].abs()).sum::<f64>(), 0.8)),
                        );
                    }
                    for (l1, r) in rows {
                        assert!(l1 <= r + 1e-12, "model {t}: a row's ℓ1 norm {l1} > {r}");
                        projected |= l1 > r - 1e-9;
                    }
                }
            }
            assert!(projected, "model {t}: no bound was active");
        }
    }

    /// The (C, D) step is least squares: each of its two parts is exact, so
    /// repeated (the alternation converges slowly when P and U are
    /// correlated, as here) it reaches the minimiser of
    /// ½‖Y − CP − DU − b1ᵀ‖² + δ/2‖C, D‖² solved directly.
    #[test]
    fn cd_step_is_least_squares() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let mut model = Model::dense(3, 4, 2, Activation::Tanh, 0.5, &mut rng);
        let (u, y) = (random(3, 40, 1.0, &mut rng), random(2, 40, 1.0, &mut rng));
        let h = hyper(1, None, None);
        let mut s = Bcd::new(&model, u.clone(), y.clone(), 200, 1e-12);
        for _ in 0..20000 {
            s.step_cd(&mut model, &h);
        }
        // direct: features [P; U; 1], weights [C D b]
        let v = Mat::from_fn(8, 40, |i, k| match i {
            0..4 => s.p[0][(i, k)],
            4..7 => u[(i - 4, k)],
            _ => 1.0,
        });
        let mut g = &v * v.transpose();
        (0..7).for_each(|j| g[(j, j)] += h.decay);
        let w = g.llt(Side::Lower).unwrap().solve(&v * y.transpose());
        let (Some((_, c)), Some(d)) = (&model.out.wx, &model.out.wu) else { unreachable!("dense") };
        for i in 0..2 {
            for j in 0..8 {
                let ours = match j {
                    0..4 => c[(i, j)],
                    4..7 => d[(i, j - 4)],
                    _ => model.out.bias[i],
                };
                assert!((ours - w[(j, i)]).abs() < 1e-9, "output {i} feature {j}: {ours} against {}", w[(j, i)]);
            }
        }
    }

    /// For a state block the output does not read, the ReLU P step is the
    /// paper's closed form `max((λZ + μX)/(λ + μ), 0)`.
    #[test]
    fn relu_p_step_is_the_closed_form() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        let model = Model::layered(&[3, 5, 4, 2], Activation::Relu, &mut rng);
        let h = hyper(2, None, None);
        let mut s = Bcd::new(&model, random(3, 9, 1.0, &mut rng), random(2, 9, 1.0, &mut rng), 10, 0.0);
        s.x[0] += random(5, 9, 0.5, &mut rng);
        let z = model.blocks[0].pre(&s.x, s.u.as_ref());
        s.step_p(&model, &h);
        let (l, mu) = (h.lambda[0], h.mu);
        for k in 0..9 {
            for i in 0..5 {
                let want = ((l * z[(i, k)] + mu * s.x[0][(i, k)]) / (l + mu)).max(0.0);
                assert!((s.p[0][(i, k)] - want).abs() < 1e-12);
            }
        }
    }

    /// With one state and one item, the P step with the loss term (one
    /// coordinate) is the minimiser of the objective over P: no point of a
    /// fine grid of P is lower.
    #[test]
    fn p_step_with_the_loss_beats_a_grid() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
        for act in [Activation::Relu, Activation::Tanh] {
            for trial in 0..20 {
                let model = Model::dense(2, 1, 1, act, 0.6, &mut rng);
                let h = hyper(1, None, None);
                let mut s = Bcd::new(&model, random(2, 1, 2.0, &mut rng), random(1, 1, 2.0, &mut rng), 100, 0.0);
                s.x[0] += random(1, 1, 0.5, &mut rng);
                s.step_p(&model, &h);
                let e = s.objective(&model, &h).total;
                let (lo, hi) = if act == Activation::Relu { (0.0, 4.0) } else { (-1.0, 1.0) };
                for g in 0..=4000 {
                    let mut t = s.clone();
                    t.p[0][(0, 0)] = lo + (hi - lo) * f64::from(g) / 4000.0;
                    assert!(e <= t.objective(&model, &h).total + 1e-12, "{act:?} trial {trial} grid point {g}");
                }
            }
        }
    }
}
