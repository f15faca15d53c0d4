//! Per-block kernels of the SIMD path: node-value consensus with the
//! activation projection (eq. 26a–e, 38a–d), and the bilinear projection
//! (eq. 17, 19, 52) with the RRR update (eq. 3) of a node's in-edges, for one
//! layout block whose rows are block-local (row `r` starts at `r · block`).

use super::{Params, g2, is_fixed};
use crate::activation;
use crate::bilinear::{self, Safeguard};
use crate::counters::Counters;
use crate::graph::{Net, NodeKind};
use crate::simd::{self, LANES, Storage, V, halves, join};

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
    /// Lane group `c` of `v` with its padding lanes zeroed.
    #[inline(always)]
    fn keep(&self, c: usize, v: V) -> V {
        if c < self.full {
            v
        } else if c == self.full && self.has_part {
            self.part.select(v, V::splat(0.0))
        } else {
            V::splat(0.0)
        }
    }
}

/// Adds the real lanes of a lane group to an accumulator.
pub(super) trait RealLanes {
    /// Adds lane group `c` of `v` to `acc`, real lanes only.
    fn add(&self, acc: &mut V, c: usize, v: V);
    /// Lane group `c` of `v` with its padding lanes zeroed.
    fn keep(&self, c: usize, v: V) -> V;
}

impl RealLanes for Mask {
    #[inline(always)]
    fn add(&self, acc: &mut V, c: usize, v: V) {
        Mask::add(self, acc, c, v);
    }
    #[inline(always)]
    fn keep(&self, c: usize, v: V) -> V {
        Mask::keep(self, c, v)
    }
}

/// Every lane is real (a chunk without padding): adds without a test.
struct AllReal;

impl RealLanes for AllReal {
    #[inline(always)]
    fn add(&self, acc: &mut V, _: usize, v: V) {
        *acc += v;
    }
    #[inline(always)]
    fn keep(&self, _: usize, v: V) -> V {
        v
    }
}

/// Sum of a chunk's lane groups in order, from the first (no `+0` start).
#[inline(always)]
fn group_sum(mut v: impl Iterator<Item = V>) -> V {
    let first = v.next().unwrap_or(V::splat(0.0));
    v.fold(first, |a, b| a + b)
}

/// One block's slices of the iterate and the work space.
pub(super) struct Block<'a, S: Storage> {
    /// Block index.
    pub blk: usize,
    /// Items of the block that are real (not padding).
    pub real: usize,
    /// Lanes per block.
    pub kb: usize,
    pub w: &'a mut [S],
    pub x: &'a mut [S],
    pub y: &'a mut [f64],
    pub b: &'a mut [f64],
    pub xa: &'a mut [f64],
    pub ya: &'a mut [f64],
    pub ba: &'a mut [f64],
    pub values: &'a [f64],
    pub xsum: &'a mut [f64],
    pub wsum: &'a mut [f64],
    /// The block's bias sums, one per node (see `Work::wsum`).
    pub bsum: &'a mut [f64],
    pub stats: &'a mut super::BlockStats,
    /// Per-node layout: each (node, item)'s last root, the Newton start.
    pub roots: &'a mut [f64],
}

/// Rows `r` of a block-local buffer as lane groups.
#[inline(always)]
fn lanes<T>(s: &[T], r: usize, kb: usize) -> &[[T; LANES]] {
    s[r * kb..(r + 1) * kb].as_chunks::<LANES>().0
}

/// Mutable twin of [`lanes`].
#[inline(always)]
fn lanes_mut(s: &mut [f64], r: usize, kb: usize) -> &mut [[f64; LANES]] {
    s[r * kb..(r + 1) * kb].as_chunks_mut::<LANES>().0
}

