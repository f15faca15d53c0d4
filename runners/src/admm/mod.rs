//! `lwl admm`: two baselines that train a feed-forward ReLU net without
//! gradients by splitting it into layers, Taylor et al.'s ADMM and Zeng et
//! al.'s BCD ([`split`]; their closed forms in [`blocks`]), with the data
//! options, records and work counter of `lwl lifted`.
//!
//! `--out DIR` keeps after every epoch `params.txt` (as `lwl lifted`
//! writes it), `states.txt` (per training item `a_1, …, a_{L−1}`,
//! `z_1, …, z_L` and ADMM's multiplier or BCD's `V_L`) and `progress.json`
//! (the last record, the counters, the seed and the settings); `--resume
//! DIR` continues the run as one longer run.

pub mod args;
pub mod blocks;
pub mod split;

use std::path::Path;
use std::time::Instant;

use faer::Mat;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Value, json};

pub use args::{ABOUT, AdmmArgs, EXAMPLES, MethodArg};
use split::{Method, Split};

use crate::args::check;
use crate::error::Error;
use crate::feedforward::{Activation, Params, error_rate, inputs, linear_units, write_params};
use crate::formats::matrix::{read_columns, write_columns};
use crate::lifted::model::Output;
use crate::output::checkpoint::{self, Progress, setting};
use crate::output::report::{Reporter, progress};

/// The settings of `a` that a resume restores.
fn hyper(a: &AdmmArgs) -> Value {
    let mut h = a.run.hyper();
    let own = json!({
        "method": a.method, "beta": a.beta, "gamma": a.gamma, "warm": a.warm, "rho": a.rho,
        "alpha": a.alpha, "lambda": a.lambda, "loss": a.output.loss, "margin": a.output.margin,
    });
    h.extend(own.as_object().cloned().unwrap_or_default());
    Value::Object(h)
}

/// `a` with the seed and the settings of the run saved in `--resume` (its
/// manifest `p`); a flag given again must agree.
fn restore(a: &AdmmArgs, p: &Progress) -> Result<AdmmArgs, Error> {
    let mut r = a.clone();
    let (h, file) = r.run.restore(p)?;
    let g = &a.run.given;
    setting("method", &mut r.method, g, h, &file)?;
    setting("beta", &mut r.beta, g, h, &file)?;
    setting("gamma", &mut r.gamma, g, h, &file)?;
    setting("warm", &mut r.warm, g, h, &file)?;
    setting("rho", &mut r.rho, g, h, &file)?;
    setting("alpha", &mut r.alpha, g, h, &file)?;
    setting("lambda", &mut r.lambda, g, h, &file)?;
    setting("loss", &mut r.output.loss, g, h, &file)?;
    setting("margin", &mut r.output.margin, g, h, &file)?;
    Ok(r)
}

/// The method and the output loss from the flags.
fn method(a: &AdmmArgs) -> Result<(Method, Output), Error> {
    if a.run.activation != Activation::Relu {
        return Err(Error::Usage(format!(
            "--activation {}: lwl admm trains ReLU nets (its activation step is ReLU's closed form)",
            a.run.activation.name()
        )));
    }
    check::non_negative("--lambda", a.lambda)?;
    let m = match a.method {
        MethodArg::Admm => {
            let gamma = a.gamma.unwrap_or(10.0);
            check::positive("--beta", a.beta)?;
            check::positive("--gamma", gamma)?;
            Method::Admm { beta: a.beta, gamma }
        }
        MethodArg::Bcd => {
            let gamma = a.gamma.unwrap_or(1.0);
            check::positive("--rho", a.rho)?;
            check::positive("--gamma", gamma)?;
            check::positive("--alpha", a.alpha)?;
            Method::Bcd { rho: a.rho, gamma, alpha: a.alpha }
        }
    };
    Ok((m, a.output.output()?))
}

