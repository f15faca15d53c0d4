//! The two-stage algorithm of the local propagation paper (section 3) on a
//! chain of `L` nodes with square weights: node `l` holds `U_l = sNT(A_{l−1}
//! U_{l−1})`, node 0 the data, and the backward weights are `B_l = A_lᵀ`
//! (section 4).
//!
//! One iteration on a batch:
//!
//! - stage one (section 3.1.1): the forward pass of sNTs gives every `Q_l`,
//!   `U_l` and the items' thresholds `τ_l`; at the goal node the exact
//!   goal-satisfying `G` (eq. 12); the local goal error vectors
//!   `e_l = U_l − G_l` (eq. 8): at the goal node against its `G`, elsewhere
//!   0 (`--deviation goal`, `G_l = U_l`, eq. 12 without its constraint) or
//!   `U_l` (`--deviation paper`, the paper's footnote 2: `G_l = 0`);
//! - stage two (section 3.1.2), every node `l` apart, in parallel: the
//!   c-sNT `Y_l = soft(Q_l − ν_l, τ_l)` with `ν_l = p_l + t_l`, `t_l = e_l`
//!   at the goal node (eq. 15, else 0) and the local diffusion term
//!   `p_l = λ_f A_lᵀ e_{l+1} + λ_b A_{l−1} e_{l−1}` (eq. 10); then the forward
//!   weights `Â_{l−1}` that map `U_{l−1}` to `W_l` under the weight
//!   constraint (eq. 16, [`weights::update`] or [`weights::procrustes`]),
//!   with `W_l = Y_l − t_l − λ_f e_{l+1}` (eq. 17, `--target paper`) or
//!   `W_l = Y_l` (`--target csnt`), taken on-line: `A ← A − ρ (A − Â)`.
//!   Eq. 17 also replaces `U_{l−1}` by an `S` with
//!   `S Sᵀ = U_{l−1} (U_{l−1} + λ_b e_{l−1})ᵀ`, a matrix that is not
//!   symmetric in general, so that no such `S` exists: we keep `U_{l−1}`.
//!
//! The asynchronous schedule (section 4.1) draws `φ(l) ∈ {−1, 1}` per node:
//! with −1 the node's incoming weights of the previous iteration feed stage
//! one and stage two leaves them alone.

use faer::{Mat, MatRef};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use super::snt::{csnt, goal, snt};
use super::weights::{self, Conditioning, WeightError};
use crate::datasets::teacher::normal;
use crate::engine::parallel::in_parallel;

/// The deviation `e_l` at nodes without a goal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Deviation {
    /// `e_l = 0`: without a goal `G_l` is the sNT itself (eq. 12 unconstrained).
    Goal,
    /// `e_l = U_l`: the paper's footnote 2, `G_l = 0` without a goal.
    Paper,
}

/// What the forward weights of stage two map `U_{l−1}` to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Eq. 17: `W_l = Y_l − t_l − λ_f e_{l+1}`, the c-sNT moved once more
    /// against the goal error at the goal node and the next node's deviation.
    Paper,
    /// The c-sNT `Y_l` alone (eq. 16 without the goal and propagation terms).
    Csnt,
}

/// The forward weight step of stage two.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightStep {
    /// Orthogonal Procrustes: the coherence term's limit, `A Aᵀ = I`.
    Procrustes,
    /// `λ₂/2‖A‖² − λ₄ log|det AᵀA|` without the coherence term.
    Barrier,
}

/// The settings of the algorithm.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Entries node `l` keeps (index `l − 1`).
    pub keep: Vec<usize>,
    /// The goal node, 1-based.
    pub goal: usize,
    /// The most coordinates a class may own in the goal (`None`: eq. 12
    /// without a bound).
    pub capacity: Option<usize>,
    /// `λ_f`, `λ_b` of the diffusion term.
    pub lambda_f: f64,
    /// See `lambda_f`.
    pub lambda_b: f64,
    /// The forward weight step.
    pub step: WeightStep,
    /// What the forward weights map to.
    pub target: Target,
    /// The weight constraint of [`WeightStep::Barrier`].
    pub conditioning: Conditioning,
    /// On-line step ρ.
    pub rho: f64,
    /// Deviation at nodes without a goal.
    pub deviation: Deviation,
    /// Probability of `φ(l) = 1` per node (1: synchronous).
    pub update_probability: f64,
    /// Threads of stage two (nodes are independent).
    pub threads: usize,
}

