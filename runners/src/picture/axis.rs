//! Axes of the plots: a linear or logarithmic scale, round tick positions
//! and their labels.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

/// How values map to plot coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// As they are.
    Linear,
    /// Their base-10 logarithm.
    Log,
}

impl Scale {
    /// Log when the positive finite values among `ys` span at least a
    /// factor of ten, linear otherwise (and when there are none).
    pub fn of(ys: impl Iterator<Item = f64>) -> Self {
        let positive = ys.filter(|y| y.is_finite() && *y > 0.0);
        let (lo, hi) = positive.fold((f64::INFINITY, 0.0), |(a, b): (f64, f64), y| (a.min(y), b.max(y)));
        if hi >= 10.0 * lo { Scale::Log } else { Scale::Linear }
    }

    /// Whether `y` can be drawn: finite, and positive on a log scale.
    pub fn shows(self, y: f64) -> bool {
        y.is_finite() && (self == Scale::Linear || y > 0.0)
    }

    /// The plot coordinate of `y`.
    pub fn plot_coord(self, y: f64) -> f64 {
        match self {
            Scale::Linear => y,
            Scale::Log => y.log10(),
        }
    }

    /// The value at plot coordinate `v`.
    pub fn value_at(self, v: f64) -> f64 {
        match self {
            Scale::Linear => v,
            Scale::Log => 10f64.powf(v),
        }
    }

    /// The axis for plot coordinates `vs`: [`Axis::linear`] or
    /// [`Axis::decades`].
    pub fn axis(self, vs: impl Iterator<Item = f64>) -> Axis {
        match self {
            Scale::Linear => Axis::linear(vs),
            Scale::Log => Axis::decades(vs),
        }
    }
}

/// The range of an axis in plot coordinates, its labelled ticks and the
/// positions of its light grid lines: a chart coordinate, linear in plot
/// coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// Lowest plot coordinate.
    pub lo: f64,
    /// Highest plot coordinate.
    pub hi: f64,
    /// Labelled ticks, with bold grid lines.
    pub ticks: Vec<f64>,
    /// Light grid lines.
    pub light: Vec<f64>,
}

/// The smallest and largest of `vs`, each starting from `start`.
fn extent(vs: impl Iterator<Item = f64>, start: (f64, f64)) -> (f64, f64) {
    vs.fold(start, |(a, b), v| (a.min(v), b.max(v)))
}

impl Axis {
    /// From 0 (or below, for negative values) to the largest of the finite
    /// values `vs`, widened to round ticks: 1, 2 or 5 times a power of ten,
    /// about six of them; 0 to 1 when there is nothing to span.
    pub fn linear(vs: impl Iterator<Item = f64>) -> Self {
        let (lo, hi) = extent(vs, (0.0, 0.0));
        // a sixth of the span, computed so that it cannot overflow
        let raw = hi / 6.0 - lo / 6.0;
        if !(raw > 0.0 && raw.is_finite()) {
            return Self { lo: 0.0, hi: 1.0, ticks: (0..=5).map(|i| f64::from(i) / 5.0).collect(), light: Vec::new() };
        }
        let p = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0].iter().map(|m| m * p).find(|s| *s >= raw).unwrap_or(10.0 * p);
        let (first, last) = ((lo / step).floor(), (hi / step).ceil());
        let ticks: Vec<f64> =
            (0..=(last - first) as i64).map(|i| (first + i as f64) * step).filter(|t| t.is_finite()).collect();
        let (lo, hi) = (ticks.first().copied().unwrap_or(lo), ticks.last().copied().unwrap_or(hi));
        Self { lo, hi: if hi > lo { hi } else { lo + step }, ticks, light: Vec::new() }
    }

    /// The axis cut off at `end` when that is inside it (and above its
    /// start), with the ticks beyond dropped.
    pub fn ending_at(mut self, end: f64) -> Self {
        if end > self.lo && end < self.hi {
            self.hi = end;
            self.ticks.retain(|t| *t <= end);
        }
        self
    }

    /// Whole decades around the base-10 logarithms `vs`: a labelled tick at
    /// every decade (every second or more past eight decades), at 2 and 5
    /// between decades when there are at most two, and light lines at 2 to
    /// 9 between decades when there are at most eight.
    pub fn decades(vs: impl Iterator<Item = f64>) -> Self {
        let (lo, hi) = extent(vs, (f64::INFINITY, f64::NEG_INFINITY));
        let (lo, hi) = if lo <= hi { (lo.floor(), hi.ceil()) } else { (-1.0, 0.0) };
        let hi = if hi > lo { hi } else { lo + 1.0 };
        let n = (hi - lo) as i64;
        let every = (n as u64).div_ceil(8).max(1) as usize;
        let decade = |k: i64| lo + k as f64;
        let mut ticks: Vec<f64> = (0..=n).step_by(every).map(decade).collect();
        let between =
            |ms: &[f64]| (0..n).flat_map(|k| ms.iter().map(move |m| decade(k) + m.log10())).collect::<Vec<_>>();
        if n <= 2 {
            ticks.extend(between(&[2.0, 5.0]));
            ticks.sort_by(f64::total_cmp);
        }
        let light = if n <= 8 { between(&[2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]) } else { Vec::new() };
        Self { lo, hi, ticks, light }
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    /// The pixel of `v` between the ends of `limit`; values far outside
    /// the axis are held a little beyond its ends.
    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let f = ((v - self.lo) / (self.hi - self.lo)).clamp(-0.5, 1.5);
        limit.0 + (f * f64::from(limit.1 - limit.0)).round() as i32
    }

    /// The labelled ticks, or the light lines when the hint allows them.
    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() { self.light.clone() } else { self.ticks.clone() }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// A tick label with three significant digits at most: plain decimals
