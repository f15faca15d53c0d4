//! Feed-forward ReLU nets as the related trainers (`lwl lifted`, `lwl
//! sgd`) hold them: dense weights and biases per layer (faer matrices, one
//! column per item), the forward pass, predicted classes, error rates and
//! the share of hidden units that act linearly on a data set.

use faer::{Mat, MatRef};

use clap::Args;

use crate::args::data::{DataArgs, Sets, load};
use crate::args::{Layers, check, parse_layers};
use crate::error::Error;
use crate::formats::datafile::LabeledData;
use crate::output::report::seed;

/// Weights and biases of a feed-forward net.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// `W_l`, `n_l × n_{l−1}`, for `l = 1..L` (index `l − 1`).
    pub w: Vec<Mat<f64>>,
    /// `b_l` (index `l − 1`).
    pub b: Vec<Vec<f64>>,
}

impl Params {
    /// Layer sizes `n_0, …, n_L`.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s: Vec<usize> = self.w.first().map(|w| vec![w.ncols()]).unwrap_or_default();
        s.extend(self.w.iter().map(Mat::nrows));
        s
    }

    /// `Z_l = W_l x + b_l 1ᵀ` for layer `l` (1-based) and inputs `x`.
    pub fn pre(&self, l: usize, x: MatRef<'_, f64>) -> Mat<f64> {
        let (w, b) = (&self.w[l - 1], &self.b[l - 1]);
        let mut z = w * x;
        for k in 0..z.ncols() {
            for (i, bi) in b.iter().enumerate() {
                z[(i, k)] += bi;
            }
        }
        z
    }

    /// The net's outputs `Z_L` for inputs `x`: ReLU hidden layers.
    pub fn forward(&self, x: MatRef<'_, f64>) -> Mat<f64> {
        let mut a = x.to_owned();
        for l in 1..=self.w.len() {
            let mut z = self.pre(l, a.as_ref());
            if l < self.w.len() {
                relu_in_place(&mut z);
            }
            a = z;
        }
        a
    }

    /// Multiply-adds of one forward pass of `items` items.
    pub fn forward_work(&self, items: usize) -> u64 {
        self.w.iter().map(|w| (w.nrows() * w.ncols() * items) as u64).sum()
    }
}

/// `z ← max(z, 0)` entrywise.
pub fn relu_in_place(z: &mut Mat<f64>) {
    for k in 0..z.ncols() {
        for i in 0..z.nrows() {
            z[(i, k)] = z[(i, k)].max(0.0);
        }
    }
}

/// The predicted class of each column of outputs: the largest entry, ties to
/// the lower class.
pub fn classes(z: MatRef<'_, f64>) -> Vec<usize> {
    (0..z.ncols())
        .map(|k| {
            let mut best = 0;
            for i in 1..z.nrows() {
                if z[(i, k)] > z[(best, k)] {
                    best = i;
                }
            }
            best
        })
        .collect()
}

/// The inputs of items `ks` of `d`, one column per item.
pub fn inputs(d: &LabeledData, ks: &[usize]) -> Mat<f64> {
    Mat::from_fn(d.dims, ks.len(), |i, k| d.item(ks[k])[i])
}

/// The fraction of `d`'s items that the net classifies wrongly.
pub fn error_rate(p: &Params, d: &LabeledData) -> f64 {
    if d.is_empty() {
        return 0.0;
    }
    let all: Vec<usize> = (0..d.len()).collect();
    let mut wrong = 0;
    for chunk in all.chunks(4096) {
        let out = p.forward(inputs(d, chunk).as_ref());
        wrong += classes(out.as_ref()).iter().zip(chunk).filter(|(c, k)| **c != d.labels[**k] as usize).count();
    }
    wrong as f64 / d.len() as f64
}

/// Per hidden layer, the share of units whose pre-activation is ≥ 0 on
/// every item of `d`: units that act linearly on the data.
pub fn linear_units(p: &Params, d: &LabeledData) -> Vec<f64> {
    let all: Vec<usize> = (0..d.len()).collect();
    let layers = p.w.len();
    let mut linear: Vec<Vec<bool>> = p.w[..layers - 1].iter().map(|w| vec![true; w.nrows()]).collect();
    for chunk in all.chunks(4096) {
        let mut a = inputs(d, chunk);
        for (l, lin) in linear.iter_mut().enumerate() {
            let mut z = p.pre(l + 1, a.as_ref());
            for k in 0..z.ncols() {
                for (i, li) in lin.iter_mut().enumerate() {
                    *li &= z[(i, k)] >= 0.0;
                    z[(i, k)] = z[(i, k)].max(0.0);
                }
            }
            a = z;
        }
    }
    linear.iter().map(|l| l.iter().filter(|&&b| b).count() as f64 / l.len().max(1) as f64).collect()
}

/// The arguments every feed-forward trainer (`lwl lifted`, `lwl sgd`)
/// shares: the data, the layers, the epochs, the seed and the output form.
#[derive(Clone, Debug, Args)]
pub struct NetRun {
    #[command(flatten)]
    pub data: DataArgs,
    /// Layer sizes from inputs to classes, comma-separated (default for
    /// built-in data: 13,26·(depth−1),2 for --majority, 784,20,10 for --mnist).
    #[arg(long, value_name = "SIZES", value_parser = parse_layers)]
    pub layers: Option<Layers>,
    /// Passes over the training data.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub epochs: usize,
    /// Seed of the initial weights, shuffles and generated data (default:
    /// fresh, printed).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// One JSON object per epoch on standard output.
    #[arg(long)]
    pub json: bool,
}

impl NetRun {
    /// Checks `--epochs`, prints the seed (for command `what`), loads the
    /// data and checks the layers against it: (seed, data, layer sizes).
    pub fn prepare(&self, what: &str) -> Result<(u64, Sets, Vec<usize>), Error> {
        check::at_least_one("--epochs", self.epochs)?;
        let seed = seed(self.seed, what);
        let sets = load(&self.data, seed)?;
        let sizes = layer_sizes(self.layers.as_ref(), &sets)?;
        Ok((seed, sets, sizes))
    }
}

/// The layer sizes of a run: `--layers`, else the built-in data's default;
/// checked against the training data (inputs, classes, finite values).
pub fn layer_sizes(layers: Option<&Layers>, sets: &Sets) -> Result<Vec<usize>, Error> {
    let train = &sets.train;
    let sizes = match (layers, &sets.default_layers) {
        (Some(l), _) => l.0.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => return Err(Error::Usage("--layers SIZES is needed with --train".into())),
    };
    if sizes.len() < 2 || sizes.contains(&0) {
        return Err(Error::Usage(format!("--layers {sizes:?}: at least an input and an output layer, none empty")));
    }
    if sizes[0] != train.dims {
        return Err(Error::Usage(format!("--layers starts with {} inputs but the data has {}", sizes[0], train.dims)));
    }
    let out = sizes[sizes.len() - 1];
    if out < train.classes {
        return Err(Error::Usage(format!(
            "--layers ends with {out} outputs but the data has {} classes",
            train.classes
        )));
    }
    if train.values.iter().any(|v| !v.is_finite()) {
        return Err(Error::Usage("the training data holds a value that is not finite".into()));
    }
    Ok(sizes)
}
