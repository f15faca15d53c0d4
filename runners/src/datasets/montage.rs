//! Synthetic letter montages (section 4.4.2, Fig. 5): 40×40 images in [0, 1]
//! made of four letters, one in each quadrant, each chosen at random from
//! w, x, y, z and drawn at random in a plain or a slanted font. With four
//! positions and four letters the images have an approximate rank-16
//! non-negative factorisation whose features are the letters in a font
//! halfway between the two ("weakly slanted").
//!
//! The paper's hand-made set was not published; this generator draws its own
//! glyphs: each letter is a few straight strokes in a 12×12 box centred in its
//! 20×20 quadrant, rendered with a stroke of width 2 and one pixel of
//! anti-aliasing; the slanted font shears the plain one by [`SLANT`] about the
//! box's middle row.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::formats::datafile::UnlabeledData;

/// Side of an image in pixels.
pub const SIDE: usize = 40;
/// Images in the set.
pub const IMAGES: usize = 2000;
/// Letter positions (quadrants) per image.
pub const POSITIONS: usize = 4;
/// The letters.
pub const LETTERS: [char; 4] = ['w', 'x', 'y', 'z'];
/// Horizontal shift of the slanted font per unit of height (the top leans
/// right). With 0.17 the planted rank-16 factorisation (each feature the
/// mean of a letter's two fonts) has recon_err 0.089, the value the paper
/// reports for its successful factorisations of its own set.
pub const SLANT: f64 = 0.17;

const QUAD: f64 = 20.0;
const BOX: f64 = 12.0;
const HALF_WIDTH: f64 = 1.0;

/// Strokes of a letter in its unit box (x right, y down), as polylines.
fn strokes(letter: usize) -> &'static [&'static [(f64, f64)]] {
    match letter {
        0 => &[&[(0.0, 0.0), (0.25, 1.0), (0.5, 0.35), (0.75, 1.0), (1.0, 0.0)]],
        1 => &[&[(0.0, 0.0), (1.0, 1.0)], &[(1.0, 0.0), (0.0, 1.0)]],
        2 => &[&[(0.0, 0.0), (0.5, 0.6)], &[(1.0, 0.0), (0.2, 1.0)]],
        _ => &[&[(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)]],
    }
}

/// Distance from `p` to the segment `a`–`b`.
fn seg_dist(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (ex, ey) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1);
    (ex * ex + ey * ey).sqrt()
}

/// Draws letter `letter` (index into [`LETTERS`]) at `position` (quadrant
/// 0..4, row-major) into the `SIDE × SIDE` image `img`, plain or slanted;
/// overlapping ink keeps the darker value.
pub fn draw_letter(img: &mut [f64], letter: usize, position: usize, slanted: bool) {
    let (qx, qy) = ((position % 2) as f64 * QUAD, (position / 2) as f64 * QUAD);
    let margin = 0.5 * (QUAD - BOX);
    let shear = if slanted { SLANT } else { 0.0 };
    let to_px = |(u, v): (f64, f64)| (qx + margin + BOX * u + shear * BOX * (0.5 - v), qy + margin + BOX * v);
    let segs: Vec<((f64, f64), (f64, f64))> =
        strokes(letter).iter().flat_map(|line| line.windows(2).map(|w| (to_px(w[0]), to_px(w[1])))).collect();
    for y in 0..SIDE {
        for x in 0..SIDE {
            let p = (x as f64 + 0.5, y as f64 + 0.5);
            let d = segs.iter().map(|&(a, b)| seg_dist(p, a, b)).fold(f64::INFINITY, f64::min);
            let ink = (HALF_WIDTH + 0.5 - d).clamp(0.0, 1.0);
            let v = &mut img[y * SIDE + x];
            *v = v.max(ink);
        }
    }
}

/// One montage: the letter index and font of each position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Montage {
    /// Letter (index into [`LETTERS`]) at each position.
    pub letters: [usize; POSITIONS],
    /// Whether each position uses the slanted font.
    pub slanted: [bool; POSITIONS],
}

