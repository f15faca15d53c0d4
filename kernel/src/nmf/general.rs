//! The generalised RRR update of eq. 47 for NMF,
//! `v' = v + β (P_B((1+γ) P_A(v) - γ v) - P_A((1-γ) P_B(v) + γ v))`, from
//! whole-set projections in plain scalar code, β and γ from [`Params`];
//! `γ = 1` is the ordinary step.

use super::{NmfError, Params, Problem, Shape, State, Work, check};
use crate::bilinear::{self, Coeffs, Safeguard};
use crate::consensus;
use crate::counters::Counters;
use crate::layout::Layout;

/// Compact A-values: consensus weights `W(i, j)` (length `E`) and codes
/// `Z(k, j)` (per-node layout with `C` rows).
pub struct AValues<'a> {
    /// Consensus weights.
    pub weights: &'a mut [f64],
    /// Consensus codes.
    pub codes: &'a mut [f64],
}

/// `P_A(v)`: weight consensus, non-negative with column norm Ω (eq. 14b–c),
/// and non-negative code consensus (eq. 14a).
pub fn project_a(sh: &Shape, layout: &Layout, p: &Params, v: &State, out: &mut AValues, cnt: &mut Counters) {
    let (ne, c, d, items) = (sh.edges(), sh.rank, sh.data, layout.items());
    for e in 0..ne {
        out.weights[e] = (0..items).fold(0.0, |s, k| s + v.w[layout.at(k, e, ne)]) / items as f64;
    }
    for j in 0..c {
        if consensus::nonneg_sphere_strided(out.weights, j, c, d, p.omega) {
            cnt.nonpositive_columns += 1;
        }
    }
    for k in 0..layout.lanes() {
        for j in 0..c {
            let s = (0..d).fold(0.0, |s, i| s + v.z[layout.at(k, i * c + j, ne)]);
            out.codes[layout.at(k, j, c)] = consensus::nonneg(s / d as f64);
        }
    }
}

/// `s ← c1 · a - c0 · v` with the A-values expanded to every copy.
pub fn combine(sh: &Shape, layout: &Layout, c1: f64, a: &AValues, c0: f64, v: &State, s: &mut State) {
    let (ne, c) = (sh.edges(), sh.rank);
    for k in 0..layout.lanes() {
        for e in 0..ne {
            let at = layout.at(k, e, ne);
            s.w[at] = c1 * a.weights[e] - c0 * v.w[at];
            s.z[at] = c1 * a.codes[layout.at(k, e % c, c)] - c0 * v.z[at];
        }
    }
}

/// `s ← P_B(s)` in place: `Σ_j w z = y` per (item, data node).
pub fn project_b(sh: &Shape, layout: &Layout, data: &[f64], s: &mut State, cnt: &mut Counters) {
    let (ne, c, d, items) = (sh.edges(), sh.rank, sh.data, layout.items());
    for k in 0..layout.lanes() {
        for i in 0..d {
            let (mut pp, mut qq) = (0.0, 0.0);
            for j in 0..c {
                let at = layout.at(k, i * c + j, ne);
                pp += s.w[at] * s.z[at];
                qq += s.w[at] * s.w[at] + s.z[at] * s.z[at];
            }
            let co = Coeffs { p: pp, q: qq, omega2: 1.0, g2: f64::INFINITY, c: data[layout.at(k, i, d)] };
            let root = bilinear::solve(&co, Safeguard::Bracket);
            if k < items {
                cnt.record_solve(&root);
            }
            let (t, den) = (root.u, 1.0 - root.u * root.u);
            for j in 0..c {
                let at = layout.at(k, i * c + j, ne);
                let (w, z) = (s.w[at], s.z[at]);
                s.w[at] = (w + t * z) / den;
                s.z[at] = (z + t * w) / den;
            }
        }
    }
}

/// Extra buffers of [`iterate_general`].
pub struct GeneralWork<'a> {
    /// A-values of `(1-γ) P_B(v) + γ v`.
    pub a2: AValues<'a>,
    /// Scratch iterate.
    pub s: State<'a>,
}

/// One generalised RRR iteration (eq. 47); returns RRR_err (root mean square
/// per edge copy, as [`super::iterate_oracle`]).
pub fn iterate_general(
    pr: &Problem,
    v: &mut State,
    wk: &mut Work,
    gw: &mut GeneralWork,
    cnt: &mut Counters,
) -> Result<f64, NmfError> {
    check(pr, v, wk, false)?;
    let Problem { shape: sh, layout, params: p, data } = *pr;
    let gamma = p.gamma;
    if gw.s.w.len() != v.w.len()
        || gw.s.z.len() != v.z.len()
        || gw.a2.weights.len() != wk.weights.len()
        || gw.a2.codes.len() != wk.codes.len()
    {
        return Err(NmfError::BufferLength);
    }
    let (ne, c, items) = (sh.edges(), sh.rank, layout.items());
    gw.s.w.copy_from_slice(v.w);
    gw.s.z.copy_from_slice(v.z);
    project_b(sh, layout, data, &mut gw.s, cnt);
    for (s, &x) in gw.s.w.iter_mut().zip(v.w.iter()).chain(gw.s.z.iter_mut().zip(v.z.iter())) {
        *s = (1.0 - gamma) * *s + gamma * x;
    }
    let sv = State { w: &mut *gw.s.w, z: &mut *gw.s.z };
    project_a(sh, layout, p, &sv, &mut gw.a2, cnt);
    let mut a = AValues { weights: &mut *wk.weights, codes: &mut *wk.codes };
    project_a(sh, layout, p, v, &mut a, cnt);
    let mut s = sv;
    combine(sh, layout, 1.0 + gamma, &a, gamma, v, &mut s);
    project_b(sh, layout, data, &mut s, cnt);
    let mut err = 0.0;
    for k in 0..layout.lanes() {
        for e in 0..ne {
            let at = layout.at(k, e, ne);
            let dw = s.w[at] - gw.a2.weights[e];
            let dz = s.z[at] - gw.a2.codes[layout.at(k, e % c, c)];
            v.w[at] += p.beta * dw;
            v.z[at] += p.beta * dz;
            if k < items {
                err += dw * dw + dz * dz;
            }
        }
    }
    cnt.iteration((items * ne) as u64);
    Ok(libm::sqrt(err / (items * ne) as f64))
}
