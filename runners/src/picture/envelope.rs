//! Long series kept as the minimum and maximum of each stretch, so that
//! every spike stays visible at any length.

/// A long series reduced to at most `2 · CAP` stretches of equal length,
/// each remembered by its minimum and maximum, for plotting as a band.
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

    /// The stretches `(index, min, max)`, each at the middle index of the
    /// values it holds (1-based, as iterations count), as
    /// [`super::Trace::Band`] draws them.
    pub fn stretches(&self) -> Vec<(f64, f64, f64)> {
        let s = self.stretch as f64;
        let done = self.done.iter().enumerate().map(|(b, &(lo, hi))| (b as f64 * s + 0.5 * (s + 1.0), lo, hi));
        let held = (self.count % self.stretch) as f64;
        let open = self.open.map(|(lo, hi)| (self.done.len() as f64 * s + 0.5 * (held + 1.0), lo, hi));
        done.chain(open).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_keeps_extremes() {
        let mut e = Envelope::new();
        for i in 0..100_000u64 {
            e.push(if i == 77_777 { 1e9 } else { 1.0 / (1 + i) as f64 });
        }
        assert_eq!(e.len(), 100_000);
        let p = e.stretches();
        assert!(p.len() <= 2 * Envelope::CAP + 1);
        assert!(p.iter().any(|q| q.2 == 1e9));
        assert!(p.iter().any(|q| q.2 == 1.0));
        assert!(p.iter().any(|q| q.1 == 1e-5));
        assert!(p.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(p.last().unwrap().0 <= 100_000.0);
        let mut short = Envelope::new();
        assert!(short.is_empty());
        short.push(0.5);
        short.push(0.25);
        assert_eq!(short.stretches(), vec![(1.0, 0.5, 0.5), (2.0, 0.25, 0.25)]);
    }
}
