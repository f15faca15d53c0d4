//! Pictures where a person would rather look than read: grids of grayscale
//! images (learned features, data samples, reconstructions) and line plots
//! of error series on a logarithmic axis (RRR_err as in the paper's Fig. 4
//! and 6), written as PNG.
//!
//! Text is drawn with a built-in 5×7 bitmap font (digits, capital letters,
//! `e` for exponents and a little punctuation), so no system fonts are
//! needed. Long series are reduced by an [`Envelope`] to the minimum and
//! maximum of each stretch, which keeps every spike visible at any length.

use std::io;

/// An RGB image, 8 bits per channel, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `3 · width · height` bytes, rows from the top.
    pub rgb: Vec<u8>,
}

/// An RGB colour.
pub type Rgb = [u8; 3];

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const GRID: Rgb = [225, 225, 225];
const GAP: Rgb = [128, 128, 128];

/// Line colours of successive series.
pub const PALETTE: [Rgb; 8] = [
    [31, 119, 180],
    [214, 39, 40],
    [44, 160, 44],
    [148, 103, 189],
    [255, 127, 14],
    [140, 86, 75],
    [227, 119, 194],
    [23, 190, 207],
];

impl Image {
    /// An image of `width × height` pixels (at least 1 each) filled with
    /// `fill`.
    pub fn new(width: usize, height: usize, fill: Rgb) -> Self {
        let (width, height) = (width.max(1), height.max(1));
        Self { width, height, rgb: fill.repeat(width * height) }
    }

    /// Sets pixel `(x, y)`; pixels outside the image are ignored.
    pub fn set(&mut self, x: i64, y: i64, c: Rgb) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            let o = 3 * (y as usize * self.width + x as usize);
            self.rgb[o..o + 3].copy_from_slice(&c);
        }
    }

    /// The colour of pixel `(x, y)` (which must be inside the image).
    pub fn get(&self, x: usize, y: usize) -> Rgb {
        let o = 3 * (y * self.width + x);
        [self.rgb[o], self.rgb[o + 1], self.rgb[o + 2]]
    }

    fn fill_rect(&mut self, x: i64, y: i64, w: i64, h: i64, c: Rgb) {
        for yy in y..y + h {
            for xx in x..x + w {
                self.set(xx, yy, c);
            }
        }
    }

    /// A straight line from `(x0, y0)` to `(x1, y1)` (Bresenham).
    pub fn line(&mut self, (mut x0, mut y0): (i64, i64), (x1, y1): (i64, i64), c: Rgb) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let mut err = dx + dy;
        loop {
            self.set(x0, y0, c);
            if x0 == x1 && y0 == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x0 += sx;
            }
            if e2 <= dx {
                err += dx;
                y0 += sy;
            }
        }
    }

    /// Draws `s` with its top-left corner at `(x, y)`, each font pixel a
    /// `scale × scale` square; returns the width drawn.
    pub fn text(&mut self, x: i64, y: i64, s: &str, c: Rgb, scale: usize) -> i64 {
        let sc = scale.max(1) as i64;
        let mut cx = x;
        for ch in s.chars() {
            let g = glyph(ch);
            for (row, bits) in g.iter().enumerate() {
                for col in 0..5 {
                    if bits & (0x10 >> col) != 0 {
                        self.fill_rect(cx + col * sc, y + row as i64 * sc, sc, sc, c);
                    }
                }
            }
            cx += 6 * sc;
        }
        cx - x
    }

    /// The PNG encoding of the image.
    pub fn png(&self) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header()?;
        w.write_image_data(&self.rgb)?;
        w.finish()?;
        Ok(out)
    }

    /// The PNG encoding, for writing to `path` (named in the error).
    pub fn png_for(&self, path: &std::path::Path) -> Result<Vec<u8>, crate::error::Error> {
        self.png().map_err(|source| crate::error::Error::Io { path: path.display().to_string(), source })
    }
}

/// Width in pixels of `s` drawn at `scale`.
pub fn text_width(s: &str, scale: usize) -> i64 {
    (s.chars().count() * 6 * scale.max(1)) as i64
}

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
/// around the tiles.
pub fn grid(tiles: &[&[f64]], width: usize, height: usize, cols: usize, scale: usize, shade: Shade) -> Image {
    let (cols, scale) = (cols.clamp(1, tiles.len().max(1)), scale.max(1));
    let rows = tiles.len().div_ceil(cols).max(1);
    let (tw, th) = (width * scale, height * scale);
    let mut img = Image::new(cols * (tw + 1) + 1, rows * (th + 1) + 1, GAP);
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
                img.fill_rect((x0 + x * scale) as i64, (y0 + y * scale) as i64, scale as i64, scale as i64, [g; 3]);
            }
        }
    }
    img
}

