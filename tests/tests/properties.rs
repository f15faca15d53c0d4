//! Property tests of the kernel (proptest, fixed case counts):
//!
//! 1. every projection lands in its set, is idempotent and is not beaten by
//!    any sampled point of the set; the selection rules equal naive
//!    sort-based implementations;
//! 2. every SIMD kernel equals its scalar twin bit for bit per lane;
//! 3. whole network and NMF iterations: the fast path agrees with the oracle
//!    for every batch size and layout, and the oracle is layout-independent
//!    bit for bit;
//! 4. degenerate input never panics and gives a finite result or a
//!    documented status.
//!
//! Run with `cargo test -p lwl-tests --release --test properties`.

use lwl_kernel::activation::{self, Activation};
use lwl_kernel::bilinear::{self, Coeffs, NEWTON_EPS, NEWTON_ITER, Root, Safeguard, Status};
use lwl_kernel::class::{self, ClassMode};
use lwl_kernel::consensus;
use lwl_kernel::layout::{Layout, PREFERRED_BLOCK};
use lwl_kernel::net::{Net, NodeKind};
use lwl_kernel::network::{Params, Report};
use lwl_kernel::nmf;
use lwl_kernel::simd::{self, LANES, V, V8};
use lwl_runners::engine::{NetBuffers, NmfBuffers, Path};
use lwl_runners::netfile::NetSpec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

// ===========================================================================
// Configuration and shared helpers
// ===========================================================================

type TestResult = Result<(), TestCaseError>;

/// A fixed number of cases, nothing written to disk.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// SplitMix64: samples candidate points inside a case (seeded by proptest).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform in `[-1, 1)`.
    fn sym(&mut self) -> f64 {
        2.0 * self.unit() - 1.0
    }
    /// Uniform index below `n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// `n` values uniform in `[-scale, scale)`.
    fn vec(&mut self, n: usize, scale: f64) -> Vec<f64> {
        (0..n).map(|_| scale * self.sym()).collect()
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm2(a: &[f64]) -> f64 {
    dot(a, a)
}

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// `a + s r`.
fn axpy(a: &[f64], s: f64, r: &[f64]) -> Vec<f64> {
    a.iter().zip(r).map(|(x, y)| x + s * y).collect()
}

/// `|got - want| ≤ tol · max(1, |want|)`.
fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol * want.abs().max(1.0)
}

/// Same bits; any two NaNs count as equal (their payload is not specified).
fn same_bits(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Moderate coordinates with some exact zeros and ties on a 0.25 grid.
fn coord() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -3.0..3.0f64,
        1 => Just(0.0),
        2 => (-12i32..=12).prop_map(|i| f64::from(i) * 0.25),
    ]
}

/// Like [`coord`], with signed zeros, infinities, NaN and huge values.
fn special() -> impl Strategy<Value = f64> {
    prop_oneof![
        12 => coord(),
        1 => Just(-0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(1e300),
        1 => Just(-1e-300),
    ]
}

/// A log-uniform magnitude in `[10^lo, 10^hi)`.
fn magnitude(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (lo..hi).prop_map(|e| 10f64.powf(e))
}

/// Two vectors of equal length `1..=12`.
fn vec_pair() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (1usize..=12).prop_flat_map(|n| (prop::collection::vec(-3.0..3.0f64, n), prop::collection::vec(-3.0..3.0f64, n)))
}

/// `LANES` values of a strategy.
fn lane_vec<S: Strategy>(s: S) -> impl Strategy<Value = Vec<S::Value>> {
    prop::collection::vec(s, LANES)
}

/// Lane values as a SIMD vector.
fn lanes(v: &[f64]) -> V {
    V::new(core::array::from_fn(|l| v[l]))
}

/// A lane mask (all bits set for `true`), as the kernel's comparisons make.
fn mask(b: &[bool]) -> V {
    V::new(core::array::from_fn(|l| if b[l] { f64::from_bits(u64::MAX) } else { 0.0 }))
}

// ===========================================================================
// 1a. Bilinear projection (eq. 19/52): network form and NMF form
// ===========================================================================

/// A point `(x, w, y)` of the bilinear problem.
#[derive(Clone, Debug)]
struct BiPoint {
    x: Vec<f64>,
    w: Vec<f64>,
    y: f64,
}

/// The constraint `x·w = Ω y` and its metric `|dx|² + |dw|² + g² dy²`.
/// `g2 = ∞` is the NMF form: `Ω = 1`, `y` fixed to the data.
#[derive(Clone, Copy, Debug)]
struct BiMetric {
    omega: f64,
    g2: f64,
}

impl BiMetric {
    fn nmf(&self) -> bool {
        self.g2.is_infinite()
    }

    fn coeffs(&self, a: &BiPoint) -> Coeffs {
        Coeffs {
            p: dot(&a.x, &a.w),
            q: norm2(&a.x) + norm2(&a.w),
            omega2: self.omega * self.omega,
            g2: self.g2,
            c: self.omega * a.y,
        }
    }

    /// Eq. 19 and `y' = y - Ω u / g²`.
    fn apply(&self, a: &BiPoint, u: f64) -> BiPoint {
        let den = 1.0 - u * u;
        BiPoint {
            x: a.x.iter().zip(&a.w).map(|(x, w)| (x + u * w) / den).collect(),
            w: a.w.iter().zip(&a.x).map(|(w, x)| (w + u * x) / den).collect(),
            y: a.y - self.omega * u / self.g2,
        }
    }

    fn project(&self, a: &BiPoint, guard: Safeguard, solver: &Solver) -> (Root, BiPoint) {
        let r = (solver.solve)(&self.coeffs(a), guard);
        (r, self.apply(a, r.u))
    }

    fn residual(&self, a: &BiPoint) -> f64 {
        dot(&a.x, &a.w) - self.omega * a.y
    }

    /// Scale of the residual: `max(1, |x|² + |w|², |Ω y|)` (`|x|² + |w|² ≥ 2|x·w|`).
    fn scale(&self, a: &BiPoint) -> f64 {
        (norm2(&a.x) + norm2(&a.w)).max((self.omega * a.y).abs()).max(1.0)
    }

    fn dist(&self, a: &BiPoint, b: &BiPoint) -> f64 {
        let dy = if self.nmf() { 0.0 } else { self.g2 * (a.y - b.y) * (a.y - b.y) };
        dist2(&a.x, &b.x) + dist2(&a.w, &b.w) + dy
    }

    /// The point with the given `x` and `y` whose `w` is nearest to `w_near`
    /// on the constraint (`None` for `x = 0`).
    fn complete_w(&self, x: Vec<f64>, y: f64, w_near: &[f64]) -> Option<BiPoint> {
        let xx = norm2(&x);
        if xx <= 1e-12 {
            return None;
        }
        let s = (self.omega * y - dot(&x, w_near)) / xx;
        let w = axpy(w_near, s, &x);
        Some(BiPoint { x, w, y })
    }

    /// Points on the constraint: random `x''`, `w''` with `y''` solved for
    /// (network form), and points whose `x''`, `y''` (or `w''`, `y''`) are
    /// drawn near the projection `b` or the input `a` at several scales, the
    /// other vector taken nearest to the input's.
    fn samples(&self, a: &BiPoint, b: &BiPoint, rng: &mut Rng) -> Vec<BiPoint> {
        let n = a.x.len();
        let mut out = Vec::new();
        for s in [1e-4, 1e-2, 0.3, 1.0, 3.0] {
            for center in [a, b] {
                for _ in 0..4 {
                    let y = if self.nmf() { a.y } else { center.y + s * rng.sym() };
                    if !self.nmf() {
                        let x = axpy(&center.x, s, &rng.vec(n, 1.0));
                        let w = axpy(&center.w, s, &rng.vec(n, 1.0));
                        let y = dot(&x, &w) / self.omega;
                        out.push(BiPoint { x, w, y });
                    }
                    let x = axpy(&center.x, s, &rng.vec(n, 1.0));
                    out.extend(self.complete_w(x, y, &a.w));
                    let w = axpy(&center.w, s, &rng.vec(n, 1.0));
                    if let Some(p) = self.complete_w(w, y, &a.x) {
                        out.push(BiPoint { x: p.w, w: p.x, y: p.y });
                    }
                }
            }
        }
        out
    }
}

