//! Whole iterations: fast path vs oracle, layouts (section 3). For whole
//! network and NMF iterations the fast path agrees with the oracle for every
//! batch size and layout, and the oracle is layout-independent bit for bit.

use lwl_kernel::class::{self, ClassMode};
use lwl_kernel::graph::{Net, NodeKind};
use lwl_kernel::layout::Layout;
use lwl_kernel::network::{Params, Report};
use lwl_kernel::nmf;
use lwl_kernel::simd::LANES;
use lwl_runners::engine::{Method, NetBuffers, NmfBuffers};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::fixtures::{NetCase, net_params};
use crate::support::{Rng, TestResult, close, config, naive_largest, same_bits};

/// How two runs must agree.
#[derive(Clone, Copy, Debug)]
enum Agree {
    /// Within `1e-9 · max(1, |v|)`.
    Close,
    /// Bit for bit.
    Bits,
}

impl Agree {
    fn ok(self, got: f64, want: f64) -> bool {
        match self {
            Agree::Close => close(got, want, 1e-9),
            Agree::Bits => same_bits(got, want),
        }
    }
}

fn check_slices(got: &[f64], want: &[f64], agree: Agree, what: &str) -> TestResult {
    prop_assert_eq!(got.len(), want.len(), "{}: length", what);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        prop_assert!(agree.ok(*g, *w), "{} [{}]: got {:e}, want {:e} ({:?})", what, i, g, w, agree);
    }
    Ok(())
}

/// Item counts `1..=3·LANES+1` and the three layouts of each.
fn layouts() -> Vec<(usize, Layout)> {
    (1..=3 * LANES + 1)
        .flat_map(|k| {
            [Layout::batch_innermost(k).unwrap(), Layout::new(k, 4).unwrap(), Layout::new(k, 8).unwrap()]
                .map(move |l| (k, l))
        })
        .collect()
}

/// Every state variable of item `k`: `w`, `x` per edge, `y`, `b` per node.
fn net_item_state(buf: &NetBuffers, edges: usize, nodes: usize, k: usize) -> Vec<f64> {
    let l = &buf.layout;
    let (w, x) = buf.edges.widened();
    let mut v: Vec<f64> = (0..edges).flat_map(|e| [w[l.at(k, e, edges)], x[l.at(k, e, edges)]]).collect();
    v.extend((0..nodes).flat_map(|i| [buf.y[l.at(k, i, nodes)], buf.b[l.at(k, i, nodes)]]));
    v
}

/// Results of one iteration and every real item's state agree.
fn check_net_agree(got: (&NetBuffers, &Report), want: (&NetBuffers, &Report), agree: Agree, ctx: &str) -> TestResult {
    let (g, w) = (got.0, want.0);
    let items = w.layout.items();
    let (edges, nodes) = (w.weights.len(), w.biases.len());
    prop_assert!(
        agree.ok(got.1.rrr_err, want.1.rrr_err),
        "{}: rrr_err {:e} vs {:e}",
        ctx,
        got.1.rrr_err,
        want.1.rrr_err
    );
    prop_assert_eq!(got.1.selected, want.1.selected, "{}: selected", ctx);
    prop_assert_eq!(&g.used_label, &w.used_label, "{}: used labels", ctx);
    check_slices(&g.weights, &w.weights, agree, &format!("{ctx}: weights"))?;
    check_slices(&g.biases, &w.biases, agree, &format!("{ctx}: biases"))?;
    for k in 0..items {
        let (a, b) = (net_item_state(g, edges, nodes, k), net_item_state(w, edges, nodes, k));
        check_slices(&a, &b, agree, &format!("{ctx}: item {k} state (w, x per edge; y, b per node)"))?;
    }
    Ok(())
}

/// `a` and `b` are equal up to the rounding differences of the two paths.
fn near_tie(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-10 + 1e-8 * a.abs().max(b.abs())
}