/// A long series reduced to at most `2 · CAP` stretches of equal length,
/// each remembered by its minimum and maximum, for plotting.
#[derive(Clone, Debug, Default)]
pub struct Envelope {
    stretch: u64,
    count: u64,
    done: Vec<(f64, f64)>,
    open: Option<(f64, f64)>,
}

impl Envelope {
    const CAP: usize = 2048;

    /// An empty envelope.
    pub fn new() -> Self {
        Self { stretch: 1, ..Self::default() }
    }

    /// Values pushed so far.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Appends the next value of the series.
    pub fn push(&mut self, v: f64) {
        let (lo, hi) = self.open.map_or((v, v), |(a, b)| (a.min(v), b.max(v)));
        self.count += 1;
        if self.count.is_multiple_of(self.stretch) {
            self.done.push((lo, hi));
            self.open = None;
            if self.done.len() == 2 * Self::CAP {
                self.done = self.done.chunks(2).map(|p| (p[0].0.min(p[1].0), p[0].1.max(p[1].1))).collect();
                self.stretch *= 2;
            }
        } else {
            self.open = Some((lo, hi));
        }
    }

    /// Points `(index, value)` tracing the series: each stretch's maximum
    /// then minimum at its middle index (1-based, as iterations count).
    pub fn points(&self) -> Vec<(f64, f64)> {
        let s = self.stretch as f64;
        let mut pts = Vec::with_capacity(2 * self.done.len() + 2);
        for (b, &(lo, hi)) in self.done.iter().chain(&self.open).enumerate() {
            let x = b as f64 * s + 0.5 * (s + 1.0);
            pts.push((x, hi));
            if lo != hi {
                pts.push((x, lo));
            }
        }
        pts
    }
}

/// Tick label: integers as digits below 10⁵, otherwise the shortest
/// scientific form (`2e6`, `2.5e7`).
fn tick_label(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e5 { format!("{v}") } else { format!("{v:e}") }
}

/// About six round tick positions (1, 2 or 5 times a power of ten) from 0
/// to `max`.
fn linear_ticks(max: f64) -> Vec<f64> {
    let raw = max / 6.0;
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|s| *s >= raw).unwrap_or(10.0 * p);
    (0..).map(|i| i as f64 * step).take_while(|t| *t <= max * (1.0 + 1e-12)).collect()
}

/// A plot of one or more series (points `(x, y)`, `y > 0`; other points
/// break the line) with a logarithmic y axis in whole decades, a linear x
/// axis from 0, grid lines, tick labels, a title and an x-axis label.
pub fn plot_log(series: &[Vec<(f64, f64)>], title: &str, xlabel: &str) -> Image {
    const W: i64 = 800;
    const H: i64 = 480;
    const LEFT: i64 = 84;
    const RIGHT: i64 = 24;
    const TOP: i64 = 40;
    const BOTTOM: i64 = 64;
    let mut img = Image::new(W as usize, H as usize, WHITE);
    let pos = |&(x, y): &(f64, f64)| x.is_finite() && y.is_finite() && y > 0.0;
    let all = || series.iter().flatten().filter(|p| pos(p));
    let ymin = all().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let ymax = all().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let xmax = all().map(|p| p.0).fold(0.0, f64::max);
    let (mut lo, mut hi) = if ymin.is_finite() { (ymin.log10().floor(), ymax.log10().ceil()) } else { (-1.0, 0.0) };
    if hi <= lo {
        (lo, hi) = (lo - 1.0, lo + 1.0);
    }
    let xmax = if xmax > 0.0 { xmax } else { 1.0 };
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let px = |x: f64| LEFT + (x / xmax * pw as f64).round() as i64;
    let py = |y: f64| TOP + ph - ((y.log10() - lo) / (hi - lo) * ph as f64).round() as i64;
    let every = ((hi - lo) / 8.0).ceil().max(1.0) as i64;
    for d in (lo as i64..=hi as i64).filter(|d| (d - lo as i64) % every == 0) {
        let y = py(10f64.powi(d as i32));
        img.line((LEFT, y), (LEFT + pw, y), GRID);
        let label = format!("1e{d}");
        img.text(LEFT - 8 - text_width(&label, 2), y - 7, &label, BLACK, 2);
    }
    for t in linear_ticks(xmax) {
        let x = px(t);
        img.line((x, TOP), (x, TOP + ph), GRID);
        let label = tick_label(t);
        img.text(x - text_width(&label, 2) / 2, TOP + ph + 8, &label, BLACK, 2);
    }
    img.line((LEFT, TOP), (LEFT, TOP + ph), BLACK);
    img.line((LEFT, TOP + ph), (LEFT + pw, TOP + ph), BLACK);
    for (s, pts) in series.iter().enumerate() {
        let c = PALETTE[s % PALETTE.len()];
        let mut prev: Option<(i64, i64)> = None;
        for p in pts {
            prev = if pos(p) {
                let q = (px(p.0), py(p.1.max(10f64.powf(lo))));
                img.line(prev.unwrap_or(q), q, c);
                Some(q)
            } else {
                None
            };
        }
    }
    img.text((W - text_width(title, 2)) / 2, 12, title, BLACK, 2);
    img.text(LEFT + (pw - text_width(xlabel, 2)) / 2, H - 26, xlabel, BLACK, 2);
    img
}

