//! The selection rules for compromised data pick exactly the items
//! docs/design.md's rules name, on hand-made batches whose class-node distances
//! are worked out by hand below (margin Δ = 0.5, `b = 0`, so `z = y`).

use lwl_kernel::activation::Activation;
use lwl_kernel::class::{ClassMode, EXEMPT};
use lwl_kernel::layout::Layout;
use lwl_kernel::network::Params;
use lwl_runners::engine::{Method, NetBuffers};
use lwl_runners::formats::netfile::NetSpec;

/// Runs one oracle and one SIMD iteration on a batch whose class-node values
/// are `z[k]` and returns the label each item was projected to (both paths
/// must agree).
fn used_labels(z: &[&[f64]], labels: &[u32], mode: ClassMode) -> Vec<u32> {
    let classes = z[0].len();
    let spec = NetSpec::layered(&[1, classes]).unwrap();
    let net = spec.net().unwrap();
    let p = Params {
        beta: 1.0,
        gamma: 1.0,
        omega: 1.0,
        upsilon: 1.0,
        margin: 0.5,
        activation: Activation::Relu,
        class_mode: mode,
    };
    let run = |path| {
        let mut b = NetBuffers::new(&net, Layout::new(z.len(), 4).unwrap()).unwrap();
        b.labels.copy_from_slice(labels);
        for (k, zk) in z.iter().enumerate() {
            b.values[b.layout.at(k, 0, net.nodes())] = 1.0;
            for (c, &v) in zk.iter().enumerate() {
                b.y[b.layout.at(k, 1 + c, net.nodes())] = v;
            }
        }
        b.iterate(&net, &p, path).unwrap();
        b.used_label.clone()
    };
    let (o, f) = (run(Method::Oracle), run(Method::Simd));
    assert_eq!(o, f, "oracle and SIMD path select differently");
    o
}

const X: u32 = EXEMPT;

// Three classes. D_k (own label) and the best other label:
// item 0: label 0, satisfied, D = 0
// item 1: label 0, D = 0.125 + 0.32 = 0.445; label 1 costs 0 -> excess 0.445
// item 2: label 1, D = 0.02 + 0.02 = 0.04; every other label costs more -> excess 0
// item 3: label 2, D = 0.405 + 0.125 = 0.53; label 0 costs 0 -> excess 0.53
// item 4: label 1, D = 0.5 + 0.18 = 0.68; label 2 costs 0 -> excess 0.68
// item 5: label 0, D = 0.005, excess 0
const Z3: [&[f64]; 6] = [
    &[1.0, -1.0, -1.0],
    &[0.0, 0.8, -1.0],
    &[0.2, 0.3, -1.0],
    &[0.9, -1.0, 0.0],
    &[-1.0, -0.5, 0.6],
    &[0.4, -1.0, -1.0],
];
const L3: [u32; 6] = [0, 0, 1, 2, 1, 0];

#[test]
fn eccentric_exemptions() {
    assert_eq!(used_labels(&Z3, &L3, ClassMode::Exempt(0)), L3);
    assert_eq!(used_labels(&Z3, &L3, ClassMode::Exempt(2)), [0, 0, 1, X, X, 0]);
    assert_eq!(used_labels(&Z3, &L3, ClassMode::Exempt(3)), [0, X, 1, X, X, 0]);
    // T = 0: every violating item, never the satisfied one
    assert_eq!(used_labels(&Z3, &L3, ClassMode::Exempt(6)), [0, X, X, X, X, X]);
}

#[test]
fn exemption_ties_exempt_more() {
    let z: [&[f64]; 4] = [&[0.0, 0.8], &[0.0, 0.8], &[1.0, -1.0], &[0.3, -1.0]];
    assert_eq!(used_labels(&z, &[0, 0, 0, 0], ClassMode::Exempt(1)), [X, X, 0, 0]);
}

#[test]
fn relabelling() {
    assert_eq!(used_labels(&Z3, &L3, ClassMode::Relabel(0)), L3);
    assert_eq!(used_labels(&Z3, &L3, ClassMode::Relabel(1)), [0, 0, 1, 2, 2, 0]);
    assert_eq!(used_labels(&Z3, &L3, ClassMode::Relabel(2)), [0, 0, 1, 0, 2, 0]);
    // only positive excesses relabel, whatever the budget
    assert_eq!(used_labels(&Z3, &L3, ClassMode::Relabel(6)), [0, 1, 1, 0, 2, 0]);
}

#[test]
fn relabelling_ties_take_the_lower_class() {
    // label 2 costs 1.375; classes 0 and 1 cost 0.125 each (the other
    // node at 0.5 must drop to 0), so the lower class, 0, wins.
    let z: [&[f64]; 1] = [&[0.5, 0.5, -1.0]];
    assert_eq!(used_labels(&z, &[2], ClassMode::Relabel(1)), [0]);
}

// Two classes, class 0 = fake. Delta = (distance as genuine) - (as fake):
// item 0: 0.8125 > 0; item 1: -0.2225; item 2: -0.1025; item 3 genuine;
// item 4: -0.4525; item 5: 0.1525 > 0.
const Z2: [&[f64]; 6] = [&[1.0, -1.0], &[0.0, 0.8], &[0.2, 0.6], &[-1.0, 1.0], &[-0.4, 1.0], &[0.6, 0.0]];
const L2: [u32; 6] = [0, 0, 0, 1, 0, 0];

#[test]
fn false_positive_allowance() {
    assert_eq!(used_labels(&Z2, &L2, ClassMode::FalsePositive(0)), L2);
    assert_eq!(used_labels(&Z2, &L2, ClassMode::FalsePositive(1)), [0, 0, 0, 1, 1, 0]);
    assert_eq!(used_labels(&Z2, &L2, ClassMode::FalsePositive(2)), [0, 1, 0, 1, 1, 0]);
    assert_eq!(used_labels(&Z2, &L2, ClassMode::FalsePositive(3)), [0, 1, 1, 1, 1, 0]);
    assert_eq!(used_labels(&Z2, &L2, ClassMode::FalsePositive(9)), [0, 1, 1, 1, 1, 0]);
}
