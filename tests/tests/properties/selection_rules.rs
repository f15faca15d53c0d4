//! Selection rules against naive sort-based versions (section 1e).

use lwl_kernel::class;
use proptest::prelude::*;

use crate::support::{config, naive_largest};

/// Values with many ties, zeros and negatives.
fn tied() -> impl Strategy<Value = f64> {
    prop_oneof![(-4i32..=4).prop_map(|i| f64::from(i) * 0.5), -2.0..2.0f64]
}

/// Eccentric exemption by definition: every item with `D ≥ T` and `D > 0`,
/// plus NaN items when there is a budget.
fn naive_exempt(d: &[f64], ee: usize) -> Vec<bool> {
    let t = naive_largest(d, ee);
    d.iter().map(|&x| t.is_some() && (x.is_nan() || t.is_some_and(|t| x >= t && x > 0.0))).collect()
}

fn kernel_exempt(d: &[f64], ee: usize) -> Vec<bool> {
    let mut scratch = vec![0.0; d.len()];
    let t = class::largest_threshold(d, ee, &mut scratch);
    d.iter().map(|&x| class::selected(x, t)).collect()
}

proptest! {
    #![proptest_config(config(4096))]

    /// Exemption/relabelling rule: `largest_threshold` is the EE-th largest
    /// and `selected` picks exactly `D ≥ T`, `D > 0`.
    #[test]
    fn selection_exempt_rule(d in prop::collection::vec(tied(), 0..=12), ee in 0usize..=14) {
        let mut scratch = vec![0.0; d.len()];
        let t = class::largest_threshold(&d, ee, &mut scratch);
        prop_assert_eq!(t, naive_largest(&d, ee));
        let got = kernel_exempt(&d, ee);
        prop_assert_eq!(&got, &naive_exempt(&d, ee));
        let positive = d.iter().filter(|&&x| x > 0.0).count();
        let picked = got.iter().filter(|&&s| s).count();
        prop_assert!(picked >= ee.min(positive), "picked {} of {} positive with budget {}", picked, positive, ee);
        for (i, &x) in d.iter().enumerate() {
            for (j, &y) in d.iter().enumerate() {
                prop_assert!(!(got[j] && !got[i] && x > y && x > 0.0), "{} skipped but {} picked", x, y);
            }
        }
        if !d.is_empty() {
            let mut short = vec![0.0; d.len() - 1];
            prop_assert!(class::largest_threshold(&d, ee, &mut short).is_none(), "short scratch must give None");
        }
    }

    /// False-positive allowance: at most FPA items, exactly those strictly
    /// below the (FPA+1)-th smallest negative delta (0 when there are fewer).
    #[test]
    fn selection_fpa_rule(delta in prop::collection::vec(tied(), 0..=12), fpa in 0usize..=14) {
        let mut scratch = vec![0.0; delta.len()];
        let t = class::fpa_threshold(&delta, fpa, &mut scratch);
        let mut neg: Vec<f64> = delta.iter().cloned().filter(|&x| x < 0.0).collect();
        neg.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let want_t = if neg.len() > fpa { neg[fpa] } else { 0.0 };
        prop_assert_eq!(t, want_t);
        let allowed: Vec<bool> = delta.iter().map(|&x| x < t).collect();
        let count = allowed.iter().filter(|&&a| a).count();
        prop_assert!(count <= fpa, "{} allowed with budget {}", count, fpa);
        if neg.len() <= fpa {
            prop_assert_eq!(count, neg.len(), "every negative delta is allowed within the budget");
        }
        prop_assert!(delta.iter().zip(&allowed).all(|(&x, &a)| !a || x < 0.0));
    }
}

proptest! {
    #![proptest_config(config(2048))]

    /// A (positive) NaN counts as larger than every number: it is selected
    /// whenever there is a budget and takes a place in it.
    #[test]
    fn selection_exempt_rule_with_nan(
        d in prop::collection::vec(prop_oneof![4 => tied(), 1 => Just(f64::NAN)], 1..=8),
        ee in 0usize..=8,
    ) {
        prop_assert_eq!(kernel_exempt(&d, ee), naive_exempt(&d, ee), "D = {:?}, EE = {}", d, ee);
    }
}

/// The same rule for a NaN with the sign bit set, as x86 arithmetic makes it
/// at run time (`∞ - ∞`, `0 · ∞`): it must also count as larger than every
/// number (fixed in be5fd5d; `total_cmp` put it below every number).
#[test]
fn selection_exempt_rule_with_negative_nan() {
    let inf = std::hint::black_box(f64::INFINITY);
    let nan = inf - inf;
    assert!(nan.is_nan());
    for d in [[0.5, -f64::NAN], [0.5, nan]] {
        assert_eq!(
            kernel_exempt(&d, 1),
            naive_exempt(&d, 1),
            "D = [0.5, NaN with sign bit {}]",
            d[1].is_sign_negative()
        );
    }
}
