//! Data files of the reference programs, and reading (possibly gzipped) text.
//!
//! * Labeled (classifier) data: a header `datanodes classes`, then one item
//!   per line: `datanodes` values and an integer label in `0..classes`.
//! * Unlabeled (NMF / autoencoder) data: a header with the number of data
//!   nodes `D`, then one item per line: `D` values.
//!
//! * CSV (NMF data too): one item per row, an optional header row.
//!
//! Blank lines are ignored; tokens are separated by any whitespace. The
//! writers print a blank line after the header (as the reference files do)
//! and every value with Rust's shortest round-trip `{}` formatting.

use std::io::Read;
use std::path::Path;

use crate::error::InputError;
use crate::formats::text::{nonblank_lines, parse_bounded, parse_count, parse_finite, tokens};

/// Largest number of data nodes or classes accepted in a header.
pub const MAX_DIMS: usize = 100_000_000;
/// Largest decompressed size of a text file, in bytes.
pub const MAX_TEXT_BYTES: u64 = 1 << 32;

/// Classifier data: `len()` items of `dims` values and a label each.
#[derive(Clone, Debug, PartialEq)]
pub struct LabeledData {
    /// Number of data nodes (values per item).
    pub dims: usize,
    /// Number of classes; every label is below it.
    pub classes: usize,
    /// The values, item-major: item `k` is `values[k * dims..(k + 1) * dims]`.
    pub values: Vec<f64>,
    /// The class label of every item.
    pub labels: Vec<u32>,
}

impl LabeledData {
    /// Number of items.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The values of item `k`.
    pub fn item(&self, k: usize) -> &[f64] {
        &self.values[k * self.dims..(k + 1) * self.dims]
    }
}

/// Unlabeled data: items of `dims` values.
#[derive(Clone, Debug, PartialEq)]
pub struct UnlabeledData {
    /// Number of data nodes (values per item).
    pub dims: usize,
    /// The values, item-major: item `k` is `values[k * dims..(k + 1) * dims]`.
    pub values: Vec<f64>,
}

impl UnlabeledData {
    /// Number of items.
    pub fn len(&self) -> usize {
        self.values.len() / self.dims.max(1)
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Reads a whole text file, gunzipping it first when it starts with the gzip
/// magic bytes `1f 8b` (whatever its name).
pub fn read_text_file(path: &Path) -> Result<String, InputError> {
    text_from_bytes(read_bytes(path)?, &path.display().to_string())
}

/// The bytes of a file as they are (at most [`MAX_TEXT_BYTES`]), read once:
/// a pipe or FIFO (`/dev/stdin`) works like a file.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, InputError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| InputError::file(&name, format!("cannot open: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_TEXT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::file(&name, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_TEXT_BYTES {
        return Err(InputError::file(&name, format!("larger than {MAX_TEXT_BYTES} bytes")));
    }
    Ok(bytes)
}

/// Text from a file's bytes (`name` for messages): gunzipped when they
/// start with the gzip magic, a leading UTF-8 byte-order mark dropped.
pub fn text_from_bytes(mut bytes: Vec<u8>, name: &str) -> Result<String, InputError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .take(MAX_TEXT_BYTES + 1)
            .read_to_end(&mut plain)
            .map_err(|e| InputError::file(name, format!("bad gzip data: {e}")))?;
        if plain.len() as u64 > MAX_TEXT_BYTES {
            return Err(InputError::file(name, format!("larger than {MAX_TEXT_BYTES} bytes after gunzip")));
        }
        bytes = plain;
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        InputError::at(name, line, "not valid UTF-8 text")
    })
}

/// Parses the values of one item line into `values`.
fn push_values(toks: &[&str], values: &mut Vec<f64>) -> Result<(), String> {
    for tok in toks {
        values.push(parse_finite(tok)?);
    }
    Ok(())
}

/// Parses classifier data (`path` is used in error messages only).
pub fn read_labeled(text: &str, path: &str) -> Result<LabeledData, InputError> {
    let at = |line: usize, msg: String| InputError::at(path, line, msg);
    let mut lines = nonblank_lines(text);
    let Some((hl, header)) = lines.next() else {
        return Err(InputError::file(path, "empty file; expected a header 'datanodes classes'"));
    };
    let head = tokens(header);
    if head.len() != 2 {
        return Err(at(hl, format!("header has {} fields; expected 'datanodes classes'", head.len())));
    }
    let dims = parse_bounded(head[0], "number of data nodes", MAX_DIMS).map_err(|m| at(hl, m))?;
    let classes = parse_bounded(head[1], "number of classes", MAX_DIMS).map_err(|m| at(hl, m))?;
    if dims == 0 || classes == 0 {
        return Err(at(hl, "data nodes and classes must both be at least 1".into()));
    }
    let mut data = LabeledData { dims, classes, values: Vec::new(), labels: Vec::new() };
    for (ln, line) in lines {
        let t = tokens(line);
        if t.len() != dims + 1 {
            return Err(at(ln, format!("expected {} fields ({dims} values and a label), found {}", dims + 1, t.len())));
        }
        push_values(&t[..dims], &mut data.values).map_err(|m| at(ln, m))?;
        let tok = t[dims];
        let label = parse_count(tok).ok_or_else(|| at(ln, format!("label '{tok}' is not a non-negative integer")))?;
        if label >= classes {
            return Err(at(ln, format!("label {label} is not in 0..{classes}")));
        }
        data.labels.push(label as u32);
    }
    if data.is_empty() {
        return Err(InputError::file(path, "no data items after the header"));
    }
    Ok(data)
}

