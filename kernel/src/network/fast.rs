//! The SIMD path of one network RRR iteration (eq. 26, 38 with the update
//! of eq. 3): lanes over batch items, and phases whose work is independent
//! per layout block run through an [`Executor`] (serially, or on threads by
//! the caller) with per-block results combined by the block tree of
//! [`exec::reduce`], so the result does not depend on the executor. Same mathematics as the oracle; sums
//! over items use lane-parallel partial sums and `1/(1 - u²)` is computed
//! once per (node, item), so results agree with the oracle to rounding, not
//! bit for bit.
//!
//! One sweep over the edge state per iteration: the bilinear phase reads a
//! node's in-edge rows for the dot products, solves, and updates the rows
//! while they are in cache, adding the new weight copies to the per-block
//! sums that the next iteration's weight consensus needs, then computes the
//! block's node values for the next iteration ([`run_with`]): one parallel
//! phase per iteration. Node-value sums read `x` only on edges out of
//! non-input nodes.

use super::block::{self, Block, Mask};
use super::{BlockStats, Errors, IterError, Problem, Report, State, Work, check, classes};
use crate::class::ClassMode;
use crate::consensus;
use crate::counters::Counters;
use crate::exec::{self, Alone, Executor, Group, Serial};
use crate::graph::{Net, NodeKind};
use crate::layout::Layout;
use crate::simd::Storage;

/// One RRR iteration, SIMD path, on the calling thread.
pub fn iterate<S: Storage>(
    pr: &Problem,
    st: &mut State<S>,
    wk: &mut Work,
    cnt: &mut Counters,
) -> Result<Report, IterError> {
    iterate_with(&Serial, pr, st, wk, cnt)
}

/// Work-space slices the per-block phases use.
struct Parts<'a> {
    xa: &'a mut [f64],
    ya: &'a mut [f64],
    ba: &'a mut [f64],
    xsum: &'a mut [f64],
    wsum: &'a mut [f64],
    stats: &'a mut [BlockStats],
    roots: &'a mut [f64],
}

/// The consensus weights and biases of `wk`, and the work-space slices the
/// per-block phases use.
fn parts<'a>(wk: &'a mut Work) -> (&'a [f64], &'a [f64], Parts<'a>) {
    let parts = Parts {
        xa: &mut *wk.xa,
        ya: &mut *wk.ya,
        ba: &mut *wk.ba,
        xsum: &mut *wk.xsum,
        wsum: &mut *wk.wsum,
        stats: &mut *wk.stats,
        roots: &mut *wk.roots,
    };
    (&*wk.weights, &*wk.biases, parts)
}

/// The per-block slices of the iterate and work space.
fn blocks<'a, S: Storage>(
    layout: &Layout,
    net: &Net,
    values: &'a [f64],
    st: &'a mut State<S>,
    wk: Parts<'a>,
) -> impl Iterator<Item = Block<'a, S>> + Send + 'a {
    let (kb, ek, nk) = (layout.block(), net.edges() * layout.block(), net.nodes() * layout.block());
    let ne = net.edges();
    let layout = *layout;
    st.w.chunks_mut(ek)
        .zip(st.x.chunks_mut(ek))
        .zip(st.y.chunks_mut(nk).zip(st.b.chunks_mut(nk)))
        .zip(wk.xa.chunks_mut(nk).zip(wk.ya.chunks_mut(nk)).zip(wk.ba.chunks_mut(nk)))
        .zip(values.chunks(nk).zip(wk.xsum.chunks_mut(nk)))
        .zip(wk.wsum.chunks_mut(ne + net.nodes()).zip(wk.stats.iter_mut()).zip(wk.roots.chunks_mut(nk)))
        .enumerate()
        .map(move |(blk, (((((w, x), (y, b)), ((xa, ya), ba)), (values, xsum)), ((sums, stats), roots)))| {
            let (wsum, bsum) = sums.split_at_mut(ne);
            Block { blk, real: layout.real(blk), kb, w, x, y, b, xa, ya, ba, values, xsum, wsum, bsum, stats, roots }
        })
}