/// What one iteration measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Iteration {
    /// `‖U − G‖_F / ‖G‖_F` at the goal node, before the update.
    pub goal_err: f64,
    /// Nodes whose weights were updated.
    pub updated: usize,
    /// Multiply-adds.
    pub work: u64,
}

/// The chain: its weights and the previous iteration's.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// `A_0, …, A_{L−1}`: `A_l` maps node `l` to node `l + 1`.
    pub weights: Vec<Mat<f64>>,
    previous: Vec<Mat<f64>>,
}

/// The representations of one forward pass.
pub struct Pass {
    /// `Q_1, …, Q_L`.
    pub q: Vec<Mat<f64>>,
    /// `U_0 = X, U_1, …, U_L`.
    pub u: Vec<Mat<f64>>,
    /// Every node's per-item thresholds.
    pub taus: Vec<Vec<f64>>,
    /// Multiply-adds.
    pub work: u64,
}

impl Chain {
    /// `nodes` square `n × n` weights with i.i.d. normal entries of standard
    /// deviation `std` (the paper: unit variance).
    pub fn random(n: usize, nodes: usize, std: f64, rng: &mut Xoshiro256PlusPlus) -> Self {
        let weights: Vec<Mat<f64>> = (0..nodes).map(|_| Mat::from_fn(n, n, |_, _| std * normal(rng))).collect();
        Self { previous: weights.clone(), weights }
    }

    /// The forward pass of sNTs (eq. 4) from `x` with weights `a`.
    pub fn pass(a: &[&Mat<f64>], x: MatRef<'_, f64>, keep: &[usize]) -> Pass {
        let (mut q, mut u, mut taus) = (Vec::new(), vec![x.to_owned()], Vec::new());
        let mut work = 0;
        for (l, w) in a.iter().enumerate() {
            let ql = *w * &u[l];
            work += (w.nrows() * w.ncols() * x.ncols()) as u64;
            let (ul, tl) = snt(ql.as_ref(), keep[l]);
            q.push(ql);
            u.push(ul);
            taus.push(tl);
        }
        Pass { q, u, taus, work }
    }

    /// The output representation `U_L` of `x` and the multiply-adds.
    pub fn output(&self, x: MatRef<'_, f64>, keep: &[usize]) -> (Mat<f64>, u64) {
        let a: Vec<&Mat<f64>> = self.weights.iter().collect();
        let mut p = Self::pass(&a, x, keep);
        (p.u.pop().unwrap_or_else(|| x.to_owned()), p.work)
    }

