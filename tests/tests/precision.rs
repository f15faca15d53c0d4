//! f32 storage of the edge state (`--precision f32`): loads widen exactly
//! and arithmetic is f64, so one f32 iteration is exactly one f64 iteration
//! whose new `w`, `x` are rounded to f32. A run of f32 iterations (the
//! weight and node sums carried from each update, taken from the stored,
//! rounded copies) therefore equals, bit for bit, f64 single iterations
//! each followed by rounding `w`, `x` — on every executor.

use lwl_kernel::layout::Layout;
use lwl_kernel::network::Params;
use lwl_runners::engine::{Edges, Method, NetBuffers, Pool, Precision};
use lwl_runners::workloads::{config, prepare_with};

/// Rounds the f64 edge state to f32 values.
fn round_edges(buf: &mut NetBuffers) {
    let (w, x) = buf.edges.f64_mut().expect("f64 state");
    for v in w.iter_mut().chain(x.iter_mut()) {
        *v = f64::from(*v as f32);
    }
}

fn same_bits(a: &[f64], b: &[f64], what: &str) {
    assert_eq!(a.len(), b.len());
    let bad = a.iter().zip(b).filter(|(p, q)| p.to_bits() != q.to_bits()).count();
    assert_eq!(bad, 0, "{what}: {bad} values differ");
}

#[test]
fn f32_run_equals_f64_iterations_rounded_to_f32() {
    // one block; one chunk per block; several chunks; padding lanes
    for (name, block, iters) in [("majority", 128, 8), ("majority", 16, 8), ("majority", 36, 8)] {
        let cfg = config(name).unwrap();
        let layout = Layout::new(cfg.batch, block).unwrap();
        let mut twin = prepare_with(cfg, layout, 3, Precision::F64).unwrap();
        let net = twin.spec.net().unwrap();
        round_edges(&mut twin.buf);
        let single: Vec<u64> = (0..iters)
            .map(|_| {
                let r = twin.buf.iterate(&net, &twin.params, Method::Simd).unwrap();
                round_edges(&mut twin.buf);
                r.rrr_err.to_bits()
            })
            .collect();
        for pool in [None, Some(Pool::new(2).unwrap())] {
            let mut r = prepare_with(cfg, layout, 3, Precision::F32).unwrap();
            assert!(matches!(r.buf.edges, Edges::F32 { .. }));
            let mut series = Vec::new();
            r.buf
                .run_on(pool.as_ref(), &net, &r.params, Method::Simd, iters, |rep| {
                    series.push(rep.rrr_err.to_bits());
                    true
                })
                .unwrap();
            assert_eq!(series, single, "{name}, block {block}");
            let ((tw, tx), (rw, rx)) = (twin.buf.edges.widened(), r.buf.edges.widened());
            same_bits(&tw, &rw, "w");
            same_bits(&tx, &rx, "x");
            same_bits(&twin.buf.y, &r.buf.y, "y");
            same_bits(&twin.buf.b, &r.buf.b, "b");
            same_bits(&twin.buf.weights, &r.buf.weights, "weights");
            same_bits(&twin.buf.biases, &r.buf.biases, "biases");
        }
    }
}

#[test]
fn f32_stays_near_f64() {
    // the same problem from the same (f64) start: after 30 iterations the
    // consensus weights differ by f32 rounding carried through, not more
    let cfg = config("majority").unwrap();
    let layout = Layout::preferred(cfg.batch).unwrap();
    let mut a = prepare_with(cfg, layout, 4, Precision::F64).unwrap();
    let mut b = prepare_with(cfg, layout, 4, Precision::F32).unwrap();
    let net = a.spec.net().unwrap();
    let mut worst = 0.0f64;
    for _ in 0..30 {
        let ra = a.buf.iterate(&net, &a.params, Method::Simd).unwrap();
        let rb = b.buf.iterate(&net, &b.params, Method::Simd).unwrap();
        worst = worst.max((ra.rrr_err - rb.rrr_err).abs() / ra.rrr_err);
    }
    let dw = a.buf.weights.iter().zip(&b.buf.weights).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-4, "rrr_err differs by {worst} (relative)");
    assert!(dw < 1e-4 && dw > 0.0, "weights differ by {dw}");
}

#[test]
fn oracle_refuses_f32_state() {
    let cfg = config("majority").unwrap();
    let mut r = prepare_with(cfg, Layout::preferred(cfg.batch).unwrap(), 1, Precision::F32).unwrap();
    let net = r.spec.net().unwrap();
    assert!(r.buf.iterate(&net, &r.params, Method::Oracle).is_err());
    let general = Params { gamma: 0.5, ..r.params };
    assert!(r.buf.iterate(&net, &general, Method::General).is_err());
}
