//! Feed-forward nets as the related trainers (`lwl lifted`, `lwl sgd`)
//! hold them: dense weights and biases per layer (faer matrices, one column
//! per item), a ReLU or tanh activation on the hidden layers, the forward
//! pass, predicted classes, error rates and the share of hidden units that
//! act linearly on a data set.

use faer::{Mat, MatRef};

use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};

use crate::args::data::{DataArgs, Sets, load};
use serde_json::{Map, Value, json};

use crate::args::{Layers, RunDir, check, parse_layers};
use crate::error::{Error, InputError};
use crate::formats::datafile::{LabeledData, read_text_file};
use crate::formats::text::{nonblank_lines, parse_finite, tokens};
use crate::output::checkpoint::{self, MANIFEST, Progress, setting};
use crate::output::report::seed;

/// The activation of the hidden layers (the output layer is linear).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `max(z, 0)`.
    Relu,
    /// `tanh z`.
    Tanh,
    /// The step `1[z > 0]`, a binary unit. Back-propagation passes its
    /// gradient straight through (the straight-through estimator: slope 1);
    /// the lifted trainer's Bregman penalty takes its potential
    /// (`Φ` the indicator of [0, 1], `Φ*(z) = max(z, 0)`).
    Step,
}

impl Activation {
    /// `σ(z)`.
    pub fn apply(self, z: f64) -> f64 {
        match self {
            Self::Relu => z.max(0.0),
            Self::Tanh => z.tanh(),
            Self::Step => f64::from(u8::from(z > 0.0)),
        }
    }

    /// `σ'(z)` written in terms of the output `a = σ(z)` (ReLU: 1 where
    /// `a > 0`; tanh: `1 − a²`; the step: 1, the straight-through
    /// estimator, since its derivative is 0 wherever it exists).
    pub fn slope_at(self, a: f64) -> f64 {
        match self {
            Self::Relu => f64::from(u8::from(a > 0.0)),
            Self::Tanh => 1.0 - a * a,
            Self::Step => 1.0,
        }
    }

    /// `z ← σ(z)` entrywise.
    pub fn apply_in_place(self, z: &mut Mat<f64>) {
        for k in 0..z.ncols() {
            for i in 0..z.nrows() {
                z[(i, k)] = self.apply(z[(i, k)]);
            }
        }
    }

    /// The flag's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Relu => "relu",
            Self::Tanh => "tanh",
            Self::Step => "step",
        }
    }
}

/// Weights and biases of a feed-forward net, and its activation.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// `W_l`, `n_l × n_{l−1}`, for `l = 1..L` (index `l − 1`).
    pub w: Vec<Mat<f64>>,
    /// `b_l` (index `l − 1`).
    pub b: Vec<Vec<f64>>,
    /// The hidden layers' activation.
    pub act: Activation,
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

    /// The net's outputs `Z_L` for inputs `x`.
    pub fn forward(&self, x: MatRef<'_, f64>) -> Mat<f64> {
        let mut a = x.to_owned();
        for l in 1..=self.w.len() {
            let mut z = self.pre(l, a.as_ref());
            if l < self.w.len() {
                self.act.apply_in_place(&mut z);
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
                    z[(i, k)] = p.act.apply(z[(i, k)]);
                }
            }
            a = z;
        }
    }
    linear.iter().map(|l| l.iter().filter(|&&b| b).count() as f64 / l.len().max(1) as f64).collect()
}

/// The arguments every feed-forward trainer (`lwl lifted`, `lwl sgd`)
/// shares: the data, the layers, the activation, the epochs, the seed, the
/// output form and the run directory (`--out`, `--resume`).
#[derive(Clone, Debug, Args)]
pub struct NetRun {
    #[command(flatten)]
    pub data: DataArgs,
    /// Layer sizes from inputs to classes, comma-separated (default for
    /// built-in data: 13,26·(depth−1),2 for --majority, 784,20,10 for --mnist).
    #[arg(long, value_name = "SIZES", value_parser = parse_layers)]
    pub layers: Option<Layers>,
    /// The hidden layers' activation.
    #[arg(long, value_enum, default_value = "relu")]
    pub activation: Activation,
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
    /// Where the run is saved (--out) and continued from (--resume).
    #[command(flatten)]
    pub dir: RunDir,
    /// The flags given on the command line (not defaults), by name.
    #[arg(skip)]
    pub given: Vec<String>,
}

impl NetRun {
    /// The checkpoint of `--resume` (of command `what`), if any.
    pub fn resumed(&self, what: &str) -> Result<Option<Progress>, Error> {
        self.dir.resume.as_deref().map(|d| checkpoint::read(d, what)).transpose()
    }

    /// The settings a resume restores, as the flags name them: the data,
    /// the layers and the activation (the seed is the manifest's own).
    pub fn hyper(&self) -> Map<String, Value> {
        let mut h = self.data.hyper();
        h.insert("layers".into(), json!(self.layers.as_ref().map(|l| l.0.clone())));
        h.insert("activation".into(), json!(self.activation));
        h
    }