/// from 0.001 to below 10⁵ (`0.02`, `150`), otherwise the scientific form
/// (`1e-5`, `2.5e7`).
pub fn tick_label(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let mut e = v.abs().log10().floor();
    let mut m = (v / 10f64.powf(e) * 100.0).round() / 100.0;
    if m.abs() >= 10.0 {
        (m, e) = (m / 10.0, e + 1.0);
    }
    if (-3.0..5.0).contains(&e) {
        let s = format!("{:.*}", (2.0 - e).max(0.0) as usize, m * 10f64.powf(e));
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s }
    } else {
        format!("{m}e{e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_follows_the_span() {
        assert_eq!(Scale::of([1.0, 0.5, 0.2].into_iter()), Scale::Linear);
        assert_eq!(Scale::of([1.0, 0.01, 0.0, -3.0].into_iter()), Scale::Log);
        assert_eq!(Scale::of([f64::NAN, f64::INFINITY, 2.0].into_iter()), Scale::Linear);
        assert_eq!(Scale::of(std::iter::empty()), Scale::Linear);
        assert!(!Scale::Log.shows(0.0) && Scale::Linear.shows(0.0) && !Scale::Linear.shows(f64::NAN));
        assert_eq!(Scale::Log.value_at(Scale::Log.plot_coord(1e-3)), 1e-3);
    }

    #[test]
    fn linear_ticks() {
        let a = Axis::linear([3.0, 200.0].into_iter());
        assert_eq!((a.lo, a.hi, a.ticks), (0.0, 200.0, vec![0.0, 50.0, 100.0, 150.0, 200.0]));
        let a = Axis::linear([-0.3, 0.7].into_iter());
        assert_eq!((a.lo, a.hi), (-0.4, 0.8));
        assert_eq!(Axis::linear(std::iter::empty()).hi, 1.0);
        let a = Axis::linear([1.0e6 + 1.0].into_iter()).ending_at(1.0e6 + 1.0);
        assert_eq!((a.hi, a.ticks.len()), (1.0e6 + 1.0, 6));
        assert_eq!(Axis::linear([5.0].into_iter()).ending_at(7.0).hi, 5.0);
        let huge = Axis::linear([-f64::MAX, f64::MAX].into_iter());
        assert!(huge.lo < huge.hi && huge.ticks.iter().all(|t| t.is_finite()));
    }

    #[test]
    fn decade_ticks() {
        let a = Axis::decades([-4.2, 0.1].into_iter());
        assert_eq!((a.lo, a.hi), (-5.0, 1.0));
        assert_eq!(a.ticks, vec![-5.0, -4.0, -3.0, -2.0, -1.0, 0.0, 1.0]);
        assert_eq!(a.light.len(), 6 * 8);
        let a = Axis::decades([-1.5, -0.5].into_iter());
        let labels: Vec<String> = a.ticks.iter().map(|&t| tick_label(Scale::Log.value_at(t))).collect();
        assert_eq!(labels, ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"]);
        let a = Axis::decades([-300.0, 300.0].into_iter());
        assert_eq!((a.ticks.len(), a.light.len()), (9, 0));
        let a = Axis::decades(std::iter::empty());
        assert_eq!((a.lo, a.hi, a.ticks.len()), (-1.0, 0.0, 4));
    }

    #[test]
    fn labels() {
        let cases = [(0.0, "0"), (150.0, "150"), (0.001, "0.001"), (1e-4, "1e-4"), (2.5e7, "2.5e7"), (-0.25, "-0.25")];
        for (v, s) in cases {
            assert_eq!(tick_label(v), s);
        }
        assert_eq!(tick_label(10f64.powf(-3.0)), "0.001");
        assert_eq!(tick_label(99999.0), "1e5");
        assert_eq!(tick_label(f64::NAN), "NaN");
    }
}
