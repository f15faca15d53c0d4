//! SIMD kernels equal their scalar twins, bit for bit per lane (section 2).

use lwl_kernel::activation;
use lwl_kernel::class;
use lwl_kernel::simd::{self, LANES};
use proptest::prelude::*;

use crate::support::{
    activation, check_lane_solvers, check_lanes, config, extreme_coeffs, lane_coeffs, lane_vec, lanes, mask, special,
};

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn simd_relu_equals_scalar(x in lane_vec(special()), y in lane_vec(special()), b in lane_vec(special())) {
        let (gx, gy, gb) = activation::relu_lanes(lanes(&x), lanes(&y), lanes(&b));
        let want: Vec<(f64, f64, f64)> = (0..LANES).map(|l| activation::relu(x[l], y[l], b[l])).collect();
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

    /// `simd::sum_lanes` vs `sum` for every length `0..=3·LANES+1`, within
    /// `len · 2⁻⁵² · Σ|v|`.
    #[test]
    fn simd_sum_equals_scalar(
        v in prop::collection::vec(prop_oneof![-1.0..1.0f64, -1e6..1e6f64, Just(0.0)], 3 * LANES + 1),
    ) {
        for len in 0..=3 * LANES + 1 {
            let s = &v[..len];
            let (a, b) = (simd::sum_lanes(s), simd::sum(s));
            let bound = len as f64 * f64::EPSILON * s.iter().map(|x| x.abs()).sum::<f64>();
            prop_assert!((a - b).abs() <= bound, "len {}: {:e} vs {:e}", len, a, b);
        }
    }
}
