//! The SIMD path gives the same bits on every number of threads: per-block
//! phases are independent and their results are reduced in block order.

use lwl_kernel::class::ClassMode;
use lwl_kernel::layout::Layout;
use lwl_runners::cmd_bench::{config, prepare};
use lwl_runners::engine::{NetBuffers, Path, Pool};
use lwl_tests::{CLASS_ITEMS, class_params, class_setup, class_spec};

fn same_bits(a: &NetBuffers, b: &NetBuffers) {
    for (x, y) in
        [(&a.w, &b.w), (&a.x, &b.x), (&a.y, &b.y), (&a.b, &b.b), (&a.weights, &b.weights), (&a.biases, &b.biases)]
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
            let rs = s.buf.iterate(&net, &s.params, Path::Fast).unwrap();
            let rp = par.buf.iterate_on(Some(&pool), &net, &par.params, Path::Fast).unwrap();
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
        let a = s.iterate(&net, &p, Path::Fast).unwrap();
        let b = t.iterate_on(Some(&pool), &net, &p, Path::Fast).unwrap();
        assert_eq!(a.rrr_err.to_bits(), b.rrr_err.to_bits());
        assert_eq!(s.used_label, t.used_label);
    }
    same_bits(&s, &t);
}
