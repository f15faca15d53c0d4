//! The scalar oracle: one RRR iteration in the reference program's exact
//! order of operations (golden READMEs, sections 3–5), so that it reproduces
//! the reference trajectories bit for bit.

use super::{IterError, Problem, Report, State, Work, check, classes, g2, is_fixed};
use crate::activation;
use crate::bilinear::{self, Coeffs, Safeguard};
use crate::consensus;
use crate::counters::Counters;
use crate::graph::NodeKind;

/// One RRR iteration, scalar, reference order (see the module docs of
/// [`crate::network`]).
pub fn iterate_oracle(pr: &Problem, st: &mut State, wk: &mut Work, cnt: &mut Counters) -> Result<Report, IterError> {
    check(pr, st, wk, true)?;
    let Problem { net, layout, params: p, batch } = *pr;
    let (n, ne, items) = (net.nodes(), net.edges(), layout.items());
    let kf = items as f64;
    let at_e = |k: usize, e: usize| layout.at(k, e, ne);
    let at_n = |k: usize, i: usize| layout.at(k, i, n);

    // Set A: weight consensus on the sphere (4.3).
    for e in 0..ne {
        let mut s = 0.0;
        for k in 0..items {
            s += st.w[at_e(k, e)];
        }
        wk.weights[e] = s / kf;
    }
    for i in 0..n {
        if net.kind(i) != NodeKind::Input {
            consensus::sphere(&mut wk.weights[net.in_edges(i)], p.omega);
        }
    }
    // Set A: node values (4.1) for every lane, class nodes (4.2).
    for k in 0..layout.lanes() {
        for i in 0..n {
            let at = at_n(k, i);
            let kind = net.kind(i);
            if kind == NodeKind::Class {
                continue;
            }
            if is_fixed(kind, k, items, batch.code_items) {
                let v = batch.values[at];
                wk.xa[at] = v;
                if kind != NodeKind::Input {
                    let (yy, bb) = activation::fixed(p.activation, v, st.y[at], st.b[at]);
                    wk.ya[at] = yy;
                    wk.ba[at] = bb;
                }
                continue;
            }
            let mut s = 0.0;
            for &e in net.out_edges(i) {
                s += st.x[at_e(k, e as usize)];
            }
            let xa = s / net.outdeg(i) as f64;
            let (xx, yy, bb) = activation::project(p.activation, xa, st.y[at], st.b[at]);
            wk.xa[at] = xx;
            wk.ya[at] = yy;
            wk.ba[at] = bb;
        }
    }
    let selected = classes::project(pr, st.y, st.b, wk);
    // Set B: bias consensus of the reflected biases (5.2).
    for i in 0..n {
        if net.kind(i) == NodeKind::Input {
            continue;
        }
        let mut s = 0.0;
        for k in 0..items {
            let at = at_n(k, i);
            s += 2.0 * wk.ba[at] - st.b[at];
        }
        wk.biases[i] = s / kf;
    }
    // Set B: bilinear projection (5.1), update and RRR_err (3), item-major.
    let omega2 = p.omega * p.omega;
    let mut err = 0.0;
    for k in 0..layout.lanes() {
        let real = k < items;
        let dw = &mut wk.scratch[..ne];
        for i in 0..n {
            if net.kind(i) == NodeKind::Input {
                continue;
            }
            let g = g2(net, p, i);
            let (mut pp, mut qq) = (0.0, 0.0);
            for e in net.in_edges(i) {
                let wr = 2.0 * wk.weights[e] - st.w[at_e(k, e)];
                let xr = 2.0 * wk.xa[at_n(k, net.src(e))] - st.x[at_e(k, e)];
                pp += wr * xr;
                qq += wr * wr + xr * xr;
            }
            let at = at_n(k, i);
            let yr = 2.0 * wk.ya[at] - st.y[at];
            let coeffs = Coeffs { p: pp, q: qq, omega2, g2: g, c: p.omega * yr };
            let root = bilinear::solve(&coeffs, Safeguard::Midpoint);
            if real {
                cnt.record_solve(&root);
            }
            let t = root.u;
            let den = 1.0 - t * t;
            for e in net.in_edges(i) {
                let a = at_e(k, e);
                let xa = wk.xa[at_n(k, net.src(e))];
                let wr = 2.0 * wk.weights[e] - st.w[a];
                let xr = 2.0 * xa - st.x[a];
                let dx = (xr + t * wr) / den - xa;
                dw[e] = (wr + t * xr) / den - wk.weights[e];
                if real {
                    err += dx * dx;
                }
                st.x[a] += p.beta * dx;
            }
            let dy = (yr - (p.omega * t) / g) - wk.ya[at];
            let db = wk.biases[i] - wk.ba[at];
            if real {
                err += (g * dy) * dy;
                err += (g * db) * db;
            }
            st.y[at] += p.beta * dy;
            st.b[at] += p.beta * db;
        }
        for (e, &d) in dw.iter().enumerate() {
            if real {
                err += d * d;
            }
            st.w[at_e(k, e)] += p.beta * d;
        }
    }
    cnt.iteration((items * ne) as u64);
    cnt.node_ops += (items * n) as u64;
    Ok(Report { rrr_err: libm::sqrt(err / kf), selected })
}