/// A scalar root solve: the reference order (the oracle's) or the fused
/// arithmetic (the SIMD paths' scalar twin), which stops within about
/// `NEWTON_EPS` of the root (`slack`, added to the root tolerance).
struct Solver {
    name: &'static str,
    solve: fn(&Coeffs, Safeguard) -> Root,
    slack: f64,
}

/// Both solvers; every bilinear projection check runs for each.
const SOLVERS: [Solver; 2] = [
    Solver { name: "reference", solve: bilinear::solve, slack: 0.0 },
    Solver { name: "fused", solve: |k, g| bilinear::solve_fused_from(k, g, 0.0), slack: 2.0 * NEWTON_EPS },
];

/// Tolerances of the bilinear checks. Rounding is relative to the vector
/// scale `S = max(1, |x|∞, |w|∞, |x'|∞, |w'|∞)` and grows near the pole
/// `u → ±1` (nearly parallel `x ≈ ±w`, close to the degenerate `q = 2|p|` of
/// eq. 18), where eq. 19 cancels in `x + u w` and divides by `1 - u²`: the
/// relative tolerance is `max(1e-9, 64 ε / (1 - u²)²)` (1e-9 unless
/// `1 - u² < 4e-3`).
#[derive(Clone, Copy, Debug)]
struct BiTol {
    rel: f64,
    scale: f64,
    u: f64,
}

impl BiTol {
    fn new(a: &BiPoint, b: &BiPoint, u: f64) -> Self {
        let den = 1.0 - u * u;
        let scale = a.x.iter().chain(&a.w).chain(&b.x).chain(&b.w).fold(1.0f64, |m, v| m.max(v.abs()));
        Self { rel: 1e-9f64.max(64.0 * f64::EPSILON / (den * den)), scale, u }
    }
    /// Bound on `|x'·w' - Ω y'|`.
    fn residual(&self, m: &BiMetric, b: &BiPoint) -> f64 {
        self.rel * (self.scale * self.scale).max((m.omega * b.y).abs())
    }
    /// Bound on the move of a vector entry.
    fn entry(&self) -> f64 {
        self.rel * self.scale
    }
    /// Bound on the move of `y` (`Ω u / g²` with `u ≈ residual / (Ω²/g² + q)`).
    fn y(&self, m: &BiMetric, b: &BiPoint) -> f64 {
        self.rel * b.y.abs().max(1.0).max(self.scale * self.scale / m.omega)
    }
    /// Bound on the rounding of a distance `d`.
    fn dist(&self, d: f64) -> f64 {
        self.rel * d.max(self.scale * self.scale)
    }
    /// Bound on the difference of two roots: each solve stops after a step
    /// below `NEWTON_EPS`, so each may be about that far from the root, and
    /// the root is defined to about `ε / (1 - u²)` near the pole.
    fn root(&self) -> f64 {
        2.0 * NEWTON_EPS + 64.0 * f64::EPSILON / (1.0 - self.u * self.u)
    }
}

/// Feasible, idempotent and optimal with both safeguards, which agree, for
/// both solvers.
fn check_bilinear(m: BiMetric, a: &BiPoint, seed: u64) -> TestResult {
    for solver in &SOLVERS {
        check_bilinear_with(m, a, seed, solver)?;
    }
    Ok(())
}

fn check_bilinear_with(m: BiMetric, a: &BiPoint, seed: u64, solver: &Solver) -> TestResult {
    let mut rng = Rng(seed);
    let mut roots = Vec::new();
    for guard in [Safeguard::Bracket, Safeguard::Midpoint] {
        let (root, b) = m.project(a, guard, solver);
        prop_assert_eq!(root.status, Status::Converged, "{:?} {:?}", guard, root);
        prop_assert!(root.u.abs() < 1.0);
        let tol = BiTol::new(a, &b, root.u);
        let res = m.residual(&b);
        prop_assert!(res.abs() <= tol.residual(&m, &b), "{:?}: residual {:e} at {:?} ({:?})", guard, res, b, tol);
        let (again, c) = m.project(&b, guard, solver);
        prop_assert_eq!(again.status, Status::Converged, "{:?}: again {:?}", guard, again);
        for (u, v) in c.x.iter().chain(&c.w).zip(b.x.iter().chain(&b.w)) {
            prop_assert!(
                (u - v).abs() <= tol.entry(),
                "{:?}: second projection moved {} to {} ({:?})",
                guard,
                v,
                u,
                tol
            );
        }
        prop_assert!((c.y - b.y).abs() <= tol.y(&m, &b), "{:?}: second projection moved y {} to {}", guard, b.y, c.y);
        let d = m.dist(a, &b);
        for s in m.samples(a, &b, &mut rng) {
            prop_assert!(m.residual(&s).abs() <= 1e-8 * m.scale(&s), "sample off the constraint");
            let ds = m.dist(a, &s);
            prop_assert!(ds >= d - tol.dist(d), "{:?}: {:?} is closer ({:e} < {:e}) than {:?}", guard, s, ds, d, b);
        }
        roots.push((root.u, tol.root() + solver.slack));
    }
    let ((u0, t0), (u1, _)) = (roots[0], roots[1]);
    prop_assert!((u0 - u1).abs() <= t0, "{}: safeguards disagree: {} vs {}", solver.name, u0, u1);
    Ok(())
}

proptest! {
    #![proptest_config(config(4096))]

    /// Network form `x·w = Ω y`, `y' = y - Ω u / g²`.
    #[test]
    fn bilinear_projection_network(
        (x, w) in vec_pair(),
        scale in magnitude(-2.0, 1.5),
        omega in 0.25..3.0f64,
        g2 in prop_oneof![0.1..10.0f64, (1u32..=8).prop_map(f64::from)],
        y in -5.0..5.0f64,
        seed in any::<u64>(),
    ) {
        let a = BiPoint { x: x.iter().map(|v| v * scale).collect(), w: w.iter().map(|v| v * scale).collect(), y };
        check_bilinear(BiMetric { omega, g2 }, &a, seed)?;
    }

    /// NMF form: `g² = ∞`, `Ω = 1`, `c` = data, `y` fixed.
    #[test]
    fn bilinear_projection_nmf(
        (x, w) in vec_pair(),
        scale in magnitude(-2.0, 1.5),
        data in prop_oneof![-2.0..5.0f64, Just(0.0)],
        seed in any::<u64>(),
    ) {
        let a = BiPoint { x: x.iter().map(|v| v * scale).collect(), w: w.iter().map(|v| v * scale).collect(), y: data };
        let m = BiMetric { omega: 1.0, g2: f64::INFINITY };
        for solver in &SOLVERS {
            let (_, b) = m.project(&a, Safeguard::Bracket, solver);
            prop_assert_eq!(b.y.to_bits(), data.to_bits(), "{}: y must stay fixed", solver.name);
        }
        check_bilinear(m, &a, seed)?;
    }
}

// ===========================================================================
// 1b. Activations: graph projection and fixed values
// ===========================================================================

fn half(width: f64) -> f64 {
    if width > 0.0 { 0.5 * width } else { 0.0 }
}

/// Widths: mostly positive, some zero or negative (a step with zero gap).
fn width() -> impl Strategy<Value = f64> {
    prop_oneof![6 => 0.01..2.0f64, 1 => Just(0.0), 1 => -1.0..0.0f64]
}

fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![
        Just(Activation::Relu),
        width().prop_map(|width| Activation::Step { width }),
        width().prop_map(|width| Activation::Zigmoid { width }),
        prop_oneof![3 => 0.0..1.5f64, 1 => -0.5..0.0f64].prop_map(|tau| Activation::Soft { tau }),
    ]
}

