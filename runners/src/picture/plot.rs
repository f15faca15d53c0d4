//! Line plots and min–max bands of error series: axes with tick labels,
//! a legend naming the series, a logarithmic y axis when the values span
//! decades.

use std::io;

use plotters::backend::{BitMapBackend, RGBPixel};
use plotters::prelude::*;

use super::axis::{Axis, Scale, tick_label};
use super::{Image, font};

/// Colours of successive series.
pub(super) const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

/// Width and height of a plot in pixels.
const SIZE: (u32, u32) = (800, 500);
/// Named series the legend lists; later ones are counted in a last line.
const LEGEND_MAX: usize = 10;

/// The values of one series.
#[derive(Clone, Copy, Debug)]
pub enum Trace<'a> {
    /// Points `(x, y)` joined by a line; a point with no neighbour to join
    /// is drawn as a dot.
    Line(&'a [(f64, f64)]),
    /// Stretches `(x, min, max)`: the band between the minimum and the
    /// maximum is filled and edged by lines.
    Band(&'a [(f64, f64, f64)]),
}

/// One series of a plot.
#[derive(Clone, Debug)]
pub struct Series<'a> {
    /// Its name in the legend; an empty name leaves it out.
    pub name: String,
    /// Its values.
    pub trace: Trace<'a>,
}

/// The texts around a plot.
#[derive(Clone, Copy, Debug)]
pub struct Labels<'a> {
    /// Above the plot.
    pub title: &'a str,
    /// Under the x axis.
    pub x: &'a str,
    /// Beside the y axis.
    pub y: &'a str,
}

impl<'a> Series<'a> {
    /// A line through `points`, named `name`.
    pub fn line(name: impl Into<String>, points: &'a [(f64, f64)]) -> Self {
        Self { name: name.into(), trace: Trace::Line(points) }
    }

    /// A band over `stretches`, named `name`.
    pub fn band(name: impl Into<String>, stretches: &'a [(f64, f64, f64)]) -> Self {
        Self { name: name.into(), trace: Trace::Band(stretches) }
    }
}

impl Trace<'_> {
    /// Every `(x, y)` the trace holds (both ends of each band stretch).
    fn values(&self) -> Vec<(f64, f64)> {
        match *self {
            Trace::Line(p) => p.to_vec(),
            Trace::Band(b) => b.iter().flat_map(|&(x, lo, hi)| [(x, lo), (x, hi)]).collect(),
        }
    }
}