/// Per-edge sums of the block's real weight copies (weight consensus), in
/// the order [`bilinear`] accumulates them while it updates the copies: per
/// chunk of [`GROUPS`] lane groups a lane-parallel sum ([`group_sum`], padding
/// lanes zeroed) reduced to a scalar, the chunks added in order from the
/// first. Both give the same bits, so an iteration that uses the sums its
/// predecessor left equals one that sums afresh.
pub(super) fn weight_sums<S: Storage>(bl: &mut Block<S>) {
    let m = Mask::new(bl.real);
    let kb = bl.kb;
    for (e, s) in bl.wsum.iter_mut().enumerate() {
        for (c, chunk) in lanes(bl.w, e, kb).chunks(GROUPS).enumerate() {
            let kept = chunk.iter().enumerate().map(|(g, w)| m.keep(c * GROUPS + g, S::load(w)));
            let r = group_sum(kept).reduce_add();
            *s = if c == 0 { r } else { *s + r };
        }
    }
}

/// Whether node `i`'s out-edge sum of `x` is kept in `xsum`: every node
/// whose value is not simply copied from the batch.
#[inline(always)]
fn summed(net: &Net, i: usize) -> bool {
    net.kind(i) != NodeKind::Input
}

/// Zeroes the `xsum` rows of the nodes [`summed`] keeps.
fn clear_node_sums<S: Storage>(net: &Net, bl: &mut Block<S>) {
    for i in (0..net.nodes()).filter(|&i| summed(net, i)) {
        lanes_mut(bl.xsum, i, bl.kb).fill([0.0; LANES]);
    }
}

/// Sums of `x` over the out-edges of every [`summed`] node, in out-edge
/// order (the order in which [`bilinear`] accumulates them while it updates
/// `x`, so both give the same bits).
pub(super) fn node_sums<S: Storage>(net: &Net, bl: &mut Block<S>) {
    let kb = bl.kb;
    clear_node_sums(net, bl);
    for i in (0..net.nodes()).filter(|&i| summed(net, i)) {
        let acc = lanes_mut(bl.xsum, i, kb);
        for &e in net.out_edges(i) {
            for (a, x) in acc.iter_mut().zip(lanes(bl.x, e as usize, kb)) {
                *a = (V::new(*a) + S::load(x)).to_array();
            }
        }
    }
}

/// Node values of every node of the block from the out-edge sums `xsum`:
/// inputs copied from the batch, hidden (and unfixed data/code) nodes by
/// out-edge consensus and the activation projection, fixed data/code values
/// by the fixed projection. Class nodes are left to the batch-wide class
/// step.
pub(super) fn node_values<S: Storage>(net: &Net, p: &Params, items: usize, code_items: usize, bl: &mut Block<S>) {
    let (kb, m) = (bl.kb, Mask::new(bl.real));
    for i in 0..net.nodes() {
        let kind = net.kind(i);
        match kind {
            NodeKind::Class => continue,
            NodeKind::Input => {
                bl.bsum[i] = 0.0;
                bl.xa[i * kb..(i + 1) * kb].copy_from_slice(&bl.values[i * kb..(i + 1) * kb]);
                continue;
            }
            _ => {}
        }
        let acc = lanes(bl.xsum, i, kb);
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
        let rows = i * kb..(i + 1) * kb;
        bl.bsum[i] = bias_sum(&m, &bl.ba[rows.clone()], &bl.b[rows]);
    }
}

/// A block's sum of `2 b_A − b` over its real items in one node's rows
/// (the bias consensus of eq. 26i before the division by `|K|`): a
/// lane-parallel sum from the first lane group, reduced to a scalar.
pub(super) fn bias_sum(m: &Mask, ba: &[f64], b: &[f64]) -> f64 {
    let mut acc = V::splat(0.0);
    for (c, (a, b)) in ba.as_chunks::<LANES>().0.iter().zip(b.as_chunks::<LANES>().0).enumerate() {
        m.add(&mut acc, c, V::splat(2.0) * V::new(*a) - V::new(*b));
    }
    acc.reduce_add()
}

/// Lane groups processed together by [`chunk`]: their dot products and
/// roots stay in registers between the two sweeps over a node's in-edges.
const GROUPS: usize = 4;

/// Lanes of a block that is one chunk.
const BLOCK: usize = GROUPS * LANES;

