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
use faer::{Mat, MatRef, Side};

use super::model::{Map, Model};
use crate::feedforward::Activation;
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

/// What a map's rows are fitted to.
#[derive(Clone, Copy, Debug)]
enum Fit {
    /// `f_φ(P, Z)`: the derivative in `Z` is `φ(Z) − P`.
    Divergence(Activation),
    /// `½(Z − Y)²`.
    Squared,
}

impl Fit {
    fn residual(self, z: f64, t: f64) -> f64 {
        match self {
            Self::Divergence(act) => act.apply(z) - t,
            Self::Squared => z - t,
        }
    }
}

/// The projection of `v` onto the ℓ1 ball of radius `r` (sort and
/// threshold).
pub fn project_l1(v: &mut [f64], r: f64) {
    let norm: f64 = v.iter().map(|x| x.abs()).sum();
    if norm <= r {
        return;
    }
    let mut a: Vec<f64> = v.iter().map(|x| x.abs()).collect();
    a.sort_by(|x, y| y.total_cmp(x));
    // the largest k with a_k > (Σ_{i≤k} a_i − r)/k gives the threshold
    let (mut sum, mut theta) = (0.0, 0.0);
    for (k, ak) in a.iter().enumerate() {
        sum += ak;
        let t = (sum - r) / (k + 1) as f64;
        if *ak > t {
            theta = t;
        }
    }
    for x in v.iter_mut() {
        *x = x.signum() * (x.abs() - theta).max(0.0);
    }
}

/// The Cholesky factor of `V Vᵀ + δ D`, `D` the identity but for the last
/// entry when `bias` (the bias is not decayed); and its multiply-adds.
fn factor(v: MatRef<'_, f64>, decay: f64, bias: bool) -> (Llt<f64>, u64) {
    let f = v.nrows();
    let mut g = v * v.transpose();
    for j in 0..f {
        if !(bias && j == f - 1) {
            g[(j, j)] += decay;
        }
    }
    let llt = g.llt(Side::Lower).unwrap_or_else(|_| {
        // only a bias-free V of zero rows with δ = 0; δ > 0 is checked
        Mat::<f64>::identity(f, f).llt(Side::Lower).unwrap_or_else(|_| unreachable!("I is positive definite"))
    });
    (llt, (f * f * v.ncols() + f.pow(3) / 3) as u64)
}

/// An upper bound of `λ_max(V Vᵀ) + δ`: the smaller of the trace and the
/// largest absolute row sum (Gershgorin).
fn lipschitz(v: MatRef<'_, f64>, decay: f64) -> f64 {
    let g = v * v.transpose();
    let trace: f64 = (0..g.nrows()).map(|i| g[(i, i)]).sum();
    let rows = (0..g.nrows()).map(|i| (0..g.ncols()).map(|j| g[(i, j)].abs()).sum::<f64>()).fold(0.0, f64::max);
    trace.min(rows) + decay
}

/// One part of a map being updated: its weights `w` (rows × features, the
/// bias last when `bias`) on the features `v`, with `rest` the rest of the
/// map's `Z`.
struct Part<'a> {
    w: Mat<f64>,
    v: MatRef<'a, f64>,
    rest: Mat<f64>,
    bias: bool,
}

