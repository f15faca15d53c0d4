//! The data sources of `lwl nmf` (LEDM, letter montages, a data file) and
//! the hyperparameter defaults each brings (the paper's Table 1 and section
//! 4.4.2).

use crate::datasets::{ledm, montage};
use crate::error::{Error, InputError};
use crate::formats::datafile::{UnlabeledData, read_csv, read_text_file, read_unlabeled};
use crate::formats::text::nonblank_lines;

use super::NmfSource;

/// The paper's Table 1: LEDM size m, non-negative rank r₊ and Ω (β = 0.3).
pub const TABLE1: [(usize, usize, f64); 4] = [(6, 5, 0.6), (8, 6, 0.7), (12, 7, 0.8), (16, 8, 0.9)];

/// The data of a run and the defaults that go with it.
pub(super) struct Source {
    pub data: UnlabeledData,
    /// Short name for picture titles.
    pub name: String,
    /// Image width and height, for the feature picture.
    pub image: Option<(usize, usize)>,
    pub defaults: Defaults,
}

/// Hyperparameter defaults of a data source.
pub(super) struct Defaults {
    pub rank: Option<usize>,
    pub beta: f64,
    pub omega: f64,
    pub batch: Option<usize>,
    pub epochs: usize,
    pub iter: usize,
}

/// Loads the data `src` names, with its defaults; `image` is the pixel
/// width of a data file's items.
pub(super) fn load(src: &NmfSource, data_seed: u64, image: Option<usize>) -> Result<Source, Error> {
    let mut s = if let Some(m) = src.ledm {
        let row = TABLE1.iter().find(|t| t.0 == m);
        let iter = match m {
            ..=6 => 1_000_000,
            7..=8 => 10_000_000,
            9..=12 => 50_000_000,
            _ => 200_000_000,
        };
        Source {
            data: ledm::ledm(m)?,
            name: format!("LEDM {m}"),
            image: None,
            defaults: Defaults {
                rank: row.map(|t| t.1),
                beta: 0.3,
                omega: row.map_or(1.0, |t| t.2),
                batch: None,
                epochs: 1,
                iter,
            },
        }
    } else if src.montage {
        Source {
            data: montage::generate(data_seed),
            name: "MONTAGE".into(),
            image: Some((montage::SIDE, montage::SIDE)),
            defaults: Defaults { rank: Some(16), beta: 1.0, omega: 2.0, batch: Some(50), epochs: 30, iter: 4 },
        }
    } else {
        let path =
            src.data.as_ref().ok_or_else(|| Error::Usage("one of --ledm, --montage, --data is needed".into()))?;
        let name = path.display().to_string();
        let text = read_text_file(path)?;
        let lower = name.to_ascii_lowercase();
        let csv = lower.ends_with(".csv")
            || lower.ends_with(".csv.gz")
            || nonblank_lines(&text).next().is_some_and(|(_, l)| l.contains(','));
        let data = if csv { read_csv(&text, &name)? } else { read_unlabeled(&text, &name)? };
        if let Some((k, v)) = data.values.iter().enumerate().find(|(_, v)| **v < 0.0) {
            let (item, node) = (k / data.dims, k % data.dims);
            return Err(InputError::file(
                &name,
                format!("item {item} has the negative value {v} at data node {node}; NMF data must be non-negative"),
            )
            .into());
        }
        let short = path.file_name().map_or(name.clone(), |f| f.to_string_lossy().into_owned());
        Source {
            data,
            name: short,
            image: None,
            defaults: Defaults { rank: None, beta: 1.0, omega: 1.0, batch: None, epochs: 1, iter: 1_000_000 },
        }
    };
    if let Some(w) = image {
        let d = s.data.dims;
        if w == 0 || !d.is_multiple_of(w) {
            return Err(Error::Usage(format!("--image {w}: the {d} values per item are not whole rows of {w} pixels")));
        }
        s.image = Some((w, d / w));
    }
    Ok(s)
}
