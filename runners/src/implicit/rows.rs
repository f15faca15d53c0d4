//! The weight blocks of the implicit model's BCD (the implicit deep
//! learning paper, eq. 12–13): a map's rows fitted to their targets, each
//! part (weights on a state block, then on the inputs and the bias) the
//! minimiser of the regularised least squares or of the divergence's
//! quadratic majorant, and a row whose step leaves its ℓ1 ball moved by
//! projected gradient steps instead (the ℓ1 projection by sort and
//! threshold).

use faer::linalg::solvers::{Llt, Solve};
use faer::{Mat, MatRef, Side};

use super::bcd::Hyper;
use super::model::Map;
use crate::feedforward::Activation;

/// What a map's rows are fitted to.
#[derive(Clone, Copy, Debug)]
pub(super) enum Fit {
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
pub(super) fn factor(v: MatRef<'_, f64>, decay: f64, bias: bool) -> (Llt<f64>, u64) {
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
pub(super) fn with_ones(u: Option<MatRef<'_, f64>>, m: usize) -> Mat<f64> {
    let p = u.map_or(0, |u| u.nrows());
    Mat::from_fn(p + 1, m, |i, k| if i < p { u.map_or(1.0, |u| u[(i, k)]) } else { 1.0 })
}

/// The fixed features of every map's input part: `[U; 1ᵀ]` and `1ᵀ`
/// with the factors of their matrices.
pub(super) struct Inputs<'a> {
    pub ua: MatRef<'a, f64>,
    pub ones: MatRef<'a, f64>,
    pub fu: &'a Llt<f64>,
    pub fo: &'a Llt<f64>,
}

/// Updates both parts of `map`, which reads the state blocks `xs` and is
/// fitted to `target` by `fit`: its weights on its state block within
/// `radius_x`, then its input weights and bias, the input weights within
/// `radius_u`. Returns the multiply-adds.
#[allow(clippy::too_many_arguments)]
pub(super) fn update_map(
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

/// Projects every row of `w` onto the ℓ1 ball of `r`.
pub fn bound_rows(w: &mut Mat<f64>, r: f64) {
    for i in 0..w.nrows() {
        let mut row: Vec<f64> = (0..w.ncols()).map(|j| w[(i, j)]).collect();
        project_l1(&mut row, r);
        for (j, v) in row.into_iter().enumerate() {
            w[(i, j)] = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

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
}
