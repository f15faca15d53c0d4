//! Data of the autoencoder: binary encoding (section 6.3.1), MNIST (6.3.2)
//! or a file, with the hyperparameter defaults the paper uses for each.

use crate::datasets::idx;
use crate::error::{Error, InputError};
use crate::formats::datafile::{UnlabeledData, read_text_file, read_unlabeled};

use super::args::AutoSource;

/// Largest N of `--binary N`.
pub const MAX_BINARY: u32 = 12;

/// Hyperparameter defaults of a data source.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Defaults {
    /// Activation name.
    pub activation: &'static str,
    /// Full width Δ of the step gap or zigmoid ramp.
    pub width: f64,
    /// RRR step β.
    pub beta: f64,
    /// Weight norm Ω.
    pub omega: f64,
    /// Data items per batch (`None`: all).
    pub batch: Option<usize>,
    /// Code items per batch.
    pub code_batch: usize,
    /// Epochs.
    pub epochs: usize,
    /// Iterations per batch.
    pub iter: usize,
    /// RRR_err at which a batch stops.
    pub tol: f64,
}

/// Training (and test) data, fixed codes and the default net.
pub struct Source {
    /// A short name for messages and picture titles.
    pub name: String,
    /// Training data, values in [0, 1].
    pub train: UnlabeledData,
    /// Test data, if any.
    pub test: Option<UnlabeledData>,
    /// Code items used in every batch instead of iDE samples (binary
    /// encoding: all N-bit codes).
    pub codes: Option<UnlabeledData>,
    /// Side of square images (for pictures).
    pub image: Option<usize>,
    /// Default net: data, encoder layers, code, decoder layers.
    pub net: Option<(usize, Vec<usize>, usize, Vec<usize>)>,
    /// Hyperparameter defaults.
    pub defaults: Defaults,
}

// Width 0.8 is the reference program's `margin 0.4` (its margin is the
// zigmoid's half-width): the setting under the paper's "Δ = 0.4" for MNIST,
// with which 40 epochs reach the paper's data_err 0.153 and code_err 0.040.
const IMAGE_DEFAULTS: Defaults = Defaults {
    activation: "zigmoid",
    width: 0.8,
    beta: 1.0,
    omega: 10.0,
    batch: Some(200),
    code_batch: 20,
    epochs: 40,
    iter: 50,
    tol: 0.0,
};

/// The largest step width Δ with which a perfect `data → code → data`
/// binary encoder can exist (eq. 43): `min(2/√|D|, 1/√|C|)`.
pub fn width_bound(data: usize, code: usize) -> f64 {
    (2.0 / (data as f64).sqrt()).min(1.0 / (code as f64).sqrt())
}

/// Binary encoding: the 2^n one-hot vectors of length 2^n as data and all
/// n-bit vectors as codes (code node j holds bit j of the code's number).
pub fn binary(n: u32) -> Result<Source, Error> {
    if !(1..=MAX_BINARY).contains(&n) {
        return Err(Error::Usage(format!("--binary N: N must be in 1..={MAX_BINARY}")));
    }
    let d = 1usize << n;
    let nb = n as usize;
    let data = UnlabeledData { dims: d, values: (0..d * d).map(|i| f64::from(i / d == i % d)).collect() };
    let codes =
        UnlabeledData { dims: nb, values: (0..d * nb).map(|i| f64::from(((i / nb) >> (i % nb)) & 1 == 1)).collect() };
    // Δ = 0.4 as in the paper, or 96% of the eq. 43 bound where that is
    // smaller (0.34 for n = 5, the paper's value).
    let width = (0.4f64.min(0.96 * width_bound(d, nb)) * 100.0).round() / 100.0;
    Ok(Source {
        name: format!("BINARY {n}"),
        train: data,
        test: None,
        codes: Some(codes),
        image: None,
        net: Some((d, vec![], nb, vec![])),
        defaults: Defaults {
            activation: "step",
            width,
            beta: 0.5,
            omega: 100.0,
            batch: None,
            code_batch: d,
            epochs: 1,
            iter: 1_000_000,
            tol: 1e-6,
        },
    })
}

fn unlabelled(values: Vec<f64>, dims: usize) -> UnlabeledData {
    UnlabeledData { dims, values }
}

fn read_file(path: &std::path::Path) -> Result<UnlabeledData, Error> {
    let name = path.display().to_string();
    let data = read_unlabeled(&read_text_file(path)?, &name)?;
    if data.is_empty() {
        return Err(InputError::file(&name, "holds no items").into());
    }
    if let Some(k) = data.values.iter().position(|v| !(0.0..=1.0).contains(v)) {
        let msg = format!(
            "item {} has the value {} at data node {}; autoencoder data must lie in [0, 1]",
            k / data.dims,
            data.values[k],
            k % data.dims
        );
        return Err(InputError::file(&name, msg).into());
    }
    Ok(data)
}

/// Loads the data the flags name.
pub fn load(src: &AutoSource, test: Option<&std::path::Path>) -> Result<Source, Error> {
    if let Some(n) = src.binary {
        return binary(n);
    }
    if src.mnist {
        let (train, test) = idx::mnist()?;
        return Ok(Source {
            name: "MNIST".into(),
            train: unlabelled(train.values, train.dims),
            test: Some(unlabelled(test.values, test.dims)),
            codes: None,
            image: Some(28),
            net: Some((784, vec![200], 10, vec![200])),
            defaults: IMAGE_DEFAULTS,
        });
    }
    let path = src.data.as_deref().ok_or_else(|| Error::Usage("one of --binary, --mnist, --data is needed".into()))?;
    let train = read_file(path)?;
    let test = test.map(read_file).transpose()?;
    if let Some(t) = test.as_ref().filter(|t| t.dims != train.dims) {
        return Err(Error::Usage(format!(
            "the test data has {} values per item, the training data {}",
            t.dims, train.dims
        )));
    }
    let image = (1..=train.dims).find(|s| s * s == train.dims).filter(|&s| s >= 8);
    let short = path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned());
    Ok(Source { name: short, train, test, codes: None, image, net: None, defaults: IMAGE_DEFAULTS })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_items_and_bounds() {
        let s = binary(3).unwrap();
        assert_eq!(s.train.len(), 8);
        assert_eq!(&s.train.values[8..16], &[0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let c = s.codes.unwrap();
        assert_eq!(&c.values[3 * 5..3 * 6], &[1.0, 0.0, 1.0]);
        assert_eq!(s.defaults.width, 0.4);
        assert_eq!(binary(5).unwrap().defaults.width, 0.34);
        assert!((width_bound(32, 5) - 2.0 / 32f64.sqrt()).abs() < 1e-15);
        assert!(binary(0).is_err() && binary(MAX_BINARY + 1).is_err());
    }
}
