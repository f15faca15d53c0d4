//! Panels of histograms, each with its own axes and title.

use std::io;

use plotters::backend::{BitMapBackend, RGBPixel};
use plotters::prelude::*;

use super::axis::{Axis, tick_label};
use super::plot::PALETTE;
use super::{Image, font};

/// Width and height of one panel in pixels.
const PANEL: (u32, u32) = (300, 220);

/// One histogram: its title (which names its one series) and the counts of
/// its equal bins.
#[derive(Clone, Debug)]
pub struct Panel<'a> {
    /// Above the panel.
    pub title: String,
    /// Counts of the bins, lowest values first.
    pub counts: &'a [usize],
}

/// The `panels` in rows of `per_row`, each 300 × 220 pixels: its bins of
/// equal width over `range` (labelled `xlabel`) as bars, the count on a
/// linear y axis. Any input gives a picture (no panels: one blank panel; a
/// range that is not finite and increasing: 0 to 1); the error is a failure
/// of the drawing itself.
pub fn histograms(panels: &[Panel<'_>], range: (f64, f64), xlabel: &str, per_row: usize) -> io::Result<Image> {
    font::ensure()?;
    let cols = per_row.clamp(1, panels.len().max(1));
    let rows = panels.len().div_ceil(cols).max(1);
    let (w, h) = (PANEL.0 * cols as u32, PANEL.1 * rows as u32);
    let mut rgb = vec![255; 3 * w as usize * h as usize];
    draw(&mut rgb, (w, h), (rows, cols), panels, range, xlabel)
        .map_err(|e| io::Error::other(format!("drawing the histograms: {e}")))?;
    Ok(Image { width: w as usize, height: h as usize, rgb })
}

/// Draws the panels into `rgb`, `size` pixels.
fn draw(
    rgb: &mut [u8],
    size: (u32, u32),
    grid: (usize, usize),
    panels: &[Panel<'_>],
    (lo, hi): (f64, f64),
    xlabel: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = BitMapBackend::<RGBPixel>::with_buffer_and_format(rgb, size)?.into_drawing_area();
    root.fill(&WHITE)?;
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi > lo { (lo, hi) } else { (0.0, 1.0) };
    let x_axis = Axis::linear([lo, hi].into_iter());
    let fmt = |v: &f64| tick_label(*v);
    for (panel, area) in panels.iter().zip(root.split_evenly(grid)) {
        let top = panel.counts.iter().copied().max().unwrap_or(0);
        let y_axis = Axis::linear([top.max(1) as f64].into_iter());
        let mut chart = ChartBuilder::on(&area)
            .caption(&panel.title, (font::FAMILY, 16))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(48)
            .build_cartesian_2d(x_axis.clone(), y_axis)?;
        chart
            .configure_mesh()
            .x_desc(xlabel)
            .y_desc("count")
            .x_label_formatter(&fmt)
            .y_label_formatter(&fmt)
            .label_style((font::FAMILY, 12))
            .axis_desc_style((font::FAMILY, 13))
            .bold_line_style(BLACK.mix(0.1))
            .draw()?;
        let width = (hi - lo) / panel.counts.len().max(1) as f64;
        let bars = panel.counts.iter().enumerate().filter(|(_, n)| **n > 0).map(|(b, &n)| {
            let x = lo + b as f64 * width;
            Rectangle::new([(x, 0.0), (x + width, n as f64)], PALETTE[0].filled())
        });
        chart.draw_series(bars)?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_and_bars() {
        let (a, b) = ([0, 5, 1, 0], [3, 0, 0, 9]);
        let panels: Vec<Panel> = [&a[..], &b[..], &a[..]]
            .iter()
            .enumerate()
            .map(|(j, c)| Panel { title: format!("node {j}"), counts: c })
            .collect();
        let img = histograms(&panels, (0.0, 1.0), "value", 2).unwrap();
        assert_eq!((img.width, img.height), (600, 440));
        let bar = [PALETTE[0].0, PALETTE[0].1, PALETTE[0].2];
        let bars_in = |x0: usize, y0: usize| {
            (y0..y0 + 220).any(|y| (x0..x0 + 300).any(|x| img.rgb[3 * (y * img.width + x)..][..3] == bar))
        };
        assert!(bars_in(0, 0) && bars_in(300, 0) && bars_in(0, 220));
        assert!(!bars_in(300, 220)); // no fourth panel
        // no panels, no bins, a bad range: still a picture
        assert_eq!(histograms(&[], (0.0, 1.0), "x", 5).unwrap().width, 300);
        let odd = [Panel { title: String::new(), counts: &[] }];
        assert_eq!(histograms(&odd, (f64::NAN, -1.0), "x", 0).unwrap().height, 220);
    }
}
