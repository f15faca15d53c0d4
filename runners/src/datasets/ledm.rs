//! LEDM m: the squared distances of m equally spaced points on a line
//! (paper eq. 25), an exactly factorizable NMF instance.

use crate::error::Error;
use crate::formats::datafile::UnlabeledData;

/// Largest supported `m` (the matrix has `m * m` entries).
pub const MAX_M: usize = 10_000;

/// The m×m matrix Y(i, k) = (i − k)² / (m − 1)² as `m` items of `m` data
/// nodes: item `k` is column `k` (the matrix is symmetric, so also row `k`).
///
/// Each entry is computed with integer arithmetic and one correctly rounded
/// division, `(d * d) as f64 / ((m - 1) * (m - 1)) as f64`, so it is the
/// double nearest to the exact fraction (0.04, not 0.2 * 0.2, for m = 6).
pub fn ledm(m: usize) -> Result<UnlabeledData, Error> {
    if !(2..=MAX_M).contains(&m) {
        return Err(Error::Usage(format!("LEDM size m = {m} must be in 2..={MAX_M}")));
    }
    let denom = ((m - 1) * (m - 1)) as f64;
    let values = (0..m)
        .flat_map(|k| {
            (0..m).map(move |i| {
                let d = i.abs_diff(k);
                (d * d) as f64 / denom
            })
        })
        .collect();
    Ok(UnlabeledData { dims: m, values })
}
