//! The split variables of a feed-forward ReLU net on the whole training set
//! and one iteration of either method on them ([`blocks`] has the closed
//! forms).
//!
//! Layers `l = 1..L`; `a_0` is the data, `z_l` the pre-activations,
//! `a_l` (`l < L`) the activations, `z_L` the outputs; `Y` the one-hot
//! targets.
//!
//! **ADMM** (Taylor et al. 2016, Algorithm 1, with biases): the objective
//! `ℓ(z_L; Y) + ⟨z_L, λ⟩ + β‖z_L − W_L a_{L−1} − b_L‖² + Σ_{l<L} γ‖a_l −
//! relu z_l‖² + β‖z_l − W_l a_{l−1} − b_l‖²`; one iteration updates for
//! `l = 1..L−1` in turn `W_l` (least squares, `z_l a_{l−1}⁺`), `a_l`,
//! `z_l`, then `W_L`, `z_L`, and the multiplier `λ ← λ + β(z_L − W_L
//! a_{L−1} − b_L)` (not during the first `--warm` iterations).
//!
//! **BCD** (Zeng et al. 2019, Algorithm 1, three-splitting, with biases):
//! the objective `ℓ(V_L; Y) + γ/2‖V_L − U_L‖² + Σ_{l<L} γ/2‖V_l − relu U_l‖²
//! + Σ_l ρ/2‖U_l − W_l V_{l−1} − b_l‖²` with `V = a`, `U = z`; one
//! iteration goes from the output layer backwards: `V_L`, `U_L`, `W_L`, then
//! for `l = L−1..1` `V_l`, `U_l`, `W_l`, each with the proximal term
//! `α/2‖· − ·_old‖²` where Zeng et al. put one (`V_L`, `U_l`, `W_l`).

use faer::Mat;

use super::blocks::{NotPositiveDefinite, Output, activations, output_prox, relu_prox, weights};
use crate::feedforward::Params;

/// The parameters of the two methods.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// Taylor et al.'s ADMM.
    Admm {
        /// `β`, the weight of the linear constraints.
        beta: f64,
        /// `γ`, the weight of the activation constraints.
        gamma: f64,
    },
    /// Zeng et al.'s BCD.
    Bcd {
        /// `ρ`, the weight of the linear constraints.
        rho: f64,
        /// `γ`, the weight of the activation constraints.
        gamma: f64,
        /// `α`, the proximal weight.
        alpha: f64,
    },
}

/// The split variables on a data set.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// `a_0, …, a_{L−1}` (`a_0` the data).
    pub a: Vec<Mat<f64>>,
    /// `z_1, …, z_L` (index `l − 1`).
    pub z: Vec<Mat<f64>>,
    /// ADMM's multiplier on the output layer; BCD's `V_L`.
    pub out: Mat<f64>,
    /// The one-hot targets.
    pub y: Mat<f64>,
    /// Multiply-adds so far.
    pub work: u64,
}

/// `W_l a + b_l 1ᵀ` (1-based `l`) and its multiply-adds.
fn linear(p: &Params, l: usize, a: &Mat<f64>) -> (Mat<f64>, u64) {
    let w = &p.w[l - 1];
    (p.pre(l, a.as_ref()), (w.nrows() * w.ncols() * a.ncols()) as u64)
}

fn relu(z: &Mat<f64>) -> Mat<f64> {
    Mat::from_fn(z.nrows(), z.ncols(), |i, k| z[(i, k)].max(0.0))
}

impl Split {
    /// The variables of a forward pass of `p` on `x` (ADMM's multiplier 0,
    /// BCD's `V_L = z_L`).
    pub fn new(p: &Params, x: Mat<f64>, y: Mat<f64>, method: Method) -> Self {
        let layers = p.w.len();
        let (mut a, mut z, mut work) = (vec![x], Vec::new(), 0);
        for l in 1..=layers {
            let (zl, w) = linear(p, l, &a[l - 1]);
            work += w;
            if l < layers {
                a.push(relu(&zl));
            }
            z.push(zl);
        }
        let out = match method {
            Method::Admm { .. } => Mat::zeros(y.nrows(), y.ncols()),
            Method::Bcd { .. } => z[layers - 1].clone(),
        };
        Self { a, z, out, y, work }
    }

