//! The SIMD path of one network RRR iteration: lanes over batch items,
//! edge-major sweeps per block so every row streams through once per pass.
//! Same mathematics as the oracle; sums over items use lane-parallel partial
//! sums and `1/(1 - u²)` is computed once per (node, item), so results agree
//! with the oracle to rounding, not bit for bit.

use super::{Batch, IterError, Params, Report, State, Work, check, classes, g2, is_fixed};
use crate::activation;
use crate::bilinear::{self, Safeguard};
use crate::consensus;
use crate::counters::Counters;
use crate::layout::Layout;
use crate::net::{Net, NodeKind};
use crate::simd::{self, LANES, V, load, store};

/// Lane mask for the first `n` lanes.
#[inline(always)]
fn first_lanes(n: usize) -> V {
    let a: [f64; LANES] = core::array::from_fn(|l| if l < n { 1.0 } else { 0.0 });
    V::new(a).simd_gt(V::splat(0.0))
}

/// Error-sum helper for one row of a block: full chunks, then the masked
/// partial chunk; padding chunks add nothing.
struct Mask {
    full: usize,
    part: V,
    has_part: bool,
}

impl Mask {
    fn new(real: usize) -> Self {
        Self { full: real / LANES, part: first_lanes(real % LANES), has_part: real % LANES != 0 }
    }
    #[inline(always)]
    fn add(&self, acc: &mut V, c: usize, v: V) {
        if c < self.full {
            *acc += v;
        } else if c == self.full && self.has_part {
            *acc += self.part.select(v, V::splat(0.0));
        }
    }
}

/// One RRR iteration, SIMD path (see the module docs of [`crate::network`]).
pub fn iterate(
    net: &Net,
    layout: &Layout,
    p: &Params,
    batch: &Batch,
    st: &mut State,
    wk: &mut Work,
    cnt: &mut Counters,
) -> Result<Report, IterError> {
    check(net, layout, p, batch, st, wk)?;
    let (n, ne, items) = (net.nodes(), net.edges(), layout.items());
    let kf = items as f64;
    let kb = layout.block();
    let chunks = kb / LANES;

    // Set A: weight consensus on the sphere.
    for e in 0..ne {
        let mut s = 0.0;
        for blk in 0..layout.blocks() {
            let r = layout.row(blk, e, ne);
            s += simd::sum(&st.w[r..r + layout.real(blk)]);
        }
        wk.weights[e] = s / kf;
    }
    for i in 0..n {
        if net.kind(i) != NodeKind::Input {
            consensus::sphere(&mut wk.weights[net.in_edges(i)], p.omega);
        }
    }
    // Set A: node values.
    for blk in 0..layout.blocks() {
        for i in 0..n {
            let kind = net.kind(i);
            let r = layout.row(blk, i, n);
            match kind {
                NodeKind::Class => {}
                NodeKind::Input => wk.xa[r..r + kb].copy_from_slice(&batch.values[r..r + kb]),
                _ => node_values(net, layout, p, batch, st, wk, blk, i),
            }
        }
    }
    let selected = classes::project(net, layout, p, batch, st.y, st.b, wk);
    // Set B: bias consensus.
    for i in 0..n {
        if net.kind(i) == NodeKind::Input {
            continue;
        }
        let mut acc = V::splat(0.0);
        for blk in 0..layout.blocks() {
            let r = layout.row(blk, i, n);
            let m = Mask::new(layout.real(blk));
            for c in 0..chunks {
                let o = r + c * LANES;
                m.add(&mut acc, c, V::splat(2.0) * load(wk.ba, o) - load(st.b, o));
            }
        }
        wk.biases[i] = acc.reduce_add() / kf;
    }
    // Set B: bilinear projection and update, per block and node.
    let mut err = V::splat(0.0);
    for blk in 0..layout.blocks() {
        let m = Mask::new(layout.real(blk));
        for j in 0..n {
            if net.kind(j) != NodeKind::Input {
                bilinear_node(net, layout, p, st, wk, cnt, blk, j, &m, &mut err);
            }
        }
    }
    let pairs = (items * ne) as u64;
    cnt.iterations += 1;
    cnt.weight_multiplies += pairs;
    cnt.weight_consensus += pairs;
    cnt.node_consensus += pairs;
    cnt.bilinear += pairs;
    cnt.update += pairs;
    cnt.node_ops += (items * n) as u64;
    Ok(Report { rrr_err: libm::sqrt(err.reduce_add() / kf), selected })
}