/// The jump of a step at `±h`: `X = 0` for `z ≤ -h`, `X = 1` for `z ≥ h`.
fn jump_values(z: f64, h: f64) -> Vec<f64> {
    let mut v = Vec::new();
    if z <= -h {
        v.push(0.0);
    }
    if z >= h {
        v.push(1.0);
    }
    v
}

/// Every `X` with `(X, z)` on the graph (two at a zero-gap jump, none in a
/// gap); written independently of the kernel.
fn graph_values(act: Activation, z: f64) -> Vec<f64> {
    match act {
        Activation::Relu => vec![z.max(0.0)],
        Activation::Soft { tau } => {
            let t = tau.max(0.0);
            vec![if z > t {
                z - t
            } else if z < -t {
                z + t
            } else {
                0.0
            }]
        }
        Activation::Step { width } => jump_values(z, half(width)),
        Activation::Zigmoid { width } if width > 0.0 => {
            let h = half(width);
            vec![if z <= -h {
                0.0
            } else if z >= h {
                1.0
            } else {
                z / width + 0.5
            }]
        }
        Activation::Zigmoid { .. } => jump_values(z, 0.0),
    }
}

/// Whether `(X, z)` is on the graph, `z` within `tol` (and `X` within `tol`
/// times the slope on the continuous pieces).
fn on_graph(act: Activation, x: f64, z: f64, tol: f64) -> bool {
    let jump = |h: f64| (x == 0.0 && z <= -h + tol) || (x == 1.0 && z >= h - tol);
    match act {
        Activation::Step { width } => jump(half(width)),
        Activation::Zigmoid { width } if width > 0.0 => {
            graph_values(act, z).iter().any(|&g| (x - g).abs() <= tol * (2.0 + 1.0 / width))
        }
        Activation::Zigmoid { .. } => jump(0.0),
        _ => graph_values(act, z).iter().any(|&g| (x - g).abs() <= 2.0 * tol),
    }
}

/// The kinks and jump ends of the activation.
fn kinks(act: Activation) -> Vec<f64> {
    match act {
        Activation::Relu => vec![0.0],
        Activation::Step { width } | Activation::Zigmoid { width } => vec![-half(width), half(width), 0.0],
        Activation::Soft { tau } => vec![-tau.max(0.0), tau.max(0.0), 0.0],
    }
}

/// Values of `z` to probe around `z` and `zp`: random, close to `zp`, kinks.
fn probe_z(act: Activation, z: f64, zp: f64, rng: &mut Rng) -> Vec<f64> {
    let mut zs = kinks(act);
    zs.extend([z, zp]);
    for _ in 0..32 {
        zs.push(z + 4.0 * rng.sym());
    }
    for _ in 0..8 {
        zs.push(zp + 1e-3 * rng.sym());
        zs.push(zp + 1e-7 * rng.sym());
    }
    zs
}

/// Points of the graph in `(X, y, b)` near `(·, y, b)`: for each probed `z''`
/// and graph value `X''`, the nearest `(y'', b'')` with `y'' - b'' = z''` and
/// a random shift along `y = b`.
fn graph_samples(act: Activation, y: f64, b: f64, zp: f64, rng: &mut Rng) -> Vec<(f64, f64, f64)> {
    let z = y - b;
    let mut out = Vec::new();
    for z2 in probe_z(act, z, zp, rng) {
        for x2 in graph_values(act, z2) {
            let s = 0.5 * (z2 - z);
            out.push((x2, y + s, b - s));
            let t = 0.5 * rng.sym();
            out.push((x2, y + s + t, b - s + t));
        }
    }
    out
}

fn d3(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
    (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2) + (a.2 - b.2).powi(2)
}

/// The value a fixed node can reach: `v`, or the nearest end of the image
/// (a zero-width zigmoid is the step with zero gap).
fn image_value(act: Activation, v: f64) -> f64 {
    let step = if v >= 0.5 { 1.0 } else { 0.0 };
    match act {
        Activation::Relu => v.max(0.0),
        Activation::Step { .. } => step,
        Activation::Zigmoid { width } if width > 0.0 => v.clamp(0.0, 1.0),
        Activation::Zigmoid { .. } => step,
        Activation::Soft { .. } => v,
    }
}

/// `fixed()`: `f(z') = image_value(v)`, `y' + b' = y + b`, idempotent, and no
/// sampled `(y'', b'')` reaching the value is nearer.
fn check_fixed(act: Activation, v: f64, y: f64, b: f64, seed: u64) -> TestResult {
    let mut rng = Rng(seed);
    let tol = 1e-12 * (1.0 + y.abs() + b.abs() + v.abs());
    let target = image_value(act, v);
    let (y1, b1) = activation::fixed(act, v, y, b);
    let z1 = y1 - b1;
    prop_assert!(on_graph(act, target, z1, tol), "{:?} v={}: z' = {} does not give {}", act, v, z1, target);
    prop_assert!(((y1 + b1) - (y + b)).abs() <= tol, "y + b moved: {} -> {}", y + b, y1 + b1);
    let (y2, b2) = activation::fixed(act, v, y1, b1);
    prop_assert!((y2 - y1).abs() <= tol && (b2 - b1).abs() <= tol, "not idempotent: {:?}", (y1, b1, y2, b2));
    let z = y - b;
    let d = (y1 - y).powi(2) + (b1 - b).powi(2);
    let mut zs = probe_z(act, z, z1, &mut rng);
    zs.extend([v, v + act_tau(act), v - act_tau(act)]);
    for z2 in zs.into_iter().filter(|&z2| on_graph(act, target, z2, 0.0)) {
        prop_assert!(
            (z2 - z).abs() >= (z1 - z).abs() - tol,
            "{:?} v={}: z''={} nearer to z={} than z'={}",
            act,
            v,
            z2,
            z,
            z1
        );
        let s = 0.5 * (z2 - z);
        let t = rng.sym();
        let ds = (s + t).powi(2) + (t - s).powi(2);
        prop_assert!(ds >= d - tol, "{:?}: sampled point nearer", act);
    }
    Ok(())
}

fn act_tau(act: Activation) -> f64 {
    if let Activation::Soft { tau } = act { tau.max(0.0) } else { 0.0 }
}

