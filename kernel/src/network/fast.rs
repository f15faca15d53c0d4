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
use crate::simd::{self, LANES, V, V8, load};

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
        Self { full: real / LANES, part: first_lanes(real % LANES), has_part: !real.is_multiple_of(LANES) }
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

/// Rows of a per-edge or per-node buffer as lane groups.
#[inline(always)]
fn lanes(s: &[f64], r: usize, kb: usize) -> &[[f64; LANES]] {
    s[r..r + kb].as_chunks::<LANES>().0
}

/// Mutable twin of [`lanes`].
#[inline(always)]
fn lanes_mut(s: &mut [f64], r: usize, kb: usize) -> &mut [[f64; LANES]] {
    s[r..r + kb].as_chunks_mut::<LANES>().0
}

/// Node-value consensus over out-edges and the activation or fixed-value
/// projection, for node `i` of block `blk`.
#[allow(clippy::too_many_arguments)]
fn node_values(net: &Net, layout: &Layout, p: &Params, batch: &Batch, st: &State, wk: &mut Work, blk: usize, i: usize) {
    let (n, ne, kb) = (net.nodes(), net.edges(), layout.block());
    let r = layout.row(blk, i, n);
    let acc = lanes_mut(wk.acc, 0, kb);
    acc.fill([0.0; LANES]);
    for &e in net.out_edges(i) {
        for (a, x) in acc.iter_mut().zip(lanes(st.x, layout.row(blk, e as usize, ne), kb)) {
            *a = (V::new(*a) + V::new(*x)).to_array();
        }
    }
    let deg = V::splat(net.outdeg(i) as f64);
    let (xa, ya, ba) = (lanes_mut(wk.xa, r, kb), lanes_mut(wk.ya, r, kb), lanes_mut(wk.ba, r, kb));
    let (y, b) = (lanes(st.y, r, kb), lanes(st.b, r, kb));
    for (((a, (xo, yo)), bo), (yi, bi)) in
        acc.iter().zip(xa.iter_mut().zip(ya.iter_mut())).zip(ba.iter_mut()).zip(y.iter().zip(b))
    {
        let (xx, yy, bb) = activation::project_lanes(p.activation, V::new(*a) / deg, V::new(*yi), V::new(*bi));
        *xo = xx.to_array();
        *yo = yy.to_array();
        *bo = bb.to_array();
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

/// Lane-parallel root solves of one node for a whole block, two lane groups
/// at a time so the Newton dependency chains overlap: writes `u` to `tv` and
/// `1/(1 - u²)` over `pa`.
#[allow(clippy::too_many_arguments)]
fn solve_block(
    pa: &mut [f64],
    qa: &[f64],
    cv: &[f64],
    tv: &mut [f64],
    omega2: f64,
    g: f64,
    real: usize,
    cnt: &mut Counters,
) {
    let kb = pa.len();
    let mut c = 0;
    while c < kb {
        let two = c + 2 * LANES <= kb;
        let w = if two { 2 * LANES } else { LANES };
        let pick = |s: &[f64], d: f64| -> V8 { V8::new(core::array::from_fn(|l| if l < w { s[c + l] } else { d })) };
        let root = bilinear::solve_lanes8(pick(pa, 0.0), pick(qa, 1.0), omega2, g, pick(cv, 0.0), Safeguard::Midpoint);
        let lanes_real = real.saturating_sub(c).min(w) as u64;
        if lanes_real > 0 {
            cnt.newton_solves += lanes_real;
            cnt.newton_steps += root.steps as u64 * lanes_real;
            cnt.newton_steps_max = cnt.newton_steps_max.max(root.steps);
        }
        let u = root.u.to_array();
        let inv = (V8::splat(1.0) / (V8::splat(1.0) - root.u * root.u)).to_array();
        tv[c..c + w].copy_from_slice(&u[..w]);
        pa[c..c + w].copy_from_slice(&inv[..w]);
        // Filler lanes of a half group have the trivial root 0 and never
        // bisect; padding lanes of the batch are counted like real ones.
        cnt.bisections += root.bisections as u64;
        c += w;
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
    let (pq, rest) = wk.acc.split_at_mut(2 * kb);
    let (pa, qa) = pq.split_at_mut(kb);
    let (tv, cv) = rest.split_at_mut(kb);
    pa.fill(0.0);
    qa.fill(0.0);
    for e in net.in_edges(j) {
        let re = layout.row(blk, e, ne);
        let w2 = V::splat(2.0 * wk.weights[e]);
        let rows =
            lanes(st.w, re, kb).iter().zip(lanes(st.x, re, kb)).zip(lanes(wk.xa, layout.row(blk, net.src(e), n), kb));
        for ((pc, qc), ((w, x), xa)) in lanes_mut(pa, 0, kb).iter_mut().zip(lanes_mut(qa, 0, kb)).zip(rows) {
            let wr = w2 - V::new(*w);
            let xr = two.mul_sub(V::new(*xa), V::new(*x));
            *pc = wr.mul_add(xr, V::new(*pc)).to_array();
            *qc = wr.mul_add(wr, xr.mul_add(xr, V::new(*qc))).to_array();
        }
    }
    let g = g2(net, p, j);
    let r = layout.row(blk, j, n);
    // targets Ω·yr of the bilinear constraint
    for (cc, (y, ya)) in lanes_mut(cv, 0, kb).iter_mut().zip(lanes(st.y, r, kb).iter().zip(lanes(wk.ya, r, kb))) {
        *cc = (V::splat(p.omega) * two.mul_sub(V::new(*ya), V::new(*y))).to_array();
    }
    solve_block(pa, qa, cv, tv, p.omega * p.omega, g, layout.real(blk), cnt);
    let omega_g = V::splat(p.omega / g);
    let beta = V::splat(p.beta);
    let gv = V::splat(g);
    let bb = V::splat(wk.biases[j]);
    let mut e_node = V::splat(0.0);
    let node_rows = lanes_mut(st.y, r, kb)
        .iter_mut()
        .zip(lanes_mut(st.b, r, kb))
        .zip(lanes(wk.ya, r, kb).iter().zip(lanes(wk.ba, r, kb)));
    for (ci, (((y, b), (ya, ba)), t)) in node_rows.zip(lanes(tv, 0, kb)).enumerate() {
        let (yv, yav, bav) = (V::new(*y), V::new(*ya), V::new(*ba));
        let yr = two.mul_sub(yav, yv);
        let dy = (yr - omega_g * V::new(*t)) - yav;
        let db = bb - bav;
        m.add(&mut e_node, ci, gv * dy.mul_add(dy, db * db));
        *y = dy.mul_add(beta, yv).to_array();
        *b = db.mul_add(beta, V::new(*b)).to_array();
    }
    let mut e_edge = V::splat(0.0);
    let (tl, il) = (lanes(tv, 0, kb), lanes(pa, 0, kb));
    for e in net.in_edges(j) {
        let re = layout.row(blk, e, ne);
        let xar = lanes(wk.xa, layout.row(blk, net.src(e), n), kb);
        let wa = V::splat(wk.weights[e]);
        let w2 = V::splat(2.0 * wk.weights[e]);
        let (wrow, xrow) = (&mut st.w[re..re + kb], &mut st.x[re..re + kb]);
        let rows = wrow.as_chunks_mut::<LANES>().0.iter_mut().zip(xrow.as_chunks_mut::<LANES>().0.iter_mut());
        for (ci, ((w, x), ((xa, t), inv))) in rows.zip(xar.iter().zip(tl).zip(il)).enumerate() {
            let (wv, xv, xav, tv, iv) = (V::new(*w), V::new(*x), V::new(*xa), V::new(*t), V::new(*inv));
            let wr = w2 - wv;
            let xr = two.mul_sub(xav, xv);
            let dw = tv.mul_add(xr, wr).mul_sub(iv, wa);
            let dx = tv.mul_add(wr, xr).mul_sub(iv, xav);
            *w = dw.mul_add(beta, wv).to_array();
            *x = dx.mul_add(beta, xv).to_array();
            m.add(&mut e_edge, ci, dw.mul_add(dw, dx * dx));
        }
    }
    *err += e_node + e_edge;
}