    /// One iteration on the batch `x` (one item per column) with `labels`
    /// of `classes` classes; `rng` draws the asynchronous schedule.
    pub fn iterate(
        &mut self,
        s: &Settings,
        x: MatRef<'_, f64>,
        labels: &[u32],
        classes: usize,
        rng: &mut Xoshiro256PlusPlus,
    ) -> Result<Iteration, WeightError> {
        let nodes = self.weights.len();
        let fresh: Vec<bool> =
            (0..nodes).map(|_| s.update_probability >= 1.0 || rng.random::<f64>() < s.update_probability).collect();
        let in_use: Vec<&Mat<f64>> =
            (0..nodes).map(|l| if fresh[l] { &self.weights[l] } else { &self.previous[l] }).collect();
        // stage one
        let pass = Self::pass(&in_use, x, &s.keep);
        let mut work = pass.work;
        let g_node = s.goal - 1;
        let (g, _) = goal(pass.q[g_node].as_ref(), &pass.taus[g_node], labels, classes, s.capacity);
        let n = x.nrows();
        let m = x.ncols();
        // e[l − 1] is node l's deviation
        let e: Vec<Option<Mat<f64>>> = (1..=nodes)
            .map(|l| {
                if l == s.goal {
                    Some(&pass.u[l] - &g)
                } else {
                    match s.deviation {
                        Deviation::Goal => None,
                        Deviation::Paper => Some(pass.u[l].clone()),
                    }
                }
            })
            .collect();
        let goal_err = (&pass.u[s.goal] - &g).norm_l2() / g.norm_l2().max(f64::MIN_POSITIVE);
        // stage two, node by node (independent: in parallel)
        let solve = |l: usize| -> Result<(Mat<f64>, u64), WeightError> {
            let mut nu = Mat::<f64>::zeros(n, m);
            let mut w = 0u64;
            if l == s.goal
                && let Some(t) = &e[l - 1]
            {
                nu += t;
            }
            if l < nodes
                && let Some(next) = &e[l]
            {
                nu += in_use[l].transpose() * next * s.lambda_f;
                w += (n * n * m) as u64;
            }
            if l > 1
                && let Some(prev) = &e[l - 2]
            {
                nu += in_use[l - 1] * prev * s.lambda_b;
                w += (n * n * m) as u64;
            }
            let mut y = csnt(pass.q[l - 1].as_ref(), nu.as_ref(), &pass.taus[l - 1]);
            if s.target == Target::Paper {
                if l == s.goal
                    && let Some(t) = &e[l - 1]
                {
                    y -= t;
                }
                if l < nodes
                    && let Some(next) = &e[l]
                {
                    y -= next * s.lambda_f;
                }
            }
            let (a_hat, wu) = match s.step {
                WeightStep::Procrustes => weights::procrustes(pass.u[l - 1].as_ref(), y.as_ref())?,
                WeightStep::Barrier => weights::update(pass.u[l - 1].as_ref(), y.as_ref(), s.conditioning)?,
            };
            Ok((a_hat, w + wu))
        };
        let todo: Vec<usize> = (1..=nodes).filter(|&l| fresh[l - 1]).collect();
        let results = in_parallel(todo.len(), s.threads, |j| solve(todo[j]));
        for (l, r) in todo.iter().zip(results) {
            let (a_hat, w) = r?;
            work += w;
            let a = &mut self.weights[l - 1];
            self.previous[l - 1] = a.clone();
            *a = &*a - (&*a - &a_hat) * s.rho;
        }
        Ok(Iteration { goal_err, updated: todo.len(), work })
    }
}