proptest! {
    #![proptest_config(config(4096))]

    /// `project()`: on the graph, idempotent, nearest among sampled graph
    /// points (isotropic distance in `(X, y, b)`).
    #[test]
    fn activation_projection(act in activation(), x in coord(), y in coord(), b in coord(), seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let tol = 1e-12 * (1.0 + x.abs() + y.abs() + b.abs());
        let p = activation::project(act, x, y, b);
        prop_assert!(on_graph(act, p.0, p.1 - p.2, tol), "{:?} ({}, {}, {}) -> {:?} off the graph", act, x, y, b, p);
        let q = activation::project(act, p.0, p.1, p.2);
        prop_assert!(d3(p, q) <= tol * tol, "{:?}: not idempotent: {:?} -> {:?}", act, p, q);
        let d = d3(p, (x, y, b));
        for s in graph_samples(act, y, b, p.1 - p.2, &mut rng) {
            let ds = d3(s, (x, y, b));
            prop_assert!(
                ds >= d - 1e-10,
                "{:?} ({}, {}, {}): {:?} nearer ({:e}) than {:?} ({:e})", act, x, y, b, s, ds, p, d
            );
        }
    }

    /// `fixed()` for every activation except the zero-width zigmoid (see
    /// `activation_fixed_zero_width_zigmoid`).
    #[test]
    fn activation_fixed(
        act in activation().prop_filter(
            "zero-width zigmoid tested apart",
            |a| !matches!(a, Activation::Zigmoid { width } if *width <= 0.0),
        ),
        v in prop_oneof![4 => -1.0..2.0f64, 1 => Just(0.0), 1 => Just(1.0), 1 => Just(0.5)],
        y in coord(),
        b in coord(),
        seed in any::<u64>(),
    ) {
        check_fixed(act, v, y, b, seed)?;
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// A zigmoid of width ≤ 0 "acts as the step with zero gap", so a fixed
    /// value in (0, 1) must be reached as its nearest end, 0 or 1.
    #[test]
    fn activation_fixed_zero_width_zigmoid(
        width in prop_oneof![Just(0.0), -1.0..0.0f64],
        v in 0.01..0.99f64,
        y in coord(),
        b in coord(),
        seed in any::<u64>(),
    ) {
        check_fixed(Activation::Zigmoid { width }, v, y, b, seed)?;
    }
}

// ===========================================================================
// 1c. Class nodes: plain projection
// ===========================================================================

proptest! {
    #![proptest_config(config(4096))]

    /// `plain()`: feasible, `d` is the squared displacement, idempotent,
    /// unchanged when feasible, nearest among sampled feasible points.
    #[test]
    fn class_plain_projection(
        y in coord(),
        b in coord(),
        margin in prop_oneof![0.0..1.0f64, Just(0.0)],
        is_true in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut rng = Rng(seed);
        let tol = 1e-12 * (1.0 + y.abs() + b.abs());
        let feasible = |z: f64, tol: f64| if is_true { z >= margin - tol } else { z <= tol };
        let (y1, b1, d) = class::plain(y, b, margin, is_true);
        prop_assert!(feasible(y1 - b1, tol), "({}, {}) -> ({}, {}) infeasible", y, b, y1, b1);
        let moved = (y1 - y).powi(2) + (b1 - b).powi(2);
        prop_assert!((d - moved).abs() <= tol, "d = {} but moved {}", d, moved);
        prop_assert!(((y1 + b1) - (y + b)).abs() <= tol);
        if feasible(y - b, 0.0) {
            prop_assert!(
                y1.to_bits() == y.to_bits() && b1.to_bits() == b.to_bits() && d == 0.0,
                "feasible point moved"
            );
        }
        let (y2, b2, d2) = class::plain(y1, b1, margin, is_true);
        prop_assert!((y2 - y1).abs() <= tol && (b2 - b1).abs() <= tol && d2 <= tol * tol, "not idempotent");
        let z = y - b;
        let mut zs = vec![0.0, margin, z, y1 - b1];
        zs.extend((0..32).map(|_| z + 3.0 * rng.sym()));
        for z2 in zs.into_iter().filter(|&z2| feasible(z2, 0.0)) {
            let s = 0.5 * (z2 - z);
            for t in [0.0, rng.sym()] {
                let ds = (s + t).powi(2) + (t - s).powi(2);
                prop_assert!(ds >= d - tol, "z''={} nearer: {} < {}", z2, ds, d);
            }
        }
    }
}

// ===========================================================================
// 1d. Consensus side constraints
// ===========================================================================

/// Unit-norm random direction (not zero).
fn direction(rng: &mut Rng, n: usize) -> Vec<f64> {
    loop {
        let v = rng.vec(n, 1.0);
        let s = norm2(&v).sqrt();
        if s > 1e-3 {
            return v.iter().map(|x| x / s).collect();
        }
    }
}

/// Random non-negative points of the sphere of radius `omega`: dense, sparse,
/// the unit vectors, and perturbations of `near` clamped and rescaled.
fn nonneg_sphere_samples(n: usize, omega: f64, near: &[f64], rng: &mut Rng) -> Vec<Vec<f64>> {
    let scaled = |v: Vec<f64>| -> Option<Vec<f64>> {
        let s = norm2(&v).sqrt();
        (s > 1e-12).then(|| v.iter().map(|x| omega * x / s).collect())
    };
    let mut out = Vec::new();
    for i in 0..n {
        let mut e = vec![0.0; n];
        e[i] = omega;
        out.push(e);
    }
    for _ in 0..24 {
        out.extend(scaled(rng.vec(n, 1.0).iter().map(|x| x.abs()).collect()));
        out.extend(scaled((0..n).map(|_| if rng.unit() < 0.4 { rng.unit() } else { 0.0 }).collect()));
        for eps in [1e-4, 1e-2, 0.3] {
            out.extend(scaled(axpy(near, eps * omega, &rng.vec(n, 1.0)).iter().map(|x| x.max(0.0)).collect()));
        }
    }
    out
}

proptest! {
    #![proptest_config(config(2048))]

    /// `sphere()`: norm Ω, idempotent, nearest among sampled sphere points.
    #[test]
    fn consensus_sphere(
        w in prop::collection::vec(-3.0..3.0f64, 1..=12),
        scale in magnitude(-3.0, 3.0),
        omega in 0.1..5.0f64,
        seed in any::<u64>(),
    ) {
        let mut rng = Rng(seed);
        let w: Vec<f64> = w.iter().map(|v| v * scale).collect();
        prop_assume!(norm2(&w) > 0.0);
        let mut p = w.clone();
        prop_assert!(consensus::sphere(&mut p, omega));
        prop_assert!(close(norm2(&p).sqrt(), omega, 1e-12), "norm {} vs {}", norm2(&p).sqrt(), omega);
        let mut q = p.clone();
        prop_assert!(consensus::sphere(&mut q, omega));
        for (a, b) in q.iter().zip(&p) {
            prop_assert!((a - b).abs() <= 1e-12 * omega, "not idempotent");
        }
        let d = dist2(&p, &w);
        let tol = 1e-12 * (omega + norm2(&w).sqrt()).powi(2);
        let n = w.len();
        for eps in [0.0, 1e-4, 1e-2, 0.3, 10.0] {
            for _ in 0..8 {
                let r = direction(&mut rng, n);
                let dir = if eps == 0.0 { r } else { axpy(&p, eps * omega, &r) };
                let s = norm2(&dir).sqrt();
                prop_assume!(s > 0.0);
                let c: Vec<f64> = dir.iter().map(|x| omega * x / s).collect();
                prop_assert!(dist2(&c, &w) >= d - tol, "sampled sphere point nearer");
            }
        }
    }

    /// `nonneg_sphere_strided()`: non-negative, norm Ω, other entries
    /// untouched, the all-non-positive case at the largest entry, idempotent,
    /// nearest among sampled non-negative sphere points.
    #[test]
    fn consensus_nonneg_sphere_strided(
        start in 0usize..3,
        stride in 1usize..4,
        vals in prop::collection::vec(coord(), 1..=8),
        all_nonpos in any::<bool>(),
        omega in 0.1..5.0f64,
        seed in any::<u64>(),
    ) {
        let mut rng = Rng(seed);
        let n = vals.len();
        let v: Vec<f64> = if all_nonpos { vals.iter().map(|x| -x.abs()).collect() } else { vals };
        let idx = |i: usize| start + i * stride;
        let mut buf: Vec<f64> = (0..idx(n - 1) + 2).map(|i| 100.0 + i as f64).collect();
        for (i, &x) in v.iter().enumerate() {
            buf[idx(i)] = x;
        }
        let orig = buf.clone();
        let flag = consensus::nonneg_sphere_strided(&mut buf, start, stride, n, omega);
        let max = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        prop_assert_eq!(flag, max <= 0.0, "flag for max {}", max);
        for (i, (a, b)) in buf.iter().zip(&orig).enumerate() {
            if i < start || (i - start) % stride != 0 || (i - start) / stride >= n {
                prop_assert_eq!(a.to_bits(), b.to_bits(), "entry {} off the stride changed", i);
            }
        }
        let p: Vec<f64> = (0..n).map(|i| buf[idx(i)]).collect();
        prop_assert!(p.iter().all(|&x| x >= 0.0), "negative entry in {:?}", p);
        prop_assert!(close(norm2(&p).sqrt(), omega, 1e-12), "norm of {:?}", p);
        if flag {
            let first = v.iter().position(|&x| x == max).unwrap();
            for (i, &x) in p.iter().enumerate() {
                let want = if i == first { omega } else { 0.0 };
                prop_assert!(close(x, want, 4.0 * f64::EPSILON), "all-non-positive case: {:?} from {:?}", p, v);
            }
        }
        let mut again = buf.clone();
        prop_assert!(!consensus::nonneg_sphere_strided(&mut again, start, stride, n, omega));
        for (a, b) in again.iter().zip(&buf) {
            prop_assert!((a - b).abs() <= 1e-12 * omega, "not idempotent");
        }
        let d = dist2(&p, &v);
        let tol = 1e-12 * (omega + norm2(&v).sqrt()).powi(2);
        for c in nonneg_sphere_samples(n, omega, &p, &mut rng) {
            prop_assert!(dist2(&c, &v) >= d - tol, "{:?} nearer to {:?} than {:?}", c, v, p);
        }
    }

    /// `nonneg()`: the nearest non-negative value (NaN becomes 0), idempotent.
    #[test]
    fn consensus_nonneg(m in special(), seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let r = consensus::nonneg(m);
        prop_assert!(r >= 0.0, "nonneg({}) = {}", m, r);
        prop_assert_eq!(r.to_bits(), if m > 0.0 { m.to_bits() } else { 0.0f64.to_bits() });
        prop_assert_eq!(consensus::nonneg(r).to_bits(), r.to_bits());
        if m.is_finite() {
            for c in [0.0, m.abs(), 3.0 * rng.unit(), m.abs() * rng.unit()] {
                prop_assert!((r - m).abs() <= (c - m).abs());
            }
        }
    }
}

// ===========================================================================
// 1e. Selection rules against naive sort-based versions
// ===========================================================================

/// Values with many ties, zeros and negatives.
fn tied() -> impl Strategy<Value = f64> {
    prop_oneof![(-4i32..=4).prop_map(|i| f64::from(i) * 0.5), -2.0..2.0f64]
}

/// The `n`-th largest (NaN of either sign above every number), `n` capped at
/// the length; `None` for `n = 0` or no values.
fn naive_largest(v: &[f64], n: usize) -> Option<f64> {
    let n = n.min(v.len());
    if n == 0 {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        _ => b.partial_cmp(a).unwrap(),
    });
    Some(s[n - 1])
}

