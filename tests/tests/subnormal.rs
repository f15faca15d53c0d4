//! Subnormal state on the NMF path (BENCHMARKS.md, "Subnormals"): copies
//! that decay towards a zero consensus linger as subnormals in the
//! reference arithmetic, and every operation on one costs a microcode
//! assist; the SIMD path stores them as zero.

use lwl_kernel::simd::{LANES, V, flush_subnormal};
use lwl_kernel::{layout::Layout, nmf};
use lwl_runners::engine::{Method, NmfBuffers};

/// The `ledm12` bench problem: LEDM m = 12, rank 7, one batch of all 12
/// items, weights and codes uniform in [0, 1) from a fixed generator.
fn ledm12() -> NmfBuffers {
    let y = lwl_runners::datasets::ledm::ledm(12).unwrap();
    let layout = Layout::preferred(y.len()).unwrap();
    let mut b = NmfBuffers::new(nmf::Shape { data: y.dims, rank: 7 }, layout).unwrap();
    for k in 0..y.len() {
        for i in 0..y.dims {
            b.data[layout.at(k, i, y.dims)] = y.values[k * y.dims + i];
        }
    }
    let mut s = 12345u64;
    b.w.iter_mut().chain(b.z.iter_mut()).for_each(|v| {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *v = (s >> 11) as f64 / (1u64 << 53) as f64;
    });
    b
}

fn subnormals(b: &NmfBuffers) -> usize {
    b.w.iter().chain(&b.z).filter(|v| v.is_subnormal()).count()
}

#[test]
fn nmf_fast_path_stores_no_subnormal_copies() {
    let p = nmf::Params { beta: 0.5, gamma: 1.0, omega: 1.0 };
    let (mut fast, mut oracle) = (ledm12(), ledm12());
    let mut seen = 0;
    for _ in 0..4000 {
        fast.iterate(&p, Method::Simd).unwrap();
        oracle.iterate(&p, Method::Oracle).unwrap();
        assert_eq!(subnormals(&fast), 0);
        seen = seen.max(subnormals(&oracle));
    }
    // the reference arithmetic does produce them on this problem
    assert!(seen > 10, "the oracle held at most {seen} subnormal copies");
}

#[test]
fn flush_subnormal_zeroes_exactly_the_subnormals() {
    let tiny = f64::MIN_POSITIVE;
    let cases = [
        tiny,
        -tiny,
        tiny / 2.0,
        -tiny / 3.0,
        f64::from_bits(1),
        0.0,
        -0.0,
        1.0,
        -1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    for c in cases.chunks(LANES) {
        let got = flush_subnormal(V::new(core::array::from_fn(|l| c[l]))).to_array();
        for (g, v) in got.iter().zip(c) {
            let want = if v.is_subnormal() || *v == 0.0 { 0.0 } else { *v };
            assert!(g.to_bits() == want.to_bits() || (g.is_nan() && v.is_nan()), "{v:e} -> {g:e}");
        }
    }
}