/// The seeded generator of iteration `t`'s batch and schedule.
pub fn iteration_rng(seed: u64, t: usize) -> Xoshiro256PlusPlus {
    let mut r = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..t).for_each(|_| r.jump());
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(nodes: usize, goal: usize) -> Settings {
        Settings {
            keep: vec![3; nodes],
            goal,
            capacity: Some(3),
            lambda_f: 1.0,
            lambda_b: 1.0,
            step: WeightStep::Procrustes,
            target: Target::Paper,
            conditioning: Conditioning { lambda2: 0.5, lambda4: 0.5 },
            rho: 1.0,
            deviation: Deviation::Goal,
            update_probability: 1.0,
            threads: 2,
        }
    }

    fn batch(rng: &mut Xoshiro256PlusPlus) -> (Mat<f64>, Vec<u32>) {
        let labels: Vec<u32> = (0..12).map(|k| (k % 2) as u32).collect();
        let x = Mat::from_fn(6, 12, |i, k| normal(rng) + if i % 2 == k % 2 { 1.5 } else { 0.0 });
        (x, labels)
    }

    /// With ρ = 1 a node's new weights are the closed-form minimiser of its
    /// decoupled problem for the target built from stage one (eq. 17's or
    /// the c-sNT alone); the
    /// node far from the goal (e = 0 on both sides) is refitted to its own
    /// sNT output. Threads change nothing.
    #[test]
    fn stage_two_is_the_decoupled_minimiser() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let (x, labels) = batch(&mut rng);
        let start = Chain::random(6, 3, 1.0, &mut rng);
        let s = settings(3, 3);
        let barrier = Settings { step: WeightStep::Barrier, target: Target::Csnt, ..s.clone() };
        let mut c = start.clone();
        let mut b = start.clone();
        b.iterate(&barrier, x.as_ref(), &labels, 2, &mut rng).unwrap();
        let it = c.iterate(&s, x.as_ref(), &labels, 2, &mut rng).unwrap();
        assert_eq!(it.updated, 3);
        let w: Vec<&Mat<f64>> = start.weights.iter().collect();
        let p = Chain::pass(&w, x.as_ref(), &s.keep);
        let (g, _) = goal(p.q[2].as_ref(), &p.taus[2], &labels, 2, s.capacity);
        let e3 = &p.u[3] - &g;
        // node 3 (the goal): ν = e_3, W = Y − e_3; node 2: ν = λ_f A_2ᵀ e_3,
        // W = Y − λ_f e_3; node 1: ν = 0, W = Y
        let y = [
            p.u[1].clone(),
            csnt(p.q[1].as_ref(), (start.weights[2].transpose() * &e3).as_ref(), &p.taus[1]),
            csnt(p.q[2].as_ref(), e3.as_ref(), &p.taus[2]),
        ];
        let shift = [Mat::zeros(6, 12), e3.clone(), e3.clone()];
        for l in 0..3 {
            // Procrustes to eq. 17's W, the barrier step to the c-sNT alone
            let (a, _) = weights::procrustes(p.u[l].as_ref(), (&y[l] - &shift[l]).as_ref()).unwrap();
            assert!((&a - &c.weights[l]).norm_l2() < 1e-9 * a.norm_l2(), "node {}", l + 1);
            let (a, _) = weights::update(p.u[l].as_ref(), y[l].as_ref(), s.conditioning).unwrap();
            assert!((&a - &b.weights[l]).norm_l2() < 1e-9 * a.norm_l2(), "node {}", l + 1);
            let f = |w: &Mat<f64>| weights::objective(w.as_ref(), p.u[l].as_ref(), y[l].as_ref(), s.conditioning);
            assert!(f(&b.weights[l]) <= f(&start.weights[l]));
        }
        let mut one = start.clone();
        one.iterate(
            &Settings { threads: 1, ..s.clone() },
            x.as_ref(),
            &labels,
            2,
            &mut Xoshiro256PlusPlus::seed_from_u64(0),
        )
        .unwrap();
        assert_eq!(one, c);
    }

    /// The on-line step moves a fraction ρ of the way; the asynchronous
    /// schedule with probability 0 updates nothing, and a node drawn −1
    /// feeds stage one with its previous weights.
    #[test]
    fn online_step_and_schedules() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(12);
        let (x, labels) = batch(&mut rng);
        let start = Chain::random(6, 2, 1.0, &mut rng);
        let full = {
            let mut c = start.clone();
            c.iterate(&settings(2, 2), x.as_ref(), &labels, 2, &mut rng).unwrap();
            c
        };
        let mut half = start.clone();
        half.iterate(&Settings { rho: 0.25, ..settings(2, 2) }, x.as_ref(), &labels, 2, &mut rng).unwrap();
        for l in 0..2 {
            let expect = &start.weights[l] + (&full.weights[l] - &start.weights[l]) * 0.25;
            assert!((&expect - &half.weights[l]).norm_l2() < 1e-12 * expect.norm_l2());
        }
        let mut none = start.clone();
        let it = none
            .iterate(&Settings { update_probability: 0.0, ..settings(2, 2) }, x.as_ref(), &labels, 2, &mut rng)
            .unwrap();
        assert_eq!((it.updated, &none), (0, &start));
        // after one update, a stale draw uses the weights before it
        let mut c = full.clone();
        let w: Vec<&Mat<f64>> = start.weights.iter().collect();
        let stale = Chain::pass(&w, x.as_ref(), &[3, 3]);
        let it = c
            .iterate(&Settings { update_probability: 0.0, ..settings(2, 2) }, x.as_ref(), &labels, 2, &mut rng)
            .unwrap();
        let (g, _) = goal(stale.q[1].as_ref(), &stale.taus[1], &labels, 2, Some(3));
        let expect = (&stale.u[2] - &g).norm_l2() / g.norm_l2();
        assert_eq!(it.goal_err, expect);
    }

    /// Training the goal node drives its representation toward the goal.
    #[test]
    fn iterations_reduce_the_goal_error() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(13);
        let (x, labels) = batch(&mut rng);
        let mut c = Chain::random(6, 2, 1.0 / 6f64.sqrt(), &mut rng);
        let s = Settings { rho: 0.5, ..settings(2, 2) };
        let first = c.iterate(&s, x.as_ref(), &labels, 2, &mut rng).unwrap().goal_err;
        let mut last = first;
        for _ in 0..30 {
            last = c.iterate(&s, x.as_ref(), &labels, 2, &mut rng).unwrap().goal_err;
        }
        assert!(last < 0.5 * first, "{first} → {last}");
    }
}
