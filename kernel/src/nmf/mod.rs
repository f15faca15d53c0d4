//! One RRR iteration of non-negative matrix factorisation (section 4,
//! eq. 14): data `Y ≈ W X` with `W ≥ 0` of column norm Ω and codes `X ≥ 0`.
//!
//! Per item `k`, data node `i` and code node `j` (edge `e = i·C + j`) there
//! are copies `w[k,e]` of `W(i,j)` and `z[k,e]` of the code `Z(k,j)`, in the
//! per-edge [`Layout`] with `E = D·C`. Set A: weight consensus with
//! non-negativity and column norm Ω (eq. 14b–c, including the
//! all-non-positive case), code consensus over the data nodes with
//! non-negativity (eq. 14a). Set B: `Σ_j w z = y` per (item, data node)
//! (eq. 14d), the bilinear projection of appendix B with `g² → ∞`, solved
//! with the NMF program's bracket safeguard. RRR_err is the reference's root
//! mean square per edge copy, `sqrt(Σ (p - a)² / (|K| |E|))` (eq. 22 divided
//! by `|E|`); recon_err is eq. 23. [`iterate_general`] is eq. 47 with γ.

pub mod general;

pub use general::iterate_general;

use crate::bilinear::{self, Coeffs, Safeguard};
use crate::consensus;
use crate::counters::{BlockStats, Counters};
use crate::exec::{self, Alone, Group};
use crate::layout::Layout;
use crate::simd::{self, LANES, V, flush_subnormal, halves, join, load, store};

/// Shape of the factorisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Data nodes `D` (length of a data vector).
    pub data: usize,
    /// Code nodes `C` (the rank).
    pub rank: usize,
}

impl Shape {
    /// Number of edges `D · C`.
    pub fn edges(&self) -> usize {
        self.data * self.rank
    }
}

/// Step parameters and weight norm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    /// RRR step size β.
    pub beta: f64,
    /// γ of the generalised update (eq. 47); 1 is the RRR step, the only
    /// value [`iterate`] and [`iterate_oracle`] take ([`NmfError::Gamma`]
    /// otherwise); [`general::iterate_general`] takes any.
    pub gamma: f64,
    /// Column norm Ω of `W` (eq. 14c).
    pub omega: f64,
}

/// What an iteration solves: the shape, where each copy lives, the
/// parameters and the data (per-node layout with `D` rows).
#[derive(Clone, Copy)]
pub struct Problem<'a> {
    /// Shape of the factorisation.
    pub shape: &'a Shape,
    /// Items, lanes and blocks of the buffers.
    pub layout: &'a Layout,
    /// Step parameters and weight norm.
    pub params: &'a Params,
    /// The batch's data.
    pub data: &'a [f64],
}

/// The iterate: weight and code copies, per-edge layout.
pub struct State<'a> {
    /// Weight copies `w[k, i·C + j]`.
    pub w: &'a mut [f64],
    /// Code copies `z[k, i·C + j]`.
    pub z: &'a mut [f64],
}

/// A-values of the last iteration and scratch space.
pub struct Work<'a> {
    /// Consensus weights `W(i, j)` at `i·C + j` (length `E`).
    pub weights: &'a mut [f64],
    /// Consensus codes `Z(k, j)` in the per-node layout with `C` rows.
    pub codes: &'a mut [f64],
    /// Per-lane accumulators (length `6 · block`: two data rows' dot
    /// products and roots).
    pub acc: &'a mut [f64],
    /// The SIMD path's last root per (item, data node), per-node layout with
    /// `D` rows: each solve's Newton start (zeros: a cold start, as at a new
    /// batch). The oracle and the general update do not use it.
    pub roots: &'a mut [f64],
    /// The SIMD path's per-block sums of the weight copies over the block's
    /// real items (length `blocks · E`), added by the block tree of
    /// [`crate::exec::reduce`].
    pub sums: &'a mut [f64],
    /// The SIMD path's per-block error sums and counters (length `blocks`).
    pub stats: &'a mut [BlockStats],
}

/// Why an iteration refused to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NmfError {
    /// A buffer does not have the length the shape and layout require.
    BufferLength,
    /// `gamma` is not 1 on a path that computes only the RRR step.
    Gamma,
}