/// One RRR iteration, SIMD path, with per-block phases run by `exec`. The
/// result is the same for every executor.
pub fn iterate_with<E: Executor, S: Storage>(
    exec: &E,
    pr: &Problem,
    st: &mut State<S>,
    wk: &mut Work,
    cnt: &mut Counters,
) -> Result<Report, IterError> {
    let mut last = Report { rrr_err: 0.0, selected: 0 };
    run_with(exec, pr, st, wk, cnt, (1, Errors::Every), |r| {
        last = *r;
        false
    })?;
    Ok(last)
}

/// Up to `iters` RRR iterations (`run` is `(iters, errors)`), SIMD path, per-block phases run by `exec`:
/// `each` receives every iteration's report and returns whether to go on;
/// `errors` says which reports carry RRR_err (the others NaN). Returns the
/// number of iterations done. The iterate does not depend on `errors`.
///
/// The first iteration sums the weight copies in a sweep of its own; each
/// later one takes the sums its predecessor accumulated while it updated the
/// copies, so the edge state is swept once per iteration. Node values (the
/// non-class part of P_A) are likewise computed per block right after the
/// block's update, so an iteration has one parallel phase. Either way the
/// bits are the same: `n` iterations here equal `n` calls of
/// [`iterate_with`], for every executor. After `iters` iterations the work
/// space holds the A-values of the last iteration, as after
/// [`iterate_with`]; after a run that `each` stopped early, `wk.xa`, `ya`,
/// `ba` hold the node values of the final iterate (class nodes: of the last
/// iteration).
pub fn run_with<E: Executor, S: Storage, F: FnMut(&Report) -> bool>(
    exec: &E,
    pr: &Problem,
    st: &mut State<S>,
    wk: &mut Work,
    cnt: &mut Counters,
    run: (usize, Errors),
    each: F,
) -> Result<usize, IterError> {
    run_split(exec, &Alone, pr, st, wk, cnt, run, each)
}

/// [`run_with`] on the blocks `group` says this process owns, the per-block
/// results shared with the group's other processes after every phase: the
/// consensus sums (`wk.wsum`), the block statistics and the class nodes'
/// `y` and `b` (the class step sees every item). Every process of the group
/// runs the same call on the same batch and ends with the same consensus,
/// reports and counters, bit for bit those of [`run_with`]; the iterate of
/// blocks owned elsewhere is left behind (but for the class rows).
#[allow(clippy::too_many_arguments)]
pub fn run_split<E: Executor, G: Group, S: Storage, F: FnMut(&Report) -> bool>(
    exec: &E,
    group: &G,
    pr: &Problem,
    st: &mut State<S>,
    wk: &mut Work,
    cnt: &mut Counters,
    (iters, errors): (usize, Errors),
    mut each: F,
) -> Result<usize, IterError> {
    check(pr, st, wk, true)?;
    let Problem { net, layout, params: p, batch } = *pr;
    let nblocks = layout.blocks();
    if net.edges() > 0 && iters > 0 {
        let (items, codes) = (layout.items(), batch.code_items);
        let owned = blocks(layout, net, batch.values, st, parts(wk).2).filter(|bl| group.owns(bl.blk, nblocks));
        exec.run(owned, |mut bl| {
            block::weight_sums(&mut bl);
            block::node_sums(net, &mut bl);
            block::node_values(net, p, items, codes, &mut bl);
        });
    }
    for done in 1..=iters {
        let want_err = errors == Errors::Every || done == iters;
        let rep = one(exec, group, pr, st, wk, cnt, done < iters, want_err);
        if !each(&rep) {
            return Ok(done);
        }
    }
    Ok(iters)
}