/// Writes classifier data: header `dims<TAB>classes`, a blank line, then one
/// item per line, fields separated by tabs (the layout of the reference
/// data files).
pub fn write_labeled(data: &LabeledData) -> String {
    let mut out = format!("{}\t{}\n\n", data.dims, data.classes);
    for (k, label) in data.labels.iter().enumerate() {
        for v in data.item(k) {
            out.push_str(&v.to_string());
            out.push('\t');
        }
        out.push_str(&label.to_string());
        out.push('\n');
    }
    out
}

/// Parses unlabeled data (`path` is used in error messages only): a header
/// `datanodes`, then one item of that many values per line; or, as the
/// reference's RRRauto reads its data, a header `datanodes M` and per item
/// the values and an integer label, both ignored (`M` and the labels are
/// the classifier format's and play no part in an autoencoder or NMF).
pub fn read_unlabeled(text: &str, path: &str) -> Result<UnlabeledData, InputError> {
    let at = |line: usize, msg: String| InputError::at(path, line, msg);
    let mut lines = nonblank_lines(text);
    let Some((hl, header)) = lines.next() else {
        return Err(InputError::file(path, "empty file; expected the number of data nodes"));
    };
    let head = tokens(header);
    if !(1..=2).contains(&head.len()) {
        return Err(at(
            hl,
            format!(
                "header has {} fields; expected the number of data nodes (or, as the reference \
                 programs write it, `datanodes classes` with a label per item)",
                head.len()
            ),
        ));
    }
    let dims = parse_bounded(head[0], "number of data nodes", MAX_DIMS).map_err(|m| at(hl, m))?;
    if dims == 0 {
        return Err(at(hl, "the number of data nodes must be at least 1".into()));
    }
    if let Some(m) = head.get(1) {
        parse_bounded(m, "second header field", MAX_DIMS).map_err(|m| at(hl, m))?;
    }
    let labelled = head.len() == 2;
    let fields = dims + usize::from(labelled);
    let mut data = UnlabeledData { dims, values: Vec::new() };
    for (ln, line) in lines {
        let t = tokens(line);
        if t.len() != fields {
            let msg = if labelled {
                format!("expected {fields} fields ({dims} values and a label), found {}", t.len())
            } else {
                format!("expected {dims} values, found {}", t.len())
            };
            return Err(at(ln, msg));
        }
        push_values(&t[..dims], &mut data.values).map_err(|m| at(ln, m))?;
        if let Some(tok) = t.get(dims).filter(|_| labelled) {
            parse_count(tok).ok_or_else(|| at(ln, format!("label '{tok}' is not a non-negative integer")))?;
        }
    }
    if data.is_empty() {
        return Err(InputError::file(path, "no data items after the header"));
    }
    Ok(data)
}

/// Parses unlabeled data in CSV: one item per row, values separated by
/// commas (spaces around them allowed). A first row none of whose fields is
/// a number is a header and skipped. Every row must have as many values as
/// the first data row.
pub fn read_csv(text: &str, path: &str) -> Result<UnlabeledData, InputError> {
    let mut dims = 0;
    let mut values = Vec::new();
    for (idx, (ln, line)) in nonblank_lines(text).enumerate() {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if idx == 0 && fields.iter().all(|f| f.parse::<f64>().is_err()) {
            continue;
        }
        if dims == 0 {
            dims = fields.len();
        } else if fields.len() != dims {
            return Err(InputError::at(
                path,
                ln,
                format!("expected {dims} comma-separated values, found {}", fields.len()),
            ));
        }
        for f in fields {
            values.push(parse_finite(f).map_err(|m| InputError::at(path, ln, m))?);
        }
    }
    if values.is_empty() {
        return Err(InputError::file(path, "no data rows"));
    }
    Ok(UnlabeledData { dims, values })
}

/// Writes unlabeled data: the number of data nodes, a blank line, then one
/// item per line, values separated by single spaces.
pub fn write_unlabeled(data: &UnlabeledData) -> String {
    let mut out = format!("{}\n\n", data.dims);
    for item in data.values.chunks(data.dims.max(1)) {
        let fields: Vec<String> = item.iter().map(f64::to_string).collect();
        out.push_str(&fields.join(" "));
        out.push('\n');
    }
    out
}