/// Bilinear projection, update and (with `want_err`) error sum of every
/// non-input node of the block, with the consensus `weights` and `biases`
/// of this iteration; also leaves the block's sums of the updated weight
/// copies in `wsum` (as [`weight_sums`] computes them) for the next
/// iteration's weight consensus and the out-edge sums of the updated `x` in
/// `xsum` (as [`node_sums`] computes them) for its node values. `w` and `x`
/// are read widened to f64 and stored rounded to `S`; the sums take the
/// stored values.
pub(super) fn bilinear<S: Storage>(
    net: &Net,
    p: &Params,
    weights: &[f64],
    biases: &[f64],
    want_err: bool,
    bl: &mut Block<S>,
) {
    if want_err {
        sweep::<S, true>(net, p, weights, biases, bl);
    } else {
        sweep::<S, false>(net, p, weights, biases, bl);
    }
}

/// [`bilinear`] with the error sum (`E`) or without.
fn sweep<S: Storage, const E: bool>(net: &Net, p: &Params, weights: &[f64], biases: &[f64], bl: &mut Block<S>) {
    let m = Mask::new(bl.real);
    clear_node_sums(net, bl);
    let mut t = Tally { err: V::splat(0.0), cnt: Counters::default() };
    let sw = Sweep { net, p, weights };
    let groups = bl.kb / LANES;
    for (j, &bias) in biases.iter().enumerate().take(net.nodes()) {
        if net.kind(j) == NodeKind::Input {
            continue;
        }
        let node = Node { j, g: g2(net, p, j), bias };
        // a block of one chunk (the preferred layout) with its size known to
        // the compiler: no chunk offsets, one bounds test per source row
        if groups == GROUPS {
            if bl.real == BLOCK {
                chunk::<GROUPS, _, _, E, BLOCK>(&sw, &node, bl, 0, &AllReal, &mut t);
            } else {
                chunk::<GROUPS, _, _, E, BLOCK>(&sw, &node, bl, 0, &m, &mut t);
            }
            continue;
        }
        let mut g0 = 0;
        while g0 < groups {
            match groups - g0 {
                1 => chunk::<1, _, _, E, 0>(&sw, &node, bl, g0, &m, &mut t),
                2 => chunk::<2, _, _, E, 0>(&sw, &node, bl, g0, &m, &mut t),
                3 => chunk::<3, _, _, E, 0>(&sw, &node, bl, g0, &m, &mut t),
                _ if (g0 + GROUPS) * LANES <= bl.real => {
                    chunk::<GROUPS, _, _, E, 0>(&sw, &node, bl, g0, &AllReal, &mut t)
                }
                _ => chunk::<GROUPS, _, _, E, 0>(&sw, &node, bl, g0, &m, &mut t),
            }
            g0 += GROUPS;
        }
    }
    bl.stats.err = t.err.reduce_add();
    bl.stats.counters = t.cnt;
}

/// What every node's bilinear projection in a sweep shares: the graph, the
/// parameters and this iteration's consensus weights.
#[derive(Clone, Copy)]
struct Sweep<'a> {
    net: &'a Net<'a>,
    p: &'a Params,
    weights: &'a [f64],
}

/// The error sum and counters a sweep accumulates.
struct Tally {
    err: V,
    cnt: Counters,
}

/// The receiving node of a bilinear projection.
struct Node {
    j: usize,
    g: f64,
    bias: f64,
}

/// `G` lane groups of `s` starting at row `r`, lane group `g0`.
#[inline(always)]
fn groups<const G: usize>(s: &[f64], r: usize, kb: usize, g0: usize) -> &[[f64; LANES]] {
    let lo = r * kb + g0 * LANES;
    s[lo..lo + G * LANES].as_chunks::<LANES>().0
}

/// Mutable twin of [`groups`].
#[inline(always)]
fn groups_mut<const G: usize>(s: &mut [f64], r: usize, kb: usize, g0: usize) -> &mut [[f64; LANES]] {
    let lo = r * kb + g0 * LANES;
    s[lo..lo + G * LANES].as_chunks_mut::<LANES>().0
}

