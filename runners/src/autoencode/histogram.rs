//! Histograms of the iDE code's per-node sets (the paper's Fig. 20): one
//! panel per code node over the activation's image [0, 1].

use std::io;

use crate::picture::{self, Image, Panel};

use super::ide::IdeCode;

const BINS: usize = 50;
const PER_ROW: usize = 5;

/// Counts of `values` in [`BINS`] equal bins over [0, 1] (values outside
/// go to the end bins).
fn counts(values: &[f64]) -> [usize; BINS] {
    let mut c = [0; BINS];
    for &v in values {
        let b = (v.clamp(0.0, 1.0) * BINS as f64) as usize;
        c[b.min(BINS - 1)] += 1;
    }
    c
}

/// One panel per code node, five to a row, titled `node j`.
pub fn histograms(z: &IdeCode) -> io::Result<Image> {
    let counts: Vec<[usize; BINS]> = (0..z.nodes()).map(|j| counts(z.set(j))).collect();
    let panels: Vec<Panel> =
        counts.iter().enumerate().map(|(j, c)| Panel { title: format!("node {j}"), counts: c }).collect();
    picture::histograms(&panels, (0.0, 1.0), "code value", PER_ROW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_and_panels() {
        let c = counts(&[0.0, 0.001, 0.5, 1.0, 1.5, -2.0]);
        assert_eq!((c[0], c[BINS / 2], c[BINS - 1]), (3, 1, 2));
        let img = histograms(&IdeCode::from_codes(&[0.0; 12], 6)).unwrap();
        assert_eq!((img.width, img.height), (5 * 300, 2 * 220));
    }
}