    /// Hidden layer `l`'s activations `a_l` (weight `c` on the next layer's
    /// linear constraint, `γ` on its own activation constraint), then its
    /// pre-activations `z_l`: the prox of `γ/2 (a_l − relu z)² + c/2 (z −
    /// W_l a_{l−1} − b_l)² + α/2 (z − z_old)²` (`α = 0`: no proximal term).
    fn hidden(&mut self, p: &Params, l: usize, (c, gamma, alpha): (f64, f64, f64)) -> Result<(), NotPositiveDefinite> {
        let (a, w) =
            activations((p.w[l].as_ref(), &p.b[l]), self.z[l].as_ref(), relu(&self.z[l - 1]).as_ref(), (c, gamma))?;
        self.a[l] = a;
        let (m, w2) = linear(p, l, &self.a[l - 1]);
        self.work += w + w2;
        let (al, old) = (&self.a[l], &self.z[l - 1]);
        self.z[l - 1] = Mat::from_fn(m.nrows(), m.ncols(), |i, k| {
            let centre = if alpha == 0.0 { m[(i, k)] } else { (c * m[(i, k)] + alpha * old[(i, k)]) / (c + alpha) };
            relu_prox(al[(i, k)], centre, gamma, c + alpha)
        });
        Ok(())
    }

    /// One ADMM iteration (with the multiplier update unless `warm`).
    pub fn admm(
        &mut self,
        p: &mut Params,
        (beta, gamma): (f64, f64),
        loss: Output,
        lambda: f64,
        warm: bool,
    ) -> Result<(), NotPositiveDefinite> {
        let layers = p.w.len();
        for l in 1..layers {
            self.work += weights(
                self.z[l - 1].as_ref(),
                self.a[l - 1].as_ref(),
                (beta, 0.0, lambda),
                &mut p.w[l - 1],
                &mut p.b[l - 1],
            )?;
            self.hidden(p, l, (beta, gamma, 0.0))?;
        }
        let last = layers - 1;
        self.work +=
            weights(self.z[last].as_ref(), self.a[last].as_ref(), (beta, 0.0, lambda), &mut p.w[last], &mut p.b[last])?;
        let (m, w) = linear(p, layers, &self.a[last]);
        self.work += w;
        // ℓ(z) + ⟨z, λ⟩ + β(z − m)² = ℓ(z) + β(z − m + λ/(2β))² + const
        let (mult, y) = (&self.out, &self.y);
        self.z[last] = Mat::from_fn(m.nrows(), m.ncols(), |i, k| {
            output_prox(loss, y[(i, k)], m[(i, k)] - mult[(i, k)] / (2.0 * beta), 2.0 * beta)
        });
        if !warm {
            self.out += (&self.z[last] - &m) * beta;
        }
        Ok(())
    }

    /// One BCD iteration, from the output layer backwards.
    pub fn bcd(
        &mut self,
        p: &mut Params,
        (rho, gamma, alpha): (f64, f64, f64),
        loss: Output,
        lambda: f64,
    ) -> Result<(), NotPositiveDefinite> {
        let layers = p.w.len();
        let last = layers - 1;
        // V_L: ℓ(V) + γ/2 (V − U_L)² + α/2 (V − V_old)²
        let (u, v, y) = (&self.z[last], &self.out, &self.y);
        let c = gamma + alpha;
        self.out = Mat::from_fn(u.nrows(), u.ncols(), |i, k| {
            output_prox(loss, y[(i, k)], (gamma * u[(i, k)] + alpha * v[(i, k)]) / c, c)
        });
        // U_L: γ/2 (V_L − U)² + ρ/2 (U − W_L V_{L−1} − b_L)²
        let (m, w) = linear(p, layers, &self.a[last]);
        self.work += w;
        self.z[last] = (&self.out * gamma + m * rho) * (1.0 / (gamma + rho));
        self.work += weights(
            self.z[last].as_ref(),
            self.a[last].as_ref(),
            (rho, alpha, lambda),
            &mut p.w[last],
            &mut p.b[last],
        )?;
        for l in (1..layers).rev() {
            self.hidden(p, l, (rho, gamma, alpha))?;
            self.work += weights(
                self.z[l - 1].as_ref(),
                self.a[l - 1].as_ref(),
                (rho, alpha, lambda),
                &mut p.w[l - 1],
                &mut p.b[l - 1],
            )?;
        }
        Ok(())
    }

    /// One iteration of `method`.
    pub fn iterate(
        &mut self,
        p: &mut Params,
        method: Method,
        loss: Output,
        lambda: f64,
        warm: bool,
    ) -> Result<(), NotPositiveDefinite> {
        match method {
            Method::Admm { beta, gamma } => self.admm(p, (beta, gamma), loss, lambda, warm),
            Method::Bcd { rho, gamma, alpha } => self.bcd(p, (rho, gamma, alpha), loss, lambda),
        }
    }

