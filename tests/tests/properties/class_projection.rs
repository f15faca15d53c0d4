//! Class nodes: plain projection (section 1c); it lands in its set, is
//! idempotent and is not beaten by any sampled point of the set.

use lwl_kernel::class;
use proptest::prelude::*;

use crate::support::{Rng, config, coord};

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
