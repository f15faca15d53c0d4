//! The storage precision of a network's per-edge state and the state
//! itself in that precision.

use super::Aligned;
use lwl_kernel::simd::Storage;

/// Storage precision of the per-edge iterate (`w`, `x`), the bulk of a
/// network's state; arithmetic is f64 either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    /// Double precision: every path, results as the reference programs.
    #[default]
    F64,
    /// Single precision storage (SIMD path only): half the bytes per sweep.
    F32,
}

impl Precision {
    /// The precision named `f64` or `f32`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "f64" => Some(Precision::F64),
            "f32" => Some(Precision::F32),
            _ => None,
        }
    }

    /// `f64` or `f32`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
        }
    }

    /// RRR_err below which runs with this storage do not get: rounding the
    /// edge state to f32 each iteration leaves it near 1e-6–1e-5 (binary
    /// encoding: 4.7e-6 to 8.1e-6 after 10^6 iterations, 6 seeds).
    pub fn err_floor(self) -> f64 {
        match self {
            Precision::F64 => 0.0,
            Precision::F32 => 1e-5,
        }
    }

    /// A warning for a stopping tolerance this storage will not reach.
    pub fn tol_warning(self, tol: f64) -> Option<String> {
        (tol > 0.0 && tol < self.err_floor()).then(|| {
            format!(
                "warning: with --precision {} RRR_err stalls near {:e} (rounding of the edge state), so --tol {tol:e} \
                 will likely not be met; use --precision f64 for runs to exact feasibility",
                self.name(),
                self.err_floor()
            )
        })
    }
}

/// The per-edge iterate in its storage precision: weight copies `w` and
/// source-value copies `x`.
pub enum Edges {
    /// Stored as f64.
    F64 {
        /// Weight copies.
        w: Aligned<f64>,
        /// Source-value copies.
        x: Aligned<f64>,
    },
    /// Stored as f32.
    F32 {
        /// Weight copies.
        w: Aligned<f32>,
        /// Source-value copies.
        x: Aligned<f32>,
    },
}

impl Edges {
    /// Zeroed arrays of `len` values each.
    pub(super) fn new(precision: Precision, len: usize) -> Self {
        match precision {
            Precision::F64 => Edges::F64 { w: Aligned::zeroed(len), x: Aligned::zeroed(len) },
            Precision::F32 => Edges::F32 { w: Aligned::zeroed(len), x: Aligned::zeroed(len) },
        }
    }

    /// Values per array.
    pub fn len(&self) -> usize {
        match self {
            Edges::F64 { w, .. } => w.len(),
            Edges::F32 { w, .. } => w.len(),
        }
    }

    /// Whether there are no edge values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of both arrays.
    pub fn bytes(&self) -> usize {
        match self {
            Edges::F64 { w, x } => 8 * (w.len() + x.len()),
            Edges::F32 { w, x } => 4 * (w.len() + x.len()),
        }
    }

    /// Sets the weight copy and source-value copy at `at` (rounded to the
    /// storage precision).
    pub fn set(&mut self, at: usize, w: f64, x: f64) {
        match self {
            Edges::F64 { w: ws, x: xs } => (ws[at], xs[at]) = (w, x),
            Edges::F32 { w: ws, x: xs } => (ws[at], xs[at]) = (f32::from_f64(w), f32::from_f64(x)),
        }
    }

    /// The f64 arrays (`w`, `x`), if stored so.
    pub fn f64(&self) -> Option<(&[f64], &[f64])> {
        match self {
            Edges::F64 { w, x } => Some((w, x)),
            Edges::F32 { .. } => None,
        }
    }

    /// Both arrays widened to f64 (a copy).
    pub fn widened(&self) -> (Vec<f64>, Vec<f64>) {
        match self {
            Edges::F64 { w, x } => (w.to_vec(), x.to_vec()),
            Edges::F32 { w, x } => (w.iter().map(|&v| v.to_f64()).collect(), x.iter().map(|&v| v.to_f64()).collect()),
        }
    }

    /// The mutable f64 arrays (`w`, `x`), if stored so.
    pub fn f64_mut(&mut self) -> Option<(&mut [f64], &mut [f64])> {
        match self {
            Edges::F64 { w, x } => Some((w, x)),
            Edges::F32 { .. } => None,
        }
    }
}
