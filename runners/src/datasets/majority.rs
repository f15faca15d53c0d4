//! Majority-gate circuits on 13 Boolean inputs (paper section 5.5.1).
//!
//! A circuit of depth n has n − 1 hidden layers of 13 three-input majority
//! gates, each reading 3 distinct nodes of the layer below, and a top
//! majority gate over the 13 nodes of the last hidden layer whose output is
//! the class. Every gate input is negated with probability 1/2. The data set
//! is all 2^13 input vectors, labeled by the circuit and split at random into
//! equal train and test halves.
//!
//! Everything comes from one seed of [`Xoshiro256PlusPlus`], drawn in this
//! order: for each hidden layer from the inputs up, for each gate, its 3
//! sources then its 3 negations; then the 13 negations of the top gate; then
//! a Fisher–Yates shuffle of the 2^13 inputs (the first half is the training
//! set). Only raw `next_u64` outputs are used (uniform integers by Lemire's
//! unbiased method, coins from the top bit), so the data do not depend on the
//! sampling algorithms of a particular `rand` version.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::error::Error;
use crate::formats::datafile::LabeledData;

/// Number of circuit inputs, and of gates in every hidden layer.
pub const INPUTS: usize = 13;
/// Number of input vectors, 2^13.
pub const ITEMS: usize = 1 << INPUTS;
/// Largest supported circuit depth (the paper uses 2, 3 and 4).
pub const MAX_DEPTH: usize = 16;

/// A three-input majority gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gate {
    /// The 3 distinct nodes of the layer below that the gate reads.
    pub inputs: [usize; 3],
    /// Whether each input is negated before the vote.
    pub negated: [bool; 3],
}

/// A random majority circuit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Circuit {
    /// Hidden layers from the inputs up; layer 0 reads the inputs.
    pub layers: Vec<[Gate; INPUTS]>,
    /// Whether each node of the last hidden layer is negated before the top vote.
    pub top: [bool; INPUTS],
}

/// A labeled majority data set and the circuit that labeled it.
#[derive(Clone, Debug, PartialEq)]
pub struct MajorityData {
    /// The circuit.
    pub circuit: Circuit,
    /// Training half: 4096 items of 13 values (0 or 1), labels 0 or 1.
    pub train: LabeledData,
    /// Test half: the other 4096 input vectors.
    pub test: LabeledData,
}

/// Majority of three bits.
pub fn majority3(a: bool, b: bool, c: bool) -> bool {
    u8::from(a) + u8::from(b) + u8::from(c) >= 2
}

/// A uniform integer in `0..n` (`n >= 1`), by Lemire's multiply-and-reject.
fn below<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    let n = n as u64;
    let threshold = n.wrapping_neg() % n;
    loop {
        let m = u128::from(rng.next_u64()) * u128::from(n);
        if m as u64 >= threshold {
            return (m >> 64) as usize;
        }
    }
}

/// A fair coin.
fn coin<R: Rng + ?Sized>(rng: &mut R) -> bool {
    rng.next_u64() >> 63 == 1
}

impl Circuit {
    /// A random circuit of depth `depth >= 1` (`depth - 1` hidden layers).
    fn random<R: Rng + ?Sized>(depth: usize, rng: &mut R) -> Circuit {
        let mut layers = Vec::with_capacity(depth - 1);
        for _ in 1..depth {
            let layer = std::array::from_fn(|_| {
                // Partial Fisher–Yates: 3 distinct nodes of the layer below.
                let mut pool: [usize; INPUTS] = std::array::from_fn(|j| j);
                for i in 0..3 {
                    let j = i + below(rng, INPUTS - i);
                    pool.swap(i, j);
                }
                let inputs = [pool[0], pool[1], pool[2]];
                let negated = std::array::from_fn(|_| coin(rng));
                Gate { inputs, negated }
            });
            layers.push(layer);
        }
        let top = std::array::from_fn(|_| coin(rng));
        Circuit { layers, top }
    }

    /// The circuit depth: hidden layers plus the top gate.
    pub fn depth(&self) -> usize {
        self.layers.len() + 1
    }

    /// The class (`true` = 1) of the input vector whose bit `j` is input `j`.
    pub fn eval(&self, input: usize) -> bool {
        let mut nodes: [bool; INPUTS] = std::array::from_fn(|j| (input >> j) & 1 == 1);
        for layer in &self.layers {
            nodes = std::array::from_fn(|g| {
                let Gate { inputs: [a, b, c], negated: [na, nb, nc] } = layer[g];
                majority3(nodes[a] ^ na, nodes[b] ^ nb, nodes[c] ^ nc)
            });
        }
        let votes = nodes.iter().zip(&self.top).filter(|&(&x, &neg)| x ^ neg).count();
        votes > INPUTS / 2
    }
}

/// Generates the majority data set of depth `depth` (1..=[`MAX_DEPTH`]) from
/// `seed`.
pub fn generate(depth: usize, seed: u64) -> Result<MajorityData, Error> {
    if !(1..=MAX_DEPTH).contains(&depth) {
        return Err(Error::Usage(format!("circuit depth {depth} must be in 1..={MAX_DEPTH}")));
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let circuit = Circuit::random(depth, &mut rng);
    let mut order: Vec<usize> = (0..ITEMS).collect();
    for i in (1..ITEMS).rev() {
        order.swap(i, below(&mut rng, i + 1));
    }
    let labeled = |inputs: &[usize]| LabeledData {
        dims: INPUTS,
        classes: 2,
        values: inputs.iter().flat_map(|&x| (0..INPUTS).map(move |j| ((x >> j) & 1) as f64)).collect(),
        labels: inputs.iter().map(|&x| u32::from(circuit.eval(x))).collect(),
    };
    let (train, test) = order.split_at(ITEMS / 2);
    let (train, test) = (labeled(train), labeled(test));
    Ok(MajorityData { circuit, train, test })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_stays_in_range_and_hits_everything() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let mut seen = [false; 13];
        for _ in 0..1000 {
            seen[below(&mut rng, 13)] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(below(&mut rng, 1), 0);
    }
}
