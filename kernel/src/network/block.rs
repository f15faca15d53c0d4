//! Per-block kernels of the SIMD path: node-value consensus with the
//! activation projection, and the bilinear projection with the update of a
//! node's in-edges, for one layout block whose rows are block-local
//! (row `r` starts at `r · block`).

use super::{Params, g2, is_fixed};
use crate::activation;
use crate::bilinear::{self, Safeguard};
use crate::counters::Counters;
use crate::net::{Net, NodeKind};
use crate::simd::{LANES, V, V8};

/// Lane mask for the first `n` lanes.
#[inline(always)]
fn first_lanes(n: usize) -> V {
    let a: [f64; LANES] = core::array::from_fn(|l| if l < n { 1.0 } else { 0.0 });
    V::new(a).simd_gt(V::splat(0.0))
}

/// Error-sum helper for one row of a block: full chunks, then the masked
/// partial chunk; padding chunks add nothing.
pub(super) struct Mask {
    full: usize,
    part: V,
    has_part: bool,
}

impl Mask {
    /// For a block with `real` real items.
    pub(super) fn new(real: usize) -> Self {
        Self { full: real / LANES, part: first_lanes(real % LANES), has_part: !real.is_multiple_of(LANES) }
    }
    /// Adds lane group `c` of `v` to `acc`, real lanes only.
    #[inline(always)]
    pub(super) fn add(&self, acc: &mut V, c: usize, v: V) {
        if c < self.full {
            *acc += v;
        } else if c == self.full && self.has_part {
            *acc += self.part.select(v, V::splat(0.0));
        }
    }
}

/// One block's slices of the iterate and the work space.
pub(super) struct Block<'a> {
    /// Block index.
    pub blk: usize,
    /// Items of the block that are real (not padding).
    pub real: usize,
    /// Lanes per block.
    pub kb: usize,
    pub w: &'a mut [f64],
    pub x: &'a mut [f64],
    pub y: &'a mut [f64],
    pub b: &'a mut [f64],
    pub xa: &'a mut [f64],
    pub ya: &'a mut [f64],
    pub ba: &'a mut [f64],
    pub values: &'a [f64],
    pub acc: &'a mut [f64],
    pub wsum: &'a mut [f64],
    pub stats: &'a mut super::BlockStats,
}

/// Rows `r` of a block-local buffer as lane groups.
#[inline(always)]
fn lanes(s: &[f64], r: usize, kb: usize) -> &[[f64; LANES]] {
    s[r * kb..(r + 1) * kb].as_chunks::<LANES>().0
}

/// Mutable twin of [`lanes`].
#[inline(always)]
fn lanes_mut(s: &mut [f64], r: usize, kb: usize) -> &mut [[f64; LANES]] {
    s[r * kb..(r + 1) * kb].as_chunks_mut::<LANES>().0
}

/// Per-edge sums of the block's real weight copies (weight consensus).
pub(super) fn weight_sums(bl: &mut Block) {
    let (kb, real) = (bl.kb, bl.real);
    for (e, s) in bl.wsum.iter_mut().enumerate() {
        *s = crate::simd::sum(&bl.w[e * kb..e * kb + real]);
    }
}

