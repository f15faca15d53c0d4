//! The generalised RRR update (eq. 47) and the whole-set projections it is
//! built from: γ = 1 is the ordinary step; both projections are
//! idempotent and land in their sets.

use lwl_kernel::class::ClassMode;
use lwl_kernel::counters::Counters;
use lwl_kernel::layout::Layout;
use lwl_kernel::network::general::{AValues, combine, project_a, project_b};
use lwl_kernel::network::{IterError, Params, Problem, State};
use lwl_runners::engine::{Method, NetBuffers};
use lwl_tests::{CLASS_ITEMS, assert_close, class_params, class_setup, class_spec};

const DIR: &str = "class_13_8_2";

#[test]
fn gamma_one_is_the_rrr_step() {
    let spec = class_spec(DIR);
    let net = spec.net().unwrap();
    let p = class_params(ClassMode::Exempt(2));
    let layout = Layout::new(CLASS_ITEMS, 12).unwrap();
    let mut g = class_setup(DIR, p.class_mode, &spec, layout);
    let mut o = class_setup(DIR, p.class_mode, &spec, layout);
    for it in 0..30 {
        let rg = g.iterate(&net, &p, Method::General).unwrap();
        let ro = o.iterate(&net, &p, Method::Oracle).unwrap();
        assert_close(rg.rrr_err, ro.rrr_err, 1e-10, &format!("rrr_err {it}"));
        let ((gw, gx), (ow, ox)) = (g.edges.widened(), o.edges.widened());
        for (a, b) in gw.iter().zip(&ow).chain(gx.iter().zip(&ox)).chain(g.y.iter().zip(&o.y)) {
            assert_close(*a, *b, 1e-10, "state");
        }
        assert_eq!(g.used_label, o.used_label);
    }
}

/// Copies of a buffer set's iterate, as mutable vectors.
fn state_copy(b: &NetBuffers) -> [Vec<f64>; 4] {
    let (w, x) = b.edges.widened();
    [w, x, b.y.to_vec(), b.b.to_vec()]
}

fn view(s: &mut [Vec<f64>; 4]) -> State<'_> {
    let [w, x, y, b] = s;
    State { w, x, y, b }
}

#[test]
fn whole_set_projections_are_idempotent_and_feasible() {
    let spec = class_spec(DIR);
    let net = spec.net().unwrap();
    let p = class_params(ClassMode::Plain);
    let layout = Layout::batch_innermost(CLASS_ITEMS).unwrap();
    let mut buf = class_setup(DIR, p.class_mode, &spec, layout);
    for _ in 0..7 {
        buf.iterate(&net, &p, Method::Oracle).unwrap();
    }
    let (n, ne) = (net.nodes(), net.edges());
    let mut cnt = Counters::default();
    // P_B: x·w = Ω y per (item, node), one bias per node, idempotent.
    let mut s = state_copy(&buf);
    project_b(&net, &layout, &p, &mut view(&mut s), &mut cnt);
    for k in 0..CLASS_ITEMS {
        for i in 13..n {
            let dot: f64 = net.in_edges(i).map(|e| s[0][layout.at(k, e, ne)] * s[1][layout.at(k, e, ne)]).sum();
            assert_close(dot, p.omega * s[2][layout.at(k, i, n)], 1e-12, "bilinear feasibility");
            assert_eq!(s[3][layout.at(k, i, n)], s[3][layout.at(0, i, n)], "bias consensus");
        }
    }
    let mut twice = s.clone();
    project_b(&net, &layout, &p, &mut view(&mut twice), &mut cnt);
    for (a, b) in twice.iter().flatten().zip(s.iter().flatten()) {
        assert_close(*a, *b, 1e-12, "P_B idempotent");
    }
    // P_A: expand A-values to a state and project again.
    let batch_values = buf.values.clone();
    let batch = lwl_kernel::network::Batch { values: &batch_values, labels: &buf.labels, code_items: 0 };
    let pr = Problem { net: &net, layout: &layout, params: &p, batch };
    let mut av = [vec![0.0; ne], vec![0.0; buf.y.len()], vec![0.0; buf.y.len()], vec![0.0; buf.y.len()]];
    let mut scratch = vec![0.0; ne.max(3 * CLASS_ITEMS)];
    let mut used = vec![0u32; CLASS_ITEMS];
    let mut v = state_copy(&buf);
    {
        let [w, xa, ya, ba] = &mut av;
        let mut a = AValues { weights: w, xa, ya, ba };
        project_a(&pr, &view(&mut v), &mut a, &mut scratch, &mut used);
        let mut expanded = state_copy(&buf);
        combine(&net, &layout, 1.0, &a, 0.0, &view(&mut v), &mut view(&mut expanded));
        let mut av2 = av_clone(&a);
        {
            let [w2, xa2, ya2, ba2] = &mut av2;
            let mut a2 = AValues { weights: w2, xa: xa2, ya: ya2, ba: ba2 };
            project_a(&pr, &view(&mut expanded), &mut a2, &mut scratch, &mut used);
        }
        for (x, y) in av2.iter().flatten().zip([&*a.weights, &*a.xa, &*a.ya, &*a.ba].into_iter().flatten()) {
            assert_close(*x, *y, 1e-12, "P_A idempotent");
        }
        // feasibility: weights of every node on the sphere, class constraints met
        for i in 13..n {
            let norm: f64 = net.in_edges(i).map(|e| a.weights[e] * a.weights[e]).sum::<f64>().sqrt();
            assert_close(norm, p.omega, 1e-12, "sphere");
        }
        for k in 0..CLASS_ITEMS {
            for (c, i) in (21..23).enumerate() {
                let z = a.ya[layout.at(k, i, n)] - a.ba[layout.at(k, i, n)];
                if c as u32 == buf.labels[k] {
                    assert!(z >= p.margin - 1e-12);
                } else {
                    assert!(z <= 1e-12);
                }
            }
        }
    }
}

