//! Shared fixtures: the bilinear problem (point, metric, solvers and
//! tolerances; used by the bilinear projection and the degenerate input
//! tests) and the random classifier batch (used by the whole iterations
//! and the degenerate input tests).

use lwl_kernel::bilinear::{self, Coeffs, NEWTON_EPS, Root, Safeguard};
use lwl_kernel::consensus;
use lwl_kernel::graph::NodeKind;
use lwl_kernel::layout::Layout;
use lwl_kernel::network::{Params, Settle};
use lwl_runners::engine::NetBuffers;
use lwl_runners::formats::netfile::NetSpec;

use crate::support::{Rng, axpy, dist2, dot, norm2};

/// A point `(x, w, y)` of the bilinear problem.
#[derive(Clone, Debug)]
pub(crate) struct BiPoint {
    pub(crate) x: Vec<f64>,
    pub(crate) w: Vec<f64>,
    pub(crate) y: f64,
}

/// The constraint `x·w = Ω y` and its metric `|dx|² + |dw|² + g² dy²`.
/// `g2 = ∞` is the NMF form: `Ω = 1`, `y` fixed to the data.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BiMetric {
    pub(crate) omega: f64,
    pub(crate) g2: f64,
}

impl BiMetric {
    fn nmf(&self) -> bool {
        self.g2.is_infinite()
    }

    pub(crate) fn coeffs(&self, a: &BiPoint) -> Coeffs {
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

    pub(crate) fn project(&self, a: &BiPoint, guard: Safeguard, solver: &Solver) -> (Root, BiPoint) {
        let r = (solver.solve)(&self.coeffs(a), guard);
        (r, self.apply(a, r.u))
    }

    pub(crate) fn residual(&self, a: &BiPoint) -> f64 {
        dot(&a.x, &a.w) - self.omega * a.y
    }

    /// Scale of the residual: `max(1, |x|² + |w|², |Ω y|)` (`|x|² + |w|² ≥ 2|x·w|`).
    pub(crate) fn scale(&self, a: &BiPoint) -> f64 {
        (norm2(&a.x) + norm2(&a.w)).max((self.omega * a.y).abs()).max(1.0)
    }

    pub(crate) fn dist(&self, a: &BiPoint, b: &BiPoint) -> f64 {
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
    pub(crate) fn samples(&self, a: &BiPoint, b: &BiPoint, rng: &mut Rng) -> Vec<BiPoint> {
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
pub(crate) struct Solver {
    pub(crate) name: &'static str,
    pub(crate) solve: fn(&Coeffs, Safeguard) -> Root,
    pub(crate) slack: f64,
}

/// Both solvers; every bilinear projection check runs for each.
pub(crate) const SOLVERS: [Solver; 2] = [
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
pub(crate) struct BiTol {
    rel: f64,
    scale: f64,
    u: f64,
}

impl BiTol {
    pub(crate) fn new(a: &BiPoint, b: &BiPoint, u: f64) -> Self {
        let den = 1.0 - u * u;
        let scale = a.x.iter().chain(&a.w).chain(&b.x).chain(&b.w).fold(1.0f64, |m, v| m.max(v.abs()));
        Self { rel: 1e-9f64.max(64.0 * f64::EPSILON / (den * den)), scale, u }
    }
    /// Bound on `|x'·w' - Ω y'|`.
    pub(crate) fn residual(&self, m: &BiMetric, b: &BiPoint) -> f64 {
        self.rel * (self.scale * self.scale).max((m.omega * b.y).abs())
    }
    /// Bound on the move of a vector entry.
    pub(crate) fn entry(&self) -> f64 {
        self.rel * self.scale
    }
    /// Bound on the move of `y` (`Ω u / g²` with `u ≈ residual / (Ω²/g² + q)`).
    pub(crate) fn y(&self, m: &BiMetric, b: &BiPoint) -> f64 {
        self.rel * b.y.abs().max(1.0).max(self.scale * self.scale / m.omega)
    }
    /// Bound on the rounding of a distance `d`.
    pub(crate) fn dist(&self, d: f64) -> f64 {
        self.rel * d.max(self.scale * self.scale)
    }
    /// Bound on the difference of two roots: each solve stops after a step
    /// below `NEWTON_EPS`, so each may be about that far from the root, and
    /// the root is defined to about `ε / (1 - u²)` near the pole.
    pub(crate) fn root(&self) -> f64 {
        2.0 * NEWTON_EPS + 64.0 * f64::EPSILON / (1.0 - self.u * self.u)
    }
}

/// The classifier hyperparameters of the golden cases.
pub(crate) use lwl_tests::class_params as net_params;

/// A random classifier batch: initial weights (each node's in-weights on the
/// sphere of radius Ω), input data in `[0, 1]` and labels.
pub(crate) struct NetCase {
    pub(crate) spec: NetSpec,
    weights: Vec<f64>,
    data: Vec<Vec<f64>>,
    labels: Vec<u32>,
}

impl NetCase {
    pub(crate) fn random(sizes: &[usize], items: usize, omega: f64, rng: &mut Rng) -> Self {
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
    pub(crate) fn buffers(&self, layout: Layout, p: &Params) -> NetBuffers {
        let net = self.spec.net().unwrap();
        let n = net.nodes();
        let mut buf = NetBuffers::new(&net, layout).unwrap();
        for (k, item) in self.data.iter().enumerate() {
            for (i, &v) in item.iter().enumerate() {
                buf.values[layout.at(k, i, n)] = v;
            }
            // real targets of the class nodes (ClassMode::Targets); every
            // other class mode ignores them
            for i in (0..n).filter(|&i| net.kind(i) == NodeKind::Class) {
                buf.values[layout.at(k, i, n)] = ((k + i) % 5) as f64 * 0.25 - 0.5;
            }
            buf.labels[k] = self.labels[k];
        }
        assert!(buf.init_forward(&net, p, Settle::ONCE, &self.weights, &vec![0.0; n]));
        buf
    }
}
