//! Helpers shared by the integration tests: reading the golden cases of the
//! reference programs (copied from the paper author's runs into `golden/`)
//! and building kernel buffers for them.

use std::path::PathBuf;

/// Path of a file inside the golden cases.
pub fn golden(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden").join(rel)
}

/// Text of a golden file.
pub fn text(rel: &str) -> String {
    std::fs::read_to_string(golden(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every whitespace-separated number of a golden file.
pub fn numbers(rel: &str) -> Vec<f64> {
    text(rel).split_whitespace().map(|t| t.parse::<f64>().unwrap_or_else(|e| panic!("{rel}: {t}: {e}"))).collect()
}

/// The numbers of each non-empty line of a golden file.
pub fn lines(rel: &str) -> Vec<Vec<f64>> {
    text(rel)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(|t| t.parse::<f64>().unwrap_or_else(|e| panic!("{rel}: {t}: {e}"))).collect())
        .collect()
}

/// The 32-bit LCG of the golden cases: `s_n = 1664525 s_(n-1) + 1013904223
/// mod 2^32`, `u_n = s_n / 2^32`.
pub fn lcg(seed: u32, n: usize) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1664525).wrapping_add(1013904223);
            s as f64 / 4294967296.0
        })
        .collect()
}

/// Asserts two doubles are the same bits, with context.
#[track_caller]
pub fn assert_bits(got: f64, want: f64, what: &str) {
    assert!(got.to_bits() == want.to_bits(), "{what}: got {got:e}, want {want:e} (diff {:e})", got - want);
}

/// Asserts `|got - want| ≤ tol · max(1, |want|)`.
#[track_caller]
pub fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
    assert!((got - want).abs() <= tol * want.abs().max(1.0), "{what}: got {got:e}, want {want:e}");
}