/// Eccentric exemption by definition: every item with `D ≥ T` and `D > 0`,
/// plus NaN items when there is a budget.
fn naive_exempt(d: &[f64], ee: usize) -> Vec<bool> {
    let t = naive_largest(d, ee);
    d.iter().map(|&x| t.is_some() && (x.is_nan() || t.is_some_and(|t| x >= t && x > 0.0))).collect()
}

fn kernel_exempt(d: &[f64], ee: usize) -> Vec<bool> {
    let mut scratch = vec![0.0; d.len()];
    let t = class::largest_threshold(d, ee, &mut scratch);
    d.iter().map(|&x| class::selected(x, t)).collect()
}

proptest! {
    #![proptest_config(config(4096))]

    /// Exemption/relabelling rule: `largest_threshold` is the EE-th largest
    /// and `selected` picks exactly `D ≥ T`, `D > 0`.
    #[test]
    fn selection_exempt_rule(d in prop::collection::vec(tied(), 0..=12), ee in 0usize..=14) {
        let mut scratch = vec![0.0; d.len()];
        let t = class::largest_threshold(&d, ee, &mut scratch);
        prop_assert_eq!(t, naive_largest(&d, ee));
        let got = kernel_exempt(&d, ee);
        prop_assert_eq!(&got, &naive_exempt(&d, ee));
        let positive = d.iter().filter(|&&x| x > 0.0).count();
        let picked = got.iter().filter(|&&s| s).count();
        prop_assert!(picked >= ee.min(positive), "picked {} of {} positive with budget {}", picked, positive, ee);
        for (i, &x) in d.iter().enumerate() {
            for (j, &y) in d.iter().enumerate() {
                prop_assert!(!(got[j] && !got[i] && x > y && x > 0.0), "{} skipped but {} picked", x, y);
            }
        }
        if !d.is_empty() {
            let mut short = vec![0.0; d.len() - 1];
            prop_assert!(class::largest_threshold(&d, ee, &mut short).is_none(), "short scratch must give None");
        }
    }

    /// False-positive allowance: at most FPA items, exactly those strictly
    /// below the (FPA+1)-th smallest negative delta (0 when there are fewer).
    #[test]
    fn selection_fpa_rule(delta in prop::collection::vec(tied(), 0..=12), fpa in 0usize..=14) {
        let mut scratch = vec![0.0; delta.len()];
        let t = class::fpa_threshold(&delta, fpa, &mut scratch);
        let mut neg: Vec<f64> = delta.iter().cloned().filter(|&x| x < 0.0).collect();
        neg.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let want_t = if neg.len() > fpa { neg[fpa] } else { 0.0 };
        prop_assert_eq!(t, want_t);
        let allowed: Vec<bool> = delta.iter().map(|&x| x < t).collect();
        let count = allowed.iter().filter(|&&a| a).count();
        prop_assert!(count <= fpa, "{} allowed with budget {}", count, fpa);
        if neg.len() <= fpa {
            prop_assert_eq!(count, neg.len(), "every negative delta is allowed within the budget");
        }
        prop_assert!(delta.iter().zip(&allowed).all(|(&x, &a)| !a || x < 0.0));
    }
}

proptest! {
    #![proptest_config(config(2048))]

    /// A (positive) NaN counts as larger than every number: it is selected
    /// whenever there is a budget and takes a place in it.
    #[test]
    fn selection_exempt_rule_with_nan(
        d in prop::collection::vec(prop_oneof![4 => tied(), 1 => Just(f64::NAN)], 1..=8),
        ee in 0usize..=8,
    ) {
        prop_assert_eq!(kernel_exempt(&d, ee), naive_exempt(&d, ee), "D = {:?}, EE = {}", d, ee);
    }
}

/// The same rule for a NaN with the sign bit set, as x86 arithmetic makes it
/// at run time (`∞ - ∞`, `0 · ∞`): it must also count as larger than every
/// number (fixed in be5fd5d; `total_cmp` put it below every number).
#[test]
fn selection_exempt_rule_with_negative_nan() {
    let inf = std::hint::black_box(f64::INFINITY);
    let nan = inf - inf;
    assert!(nan.is_nan());
    for d in [[0.5, -f64::NAN], [0.5, nan]] {
        assert_eq!(
            kernel_exempt(&d, 1),
            naive_exempt(&d, 1),
            "D = [0.5, NaN with sign bit {}]",
            d[1].is_sign_negative()
        );
    }
}

// ===========================================================================
// 2. SIMD kernels equal their scalar twins
// ===========================================================================

/// Lane-by-lane bit comparison.
fn check_lanes(got: V, want: &[f64], what: &str) -> TestResult {
    let g = got.to_array();
    for l in 0..LANES {
        prop_assert!(same_bits(g[l], want[l]), "{} lane {}: {:e} vs scalar {:e}", what, l, g[l], want[l]);
    }
    Ok(())
}

/// One lane's `(p, q, c)`: from random vectors (generic), degenerate
/// (`q = 2|p|` or zero) or arbitrary.
fn lane_coeffs() -> impl Strategy<Value = (f64, f64, f64)> {
    prop_oneof![
        6 => (vec_pair(), -5.0..5.0f64).prop_map(|((x, w), c)| (dot(&x, &w), norm2(&x) + norm2(&w), c)),
        1 => (-3.0..3.0f64, -5.0..5.0f64).prop_map(|(p, c)| (p, 2.0 * p.abs(), c)),
        1 => (-5.0..5.0f64).prop_map(|c| (0.0, 0.0, c)),
        1 => (-3.0..3.0f64, 0.0..3.0f64, -50.0..50.0f64),
    ]
}

/// Finite coefficients of any magnitude, often degenerate (`q < 2|p|`, which
/// no pair of vectors gives), among them `q` within a few ulps of `|p|`: the
/// first Newton step then lands next to ±1, where `h0` overflows.
fn extreme_coeffs() -> impl Strategy<Value = (f64, f64, f64)> {
    prop_oneof![
        (any_magnitude(), magnitude(-300.0, 300.0), any_magnitude()),
        (magnitude(-300.0, 307.0), -3i32..=3, any::<bool>(), prop_oneof![Just(0.0), any_magnitude()])
            .prop_map(|(m, j, neg, c)| (if neg { -m } else { m }, m * (1.0 + f64::from(j) * f64::EPSILON), c)),
    ]
}