/// Node-value consensus over out-edges and the activation or fixed-value
/// projection, for node `i` of block `blk`.
#[allow(clippy::too_many_arguments)]
fn node_values(net: &Net, layout: &Layout, p: &Params, batch: &Batch, st: &State, wk: &mut Work, blk: usize, i: usize) {
    let (n, ne, kb) = (net.nodes(), net.edges(), layout.block());
    let r = layout.row(blk, i, n);
    let acc = &mut wk.acc[..kb];
    acc.fill(0.0);
    for &e in net.out_edges(i) {
        let re = layout.row(blk, e as usize, ne);
        for c in (0..kb).step_by(LANES) {
            store(acc, c, load(acc, c) + load(st.x, re + c));
        }
    }
    let inv = V::splat(net.outdeg(i) as f64);
    for c in (0..kb).step_by(LANES) {
        let o = r + c;
        let (xx, yy, bb) = activation::project_lanes(p.activation, load(acc, c) / inv, load(st.y, o), load(st.b, o));
        store(wk.xa, o, xx);
        store(wk.ya, o, yy);
        store(wk.ba, o, bb);
    }
    let kind = net.kind(i);
    if kind == NodeKind::Data || kind == NodeKind::Code {
        for kk in 0..kb {
            let k = blk * kb + kk;
            if is_fixed(kind, k, layout.items(), batch.code_items) {
                let v = batch.values[r + kk];
                let (yy, bb) = activation::fixed(p.activation, v, st.y[r + kk], st.b[r + kk]);
                wk.xa[r + kk] = v;
                wk.ya[r + kk] = yy;
                wk.ba[r + kk] = bb;
            }
        }
    }
}

/// Bilinear projection of node `j` for every lane of block `blk`, then the
/// update of its in-edge `w`, `x`, its `y`, `b`, and the error sum.
#[allow(clippy::too_many_arguments)]
fn bilinear_node(
    net: &Net,
    layout: &Layout,
    p: &Params,
    st: &mut State,
    wk: &mut Work,
    cnt: &mut Counters,
    blk: usize,
    j: usize,
    m: &Mask,
    err: &mut V,
) {
    let (n, ne, kb) = (net.nodes(), net.edges(), layout.block());
    let two = V::splat(2.0);
    let (pq, tv) = wk.acc.split_at_mut(2 * kb);
    let (pa, qa) = pq.split_at_mut(kb);
    pa.fill(0.0);
    qa.fill(0.0);
    for e in net.in_edges(j) {
        let re = layout.row(blk, e, ne);
        let rs = layout.row(blk, net.src(e), n);
        let w2 = V::splat(2.0 * wk.weights[e]);
        for c in (0..kb).step_by(LANES) {
            let wr = w2 - load(st.w, re + c);
            let xr = two * load(wk.xa, rs + c) - load(st.x, re + c);
            store(pa, c, load(pa, c) + wr * xr);
            store(qa, c, load(qa, c) + (wr * wr + xr * xr));
        }
    }
    let g = g2(net, p, j);
    let omega = V::splat(p.omega);
    let beta = V::splat(p.beta);
    let gv = V::splat(g);
    let r = layout.row(blk, j, n);
    let bb = V::splat(wk.biases[j]);
    let real = layout.real(blk);
    let mut e_node = V::splat(0.0);
    for (ci, c) in (0..kb).step_by(LANES).enumerate() {
        let o = r + c;
        let (y, ya) = (load(st.y, o), load(wk.ya, o));
        let yr = two * ya - y;
        let root = bilinear::solve_lanes(load(pa, c), load(qa, c), p.omega * p.omega, g, omega * yr, Safeguard::Midpoint);
        let lanes_real = real.saturating_sub(c).min(LANES) as u64;
        if lanes_real > 0 {
            cnt.newton_solves += lanes_real;
            cnt.newton_steps += root.steps as u64 * lanes_real;
            cnt.newton_steps_max = cnt.newton_steps_max.max(root.steps);
            cnt.bisections += root.bisections as u64;
        }
        let t = root.u;
        store(tv, c, t);
        store(pa, c, V::splat(1.0) / (V::splat(1.0) - t * t));
        let dy = (yr - (omega * t) / gv) - ya;
        let ba = load(wk.ba, o);
        let db = bb - ba;
        m.add(&mut e_node, ci, gv * (dy * dy + db * db));
        store(st.y, o, y + beta * dy);
        store(st.b, o, load(st.b, o) + beta * db);
    }
    let mut e_edge = V::splat(0.0);
    for e in net.in_edges(j) {
        let re = layout.row(blk, e, ne);
        let rs = layout.row(blk, net.src(e), n);
        let wa = V::splat(wk.weights[e]);
        let w2 = V::splat(2.0 * wk.weights[e]);
        for (ci, c) in (0..kb).step_by(LANES).enumerate() {
            let (w, x) = (load(st.w, re + c), load(st.x, re + c));
            let xa = load(wk.xa, rs + c);
            let wr = w2 - w;
            let xr = two * xa - x;
            let (t, inv) = (load(tv, c), load(pa, c));
            let dw = (wr + t * xr) * inv - wa;
            let dx = (xr + t * wr) * inv - xa;
            store(st.w, re + c, w + beta * dw);
            store(st.x, re + c, x + beta * dx);
            m.add(&mut e_edge, ci, dw * dw + dx * dx);
        }
    }
    *err += e_node + e_edge;
}
