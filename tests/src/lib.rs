//! Helpers shared by the integration tests: reading the golden cases of the
//! reference programs (copied from the paper author's runs into `golden/`)
//! and building kernel buffers for them.

use std::path::PathBuf;

use lwl_kernel::activation::Activation;
use lwl_kernel::class::ClassMode;
use lwl_kernel::layout::Layout;
use lwl_kernel::network::{Params, Settle};
use lwl_runners::engine::NetBuffers;
use lwl_runners::formats::netfile::NetSpec;

/// Items of the classifier golden cases.
pub const CLASS_ITEMS: usize = 32;

/// Hyperparameters of the classifier golden cases.
pub fn class_params(mode: ClassMode) -> Params {
    Params {
        beta: 1.0,
        gamma: 1.0,
        omega: 2.0,
        upsilon: 1.0,
        margin: 0.1,
        activation: Activation::Relu,
        class_mode: mode,
    }
}

/// The 13-8-2 net of a classifier golden case.
pub fn class_spec(dir: &str) -> NetSpec {
    let rel = format!("{dir}/inputs/net.txt");
    NetSpec::parse(&text(&rel), &rel).expect("golden net parses")
}

/// Buffers of a classifier golden case in `layout`: its 32 items and the
/// forward-pass initial iterate from its initial weights.
pub fn class_setup(dir: &str, mode: ClassMode, spec: &NetSpec, layout: Layout) -> NetBuffers {
    let net = spec.net().expect("net");
    let mut buf = NetBuffers::new(&net, layout).expect("buffers");
    let d = numbers(&format!("{dir}/inputs/data.txt"));
    assert_eq!((d[0], d[1]), (13.0, 2.0));
    for k in 0..CLASS_ITEMS {
        let item = &d[2 + 14 * k..2 + 14 * (k + 1)];
        for (i, &v) in item[..13].iter().enumerate() {
            buf.values[layout.at(k, i, net.nodes())] = v;
        }
        buf.labels[k] = item[13] as u32;
    }
    let w0 = numbers(&format!("{dir}/inputs/init_weights.txt"));
    assert!(buf.init_forward(&net, &class_params(mode), Settle::ONCE, &w0, &vec![0.0; net.nodes()]));
    buf
}

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
