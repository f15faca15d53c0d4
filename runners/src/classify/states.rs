//! The state-to-state block of a classifier net with cycles, read as an
//! implicit model `x = φ(A x + B u − b)` (the implicit deep learning paper,
//! sections 2–3): `A_ij = W_e / Ω` for the edge `e` from hidden node `j` to
//! hidden node `i`. RRR puts every node's incoming weights on a sphere of
//! radius Ω, which bounds each row of `A` in the 2-norm, not in the 1-norm
//! the well-posedness condition `‖A‖∞ < 1` needs; these are the numbers
//! that tell whether the trained model's inference is known to converge.

use lwl_kernel::graph::{Net, NodeKind};

/// Norms of the state-to-state block `A`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StateBlock {
    /// `‖A‖∞ = max_i Σ_j |A_ij|` (section 3.1, eq. 2): below 1 the
    /// fixed-point map is a contraction (for a 1-Lipschitz activation).
    pub norm: f64,
    /// The Perron–Frobenius root `λ_pf(|A|)`: the least `‖D A D⁻¹‖∞` over
    /// positive diagonal scalings `D` (the invariance of section 3.2), so
    /// below 1 the map is a contraction in a scaled max norm. Estimated by
    /// power iteration on `I + |A|`; 0 for a strictly triangular `A`, up to
    /// the iteration's slow convergence there.
    pub pf: f64,
}

/// Power iterations of the Perron–Frobenius estimate at most.
const POWER_STEPS: usize = 5000;