/// A value of either sign and magnitude `1e-300..1e300`.
fn any_magnitude() -> impl Strategy<Value = f64> {
    (magnitude(-300.0, 300.0), any::<bool>()).prop_map(|(m, neg)| if neg { -m } else { m })
}

/// Both lane solvers against their scalar twin (the fused solve) on `k` (at
/// least 8 lanes of `(p, q, c)`): roots and `1/(1 − u²)` bit for bit,
/// bisections summed, steps of the slowest lane.
fn check_lane_solvers(k: &[(f64, f64, f64)], omega2: f64, g2: f64) -> TestResult {
    let col = |f: fn(&(f64, f64, f64)) -> f64, n: usize| -> Vec<f64> { k[..n].iter().map(f).collect() };
    for guard in [Safeguard::Bracket, Safeguard::Midpoint] {
        let s: Vec<Root> = k
            .iter()
            .map(|&(p, q, c)| bilinear::solve_fused_from(&Coeffs { p, q, omega2, g2, c }, guard, 0.0))
            .collect();
        let (p, q, c) = (col(|k| k.0, LANES), col(|k| k.1, LANES), col(|k| k.2, LANES));
        let r = bilinear::solve_lanes(lanes(&p), lanes(&q), omega2, g2, lanes(&c), guard);
        let (p8, q8, c8) = (col(|k| k.0, 8), col(|k| k.1, 8), col(|k| k.2, 8));
        let v8 = |v: &[f64]| V8::new(core::array::from_fn(|l| v[l]));
        let r8 = bilinear::solve_lanes8(v8(&p8), v8(&q8), omega2, g2, v8(&c8), guard);
        for (u, inv, bis, steps, n) in [
            (r.u.to_array().to_vec(), r.inv.to_array().to_vec(), r.bisections, r.steps, LANES),
            (r8.u.to_array().to_vec(), r8.inv.to_array().to_vec(), r8.bisections, r8.steps, 8),
        ] {
            let what = format!("{guard:?}, {n} lanes");
            for l in 0..n {
                let want = 1.0 / (1.0 - s[l].u * s[l].u);
                prop_assert!(same_bits(inv[l], want), "{} lane {}: 1/(1 - u²) {:e} vs {:e}", what, l, inv[l], want);
                prop_assert!(
                    same_bits(u[l], s[l].u),
                    "{} lane {}: {:e} vs scalar {:?} for {:?}",
                    what,
                    l,
                    u[l],
                    s[l],
                    k[l]
                );
            }
            prop_assert_eq!(bis, s[..n].iter().map(|s| s.bisections).sum::<u32>(), "{} bisections", what);
            prop_assert_eq!(steps, s[..n].iter().map(|s| s.steps).max().unwrap(), "{} steps", what);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn simd_relu_equals_scalar(x in lane_vec(special()), y in lane_vec(special()), b in lane_vec(special())) {
        let (gx, gy, gb) = activation::relu_lanes(lanes(&x), lanes(&y), lanes(&b));
        let want: Vec<(f64, f64, f64)> = (0..LANES).map(|l| activation::relu_ref(x[l], y[l], b[l])).collect();
        check_lanes(gx, &want.iter().map(|w| w.0).collect::<Vec<_>>(), "X")?;
        check_lanes(gy, &want.iter().map(|w| w.1).collect::<Vec<_>>(), "y")?;
        check_lanes(gb, &want.iter().map(|w| w.2).collect::<Vec<_>>(), "b")?;
    }

    #[test]
    fn simd_activation_equals_scalar(
        act in activation(),
        x in lane_vec(special()),
        y in lane_vec(special()),
        b in lane_vec(special()),
    ) {
        let (gx, gy, gb) = activation::project_lanes(act, lanes(&x), lanes(&y), lanes(&b));
        let want: Vec<(f64, f64, f64)> = (0..LANES).map(|l| activation::project(act, x[l], y[l], b[l])).collect();
        check_lanes(gx, &want.iter().map(|w| w.0).collect::<Vec<_>>(), "X")?;
        check_lanes(gy, &want.iter().map(|w| w.1).collect::<Vec<_>>(), "y")?;
        check_lanes(gb, &want.iter().map(|w| w.2).collect::<Vec<_>>(), "b")?;
    }

    #[test]
    fn simd_class_plain_equals_scalar(
        y in lane_vec(special()),
        b in lane_vec(special()),
        t in lane_vec(any::<bool>()),
        margin in prop_oneof![0.0..1.0f64, Just(0.0)],
    ) {
        let (gy, gb) = class::plain_lanes(lanes(&y), lanes(&b), margin, mask(&t));
        let want: Vec<(f64, f64, f64)> = (0..LANES).map(|l| class::plain(y[l], b[l], margin, t[l])).collect();
        check_lanes(gy, &want.iter().map(|w| w.0).collect::<Vec<_>>(), "y")?;
        check_lanes(gb, &want.iter().map(|w| w.1).collect::<Vec<_>>(), "b")?;
    }

    /// Root, bisection count and step count (slowest lane) of `solve_lanes`
    /// (4 lanes) and `solve_lanes8` (8 lanes).
    #[test]
    fn simd_bilinear_equals_scalar(
        k in prop::collection::vec(prop_oneof![4 => lane_coeffs(), 1 => extreme_coeffs()], 8),
        (omega2, g2) in prop_oneof![(0.05..9.0f64, 0.1..10.0f64), Just((1.0, f64::INFINITY))],
    ) {
        check_lane_solvers(&k, omega2, g2)?;
    }

    /// `simd::sum` vs `sum_scalar` for every length `0..=3·LANES+1`, within
    /// `len · 2⁻⁵² · Σ|v|`.
    #[test]
    fn simd_sum_equals_scalar(
        v in prop::collection::vec(prop_oneof![-1.0..1.0f64, -1e6..1e6f64, Just(0.0)], 3 * LANES + 1),
    ) {
        for len in 0..=3 * LANES + 1 {
            let s = &v[..len];
            let (a, b) = (simd::sum(s), simd::sum_scalar(s));
            let bound = len as f64 * f64::EPSILON * s.iter().map(|x| x.abs()).sum::<f64>();
            prop_assert!((a - b).abs() <= bound, "len {}: {:e} vs {:e}", len, a, b);
        }
    }
}

// ===========================================================================
// 3. Whole iterations: fast path vs oracle, layouts
// ===========================================================================

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

fn net_params(mode: ClassMode) -> Params {
    Params { beta: 1.0, omega: 2.0, upsilon: 1.0, margin: 0.1, activation: Activation::Relu, class_mode: mode }
}

/// A random classifier batch: initial weights (each node's in-weights on the
/// sphere of radius Ω), input data in `[0, 1]` and labels.
struct NetCase {
    spec: NetSpec,
    weights: Vec<f64>,
    data: Vec<Vec<f64>>,
    labels: Vec<u32>,
}

impl NetCase {
    fn random(sizes: &[usize], items: usize, omega: f64, rng: &mut Rng) -> Self {
        let spec = NetSpec::layered(sizes).unwrap();
        let net = spec.net().unwrap();
        let mut weights = rng.vec(net.edges(), 1.0);
        for i in sizes[0]..net.nodes() {
            consensus::sphere(&mut weights[net.in_edges(i)], omega);
        }
        let data = (0..items).map(|_| (0..sizes[0]).map(|_| rng.unit()).collect()).collect();
        let classes = *sizes.last().unwrap();
        let labels = (0..items).map(|_| rng.below(classes) as u32).collect();
        Self { spec, weights, data, labels }
    }

    /// Buffers in `layout` with the forward-pass initial iterate.
    fn buffers(&self, layout: Layout, p: &Params) -> NetBuffers {
        let net = self.spec.net().unwrap();
        let n = net.nodes();
        let mut buf = NetBuffers::new(&net, layout).unwrap();
        for (k, item) in self.data.iter().enumerate() {
            for (i, &v) in item.iter().enumerate() {
                buf.values[layout.at(k, i, n)] = v;
            }
            buf.labels[k] = self.labels[k];
        }
        assert!(buf.init_forward(&net, p, &self.weights, &vec![0.0; n]));
        buf
    }
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
        let rr = reference.iterate(&net, &p, Path::Oracle).unwrap();
        let rf = fast.iterate(&net, &p, Path::Fast).unwrap();
        let ro = oracle.iterate(&net, &p, Path::Oracle).unwrap();
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
        let params = nmf::Params { beta: 0.3 + 0.7 * rng.unit(), omega: 0.5 + 1.5 * rng.unit() };
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
        let er = reference.iterate(&case.params, Path::Oracle).unwrap();
        let ef = fast.iterate(&case.params, Path::Fast).unwrap();
        let eo = oracle.iterate(&case.params, Path::Oracle).unwrap();
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
            for mode in [ClassMode::Plain, ClassMode::Exempt(1), ClassMode::Relabel(1)] {
                restarts += check_net_run(&case, layout, mode)?;
                tie_prone += if mode == ClassMode::Plain { 0 } else { 5 };
            }
        }
        // Restarts are the exception (about 5 %), not the rule.
        prop_assert!(4 * restarts <= tie_prone, "{} restarts in {} iterations", restarts, tie_prone);
    }

    /// NMF, D = 3, 4 or 5, rank 3, every batch size and layout, five
    /// iterations each.
    #[test]
    fn nmf_iterations_fast_oracle_layouts(seed in any::<u64>()) {
        let mut rng = Rng(seed);
        for (items, layout) in layouts() {
            check_nmf_run(&NmfCase::random(items, &mut rng), layout)?;
        }
    }
}

