//! Matrix files (`W.txt` of `lwl nmf --out`, `--init`): one row per line,
//! whitespace-separated values, all rows equally long.

use std::path::Path;

use faer::Mat;

use crate::error::{Error, InputError};
use crate::formats::datafile::read_text_file;
use crate::formats::text::{nonblank_lines, parse_finite, tokens};

/// A matrix file: one row per line, whitespace-separated, all rows equally
/// long. Returns the number of columns and the values row-major.
pub fn read_matrix(path: &Path) -> Result<(usize, Vec<f64>), Error> {
    let name = path.display().to_string();
    let text = read_text_file(path)?;
    let (mut cols, mut values) = (0, Vec::new());
    for (ln, line) in nonblank_lines(&text) {
        let t = tokens(line);
        if cols == 0 {
            cols = t.len();
        } else if t.len() != cols {
            return Err(InputError::at(
                &name,
                ln,
                format!("expected {cols} values like the first row, found {}", t.len()),
            )
            .into());
        }
        for tok in t {
            values.push(parse_finite(tok).map_err(|m| InputError::at(&name, ln, m))?);
        }
    }
    if values.is_empty() {
        return Err(InputError::file(&name, "no values").into());
    }
    Ok((cols, values))
}

/// Rows of `cols` values, shortest round-trip formatting.
pub fn write_matrix(values: &[f64], cols: usize) -> String {
    let mut s = String::new();
    for row in values.chunks(cols.max(1)) {
        let fields: Vec<String> = row.iter().map(|v| format!("{v:e}")).collect();
        s += &fields.join(" ");
        s.push('\n');
    }
    s
}

/// Blocks of per-item states (matrices of one column per item, all with the
/// same columns) as a matrix file: one row per item, every block's entries
/// of that item in turn.
pub fn write_columns(blocks: &[&Mat<f64>]) -> String {
    let units: usize = blocks.iter().map(|b| b.nrows()).sum();
    let items = blocks.first().map_or(0, |b| b.ncols());
    let mut v = Vec::with_capacity(units * items);
    for k in 0..items {
        for b in blocks {
            v.extend((0..b.nrows()).map(|i| b[(i, k)]));
        }
    }
    write_matrix(&v, units)
}

/// Reads the file `path` written by [`write_columns`] into `blocks`, whose
/// shapes it must have.
pub fn read_columns(path: &Path, blocks: &mut [&mut Mat<f64>]) -> Result<(), Error> {
    let (cols, v) = read_matrix(path)?;
    let units: usize = blocks.iter().map(|b| b.nrows()).sum();
    let items = blocks.first().map_or(0, |b| b.ncols());
    if cols != units || v.len() != units * items {
        return Err(InputError::file(
            &path.display().to_string(),
            format!("holds {} rows of {cols} values; the run has {items} items of {units} states", v.len() / cols),
        )
        .into());
    }
    let mut it = v.into_iter();
    for k in 0..items {
        for b in blocks.iter_mut() {
            for i in 0..b.nrows() {
                b[(i, k)] = it.next().unwrap_or_default();
            }
        }
    }
    Ok(())
}
