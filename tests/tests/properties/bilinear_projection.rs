//! Bilinear projection (eq. 19/52), network form and NMF form (section 1a):
//! the projection lands on the constraint, is idempotent and is not beaten
//! by any sampled point of the constraint.

use lwl_kernel::bilinear::{Safeguard, Status};
use proptest::prelude::*;

use crate::fixtures::{BiMetric, BiPoint, BiTol, SOLVERS, Solver};
use crate::support::{Rng, TestResult, config, magnitude, vec_pair};

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