// ===========================================================================
// 4. Degenerate input
// ===========================================================================

/// Finite `u` strictly inside `(-1, 1)` within the step cap.
fn check_root_inside(r: &Root, what: &str) -> TestResult {
    prop_assert!(r.u.is_finite() && r.u.abs() < 1.0, "{}: u = {} ({:?})", what, r.u, r);
    prop_assert!(r.steps <= NEWTON_ITER, "{}: {} steps", what, r.steps);
    Ok(())
}

/// Both safeguards and both solvers on one point: a status among
/// `allowed`, `u` inside `(-1, 1)`, a finite projection, and the lane solver
/// agreeing with the fused one.
fn check_degenerate(m: BiMetric, a: &BiPoint, allowed: &[Status]) -> TestResult {
    let k = m.coeffs(a);
    for (guard, solver) in
        [Safeguard::Bracket, Safeguard::Midpoint].into_iter().flat_map(|g| SOLVERS.iter().map(move |s| (g, s)))
    {
        let (r, b) = m.project(a, guard, solver);
        let what = format!("{} {guard:?} {k:?}", solver.name);
        prop_assert!(allowed.contains(&r.status), "{}: status {:?}", what, r.status);
        check_root_inside(&r, &what)?;
        prop_assert!(
            b.x.iter().chain(&b.w).all(|v| v.is_finite()) && b.y.is_finite(),
            "{}: projection not finite: {:?}",
            what,
            b
        );
        if solver.slack > 0.0 {
            let l = bilinear::solve_lanes(V::splat(k.p), V::splat(k.q), k.omega2, k.g2, V::splat(k.c), guard);
            prop_assert!(l.u.to_array().iter().all(|u| u.to_bits() == r.u.to_bits()), "{}: lanes {:?}", what, l.u);
        }
    }
    Ok(())
}

/// The network metric or the NMF form.
fn bi_metric() -> impl Strategy<Value = BiMetric> {
    prop_oneof![
        (0.25..3.0f64, 0.1..10.0f64).prop_map(|(omega, g2)| BiMetric { omega, g2 }),
        Just(BiMetric { omega: 1.0, g2: f64::INFINITY }),
    ]
}

proptest! {
    #![proptest_config(config(1024))]

    /// `x = ±w` (`q = 2|p|`, eq. 18) and zero vectors: `Degenerate`, finite.
    #[test]
    fn degenerate_bilinear_parallel_and_zero(
        x in prop::collection::vec(-3.0..3.0f64, 1..=12),
        sign in prop_oneof![Just(1.0), Just(-1.0)],
        zero in any::<bool>(),
        m in bi_metric(),
        y in -5.0..5.0f64,
    ) {
        let x: Vec<f64> = if zero { vec![0.0; x.len()] } else { x };
        let w = x.iter().map(|v| sign * v).collect();
        check_degenerate(m, &BiPoint { x, w, y }, &[Status::Degenerate])?;
    }

    /// Huge `x`, `w` (1e150): converges to a finite projection.
    #[test]
    fn degenerate_bilinear_huge_vectors((x, w) in vec_pair(), m in bi_metric(), y in -5.0..5.0f64) {
        let a = BiPoint { x: x.iter().map(|v| v * 1e150).collect(), w: w.iter().map(|v| v * 1e150).collect(), y };
        check_degenerate(m, &a, &[Status::Converged, Status::StepCap])?;
        for solver in &SOLVERS {
            let (r, b) = m.project(&a, Safeguard::Midpoint, solver);
            if r.status == Status::Converged {
                let tol = BiTol::new(&a, &b, r.u);
                let res = m.residual(&b);
                prop_assert!(res.abs() <= tol.residual(&m, &b), "{}: residual {:e} ({:?})", solver.name, res, tol);
            }
        }
    }

    /// A huge target `Ω y` (1e20 to 1e150) with moderate vectors: the root
    /// is within rounding of ±1, yet `u` stays strictly inside `(-1, 1)`
    /// (module docs: "1 - u² never vanishes for finite input").
    #[test]
    fn degenerate_bilinear_huge_target(
        (x, w) in vec_pair(),
        m in bi_metric(),
        y in prop_oneof![Just(1e150), Just(-1e150), magnitude(20.0, 150.0)],
    ) {
        check_degenerate(m, &BiPoint { x, w, y }, &[Status::Converged, Status::StepCap])?;
    }

    /// NaN or ±∞ in `p`, `q` or `c`: `NonFinite`, within the step cap.
    #[test]
    fn degenerate_bilinear_nonfinite(
        (p, q, c) in lane_coeffs(),
        which in 0usize..3,
        bad in prop_oneof![Just(f64::NAN), Just(-f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
        (omega2, g2) in prop_oneof![(0.05..9.0f64, 0.1..10.0f64), Just((1.0, f64::INFINITY))],
    ) {
        let mut v = [p, q, c];
        v[which] = bad;
        let k = Coeffs { p: v[0], q: v[1], omega2, g2, c: v[2] };
        for guard in [Safeguard::Bracket, Safeguard::Midpoint] {
            for solver in &SOLVERS {
                let r = (solver.solve)(&k, guard);
                prop_assert_eq!(r.status, Status::NonFinite, "{} {:?} {:?}", solver.name, guard, k);
                prop_assert!(r.steps <= NEWTON_ITER);
            }
            let r = bilinear::solve_fused_from(&k, guard, 0.0);
            let l = bilinear::solve_lanes(V::splat(k.p), V::splat(k.q), omega2, g2, V::splat(k.c), guard);
            prop_assert!(l.steps <= NEWTON_ITER);
            check_lanes(l.u, &[r.u; LANES], "non-finite lanes")?;
        }
    }

    /// Finite coefficients of any magnitude, degenerate or not: `u` finite
    /// and strictly inside `(-1, 1)` within the step cap, a status other than
    /// `NonFinite`, `Degenerate` exactly when `q > 2|p|` fails, and the lane
    /// solvers equal to the scalar one.
    #[test]
    fn degenerate_bilinear_arbitrary_coeffs(
        k in prop::collection::vec(extreme_coeffs(), 8),
        (omega2, g2) in prop_oneof![(0.05..9.0f64, 0.1..10.0f64), Just((1.0, f64::INFINITY))],
    ) {
        for &(p, q, c) in &k {
            let coeffs = Coeffs { p, q, omega2, g2, c };
            for (guard, solver) in [Safeguard::Bracket, Safeguard::Midpoint].into_iter().flat_map(|g| SOLVERS.iter().map(move |s| (g, s))) {
                let r = (solver.solve)(&coeffs, guard);
                let what = format!("{} {guard:?} {coeffs:?}", solver.name);
                check_root_inside(&r, &what)?;
                prop_assert!(r.status != Status::NonFinite, "{}: {:?}", what, r);
                prop_assert_eq!(r.status == Status::Degenerate, q <= 2.0 * p.abs(), "{}: {:?}", what, r);
            }
        }
        check_lane_solvers(&k, omega2, g2)?;
    }

    /// Zero vectors on the sphere: `Ω e₀`; non-finite entries: `false` and
    /// unchanged; huge finite entries (squares overflow) and tiny vectors
    /// (squares underflow) projected like moderate ones.
    #[test]
    fn degenerate_sphere(
        n in 1usize..=12,
        omega in 0.1..5.0f64,
        w in prop::collection::vec(-3.0..3.0f64, 12),
        bad in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY), Just(1e200), Just(-1e300)],
        at in 0usize..12,
    ) {
        let mut z = vec![0.0; n];
        prop_assert!(consensus::sphere(&mut z, omega));
        prop_assert_eq!(z[0], omega);
        prop_assert!(z[1..].iter().all(|&v| v == 0.0));
        prop_assert!(consensus::sphere(&mut [], omega));

        let mut v = w[..n].to_vec();
        v[at % n] = bad;
        let orig = v.clone();
        if bad.is_finite() {
            prop_assert!(consensus::sphere(&mut v, omega), "refused a finite vector");
            prop_assert!(close(norm2(&v).sqrt(), omega, 1e-12), "norm {}", norm2(&v).sqrt());
            prop_assert!(close(v[at % n], omega * bad.signum(), 1e-9), "not along the huge entry: {v:?}");
        } else {
            prop_assert!(!consensus::sphere(&mut v, omega), "accepted a non-finite entry");
            prop_assert!(v.iter().zip(&orig).all(|(a, b)| a.to_bits() == b.to_bits()), "changed on failure");
        }
        // 1e-200 · w: the squares underflow; the direction is w's
        if w[..n].iter().any(|&x| x != 0.0) {
            let mut tiny: Vec<f64> = w[..n].iter().map(|&x| x * 1e-200).collect();
            let mut plain = w[..n].to_vec();
            prop_assert!(consensus::sphere(&mut tiny, omega) && consensus::sphere(&mut plain, omega));
            prop_assert!(tiny.iter().zip(&plain).all(|(&a, &b)| close(a, b, 1e-12)), "{tiny:?} vs {plain:?}");
        }
    }
}

