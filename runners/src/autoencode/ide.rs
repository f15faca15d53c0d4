//! The iDE code of section 6.1 (eq. 37): per code node `i` an empirical set
//! `Z_i` of values, the node's values in the encodings of a body of data.
//! A code sample draws every node independently and uniformly from its own
//! set, so samples come from the product `Z_1 × … × Z_|C|` (the
//! disentangled property), and the sets follow the encodings of real data
//! (the data-enveloping property).
//!
//! File format (`ide.txt`): a line `nodes samples`, then one line per code
//! node with its `samples` values.

use rand::RngExt;

use crate::error::InputError;
use crate::formats::text::{nonblank_lines, parse_bounded, parse_finite, tokens};

/// Largest number of values per node accepted in a file.
const MAX_SAMPLES: usize = 100_000_000;

/// Per-node empirical sets of code values.
#[derive(Clone, Debug, PartialEq)]
pub struct IdeCode {
    sets: Vec<Vec<f64>>,
}

impl IdeCode {
    /// The sets of eq. 37 from encodings, item-major with `nodes` values per
    /// item (at least one item).
    pub fn from_codes(codes: &[f64], nodes: usize) -> Self {
        let sets = (0..nodes).map(|j| codes.iter().skip(j).step_by(nodes).copied().collect()).collect();
        Self { sets }
    }

    /// Number of code nodes.
    pub fn nodes(&self) -> usize {
        self.sets.len()
    }

    /// The set of code node `j`.
    pub fn set(&self, j: usize) -> &[f64] {
        &self.sets[j]
    }

    /// `count` code samples, item-major: each node's value uniformly from
    /// its own set, independently.
    pub fn sample<R: rand::Rng>(&self, count: usize, rng: &mut R) -> Vec<f64> {
        let mut out = Vec::with_capacity(count * self.nodes());
        for _ in 0..count {
            out.extend(self.sets.iter().map(|s| s[rng.random_range(0..s.len())]));
        }
        out
    }

    /// The file text (shortest round-trip numbers).
    pub fn to_text(&self) -> String {
        let n = self.sets.first().map_or(0, Vec::len);
        let mut s = format!("{} {n}\n", self.nodes());
        for set in &self.sets {
            s += &set.iter().map(|v| format!("{v:e}")).collect::<Vec<_>>().join(" ");
            s.push('\n');
        }
        s
    }

    /// Parses the file text; `path` names the file in messages.
    pub fn parse(text: &str, path: &str) -> Result<Self, InputError> {
        let mut lines = nonblank_lines(text);
        let (hl, head) = lines.next().ok_or_else(|| InputError::file(path, "empty file; expected `nodes samples`"))?;
        let h = tokens(head);
        if h.len() != 2 {
            return Err(InputError::at(path, hl, "expected `nodes samples`"));
        }
        let nodes = parse_bounded(h[0], "number of nodes", MAX_SAMPLES).map_err(|m| InputError::at(path, hl, m))?;
        let samples = parse_bounded(h[1], "number of samples", MAX_SAMPLES).map_err(|m| InputError::at(path, hl, m))?;
        if nodes == 0 || samples == 0 {
            return Err(InputError::at(path, hl, "an iDE code needs at least one node and one sample"));
        }
        let mut sets = Vec::with_capacity(nodes);
        for j in 0..nodes {
            let (n, l) =
                lines.next().ok_or_else(|| InputError::file(path, format!("ends before the set of node {j}")))?;
            let t = tokens(l);
            if t.len() != samples {
                return Err(InputError::at(path, n, format!("{} values; the header says {samples}", t.len())));
            }
            sets.push(
                t.iter()
                    .map(|v| parse_finite(v))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|m| InputError::at(path, n, m))?,
            );
        }
        if let Some((n, _)) = lines.next() {
            return Err(InputError::at(path, n, "unexpected text after the last node"));
        }
        Ok(Self { sets })
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    use super::*;

    #[test]
    fn file_round_trip() {
        let z = IdeCode::from_codes(&[0.0, 1.0, 0.25, 0.5, 1.0 / 3.0, 0.75], 2);
        assert_eq!(z.set(1), &[1.0, 0.5, 0.75]);
        assert_eq!(IdeCode::parse(&z.to_text(), "z").unwrap(), z);
        assert_eq!(IdeCode::parse("2 3\n1 2 3\n4 5\n", "z").unwrap_err().line, Some(3));
        assert!(IdeCode::parse("2 3\n1 2 3\n", "z").is_err());
    }

    #[test]
    fn samples_come_from_each_nodes_own_set() {
        let z = IdeCode::from_codes(&[0.0, 10.0, 1.0, 11.0], 2);
        let s = z.sample(100, &mut Xoshiro256PlusPlus::seed_from_u64(1));
        assert!(s.chunks(2).all(|c| (c[0] == 0.0 || c[0] == 1.0) && (c[1] == 10.0 || c[1] == 11.0)));
    }
}
