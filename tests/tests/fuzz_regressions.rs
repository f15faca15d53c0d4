//! Regression tests from the fuzz targets (fuzz/README.md). Four reproduce
//! kernel bugs the fuzzers found, now fixed (the crashing inputs are in
//! fuzz/regressions/): a root rounding onto -1, a negative NaN counted as the
//! smallest value, a NaN first value hiding positive ones, and an overflow in
//! `Layout::batch_innermost`. The others pin inputs that first failed a fuzz
//! target whose check was too strict; the kernel was right.

use lwl_kernel::activation::{Activation, project};
use lwl_kernel::bilinear::{Coeffs, Safeguard, Status, solve, solve_fused_from, solve_lanes};
use lwl_kernel::class::{largest_threshold, plain, selected};
use lwl_kernel::consensus::nonneg_sphere_strided;
use lwl_kernel::layout::{Layout, LayoutError};
use lwl_kernel::simd::V;

/// x86's default NaN (from `inf - inf`, `0 · inf`) has the sign bit set.
const NEG_NAN: f64 = f64::from_bits(0xFFF8_0000_0000_0000);

/// fuzz/regressions/bilinear-midpoint-rounds-to-minus-one: the first Newton
/// step lands on `-(1 - 2^-53)`, the next is NaN (h0 overflows), and the
/// bisection midpoint `0.5 · (ta + tb)` with `tb = -1` rounds to exactly -1,
/// so `1 - u²` vanishes although the input is finite.
const BOUNDARY: Coeffs = Coeffs { p: 9.999999999999999e299, q: 1e300, omega2: 1.0, g2: f64::INFINITY, c: 0.0 };

#[test]
fn bilinear_root_stays_inside_for_finite_input() {
    for r in [solve(&BOUNDARY, Safeguard::Bracket), solve_fused_from(&BOUNDARY, Safeguard::Bracket, 0.0)] {
        assert_eq!(r.status, Status::Degenerate);
        assert!(r.u.abs() < 1.0, "documented: u strictly inside (-1, 1) for finite input; got {r:?}");
    }
}

#[test]
fn bilinear_lanes_equal_scalar_on_boundary_case() {
    let k = BOUNDARY;
    for guard in [Safeguard::Bracket, Safeguard::Midpoint] {
        let s = solve_fused_from(&k, guard, 0.0);
        let l = solve_lanes(V::splat(k.p), V::splat(k.q), k.omega2, k.g2, V::splat(k.c), guard);
        assert!(l.u.to_array().iter().all(|u| u.to_bits() == s.u.to_bits()), "{guard:?}");
        assert_eq!((l.steps, l.bisections), (s.steps, 4 * s.bisections));
    }
}

/// fuzz/regressions/class-negative-nan-threshold: `largest_threshold` orders
/// with `total_cmp`, which puts a NaN with the sign bit set below every
/// number, though its doc says NaN counts as larger than every number. With
/// budget 3 for `[5, 3, -NaN]` the threshold becomes the NaN and `selected`
/// then picks only the NaN item.
#[test]
fn negative_nan_counts_as_largest() {
    let v = [5.0, 3.0, NEG_NAN];
    let t = largest_threshold(&v, 3, &mut [0.0; 3]);
    assert_eq!(t, Some(3.0));
    assert_eq!(v.map(|x| selected(x, t)), [true, true, true]);
}

#[test]
fn positive_nan_counts_as_largest() {
    let v = [5.0, 3.0, f64::NAN];
    let t = largest_threshold(&v, 3, &mut [0.0; 3]);
    assert_eq!(t, Some(3.0));
    assert_eq!(v.map(|x| selected(x, t)), [true, true, true]);
    let t = largest_threshold(&v, 1, &mut [0.0; 3]);
    assert!(t.is_some_and(f64::is_nan));
}

/// fuzz/regressions/consensus-nan-first-hides-positive: the running maximum
/// starts at the first value; a NaN there makes every `m > max` false, so
/// the column `[NaN, 2]` is taken as all non-positive: `w[0]` becomes 1 next
/// to the kept 2, both are scaled, and the function returns `true`.
#[test]
fn nan_first_does_not_hide_positive_values() {
    let mut w = [f64::NAN, 2.0];
    let all_nonpos = nonneg_sphere_strided(&mut w, 0, 1, 2, 1.0);
    assert!(!all_nonpos, "2.0 is positive; got {w:?}");
    assert_eq!(w, [0.0, 1.0]);
}

#[test]
fn nan_later_is_treated_as_zero() {
    let mut w = [2.0, f64::NAN];
    assert!(!nonneg_sphere_strided(&mut w, 0, 1, 2, 1.0));
    assert_eq!(w, [1.0, 0.0]);
}

/// fuzz/regressions/structure-batch-innermost-overflow: `round_up(items)`
/// computes `items.div_ceil(4) * 4`, which overflows for
/// `items > usize::MAX - 3` (a panic with overflow checks, a block of 0 and
/// `BadBlock` without).
#[test]
fn batch_innermost_of_huge_batch_is_too_large() {
    assert_eq!(Layout::batch_innermost(usize::MAX), Err(LayoutError::TooLarge));
}

/// A zigmoid of width 0 is the step with zero gap: at `z = 0` both 0 and 1
/// are on its graph (the node target first checked against `value`, which
/// takes 0 there).
#[test]
fn zigmoid_of_zero_width_projects_like_the_step() {
    let x = 5627415650.5625;
    assert_eq!(project(Activation::Zigmoid { width: 0.0 }, x, 0.0, 0.0), (1.0, 0.0, 0.0));
    assert_eq!(project(Activation::Step { width: 0.0 }, x, 0.0, 0.0), (1.0, 0.0, 0.0));
}

/// With a subnormal margin `(z - margin) / 2` rounds, and `z'` may fall one
/// subnormal step short of the margin (the class target now allows 1e-300).
#[test]
fn plain_projection_with_subnormal_margin() {
    let margin = 1.63e-322;
    let (y, b, d) = plain(0.0, 0.0, margin, true);
    assert!(y - b >= margin - 1e-300 && d >= 0.0);
    assert!(margin - (y - b) <= f64::from_bits(1), "{y:e} {b:e}");
}
