//! `lwl lifted`: lifted training of feed-forward nets by block-coordinate
//! descent with the quadratic or the Bregman penalty ([`model`], its terms
//! in [`divergence`]), with the data options of `lwl classify`, per-epoch
//! records and resumable runs.
//!
//! `--out DIR` keeps after every epoch:
//! * `params.txt` — the weights and biases ([`write_params`]);
//! * `states.txt` — with `--full-batch`, the hidden states, one line per
//!   training item (every hidden layer's states in turn);
//! * `progress.json` — the last record, the counters, the seed and the
//!   settings ([`resume`]).

pub mod args;
pub mod divergence;
pub mod model;
mod resume;

use std::path::Path;
use std::time::Instant;

use faer::Mat;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Value, json};

pub use args::{ABOUT, EXAMPLES, LiftedArgs, LossArg, OutputArgs, PenaltyArg};
use model::{Hyper, Lifted, Params, Penalty};

use crate::args::check;
use crate::error::Error;
use crate::feedforward::{Activation, error_rate, inputs, linear_units, write_params};
use crate::formats::datafile::LabeledData;
use crate::formats::matrix::{read_columns, write_columns};
use crate::output::checkpoint;
use crate::output::report::{Reporter, progress};

/// Uniform initial weights in ±√(6/n_in) (He), zero biases.
pub fn initial(sizes: &[usize], act: Activation, rng: &mut Xoshiro256PlusPlus) -> Params {
    let w = sizes
        .windows(2)
        .map(|s| {
            let r = (6.0 / s[0] as f64).sqrt();
            Mat::from_fn(s[1], s[0], |_, _| r * (2.0 * rng.random::<f64>() - 1.0))
        })
        .collect();
    Params { w, b: sizes[1..].iter().map(|&n| vec![0.0; n]).collect(), act }
}

/// The validated per-layer weights of the `hidden` hidden layers (or state
/// blocks): the comma-separated `list` of flag `flag` (one value for all,
/// or one each), or `--epsilon`'s schedule ε^(hidden − l + 1) for layer
/// `l`, as the implicit-models paper weights its lifted terms.
pub fn layer_weights(flag: &str, list: &str, epsilon: Option<f64>, hidden: usize) -> Result<Vec<f64>, Error> {
    if let Some(eps) = epsilon {
        check::positive("--epsilon", eps)?;
        let v: Vec<f64> = (1..=hidden).map(|l| eps.powi((hidden - l + 1) as i32)).collect();
        if v.iter().any(|g| *g <= 0.0 || !g.is_finite()) {
            return Err(Error::Usage(format!("--epsilon {eps}: a layer's weight ε^k is 0 or infinite")));
        }
        return Ok(v);
    }
    let v: Vec<f64> = list
        .split(',')
        .map(|t| t.trim().parse::<f64>().map_err(|_| Error::Usage(format!("{flag} {list}: '{t}' is not a number"))))
        .collect::<Result<_, _>>()?;
    for &g in &v {
        check::positive(flag, g)?;
    }
    match v.len() {
        1 => Ok(vec![v[0]; hidden]),
        n if n == hidden => Ok(v),
        n => Err(Error::Usage(format!("{flag} has {n} values for {hidden} hidden layers (give one or {hidden})"))),
    }
}

/// The objective's hyperparameters from the flags.
fn objective(a: &LiftedArgs, hidden: usize) -> Result<Hyper, Error> {
    if a.run.activation == Activation::Step && a.penalty == PenaltyArg::Quadratic {
        return Err(Error::Usage(
            "--activation step needs --penalty bregman (the quadratic penalty is not zero at a step's output)".into(),
        ));
    }
    check::positive("--lambda", a.lambda)?;
    Ok(Hyper {
        penalty: match a.penalty {
            PenaltyArg::Quadratic => Penalty::Quadratic,
            PenaltyArg::Bregman => Penalty::Bregman,
        },
        output: a.output.output()?,
        gamma: layer_weights("--gamma", &a.gamma, a.epsilon, hidden)?,
        lambda: a.lambda,
    })
}

/// The one-hot targets of items `ks`.
fn targets(d: &LabeledData, ks: &[usize], out: usize) -> Mat<f64> {
    Mat::from_fn(out, ks.len(), |i, k| f64::from(i == d.labels[ks[k]] as usize))
}

