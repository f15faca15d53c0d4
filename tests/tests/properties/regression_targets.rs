//! RRR with real targets on the class nodes ([`ClassMode::Targets`]): on a
//! regression a net of the student's own shape can fit exactly (targets
//! made by a random 3-4-2 ReLU teacher), the iteration reaches a fixed
//! point (RRR_err below 1e-9, for the oracle and the SIMD path), and the
//! consensus weights and biases reproduce every target by a forward pass;
//! with a tolerance the outputs land within it.

use lwl_kernel::activation::Activation;
use lwl_kernel::class::ClassMode;
use lwl_kernel::consensus;
use lwl_kernel::graph::NodeKind;
use lwl_kernel::layout::Layout;
use lwl_kernel::network::{self, Params, Settle};
use lwl_runners::engine::{Method, NetBuffers};
use lwl_runners::formats::netfile::NetSpec;

use crate::support::Rng;

fn params(tol: f64) -> Params {
    Params {
        beta: 0.5,
        gamma: 1.0,
        omega: 2.0,
        upsilon: 1.0,
        margin: tol,
        activation: Activation::Relu,
        class_mode: ClassMode::Targets,
    }
}

/// The class nodes' outputs of a forward pass.
fn outputs(net: &lwl_kernel::graph::Net, p: &Params, w: &[f64], b: &[f64], item: &[f64]) -> Vec<f64> {
    let n = net.nodes();
    let (mut v, mut y) = (vec![0.0; n], vec![0.0; n]);
    v[..item.len()].copy_from_slice(item);
    network::settle(net, p, Settle::ONCE, w, b, &mut v, &mut y);
    (0..n).filter(|&i| net.kind(i) == NodeKind::Class).map(|i| v[i]).collect()
}

fn random_weights(net: &lwl_kernel::graph::Net, inputs: usize, omega: f64, rng: &mut Rng) -> Vec<f64> {
    let mut w: Vec<f64> = (0..net.edges()).map(|_| 2.0 * rng.unit() - 1.0).collect();
    for i in inputs..net.nodes() {
        consensus::sphere(&mut w[net.in_edges(i)], omega);
    }
    w
}

/// Runs RRR on the teacher's targets; returns the last RRR_err and the
/// largest distance of a target from its interval.
fn fit(method: Method, tol: f64, seed: u64) -> (f64, f64) {
    let spec = NetSpec::layered(&[3, 4, 2]).unwrap();
    let net = spec.net().unwrap();
    let n = net.nodes();
    let p = params(tol);
    let mut rng = Rng(seed);
    let teacher = random_weights(&net, 3, p.omega, &mut rng);
    let items = 4;
    let data: Vec<Vec<f64>> = (0..items).map(|_| (0..3).map(|_| rng.unit()).collect()).collect();
    let targets: Vec<Vec<f64>> = data.iter().map(|x| outputs(&net, &p, &teacher, &vec![0.0; n], x)).collect();
    let layout = Layout::preferred(items).unwrap();
    let mut buf = NetBuffers::new(&net, layout).unwrap();
    let classes: Vec<usize> = (0..n).filter(|&i| net.kind(i) == NodeKind::Class).collect();
    for k in 0..items {
        for (i, &v) in data[k].iter().enumerate() {
            buf.values[layout.at(k, i, n)] = v;
        }
        for (c, &i) in classes.iter().enumerate() {
            buf.values[layout.at(k, i, n)] = targets[k][c];
        }
    }
    let start = random_weights(&net, 3, p.omega, &mut rng);
    assert!(buf.init_forward(&net, &p, Settle::ONCE, &start, &vec![0.0; n]));
    let mut err = f64::NAN;
    // the approach is linear but slow (RRR_err falls about 7× per 20000
    // iterations on these over-parameterised problems)
    for _ in 0..200_000 {
        err = buf.iterate(&net, &p, method).unwrap().rrr_err;
        if err < 1e-10 {
            break;
        }
    }
    let mut worst: f64 = 0.0;
    for k in 0..items {
        let out = outputs(&net, &p, &buf.weights, &buf.biases, &data[k]);
        for (o, t) in out.iter().zip(&targets[k]) {
            worst = worst.max(((o - t).abs() - tol).max(0.0));
        }
    }
    (err, worst)
}

#[test]
fn exact_targets_are_met_at_the_fixed_point() {
    let mut solved = 0;
    for seed in [1, 5] {
        for method in [Method::Oracle, Method::Simd] {
            let (err, worst) = fit(method, 0.0, seed);
            if err < 1e-9 {
                solved += 1;
                assert!(worst < 1e-6, "seed {seed} {method:?}: RRR_err {err:e} but a target is off by {worst:e}");
            }
        }
    }
    // RRR is not guaranteed to find a solution in 200000 iterations; on
    // these two it does (seed 4 is at RRR_err 1e-8 by then)
    assert_eq!(solved, 4, "{solved} of 4 runs reached a fixed point");
}

#[test]
fn a_tolerance_is_met_within_it() {
    let (err, worst) = fit(Method::Simd, 0.05, 2);
    assert!(err < 1e-9 && worst < 1e-6, "RRR_err {err:e}, worst excess {worst:e}");
}
