//! Network RRR iterations on a layered classifier (1–3 inputs, 1–3 hidden,
//! 1–3 class nodes), 1–20 items in blocks of 4, 8 or 16, every activation and class
//! mode: `iterate` and `iterate_oracle` never panic and return `Ok` (or
//! `NotTwoClasses` for the false-positive allowance without two classes);
//! three iterations in one `run_with` (weight and node sums carried between
//! iterations) on an executor that runs the blocks in reverse order give the
//! bits of three calls of `iterate`; for finite state with `|v| < 1e6` and moderate
//! parameters RRR_err stays finite for three iterations; for state on a grid
//! of multiples of 1/16 the SIMD path agrees with the oracle after the first
//! iteration within `1e-6 · max(1, |value|)` unless a bilinear solve is
//! ill-conditioned. With the edge state stored as f32, a run of three
//! iterations gives the bits of three f64 iterations each followed by
//! rounding `w`, `x` to f32 (NaNs: NaN on both).
#![no_main]
#[path = "common.rs"]
mod common;

use common::Bytes;
use libfuzzer_sys::fuzz_target;
use lwl_kernel::activation::Activation;
use lwl_kernel::bilinear::{Coeffs, Safeguard, solve};
use lwl_kernel::class::ClassMode;
use lwl_kernel::counters::Counters;
use lwl_kernel::exec::{Executor, Serial};
use lwl_kernel::graph::{Net, NodeKind, build_out_lists};
use lwl_kernel::layout::Layout;
use lwl_kernel::network::{
    Batch, BlockStats, Errors, IterError, Params, Problem, Report, Sizes, State, Work, iterate, iterate_oracle,
    run_with,
};

/// Iterate, batch and work buffers (as `lwl_runners::engine::NetBuffers`).
#[derive(Clone, Debug)]
struct Bufs {
    f: [Vec<f64>; 14], // w x y b values weights biases xa ya ba xsum scratch wsum roots
    labels: Vec<u32>,
    used: Vec<u32>,
    stats: Vec<BlockStats>,
}

/// Runs the per-block tasks in reverse order: results must not change.
struct Reverse;

