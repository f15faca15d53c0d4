//! Montages of grayscale tiles, set pixel by pixel.

use super::Image;

/// The gap between and around tiles.
const GAP: [u8; 3] = [128, 128, 128];

/// How grid tiles map values to gray: ink is dark on a white ground.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shade {
    /// `lo` is white, `hi` black, the same for every tile (data in [0, 1]).
    Range(f64, f64),
    /// Each tile from its own minimum (white) to maximum (black), so faint
    /// features stay visible.
    PerTile,
}

/// Tiles of `width × height` values (row-major) in rows of `cols`, each
/// value a `scale × scale` square, with a 1-pixel gray gap between and
/// around the tiles. Missing values are drawn as `lo`, NaN as white.
pub fn grid(tiles: &[&[f64]], width: usize, height: usize, cols: usize, scale: usize, shade: Shade) -> Image {
    let (cols, scale) = (cols.clamp(1, tiles.len().max(1)), scale.max(1));
    let rows = tiles.len().div_ceil(cols).max(1);
    let (tw, th) = (width * scale, height * scale);
    let (iw, ih) = (cols * (tw + 1) + 1, rows * (th + 1) + 1);
    let mut img = Image { width: iw, height: ih, rgb: GAP.repeat(iw * ih) };
    for (t, tile) in tiles.iter().enumerate() {
        let (lo, hi) = match shade {
            Shade::Range(lo, hi) => (lo, hi),
            Shade::PerTile => tile.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v))),
        };
        let span = if hi > lo { hi - lo } else { 1.0 };
        let (x0, y0) = ((t % cols) * (tw + 1) + 1, (t / cols) * (th + 1) + 1);
        for y in 0..height {
            for x in 0..width {
                let v = tile.get(y * width + x).copied().unwrap_or(lo);
                let f = ((v - lo) / span).clamp(0.0, 1.0);
                let g = if f.is_nan() { 255 } else { (255.0 * (1.0 - f)).round() as u8 };
                fill_square(&mut img, x0 + x * scale, y0 + y * scale, scale, [g; 3]);
            }
        }
    }
    img
}

/// Fills the `side × side` square with its top-left corner at `(x, y)`
/// (which lies inside the image, as the grid's layout makes it).
fn fill_square(img: &mut Image, x: usize, y: usize, side: usize, c: [u8; 3]) {
    for row in y..y + side {
        let o = 3 * (row * img.width + x);
        for px in img.rgb[o..o + 3 * side].chunks_exact_mut(3) {
            px.copy_from_slice(&c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(img: &Image, x: usize, y: usize) -> [u8; 3] {
        let o = 3 * (y * img.width + x);
        [img.rgb[o], img.rgb[o + 1], img.rgb[o + 2]]
    }

    #[test]
    fn grid_layout_and_shades() {
        let (white, black) = ([255; 3], [0; 3]);
        let a = [0.0, 1.0, 0.5, 0.25];
        let b = [2.0, 2.0, 4.0, 2.0];
        let img = grid(&[&a, &b, &a], 2, 2, 2, 3, Shade::PerTile);
        assert_eq!((img.width, img.height), (2 * 7 + 1, 2 * 7 + 1));
        assert_eq!(at(&img, 0, 0), GAP);
        assert_eq!(at(&img, 1, 1), white); // value 0 of tile a
        assert_eq!(at(&img, 4, 1), black); // value 1 (the maximum) of tile a
        assert_eq!(at(&img, 8, 4), black); // value 4 (the maximum) of tile b
        assert_eq!(at(&img, 7, 3), GAP);
        let img = grid(&[&a], 2, 2, 1, 1, Shade::Range(0.0, 2.0));
        assert_eq!(at(&img, 2, 1), [128; 3]);
        // nothing to show is still a picture
        assert_eq!((grid(&[], 2, 2, 3, 1, Shade::PerTile).width), 4);
    }
}