impl Part<'_> {
    /// `Z = W V + rest` of row `i`, or of every row.
    fn z(&self) -> Mat<f64> {
        let mut z = &self.w * self.v;
        z += &self.rest;
        z
    }

    /// `R Vᵀ + δ D Wᵀ`, transposed (features × rows), for residuals `r`.
    fn gradient_t(&self, r: MatRef<'_, f64>, decay: f64) -> Mat<f64> {
        let mut g = self.v * r.transpose();
        let f = self.v.nrows();
        for i in 0..self.w.nrows() {
            for j in 0..f {
                if !(self.bias && j == f - 1) {
                    g[(j, i)] += decay * self.w[(i, j)];
                }
            }
        }
        g
    }

    /// The ℓ1 norm of row `i`'s weights (not the bias).
    fn l1(&self, i: usize) -> f64 {
        let f = self.w.ncols() - usize::from(self.bias);
        (0..f).map(|j| self.w[(i, j)].abs()).sum()
    }

    /// The majorant's minimiser with factor `llt`, and for the rows it takes
    /// out of the ball of `radius`, `inner` projected gradient steps from
    /// where they were. Returns the multiply-adds.
    fn update(&mut self, llt: &Llt<f64>, fit: Fit, target: MatRef<'_, f64>, h: &Hyper, radius: Option<f64>) -> u64 {
        let (rows, f, m) = (self.w.nrows(), self.v.nrows(), self.v.ncols());
        let z = self.z();
        let r = Mat::from_fn(rows, m, |i, k| fit.residual(z[(i, k)], target[(i, k)]));
        let mut step = self.gradient_t(r.as_ref(), h.decay);
        llt.solve_in_place(step.as_mut());
        let mut work = (2 * rows * f * m + f * f * rows) as u64;
        let old = self.w.clone();
        for i in 0..rows {
            for j in 0..f {
                self.w[(i, j)] -= step[(j, i)];
            }
        }
        let Some(radius) = radius else {
            return work;
        };
        let out: Vec<usize> = (0..rows).filter(|&i| self.l1(i) > radius).collect();
        if out.is_empty() {
            return work;
        }
        let lip = lipschitz(self.v, h.decay);
        work += (f * f * m) as u64;
        let nf = f - usize::from(self.bias);
        for &i in &out {
            let mut row: Vec<f64> = (0..f).map(|j| old[(i, j)]).collect();
            for _ in 0..h.inner {
                let mut g = vec![0.0; f];
                for k in 0..m {
                    let zk: f64 = (0..f).map(|j| row[j] * self.v[(j, k)]).sum::<f64>() + self.rest[(i, k)];
                    let rk = fit.residual(zk, target[(i, k)]);
                    for (j, gj) in g.iter_mut().enumerate() {
                        *gj += rk * self.v[(j, k)];
                    }
                }
                for j in 0..nf {
                    g[j] += h.decay * row[j];
                }
                for (x, gj) in row.iter_mut().zip(&g) {
                    *x -= gj / lip;
                }
                project_l1(&mut row[..nf], radius);
                work += (2 * f * m) as u64;
            }
            for (j, x) in row.iter().enumerate() {
                self.w[(i, j)] = *x;
            }
        }
        work
    }
}

/// `[U; 1ᵀ]`, or `1ᵀ` alone when the map has no input weights.
fn with_ones(u: Option<MatRef<'_, f64>>, m: usize) -> Mat<f64> {
    let p = u.map_or(0, |u| u.nrows());
    Mat::from_fn(p + 1, m, |i, k| if i < p { u.map_or(1.0, |u| u[(i, k)]) } else { 1.0 })
}

/// The fixed features of every map's input part: `[U; 1ᵀ]` and `1ᵀ`
/// with the factors of their matrices.
struct Inputs<'a> {
    ua: MatRef<'a, f64>,
    ones: MatRef<'a, f64>,
    fu: &'a Llt<f64>,
    fo: &'a Llt<f64>,
}