/// The split variables as `states.txt` blocks.
fn blocks(s: &mut Split) -> Vec<&mut Mat<f64>> {
    s.a.iter_mut().skip(1).chain(s.z.iter_mut()).chain(std::iter::once(&mut s.out)).collect()
}

/// Runs `lwl admm`.
pub fn run(given: &AdmmArgs) -> Result<(), Error> {
    let resumed = given.run.resumed("admm")?;
    let a = match &resumed {
        Some(p) => restore(given, p)?,
        None => given.clone(),
    };
    let (m, loss) = method(&a)?;
    let (seed, sets, sizes) = a.run.prepare("admm")?;
    let train = &sets.train;
    let dir = a.run.dir.prepare()?;
    let prev = resumed.unwrap_or_default();
    let mut p = match a.run.saved_params(&sizes)? {
        Some(p) => p,
        None => crate::lifted::initial(&sizes, Activation::Relu, &mut Xoshiro256PlusPlus::seed_from_u64(seed)),
    };
    let all: Vec<usize> = (0..train.len()).collect();
    let out = sizes[sizes.len() - 1];
    let y = Mat::from_fn(out, train.len(), |i, k| f64::from(i == train.labels[k] as usize));
    let mut s = Split::new(&p, inputs(train, &all), y, m);
    if let Some(d) = &a.run.dir.resume {
        read_columns(&d.join("states.txt"), &mut blocks(&mut s))?;
        // the forward pass was the resumed run's first epoch's work
        s.work = 0;
    }
    let mut rep =
        Reporter::new(a.run.json, &["epoch", "gwms", "train_err", "test_err", "objective", "residual", "seconds"]);
    let (start, mut work) = (Instant::now(), prev.weight_multiplies);
    let mut history = prev.history.clone();
    let bar = progress(a.run.epochs as u64, "admm");
    let mut last = json!({});
    for epoch in prev.epoch + 1..=prev.epoch + a.run.epochs {
        s.iterate(&mut p, m, loss, a.lambda, epoch <= a.warm)
            .map_err(|_| Error::Usage(format!("epoch {epoch}: a least-squares block is singular; raise --lambda")))?;
        work += std::mem::take(&mut s.work);
        bar.inc(1);
        if p.w.iter().any(|w| !w.squared_norm_l2().is_finite()) {
            return Err(Error::Usage(format!("epoch {epoch}: the weights became infinite or NaN")));
        }
        let (objective, residual) = s.objective(&p, m, loss);
        let (train_err, test_err) = (error_rate(&p, train), sets.test.as_ref().map(|t| error_rate(&p, t)));
        let seconds = prev.seconds + start.elapsed().as_secs_f64();
        last = json!({
            "epoch": epoch, "gwms": work as f64 * 1e-9, "train_err": train_err, "test_err": test_err,
            "objective": objective, "residual": residual, "seconds": seconds,
        });
        history.push(vec![epoch as f64, train_err, test_err.unwrap_or(f64::NAN)]);
        if let Some(d) = &dir {
            let mut man = last.clone();
            man["iters"] = json!(epoch);
            man["weight_multiplies"] = json!(work);
            man["seed"] = json!(seed);
            man["history"] = json!(history);
            man["hyper"] = hyper(&a);
            save(d, &p, &mut s, &man)?;
        }
        bar.suspend(|| rep.record(&last))?;
    }
    bar.finish_and_clear();
    last["linear_units"] = json!(linear_units(&p, train));
    rep.last(last)
}

/// Writes the checkpoint of one epoch (`manifest` is its `progress.json`).
fn save(dir: &Path, p: &Params, s: &mut Split, manifest: &Value) -> Result<(), Error> {
    let states = write_columns(&blocks(s).into_iter().map(|b| &*b).collect::<Vec<_>>());
    let files = [("params.txt", write_params(p).into_bytes()), ("states.txt", states.into_bytes())];
    checkpoint::write(dir, "admm", &files, manifest)
}