    /// Takes the seed, the data, the layers and the activation of the run
    /// saved in `--resume` (its manifest `p`; a flag given again must
    /// agree); returns the manifest's settings for the command's own.
    pub fn restore<'p>(&mut self, p: &'p Progress) -> Result<(&'p Value, String), Error> {
        let dir = self.dir.resume.clone().unwrap_or_default();
        let file = dir.join(MANIFEST).display().to_string();
        let (g, h) = (&self.given, p.record.get("hyper").unwrap_or(&Value::Null));
        setting("seed", &mut self.seed, g, &p.record, &file)?;
        self.data.restore(g, h, &file)?;
        let mut layers = self.layers.as_ref().map(|l| l.0.clone());
        setting("layers", &mut layers, g, h, &file)?;
        self.layers = layers.map(Layers);
        setting("activation", &mut self.activation, g, h, &file)?;
        Ok((h, file))
    }

    /// The parameters saved in `--resume`'s `params.txt`, for a net of
    /// layer sizes `sizes`.
    pub fn saved_params(&self, sizes: &[usize]) -> Result<Option<Params>, Error> {
        let Some(d) = &self.dir.resume else {
            return Ok(None);
        };
        let path = d.join("params.txt");
        Ok(Some(read_params(&read_text_file(&path)?, &path.display().to_string(), sizes, self.activation)?))
    }

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

/// The parameter file of `p` (`params.txt` of `lwl lifted --out`): `#`
/// comment lines, then for each layer `l = 1..L` one line per unit, its
/// `n_{l−1}` weights and then its bias, with Rust's shortest round-trip
/// formatting (read back bit for bit).
pub fn write_params(p: &Params) -> String {
    let sizes: Vec<String> = p.sizes().iter().map(usize::to_string).collect();
    let mut s = format!("# lwl feed-forward net: layers {}, activation {}\n", sizes.join(","), p.act.name());
    for (l, (w, b)) in p.w.iter().zip(&p.b).enumerate() {
        s += &format!("# layer {}: {} units, {} weights and the bias each\n", l + 1, w.nrows(), w.ncols());
        for (i, bi) in b.iter().enumerate() {
            let row: Vec<String> = (0..w.ncols()).map(|j| w[(i, j)].to_string()).chain([bi.to_string()]).collect();
            s += &(row.join(" ") + "\n");
        }
    }
    s
}

/// Reads a parameter file written by [`write_params`] for a net of layer
/// sizes `sizes` and activation `act` (`path` names it in errors).
pub fn read_params(text: &str, path: &str, sizes: &[usize], act: Activation) -> Result<Params, InputError> {
    let mut rows = nonblank_lines(text).filter(|(_, l)| !l.trim_start().starts_with('#'));
    let mut p = Params { w: Vec::new(), b: Vec::new(), act };
    for (l, s) in sizes.windows(2).enumerate() {
        let (mut w, mut b) = (Mat::zeros(s[1], s[0]), vec![0.0; s[1]]);
        for (i, bi) in b.iter_mut().enumerate() {
            let Some((n, line)) = rows.next() else {
                return Err(InputError::file(path, format!("ends before unit {} of layer {}", i + 1, l + 1)));
            };
            let values: Vec<f64> = tokens(line)
                .into_iter()
                .map(parse_finite)
                .collect::<Result<_, _>>()
                .map_err(|m| InputError::at(path, n, m))?;
            if values.len() != s[0] + 1 {
                return Err(InputError::at(
                    path,
                    n,
                    format!("has {} values; layer {} needs {} weights and a bias", values.len(), l + 1, s[0]),
                ));
            }
            for (j, v) in values[..s[0]].iter().enumerate() {
                w[(i, j)] = *v;
            }
            *bi = values[s[0]];
        }
        p.w.push(w);
        p.b.push(b);
    }
    if let Some((n, _)) = rows.next() {
        return Err(InputError::at(path, n, format!("is more than the {} layers of --layers hold", sizes.len() - 1)));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_files_read_back_bit_for_bit_and_bad_ones_are_refused() {
        let p = Params {
            w: vec![
                Mat::from_fn(3, 2, |i, j| (i as f64 + 0.1) / (j as f64 + 3.0)),
                Mat::from_fn(2, 3, |i, j| -1e-300 * (i + j) as f64),
            ],
            b: vec![vec![0.1, -0.2, 1.0 / 3.0], vec![7.0, f64::MIN_POSITIVE]],
            act: Activation::Tanh,
        };
        let text = write_params(&p);
        assert_eq!(read_params(&text, "p", &[2, 3, 2], Activation::Tanh).unwrap(), p);
        let e = read_params(&text, "p", &[2, 4, 2], Activation::Tanh).unwrap_err().to_string();
        assert!(e.contains("p:7: has 4 values; layer 1 needs 2 weights and a bias"), "{e}");
        let e = read_params(&text.replace(" 7\n", " x\n"), "p", &[2, 3, 2], Activation::Tanh).unwrap_err().to_string();
        assert!(e.contains("'x' is not a number"), "{e}");
        let e = read_params(&text, "p", &[2, 3], Activation::Tanh).unwrap_err().to_string();
        assert!(e.contains("more than the 1 layers"), "{e}");
        let e = read_params("# empty\n", "p", &[2, 3], Activation::Tanh).unwrap_err().to_string();
        assert!(e.contains("ends before unit 1 of layer 1"), "{e}");
    }
}