/// Updates both parts of `map`, which reads the state blocks `xs` and is
/// fitted to `target` by `fit`: its weights on its state block within
/// `radius_x`, then its input weights and bias, the input weights within
/// `radius_u`. Returns the multiply-adds.
#[allow(clippy::too_many_arguments)]
fn update_map(
    map: &mut Map,
    xs: &[Mat<f64>],
    inputs: &Inputs<'_>,
    fit: Fit,
    target: MatRef<'_, f64>,
    h: &Hyper,
    radius_x: Option<f64>,
    radius_u: Option<f64>,
) -> u64 {
    let m = inputs.ua.ncols();
    let p = inputs.ua.nrows() - 1;
    let mut work = 0;
    if let Some((b, w)) = &map.wx {
        let v = xs[*b].as_ref();
        let mut rest = map.wu.as_ref().map_or_else(|| Mat::zeros(map.rows(), m), |wu| wu * inputs.ua.subrows(0, p));
        for k in 0..m {
            for (i, bi) in map.bias.iter().enumerate() {
                rest[(i, k)] += bi;
            }
        }
        let (llt, wf) = factor(v, h.decay, false);
        let mut part = Part { w: w.clone(), v, rest, bias: false };
        work += wf + map.wu.as_ref().map_or(0, |wu| (wu.nrows() * p * m) as u64);
        work += part.update(&llt, fit, target, h, radius_x);
        map.wx = Some((*b, part.w));
    }
    let rest = map.wx.as_ref().map_or_else(|| Mat::zeros(map.rows(), m), |(b, w)| w * &xs[*b]);
    work += map.wx.as_ref().map_or(0, |(_, w)| (w.nrows() * w.ncols() * m) as u64);
    let (v, llt, radius) = match &map.wu {
        Some(_) => (inputs.ua, inputs.fu, radius_u),
        None => (inputs.ones, inputs.fo, None),
    };
    let n = v.nrows() - 1;
    let w =
        Mat::from_fn(
            map.rows(),
            n + 1,
            |i, j| {
                if j < n { map.wu.as_ref().map_or(0.0, |wu| wu[(i, j)]) } else { map.bias[i] }
            },
        );
    let mut part = Part { w, v, rest, bias: true };
    work += part.update(llt, fit, target, h, radius);
    if let Some(wu) = &mut map.wu {
        for i in 0..wu.nrows() {
            for j in 0..n {
                wu[(i, j)] = part.w[(i, j)];
            }
        }
    }
    for (i, b) in map.bias.iter_mut().enumerate() {
        *b = part.w[(i, n)];
    }
    work
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
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn random(r: usize, c: usize, scale: f64, rng: &mut Xoshiro256PlusPlus) -> Mat<f64> {
        Mat::from_fn(r, c, |_, _| scale * (2.0 * rng.random::<f64>() - 1.0))
    }

    fn hyper(blocks: usize, kappa: Option<f64>, kappa_b: Option<f64>) -> Hyper {
        Hyper { lambda: (0..blocks).map(|g| 0.5 + g as f64).collect(), mu: 0.7, decay: 1e-3, kappa, kappa_b, inner: 10 }
    }

    /// The brute-force projection onto the ℓ1 ball: the nearest of the
    /// points `v_S − θ sign(v_S)` on the ball's boundary over every support
    /// `S` with signs of `v` (the projection of a point outside lies on one).
    fn brute_l1(v: &[f64], r: f64) -> Vec<f64> {
        if v.iter().map(|x| x.abs()).sum::<f64>() <= r {
            return v.to_vec();
        }
        let mut best: Option<(f64, Vec<f64>)> = None;
        for s in 1..(1u32 << v.len()) {
            let on: Vec<usize> = (0..v.len()).filter(|i| s >> i & 1 == 1).collect();
            let theta = (on.iter().map(|&i| v[i].abs()).sum::<f64>() - r) / on.len() as f64;
            if on.iter().any(|&i| v[i].abs() < theta) {
                continue;
            }
            let p: Vec<f64> =
                (0..v.len()).map(|i| if s >> i & 1 == 1 { v[i] - theta * v[i].signum() } else { 0.0 }).collect();
            let d: f64 = p.iter().zip(v).map(|(a, b)| (a - b).powi(2)).sum();
            if best.as_ref().is_none_or(|(bd, _)| d < *bd) {
                best = Some((d, p));
            }
        }
        best.map(|(_, p)| p).unwrap_or_else(|| unreachable!("the full support with θ ≤ min|v_i| or a smaller one"))
    }

    /// The ℓ1 projection is feasible, idempotent and equal to the brute
    /// force over supports; no other point of the ball is nearer.
    #[test]
    fn l1_projection_is_exact() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for trial in 0..400 {
            let n = 1 + trial % 7;
            let v: Vec<f64> = (0..n).map(|_| 3.0 * (2.0 * rng.random::<f64>() - 1.0)).collect();
            let r = 0.1 + 3.0 * rng.random::<f64>();
            let mut p = v.clone();
            project_l1(&mut p, r);
            let l1: f64 = p.iter().map(|x| x.abs()).sum();
            assert!(l1 <= r * (1.0 + 1e-12), "feasible");
            for (a, b) in p.iter().zip(brute_l1(&v, r)) {
                assert!((a - b).abs() < 1e-12, "trial {trial}: {p:?} against brute force");
            }
            let mut q = p.clone();
            project_l1(&mut q, r);
            for (a, b) in p.iter().zip(&q) {
                assert!((a - b).abs() <= 1e-14 * r, "idempotent: {p:?} then {q:?}");
            }
            let d = |x: &[f64]| x.iter().zip(&v).map(|(a, b)| (a - b).powi(2)).sum::<f64>();
            for _ in 0..20 {
                let mut w: Vec<f64> = (0..n).map(|_| 3.0 * (2.0 * rng.random::<f64>() - 1.0)).collect();
                project_l1(&mut w, r * rng.random::<f64>());
                assert!(d(&p) <= d(&w) + 1e-12, "optimal");
            }
        }
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
                    for i in 0..b.nrows() {
                        let mut row: Vec<f64> = (0..b.ncols()).map(|j| b[(i, j)]).collect();
                        project_l1(&mut row, 0.8);
                        (0..b.ncols()).for_each(|j| b[(i, j)] = row[j]);
                    }
                }
                if let Some((_, a)) = &mut m.wx {
                    for i in 0..a.nrows() {
                        let mut row: Vec<f64> = (0..a.ncols()).map(|j| a[(i, j)]).collect();
                        project_l1(&mut row, 0.5);
                        (0..a.ncols()).for_each(|j| a[(i, j)] = row[j]);
                    }
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