fn av_clone(a: &AValues) -> [Vec<f64>; 4] {
    [a.weights.to_vec(), a.xa.to_vec(), a.ya.to_vec(), a.ba.to_vec()]
}

#[test]
fn other_gamma_trains_the_golden_batch() {
    // The generalised update with γ = 0.5 still solves the 32-item batch
    // (more slowly than γ = 1, which needs under 100 iterations):
    // its consensus weights and biases classify every item correctly.
    let spec = class_spec(DIR);
    let net = spec.net().unwrap();
    let p = Params { gamma: 0.5, ..class_params(ClassMode::Plain) };
    let mut buf = class_setup(DIR, p.class_mode, &spec, Layout::batch_innermost(CLASS_ITEMS).unwrap());
    let first = buf.iterate(&net, &p, Method::General).unwrap().rrr_err;
    let mut last = first;
    for _ in 0..2000 {
        last = buf.iterate(&net, &p, Method::General).unwrap().rrr_err;
    }
    assert!(last.is_finite() && last < 0.75 * first, "rrr_err {first} -> {last}");
    let mut wrong = 0;
    for k in 0..CLASS_ITEMS {
        let mut v = vec![0.0; net.nodes()];
        let mut y = vec![0.0; net.nodes()];
        for (i, vi) in v[..13].iter_mut().enumerate() {
            *vi = buf.values[buf.layout.at(k, i, net.nodes())];
        }
        lwl_kernel::network::forward(&net, &p, &buf.weights, &buf.biases, &mut v, &mut y);
        wrong += (lwl_kernel::network::predict(&net, &v) != Some(buf.labels[k] as usize)) as usize;
    }
    assert_eq!(wrong, 0);
}

/// γ is a parameter: the paths that compute only the RRR step refuse any
/// other value (and change nothing) rather than ignore it.
#[test]
fn rrr_paths_refuse_other_gamma() {
    let spec = class_spec(DIR);
    let net = spec.net().unwrap();
    let p = Params { gamma: 0.5, ..class_params(ClassMode::Plain) };
    let mut buf = class_setup(DIR, p.class_mode, &spec, Layout::batch_innermost(CLASS_ITEMS).unwrap());
    let before = state_copy(&buf);
    for m in [Method::Oracle, Method::Simd] {
        assert_eq!(buf.iterate(&net, &p, m).unwrap_err(), IterError::Gamma, "{m:?}");
    }
    assert_eq!(state_copy(&buf), before);
    let mut b = nmf::setup();
    let q = lwl_kernel::nmf::Params { gamma: 0.5, ..nmf::P };
    for m in [Method::Oracle, Method::Simd] {
        assert_eq!(b.iterate(&q, m).unwrap_err(), lwl_kernel::nmf::NmfError::Gamma, "{m:?}");
    }
}