/// Bilinear projection of node `j` for the `G` lane groups from `g0`: dot
/// products over the in-edges (eq. 17), the roots (eq. 52), the node's `y`,
/// `b` update, then the in-edge `w`, `x` update (eq. 19) while the rows are
/// still in cache, adding the updated weight copies to the block's sums.
/// `K` is the block's lane count when the caller knows it (`bl.kb`), or 0.
#[inline(always)]
fn chunk<const G: usize, M: RealLanes, S: Storage, const E: bool, const K: usize>(
    sw: &Sweep,
    node: &Node,
    bl: &mut Block<S>,
    g0: usize,
    m: &M,
    t: &mut Tally,
) {
    let Sweep { net, p, weights } = *sw;
    let Tally { err, cnt } = t;
    let (kb, j) = (if K == 0 { bl.kb } else { K }, node.j);
    let two = V::splat(2.0);
    let mut pp = [V::splat(0.0); G];
    let mut qq = [V::splat(0.0); G];
    let edges = net.in_edges(j);
    let rows = edges.start * kb..edges.end * kb;
    let (wts, srcs) = (&weights[edges.clone()], &net.sources()[edges.clone()]);
    let span = g0 * LANES..(g0 + G) * LANES;
    for ((wrow, xrow), (&wgt, &src)) in
        bl.w[rows.clone()].chunks_exact(kb).zip(bl.x[rows.clone()].chunks_exact(kb)).zip(wts.iter().zip(srcs))
    {
        let w2 = V::splat(2.0 * wgt);
        let (w, x) = (wrow[span.clone()].as_chunks::<LANES>().0, xrow[span.clone()].as_chunks::<LANES>().0);
        let xa = groups::<G>(bl.xa, src as usize, kb, g0);
        for g in 0..G {
            let wr = w2 - S::load(&w[g]);
            let xr = two.mul_sub(V::new(xa[g]), S::load(&x[g]));
            pp[g] = wr.mul_add(xr, pp[g]);
            qq[g] = wr.mul_add(wr, xr.mul_add(xr, qq[g]));
        }
    }
    // roots, two lane groups per solve so the Newton chains overlap
    let ya = groups::<G>(bl.ya, j, kb, g0);
    let mut t = [V::splat(0.0); G];
    let mut inv = [V::splat(0.0); G];
    let omega = V::splat(p.omega);
    let (y0, starts) = (groups::<G>(bl.y, j, kb, g0), groups::<G>(bl.roots, j, kb, g0));
    let mut g = 0;
    while g < G {
        let pair = g + 1 < G;
        let c0 = omega * two.mul_sub(V::new(ya[g]), V::new(y0[g]));
        let (p1, q1, c1, s1) = if pair {
            (pp[g + 1], qq[g + 1], omega * two.mul_sub(V::new(ya[g + 1]), V::new(y0[g + 1])), V::new(starts[g + 1]))
        } else {
            (V::splat(0.0), V::splat(1.0), V::splat(0.0), V::splat(0.0))
        };
        let root = bilinear::solve_lanes8_from(
            join(pp[g], p1),
            join(qq[g], q1),
            p.omega * p.omega,
            node.g,
            join(c0, c1),
            Safeguard::Midpoint,
            join(V::new(starts[g]), s1),
        );
        let lanes = if pair { 2 * LANES } else { LANES };
        let real = bl.real.saturating_sub((g0 + g) * LANES).min(lanes) as u64;
        if real > 0 {
            cnt.newton_solves += real;
            cnt.newton_steps += root.steps as u64 * real;
            cnt.newton_steps_max = cnt.newton_steps_max.max(root.steps as u64);
        }
        // Filler lanes have the trivial root 0 and never bisect; padding
        // lanes of the batch are counted like real ones.
        cnt.bisections += root.bisections as u64;
        let ([u0, u1], [i0, i1]) = (halves(root.u), halves(root.inv));
        (t[g], inv[g]) = (u0, i0);
        if pair {
            (t[g + 1], inv[g + 1]) = (u1, i1);
        }
        g += 2;
    }
    // the next iteration's Newton starts
    for (s, u) in groups_mut::<G>(bl.roots, j, kb, g0).iter_mut().zip(&t) {
        *s = u.to_array();
    }
    let beta = V::splat(p.beta);
    let (gv, omega_g, bb) = (V::splat(node.g), V::splat(p.omega / node.g), V::splat(node.bias));
    {
        let (ya, ba) = (groups::<G>(bl.ya, j, kb, g0), groups::<G>(bl.ba, j, kb, g0));
        let y = groups_mut::<G>(bl.y, j, kb, g0);
        for g in 0..G {
            let (yv, yav) = (V::new(y[g]), V::new(ya[g]));
            let dy = (two.mul_sub(yav, yv) - omega_g * t[g]) - yav;
            let db = bb - V::new(ba[g]);
            if E {
                m.add(err, g0 + g, gv * dy.mul_add(dy, db * db));
            }
            y[g] = dy.mul_add(beta, yv).to_array();
        }
        let b = groups_mut::<G>(bl.b, j, kb, g0);
        for g in 0..G {
            let db = bb - V::new(ba[g]);
            b[g] = db.mul_add(beta, V::new(b[g])).to_array();
        }
    }
    let mut e_edge = V::splat(0.0);
    // the rows one node further on (the next node's, where it has as many
    // in-edges) are prefetched while these are updated
    let mut ahead = span.start;
    let ((wrows, wpre), (xrows, xpre)) = (bl.w.split_at_mut(rows.end), bl.x.split_at_mut(rows.end));
    let (wrows, xrows) = (&mut wrows[rows.start..], &mut xrows[rows.start..]);
    let sums = bl.wsum[edges].iter_mut();
    for (((wrow, xrow), (&wgt, &src)), ws) in
        wrows.chunks_exact_mut(kb).zip(xrows.chunks_exact_mut(kb)).zip(wts.iter().zip(srcs)).zip(sums)
    {
        let src = src as usize;
        let mut kept = [V::splat(0.0); G];
        let (wa, w2) = (V::splat(wgt), V::splat(2.0 * wgt));
        simd::prefetch(wpre, ahead, G * LANES);
        simd::prefetch(xpre, ahead, G * LANES);
        ahead += kb;
        let xa = groups::<G>(bl.xa, src, kb, g0);
        let (w, x) = (wrow[span.clone()].as_chunks_mut::<LANES>().0, xrow[span.clone()].as_chunks_mut::<LANES>().0);
        for g in 0..G {
            let (wv, xv, xav) = (S::load(&w[g]), S::load(&x[g]), V::new(xa[g]));
            let wr = w2 - wv;
            // 2·xa is exact, so this is `two.mul_sub(xav, xv)` to the bit,
            // without the copy of `two` a destructive FMA would need
            let xr = (xav + xav) - xv;
            let dw = t[g].mul_add(xr, wr).mul_sub(inv[g], wa);
            let dx = t[g].mul_add(wr, xr).mul_sub(inv[g], xav);
            w[g] = S::store(dw.mul_add(beta, wv));
            x[g] = S::store(dx.mul_add(beta, xv));
            if E {
                m.add(&mut e_edge, g0 + g, dw.mul_add(dw, dx * dx));
            }
            // the stored (rounded) copy, as `weight_sums` reads it
            kept[g] = m.keep(g0 + g, S::load(&w[g]));
        }
        // every edge has a non-input receiver, so its first chunk (g0 = 0)
        // starts the sum (as `weight_sums` does) in place of a clearing
        // sweep
        let r = group_sum(kept.into_iter()).reduce_add();
        *ws = if g0 == 0 { r } else { *ws + r };
        if summed(net, src) {
            for (s, x) in groups_mut::<G>(bl.xsum, src, kb, g0).iter_mut().zip(x.iter()) {
                *s = (V::new(*s) + S::load(x)).to_array();
            }
        }
    }
    *err += e_edge;
}
