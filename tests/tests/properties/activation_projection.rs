//! Activations: graph projection and fixed values (section 1b); every
//! projection lands in its set, is idempotent and is not beaten by any
//! sampled point of the set.

use lwl_kernel::activation::{self, Activation};
use proptest::prelude::*;

use crate::support::{Rng, TestResult, activation, config, coord};

fn half(width: f64) -> f64 {
    if width > 0.0 { 0.5 * width } else { 0.0 }
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
