//! The three classifier golden cases (net 13-8-2, 32 majority items): the
//! scalar oracle reproduces every number of the reference program bit for
//! bit; the SIMD path stays within 1e-9 of the oracle for 20 iterations and
//! ends with the same predicted classes.

use lwl_kernel::class::{ClassMode, EXEMPT};
use lwl_kernel::layout::Layout;
use lwl_kernel::network;
use lwl_runners::engine::{Method, NetBuffers};
use lwl_runners::formats::netfile::NetSpec;
use lwl_tests::{
    CLASS_ITEMS, assert_bits, assert_close, class_params, class_setup, class_spec, lcg, lines, numbers, text,
};

const ITEMS: usize = CLASS_ITEMS;

struct Case {
    dir: &'static str,
    mode: ClassMode,
}

const PLAIN: Case = Case { dir: "class_13_8_2", mode: ClassMode::Plain };
const EXEMPTIONS: Case = Case { dir: "class_x_13_8_2_ee2", mode: ClassMode::Exempt(2) };
const FPA: Case = Case { dir: "class_fp_13_8_2_fpa3", mode: ClassMode::FalsePositive(3) };

fn spec(case: &Case) -> NetSpec {
    class_spec(case.dir)
}

fn setup(case: &Case, spec: &NetSpec, layout: Layout) -> NetBuffers {
    class_setup(case.dir, case.mode, spec, layout)
}

/// The state file's numbers for (item, node), in the file's order.
fn state_line(buf: &NetBuffers, spec: &NetSpec, k: usize, i: usize) -> Vec<f64> {
    let net = spec.net().unwrap();
    let (n, e) = (net.nodes(), net.edges());
    let l = &buf.layout;
    let mut v = vec![buf.y[l.at(k, i, n)], buf.b[l.at(k, i, n)]];
    let (w, x) = buf.edges.f64().expect("f64 state");
    v.extend(net.in_edges(i).map(|ed| x[l.at(k, ed, e)]));
    v.extend(net.in_edges(i).map(|ed| w[l.at(k, ed, e)]));
    v
}

fn check_state(buf: &NetBuffers, spec: &NetSpec, rel: &str) {
    let want = lines(rel);
    assert_eq!(want.len(), ITEMS * 10);
    for k in 0..ITEMS {
        for (row, i) in (13..23).enumerate() {
            let got = state_line(buf, spec, k, i);
            for (c, (g, w)) in got.iter().zip(&want[k * 10 + row]).enumerate() {
                assert_bits(*g, *w, &format!("{rel} item {k} node {i} col {c}"));
            }
        }
    }
}

#[test]
fn golden_init_weights_from_lcg() {
    let u = numbers("class_13_8_2/inputs/init_uniform.txt");
    let ours = lcg(20240602, 120);
    for (a, b) in ours.iter().zip(&u) {
        assert_bits(*a, *b, "LCG uniform");
    }
    let spec = spec(&PLAIN);
    let net = spec.net().unwrap();
    let mut w: Vec<f64> = u.iter().map(|&x| 2.0 * x - 1.0).collect();
    for i in 13..23 {
        let r = net.in_edges(i);
        let mean = w[r.clone()].iter().fold(0.0, |a, &v| a + v) / r.len() as f64;
        for v in &mut w[r.clone()] {
            *v -= mean;
        }
        lwl_kernel::consensus::sphere(&mut w[r], 2.0);
    }
    for (a, b) in w.iter().zip(numbers("class_13_8_2/inputs/init_weights.txt")) {
        assert_bits(*a, b, "initial weights");
    }
}