impl Executor for Reverse {
    fn run<T: Send, I: Iterator<Item = T> + Send, F: Fn(T) + Sync + Send>(&self, tasks: I, f: F) {
        tasks.collect::<Vec<T>>().into_iter().rev().for_each(f);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Path {
    Fast,
    Reversed,
    Oracle,
}

impl Bufs {
    /// `iters` iterations: single calls on the fast and oracle paths, one
    /// run (sums carried between iterations) on the reversed executor.
    fn run(
        &mut self,
        net: &Net,
        layout: &Layout,
        p: &Params,
        path: Path,
        iters: usize,
    ) -> Result<Vec<Report>, IterError> {
        let [w, x, y, b, values, weights, biases, xa, ya, ba, xsum, scratch, wsum, roots] = &mut self.f;
        let batch = Batch { values, labels: &self.labels, code_items: 0 };
        let pr = Problem { net, layout, params: p, batch };
        let mut st = State { w, x, y, b };
        let (used_label, stats) = (&mut self.used, &mut self.stats);
        let mut wk = Work { weights, biases, xa, ya, ba, xsum, wsum, stats, roots, scratch, used_label };
        let cnt = &mut Counters::default();
        let mut reports = Vec::new();
        match path {
            Path::Fast => (0..iters).try_for_each(|_| Ok(reports.push(iterate(&pr, &mut st, &mut wk, cnt)?)))?,
            Path::Reversed => {
                run_with(&Reverse, &pr, &mut st, &mut wk, cnt, (iters, Errors::Every), |r| {
                    reports.push(*r);
                    true
                })?;
            }
            Path::Oracle => {
                (0..iters).try_for_each(|_| Ok(reports.push(iterate_oracle(&pr, &mut st, &mut wk, cnt)?)))?
            }
        }
        Ok(reports)
    }

    /// `iters` iterations in one run with `w`, `x` stored as f32 (taken from
    /// and written back to `f[0]`, `f[1]`).
    fn run32(&mut self, net: &Net, layout: &Layout, p: &Params, iters: usize) -> Result<Vec<Report>, IterError> {
        let narrow = |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<f32>>();
        let (mut w, mut x) = (narrow(&self.f[0]), narrow(&self.f[1]));
        let [_, _, y, b, values, weights, biases, xa, ya, ba, xsum, scratch, wsum, roots] = &mut self.f;
        let batch = Batch { values, labels: &self.labels, code_items: 0 };
        let pr = Problem { net, layout, params: p, batch };
        let mut st = State { w: &mut w, x: &mut x, y, b };
        let (used_label, stats) = (&mut self.used, &mut self.stats);
        let mut wk = Work { weights, biases, xa, ya, ba, xsum, wsum, stats, roots, scratch, used_label };
        let mut reports = Vec::new();
        let cnt = &mut Counters::default();
        run_with(&Serial, &pr, &mut st, &mut wk, cnt, (iters, Errors::Every), |r| {
            reports.push(*r);
            true
        })?;
        self.f[0] = w.iter().map(|&v| f64::from(v)).collect();
        self.f[1] = x.iter().map(|&v| f64::from(v)).collect();
        Ok(reports)
    }

    /// Rounds `w`, `x` to f32 values.
    fn round_edges(&mut self) {
        for v in self.f[..2].iter_mut().flatten() {
            *v = f64::from(*v as f32);
        }
    }
}

/// The paths round differently (FMA, sum order, `1/(1-u²)`), which the
/// bilinear solve amplifies when `x` is nearly `±w` (`q ≈ 2|p|`) or the root
/// is near ±1: recomputes the oracle's solves from the state `before` and
/// the oracle's A-values in `after`, and rejects either case.
fn well_conditioned(net: &Net, layout: &Layout, p: &Params, before: &Bufs, after: &Bufs) -> bool {
    let (n, ne) = (net.nodes(), net.edges());
    let [w, x, y, ..] = &before.f;
    let (weights, xa, ya) = (&after.f[5], &after.f[7], &after.f[8]);
    (0..layout.lanes()).all(|k| {
        (0..n).filter(|&i| net.kind(i) != NodeKind::Input).all(|i| {
            let (mut pp, mut qq) = (0.0, 0.0);
            for e in net.in_edges(i) {
                let wr = 2.0 * weights[e] - w[layout.at(k, e, ne)];
                let xr = 2.0 * xa[layout.at(k, net.src(e), n)] - x[layout.at(k, e, ne)];
                (pp, qq) = (pp + wr * xr, qq + (wr * wr + xr * xr));
            }
            let g2 = if net.kind(i) == NodeKind::Class { p.upsilon } else { net.outdeg(i) as f64 };
            let at = layout.at(k, i, n);
            let c = p.omega * (2.0 * ya[at] - y[at]);
            let u = solve(&Coeffs { p: pp, q: qq, omega2: p.omega * p.omega, g2, c }, Safeguard::Midpoint).u;
            qq - 2.0 * pp.abs() > 1e-3 * qq && 1.0 - u * u > 1e-3
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let mut r = Bytes(data);
    let (shape, cfg, mode) = (r.u8() as usize, r.u8(), r.u8());
    let (ni, nh, nc) = (1 + shape % 3, 1 + shape / 3 % 3, 1 + shape / 9 % 3);
    let kinds: Vec<NodeKind> = [(NodeKind::Input, ni), (NodeKind::Hidden, nh), (NodeKind::Class, nc)]
        .iter()
        .flat_map(|&(k, c)| std::iter::repeat_n(k, c))
        .collect();
    let (mut in_start, mut src) = (vec![0u32; ni + 1], vec![]);
    for i in ni..kinds.len() {
        let from = if i < ni + nh { 0..ni as u32 } else { ni as u32..(ni + nh) as u32 };
        src.extend(from);
        in_start.push(src.len() as u32);
    }
    let (mut out_start, mut out_edge) = (vec![0; kinds.len() + 1], vec![0; src.len()]);
    build_out_lists(kinds.len(), &in_start, &src, &mut out_start, &mut out_edge).unwrap();
    let net = Net::new(&kinds, &in_start, &src, &out_start, &out_edge).unwrap();
    // blocks of 16 are one chunk of the sweep (its compile-time-sized path;
    // 16 to 20 items fill the first block)
    let items = r.u8() as usize;
    let block = if cfg & 1 == 0 {
        4
    } else if items >= 128 {
        16
    } else {
        8
    };
    let layout = Layout::new(1 + items % 20, block).unwrap();
    let activation = match cfg >> 1 & 3 {
        0 => Activation::Relu,
        1 => Activation::Step { width: r.unit() },
        2 => Activation::Zigmoid { width: r.unit() },
        _ => Activation::Soft { tau: r.unit() },
    };
    let budget = (mode >> 2) as usize % 4;
    let modes = [
        ClassMode::Plain,
        ClassMode::Exempt(budget),
        ClassMode::Relabel(budget),
        ClassMode::FalsePositive(budget),
        ClassMode::Targets,
    ];
    let class_mode = modes[(mode as usize & 3) + usize::from(mode & 0x10 != 0 && mode & 3 == 0) * 4];
    let (beta, omega, upsilon, margin) = (0.05 + 0.95 * r.unit(), 0.1 + 4.0 * r.unit(), 0.1 + 4.0 * r.unit(), r.unit());
    let p = Params { beta, gamma: 1.0, omega, upsilon, margin, activation, class_mode };
    // values: raw bit patterns; finite |v| < 1e6; or multiples of 1/16 in
    // [-16, 16], whose item sums are exact in any order
    let (raw, grid) = (cfg & 0x80 != 0, cfg & 0x40 != 0);
    let s = Sizes::new(&net, &layout).unwrap();
    let lens = [
        s.edge, s.edge, s.node, s.node, s.node, s.weights, s.biases, s.node, s.node, s.node, s.xsum, s.scratch, s.wsum,
        s.node,
    ];
    let mut val = || match r.f64() {
        v if raw => v,
        v if grid => (v.to_bits() % 513) as f64 / 16.0 - 16.0,
        v if v.is_finite() => v % 1e6,
        _ => 0.0,
    };
    let f = lens.map(|l| (0..l).map(|_| val()).collect::<Vec<f64>>());
    let labels = (0..s.items).map(|_| r.u8() as u32 % nc as u32).collect();
    let mut fast = Bufs { f, labels, used: vec![0; s.items], stats: vec![BlockStats::default(); s.blocks] };
    let (mut oracle, mut reversed, before) = (fast.clone(), fast.clone(), fast.clone());
    let carried = reversed.run(&net, &layout, &p, Path::Reversed, 3);
    let (mut narrow, mut twin) = (before.clone(), before.clone());
    let run32 = narrow.run32(&net, &layout, &p, 3);
    twin.round_edges();
    let singles: Result<Vec<Report>, IterError> = (0..3)
        .map(|_| {
            let r = twin.run(&net, &layout, &p, Path::Fast, 1).map(|r| r[0]);
            twin.round_edges();
            r
        })
        .collect();
    let same = |x: f64, y: f64| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan());
    match (&run32, &singles) {
        (Ok(a), Ok(b)) => {
            let reports = a.iter().zip(b).all(|(a, b)| same(a.rrr_err, b.rrr_err) && a.selected == b.selected);
            let state = (0..10).all(|j| narrow.f[j].iter().zip(&twin.f[j]).all(|(&x, &y)| same(x, y)));
            assert!(reports && state && narrow.used == twin.used, "f32 run differs from rounded f64 iterations");
        }
        (a, b) => assert!(a == b, "f32 {a:?}, f64 {b:?}"),
    }
    for it in 0..3 {
        let (a, b) = (fast.run(&net, &layout, &p, Path::Fast, 1), oracle.run(&net, &layout, &p, Path::Oracle, 1));
        let c = carried.clone().map(|c| c[it]);
        if matches!(class_mode, ClassMode::FalsePositive(_)) && nc != 2 {
            let refused = Err(IterError::NotTwoClasses);
            assert!(a == refused && b == refused && carried == refused);
            return;
        }
        let (a, b) = (a.unwrap()[0], b.unwrap()[0]);
        let same_report = c.is_ok_and(|c| c.rrr_err.to_bits() == a.rrr_err.to_bits() && c.selected == a.selected);
        assert!(same_report, "one run in reversed block order changed the result");
        if raw {
            continue;
        }
        assert!(a.rrr_err.is_finite() && b.rrr_err.is_finite(), "iteration {it}: {a:?} {b:?}");
        if it == 0 && grid && well_conditioned(&net, &layout, &p, &before, &oracle) {
            let close = |x: f64, y: f64| (x - y).abs() <= 1e-6 * x.abs().max(y.abs()).max(1.0);
            let bufs =
                (0..10).filter(|&j| j != 4).all(|j| fast.f[j].iter().zip(&oracle.f[j]).all(|(&x, &y)| close(x, y)));
            let same = bufs && close(a.rrr_err, b.rrr_err) && a.selected == b.selected && fast.used == oracle.used;
            assert!(same, "{a:?} {b:?}\n{fast:?}\n{oracle:?}");
        }
    }
    // the iterate, the A-values and the labels after three iterations
    let bits = |x: &[f64], y: &[f64]| x.iter().zip(y).all(|(x, y)| x.to_bits() == y.to_bits());
    let same_bits = (0..10).all(|j| bits(&fast.f[j], &reversed.f[j])) && fast.used == reversed.used;
    assert!(same_bits, "one run in reversed block order changed the iterate");
});
