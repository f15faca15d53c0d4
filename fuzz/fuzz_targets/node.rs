//! Node constraints: for every activation `project_lanes` equals `project` bit
//! for bit per lane (ReLU: `relu_lanes` vs `relu`); for moderate finite
//! input the projection is finite and on the graph of `f`, and `fixed` is
//! finite and moves `y`, `b` equally and oppositely.
#![no_main]
#[path = "common.rs"]
mod common;

use common::{Bytes, lanes, moderate, same};
use libfuzzer_sys::fuzz_target;
use lwl_kernel::activation::{Activation, fixed, project, project_lanes, value};
use lwl_kernel::simd::V;

fuzz_target!(|data: &[u8]| {
    let mut r = Bytes(data);
    let par = r.f64();
    let par = if par.is_finite() { par.abs() } else { 0.0 };
    let (x, y, b) = (r.f64x4(), r.f64x4(), r.f64x4());
    for act in [
        Activation::Relu,
        Activation::Step { width: par },
        Activation::Zigmoid { width: par },
        Activation::Soft { tau: par },
    ] {
        let l = project_lanes(act, V::new(x), V::new(y), V::new(b));
        let (lx, ly, lb) = (lanes(l.0), lanes(l.1), lanes(l.2));
        for i in 0..4 {
            let (xp, yp, bp) = project(act, x[i], y[i], b[i]);
            assert!(
                same(xp, lx[i]) && same(yp, ly[i]) && same(bp, lb[i]),
                "{act:?} lane {i}: {:?} vs {l:?}",
                (xp, yp, bp)
            );
            if !([par, x[i], y[i], b[i]].iter().all(|&v| moderate(v))) {
                continue;
            }
            let (input, out) = ((x[i], y[i], b[i]), (xp, yp, bp));
            assert!(xp.is_finite() && yp.is_finite() && bp.is_finite(), "{act:?} {input:?} -> {out:?}");
            // on the graph: tolerance relative to the inputs, times the slope
            let tol = 1e-12 * [1.0, x[i].abs(), y[i].abs(), b[i].abs(), par].iter().fold(0.0f64, |a, &v| a.max(v));
            let z = yp - bp;
            // the step, and a zigmoid whose half width rounds to 0 (the step with zero gap)
            let gap = match act {
                Activation::Step { width } => Some(width),
                Activation::Zigmoid { width } if 0.5 * width == 0.0 => Some(0.0),
                _ => None,
            };
            let slope = if let Activation::Zigmoid { width } = act { 1.0 + 1.0 / width } else { 1.0 };
            let on = match gap {
                Some(w) => (xp == 0.0 && z <= -w / 2.0 + tol) || (xp == 1.0 && z >= w / 2.0 - tol),
                None => (xp - value(act, z)).abs() <= tol * slope,
            };
            assert!(on, "{act:?} {input:?} -> {out:?} not on the graph");
            let (fy, fb) = fixed(act, x[i], y[i], b[i]);
            assert!(fy.is_finite() && fb.is_finite(), "fixed {act:?} {input:?} -> {fy} {fb}");
            let scale = [y[i], b[i], fy, fb].iter().fold(f64::MIN_POSITIVE, |a, &v| a.max(v.abs()));
            assert!(((fy + fb) - (y[i] + b[i])).abs() <= 1e-12 * scale, "fixed {act:?} {input:?} -> {fy} {fb}");
        }
    }
});
