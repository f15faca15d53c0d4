//! Histograms of the iDE code's per-node sets (the paper's Fig. 20): one
//! panel per code node over the activation's image [0, 1].

use crate::picture::{Image, PALETTE, Rgb};

use super::ide::IdeCode;

const BINS: usize = 50;
const PANEL_W: i64 = 200;
const PANEL_H: i64 = 120;
const PAD: i64 = 24;
const PER_ROW: usize = 5;
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

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

/// One panel per code node, five to a row, each bar scaled to the panel's
/// tallest, labelled `NODE j`.
pub fn histograms(z: &IdeCode) -> Image {
    let rows = z.nodes().div_ceil(PER_ROW).max(1);
    let cols = z.nodes().clamp(1, PER_ROW);
    let (w, h) = (cols as i64 * (PANEL_W + PAD) + PAD, rows as i64 * (PANEL_H + 2 * PAD) + PAD);
    let mut img = Image::new(w as usize, h as usize, WHITE);
    let bar = PANEL_W / BINS as i64;
    for j in 0..z.nodes() {
        let (x0, y0) =
            (PAD + (j % PER_ROW) as i64 * (PANEL_W + PAD), 2 * PAD + (j / PER_ROW) as i64 * (PANEL_H + 2 * PAD));
        let c = counts(z.set(j));
        let top = c.iter().copied().max().unwrap_or(0).max(1) as f64;
        for (b, &n) in c.iter().enumerate() {
            let height = (n as f64 / top * PANEL_H as f64).round() as i64;
            for x in x0 + b as i64 * bar..x0 + (b as i64 + 1) * bar - 1 {
                if height > 0 {
                    img.line((x, y0 + PANEL_H), (x, y0 + PANEL_H - height), PALETTE[0]);
                }
            }
        }
        img.line((x0, y0 + PANEL_H), (x0 + PANEL_W, y0 + PANEL_H), BLACK);
        img.text(x0, y0 - 18, &format!("NODE {j}"), BLACK, 2);
    }
    img
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_and_panels() {
        let c = counts(&[0.0, 0.001, 0.5, 1.0, 1.5, -2.0]);
        assert_eq!((c[0], c[BINS / 2], c[BINS - 1]), (3, 1, 2));
        let img = histograms(&IdeCode::from_codes(&[0.0; 12], 6));
        assert_eq!(img.width as i64, 5 * (PANEL_W + PAD) + PAD);
        assert_eq!(img.height as i64, 2 * (PANEL_H + 2 * PAD) + PAD);
    }
}
