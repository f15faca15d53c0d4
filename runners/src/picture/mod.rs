//! Pictures where a person would rather look than read, written as PNG:
//! grids of grayscale image tiles (learned features, data samples,
//! reconstructions), line plots of error series with a legend, min–max
//! bands of long RRR_err series (the paper's Fig. 4 and 6) and panels of
//! histograms (Fig. 20).
//!
//! Plots are drawn with `plotters` into an RGB buffer, their text in the
//! DejaVu Sans font built into the program (`runners/assets/`), so no
//! system fonts are needed; the tile grids are set pixel by pixel.

mod axis;
mod envelope;
mod font;
mod grid;
mod histogram;
mod plot;

use std::io;
use std::path::Path;

pub use axis::Scale;
pub use envelope::Envelope;
pub use grid::{Shade, grid};
pub use histogram::{Panel, histograms};
pub use plot::{Labels, Series, Trace, plot, plot_with};

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

impl Image {
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

    /// The images side by side, top-aligned, on white.
    pub fn beside(images: &[Image]) -> Image {
        let width = images.iter().map(|i| i.width).sum();
        let height = images.iter().map(|i| i.height).max().unwrap_or(0);
        let mut rgb = vec![255; 3 * width * height];
        let mut left = 0;
        for im in images {
            for row in 0..im.height {
                let dst = 3 * (row * width + left);
                rgb[dst..dst + 3 * im.width].copy_from_slice(&im.rgb[3 * row * im.width..3 * (row + 1) * im.width]);
            }
            left += im.width;
        }
        Image { width, height, rgb }
    }

    /// The PNG encoding, for writing to `path` (named in the error).
    pub fn png_for(&self, path: &Path) -> Result<Vec<u8>, crate::error::Error> {
        self.png().map_err(io_error(path))
    }
}

/// Turns a failure to draw or encode the picture for `path` into the
/// program's error naming `path`.
pub fn io_error(path: &Path) -> impl FnOnce(io::Error) -> crate::error::Error + '_ {
    move |source| crate::error::Error::Io { path: path.display().to_string(), source }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The width, height and RGB bytes of a PNG.
    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut r = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        (info.width, info.height, buf)
    }

    #[test]
    fn images_side_by_side() {
        let a = Image { width: 2, height: 2, rgb: vec![1; 12] };
        let b = Image { width: 1, height: 1, rgb: vec![2; 3] };
        let c = Image::beside(&[a, b]);
        assert_eq!((c.width, c.height), (3, 2));
        assert_eq!(c.rgb, [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 255, 255, 255]);
    }

    #[test]
    fn png_round_trip() {
        let img = Image { width: 3, height: 2, rgb: (0..18).collect() };
        let (w, h, buf) = decode(&img.png().unwrap());
        assert_eq!((w, h), (3, 2));
        assert_eq!(buf, img.rgb);
        let e = img.png_for(Path::new("x.png")).map(|_| ());
        assert!(e.is_ok());
        let e = io_error(Path::new("dir/x.png"))(io::Error::other("no font"));
        assert_eq!(e.to_string(), "dir/x.png: no font");
    }
}
