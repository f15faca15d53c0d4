//! The pseudo-inverse encoder of NMF (section 4, eq. 12–13):
//! `E_W = (WᵀW)⁻¹ Wᵀ` and codes `x = ReLU(E_W y)`.
//!
//! It initialises the codes of a batch from consensus weights (section 4.3:
//! random weights for the first batch, the previous batch's last consensus
//! weights afterwards, the "warm start") and encodes the whole data set for
//! the batched recon_err (eq. 23).
//!
//! The arithmetic is the reference program's, in its order, so that the
//! initial codes of the golden case `nmf_ledm6` come out bit for bit
//! (`tests/golden/nmf_ledm6/README.txt`, section 6): the Gram matrix
//! `G = WᵀW`, its inverse `H` by the in-place Cholesky inversion below,
//! `M(j, i) = Σ_j2 W(i, j2) H(j, j2)` and `x(j) = ReLU(Σ_i M(j, i) y(i))`,
//! every sum from 0 in ascending index order, no fused multiply-add.
//!
//! When `G` is not positive definite (rank `C` larger than `D`, duplicate or
//! zero columns) the reference keeps its previous inverse; here the Gram
//! matrix is regularised instead, `G + λI` with the smallest
//! `λ = 10^(k−12) · trace(G)/C`, `k = 0, 1, …, 12`, that factorises, so every
//! call gives an encoder of the current weights.

/// The encoder matrix `M = (WᵀW)⁻¹ Wᵀ`, `C` rows of `D` values.
#[derive(Clone, Debug, PartialEq)]
pub struct Encoder {
    data: usize,
    rank: usize,
    m: Vec<f64>,
    ridge: f64,
}

impl Encoder {
    /// The encoder of the consensus weights `weights` (`D` rows of `C`
    /// values, `W(i, j)` at `i·C + j`). `None` when the weights are not
    /// finite (or a dimension is 0).
    pub fn new(weights: &[f64], data: usize, rank: usize) -> Option<Self> {
        if data == 0 || rank == 0 || weights.len() != data * rank || weights.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let g = gram(weights, data, rank);
        let scale = (0..rank).fold(0.0, |a, j| a + g[j * rank + j]) / rank as f64;
        let (h, ridge) =
            std::iter::once(0.0).chain((0..=12).map(|k| scale * 10f64.powi(k - 12))).find_map(|ridge| {
                let mut gr = g.clone();
                (0..rank).for_each(|j| gr[j * rank + j] += ridge);
                cholesky_inverse(&gr, rank).map(|h| (h, ridge))
            })?;
        let mut m = vec![0.0; rank * data];
        for j in 0..rank {
            for i in 0..data {
                let mut s = 0.0;
                for j2 in 0..rank {
                    s += weights[i * rank + j2] * h[j * rank + j2];
                }
                m[j * data + i] = s;
            }
        }
        Some(Self { data, rank, m, ridge })
    }

    /// The regularisation `λ` that was needed (0 for full-rank weights).
    pub fn ridge(&self) -> f64 {
        self.ridge
    }

    /// Writes the code `ReLU(M y)` of the data vector `y` (length `D`) into
    /// `code` (length `C`).
    pub fn encode(&self, y: &[f64], code: &mut [f64]) {
        for (j, c) in code.iter_mut().enumerate().take(self.rank) {
            let row = &self.m[j * self.data..(j + 1) * self.data];
            let mut s = 0.0;
            for (mv, yv) in row.iter().zip(y) {
                s += mv * yv;
            }
            *c = if s < 0.0 { 0.0 } else { s };
        }
    }
}

/// `G = WᵀW`, `G(j1, j2) = Σ_i W(i, j1) W(i, j2)` summed in ascending `i`.
fn gram(w: &[f64], data: usize, rank: usize) -> Vec<f64> {
    let mut g = vec![0.0; rank * rank];
    for j1 in 0..rank {
        for j2 in 0..rank {
            let mut s = 0.0;
            for i in 0..data {
                s += w[i * rank + j1] * w[i * rank + j2];
            }
            g[j1 * rank + j2] = s;
        }
    }
    g
}