/// Checks buffer lengths; `rrr_only` also asks for γ = 1.
fn check(pr: &Problem, st: &State, wk: &Work, rrr_only: bool) -> Result<(), NmfError> {
    let Problem { shape: sh, layout, params, data } = *pr;
    if rrr_only && params.gamma != 1.0 {
        return Err(NmfError::Gamma);
    }
    let ok = Some(st.w.len()) == layout.len(sh.edges())
        && Some(st.z.len()) == layout.len(sh.edges())
        && Some(data.len()) == layout.len(sh.data)
        && wk.weights.len() == sh.edges()
        && Some(wk.codes.len()) == layout.len(sh.rank)
        && Some(wk.acc.len()) >= layout.block().checked_mul(6)
        && Some(wk.roots.len()) == layout.len(sh.data);
    if ok { Ok(()) } else { Err(NmfError::BufferLength) }
}

fn project_weights(sh: &Shape, p: &Params, w: &mut [f64], cnt: &mut Counters) {
    for j in 0..sh.rank {
        if consensus::nonneg_sphere_strided(w, j, sh.rank, sh.data, p.omega) {
            cnt.nonpositive_columns += 1;
        }
    }
}

/// One RRR iteration in the reference program's exact order (bit for bit);
/// returns RRR_err.
pub fn iterate_oracle(pr: &Problem, st: &mut State, wk: &mut Work, cnt: &mut Counters) -> Result<f64, NmfError> {
    check(pr, st, wk, true)?;
    let Problem { shape: sh, layout, params: p, data } = *pr;
    let (ne, c, d, items) = (sh.edges(), sh.rank, sh.data, layout.items());
    for e in 0..ne {
        let mut s = 0.0;
        for k in 0..items {
            s += st.w[layout.at(k, e, ne)];
        }
        wk.weights[e] = s / items as f64;
    }
    project_weights(sh, p, wk.weights, cnt);
    for k in 0..layout.lanes() {
        for j in 0..c {
            let mut s = 0.0;
            for i in 0..d {
                s += st.z[layout.at(k, i * c + j, ne)];
            }
            wk.codes[layout.at(k, j, c)] = consensus::nonneg(s / d as f64);
        }
    }
    let mut err = 0.0;
    for k in 0..layout.lanes() {
        let real = k < items;
        for i in 0..d {
            let (mut pp, mut qq) = (0.0, 0.0);
            for j in 0..c {
                let a = layout.at(k, i * c + j, ne);
                let u = 2.0 * wk.weights[i * c + j] - st.w[a];
                let v = 2.0 * wk.codes[layout.at(k, j, c)] - st.z[a];
                pp += u * v;
                qq += u * u + v * v;
            }
            let coeffs = Coeffs { p: pp, q: qq, omega2: 1.0, g2: f64::INFINITY, c: data[layout.at(k, i, d)] };
            let root = bilinear::solve(&coeffs, Safeguard::Bracket);
            if real {
                cnt.record_solve(&root);
            }
            let t = root.u;
            let den = 1.0 - t * t;
            for j in 0..c {
                let a = layout.at(k, i * c + j, ne);
                let (wa, za) = (wk.weights[i * c + j], wk.codes[layout.at(k, j, c)]);
                let u = 2.0 * wa - st.w[a];
                let v = 2.0 * za - st.z[a];
                let dw = (u + t * v) / den - wa;
                let dz = (v + t * u) / den - za;
                if real {
                    err += dw * dw;
                    err += dz * dz;
                }
                st.w[a] += p.beta * dw;
                st.z[a] += p.beta * dz;
            }
        }
    }
    cnt.iteration((items * ne) as u64);
    Ok(libm::sqrt(err / (items * ne) as f64))
}

/// One RRR iteration, SIMD path (lanes over items); agrees with the oracle to
/// rounding, except that updated copies below `f64::MIN_POSITIVE` in
/// magnitude (subnormal) are stored as zero. Returns RRR_err.
///
/// Each block's rows are taken as slices of lane groups once per row, so the
/// inner loops over a row's lane groups carry no index arithmetic or bounds
/// tests.
pub fn iterate(pr: &Problem, st: &mut State, wk: &mut Work, cnt: &mut Counters) -> Result<f64, NmfError> {
    iterate_split(&Alone, pr, st, wk, cnt)
}