/// All-zero, all-negative and empty columns of `nonneg_sphere_strided`.
#[test]
fn degenerate_nonneg_sphere() {
    let mut w = [0.0, 7.0, 0.0, 7.0, -0.0, 7.0];
    assert!(consensus::nonneg_sphere_strided(&mut w, 0, 2, 3, 0.5));
    assert_eq!(w, [0.5, 7.0, 0.0, 7.0, 0.0, 7.0], "all zero: the first entry");
    let mut w = [9.0, -3.0, -1.0, -1.0, -2.0];
    assert!(consensus::nonneg_sphere_strided(&mut w, 1, 1, 4, 2.0));
    assert_eq!(w, [9.0, 0.0, 2.0, 0.0, 0.0], "all negative: the first largest entry");
    let mut w = [-f64::INFINITY, -1e300, -5.0];
    assert!(consensus::nonneg_sphere_strided(&mut w, 0, 1, 3, 1.0));
    assert_eq!(w, [0.0, 0.0, 1.0]);
    let mut w = [f64::NAN, 0.5, -1.0];
    assert!(!consensus::nonneg_sphere_strided(&mut w, 0, 1, 3, 2.0));
    assert_eq!(w, [0.0, 2.0, 0.0], "a NaN entry becomes 0 and hides no positive entry");
    let mut w = [-1.0, 2.0];
    assert!(!consensus::nonneg_sphere_strided(&mut w, 0, 1, 0, 1.0));
    assert_eq!(w, [-1.0, 2.0], "n = 0 changes nothing");
}

/// Where a non-finite value is planted in a network batch.
#[derive(Clone, Copy, Debug)]
enum Plant {
    W,
    X,
    Y,
    B,
    Data,
}

proptest! {
    #![proptest_config(config(256))]

    /// A NaN or ±∞ anywhere in the state or data: both paths return `Ok` for
    /// several iterations, and the oracle reports it (a non-finite solve or
    /// a non-finite RRR_err).
    #[test]
    fn degenerate_network_nonfinite_state(
        seed in any::<u64>(),
        items in 1usize..=3 * LANES + 1,
        block in prop_oneof![Just(0usize), Just(4), Just(8)],
        mode in prop_oneof![
            Just(ClassMode::Plain),
            Just(ClassMode::Exempt(1)),
            Just(ClassMode::Relabel(1)),
            Just(ClassMode::FalsePositive(1)),
        ],
        plant in prop_oneof![Just(Plant::W), Just(Plant::X), Just(Plant::Y), Just(Plant::B), Just(Plant::Data)],
        bad in prop_oneof![Just(f64::NAN), Just(-f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
    ) {
        let mut rng = Rng(seed);
        let case = NetCase::random(&[5, 4, 2], items, 2.0, &mut rng);
        let net = case.spec.net().unwrap();
        let (n, e) = (net.nodes(), net.edges());
        let layout = if block == 0 { Layout::batch_innermost(items) } else { Layout::new(items, block) }.unwrap();
        let p = net_params(mode);
        let k = rng.below(items);
        for path in [Path::Oracle, Path::Fast] {
            let mut buf = case.buffers(layout, &p);
            let (w, x) = buf.edges.f64_mut().expect("f64 state");
            match plant {
                Plant::W => w[layout.at(k, rng.below(e), e)] = bad,
                Plant::X => x[layout.at(k, rng.below(e), e)] = bad,
                Plant::Y => buf.y[layout.at(k, 5 + rng.below(n - 5), n)] = bad,
                Plant::B => buf.b[layout.at(k, 5 + rng.below(n - 5), n)] = bad,
                Plant::Data => buf.values[layout.at(k, rng.below(5), n)] = bad,
            }
            let mut errs = Vec::new();
            for _ in 0..3 {
                let r = buf.iterate(&net, &p, path);
                prop_assert!(r.is_ok(), "{:?}: {:?}", path, r);
                errs.push(r.unwrap().rrr_err);
            }
            if path == Path::Oracle {
                prop_assert!(
                    buf.counters.nonfinite > 0 || errs.iter().any(|e| !e.is_finite()),
                    "unreported: {:?} {:?}", buf.counters, errs
                );
            }
        }
    }
}

proptest! {
    /// `Layout::split`: the fewest blocks of at most `max_block` items, all
    /// blocks the same whole number of lane groups, padding less than one
    /// lane group per block; `preferred` is `split` by `PREFERRED_BLOCK`.
    #[test]
    fn layout_split(items in 1usize..5000, groups in 1usize..64) {
        let max_block = groups * LANES;
        let l = Layout::split(items, max_block).unwrap();
        prop_assert_eq!(l.blocks(), items.div_ceil(max_block));
        prop_assert!(l.block() <= max_block && l.block().is_multiple_of(LANES));
        prop_assert!(l.lanes() >= items && l.lanes() - items < l.blocks() * LANES, "{l:?}");
        prop_assert_eq!(Layout::preferred(items).unwrap(), Layout::split(items, PREFERRED_BLOCK).unwrap());
    }
}
