//! `lwl lifted`: lifted training of feed-forward nets by block-coordinate
//! descent with the quadratic or the Bregman penalty ([`model`]), with the
//! data options of `lwl classify` and per-epoch records.

pub mod args;
pub mod model;

use std::time::Instant;

use faer::Mat;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::json;

pub use args::{ABOUT, EXAMPLES, LiftedArgs, PenaltyArg};
use model::{Hyper, Lifted, Params, Penalty, classes};

use crate::args::check;
use crate::args::data::load;
use crate::error::Error;
use crate::formats::datafile::LabeledData;
use crate::output::report::{Reporter, seed};

/// The inputs of items `ks` of `d`, one column per item.
fn inputs(d: &LabeledData, ks: &[usize]) -> Mat<f64> {
    Mat::from_fn(d.dims, ks.len(), |i, k| d.item(ks[k])[i])
}

/// The fraction of `d`'s items that the net classifies wrongly.
fn error_rate(p: &Params, d: &LabeledData) -> f64 {
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

/// Uniform initial weights in ±√(6/n_in) (He), zero biases.
fn initial(sizes: &[usize], rng: &mut Xoshiro256PlusPlus) -> Params {
    let w = sizes
        .windows(2)
        .map(|s| {
            let r = (6.0 / s[0] as f64).sqrt();
            Mat::from_fn(s[1], s[0], |_, _| r * (2.0 * rng.random::<f64>() - 1.0))
        })
        .collect();
    Params { w, b: sizes[1..].iter().map(|&n| vec![0.0; n]).collect() }
}

/// The validated penalty weights of the `hidden` hidden layers.
fn gammas(s: &str, hidden: usize) -> Result<Vec<f64>, Error> {
    let v: Vec<f64> = s
        .split(',')
        .map(|t| t.trim().parse::<f64>().map_err(|_| Error::Usage(format!("--gamma {s}: '{t}' is not a number"))))
        .collect::<Result<_, _>>()?;
    for &g in &v {
        check::positive("--gamma", g)?;
    }
    match v.len() {
        1 => Ok(vec![v[0]; hidden]),
        n if n == hidden => Ok(v),
        n => Err(Error::Usage(format!("--gamma has {n} values for {hidden} hidden layers (give one or {hidden})"))),
    }
}

/// Runs `lwl lifted`.
pub fn run(a: &LiftedArgs) -> Result<(), Error> {
    check::positive("--lambda", a.lambda)?;
    check::at_least_one("--iter", a.iter)?;
    check::at_least_one("--epochs", a.epochs)?;
    let seed = seed(a.seed, "lifted");
    let sets = load(&a.data, seed)?;
    let train = &sets.train;
    let sizes = match (&a.layers, &sets.default_layers) {
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
    let batch = a.batch.unwrap_or(128).min(train.len());
    check::at_least_one("--batch", batch)?;
    let h = Hyper {
        penalty: match a.penalty {
            PenaltyArg::Quadratic => Penalty::Quadratic,
            PenaltyArg::Bregman => Penalty::Bregman,
        },
        gamma: gammas(&a.gamma, sizes.len() - 2)?,
        lambda: a.lambda,
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut p = initial(&sizes, &mut rng);
    let mut rep =
        Reporter::new(a.json, &["epoch", "gwms", "train_err", "test_err", "objective", "output", "penalty", "seconds"]);
    let (start, mut work) = (Instant::now(), 0u64);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut last = json!({});
    for epoch in 1..=a.epochs {
        order.shuffle(&mut rng);
        let (mut objective, mut output, mut penalties) = (0.0, 0.0, vec![0.0; sizes.len() - 2]);
        let chunks: Vec<&[usize]> = order.chunks(batch).collect();
        for ks in &chunks {
            let y = Mat::from_fn(out, ks.len(), |i, k| f64::from(i == train.labels[ks[k]] as usize));
            let mut t = Lifted::new(&p, inputs(train, ks), y);
            for _ in 0..a.iter {
                t.sweep(&mut p, &h).map_err(|e| Error::Usage(format!("epoch {epoch}: {e}")))?;
            }
            let o = t.objective(&p, &h);
            objective += o.total / chunks.len() as f64;
            output += o.output / chunks.len() as f64;
            for (s, v) in penalties.iter_mut().zip(&o.penalties) {
                *s += v / chunks.len() as f64;
            }
            work += t.work;
        }
        if p.w.iter().any(|w| !w.squared_norm_l2().is_finite()) {
            return Err(Error::Usage(format!("epoch {epoch}: the weights became infinite or NaN")));
        }
        let test_err = sets.test.as_ref().map(|t| error_rate(&p, t));
        last = json!({
            "epoch": epoch, "gwms": work as f64 * 1e-9, "train_err": error_rate(&p, train), "test_err": test_err,
            "objective": objective, "output": output, "penalty": penalties.iter().sum::<f64>(),
            "penalties": penalties, "seconds": start.elapsed().as_secs_f64(),
        });
        rep.record(&last)?;
    }
    last["linear_units"] = json!(linear_units(&p, train));
    rep.last(last)
}