/// Runs `lwl lifted`.
pub fn run(given: &LiftedArgs) -> Result<(), Error> {
    let resumed = given.run.resumed("lifted")?;
    let a = match &resumed {
        Some(p) => resume::restore(given, p)?,
        None => given.clone(),
    };
    check::at_least_one("--iter", a.iter)?;
    let threads = a.threads.check()?;
    let (seed, sets, sizes) = a.run.prepare("lifted")?;
    let h = objective(&a, sizes.len() - 2)?;
    let (train, out, act) = (&sets.train, sizes[sizes.len() - 1], a.run.activation);
    let batch = if a.full_batch { train.len() } else { a.batch.unwrap_or(128).min(train.len()) };
    check::at_least_one("--batch", batch)?;
    let dir = a.run.dir.prepare()?;
    let prev = resumed.unwrap_or_default();
    let mut p = match a.run.saved_params(&sizes)? {
        Some(p) => p,
        None => initial(&sizes, act, &mut Xoshiro256PlusPlus::seed_from_u64(seed)),
    };
    // the full batch's states live across epochs
    let mut full = if a.full_batch {
        let all: Vec<usize> = (0..train.len()).collect();
        let mut t = Lifted::new(&p, inputs(train, &all), targets(train, &all, out), threads);
        if let Some(d) = &a.run.dir.resume {
            read_columns(&d.join("states.txt"), &mut t.x.iter_mut().collect::<Vec<_>>())?;
            // the forward pass was the resumed run's first epoch's work
            t.work = 0;
        }
        Some(t)
    } else {
        None
    };
    let mut rep = Reporter::new(
        a.run.json,
        &["epoch", "gwms", "train_err", "test_err", "objective", "output", "penalty", "seconds"],
    );
    let (start, mut work, mut sweeps) = (Instant::now(), prev.weight_multiplies, prev.iters);
    let mut history = prev.history.clone();
    let mut order: Vec<usize> = (0..train.len()).collect();
    let batches = train.len().div_ceil(batch);
    let bar = progress((a.run.epochs * batches) as u64, "lifted");
    let mut last = json!({});
    for epoch in prev.epoch + 1..=prev.epoch + a.run.epochs {
        let (mut objective, mut output, mut penalties) = (0.0, 0.0, vec![0.0; sizes.len() - 2]);
        let mut one = |t: &mut Lifted, p: &mut Params| -> Result<(), Error> {
            for _ in 0..a.iter {
                t.sweep(p, &h).map_err(|e| Error::Usage(format!("epoch {epoch}: {e}")))?;
            }
            let o = t.objective(p, &h);
            objective += o.total / batches as f64;
            output += o.output / batches as f64;
            for (s, v) in penalties.iter_mut().zip(&o.penalties) {
                *s += v / batches as f64;
            }
            sweeps += a.iter as u64;
            bar.inc(1);
            Ok(())
        };
        match &mut full {
            Some(t) => {
                one(t, &mut p)?;
                work += std::mem::take(&mut t.work);
            }
            None => {
                crate::shuffle::epoch_order(&mut order, seed, epoch);
                for ks in order.chunks(batch) {
                    let mut t = Lifted::new(&p, inputs(train, ks), targets(train, ks, out), threads);
                    one(&mut t, &mut p)?;
                    work += t.work;
                }
            }
        }
        if p.w.iter().any(|w| !w.squared_norm_l2().is_finite()) {
            return Err(Error::Usage(format!("epoch {epoch}: the weights became infinite or NaN")));
        }
        let (train_err, test_err) = (error_rate(&p, train), sets.test.as_ref().map(|t| error_rate(&p, t)));
        let seconds = prev.seconds + start.elapsed().as_secs_f64();
        last = json!({
            "epoch": epoch, "gwms": work as f64 * 1e-9, "train_err": train_err, "test_err": test_err,
            "objective": objective, "output": output, "penalty": penalties.iter().sum::<f64>(),
            "penalties": penalties, "seconds": seconds,
        });
        history.push(vec![epoch as f64, train_err, test_err.unwrap_or(f64::NAN)]);
        if let Some(d) = &dir {
            let mut m = last.clone();
            m["iters"] = json!(sweeps);
            m["weight_multiplies"] = json!(work);
            m["seed"] = json!(seed);
            m["history"] = json!(history);
            m["hyper"] = resume::hyper(&a);
            save(d, &p, full.as_ref(), &m)?;
        }
        bar.suspend(|| rep.record(&last))?;
    }
    bar.finish_and_clear();
    last["linear_units"] = json!(linear_units(&p, train));
    rep.last(last)
}

/// Writes the checkpoint of one epoch (`manifest` is its `progress.json`).
fn save(dir: &Path, p: &Params, full: Option<&Lifted>, manifest: &Value) -> Result<(), Error> {
    let mut files = vec![("params.txt", write_params(p).into_bytes())];
    if let Some(t) = full {
        files.push(("states.txt", write_columns(&t.x.iter().collect::<Vec<_>>()).into_bytes()));
    }
    checkpoint::write(dir, "lifted", &files, manifest)
}
