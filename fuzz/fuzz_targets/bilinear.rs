//! Bilinear root solve: `solve_lanes` (4 lanes) and `solve_lanes8` (8 lanes)
//! equal their scalar twin `solve_fused_from` bit for bit per lane, roots
//! and `1/(1 − u²)` (both safeguards, same bisection total and slowest-lane
//! step count); both scalar solves (`solve`, the reference order, and the
//! fused one) are bounded, `|u| <= 1` always and `|u| < 1` for finite
//! coefficients and a valid metric; `NonFinite` exactly when `p`, `q`, `c`
//! or `u` is not finite; where both converge on a problem of moderate
//! coefficients and metric (flag 2, coefficients zero or normal; NMF form or
//! `Ω²`, `g²` in [1e-6, 1e6]) away from the pole their roots agree within
//! `4·NEWTON_EPS`.
#![no_main]
#[path = "common.rs"]
mod common;

use common::{Bytes, lanes};
use libfuzzer_sys::fuzz_target;
use lwl_kernel::bilinear::{
    Coeffs, NEWTON_EPS, NEWTON_ITER, Safeguard, Status, solve, solve_fused_from, solve_lanes, solve_lanes8,
};
use lwl_kernel::simd::{V, V8};

fuzz_target!(|data: &[u8]| {
    let mut r = Bytes(data);
    let flags = r.u8();
    let (mut omega2, mut g2) = (r.f64(), r.f64());
    if flags & 1 != 0 {
        (omega2, g2) = (1.0, f64::INFINITY); // the NMF form
    }
    // flag 2: p, c in (-16, 16) and q in [0, 16), where most solves are well-posed
    let mut v = |pos: bool| match r.f64() {
        v if flags & 2 == 0 => v,
        v if v.is_finite() => {
            if pos {
                v.abs() % 16.0
            } else {
                v % 16.0
            }
        }
        _ => 0.0,
    };
    let k: [Coeffs; 8] = core::array::from_fn(|_| Coeffs { p: v(false), q: v(true), omega2, g2, c: v(false) });
    let metric_ok = omega2.is_finite() && omega2 > 0.0 && g2 > 0.0 && (g2.is_finite() || omega2 == 1.0);
    let v4 = |h: usize, f: fn(&Coeffs) -> f64| V::new(core::array::from_fn(|i| f(&k[4 * h + i])));
    let v8 = |f: fn(&Coeffs) -> f64| V8::new(core::array::from_fn(|i| f(&k[i])));
    for guard in [Safeguard::Bracket, Safeguard::Midpoint] {
        let r8 = solve_lanes8(v8(|k| k.p), v8(|k| k.q), omega2, g2, v8(|k| k.c), guard);
        let r4 = [0, 1].map(|h| solve_lanes(v4(h, |k| k.p), v4(h, |k| k.q), omega2, g2, v4(h, |k| k.c), guard));
        let mut total = [(0, 0); 2]; // (bisections, slowest lane's steps) per half
        for (i, k) in k.iter().enumerate() {
            let (reference, s) = (solve(k, guard), solve_fused_from(k, guard, 0.0));
            let finite = k.p.is_finite() && k.q.is_finite() && k.c.is_finite();
            assert!(reference.steps >= 1, "{reference:?}");
            for s in [reference, s] {
                assert!(s.steps <= NEWTON_ITER && s.bisections <= s.steps, "{s:?}");
                assert!(s.u.abs() <= 1.0, "{k:?} {guard:?} -> {s:?}");
                if finite && metric_ok {
                    assert!(s.u.abs() < 1.0, "u on the boundary: {k:?} {guard:?} -> {s:?}");
                }
                assert_eq!(s.status == Status::NonFinite, !(finite && s.u.is_finite()), "{k:?} -> {s:?}");
            }
            let pole = 1.0 - reference.u * reference.u;
            // the reference's (Ω² u)/g² underflows for tiny Ω², g² where the
            // fused Ω²/g² does not: compare on moderate metrics only
            let m = 1e-6..=1e6;
            // and on normal coefficients: subnormal ones carry a few
            // significant bits, so the root itself is known only to those
            // (p 6.5e-319, q 3.6e-318 gave roots 8e-7 apart)
            let normal = [k.p, k.q, k.c].iter().all(|v| *v == 0.0 || v.abs() >= f64::MIN_POSITIVE);
            let moderate = flags & 2 != 0 && normal && (flags & 1 != 0 || m.contains(&omega2) && m.contains(&g2));
            let both = (reference.status, s.status) == (Status::Converged, Status::Converged);
            if moderate && both && pole > 0.1 {
                assert!((reference.u - s.u).abs() <= 4.0 * NEWTON_EPS, "{k:?} {guard:?}: {reference:?} {s:?}");
            }
            let (l4, l8) = (lanes(r4[i / 4].u)[i % 4], r8.u.to_array()[i]);
            assert!(
                s.u.to_bits() == l4.to_bits() && s.u.to_bits() == l8.to_bits(),
                "lane {i}: {k:?} {guard:?} {s:?} {l4} {l8}"
            );
            let (inv, i4, i8) = (1.0 / (1.0 - s.u * s.u), lanes(r4[i / 4].inv)[i % 4], r8.inv.to_array()[i]);
            assert!(inv.to_bits() == i4.to_bits() && inv.to_bits() == i8.to_bits(), "lane {i}: 1/(1 - u²)");
            total[i / 4] = (total[i / 4].0 + s.bisections, total[i / 4].1.max(s.steps));
        }
        for h in 0..2 {
            assert_eq!(total[h], (r4[h].bisections, r4[h].steps), "{k:?} {guard:?}");
        }
        let both = (total[0].0 + total[1].0, total[0].1.max(total[1].1));
        assert_eq!(both, (r8.bisections, r8.steps), "{k:?} {guard:?}");
    }
});