/// [`iterate`] on the blocks `group` says this process owns: the per-block
/// weight sums, error sums and counters are reduced over the group
/// ([`exec::reduce`]) and the consensus codes shared, so that every process ends with the same
/// consensus weights and codes, RRR_err and counters, bit for bit those of
/// [`iterate`]; the copies of blocks owned elsewhere are left behind.
pub fn iterate_split<G: Group>(
    group: &G,
    pr: &Problem,
    st: &mut State,
    wk: &mut Work,
    cnt: &mut Counters,
) -> Result<f64, NmfError> {
    check(pr, st, wk, true)?;
    let Problem { shape: sh, layout, params: p, data } = *pr;
    let (ne, items, kb, nb) = (sh.edges(), layout.items(), layout.block(), layout.blocks());
    if Some(wk.sums.len()) != nb.checked_mul(ne) || wk.stats.len() != nb {
        return Err(NmfError::BufferLength);
    }
    // per-block slices; a shape without data or code nodes has empty
    // buffers (chunks of at least 1 of them are none), so no block is visited
    let (ek, dk, ck) = ((ne * kb).max(1), (sh.data * kb).max(1), (sh.rank * kb).max(1));
    // weight consensus: per edge the blocks' sums of real copies, added by
    // the block tree
    let owned = |blk: usize| group.owns(blk, nb);
    for (blk, (w, sums)) in st.w.chunks_exact(ek).zip(wk.sums.chunks_exact_mut(ne.max(1))).enumerate() {
        if owned(blk) {
            let real = layout.real(blk);
            for (s, row) in sums.iter_mut().zip(w.chunks_exact(kb)) {
                *s = simd::sum_lanes(&row[..real]);
            }
        }
    }
    exec::reduce(group, wk.sums, ne, 0, ne, exec::add_f64);
    for (s, b) in wk.weights.iter_mut().zip(wk.sums.get(..ne).unwrap_or(&[])) {
        *s = b / items as f64;
    }
    project_weights(sh, p, wk.weights, cnt);
    let blocks = st.w.chunks_exact_mut(ek).zip(st.z.chunks_exact_mut(ek));
    let per_node = data.chunks_exact(dk).zip(wk.roots.chunks_exact_mut(dk));
    let per_block = wk.codes.chunks_exact_mut(ck).zip(wk.stats.iter_mut());
    for (blk, ((w, z), ((data, roots), (codes, stats)))) in blocks.zip(per_node.zip(per_block)).enumerate() {
        if !owned(blk) {
            continue;
        }
        let mut bl = NmfBlock { sh, kb, real: layout.real(blk), weights: wk.weights, w, z, codes, data, roots };
        let (mut err, mut c) = (V::splat(0.0), Counters::default());
        // blocks of up to four lane groups (LEDM m ≤ 16) with their size
        // known to the compiler: the loops over a row's groups unrolled
        match kb {
            4 => bl.block::<4>(p, wk.acc, &mut err, &mut c),
            8 => bl.block::<8>(p, wk.acc, &mut err, &mut c),
            12 => bl.block::<12>(p, wk.acc, &mut err, &mut c),
            16 => bl.block::<16>(p, wk.acc, &mut err, &mut c),
            _ => bl.block::<0>(p, wk.acc, &mut err, &mut c),
        }
        *stats = BlockStats { err: err.reduce_add(), counters: c };
    }
    let total = BlockStats::total(group, wk.stats);
    group.share(wk.codes, ck, 0, sh.rank * kb, |_| true);
    let err = total.err;
    cnt.add(&total.counters);
    cnt.iteration((items * ne) as u64);
    Ok(libm::sqrt(err / (items * ne) as f64))
}

/// One block's slices (block-local rows of `kb` lanes) for [`iterate`].
struct NmfBlock<'a> {
    sh: &'a Shape,
    kb: usize,
    real: usize,
    weights: &'a [f64],
    w: &'a mut [f64],
    z: &'a mut [f64],
    codes: &'a mut [f64],
    data: &'a [f64],
    roots: &'a mut [f64],
}

/// A block-local row as lane groups.
#[inline(always)]
fn lanes(row: &[f64]) -> &[[f64; LANES]] {
    row.as_chunks::<LANES>().0
}

/// Mutable twin of [`lanes`].
#[inline(always)]
fn lanes_mut(row: &mut [f64]) -> &mut [[f64; LANES]] {
    row.as_chunks_mut::<LANES>().0
}

