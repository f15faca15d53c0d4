//! Tests of the activation sets: values, projections (feasible, idempotent,
//! optimal), boundary rules and the lane twins.

use super::*;

fn graph_points(act: Activation) -> impl Iterator<Item = (f64, f64, f64)> {
    (-40..=40).flat_map(move |i| {
        (-4..=4).map(move |j| {
            let z = i as f64 * 0.05;
            let b = j as f64 * 0.3;
            (value(act, z), z + b, b)
        })
    })
}

fn on_graph(act: Activation, x: f64, y: f64, b: f64) -> bool {
    let z = y - b;
    match act {
        Activation::Step { width } => (x == 0.0 && z <= -width / 2.0 + 1e-12) || (x == 1.0 && z >= width / 2.0 - 1e-12),
        _ => (x - value(act, z)).abs() < 1e-12,
    }
}

const ACTS: [Activation; 4] = [
    Activation::Relu,
    Activation::Step { width: 0.4 },
    Activation::Zigmoid { width: 0.4 },
    Activation::Soft { tau: 0.3 },
];

#[test]
fn feasible_idempotent_optimal() {
    for act in ACTS {
        for i in 0..400 {
            let x = ((i * 37) % 101) as f64 / 25.0 - 2.0;
            let y = ((i * 53) % 97) as f64 / 20.0 - 2.4;
            let b = ((i * 11) % 89) as f64 / 30.0 - 1.5;
            let (xp, yp, bp) = project(act, x, y, b);
            assert!(on_graph(act, xp, yp, bp), "{act:?} {x} {y} {b} -> {xp} {yp} {bp}");
            let again = project(act, xp, yp, bp);
            assert!((again.0 - xp).abs() < 1e-12 && (again.1 - yp).abs() < 1e-12);
            let d = (xp - x).powi(2) + (yp - y).powi(2) + (bp - b).powi(2);
            for (gx, gy, gb) in graph_points(act).filter(|&(a, b, c)| on_graph(act, a, b, c)) {
                let dg = (gx - x).powi(2) + (gy - y).powi(2) + (gb - b).powi(2);
                assert!(d <= dg + 1e-9, "{act:?}: sampled point closer");
            }
        }
    }
}

#[test]
fn fixed_reaches_value() {
    for act in ACTS {
        for v in [0.0, 1.0, 0.25] {
            let (y, b) = fixed(act, v, 0.37, -0.2);
            let want = match act {
                Activation::Step { .. } => {
                    if v >= 0.5 {
                        1.0
                    } else {
                        0.0
                    }
                }
                _ => v,
            };
            assert!(on_graph(act, want, y, b), "{act:?} {v}");
            assert!(((y + b) - (0.37 - 0.2)).abs() < 1e-12);
        }
    }
}

#[test]
fn step_is_zero_at_zero_and_one_above() {
    for act in [Activation::Step { width: 0.4 }, Activation::Zigmoid { width: 0.0 }] {
        assert_eq!(value(act, 0.0), 0.0, "{act:?}");
        assert_eq!(value(act, -0.0), 0.0, "{act:?}");
        assert_eq!(value(act, f64::MIN_POSITIVE), 1.0, "{act:?}");
        assert_eq!(value(act, -1e-300), 0.0, "{act:?}");
    }
    // the zigmoid's ramp (z + h)/Δ, 0 at -h and 1 at +h
    let z = Activation::Zigmoid { width: 0.4 };
    assert_eq!(value(z, 0.0), 0.5);
    assert_eq!(value(z, -0.2), 0.0);
    assert_eq!(value(z, 0.2), 1.0);
    assert_eq!(value(z, 0.1), (0.1 + 0.2) / 0.4);
}

/// X = 0.5 at z = 0 is equally far from both flat pieces of the step:
/// d0 = 0.25 + 2(h/2)² = d1. The tie goes to X = 1 (z moved to +h).
#[test]
fn step_tie_goes_to_one() {
    for width in [0.4, 0.8, 0.0] {
        let act = Activation::Step { width };
        let (x, y, b) = project(act, 0.5, 0.3, 0.3);
        assert_eq!(x, 1.0, "width {width}");
        assert!((y - b - width / 2.0).abs() < 1e-15, "width {width}");
        let l = project_lanes(act, V::splat(0.5), V::splat(0.3), V::splat(0.3));
        assert_eq!((l.0.to_array()[0], l.1.to_array()[0], l.2.to_array()[0]), (x, y, b));
    }
    // one bit nearer to 0 goes to 0
    let (x, _, _) = project(Activation::Step { width: 0.4 }, 0.5 - 1e-12, 0.3, 0.3);
    assert_eq!(x, 0.0);
}

/// Scalar and lane versions agree bit for bit on a grid that holds the
/// boundaries exactly (z = ±h, 0, ties, the ramp's ends) and NaN.
#[test]
fn lanes_equal_scalar_on_boundaries() {
    let acts = [
        Activation::Relu,
        Activation::Step { width: 0.4 },
        Activation::Zigmoid { width: 0.4 },
        Activation::Zigmoid { width: 0.0 },
        Activation::Soft { tau: 0.2 },
    ];
    let xs = [-0.5, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5, f64::NAN];
    let zs = [-0.4, -0.2, -0.1, 0.0, 0.1, 0.2, 0.4, -0.0];
    for act in acts {
        for &x in &xs {
            for &z in &zs {
                for b in [0.0, 0.3, -1.25] {
                    let y = z + b;
                    let s = project(act, x, y, b);
                    let l = project_lanes(act, V::splat(x), V::splat(y), V::splat(b));
                    let l = (l.0.to_array()[3], l.1.to_array()[3], l.2.to_array()[3]);
                    let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
                    assert!(same(s.0, l.0) && same(s.1, l.1) && same(s.2, l.2), "{act:?} {x} {y} {b}");
                }
            }
        }
    }
}

#[test]
fn fixed_interior_zigmoid_value_moves_z_to_the_ramp() {
    let act = Activation::Zigmoid { width: 0.4 };
    for v in [0.25, 0.5, 0.9] {
        let (y, b) = fixed(act, v, 0.7, 0.1);
        assert!((value(act, y - b) - v).abs() < 1e-15, "{v}");
        assert!((y + b - 0.8).abs() < 1e-15);
    }
}