/// The 5×7 bitmap of a character: seven rows from the top, bit 4 the
/// leftmost column. Lowercase letters other than `e` use the capitals;
/// unknown characters are drawn as `?`.
fn glyph(c: char) -> [u8; 7] {
    match c {
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        'A' => [0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'Q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'X' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        'e' => [0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E],
        '.' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        ',' => [0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08],
        ':' => [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00],
        '-' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        '+' => [0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00],
        '=' => [0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00],
        '_' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F],
        '/' => [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00],
        '(' => [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
        ')' => [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        '%' => [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
        ' ' => [0; 7],
        c if c.is_ascii_lowercase() => glyph(c.to_ascii_uppercase()),
        _ => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let mut r = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        (info, buf)
    }

    #[test]
    fn png_round_trip() {
        let mut img = Image::new(3, 2, WHITE);
        img.set(2, 1, [1, 2, 3]);
        img.set(5, 5, BLACK);
        let (info, buf) = decode(&img.png().unwrap());
        assert_eq!((info.width, info.height), (3, 2));
        assert_eq!(&buf[15..18], &[1, 2, 3]);
    }

    #[test]
    fn grid_layout_and_shades() {
        let a = [0.0, 1.0, 0.5, 0.25];
        let b = [2.0, 2.0, 4.0, 2.0];
        let img = grid(&[&a, &b, &a], 2, 2, 2, 3, Shade::PerTile);
        assert_eq!((img.width, img.height), (2 * 7 + 1, 2 * 7 + 1));
        assert_eq!(img.get(0, 0), GAP);
        assert_eq!(img.get(1, 1), WHITE); // value 0 of tile a
        assert_eq!(img.get(4, 1), BLACK); // value 1 (the maximum) of tile a
        assert_eq!(img.get(8, 4), BLACK); // value 4 (the maximum) of tile b
        assert_eq!(img.get(7, 3), GAP);
        let img = grid(&[&a], 2, 2, 1, 1, Shade::Range(0.0, 2.0));
        assert_eq!(img.get(2, 1), [128; 3]);
    }

    #[test]
    fn text_draws_glyphs() {
        let mut img = Image::new(20, 9, WHITE);
        assert_eq!(img.text(1, 1, "1e", BLACK, 1), 12);
        assert_eq!(img.get(3, 1), BLACK); // top of the 1
        assert_eq!(img.get(1, 1), WHITE);
        assert_eq!(glyph('r'), glyph('R'));
        assert_eq!(glyph('\u{3b2}'), glyph('?'));
    }

    #[test]
    fn envelope_keeps_extremes() {
        let mut e = Envelope::new();
        for i in 0..100_000u64 {
            e.push(if i == 77_777 { 1e9 } else { 1.0 / (1 + i) as f64 });
        }
        assert_eq!(e.len(), 100_000);
        let p = e.points();
        assert!(p.len() <= 2 * 2 * Envelope::CAP + 2);
        assert!(p.iter().any(|q| q.1 == 1e9));
        assert!(p.iter().any(|q| q.1 == 1.0));
        assert!(p.iter().any(|q| q.1 == 1e-5));
        assert!(p.windows(2).all(|w| w[0].0 <= w[1].0));
        let mut short = Envelope::new();
        short.push(0.5);
        short.push(0.25);
        assert_eq!(short.points(), vec![(1.0, 0.5), (2.0, 0.25)]);
    }

    #[test]
    fn ticks_and_plot() {
        assert_eq!(linear_ticks(200.0), vec![0.0, 50.0, 100.0, 150.0, 200.0]);
        assert_eq!(tick_label(2.5e7), "2.5e7");
        assert_eq!(tick_label(400.0), "400");
        let s = vec![(1.0, 1.0), (2.0, 0.1), (3.0, 0.0), (4.0, 1e-3)];
        let t: Vec<(f64, f64)> = s.iter().map(|&(x, y)| (x, 10.0 * y)).collect();
        let img = plot_log(&[s, t], "RRR_ERR", "ITERATION");
        assert_eq!((img.width, img.height), (800, 480));
        assert!(img.rgb.chunks(3).any(|p| p == PALETTE[0]));
        assert!(img.rgb.chunks(3).any(|p| p == PALETTE[1]));
        // an empty plot is still a picture
        assert_eq!(plot_log(&[], "EMPTY", "X").width, 800);
    }
}
