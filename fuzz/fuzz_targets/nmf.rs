//! NMF iterations (`nmf::iterate`, the SIMD path, and `nmf::iterate_oracle`)
//! on random shapes (data or code nodes possibly zero), batch sizes and
//! blocks, with every bit pattern as data and state: neither panics, both
//! accept the buffers, and where the input is moderate (flag 1: every value
//! finite with `|v| < 16`) two iterations of each leave every copy,
//! consensus value, root and RRR_err finite.
#![no_main]
#[path = "common.rs"]
mod common;

use common::Bytes;
use libfuzzer_sys::fuzz_target;
use lwl_kernel::counters::{BlockStats, Counters};
use lwl_kernel::layout::Layout;
use lwl_kernel::nmf::{self, Params, Shape, State, Work};

/// The buffers of one NMF problem.
#[derive(Clone)]
struct Bufs {
    w: Vec<f64>,
    z: Vec<f64>,
    weights: Vec<f64>,
    codes: Vec<f64>,
    acc: Vec<f64>,
    roots: Vec<f64>,
    sums: Vec<f64>,
    stats: Vec<BlockStats>,
}

impl Bufs {
    /// Two iterations; RRR_err of the second.
    fn run(&mut self, sh: &Shape, layout: &Layout, p: &Params, data: &[f64], oracle: bool) -> f64 {
        let mut err = f64::NAN;
        for _ in 0..2 {
            let mut st = State { w: &mut self.w, z: &mut self.z };
            let mut wk = Work {
                weights: &mut self.weights,
                codes: &mut self.codes,
                acc: &mut self.acc,
                roots: &mut self.roots,
                sums: &mut self.sums,
                stats: &mut self.stats,
            };
            let mut cnt = Counters::default();
            let it = if oracle { nmf::iterate_oracle } else { nmf::iterate };
            let pr = nmf::Problem { shape: sh, layout, params: p, data };
            err = it(&pr, &mut st, &mut wk, &mut cnt).expect("buffers of the right length");
        }
        err
    }
    fn all_finite(&self) -> bool {
        [&self.w, &self.z, &self.weights, &self.codes, &self.roots].iter().all(|v| v.iter().all(|x| x.is_finite()))
    }
}

fuzz_target!(|data: &[u8]| {
    let mut r = Bytes(data);
    let flags = r.u8();
    let sh = Shape { data: (r.u8() % 7) as usize, rank: (r.u8() % 6) as usize };
    let items = 1 + (r.u8() % 24) as usize;
    let Ok(layout) = Layout::new(items, 4 * (1 + (r.u8() % 6) as usize)) else { return };
    let moderate = flags & 1 != 0;
    let value = |r: &mut Bytes| match r.f64() {
        v if !moderate => v,
        v if v.is_finite() => v % 16.0,
        _ => 0.5,
    };
    let p = Params { beta: 2.0 * r.unit(), gamma: 1.0, omega: if moderate { 0.1 + r.unit() } else { r.f64() } };
    let len = |rows: usize| layout.len(rows).unwrap_or(0);
    let fill = |n: usize, r: &mut Bytes| (0..n).map(|_| value(r)).collect::<Vec<f64>>();
    let y = fill(len(sh.data), &mut r);
    let mut b = Bufs {
        w: fill(len(sh.edges()), &mut r),
        z: fill(len(sh.edges()), &mut r),
        weights: vec![0.0; sh.edges()],
        codes: vec![0.0; len(sh.rank)],
        acc: vec![0.0; 6 * layout.block()],
        roots: fill(len(sh.data), &mut r),
        sums: vec![0.0; layout.blocks() * sh.edges()],
        stats: vec![BlockStats::default(); layout.blocks()],
    };
    // the roots are Newton starts: any value is allowed, but the oracle
    // does not read them, so both paths start from the same iterate
    let mut o = b.clone();
    let (ef, eo) = (b.run(&sh, &layout, &p, &y, false), o.run(&sh, &layout, &p, &y, true));
    if moderate && sh.edges() > 0 {
        assert!(ef.is_finite() && eo.is_finite(), "RRR_err fast {ef}, oracle {eo}");
        assert!(b.all_finite() && o.all_finite(), "non-finite state");
    }
});
