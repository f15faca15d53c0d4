//! Degenerate input (section 4) never panics and gives a finite result or a
//! documented status.

use lwl_kernel::bilinear::{self, Coeffs, NEWTON_ITER, Root, Safeguard, Status};
use lwl_kernel::class::ClassMode;
use lwl_kernel::consensus;
use lwl_kernel::layout::{Layout, PREFERRED_BLOCK};
use lwl_kernel::simd::{LANES, V};
use lwl_runners::engine::Method;
use proptest::prelude::*;

use crate::fixtures::{BiMetric, BiPoint, BiTol, NetCase, SOLVERS, net_params};
use crate::support::{
    Rng, TestResult, check_lane_solvers, check_lanes, close, config, extreme_coeffs, lane_coeffs, magnitude, norm2,
    vec_pair,
};

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
    // a column past the end of the slice (or whose offsets overflow) is
    // left alone
    let before = w;
    for (start, stride, n) in [(0, 1, w.len() + 1), (w.len(), 1, 1), (1, usize::MAX, 2), (usize::MAX, 1, 1)] {
        assert!(!consensus::nonneg_sphere_strided(&mut w, start, stride, n, 1.0));
        assert_eq!(w, before);
    }
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
        for path in [Method::Oracle, Method::Simd] {
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
            if path == Method::Oracle {
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