impl Montage {
    /// The image, `SIDE × SIDE` values row-major.
    pub fn image(&self) -> Vec<f64> {
        let mut img = vec![0.0; SIDE * SIDE];
        for p in 0..POSITIONS {
            draw_letter(&mut img, self.letters[p], p, self.slanted[p]);
        }
        img
    }
}

/// The random choices of `n` montages from `seed`.
pub fn choices(n: usize, seed: u64) -> Vec<Montage> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let mut m = Montage { letters: [0; POSITIONS], slanted: [false; POSITIONS] };
            for p in 0..POSITIONS {
                m.letters[p] = rng.random_range(0..LETTERS.len());
                m.slanted[p] = rng.random::<bool>();
            }
            m
        })
        .collect()
}

/// The letter-montage set: [`IMAGES`] images of `SIDE × SIDE` pixels as NMF
/// data items (row-major pixels), from `seed`.
pub fn generate(seed: u64) -> UnlabeledData {
    let values = choices(IMAGES, seed).iter().flat_map(Montage::image).collect();
    UnlabeledData { dims: SIDE * SIDE, values }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_in_range_and_seeded() {
        let a = generate(1);
        assert_eq!((a.dims, a.len()), (1600, 2000));
        assert!(a.values.iter().all(|v| (0.0..=1.0).contains(v)));
        assert_eq!(a, generate(1));
        assert_ne!(a.values[..16000], generate(2).values[..16000]);
        let c = choices(2000, 1);
        let slanted = c.iter().flat_map(|m| m.slanted).filter(|&s| s).count();
        assert!((3700..4300).contains(&slanted), "{slanted}");
    }

    #[test]
    fn letters_stay_in_their_quadrant_and_fonts_differ() {
        for l in 0..4 {
            for p in 0..4 {
                for s in [false, true] {
                    let mut img = vec![0.0; SIDE * SIDE];
                    draw_letter(&mut img, l, p, s);
                    let ink: f64 = img.iter().sum();
                    assert!(ink > 20.0, "letter {l} has ink {ink}");
                    for y in 0..SIDE {
                        for x in 0..SIDE {
                            if (x / 20) + 2 * (y / 20) != p {
                                assert_eq!(img[y * SIDE + x], 0.0, "letter {l} pos {p} leaks to ({x},{y})");
                            }
                        }
                    }
                }
            }
            let (mut a, mut b) = (vec![0.0; SIDE * SIDE], vec![0.0; SIDE * SIDE]);
            draw_letter(&mut a, l, 0, false);
            draw_letter(&mut b, l, 0, true);
            assert_ne!(a, b);
        }
    }

    /// The planted factorisation: 16 features (each letter at each position
    /// as the pixel mean of its two fonts) and the encoder's codes. Its
    /// recon_err (0.089 for seed 1) is a reference point for what RRR finds.
    #[test]
    fn planted_rank16_factorisation() {
        let data = generate(1);
        let mut w = vec![0.0; 1600 * 16];
        for p in 0..4 {
            for l in 0..4 {
                let (mut a, mut b) = (vec![0.0; 1600], vec![0.0; 1600]);
                draw_letter(&mut a, l, p, false);
                draw_letter(&mut b, l, p, true);
                for i in 0..1600 {
                    w[i * 16 + p * 4 + l] = 0.5 * (a[i] + b[i]);
                }
            }
        }
        let enc = crate::nmf::encoder::Encoder::new(&w, 1600, 16).unwrap();
        let mut code = [0.0; 16];
        let mut ss = 0.0;
        for y in data.values.chunks(1600) {
            enc.encode(y, &mut code);
            for (i, yv) in y.iter().enumerate() {
                let r = yv - (0..16).map(|j| w[i * 16 + j] * code[j]).sum::<f64>();
                ss += r * r;
            }
        }
        let err = (ss / (2000.0 * 1600.0)).sqrt();
        eprintln!("planted rank-16 recon_err {err}");
        assert!((err - 0.089).abs() < 0.002, "{err}");
    }
}