/// Whether the exemption or relabelling choice of the next iteration, made
/// from the state in `buf`, hangs on a near-tie: several items at the
/// threshold `T`, `T` near 0, or two nearest labels of an item. The rule is
/// discontinuous there, so paths that differ by rounding may choose
/// differently (items whose hidden nodes are all inactive give exact ties).
fn selection_tie(net: &Net, p: &Params, buf: &NetBuffers) -> bool {
    let (ee, relabel) = match p.class_mode {
        ClassMode::Exempt(ee) => (ee, false),
        ClassMode::Relabel(ee) => (ee, true),
        _ => return false,
    };
    let n = net.nodes();
    let class_nodes: Vec<usize> = (0..n).filter(|&i| net.kind(i) == NodeKind::Class).collect();
    let mut d = Vec::new();
    for k in 0..buf.layout.items() {
        let yb = |c: usize| {
            let at = buf.layout.at(k, class_nodes[c], n);
            (buf.y[at], buf.b[at])
        };
        let dist: Vec<f64> =
            (0..class_nodes.len()).map(|c| class::item_distance(class_nodes.len(), yb, p.margin, c)).collect();
        let own = dist[buf.labels[k] as usize];
        if relabel {
            let best = dist.iter().cloned().fold(f64::INFINITY, f64::min);
            if dist.iter().filter(|&&x| near_tie(x, best)).count() > 1 {
                return true;
            }
            d.push(own - best);
        } else {
            d.push(own);
        }
    }
    let Some(t) = naive_largest(&d, ee) else { return false };
    near_tie(t, 0.0) || d.iter().filter(|&&x| near_tie(x, t)).count() > 1
}

/// Copies the state of every real item from `from` into `to` (any layouts).
fn resync(to: &mut NetBuffers, from: &NetBuffers) {
    let (edges, nodes) = (from.weights.len(), from.biases.len());
    let (lt, lf) = (to.layout, from.layout);
    let (w, x) = from.edges.widened();
    for k in 0..lf.items() {
        for e in 0..edges {
            let at = lf.at(k, e, edges);
            to.edges.set(lt.at(k, e, edges), w[at], x[at]);
        }
        for i in 0..nodes {
            to.y[lt.at(k, i, nodes)] = from.y[lf.at(k, i, nodes)];
            to.b[lt.at(k, i, nodes)] = from.b[lf.at(k, i, nodes)];
        }
    }
}

/// Five iterations of the fast path in `layout` and of the oracle in
/// `layout` against the oracle in the batch-innermost layout. Before an
/// iteration whose selection hangs on a near-tie the fast path restarts from
/// the oracle's state (the oracles need no such help: they must agree bit
/// for bit). Returns the number of such restarts.
fn check_net_run(case: &NetCase, layout: Layout, mode: ClassMode) -> Result<usize, TestCaseError> {
    let net = case.spec.net().unwrap();
    let p = net_params(mode);
    let items = layout.items();
    let mut reference = case.buffers(Layout::batch_innermost(items).unwrap(), &p);
    let mut fast = case.buffers(layout, &p);
    let mut oracle = case.buffers(layout, &p);
    let mut restarts = 0;
    for it in 1..=5 {
        let ctx = format!("K={items} block={} {mode:?} iteration {it}", layout.block());
        if selection_tie(&net, &p, &reference) {
            resync(&mut fast, &reference);
            restarts += 1;
        }
        let rr = reference.iterate(&net, &p, Method::Oracle).unwrap();
        let rf = fast.iterate(&net, &p, Method::Simd).unwrap();
        let ro = oracle.iterate(&net, &p, Method::Oracle).unwrap();
        check_net_agree((&fast, &rf), (&reference, &rr), Agree::Close, &format!("fast vs oracle, {ctx}"))?;
        check_net_agree((&oracle, &ro), (&reference, &rr), Agree::Bits, &format!("oracle layouts, {ctx}"))?;
        prop_assert_eq!(oracle.counters, reference.counters, "oracle counters, {}", ctx);
    }
    Ok(restarts)
}

/// A random NMF batch: data in `[0, 1]`, weight and code copies.
struct NmfCase {
    shape: nmf::Shape,
    data: Vec<Vec<f64>>,
    w: Vec<Vec<f64>>,
    z: Vec<Vec<f64>>,
    params: nmf::Params,
}

impl NmfCase {
    fn random(items: usize, rng: &mut Rng) -> Self {
        // an odd number of data rows leaves the fast path's last row unpaired
        let shape = nmf::Shape { data: 3 + rng.below(3), rank: 3 };
        let e = shape.edges();
        let rows = |rng: &mut Rng, n: usize| -> Vec<Vec<f64>> {
            (0..items).map(|_| (0..n).map(|_| rng.unit()).collect()).collect()
        };
        let data = rows(rng, shape.data);
        let w = rows(rng, e);
        let z = rows(rng, e);
        let params = nmf::Params { beta: 0.3 + 0.7 * rng.unit(), gamma: 1.0, omega: 0.5 + 1.5 * rng.unit() };
        Self { shape, data, w, z, params }
    }