/// The norms of `A` of `net` with `weights` and `omega`.
pub fn state_block(net: &Net, weights: &[f64], omega: f64) -> StateBlock {
    let hidden = |i: usize| net.kind(i) == NodeKind::Hidden;
    let states: Vec<usize> = (0..net.nodes()).filter(|&i| hidden(i)).collect();
    // |A| row by row over all nodes (zero rows and columns off the states)
    let rows: Vec<Vec<(usize, f64)>> = states
        .iter()
        .map(|&i| {
            net.in_edges(i).filter(|&e| hidden(net.src(e))).map(|e| (net.src(e), weights[e].abs() / omega)).collect()
        })
        .collect();
    let norm = rows.iter().map(|r| r.iter().map(|&(_, a)| a).sum::<f64>()).fold(0.0, f64::max);
    if norm == 0.0 {
        return StateBlock { norm, pf: 0.0 };
    }
    // the root of I + |A| is 1 + λ_pf(|A|), and I + |A| is primitive when
    // |A| is irreducible, so the power iteration does not oscillate
    let mut x = vec![0.0; net.nodes()];
    states.iter().for_each(|&i| x[i] = 1.0);
    let mut next = x.clone();
    let mut root = f64::NAN;
    for _ in 0..POWER_STEPS {
        for (&i, r) in states.iter().zip(&rows) {
            next[i] = x[i] + r.iter().map(|&(j, a)| a * x[j]).sum::<f64>();
        }
        let top = states.iter().map(|&i| next[i]).fold(0.0, f64::max);
        states.iter().for_each(|&i| x[i] = next[i] / top);
        let converged = (top - root).abs() <= 1e-13 * top;
        root = top;
        if converged {
            break;
        }
    }
    StateBlock { norm, pf: (root - 1.0).max(0.0) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::feedforward;
    use crate::formats::datafile::LabeledData;
    use crate::formats::netfile::{ImplicitShape, NetSpec};
    use crate::implicit::model::{Map, Model};
    use faer::Mat;
    use lwl_kernel::activation::Activation;
    use lwl_kernel::class::ClassMode;
    use lwl_kernel::network::{self, Params, Settle};
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn params(omega: f64) -> Params {
        let activation = Activation::Relu;
        Params { beta: 1.0, gamma: 1.0, omega, upsilon: 1.0, margin: 0.0, activation, class_mode: ClassMode::Plain }
    }

    /// Weights in ±1 on a dense implicit net of `shape`, the state-to-state
    /// ones scaled so that every row of `A` has ℓ1 norm `a_rows`.
    fn weights(spec: &NetSpec, omega: f64, a_rows: f64, rng: &mut Xoshiro256PlusPlus) -> Vec<f64> {
        let net = spec.net().unwrap();
        let mut w: Vec<f64> = (0..spec.edges()).map(|_| 2.0 * rng.random::<f64>() - 1.0).collect();
        for i in (0..net.nodes()).filter(|&i| net.kind(i) == NodeKind::Hidden) {
            let a: Vec<usize> = net.in_edges(i).filter(|&e| net.kind(net.src(e)) == NodeKind::Hidden).collect();
            let l1: f64 = a.iter().map(|&e| w[e].abs()).sum::<f64>() / omega;
            a.iter().for_each(|&e| w[e] *= a_rows / l1);
        }
        w
    }

    /// The implicit model the net computes: `A_ij = W_e / Ω` (likewise `B`,
    /// `C`, `D`), biases `−b`.
    fn model(spec: &NetSpec, w: &[f64], b: &[f64], omega: f64) -> Model {
        let net = spec.net().unwrap();
        let inputs = spec.count(NodeKind::Input);
        let states = spec.count(NodeKind::Hidden);
        let block = |rows: std::ops::Range<usize>| {
            let (mut x, mut u) = (Mat::zeros(rows.len(), states), Mat::zeros(rows.len(), inputs));
            for (r, i) in rows.clone().enumerate() {
                for e in net.in_edges(i) {
                    let s = net.src(e);
                    if s < inputs { u[(r, s)] = w[e] / omega } else { x[(r, s - inputs)] = w[e] / omega }
                }
            }
            Map { wx: Some((0, x)), wu: Some(u), bias: rows.map(|i| -b[i]).collect() }
        };
        let (first, last) = (inputs, inputs + states);
        Model { blocks: vec![block(first..last)], out: block(last..net.nodes()), act: feedforward::Activation::Relu }
    }

    /// The forward pass of an implicit net, settled by Gauss–Seidel sweeps,
    /// reaches the fixed point the implicit model's Picard (Jacobi)
    /// iteration reaches, states and outputs alike, when `‖A‖∞ < 1`.
    #[test]
    fn settled_pass_is_the_implicit_models_fixed_point() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let shape = ImplicitShape { inputs: 3, states: 6, classes: 2, density: 1.0, direct: true };
        let spec = NetSpec::implicit(shape, &mut rng).unwrap();
        let net = spec.net().unwrap();
        let omega = 2.0;
        let w = weights(&spec, omega, 0.8, &mut rng);
        let b: Vec<f64> = (0..spec.nodes()).map(|_| 0.6 * rng.random::<f64>() - 0.3).collect();
        let s = state_block(&net, &w, omega);
        assert!((s.norm - 0.8).abs() < 1e-12 && s.pf <= s.norm + 1e-12, "{s:?}");
        let m = model(&spec, &w, &b, omega);
        let items = 5;
        let u = Mat::from_fn(3, items, |_, _| 2.0 * rng.random::<f64>() - 1.0);
        let (y_hat, fixed) = m.predict(u.as_ref(), 1000, 1e-14);
        assert_eq!(fixed.unconverged, 0);
        let settle = Settle { sweeps: 1000, tol: 1e-14 };
        let mut most = 0;
        for k in 0..items {
            let (mut v, mut y) = (vec![0.0; spec.nodes()], vec![0.0; spec.nodes()]);
            (0..3).for_each(|i| v[i] = u[(i, k)]);
            let done = network::settle(&net, &params(omega), settle, &w, &b, &mut v, &mut y);
            assert!(done.converged(settle), "{done:?}");
            most = most.max(done.sweeps);
            for i in 0..6 {
                assert!((v[3 + i] - fixed.x[0][(i, k)]).abs() < 1e-12, "state {i} of item {k}");
            }
            for c in 0..2 {
                assert!((v[9 + c] - y_hat[(c, k)]).abs() < 1e-12, "class {c} of item {k}");
            }
        }
        // Gauss–Seidel needs no more passes than Jacobi on a contraction
        assert!(most > 2 && most as usize <= fixed.steps, "{most} {}", fixed.steps);
    }

    /// States that excite each other with `λ_pf(|A|) > 1` under ReLU grow
    /// without bound: every item is reported unconverged after the passes
    /// allowed, and the class is still decided.
    #[test]
    fn an_expansive_block_is_reported_unconverged() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
        let shape = ImplicitShape { inputs: 2, states: 4, classes: 2, density: 1.0, direct: false };
        let spec = NetSpec::implicit(shape, &mut rng).unwrap();
        let net = spec.net().unwrap();
        let w: Vec<f64> = (0..spec.edges()).map(|e| if e % 5 == 0 { 0.5 } else { 1.0 }).collect();
        let omega = 1.0;
        assert!(state_block(&net, &w, omega).pf > 2.5);
        let data =
            LabeledData { dims: 2, classes: 2, values: vec![1.0, 0.5, 0.2, 0.9, 0.7, 0.1], labels: vec![0, 1, 1] };
        let b = vec![0.0; spec.nodes()];
        let p = params(omega);
        let settle = Settle { sweeps: 40, tol: 1e-9 };
        let c = Classifier { net: &net, params: &p, settle, weights: &w, biases: &b }.evaluate(&data);
        assert_eq!((c.unsettled, c.sweeps), (3, 40));
        assert_eq!(c.class0 + c.class1, 3);
        // on an ordered net the same evaluation is one pass
        let layered = NetSpec::layered(&[2, 4, 2]).unwrap();
        let ln = layered.net().unwrap();
        let lw = vec![1.0; layered.edges()];
        let lb = vec![0.0; layered.nodes()];
        let c = Classifier { net: &ln, params: &p, settle, weights: &lw, biases: &lb }.evaluate(&data);
        assert_eq!((c.unsettled, c.sweeps), (0, 1));
    }

    /// A net of one input, two states reading each other and one class:
    /// `A = [[0, a], [b, 0]] / Ω`, whose root is `√(ab) / Ω`, though its
    /// plain power iteration oscillates.
    #[test]
    fn two_state_cycle_has_the_known_root() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
        let shape = ImplicitShape { inputs: 1, states: 2, classes: 1, density: 1.0, direct: false };
        let spec = NetSpec::implicit(shape, &mut rng).unwrap();
        let net = spec.net().unwrap();
        // edges: state 1 reads input 0 and state 2; state 2 reads 0 and 1;
        // the class reads both states
        let w = [0.3, -0.9, 5.0, 0.4, 1.0, 1.0];
        let s = state_block(&net, &w, 2.0);
        assert_eq!(s.norm, 0.45);
        assert!((s.pf - (0.9f64 * 0.4).sqrt() / 2.0).abs() < 1e-9, "{s:?}");
    }

    #[test]
    fn layered_net_has_a_nilpotent_block() {
        let spec = NetSpec::layered(&[2, 3, 3, 1]).unwrap();
        let net = spec.net().unwrap();
        let w = vec![1.0; spec.edges()];
        let s = state_block(&net, &w, 1.0);
        // each second-layer node reads three first-layer nodes
        assert_eq!(s.norm, 3.0);
        assert!(s.pf < 1e-2, "{s:?}");
        let one_layer = NetSpec::layered(&[2, 3, 1]).unwrap();
        assert_eq!(state_block(&one_layer.net().unwrap(), &[1.0; 9], 1.0), StateBlock { norm: 0.0, pf: 0.0 });
    }

    /// On a positive `A` the root lies between the smallest and the largest
    /// row sum, and equals them when all rows sum alike.
    #[test]
    fn root_is_bounded_by_row_sums() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        let shape = ImplicitShape { inputs: 1, states: 5, classes: 1, density: 1.0, direct: false };
        let spec = NetSpec::implicit(shape, &mut rng).unwrap();
        let net = spec.net().unwrap();
        let w: Vec<f64> = (0..spec.edges()).map(|e| 0.1 + 0.05 * (e % 7) as f64).collect();
        let s = state_block(&net, &w, 1.0);
        let sums: Vec<f64> = (1..6).map(|i| net.in_edges(i).filter(|&e| net.src(e) != 0).map(|e| w[e]).sum()).collect();
        let (lo, hi) = sums.iter().fold((f64::MAX, 0.0f64), |(l, h), &r| (l.min(r), h.max(r)));
        assert_eq!(s.norm, hi);
        assert!(lo - 1e-12 <= s.pf && s.pf <= hi + 1e-12, "{lo} {} {hi}", s.pf);
        let even = vec![0.25; spec.edges()];
        assert!((state_block(&net, &even, 1.0).pf - 1.0).abs() < 1e-9);
    }
}
