//! Synthetic data generators: LEDM and majority circuits.

use lwl_runners::datasets::ledm::ledm;
use lwl_runners::datasets::majority::{Circuit, INPUTS, ITEMS, generate, majority3};
use lwl_runners::formats::datafile::{LabeledData, read_unlabeled, write_unlabeled};

#[test]
fn ledm6_matches_the_reference_file_exactly() {
    let data = ledm(6).expect("valid size");
    assert_eq!(data.dims, 6);
    assert_eq!(data.values[..6], [0.0, 0.04, 0.16, 0.36, 0.64, 1.0]);
    assert_eq!(data.values[1].to_bits(), 0.04f64.to_bits());
    assert_ne!(data.values[1], 0.2 * 0.2);
    let text = write_unlabeled(&data);
    assert_eq!(text, include_str!("data/ledm6.txt"));
    assert_eq!(read_unlabeled(&text, "ledm6").expect("own output parses"), data);
}

#[test]
fn ledm_is_symmetric_with_zero_diagonal() {
    let m = 9;
    let data = ledm(m).expect("valid size");
    for i in 0..m {
        assert_eq!(data.values[i * m + i], 0.0);
        for k in 0..m {
            assert_eq!(data.values[i * m + k], data.values[k * m + i]);
        }
    }
    assert_eq!(data.values[m - 1], 1.0);
    assert!(ledm(1).is_err());
    assert!(ledm(usize::MAX).is_err());
}

#[test]
fn majority_of_three_truth_table() {
    for bits in 0..8u8 {
        let (a, b, c) = (bits & 1 == 1, bits & 2 == 2, bits & 4 == 4);
        assert_eq!(majority3(a, b, c), bits.count_ones() >= 2, "inputs {a} {b} {c}");
    }
}

/// The input vector (as an integer, bit j = input j) of every item.
fn inputs(d: &LabeledData) -> Vec<usize> {
    (0..d.len())
        .map(|k| {
            d.item(k).iter().enumerate().fold(0, |x, (j, &v)| {
                assert!(v == 0.0 || v == 1.0);
                x | (usize::from(v == 1.0) << j)
            })
        })
        .collect()
}

/// Evaluates the circuit from its description, independently of `Circuit::eval`.
fn reference_eval(c: &Circuit, x: usize) -> u32 {
    let mut nodes: Vec<u32> = (0..INPUTS).map(|j| ((x >> j) & 1) as u32).collect();
    for layer in &c.layers {
        nodes = layer
            .iter()
            .map(|g| {
                let ones: u32 = (0..3).map(|t| nodes[g.inputs[t]] ^ u32::from(g.negated[t])).sum();
                u32::from(ones >= 2)
            })
            .collect();
    }
    let ones: u32 = (0..INPUTS).map(|j| nodes[j] ^ u32::from(c.top[j])).sum();
    u32::from(ones >= 7)
}

#[test]
fn majority_data_is_a_labeled_split_of_all_inputs() {
    for depth in 2..=4 {
        let d = generate(depth, 20_240_602).expect("valid depth");
        assert_eq!(d.circuit.depth(), depth);
        assert_eq!(d.circuit.layers.len(), depth - 1);
        for gate in d.circuit.layers.iter().flatten() {
            let [a, b, c] = gate.inputs;
            assert!(a != b && b != c && a != c && a.max(b).max(c) < INPUTS);
        }
        for part in [&d.train, &d.test] {
            assert_eq!((part.dims, part.classes, part.len()), (13, 2, ITEMS / 2));
        }
        let (train, test) = (inputs(&d.train), inputs(&d.test));
        let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..ITEMS).collect::<Vec<_>>(), "every input exactly once");
        for (part, xs) in [(&d.train, &train), (&d.test, &test)] {
            for (k, &x) in xs.iter().enumerate() {
                assert_eq!(part.labels[k], reference_eval(&d.circuit, x), "input {x:#b}");
                assert_eq!(u32::from(d.circuit.eval(x)), part.labels[k]);
            }
        }
        // The split is random, not the natural order.
        assert_ne!(train[..16], (0..16).collect::<Vec<_>>()[..]);
        // Both classes occur.
        assert!(d.train.labels.contains(&0) && d.train.labels.contains(&1));
    }
}

#[test]
fn majority_data_is_deterministic_per_seed() {
    let a = generate(3, 7).expect("valid depth");
    let b = generate(3, 7).expect("valid depth");
    assert_eq!(a, b);
    let c = generate(3, 8).expect("valid depth");
    assert_ne!(a.circuit, c.circuit);
    assert_ne!(a.train, c.train);
    assert!(generate(0, 1).is_err());
    assert!(generate(100, 1).is_err());
}

#[test]
fn majority_negations_are_balanced() {
    // 100 circuits of depth 4: 100 * (2 * 13 * 3 + 13) = 9100 coins.
    let mut negated = 0;
    let mut total = 0;
    for seed in 0..100 {
        let c = generate(4, seed).expect("valid depth").circuit;
        for g in c.layers.iter().flatten() {
            negated += g.negated.iter().filter(|&&n| n).count();
            total += 3;
        }
        negated += c.top.iter().filter(|&&n| n).count();
        total += INPUTS;
    }
    let frac = negated as f64 / total as f64;
    assert!((0.47..0.53).contains(&frac), "negated fraction {frac}");
}