impl NmfBlock<'_> {
    /// The block's code consensus, then its rows; `K` is the block's lane
    /// count when the caller knows it (`kb`), or 0.
    #[inline(always)]
    fn block<const K: usize>(&mut self, p: &Params, acc: &mut [f64], err: &mut V, cnt: &mut Counters) {
        self.code_consensus::<K>();
        self.rows::<K>(p, acc, err, cnt);
    }

    /// Lanes of the block: `K`, or `kb` when `K` is 0.
    #[inline(always)]
    fn lanes<const K: usize>(&self) -> usize {
        if K == 0 { self.kb } else { K }
    }

    /// Set A's codes (eq. 14a): per code node `j` the mean of its copies
    /// over the data nodes (summed in data-node order), clipped at zero.
    fn code_consensus<const K: usize>(&mut self) {
        let (c, kb) = (self.sh.rank, self.lanes::<K>());
        let d = V::splat(self.sh.data as f64);
        for (j, out) in self.codes.chunks_exact_mut(kb).enumerate() {
            let out = lanes_mut(out);
            out.fill([0.0; LANES]);
            for zr in self.z.chunks_exact(kb).skip(j).step_by(c) {
                for (o, z) in out.iter_mut().zip(lanes(zr)) {
                    *o = (V::new(*o) + V::new(*z)).to_array();
                }
            }
            for o in out.iter_mut() {
                *o = (V::new(*o) / d).max(V::splat(0.0)).to_array();
            }
        }
    }

    /// Set B and the update for the block's data rows in pairs: the dot
    /// products of both rows, then their roots two lane groups per solve
    /// (eight lanes: the Newton chains overlap, with each lane's bits as
    /// alone), then the updates, adding to the error sum `err_sum`. `acc`
    /// holds p and q of row 0, p and q of row 1, then t of both rows.
    fn rows<const K: usize>(&mut self, p: &Params, acc: &mut [f64], err_sum: &mut V, cnt: &mut Counters) {
        let (c, d, kb, real) = (self.sh.rank, self.sh.data, self.lanes::<K>(), self.real);
        // the error sum in a register, not through the reference
        let mut err = *err_sum;
        let (zero, two, beta) = (V::splat(0.0), V::splat(2.0), V::splat(p.beta));
        // lane groups of the block that are all real, and the mask of the
        // partial one
        let full = real / LANES;
        let part: [f64; LANES] = core::array::from_fn(|q| if q < real % LANES { 1.0 } else { 0.0 });
        let per_row = kb / LANES;
        for i0 in (0..d).step_by(2) {
            let rows = i0..(i0 + 2).min(d);
            let (pq, tv) = acc.split_at_mut(4 * kb);
            for (r, i) in rows.clone().enumerate() {
                let (pa, qa) = pq[2 * r * kb..(2 * r + 2) * kb].split_at_mut(kb);
                let (pa, qa) = (lanes_mut(pa), lanes_mut(qa));
                pa.fill([0.0; LANES]);
                qa.fill([0.0; LANES]);
                let span = i * c * kb..(i + 1) * c * kb;
                let edges = self.w[span.clone()].chunks_exact(kb).zip(self.z[span].chunks_exact(kb));
                for ((wr, zr), (cr, &wgt)) in edges.zip(self.codes.chunks_exact(kb).zip(&self.weights[i * c..])) {
                    let w2 = V::splat(2.0 * wgt);
                    let groups = lanes(wr).iter().zip(lanes(zr)).zip(lanes(cr));
                    for ((pv, qv), ((w, z), cc)) in pa.iter_mut().zip(qa.iter_mut()).zip(groups) {
                        let u = w2 - V::new(*w);
                        let v = two * V::new(*cc) - V::new(*z);
                        *pv = (V::new(*pv) + u * v).to_array();
                        *qv = (V::new(*qv) + (u * u + v * v)).to_array();
                    }
                }
            }
            let groups = rows.len() * per_row;
            // lane group `g`: row `g / per_row`, lanes from `(g % per_row)·LANES`
            let at = |g: usize| (g / per_row, (g % per_row) * LANES);
            // lane group `g`'s dot products, data and Newton start
            let coeffs = |pq: &[f64], roots: &[f64], g: usize| {
                let (r, l) = at(g);
                let rd = (i0 + r) * kb + l;
                (load(pq, 2 * r * kb + l), load(pq, (2 * r + 1) * kb + l), load(self.data, rd), load(roots, rd))
            };
            for g in (0..groups).step_by(2) {
                let (p0, q0, c0, s0) = coeffs(pq, self.roots, g);
                // a lone last group is paired with the trivial problem (root 0)
                let (p1, q1, c1, s1) =
                    if g + 1 < groups { coeffs(pq, self.roots, g + 1) } else { (zero, V::splat(1.0), zero, zero) };
                let root = bilinear::solve_lanes8_from(
                    join(p0, p1),
                    join(q0, q1),
                    1.0,
                    f64::INFINITY,
                    join(c0, c1),
                    Safeguard::Bracket,
                    join(s0, s1),
                );
                cnt.bisections += root.bisections as u64;
                let (u, inv) = (halves(root.u), halves(root.inv));
                for h in 0..2.min(groups - g) {
                    let (r, l) = at(g + h);
                    let lanes_real = real.saturating_sub(l).min(LANES) as u64;
                    cnt.newton_solves += lanes_real;
                    cnt.newton_steps += root.steps as u64 * lanes_real;
                    cnt.newton_steps_max = cnt.newton_steps_max.max(root.steps as u64);
                    store(tv, r * kb + l, u[h]);
                    store(self.roots, (i0 + r) * kb + l, u[h]);
                    // 1/(1 - u²) in place of p, which is no longer needed
                    store(pq, 2 * r * kb + l, inv[h]);
                }
            }
            for (r, i) in rows.enumerate() {
                let (t, inv) = (lanes(&tv[r * kb..(r + 1) * kb]), lanes(&pq[2 * r * kb..(2 * r + 1) * kb]));
                let span = i * c * kb..(i + 1) * c * kb;
                let edges = self.w[span.clone()].chunks_exact_mut(kb).zip(self.z[span].chunks_exact_mut(kb));
                for ((wr, zr), (cr, &wgt)) in edges.zip(self.codes.chunks_exact(kb).zip(&self.weights[i * c..])) {
                    let wa = V::splat(wgt);
                    let groups =
                        lanes_mut(wr).iter_mut().zip(lanes_mut(zr)).zip(lanes(cr).iter().zip(t.iter().zip(inv)));
                    for (g, ((w, z), (za, (t, inv)))) in groups.enumerate() {
                        let (wv, zv, za) = (V::new(*w), V::new(*z), V::new(*za));
                        let u = two * wa - wv;
                        let v = two * za - zv;
                        let (t, inv) = (V::new(*t), V::new(*inv));
                        let dw = (u + t * v) * inv - wa;
                        let dz = (v + t * u) * inv - za;
                        // subnormal copies (those decaying towards a zero
                        // consensus) are stored as zero: BENCHMARKS.md
                        *w = flush_subnormal(wv + beta * dw).to_array();
                        *z = flush_subnormal(zv + beta * dz).to_array();
                        if g < full {
                            err += dw * dw + dz * dz;
                        } else if g == full && real % LANES > 0 {
                            err += V::new(part) * (dw * dw + dz * dz);
                        }
                    }
                }
            }
        }
        *err_sum = err;
    }
}