/// A plot of `series` in 800 × 500 pixels, colours in series order, the
/// legend in the upper right corner (it names the first ten named series
/// and counts the rest). The y axis is logarithmic when the positive
/// values span at least a factor of ten ([`Scale::of`]), and then values
/// `≤ 0` are not drawn; NaN and infinite values are never drawn. A value
/// that is not drawn breaks its line or band, so a gap shows where it was.
/// Any input gives a picture; the error is a failure of the drawing itself.
pub fn plot(series: &[Series<'_>], labels: &Labels<'_>) -> io::Result<Image> {
    plot_with(series, labels, Scale::Linear)
}

/// [`plot`] with the x axis on `x_scale` (a logarithmic one drops points
/// at x ≤ 0).
pub fn plot_with(series: &[Series<'_>], labels: &Labels<'_>, x_scale: Scale) -> io::Result<Image> {
    font::ensure()?;
    let (w, h) = SIZE;
    let mut rgb = vec![255; 3 * w as usize * h as usize];
    draw(&mut rgb, series, labels, x_scale)
        .map_err(|e| io::Error::other(format!("drawing the plot {:?}: {e}", labels.title)))?;
    Ok(Image { width: w as usize, height: h as usize, rgb })
}

/// Splits `items` into the runs between `None`s, dropping empty runs.
fn runs<T>(items: impl IntoIterator<Item = Option<T>>) -> Vec<Vec<T>> {
    let mut out = vec![Vec::new()];
    for item in items {
        match (item, out.last_mut()) {
            (Some(v), Some(run)) => run.push(v),
            (None, Some(run)) if !run.is_empty() => out.push(Vec::new()),
            _ => {}
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// The chart the plots draw on: both axes linear in plot coordinates,
/// with the ticks of an [`Axis`].
type Chart<'a, 'b> = ChartContext<'a, BitMapBackend<'b, RGBPixel>, Cartesian2d<Axis, Axis>>;

/// Joins `points` by a line `width` pixels wide, or draws a lone point as a
/// dot.
fn line(
    chart: &mut Chart<'_, '_>,
    points: Vec<(f64, f64)>,
    c: RGBColor,
    width: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    if let [p] = points[..] {
        chart.draw_series(std::iter::once(Circle::new(p, width + 1, c.filled())))?;
    } else {
        chart.draw_series(LineSeries::new(points, c.stroke_width(width)))?;
    }
    Ok(())
}

/// Draws the plot into `rgb`, [`SIZE`] pixels.
fn draw(
    rgb: &mut [u8],
    series: &[Series<'_>],
    labels: &Labels<'_>,
    x_scale: Scale,
) -> Result<(), Box<dyn std::error::Error>> {
    let values: Vec<(f64, f64)> = series.iter().flat_map(|s| s.trace.values()).collect();
    let scale = Scale::of(values.iter().map(|v| v.1));
    let shown = |&(x, y): &(f64, f64)| x_scale.shows(x) && scale.shows(y);
    let xs = values.iter().filter(|v| shown(v)).map(|v| x_scale.plot_coord(v.0));
    let ys = values.iter().filter(|v| shown(v)).map(|v| scale.plot_coord(v.1));
    let x_axis = match x_scale {
        Scale::Linear => {
            let x_end = xs.clone().fold(f64::NEG_INFINITY, f64::max);
            Axis::linear(xs).ending_at(x_end)
        }
        Scale::Log => Axis::decades(xs),
    };
    let y_axis = scale.axis(ys);
    let point = |x: f64, y: f64| (x_scale.plot_coord(x), scale.plot_coord(y));

    let root = BitMapBackend::<RGBPixel>::with_buffer_and_format(rgb, SIZE)?.into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(labels.title, (font::FAMILY, 22))
        .margin(20)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(x_axis, y_axis)?;
    let (x_fmt, y_fmt) = (|v: &f64| tick_label(x_scale.value_at(*v)), |v: &f64| tick_label(scale.value_at(*v)));
    chart
        .configure_mesh()
        .x_desc(labels.x)
        .y_desc(labels.y)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style((font::FAMILY, 14))
        .axis_desc_style((font::FAMILY, 16))
        .bold_line_style(BLACK.mix(0.15))
        .light_line_style(BLACK.mix(0.05))
        .draw()?;

    let mut named = 0;
    for (i, s) in series.iter().enumerate() {
        let c = PALETTE[i % PALETTE.len()];
        if !s.name.is_empty() {
            named += 1;
            if named <= LEGEND_MAX {
                // an empty series carries the legend entry, drawn or not
                let entry = chart.draw_series(LineSeries::new(std::iter::empty(), c.stroke_width(2)))?;
                entry.label(s.name.as_str());
                match s.trace {
                    Trace::Line(_) => {
                        entry.legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], c.stroke_width(2)))
                    }
                    Trace::Band(_) => {
                        entry.legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 24, y + 5)], c.mix(0.5).filled()))
                    }
                };
            }
        }
        match s.trace {
            Trace::Line(points) => {
                let keep = |&(x, y): &(f64, f64)| shown(&(x, y)).then(|| point(x, y));
                for run in runs(points.iter().map(keep)) {
                    line(&mut chart, run, c, 2)?;
                }
            }
            Trace::Band(stretches) => {
                let keep = |&(x, lo, hi): &(f64, f64, f64)| {
                    (shown(&(x, lo)) && shown(&(x, hi))).then(|| (point(x, lo), point(x, hi).1))
                };
                for run in runs(stretches.iter().map(keep)) {
                    let top: Vec<(f64, f64)> = run.iter().map(|&((x, _), hi)| (x, hi)).collect();
                    let bottom: Vec<(f64, f64)> = run.iter().map(|&(p, _)| p).collect();
                    let outline = top.iter().chain(bottom.iter().rev()).copied().collect::<Vec<_>>();
                    chart.draw_series(std::iter::once(Polygon::new(outline, c.mix(0.25).filled())))?;
                    line(&mut chart, top, c, 1)?;
                    line(&mut chart, bottom, c, 1)?;
                }
            }
        }
    }
    if named > LEGEND_MAX {
        let more = chart.draw_series(LineSeries::new(std::iter::empty(), BLACK))?;
        more.label(format!("and {} more", named - LEGEND_MAX));
        more.legend(|(x, y)| EmptyElement::at((x, y)));
    }
    if named > 0 {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .margin(12)
            .label_font((font::FAMILY, 15))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.5))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELS: Labels<'static> = Labels { title: "errors", x: "epoch", y: "error" };

    fn rgb(c: RGBColor) -> [u8; 3] {
        [c.0, c.1, c.2]
    }

    /// The positions `(x, y)` of the pixels that `keep` accepts.
    fn pixels(img: &Image, keep: impl Fn(usize, usize, &[u8]) -> bool) -> Vec<(usize, usize)> {
        let at = |i: usize| (i % img.width, i / img.width);
        img.rgb
            .chunks_exact(3)
            .enumerate()
            .map(|(i, p)| (at(i), p))
            .filter(|&((x, y), p)| keep(x, y, p))
            .map(|q| q.0)
            .collect()
    }

    fn two_lines(a: &str, b: &str) -> Image {
        let train = [(1.0, 0.5), (2.0, 0.3), (3.0, 0.2)];
        let test = [(1.0, 0.6), (2.0, 0.4), (3.0, 0.35)];
        plot(&[Series::line(a, &train), Series::line(b, &test)], &LABELS).unwrap()
    }

    #[test]
    fn lines_inside_the_plot_area() {
        let img = two_lines("train error", "test error");
        assert_eq!((img.width, img.height), (800, 500));
        for c in [PALETTE[0], PALETTE[1]] {
            let px = pixels(&img, |_, _, p| p == rgb(c));
            assert!(px.len() > 100, "{c:?}");
            // right of the y labels, below the title, above the x labels
            assert!(px.iter().all(|&(x, y)| (90..800).contains(&x) && (40..430).contains(&y)), "{c:?}");
        }
    }

    #[test]
    fn legend_names_the_series() {
        let (named, bare) = (two_lines("train error", "test error"), two_lines("", ""));
        let differ = pixels(&named, |x, y, p| p != &bare.rgb[3 * (y * 800 + x)..][..3]);
        assert!(!differ.is_empty());
        // the legend box sits in the upper right corner of the plot area
        assert!(differ.iter().all(|&(x, y)| x > 500 && y < 200), "{:?}", differ.iter().find(|q| q.0 <= 500));
        // its text: dark pixels, far more than a line sample and a border
        let text = pixels(&named, |x, y, p| x > 500 && y < 200 && p.iter().all(|&v| v < 80));
        let bare_text = pixels(&bare, |x, y, p| x > 500 && y < 200 && p.iter().all(|&v| v < 80));
        assert!(text.len() > bare_text.len() + 100, "{} {}", text.len(), bare_text.len());
        // another name draws other text
        assert_ne!(named, two_lines("train error", "x"));
    }

    /// The mean row of the first series' pixels near its left end, at the
    /// middle column and near its right end.
    fn ends_and_middle(img: &Image) -> (f64, f64, f64) {
        let line = pixels(img, |_, _, p| p == rgb(PALETTE[0]));
        let column_mean = |x: usize| {
            let ys: Vec<usize> = line.iter().filter(|q| q.0 == x).map(|q| q.1).collect();
            ys.iter().sum::<usize>() as f64 / ys.len().max(1) as f64
        };
        let (left, right) = (line.iter().map(|q| q.0).min().unwrap(), line.iter().map(|q| q.0).max().unwrap());
        (column_mean(left + 2), column_mean((left + right) / 2), column_mean(right - 2))
    }

    #[test]
    fn decades_get_a_log_axis() {
        // equal steps of log y lie on one straight line only on a log axis
        let geometric = [(1.0, 1.0), (2.0, 1e-2), (3.0, 1e-4)];
        let img = plot(&[Series::line("", &geometric)], &LABELS).unwrap();
        let (a, mid, b) = ends_and_middle(&img);
        assert!(b - a > 200.0, "{a} {b}");
        assert!((mid - (a + b) / 2.0).abs() < 4.0, "{a} {mid} {b}");
    }

    #[test]
    fn a_log_x_axis_spaces_decades_evenly() {
        // y rises by one per decade of x: a straight line on a log x axis
        let points = [(1.0, 1.0), (10.0, 2.0), (100.0, 3.0)];
        for (scale, straight) in [(Scale::Log, true), (Scale::Linear, false)] {
            let img = plot_with(&[Series::line("", &points)], &LABELS, scale).unwrap();
            let (a, mid, b) = ends_and_middle(&img);
            assert_eq!((mid - (a + b) / 2.0).abs() < 4.0, straight, "{scale:?}: {a} {mid} {b}");
        }
    }

    #[test]
    fn bands_are_filled() {
        let stretches = [(1.0, 0.01, 1.0), (2.0, 0.02, 0.5), (3.0, 0.01, 0.9)];
        let img = plot(&[Series::band("RRR_err", &stretches)], &LABELS).unwrap();
        // a quarter of the colour over white
        let tint = rgb(PALETTE[0]).map(|c| 255.0 - 0.25 * (255.0 - f64::from(c)));
        let near = |p: &[u8]| p.iter().zip(tint).all(|(&v, t)| (f64::from(v) - t).abs() <= 2.0);
        assert!(pixels(&img, |_, _, p| near(p)).len() > 10_000);
        // edged by lines of the colour, smoothed (away from the legend)
        let edge = |x: usize, y: usize, p: &[u8]| x < 600 && y > 60 && p[0] < 120 && p[2] > 120;
        assert!(pixels(&img, edge).len() > 300);
    }

    #[test]
    fn odd_values_do_not_panic() {
        let (nan, inf) = (f64::NAN, f64::INFINITY);
        let bad = [(nan, 1.0), (1.0, inf), (2.0, -1.0), (3.0, 0.0), (-inf, 2.0), (4.0, 1e-300), (5.0, 1e300)];
        let lone = [(1.0, nan), (2.0, 0.5), (3.0, nan)];
        let huge = [(-f64::MAX, -f64::MAX), (f64::MAX, f64::MAX)];
        let none = [(nan, nan), (inf, -inf)];
        let bands = [(1.0, nan, 2.0), (2.0, 0.1, 10.0), (3.0, 0.0, 1.0), (4.0, 2.0, 1.0)];
        let many: Vec<Series> = (0..12).map(|i| Series::line(format!("run {i}"), &lone)).collect();
        let cases = [
            vec![],
            vec![Series::line("empty", &[]), Series::band("empty", &[])],
            vec![Series::line("bad", &bad)],
            vec![Series::line("all NaN", &none)],
            vec![Series::line("huge", &huge)],
            vec![Series::band("bands", &bands), Series::line("", &bad)],
            many,
        ];
        for series in &cases {
            let img = plot(series, &Labels { title: "", x: "", y: "" }).unwrap();
            assert_eq!((img.width, img.height), (800, 500));
        }
        // a lone point is drawn as a dot
        let img = plot(&[Series::line("", &lone)], &LABELS).unwrap();
        assert!(pixels(&img, |_, _, p| p == rgb(PALETTE[0])).len() > 5);
    }

    #[test]
    fn runs_split_at_gaps() {
        assert_eq!(runs([None, Some(1), Some(2), None, None, Some(3)]), vec![vec![1, 2], vec![3]]);
        assert!(runs::<u8>([None]).is_empty());
    }
}