mod nmf {
    use lwl_kernel::counters::Counters;
    use lwl_kernel::layout::Layout;
    use lwl_kernel::nmf::general::{AValues, combine, project_a, project_b};
    use lwl_kernel::nmf::{Params, Shape, State};
    use lwl_runners::engine::{Method, NmfBuffers};
    use lwl_tests::{assert_close, lines, numbers};

    const SHAPE: Shape = Shape { data: 6, rank: 5 };
    pub(super) const P: Params = Params { beta: 0.3, gamma: 1.0, omega: 0.6 };

    /// The golden NMF case from its initial iterate.
    pub(super) fn setup() -> NmfBuffers {
        let layout = Layout::new(6, 4).unwrap();
        let mut b = NmfBuffers::new(SHAPE, layout).unwrap();
        let d = numbers("nmf_ledm6/inputs/data.txt");
        let st = lines("nmf_ledm6/outputs/state_iter000.txt");
        for k in 0..6 {
            for i in 0..6 {
                b.data[layout.at(k, i, 6)] = d[1 + 6 * k + i];
                for j in 0..5 {
                    b.w[layout.at(k, i * 5 + j, 30)] = st[k * 6 + i][j];
                    b.z[layout.at(k, i * 5 + j, 30)] = st[k * 6 + i][5 + j];
                }
            }
        }
        b
    }

    #[test]
    fn gamma_one_is_the_rrr_step() {
        let (mut g, mut o) = (setup(), setup());
        for it in 0..200 {
            let eg = g.iterate(&P, Method::General).unwrap();
            let eo = o.iterate(&P, Method::Oracle).unwrap();
            assert_close(eg, eo, 1e-10, &format!("rrr_err {it}"));
        }
        assert_close(g.recon_err(), o.recon_err(), 1e-10, "recon_err");
    }

    #[test]
    fn projections_idempotent_and_feasible() {
        let mut b = setup();
        for _ in 0..10 {
            b.iterate(&P, Method::Oracle).unwrap();
        }
        let (l, mut cnt) = (b.layout, Counters::default());
        let (mut w, mut z) = (b.w.clone(), b.z.clone());
        project_b(&SHAPE, &l, &b.data, &mut State { w: &mut w, z: &mut z }, &mut cnt);
        for k in 0..6 {
            for i in 0..6 {
                let dot: f64 = (0..5).map(|j| w[l.at(k, i * 5 + j, 30)] * z[l.at(k, i * 5 + j, 30)]).sum();
                assert_close(dot, b.data[l.at(k, i, 6)], 1e-12, "x·w = y");
            }
        }
        let (mut w2, mut z2) = (w.clone(), z.clone());
        project_b(&SHAPE, &l, &b.data, &mut State { w: &mut w2, z: &mut z2 }, &mut cnt);
        for (a, c) in w2.iter().zip(&w).chain(z2.iter().zip(&z)) {
            assert_close(*a, *c, 1e-12, "P_B idempotent");
        }
        let (mut wa, mut za) = (vec![0.0; 30], vec![0.0; b.codes.len()]);
        let (mut vw, mut vz) = (b.w.clone(), b.z.clone());
        let v = State { w: &mut vw, z: &mut vz };
        let mut a = AValues { weights: &mut wa, codes: &mut za };
        project_a(&SHAPE, &l, &P, &v, &mut a, &mut cnt);
        for j in 0..5 {
            let norm: f64 = (0..6).map(|i| a.weights[i * 5 + j].powi(2)).sum::<f64>().sqrt();
            assert_close(norm, P.omega, 1e-12, "column norm");
        }
        assert!(a.weights.iter().chain(a.codes.iter()).all(|&x| x >= 0.0));
        let (mut ew, mut ez) = (vec![0.0; w.len()], vec![0.0; z.len()]);
        let mut e = State { w: &mut ew, z: &mut ez };
        combine(&SHAPE, &l, 1.0, &a, 0.0, &v, &mut e);
        let (mut wb, mut zb) = (vec![0.0; 30], vec![0.0; b.codes.len()]);
        let mut a2 = AValues { weights: &mut wb, codes: &mut zb };
        project_a(&SHAPE, &l, &P, &e, &mut a2, &mut cnt);
        for (x, y) in a2.weights.iter().zip(a.weights.iter()).chain(a2.codes.iter().zip(a.codes.iter())) {
            assert_close(*x, *y, 1e-12, "P_A idempotent");
        }
    }
}