/// Reconstruction error (eq. 23) of the consensus `weights` and `codes` in
/// the reference order: per entry `y - Σ_j W Z`, squares summed item-major,
/// `sqrt(Σ / (|K| D))`. Returns NaN on a length mismatch.
pub fn recon_err(sh: &Shape, layout: &Layout, data: &[f64], weights: &[f64], codes: &[f64]) -> f64 {
    let (c, d, items) = (sh.rank, sh.data, layout.items());
    if Some(data.len()) != layout.len(d) || weights.len() != sh.edges() || Some(codes.len()) != layout.len(c) {
        return f64::NAN;
    }
    let mut s = 0.0;
    for k in 0..items {
        for i in 0..d {
            let mut r = data[layout.at(k, i, d)];
            for j in 0..c {
                r -= weights[i * c + j] * codes[layout.at(k, j, c)];
            }
            s += r * r;
        }
    }
    libm::sqrt(s / (items * d) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shapes without data or code nodes have no edges: both paths run
    /// without panicking and report RRR_err as 0/0.
    #[test]
    fn shapes_without_edges() {
        let layout = Layout::new(5, 8).unwrap();
        for sh in [Shape { data: 0, rank: 3 }, Shape { data: 3, rank: 0 }, Shape { data: 0, rank: 0 }] {
            let len = |rows: usize| layout.len(rows).unwrap();
            let data = std::vec![0.5; len(sh.data)];
            let (mut w, mut z) = (std::vec![0.0; len(sh.edges())], std::vec![0.0; len(sh.edges())]);
            let (mut weights, mut codes) = (std::vec![0.0; sh.edges()], std::vec![0.0; len(sh.rank)]);
            let (mut acc, mut roots) = (std::vec![0.0; 6 * layout.block()], std::vec![0.0; len(sh.data)]);
            let p = Params { beta: 0.5, gamma: 1.0, omega: 1.0 };
            let pr = Problem { shape: &sh, layout: &layout, params: &p, data: &data };
            for oracle in [false, true] {
                let mut st = State { w: &mut w, z: &mut z };
                let (sums, stats) = (
                    &mut std::vec![0.0; layout.blocks() * sh.edges()],
                    &mut std::vec![BlockStats::default(); layout.blocks()],
                );
                let mut wk =
                    Work { weights: &mut weights, codes: &mut codes, acc: &mut acc, roots: &mut roots, sums, stats };
                let mut cnt = Counters::default();
                let run = if oracle { iterate_oracle } else { iterate };
                let err = run(&pr, &mut st, &mut wk, &mut cnt).unwrap();
                assert!(err.is_nan(), "{sh:?}: {err}");
            }
        }
    }
}
