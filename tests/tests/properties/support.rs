//! Configuration and shared helpers: the proptest configuration, the
//! case-local RNG, vector arithmetic, strategies and lane helpers used by
//! more than one section.

use lwl_kernel::activation::Activation;
use lwl_kernel::bilinear::{self, Coeffs, Root, Safeguard};
use lwl_kernel::simd::{LANES, V, V8};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

pub(crate) type TestResult = Result<(), TestCaseError>;

/// A fixed number of cases, nothing written to disk.
pub(crate) fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// SplitMix64: samples candidate points inside a case (seeded by proptest).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform in `[-1, 1)`.
    pub(crate) fn sym(&mut self) -> f64 {
        2.0 * self.unit() - 1.0
    }
    /// Uniform index below `n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// `n` values uniform in `[-scale, scale)`.
    pub(crate) fn vec(&mut self, n: usize, scale: f64) -> Vec<f64> {
        (0..n).map(|_| scale * self.sym()).collect()
    }
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub(crate) fn norm2(a: &[f64]) -> f64 {
    dot(a, a)
}

pub(crate) fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// `a + s r`.
pub(crate) fn axpy(a: &[f64], s: f64, r: &[f64]) -> Vec<f64> {
    a.iter().zip(r).map(|(x, y)| x + s * y).collect()
}

/// `|got - want| ≤ tol · max(1, |want|)`.
pub(crate) fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol * want.abs().max(1.0)
}

/// Same bits; any two NaNs count as equal (their payload is not specified).
pub(crate) fn same_bits(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Moderate coordinates with some exact zeros and ties on a 0.25 grid.
pub(crate) fn coord() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -3.0..3.0f64,
        1 => Just(0.0),
        2 => (-12i32..=12).prop_map(|i| f64::from(i) * 0.25),
    ]
}

/// Like [`coord`], with signed zeros, infinities, NaN and huge values.
pub(crate) fn special() -> impl Strategy<Value = f64> {
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
pub(crate) fn magnitude(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (lo..hi).prop_map(|e| 10f64.powf(e))
}

/// Two vectors of equal length `1..=12`.
pub(crate) fn vec_pair() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (1usize..=12).prop_flat_map(|n| (prop::collection::vec(-3.0..3.0f64, n), prop::collection::vec(-3.0..3.0f64, n)))
}

/// `LANES` values of a strategy.
pub(crate) fn lane_vec<S: Strategy>(s: S) -> impl Strategy<Value = Vec<S::Value>> {
    prop::collection::vec(s, LANES)
}

/// Lane values as a SIMD vector.
pub(crate) fn lanes(v: &[f64]) -> V {
    V::new(core::array::from_fn(|l| v[l]))
}

/// A lane mask (all bits set for `true`), as the kernel's comparisons make.
pub(crate) fn mask(b: &[bool]) -> V {
    V::new(core::array::from_fn(|l| if b[l] { f64::from_bits(u64::MAX) } else { 0.0 }))
}

/// Widths: mostly positive, some zero or negative (a step with zero gap).
pub(crate) fn width() -> impl Strategy<Value = f64> {
    prop_oneof![6 => 0.01..2.0f64, 1 => Just(0.0), 1 => -1.0..0.0f64]
}

pub(crate) fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![
        Just(Activation::Relu),
        width().prop_map(|width| Activation::Step { width }),
        width().prop_map(|width| Activation::Zigmoid { width }),
        prop_oneof![3 => 0.0..1.5f64, 1 => -0.5..0.0f64].prop_map(|tau| Activation::Soft { tau }),
    ]
}

/// The `n`-th largest (NaN of either sign above every number), `n` capped at
/// the length; `None` for `n = 0` or no values.
pub(crate) fn naive_largest(v: &[f64], n: usize) -> Option<f64> {
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

/// Lane-by-lane bit comparison.
pub(crate) fn check_lanes(got: V, want: &[f64], what: &str) -> TestResult {
    let g = got.to_array();
    for l in 0..LANES {
        prop_assert!(same_bits(g[l], want[l]), "{} lane {}: {:e} vs scalar {:e}", what, l, g[l], want[l]);
    }
    Ok(())
}

/// One lane's `(p, q, c)`: from random vectors (generic), degenerate
/// (`q = 2|p|` or zero) or arbitrary.
pub(crate) fn lane_coeffs() -> impl Strategy<Value = (f64, f64, f64)> {
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
pub(crate) fn extreme_coeffs() -> impl Strategy<Value = (f64, f64, f64)> {
    prop_oneof![
        (any_magnitude(), magnitude(-300.0, 300.0), any_magnitude()),
        (magnitude(-300.0, 307.0), -3i32..=3, any::<bool>(), prop_oneof![Just(0.0), any_magnitude()])
            .prop_map(|(m, j, neg, c)| (if neg { -m } else { m }, m * (1.0 + f64::from(j) * f64::EPSILON), c)),
    ]
}

/// A value of either sign and magnitude `1e-300..1e300`.
pub(crate) fn any_magnitude() -> impl Strategy<Value = f64> {
    (magnitude(-300.0, 300.0), any::<bool>()).prop_map(|(m, neg)| if neg { -m } else { m })
}

/// Both lane solvers against their scalar twin (the fused solve) on `k` (at
/// least 8 lanes of `(p, q, c)`): roots and `1/(1 − u²)` bit for bit,
/// bisections summed, steps of the slowest lane.
pub(crate) fn check_lane_solvers(k: &[(f64, f64, f64)], omega2: f64, g2: f64) -> TestResult {
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
