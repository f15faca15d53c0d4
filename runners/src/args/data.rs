//! The labelled data sources of `classify` and `predict` and their loading: text files, MNIST IDX files, or the built-in
//! generators; and the default network for built-in data.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::datasets::{idx, majority};
use crate::error::{Error, InputError};
use crate::formats::datafile::{LabeledData, read_bytes, read_labeled, text_from_bytes};
use crate::output::checkpoint::setting;
use clap::Args;

/// Data sources shared by `classify` and `predict`.
#[derive(Debug, Args, Clone, Default)]
pub struct DataArgs {
    /// Training data: the paper's text format (header `datanodes classes`,
    /// then values and an integer label per item) or MNIST IDX images;
    /// gzip or not.
    #[arg(long, value_name = "FILE")]
    pub train: Option<PathBuf>,
    /// Test data, same formats.
    #[arg(long, value_name = "FILE")]
    pub test: Option<PathBuf>,
    /// IDX labels of --train (default: the standard name beside it).
    #[arg(long, value_name = "FILE")]
    pub train_labels: Option<PathBuf>,
    /// IDX labels of --test (default: the standard name beside it).
    #[arg(long, value_name = "FILE")]
    pub test_labels: Option<PathBuf>,
    /// Built-in: a generated majority-gate circuit of this depth (section
    /// 5.5.1): all 2^13 inputs split into train and test halves (seeded).
    #[arg(long, value_name = "DEPTH", conflicts_with_all = ["train", "mnist"])]
    pub majority: Option<usize>,
    /// Built-in: the paper's 10k/10k MNIST subset (pixels scaled to 0–1).
    #[arg(long, conflicts_with_all = ["train", "majority"])]
    pub mnist: bool,
}

impl DataArgs {
    /// The data settings a resume restores, under the flags' names.
    pub fn hyper(&self) -> Map<String, Value> {
        let v = json!({
            "train": self.train, "test": self.test, "train_labels": self.train_labels,
            "test_labels": self.test_labels, "majority": self.majority, "mnist": self.mnist,
        });
        v.as_object().cloned().unwrap_or_default()
    }

    /// Takes the data settings of a resumed run's `saved` settings (see
    /// [`setting`]; `file` names the manifest).
    pub fn restore(&mut self, given: &[String], saved: &Value, file: &str) -> Result<(), Error> {
        setting::<Option<PathBuf>>("train", &mut self.train, given, saved, file)?;
        setting("test", &mut self.test, given, saved, file)?;
        setting("train_labels", &mut self.train_labels, given, saved, file)?;
        setting("test_labels", &mut self.test_labels, given, saved, file)?;
        setting("majority", &mut self.majority, given, saved, file)?;
        setting("mnist", &mut self.mnist, given, saved, file)
    }
}

/// Training and test sets, with a name and the default net for built-in data.
pub struct Sets {
    /// Training data.
    pub train: LabeledData,
    /// Test data (may be empty when only --train is given).
    pub test: Option<LabeledData>,
    /// Layer sizes of the default net, for built-in data.
    pub default_layers: Option<Vec<usize>>,
}

/// Reads a data file once (so a pipe works): IDX images (with their label
/// file) or the text format.
pub fn read_one(path: &Path, labels: Option<&Path>) -> Result<LabeledData, Error> {
    let name = path.display().to_string();
    let bytes = read_bytes(path)?;
    if idx::is_idx(&bytes) {
        let lab = match labels {
            Some(l) => l.to_path_buf(),
            None => idx::labels_beside(path).ok_or_else(|| {
                InputError::file(&name, "IDX images need their labels: name them with --train-labels/--test-labels")
            })?,
        };
        let lab_name = lab.display().to_string();
        Ok(idx::parse(&bytes, &read_bytes(&lab)?, (&name, &lab_name))?)
    } else {
        Ok(read_labeled(&text_from_bytes(bytes, &name)?, &name)?)
    }
}

/// The one set `lwl predict` classifies: the test half of built-in data
/// (`seed` for --majority, asked for only there), else --test, else
/// --train.
pub fn load_for_predict(args: &DataArgs, seed: impl FnOnce() -> u64) -> Result<LabeledData, Error> {
    if args.majority.is_some() || args.mnist {
        let seed = if args.majority.is_some() { seed() } else { 0 };
        let sets = load(args, seed)?;
        return Ok(sets.test.unwrap_or(sets.train));
    }
    match (&args.test, &args.train) {
        (Some(t), _) => read_one(t, args.test_labels.as_deref()),
        (None, Some(t)) => read_one(t, args.train_labels.as_deref()),
        (None, None) => {
            Err(Error::Usage("no data: give --test FILE (or --train FILE), --majority DEPTH or --mnist".into()))
        }
    }
}

/// Loads the data the flags name; `seed` drives generated data.
pub fn load(args: &DataArgs, seed: u64) -> Result<Sets, Error> {
    if let Some(depth) = args.majority {
        let d = majority::generate(depth, seed)?;
        let mut layers = vec![13];
        layers.extend(std::iter::repeat_n(26, depth.saturating_sub(1)));
        layers.push(2);
        return Ok(Sets { train: d.train, test: Some(d.test), default_layers: Some(layers) });
    }
    if args.mnist {
        let (train, test) = idx::mnist()?;
        return Ok(Sets { train, test: Some(test), default_layers: Some(vec![784, 20, 10]) });
    }
    let train_path = args
        .train
        .as_deref()
        .ok_or_else(|| Error::Usage("no data: give --train FILE [--test FILE], --majority DEPTH or --mnist".into()))?;
    let train = read_one(train_path, args.train_labels.as_deref())?;
    let test = args.test.as_deref().map(|p| read_one(p, args.test_labels.as_deref())).transpose()?;
    if let Some(t) = &test {
        if t.dims != train.dims {
            return Err(Error::Usage(format!(
                "{}: {} values per item, but the training data has {}",
                args.test.as_ref().map_or(String::new(), |p| p.display().to_string()),
                t.dims,
                train.dims
            )));
        }
        if t.classes > train.classes && t.labels.iter().any(|&l| l as usize >= train.classes) {
            return Err(Error::Usage(format!(
                "the test data has labels up to {} but the training data declares {}",
                t.classes - 1,
                crate::formats::text::plural(train.classes, "class", "classes")
            )));
        }
    }
    Ok(Sets { train, test, default_layers: None })
}
