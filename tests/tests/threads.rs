//! The SIMD path gives the same bits on every number of threads: per-block
//! phases are independent and their results are reduced in block order. A
//! run of many iterations (one sweep over the edge state each, the weight
//! sums carried from one iteration's update to the next one's consensus)
//! gives the same bits as single iterations that sum afresh.

use lwl_kernel::class::ClassMode;
use lwl_kernel::layout::Layout;
use lwl_kernel::network::Errors;
use lwl_runners::engine::{Method, NetBuffers, Pool};
use lwl_runners::workloads::{config, prepare};
use lwl_tests::{CLASS_ITEMS, class_params, class_setup, class_spec};

fn same_bits(a: &NetBuffers, b: &NetBuffers) {
    let ((aw, ax), (bw, bx)) = (a.edges.widened(), b.edges.widened());
    for (x, y) in
        [(&aw[..], &bw[..]), (&ax, &bx), (&a.y, &b.y), (&a.b, &b.b), (&a.weights, &b.weights), (&a.biases, &b.biases)]
    {
        assert!(x.iter().zip(y.iter()).all(|(p, q)| p.to_bits() == q.to_bits()));
    }
}

#[test]
fn majority_config_bit_identical_on_1_2_3_threads() {
    let cfg = config("majority").unwrap();
    let layout = Layout::new(cfg.batch, 32).unwrap();
    let first = prepare(cfg, layout, 9).unwrap();
    let net = first.spec.net().unwrap();
    for t in [2, 3] {
        let pool = Pool::new(t).unwrap();
        let mut par = prepare(cfg, layout, 9).unwrap();
        let mut s = prepare(cfg, layout, 9).unwrap();
        for _ in 0..5 {
            let rs = s.buf.iterate(&net, &s.params, Method::Simd).unwrap();
            let rp = par.buf.iterate_on(Some(&pool), &net, &par.params, Method::Simd).unwrap();
            assert_eq!(rs.rrr_err.to_bits(), rp.rrr_err.to_bits(), "{t} threads");
        }
        same_bits(&s.buf, &par.buf);
        assert_eq!(s.buf.counters, par.buf.counters);
    }
}

#[test]
fn golden_exemption_case_bit_identical_on_threads() {
    let spec = class_spec("class_x_13_8_2_ee2");
    let net = spec.net().unwrap();
    let p = class_params(ClassMode::Exempt(2));
    let layout = Layout::new(CLASS_ITEMS, 8).unwrap();
    let pool = Pool::new(2).unwrap();
    let mut s = class_setup("class_x_13_8_2_ee2", p.class_mode, &spec, layout);
    let mut t = class_setup("class_x_13_8_2_ee2", p.class_mode, &spec, layout);
    for _ in 0..50 {
        let a = s.iterate(&net, &p, Method::Simd).unwrap();
        let b = t.iterate_on(Some(&pool), &net, &p, Method::Simd).unwrap();
        assert_eq!(a.rrr_err.to_bits(), b.rrr_err.to_bits());
        assert_eq!(s.used_label, t.used_label);
    }
    same_bits(&s, &t);
}

#[test]
fn one_run_equals_single_iterations_in_every_layout() {
    // one block; blocks of exactly one chunk; several chunks per block; a
    // last block with padding lanes and a short last chunk (autoencoders:
    // tests/program/autoencode.rs)
    for (name, block, iters) in
        [("majority", 128, 12), ("majority", 16, 12), ("majority", 32, 12), ("majority", 36, 12)]
    {
        let cfg = config(name).unwrap();
        let layout = Layout::new(cfg.batch, block).unwrap();
        let mut s = prepare(cfg, layout, 5).unwrap();
        let net = s.spec.net().unwrap();
        let single: Vec<u64> =
            (0..iters).map(|_| s.buf.iterate(&net, &s.params, Method::Simd).unwrap().rrr_err.to_bits()).collect();
        for pool in [None, Some(Pool::new(2).unwrap())] {
            let mut r = prepare(cfg, layout, 5).unwrap();
            let mut series = Vec::new();
            let done = r
                .buf
                .run_on(pool.as_ref(), &net, &r.params, Method::Simd, iters, |rep| {
                    series.push(rep.rrr_err.to_bits());
                    true
                })
                .unwrap();
            assert_eq!(done, iters);
            assert_eq!(series, single, "{name}, block {block}");
            same_bits(&s.buf, &r.buf);
            assert_eq!(s.buf.counters, r.buf.counters);
        }
    }
}

#[test]
fn a_run_stops_when_told() {
    let cfg = config("majority").unwrap();
    let layout = Layout::new(cfg.batch, 16).unwrap();
    let mut r = prepare(cfg, layout, 5).unwrap();
    let net = r.spec.net().unwrap();
    let mut seen = 0;
    let done = r
        .buf
        .run_on(None, &net, &r.params, Method::Simd, 100, |_| {
            seen += 1;
            seen < 7
        })
        .unwrap();
    assert_eq!((done, seen, r.buf.counters.iterations), (7, 7, 7));
}

#[test]
fn errors_of_the_last_iteration_only_change_nothing_else() {
    // RRR_err is left out of all but the last iteration: the iterate, the
    // consensus values and the last error are the same bits
    let cfg = config("majority").unwrap();
    let layout = Layout::new(cfg.batch, 16).unwrap();
    let mut runs = Vec::new();
    for errors in [Errors::Every, Errors::Last] {
        let mut r = prepare(cfg, layout, 6).unwrap();
        r.buf.errors = errors;
        let net = r.spec.net().unwrap();
        let mut series = Vec::new();
        r.buf
            .run_on(None, &net, &r.params, Method::Simd, 9, |rep| {
                series.push(rep.rrr_err);
                true
            })
            .unwrap();
        runs.push((r, series));
    }
    let ((every, se), (last, sl)) = (&runs[0], &runs[1]);
    same_bits(&every.buf, &last.buf);
    assert!(se.iter().all(|e| e.is_finite()) && sl[..8].iter().all(|e| e.is_nan()));
    assert_eq!(se[8].to_bits(), sl[8].to_bits());
}