/// The inverse of the symmetric positive-definite `m × m` matrix `g`
/// (row-major) by the reference program's in-place Cholesky inversion;
/// `None` when a pivot is not positive (or not finite).
///
/// (a) `G = UᵀU` with `U` upper triangular, built row by row in the upper
/// triangle of `a`; (b) the diagonal inverted; (c) `V = U⁻¹` in place,
/// columns from the last; (d) `H = V Vᵀ` in place, mirrored to the lower
/// triangle.
fn cholesky_inverse(g: &[f64], m: usize) -> Option<Vec<f64>> {
    let mut a = g.to_vec();
    let at = |i: usize, k: usize| i * m + k;
    for i in 0..m {
        let mut d = a[at(i, i)];
        for j in 0..i {
            d -= a[at(j, i)] * a[at(j, i)];
        }
        let d = d.sqrt();
        if !(d > 0.0 && d.is_finite()) {
            return None;
        }
        a[at(i, i)] = d;
        for k in i + 1..m {
            let mut s = g[at(k, i)];
            for j in 0..i {
                s -= a[at(j, i)] * a[at(j, k)];
            }
            a[at(i, k)] = s / d;
        }
    }
    for i in 0..m {
        a[at(i, i)] = 1.0 / a[at(i, i)];
    }
    for k in (1..m).rev() {
        for i in (0..k).rev() {
            let mut s = a[at(i, k)] * -a[at(k, k)];
            for j in i + 1..k {
                s -= a[at(i, j)] * a[at(j, k)];
            }
            a[at(i, k)] = s * a[at(i, i)];
        }
    }
    for j in 0..m {
        for i in j..m {
            let mut s = 0.0;
            for q in i..m {
                s += a[at(j, q)] * a[at(i, q)];
            }
            a[at(j, i)] = s;
        }
    }
    for j in 0..m {
        for i in j + 1..m {
            a[at(i, j)] = a[at(j, i)];
        }
    }
    a.iter().all(|v| v.is_finite()).then_some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_a_small_matrix() {
        let g = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let h = cholesky_inverse(&g, 3).unwrap();
        for r in 0..3 {
            for c in 0..3 {
                let p: f64 = (0..3).map(|k| g[r * 3 + k] * h[k * 3 + c]).sum();
                assert!((p - if r == c { 1.0 } else { 0.0 }).abs() < 1e-14, "{r} {c} {p}");
            }
        }
        assert!(cholesky_inverse(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
        assert!(cholesky_inverse(&[-1.0], 1).is_none());
    }

    #[test]
    fn encoder_inverts_full_rank_weights() {
        // W (3×2), y = W x with x ≥ 0 is encoded back to x
        let w = [1.0, 0.0, 0.5, 1.0, 0.0, 2.0];
        let e = Encoder::new(&w, 3, 2).unwrap();
        assert_eq!(e.ridge(), 0.0);
        let x = [0.7, 0.2];
        let y: Vec<f64> = (0..3).map(|i| w[i * 2] * x[0] + w[i * 2 + 1] * x[1]).collect();
        let mut z = [0.0; 2];
        e.encode(&y, &mut z);
        assert!((z[0] - 0.7).abs() < 1e-14 && (z[1] - 0.2).abs() < 1e-14);
        // a negative least-squares code is clipped to 0
        e.encode(&[0.0, 0.0, 1.0], &mut z);
        assert_eq!(z[0], 0.0);
    }

    #[test]
    fn rank_deficient_weights_are_regularised() {
        // two equal columns, and more codes than data nodes
        let e = Encoder::new(&[1.0, 1.0, 0.5, 0.5], 2, 2).unwrap();
        assert!(e.ridge() > 0.0);
        let e = Encoder::new(&[1.0, 0.2, 0.3], 1, 3).unwrap();
        let mut z = [0.0; 3];
        e.encode(&[1.0], &mut z);
        assert!(z.iter().all(|v| v.is_finite()));
        assert!(Encoder::new(&[f64::NAN, 1.0], 1, 2).is_none());
        assert!(Encoder::new(&[], 0, 2).is_none());
    }
}
