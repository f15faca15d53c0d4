//! The generalised RRR update of eq. 47,
//! `v' = v + β (P_B((1+γ) P_A(v) - γ v) - P_A((1-γ) P_B(v) + γ v))`, with
//! β and γ from [`Params`],
//! built from whole-set projections ([`project_a`], [`project_b`]) in plain
//! scalar code. With `γ = 1` it is the ordinary RRR step (the oracle's
//! result, to rounding); other values cost two projections of each set per
//! iteration. Work is still counted as `|K| |E|` weight-multiplies per
//! iteration (eq. 24).

use super::{IterError, Params, Problem, Report, State, Work, check, classes, g2, is_fixed};
use crate::activation;
use crate::bilinear::{self, Coeffs, Safeguard};
use crate::consensus;
use crate::counters::Counters;
use crate::graph::{Net, NodeKind};
use crate::layout::Layout;

/// Compact A-values, the result of [`project_a`]: consensus weights and, per
/// node and lane, `X`, `y`, `b`.
pub struct AValues<'a> {
    /// Consensus weights (length `E`).
    pub weights: &'a mut [f64],
    /// Node values `X` (per-node layout).
    pub xa: &'a mut [f64],
    /// Pre-activations (per-node layout).
    pub ya: &'a mut [f64],
    /// Biases (per-node layout).
    pub ba: &'a mut [f64],
}

/// Extra buffers of [`iterate_general`]: a second set of A-values and a full
/// iterate-sized state.
pub struct GeneralWork<'a> {
    /// A-values of `(1-γ) P_B(v) + γ v`.
    pub a2: AValues<'a>,
    /// Scratch iterate.
    pub s: State<'a>,
}

/// `P_A(v)` into `out`: weight consensus on the sphere, node values with
/// their activation, fixed-value or class constraint. `wk` supplies the
/// class-step scratch and receives `used_label`; returns the number of
/// selected items.
pub fn project_a(pr: &Problem, v: &State, out: &mut AValues, scratch: &mut [f64], used_label: &mut [u32]) -> usize {
    let Problem { net, layout, params: p, batch } = *pr;
    let (n, ne, items) = (net.nodes(), net.edges(), layout.items());
    for e in 0..ne {
        let mut s = 0.0;
        for k in 0..items {
            s += v.w[layout.at(k, e, ne)];
        }
        out.weights[e] = s / items as f64;
    }
    for i in 0..n {
        if net.kind(i) != NodeKind::Input {
            consensus::sphere(&mut out.weights[net.in_edges(i)], p.omega);
        }
    }
    for k in 0..layout.lanes() {
        for i in 0..n {
            let at = layout.at(k, i, n);
            let kind = net.kind(i);
            if kind == NodeKind::Class {
                continue;
            }
            if is_fixed(kind, k, items, batch.code_items) {
                out.xa[at] = batch.values[at];
                if kind != NodeKind::Input {
                    (out.ya[at], out.ba[at]) = activation::fixed(p.activation, batch.values[at], v.y[at], v.b[at]);
                }
                continue;
            }
            let s = net.out_edges(i).iter().fold(0.0, |s, &e| s + v.x[layout.at(k, e as usize, ne)]);
            (out.xa[at], out.ya[at], out.ba[at]) =
                activation::project(p.activation, s / net.outdeg(i) as f64, v.y[at], v.b[at]);
        }
    }
    let mut cw = Work {
        weights: &mut [],
        biases: &mut [],
        xa: &mut [],
        ya: &mut *out.ya,
        ba: &mut *out.ba,
        xsum: &mut [],
        wsum: &mut [],
        stats: &mut [],
        roots: &mut [],
        scratch,
        used_label,
    };
    classes::project(pr, v.y, v.b, &mut cw)
}

/// `s ← c1 · a - c0 · v`, with the compact A-values expanded to every copy.
pub fn combine(net: &Net, layout: &Layout, c1: f64, a: &AValues, c0: f64, v: &State, s: &mut State) {
    let (n, ne) = (net.nodes(), net.edges());
    for k in 0..layout.lanes() {
        for e in 0..ne {
            let at = layout.at(k, e, ne);
            s.w[at] = c1 * a.weights[e] - c0 * v.w[at];
            s.x[at] = c1 * a.xa[layout.at(k, net.src(e), n)] - c0 * v.x[at];
        }
        for i in 0..n {
            let at = layout.at(k, i, n);
            s.y[at] = c1 * a.ya[at] - c0 * v.y[at];
            s.b[at] = c1 * a.ba[at] - c0 * v.b[at];
        }
    }
}

