//! Matrix files (`W.txt` of `lwl nmf --out`, `--init`): one row per line,
//! whitespace-separated values, all rows equally long.

use std::path::Path;

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