/// Node values of every node of the block: inputs copied from the batch,
/// hidden (and unfixed data/code) nodes by out-edge consensus and the
/// activation projection, fixed data/code values by the fixed projection.
/// Class nodes are left to the batch-wide class step.
pub(super) fn node_values(net: &Net, p: &Params, items: usize, code_items: usize, bl: &mut Block) {
    let kb = bl.kb;
    for i in 0..net.nodes() {
        let kind = net.kind(i);
        match kind {
            NodeKind::Class => continue,
            NodeKind::Input => {
                bl.xa[i * kb..(i + 1) * kb].copy_from_slice(&bl.values[i * kb..(i + 1) * kb]);
                continue;
            }
            _ => {}
        }
        let acc = lanes_mut(bl.acc, 0, kb);
        acc.fill([0.0; LANES]);
        for &e in net.out_edges(i) {
            for (a, x) in acc.iter_mut().zip(lanes(bl.x, e as usize, kb)) {
                *a = (V::new(*a) + V::new(*x)).to_array();
            }
        }
        let deg = V::splat(net.outdeg(i) as f64);
        let (xa, ya, ba) = (lanes_mut(bl.xa, i, kb), lanes_mut(bl.ya, i, kb), lanes_mut(bl.ba, i, kb));
        let rows = acc.iter().zip(xa.iter_mut().zip(ya.iter_mut())).zip(ba.iter_mut());
        for (((a, (xo, yo)), bo), (yi, bi)) in rows.zip(lanes(bl.y, i, kb).iter().zip(lanes(bl.b, i, kb))) {
            let (xx, yy, bb) = activation::project_lanes(p.activation, V::new(*a) / deg, V::new(*yi), V::new(*bi));
            *xo = xx.to_array();
            *yo = yy.to_array();
            *bo = bb.to_array();
        }
        if kind == NodeKind::Data || kind == NodeKind::Code {
            for kk in 0..kb {
                if is_fixed(kind, bl.blk * kb + kk, items, code_items) {
                    let at = i * kb + kk;
                    let v = bl.values[at];
                    (bl.ya[at], bl.ba[at]) = activation::fixed(p.activation, v, bl.y[at], bl.b[at]);
                    bl.xa[at] = v;
                }
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

/// Bilinear projection, update and error sum of every non-input node of the
/// block, with the consensus `weights` and `biases` of this iteration.
pub(super) fn bilinear(net: &Net, p: &Params, weights: &[f64], biases: &[f64], bl: &mut Block) {
    let m = Mask::new(bl.real);
    let mut err = V::splat(0.0);
    let mut cnt = Counters::default();
    for (j, &bias) in biases.iter().enumerate().take(net.nodes()) {
        if net.kind(j) != NodeKind::Input {
            bilinear_node(net, p, weights, bias, bl, j, &m, &mut err, &mut cnt);
        }
    }
    bl.stats.err = err.reduce_add();
    bl.stats.counters = cnt;
}

/// Bilinear projection of node `j` for every lane of the block, then the
/// update of its in-edge `w`, `x`, its `y`, `b`, and the error sum.
#[allow(clippy::too_many_arguments)]
fn bilinear_node(
    net: &Net,
    p: &Params,
    weights: &[f64],
    bias: f64,
    bl: &mut Block,
    j: usize,
    m: &Mask,
    err: &mut V,
    cnt: &mut Counters,
) {
    let kb = bl.kb;
    let two = V::splat(2.0);
    let (pq, rest) = bl.acc.split_at_mut(2 * kb);
    let (pa, qa) = pq.split_at_mut(kb);
    let (tv, cv) = rest.split_at_mut(kb);
    pa.fill(0.0);
    qa.fill(0.0);
    for e in net.in_edges(j) {
        let w2 = V::splat(2.0 * weights[e]);
        let rows = lanes(bl.w, e, kb).iter().zip(lanes(bl.x, e, kb)).zip(lanes(bl.xa, net.src(e), kb));
        for ((pc, qc), ((w, x), xa)) in lanes_mut(pa, 0, kb).iter_mut().zip(lanes_mut(qa, 0, kb)).zip(rows) {
            let wr = w2 - V::new(*w);
            let xr = two.mul_sub(V::new(*xa), V::new(*x));
            *pc = wr.mul_add(xr, V::new(*pc)).to_array();
            *qc = wr.mul_add(wr, xr.mul_add(xr, V::new(*qc))).to_array();
        }
    }
    let g = g2(net, p, j);
    // targets Ω·yr of the bilinear constraint
    for (cc, (y, ya)) in lanes_mut(cv, 0, kb).iter_mut().zip(lanes(bl.y, j, kb).iter().zip(lanes(bl.ya, j, kb))) {
        *cc = (V::splat(p.omega) * two.mul_sub(V::new(*ya), V::new(*y))).to_array();
    }
    solve_block(pa, qa, cv, tv, p.omega * p.omega, g, bl.real, cnt);
    let omega_g = V::splat(p.omega / g);
    let beta = V::splat(p.beta);
    let gv = V::splat(g);
    let bb = V::splat(bias);
    let mut e_node = V::splat(0.0);
    let (y, b) = (&mut bl.y[j * kb..(j + 1) * kb], &mut bl.b[j * kb..(j + 1) * kb]);
    let node_rows = y.as_chunks_mut::<LANES>().0.iter_mut().zip(b.as_chunks_mut::<LANES>().0.iter_mut());
    let a_rows = lanes(bl.ya, j, kb).iter().zip(lanes(bl.ba, j, kb));
    for (ci, (((y, b), (ya, ba)), t)) in node_rows.zip(a_rows).zip(lanes(tv, 0, kb)).enumerate() {
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
        let xar = lanes(bl.xa, net.src(e), kb);
        let wa = V::splat(weights[e]);
        let w2 = V::splat(2.0 * weights[e]);
        let (wrow, xrow) = (&mut bl.w[e * kb..(e + 1) * kb], &mut bl.x[e * kb..(e + 1) * kb]);
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