/// `s ← P_B(s)` in place: the bilinear constraint per (item, node) and the
/// bias consensus (every copy set to the mean over the batch).
pub fn project_b(net: &Net, layout: &Layout, p: &Params, s: &mut State, cnt: &mut Counters) {
    let (n, ne, items) = (net.nodes(), net.edges(), layout.items());
    for i in 0..n {
        if net.kind(i) == NodeKind::Input {
            continue;
        }
        let mean = (0..items).fold(0.0, |acc, k| acc + s.b[layout.at(k, i, n)]) / items as f64;
        let g = g2(net, p, i);
        for k in 0..layout.lanes() {
            s.b[layout.at(k, i, n)] = mean;
            let (mut pp, mut qq) = (0.0, 0.0);
            for e in net.in_edges(i) {
                let at = layout.at(k, e, ne);
                pp += s.w[at] * s.x[at];
                qq += s.w[at] * s.w[at] + s.x[at] * s.x[at];
            }
            let at = layout.at(k, i, n);
            let c = Coeffs { p: pp, q: qq, omega2: p.omega * p.omega, g2: g, c: p.omega * s.y[at] };
            let root = bilinear::solve(&c, Safeguard::Midpoint);
            if k < items {
                cnt.record_solve(&root);
            }
            let (t, den) = (root.u, 1.0 - root.u * root.u);
            s.y[at] -= (p.omega * t) / g;
            for e in net.in_edges(i) {
                let at = layout.at(k, e, ne);
                let (w, x) = (s.w[at], s.x[at]);
                s.w[at] = (w + t * x) / den;
                s.x[at] = (x + t * w) / den;
            }
        }
    }
}

/// One generalised RRR iteration (eq. 47) with the parameters' γ.
pub fn iterate_general(
    pr: &Problem,
    v: &mut State,
    wk: &mut Work,
    gw: &mut GeneralWork,
    cnt: &mut Counters,
) -> Result<Report, IterError> {
    check(pr, v, wk, false)?;
    let Problem { net, layout, params: p, .. } = *pr;
    let gamma = p.gamma;
    let ok = gw.s.w.len() == v.w.len()
        && gw.s.x.len() == v.x.len()
        && gw.s.y.len() == v.y.len()
        && gw.s.b.len() == v.b.len()
        && gw.a2.weights.len() == wk.weights.len()
        && gw.a2.xa.len() == wk.xa.len()
        && gw.a2.ya.len() == wk.ya.len()
        && gw.a2.ba.len() == wk.ba.len();
    if !ok {
        return Err(IterError::BufferLength);
    }
    let (n, ne, items) = (net.nodes(), net.edges(), layout.items());
    let mut a = AValues { weights: &mut *wk.weights, xa: &mut *wk.xa, ya: &mut *wk.ya, ba: &mut *wk.ba };
    // a2 = P_A((1-γ) P_B(v) + γ v)
    gw.s.w.copy_from_slice(v.w);
    gw.s.x.copy_from_slice(v.x);
    gw.s.y.copy_from_slice(v.y);
    gw.s.b.copy_from_slice(v.b);
    project_b(net, layout, p, &mut gw.s, cnt);
    for (sv, vv) in [(&mut *gw.s.w, &*v.w), (&mut *gw.s.x, &*v.x), (&mut *gw.s.y, &*v.y), (&mut *gw.s.b, &*v.b)] {
        for (s, &x) in sv.iter_mut().zip(vv) {
            *s = (1.0 - gamma) * *s + gamma * x;
        }
    }
    let s_view = State { w: &mut *gw.s.w, x: &mut *gw.s.x, y: &mut *gw.s.y, b: &mut *gw.s.b };
    project_a(pr, &s_view, &mut gw.a2, wk.scratch, wk.used_label);
    // p1 = P_B((1+γ) P_A(v) - γ v)
    let selected = project_a(pr, v, &mut a, wk.scratch, wk.used_label);
    let mut s = s_view;
    combine(net, layout, 1.0 + gamma, &a, gamma, v, &mut s);
    project_b(net, layout, p, &mut s, cnt);
    // v += β (p1 - a2), RRR_err from p1 - a2
    let mut err = 0.0;
    for k in 0..layout.lanes() {
        let real = k < items;
        for e in 0..ne {
            let at = layout.at(k, e, ne);
            let dw = s.w[at] - gw.a2.weights[e];
            let dx = s.x[at] - gw.a2.xa[layout.at(k, net.src(e), n)];
            v.w[at] += p.beta * dw;
            v.x[at] += p.beta * dx;
            if real {
                err += dw * dw + dx * dx;
            }
        }
        for i in 0..n {
            if net.kind(i) == NodeKind::Input {
                continue;
            }
            let at = layout.at(k, i, n);
            let (dy, db) = (s.y[at] - gw.a2.ya[at], s.b[at] - gw.a2.ba[at]);
            v.y[at] += p.beta * dy;
            v.b[at] += p.beta * db;
            if real {
                err += g2(net, p, i) * (dy * dy + db * db);
            }
        }
    }
    for i in 0..n {
        wk.biases[i] = if net.kind(i) == NodeKind::Input { 0.0 } else { s.b[layout.at(0, i, n)] };
    }
    let pairs = (items * ne) as u64;
    cnt.iterations += 1;
    cnt.weight_multiplies += pairs;
    cnt.weight_consensus += 2 * pairs;
    cnt.node_consensus += 2 * pairs;
    cnt.bilinear += 2 * pairs;
    cnt.update += pairs;
    cnt.node_ops += (2 * items * n) as u64;
    Ok(Report { rrr_err: libm::sqrt(err / items as f64), selected })
}