fn run_oracle(case: &Case, layout: Layout) {
    let spec = spec(case);
    let net = spec.net().unwrap();
    let p = class_params(case.mode);
    let mut buf = setup(case, &spec, layout);
    check_state(&buf, &spec, &format!("{}/outputs/state_iter000.txt", case.dir));
    let errs = numbers(&format!("{}/outputs/rrr_err.txt", case.dir));
    let sel_file = match case.mode {
        ClassMode::Exempt(_) => Some(lines(&format!("{}/outputs/exempt.txt", case.dir))),
        ClassMode::FalsePositive(_) => Some(lines(&format!("{}/outputs/allowed_fp.txt", case.dir))),
        _ => None,
    };
    for it in 1..=100 {
        let rep = buf.iterate(&net, &p, Method::Oracle).unwrap();
        assert_bits(rep.rrr_err, errs[it - 1], &format!("{} rrr_err {it}", case.dir));
        if let Some(sel) = &sel_file {
            let want: Vec<usize> = sel[it - 1][1..].iter().map(|&v| v as usize).collect();
            let got: Vec<usize> = (0..ITEMS)
                .filter(|&k| match case.mode {
                    ClassMode::Exempt(_) => buf.used_label[k] == EXEMPT,
                    _ => buf.labels[k] == 0 && buf.used_label[k] == 1,
                })
                .collect();
            assert_eq!(got, want, "{} selection at iteration {it}", case.dir);
            assert_eq!(rep.selected, want.len());
        }
        if it == 1 {
            check_state(&buf, &spec, &format!("{}/outputs/state_iter001.txt", case.dir));
        }
        if [1, 10, 100].contains(&it) {
            let wl = lines(&format!("{}/outputs/weights_iter{it:03}.txt", case.dir));
            for (i, row) in (13..23).zip(&wl) {
                for (e, w) in net.in_edges(i).zip(row) {
                    assert_bits(buf.weights[e], *w, &format!("weights iter {it} edge {e}"));
                }
            }
            let bl = numbers(&format!("{}/outputs/biases_iter{it:03}.txt", case.dir));
            for (i, b) in (13..23).zip(&bl) {
                assert_bits(buf.biases[i], *b, &format!("bias iter {it} node {i}"));
            }
        }
    }
    let diag = text(&format!("{}/outputs/diagnostics.txt", case.dir));
    let get = |key: &str| -> u64 {
        diag.lines().find_map(|l| l.strip_prefix(key)).map(|v| v.trim().parse().unwrap()).unwrap()
    };
    let c = buf.counters;
    assert_eq!(c.newton_solves, get("newton_solves"));
    assert_eq!(c.newton_steps_max, get("newton_max_iterations_used"));
    assert_eq!(c.newton_cap_hits, get("newton_hit_cap_50"));
    assert_eq!(c.bisections, get("bisection_fallbacks"));
    // Final outputs: a forward pass with the last A weights and B biases.
    let fin = lines(&format!("{}/outputs/final_outputs.txt", case.dir));
    let d = numbers(&format!("{}/inputs/data.txt", case.dir));
    for (k, row) in fin.iter().enumerate() {
        let mut v = vec![0.0; net.nodes()];
        let mut y = vec![0.0; net.nodes()];
        v[..13].copy_from_slice(&d[2 + 14 * k..2 + 14 * k + 13]);
        network::forward(&net, &p, &buf.weights, &buf.biases, &mut v, &mut y);
        assert_eq!(network::predict(&net, &v), Some(row[2] as usize), "item {k}");
        assert_bits(v[21], row[3], "output node 21");
        assert_bits(v[22], row[4], "output node 22");
    }
}

#[test]
fn golden_class_oracle_bit_exact() {
    run_oracle(&PLAIN, Layout::batch_innermost(ITEMS).unwrap());
}

#[test]
fn golden_class_x_oracle_bit_exact() {
    run_oracle(&EXEMPTIONS, Layout::batch_innermost(ITEMS).unwrap());
}

#[test]
fn golden_class_fp_oracle_bit_exact() {
    run_oracle(&FPA, Layout::batch_innermost(ITEMS).unwrap());
}

#[test]
fn golden_class_oracle_bit_exact_in_blocks_of_8() {
    run_oracle(&PLAIN, Layout::new(ITEMS, 8).unwrap());
}

/// Fast path against the oracle, in lockstep from the same start.
fn fast_vs_oracle(case: &Case, layout: Layout) {
    let spec = spec(case);
    let net = spec.net().unwrap();
    let p = class_params(case.mode);
    let mut fast = setup(case, &spec, layout);
    let mut ora = setup(case, &spec, Layout::batch_innermost(ITEMS).unwrap());
    for it in 1..=20 {
        let rf = fast.iterate(&net, &p, Method::Simd).unwrap();
        let ro = ora.iterate(&net, &p, Method::Oracle).unwrap();
        assert_close(rf.rrr_err, ro.rrr_err, 1e-9, &format!("rrr_err {it}"));
        for (a, b) in fast.weights.iter().zip(&ora.weights) {
            assert_close(*a, *b, 1e-9, &format!("weights {it}"));
        }
        for (a, b) in fast.biases.iter().zip(&ora.biases) {
            assert_close(*a, *b, 1e-9, &format!("biases {it}"));
        }
        for k in 0..ITEMS {
            for i in 13..23 {
                let (a, b) = (state_line(&fast, &spec, k, i), state_line(&ora, &spec, k, i));
                for (x, y) in a.iter().zip(&b) {
                    assert_close(*x, *y, 1e-9, &format!("state {it} item {k} node {i}"));
                }
            }
        }
    }
    for _ in 21..=100 {
        fast.iterate(&net, &p, Method::Simd).unwrap();
    }
    let fin = lines(&format!("{}/outputs/final_outputs.txt", case.dir));
    let d = numbers(&format!("{}/inputs/data.txt", case.dir));
    for (k, row) in fin.iter().enumerate() {
        let mut v = vec![0.0; net.nodes()];
        let mut y = vec![0.0; net.nodes()];
        v[..13].copy_from_slice(&d[2 + 14 * k..2 + 14 * k + 13]);
        network::forward(&net, &p, &fast.weights, &fast.biases, &mut v, &mut y);
        assert_eq!(network::predict(&net, &v), Some(row[2] as usize), "item {k}");
    }
}

#[test]
fn golden_class_fast_path() {
    fast_vs_oracle(&PLAIN, Layout::batch_innermost(ITEMS).unwrap());
    fast_vs_oracle(&PLAIN, Layout::new(ITEMS, 8).unwrap());
    fast_vs_oracle(&PLAIN, Layout::new(ITEMS, 12).unwrap());
}

#[test]
fn golden_class_x_fast_path() {
    fast_vs_oracle(&EXEMPTIONS, Layout::batch_innermost(ITEMS).unwrap());
}

#[test]
fn golden_class_fp_fast_path() {
    fast_vs_oracle(&FPA, Layout::new(ITEMS, 8).unwrap());
}