/// Shares the class nodes' rows of `y` and `b` (runs of consecutive class
/// nodes one segment each) after a block phase, when the class step ranks
/// the items of the whole batch (exemptions, relabelling, false-positive
/// allowance). Plain labels and real targets project each item alone: a
/// process then needs only its own items' rows, and what it computes for
/// the others' is never read (their bias sums come from their owners,
/// their labels are their own).
fn share_class_rows<G: Group, S: Storage>(group: &G, pr: &Problem, st: &mut State<S>) {
    let Problem { net, layout, params: p, .. } = *pr;
    if matches!(p.class_mode, ClassMode::Plain | ClassMode::Targets) {
        return;
    }
    let (n, kb) = (net.nodes(), layout.block());
    let mut i = 0;
    while i < n {
        if net.kind(i) != NodeKind::Class {
            i += 1;
            continue;
        }
        let first = i;
        while i < n && net.kind(i) == NodeKind::Class {
            i += 1;
        }
        group.share(st.y, n * kb, first * kb, (i - first) * kb, |_| true);
        group.share(st.b, n * kb, first * kb, (i - first) * kb, |_| true);
    }
}

/// One iteration whose weight sums `wk.wsum` and node A-values (`wk.xa`,
/// `ya`, `ba` but for class nodes) are those of `st`; leaves the sums of the
/// updated iterate, and with `next` its node A-values too. RRR_err is NaN
/// unless `want_err`.
#[allow(clippy::too_many_arguments)]
fn one<E: Executor, G: Group, S: Storage>(
    exec: &E,
    group: &G,
    pr: &Problem,
    st: &mut State<S>,
    wk: &mut Work,
    cnt: &mut Counters,
    next: bool,
    want_err: bool,
) -> Report {
    let Problem { net, layout, params: p, batch } = *pr;
    let (n, ne, items) = (net.nodes(), net.edges(), layout.items());
    if ne == 0 {
        return Report { rrr_err: 0.0, selected: 0 };
    }
    let kf = items as f64;
    let kb = layout.block();

    // The class step (set A's class nodes; it reads only y and b), then
    // the class nodes' bias sums per block (the other nodes' came with the
    // node values), then the per-block consensus sums reduced over blocks
    // by the tree of `exec::reduce`.
    let selected = classes::project(pr, st.y, st.b, wk);
    for blk in 0..layout.blocks() {
        let m = Mask::new(layout.real(blk));
        let (at, sums) = (layout.row(blk, 0, n), ne + blk * (ne + n));
        for i in (0..n).filter(|&i| net.kind(i) == NodeKind::Class) {
            let rows = at + i * kb..at + (i + 1) * kb;
            let (ba, b) = (wk.ba.get(rows.clone()).unwrap_or(&[]), st.b.get(rows).unwrap_or(&[]));
            if let Some(s) = wk.wsum.get_mut(sums + i) {
                *s = block::bias_sum(&m, ba, b);
            }
        }
    }
    exec::reduce(group, wk.wsum, ne + n, 0, ne + n, exec::add_f64);
    // Set A: weight consensus on the sphere. Set B: bias consensus.
    for (w, s) in wk.weights.iter_mut().zip(wk.wsum.get(..ne).unwrap_or(&[])) {
        *w = s / kf;
    }
    for i in 0..n {
        if net.kind(i) != NodeKind::Input {
            consensus::sphere(&mut wk.weights[net.in_edges(i)], p.omega);
        }
    }
    for (bi, s) in wk.biases.iter_mut().zip(wk.wsum.get(ne..ne + n).unwrap_or(&[])) {
        *bi = s / kf;
    }
    // Set B: bilinear projection and update, per block; the update leaves
    // the next iteration's weight sums, and the block's node values for the
    // next iteration follow while its rows are in cache.
    let (weights, biases, bw) = parts(wk);
    let nblocks = layout.blocks();
    let owned = blocks(layout, net, batch.values, st, bw).filter(|bl| group.owns(bl.blk, nblocks));
    exec.run(owned, |mut bl| {
        block::bilinear(net, p, weights, biases, want_err, &mut bl);
        if next {
            block::node_values(net, p, items, batch.code_items, &mut bl);
        }
    });
    let total = BlockStats::total(group, wk.stats);
    share_class_rows(group, pr, st);
    let err = total.err;
    cnt.add(&total.counters);
    cnt.iteration((items * ne) as u64);
    cnt.node_ops += (items * n) as u64;
    Report { rrr_err: if want_err { libm::sqrt(err / kf) } else { f64::NAN }, selected }
}