    fn buffers(&self, layout: Layout) -> NmfBuffers {
        let (d, e) = (self.shape.data, self.shape.edges());
        let mut buf = NmfBuffers::new(self.shape, layout).unwrap();
        for k in 0..self.data.len() {
            for i in 0..d {
                buf.data[layout.at(k, i, d)] = self.data[k][i];
            }
            for j in 0..e {
                buf.w[layout.at(k, j, e)] = self.w[k][j];
                buf.z[layout.at(k, j, e)] = self.z[k][j];
            }
        }
        buf
    }
}

/// Item `k`'s copies `w`, `z` per edge and its consensus codes.
fn nmf_item_state(buf: &NmfBuffers, k: usize) -> Vec<f64> {
    let (l, e, c) = (&buf.layout, buf.shape.edges(), buf.shape.rank);
    let mut v: Vec<f64> = (0..e).flat_map(|j| [buf.w[l.at(k, j, e)], buf.z[l.at(k, j, e)]]).collect();
    v.extend((0..c).map(|j| buf.codes[l.at(k, j, c)]));
    v
}

fn check_nmf_agree(got: (&NmfBuffers, f64), want: (&NmfBuffers, f64), agree: Agree, ctx: &str) -> TestResult {
    prop_assert!(agree.ok(got.1, want.1), "{}: rrr_err {:e} vs {:e}", ctx, got.1, want.1);
    check_slices(&got.0.weights, &want.0.weights, agree, &format!("{ctx}: weights"))?;
    for k in 0..want.0.layout.items() {
        check_slices(&nmf_item_state(got.0, k), &nmf_item_state(want.0, k), agree, &format!("{ctx}: item {k}"))?;
    }
    Ok(())
}

fn check_nmf_run(case: &NmfCase, layout: Layout) -> TestResult {
    let items = layout.items();
    let mut reference = case.buffers(Layout::batch_innermost(items).unwrap());
    let mut fast = case.buffers(layout);
    let mut oracle = case.buffers(layout);
    for it in 1..=5 {
        let ctx = format!("K={items} block={} iteration {it}", layout.block());
        let er = reference.iterate(&case.params, Method::Oracle).unwrap();
        let ef = fast.iterate(&case.params, Method::Simd).unwrap();
        let eo = oracle.iterate(&case.params, Method::Oracle).unwrap();
        check_nmf_agree((&fast, ef), (&reference, er), Agree::Close, &format!("fast vs oracle, {ctx}"))?;
        check_nmf_agree((&oracle, eo), (&reference, er), Agree::Bits, &format!("oracle layouts, {ctx}"))?;
        prop_assert_eq!(oracle.counters, reference.counters, "oracle counters, {}", ctx);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    /// Classifier 5-4-3, every class mode, every batch size and layout,
    /// five iterations each.
    #[test]
    fn network_iterations_fast_oracle_layouts(seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let (mut restarts, mut tie_prone) = (0, 0);
        for (items, layout) in layouts() {
            let case = NetCase::random(&[5, 4, 3], items, 2.0, &mut rng);
            for mode in [ClassMode::Plain, ClassMode::Exempt(1), ClassMode::Relabel(1), ClassMode::Targets] {
                restarts += check_net_run(&case, layout, mode)?;
                tie_prone += if matches!(mode, ClassMode::Plain | ClassMode::Targets) { 0 } else { 5 };
            }
        }
        // Restarts are the exception (about 5 %), not the rule.
        prop_assert!(4 * restarts <= tie_prone, "{} restarts in {} iterations", restarts, tie_prone);
    }

    /// NMF, D = 3, 4 or 5, rank 3, every batch size and layout, five
    /// iterations each; also one block of 20 lanes (the SIMD path's general
    /// code: blocks up to 16 lanes are compiled with their size known).
    #[test]
    fn nmf_iterations_fast_oracle_layouts(seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let wide = (1..=20).map(|k| (k, Layout::new(k, 20).unwrap()));
        for (items, layout) in layouts().into_iter().chain(wide) {
            check_nmf_run(&NmfCase::random(items, &mut rng), layout)?;
        }
    }
}
