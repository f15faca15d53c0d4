//! The forward pass with consensus weights and biases (section 5.4: the
//! warm start of a batch, and every prediction) and its fixed point on nets
//! with cycles.
//!
//! Node `i` takes `y_i = (Σ_e x_src(e) · W_e) / Ω` over its in-edges in
//! order (eq. 26h at consensus) and the value `f(y_i − b_i)`, the
//! activation at hidden nodes, `y − b` at class nodes. On a net whose
//! sources are all lower-numbered one pass in node order is exact. A net
//! with edges from higher-numbered hidden nodes is an implicit model
//! `x = φ(A x + B u − b)` (the implicit deep learning paper, eq. 2, with
//! `A_ij = W_e / Ω` on the hidden-to-hidden edges): [`settle`] repeats the
//! pass, each a Gauss–Seidel sweep of the fixed-point map in node order
//! (every node reads its sources' newest values), from zero states until no
//! value moves by more than a tolerance. With `‖A‖∞ < 1` and a 1-Lipschitz
//! activation the map is a contraction in the max norm, and the sweeps
//! converge to its unique fixed point as Picard iteration does.

use super::{Params, Problem, Sizes, State};
use crate::activation;
use crate::graph::{Net, NodeKind};
use crate::simd::Storage;

/// How a forward pass settles: at most `sweeps` passes (at least one), until
/// no node value changes by more than `tol` in a pass.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settle {
    /// Most passes over the nodes.
    pub sweeps: u32,
    /// The largest change of a node value in a pass that ends the sweeps.
    pub tol: f64,
}

impl Settle {
    /// One pass: exact on ordered nets ([`Net::is_ordered`]).
    pub const ONCE: Settle = Settle { sweeps: 1, tol: f64::INFINITY };
}

/// What [`settle`] did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settled {
    /// Passes made.
    pub sweeps: u32,
    /// The largest change of a node value in the last pass (0 on an ordered
    /// net; NaN if a value was not finite).
    pub residual: f64,
}

impl Settled {
    /// Whether the values reached the fixed point to `s.tol`.
    pub fn converged(&self, s: Settle) -> bool {
        self.residual <= s.tol
    }
}

/// One forward pass of one item, nodes in increasing order: `values` holds
/// the input values (and, on a net with cycles, the previous pass's values)
/// on entry and every node's value on return; `y` receives pre-activations.
/// Class nodes take the value `y - b` (no activation). The reference order:
/// `y = (Σ x_src · W_e) / Ω` over in-edges in order. Returns the largest
/// change of a non-input value (NaN if one is not finite).
pub fn forward(net: &Net, p: &Params, weights: &[f64], biases: &[f64], values: &mut [f64], y: &mut [f64]) -> f64 {
    let mut change = 0.0f64;
    for i in 0..net.nodes().min(values.len()).min(y.len()).min(biases.len()) {
        if net.kind(i) == NodeKind::Input {
            continue;
        }
        let mut s = 0.0;
        for e in net.in_edges(i) {
            s += values.get(net.src(e)).copied().unwrap_or(0.0) * weights.get(e).copied().unwrap_or(0.0);
        }
        y[i] = s / p.omega;
        let z = y[i] - biases[i];
        let v = if net.kind(i) == NodeKind::Class { z } else { activation::value(p.activation, z) };
        let d = (v - values[i]).abs();
        // a NaN change sticks
        if d > change || d.is_nan() {
            change = d;
        }
        values[i] = v;
    }
    change
}

/// The forward pass to its fixed point: passes of [`forward`] until no
/// value changes by more than `s.tol`, at most `s.sweeps` (at least one).
/// On an ordered net one pass is exact and the residual is 0. The caller
/// sets the non-input entries of `values` to the starting states (zero for
/// the implicit model's Picard iteration).
pub fn settle(
    net: &Net,
    p: &Params,
    s: Settle,
    weights: &[f64],
    biases: &[f64],
    values: &mut [f64],
    y: &mut [f64],
) -> Settled {
    let change = forward(net, p, weights, biases, values, y);
    if net.is_ordered() {
        return Settled { sweeps: 1, residual: 0.0 };
    }
    let mut done = Settled { sweeps: 1, residual: change };
    while done.sweeps < s.sweeps && !done.converged(s) && !done.residual.is_nan() {
        done.residual = forward(net, p, weights, biases, values, y);
        done.sweeps += 1;
    }
    done
}

/// Predicted class: the class node with the largest value (`y - b`), ties
/// to the lower class; `None` without class nodes.
pub fn predict(net: &Net, values: &[f64]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    let mut c = 0;
    for (i, &v) in values.iter().enumerate().take(net.nodes()) {
        if net.kind(i) == NodeKind::Class {
            if best.is_none_or(|(_, bv)| v > bv) {
                best = Some((c, v));
            }
            c += 1;
        }
    }
    best.map(|(c, _)| c)
}

/// Sets the iterate from consensus weights and biases by a settled forward
/// pass of every lane (section 5.4; [`settle`] with `s`, from the batch's
/// values): `x` = source values, `w` = `weights`, `y` = pre-activations,
/// `b` = `biases`. `tmp_values` and `tmp_y` need `N` entries. Returns
/// `false` (and changes nothing) on a length mismatch.
pub fn init_forward<S: Storage>(
    pr: &Problem,
    (weights, biases): (&[f64], &[f64]),
    s: Settle,
    st: &mut State<S>,
    tmp_values: &mut [f64],
    tmp_y: &mut [f64],
) -> bool {
    let Problem { net, layout, params: p, batch } = *pr;
    let (n, e) = (net.nodes(), net.edges());
    let Some(sz) = Sizes::new(net, layout) else { return false };
    if st.w.len() != sz.edge
        || st.x.len() != sz.edge
        || st.y.len() != sz.node
        || st.b.len() != sz.node
        || batch.values.len() != sz.node
        || weights.len() != e
        || biases.len() != n
        || tmp_values.len() != n
        || tmp_y.len() != n
    {
        return false;
    }
    for k in 0..layout.lanes() {
        for i in 0..n {
            tmp_values[i] = batch.values[layout.at(k, i, n)];
            tmp_y[i] = 0.0;
        }
        settle(net, p, s, weights, biases, tmp_values, tmp_y);
        for ed in 0..e {
            st.x[layout.at(k, ed, e)] = S::from_f64(tmp_values[net.src(ed)]);
            st.w[layout.at(k, ed, e)] = S::from_f64(weights[ed]);
        }
        for i in 0..n {
            st.y[layout.at(k, i, n)] = tmp_y[i];
            st.b[layout.at(k, i, n)] = biases[i];
        }
    }
    true
}
