//! Class constraints: `plain_lanes` equals `plain` per lane and `plain` is
//! feasible for moderate input; `fpa_delta` is half the difference of the
//! `item_distance`s; `largest_threshold` is the n-th largest counting repeats
//! (NaN largest, as documented) checked against a sort; `selected` picks at
//! least min(n, #positive) values, an upper set, positives only (and NaN);
//! `fpa_threshold` matches a sort and never allows more than `fpa` items.
#![no_main]
#[path = "common.rs"]
mod common;

use common::{Bytes, lanes, moderate, same};
use libfuzzer_sys::fuzz_target;
use lwl_kernel::class::{fpa_delta, fpa_threshold, item_distance, largest_threshold, plain, plain_lanes, selected};
use lwl_kernel::simd::V;

fuzz_target!(|data: &[u8]| {
    let mut r = Bytes(data);
    let (n, mask, margin, y, b) = (r.u8() as usize % 16, r.u8(), r.f64(), r.f64x4(), r.f64x4());
    let is_true = |i: usize| mask >> i & 1 == 1;
    let m = V::new(core::array::from_fn(|i| if is_true(i) { 1.0 } else { 0.0 })).simd_gt(V::splat(0.0));
    let (ly, lb) = plain_lanes(V::new(y), V::new(b), margin, m);
    let ok = [margin, y[0], y[1], b[0], b[1]].iter().all(|&v| moderate(v));
    for i in 0..4 {
        let (yp, bp, d) = plain(y[i], b[i], margin, is_true(i));
        assert!(same(yp, lanes(ly)[i]) && same(bp, lanes(lb)[i]), "lane {i}");
        if [margin, y[i], b[i]].iter().all(|&v| moderate(v)) {
            let (z, tol) = (yp - bp, 1e-12 * margin.abs().max(y[i].abs()).max(b[i].abs()) + 1e-300);
            assert!(
                if is_true(i) { z >= margin - tol } else { z <= tol } && d >= 0.0,
                "{:?}",
                (y[i], b[i], margin, yp, bp)
            );
        }
    }
    if ok {
        let dist = |l| item_distance(2, |c| (y[c], b[c]), margin, l);
        let (d0, d1, delta) = (dist(0), dist(1), fpa_delta(y[0], b[0], y[1], b[1], margin));
        assert!((2.0 * delta - (d1 - d0)).abs() <= 1e-12 * (d0 + d1) + 1e-300, "{delta} {d0} {d1}");
    }
    let v = r.rest();
    let mut scratch = vec![0.0; v.len()];
    let mut desc = v.clone(); // NaN first, then numbers in decreasing order
    desc.sort_by(|a, b| b.is_nan().cmp(&a.is_nan()).then(b.total_cmp(a)));
    let t = largest_threshold(&v, n, &mut scratch);
    let want = (n > 0 && !v.is_empty()).then(|| desc[n.min(v.len()) - 1]);
    let sel: Vec<bool> = v.iter().map(|&x| selected(x, t)).collect();
    let positive = v.iter().filter(|&&x| x > 0.0).count();
    assert!(t.is_some() == want.is_some() && t.zip(want).is_none_or(|(t, w)| same(t, w)), "{t:?} want {want:?}");
    assert!(sel.iter().filter(|&&s| s).count() >= n.min(positive), "{v:?} n={n} t={t:?} {sel:?}");
    for (&x, &s) in v.iter().zip(&sel) {
        assert!(!s || x > 0.0 || x.is_nan());
        assert!(!s || x.is_nan() || v.iter().zip(&sel).all(|(&y, &sy)| y.is_nan() || y <= x || sy), "not an upper set");
    }
    let t = fpa_threshold(&v, n, &mut scratch);
    let mut neg: Vec<f64> = v.iter().copied().filter(|&d| d < 0.0).collect();
    neg.sort_by(f64::total_cmp);
    assert!(same(t, neg.get(n).copied().unwrap_or(0.0)), "{t} {neg:?}");
    assert!(v.iter().filter(|&&d| d < t).count() <= n);
});