    /// The method's objective per item (ADMM without its multiplier term)
    /// and the largest relative violation of a split constraint
    /// (`‖z_l − W_l a_{l−1} − b_l‖ / ‖z_l‖`, `‖a_l − relu z_l‖ / ‖a_l‖`, and
    /// for BCD `‖V_L − U_L‖ / ‖V_L‖`).
    pub fn objective(&self, p: &Params, method: Method, loss: Output) -> (f64, f64) {
        let layers = p.w.len();
        let (lin, act) = match method {
            Method::Admm { beta, gamma } => (beta, gamma),
            Method::Bcd { rho, gamma, .. } => (rho / 2.0, gamma / 2.0),
        };
        let rel = |d: f64, n: f64| if n > 0.0 { d / n } else { d };
        let (mut total, mut worst) = (0.0, 0.0f64);
        let fit = match method {
            Method::Admm { .. } => &self.z[layers - 1],
            Method::Bcd { .. } => &self.out,
        };
        let term = loss.term();
        for k in 0..fit.ncols() {
            for i in 0..fit.nrows() {
                total += term.value(fit[(i, k)], self.y[(i, k)]);
            }
        }
        for l in 1..=layers {
            let r = &self.z[l - 1] - p.pre(l, self.a[l - 1].as_ref());
            total += lin * r.squared_norm_l2();
            worst = worst.max(rel(r.norm_l2(), self.z[l - 1].norm_l2()));
            if l < layers {
                let r = &self.a[l] - relu(&self.z[l - 1]);
                total += act * r.squared_norm_l2();
                worst = worst.max(rel(r.norm_l2(), self.a[l].norm_l2()));
            }
        }
        if let Method::Bcd { gamma, .. } = method {
            let r = &self.out - &self.z[layers - 1];
            total += gamma / 2.0 * r.squared_norm_l2();
            worst = worst.max(rel(r.norm_l2(), self.out.norm_l2()));
        }
        (total / self.y.ncols().max(1) as f64, worst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedforward::Activation;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn problem(rng: &mut Xoshiro256PlusPlus) -> (Params, Mat<f64>, Mat<f64>) {
        let sizes = [5, 6, 4, 3];
        let p = crate::lifted::initial(&sizes, Activation::Relu, rng);
        let x = Mat::from_fn(5, 40, |_, _| 2.0 * rng.random::<f64>() - 1.0);
        let y = Mat::from_fn(3, 40, |i, k| f64::from(i == (k * 7 + k / 3) % 3));
        (p, x, y)
    }

    /// Every BCD iteration is a sweep of exact block minimisers with
    /// proximal terms, so its objective never increases.
    #[test]
    fn bcd_never_increases_its_objective() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let (mut p, x, y) = problem(&mut rng);
        for loss in [Output::Squared, Output::Hinge(1.0)] {
            let m = Method::Bcd { rho: 1.0, gamma: 1.0, alpha: 5.0 };
            let mut s = Split::new(&p, x.clone(), y.clone(), m);
            let mut prev = s.objective(&p, m, loss).0;
            for it in 0..30 {
                s.iterate(&mut p, m, loss, 0.0, false).unwrap();
                let now = s.objective(&p, m, loss).0;
                assert!(now <= prev + 1e-12 * prev.abs(), "{loss:?} iteration {it}: {prev} → {now}");
                prev = now;
            }
        }
    }

    /// Without multiplier updates every ADMM block is an exact minimiser of
    /// the objective, so it never increases either; with them the output
    /// constraint's violation falls and the net fits its training set.
    #[test]
    fn admm_blocks_descend_and_the_multiplier_closes_the_gap() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
        let (mut p, x, y) = problem(&mut rng);
        let m = Method::Admm { beta: 1.0, gamma: 10.0 };
        let mut s = Split::new(&p, x.clone(), y.clone(), m);
        let mut prev = s.objective(&p, m, Output::Squared).0;
        for it in 0..20 {
            s.iterate(&mut p, m, Output::Squared, 0.0, true).unwrap();
            let now = s.objective(&p, m, Output::Squared).0;
            assert!(now <= prev + 1e-9, "iteration {it}: {prev} → {now}");
            prev = now;
        }
        assert_eq!(s.out, Mat::<f64>::zeros(3, 40));
        let gap = |s: &Split, p: &Params| (&s.z[2] - p.pre(3, s.a[2].as_ref())).norm_l2();
        let (mut free, mut pf) = (s.clone(), p.clone());
        for _ in 0..200 {
            s.iterate(&mut p, m, Output::Squared, 0.0, false).unwrap();
            free.iterate(&mut pf, m, Output::Squared, 0.0, true).unwrap();
        }
        assert!(s.out.norm_l2() > 0.0);
        assert!(gap(&s, &p) < 0.5 * gap(&free, &pf), "{} vs {}", gap(&s, &p), gap(&free, &pf));
    }
}
