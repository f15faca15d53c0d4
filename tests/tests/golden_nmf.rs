//! The NMF golden case (LEDM m = 6, rank 5, β = 0.3, Ω = 0.6, 200
//! iterations): the oracle reproduces every number bit for bit from the
//! reference's initial iterate; the SIMD path stays within 1e-9 for 20
//! iterations and ends with the same recon_err to 1e-9.

use lwl_kernel::layout::Layout;
use lwl_kernel::nmf::{Params, Shape};
use lwl_runners::engine::{Method, NmfBuffers};
use lwl_tests::{assert_bits, assert_close, lcg, lines, numbers, text};

const SHAPE: Shape = Shape { data: 6, rank: 5 };
const ITEMS: usize = 6;
const P: Params = Params { beta: 0.3, gamma: 1.0, omega: 0.6 };

fn setup(layout: Layout) -> NmfBuffers {
    let mut b = NmfBuffers::new(SHAPE, layout).unwrap();
    let d = numbers("nmf_ledm6/inputs/data.txt");
    assert_eq!(d[0], 6.0);
    for k in 0..ITEMS {
        for i in 0..6 {
            b.data[layout.at(k, i, 6)] = d[1 + 6 * k + i];
        }
    }
    let st = lines("nmf_ledm6/outputs/state_iter000.txt");
    for k in 0..ITEMS {
        for i in 0..6 {
            let row = &st[k * 6 + i];
            for j in 0..5 {
                b.w[layout.at(k, i * 5 + j, 30)] = row[j];
                b.z[layout.at(k, i * 5 + j, 30)] = row[5 + j];
            }
        }
    }
    b
}

fn check_state(b: &NmfBuffers, rel: &str) {
    let st = lines(rel);
    let l = b.layout;
    for k in 0..ITEMS {
        for i in 0..6 {
            for j in 0..5 {
                assert_bits(b.w[l.at(k, i * 5 + j, 30)], st[k * 6 + i][j], &format!("{rel} w {k} {i} {j}"));
                assert_bits(b.z[l.at(k, i * 5 + j, 30)], st[k * 6 + i][5 + j], &format!("{rel} z {k} {i} {j}"));
            }
        }
    }
}

fn check_consensus(b: &NmfBuffers, it: usize) {
    let wp = lines(&format!("nmf_ledm6/outputs/wp2_iter{it:03}.txt"));
    let zp = lines(&format!("nmf_ledm6/outputs/zp2_iter{it:03}.txt"));
    for i in 0..6 {
        for j in 0..5 {
            assert_bits(b.weights[i * 5 + j], wp[i][j], &format!("W({i},{j}) iter {it}"));
            assert_bits(b.codes[b.layout.at(i, j, 5)], zp[i][j], &format!("Z({i},{j}) iter {it}"));
        }
    }
}

#[test]
fn golden_nmf_init_weights_from_lcg() {
    let u = numbers("nmf_ledm6/inputs/init_uniform.txt");
    for (a, b) in lcg(20240601, 30).iter().zip(&u) {
        assert_bits(*a, *b, "LCG uniform");
    }
    let mut w = [[0.0; 5]; 6];
    for j in 0..5 {
        for i in 0..6 {
            w[i][j] = u[j * 6 + i];
        }
        let f = 0.6 / (0..6).fold(0.0, |a, i| a + w[i][j] * w[i][j]).sqrt();
        for row in &mut w {
            row[j] *= f;
        }
    }
    let want = lines("nmf_ledm6/inputs/init_weights.txt");
    for i in 0..6 {
        for j in 0..5 {
            assert_bits(w[i][j], want[i][j], "initial W");
        }
    }
}

fn run_oracle(layout: Layout) {
    let mut b = setup(layout);
    let errs = numbers("nmf_ledm6/outputs/rrr_err.txt");
    assert_eq!(errs.len(), 200);
    for it in 1..=200 {
        let e = b.iterate(&P, Method::Oracle).unwrap();
        assert_bits(e, errs[it - 1], &format!("rrr_err {it}"));
        if it == 1 {
            check_state(&b, "nmf_ledm6/outputs/state_iter001.txt");
        }
        if it == 1 || it == 200 {
            check_consensus(&b, it);
        }
    }
    assert_bits(b.recon_err(), numbers("nmf_ledm6/outputs/recon_err.txt")[0], "recon_err");
    let diag = text("nmf_ledm6/outputs/diagnostics.txt");
    let get = |key: &str| -> u64 {
        diag.lines().find_map(|l| l.strip_prefix(key)).map(|v| v.trim().parse().unwrap()).unwrap()
    };
    let c = b.counters;
    assert_eq!(c.newton_solves, get("newton_solves"));
    assert_eq!(c.newton_steps_max, get("newton_max_iterations_used"));
    assert_eq!(c.newton_cap_hits, get("newton_hit_cap_50"));
    assert_eq!(c.bisections, get("bisection_fallbacks"));
    assert_eq!(c.nonpositive_columns, get("allnonpositive_column_events"));
    assert_eq!(c.weight_multiplies, 200 * 6 * 30);
}

#[test]
fn golden_nmf_oracle_bit_exact() {
    let l = Layout::batch_innermost(ITEMS).unwrap();
    check_state(&setup(l), "nmf_ledm6/outputs/state_iter000.txt");
    run_oracle(l);
}

#[test]
fn golden_nmf_oracle_bit_exact_in_blocks_of_4() {
    run_oracle(Layout::new(ITEMS, 4).unwrap());
}

#[test]
fn golden_nmf_fast_path() {
    for layout in [Layout::batch_innermost(ITEMS).unwrap(), Layout::new(ITEMS, 4).unwrap()] {
        let mut f = setup(layout);
        let mut o = setup(Layout::batch_innermost(ITEMS).unwrap());
        for it in 1..=200 {
            let ef = f.iterate(&P, Method::Simd).unwrap();
            let eo = o.iterate(&P, Method::Oracle).unwrap();
            if it <= 20 {
                assert_close(ef, eo, 1e-9, &format!("rrr_err {it}"));
                for (a, b) in f.weights.iter().zip(&o.weights) {
                    assert_close(*a, *b, 1e-9, "W");
                }
                for k in 0..ITEMS {
                    for e in 0..30 {
                        let (a, b) = (f.layout.at(k, e, 30), o.layout.at(k, e, 30));
                        assert_close(f.w[a], o.w[b], 1e-9, "w");
                        assert_close(f.z[a], o.z[b], 1e-9, "z");
                    }
                }
            }
        }
        assert_close(f.recon_err(), numbers("nmf_ledm6/outputs/recon_err.txt")[0], 1e-9, "recon_err");
    }
}
