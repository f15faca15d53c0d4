//! What `--resume` restores of a lifted run: every setting that shapes its
//! trajectory, saved in the checkpoint's `hyper` object under the flag's
//! name (the seed at the top of the manifest). A resumed run takes them
//! from there; a flag given again must agree (`--epochs`, `--threads`,
//! `--json`, `--out` are free).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::LiftedArgs;
use crate::args::Layers;
use crate::error::Error;
use crate::output::checkpoint::{MANIFEST, Progress, setting};

/// The settings of `a` that a resume restores.
pub fn hyper(a: &LiftedArgs) -> Value {
    let (r, d) = (&a.run, &a.run.data);
    json!({
        "train": d.train, "test": d.test, "train_labels": d.train_labels, "test_labels": d.test_labels,
        "majority": d.majority, "mnist": d.mnist,
        "layers": r.layers.as_ref().map(|l| l.0.clone()), "activation": r.activation,
        "penalty": a.penalty, "gamma": a.gamma, "epsilon": a.epsilon, "lambda": a.lambda,
        "loss": a.loss, "margin": a.margin, "batch": a.batch, "full_batch": a.full_batch, "iter": a.iter,
    })
}

/// `a` with the seed and the settings of the run saved in `dir` (its
/// manifest `p`).
pub fn restore(a: &LiftedArgs, p: &Progress, dir: &Path) -> Result<LiftedArgs, Error> {
    let mut r = a.clone();
    let file = dir.join(MANIFEST).display().to_string();
    let (g, h) = (&a.given, p.record.get("hyper").unwrap_or(&Value::Null));
    setting("seed", &mut r.run.seed, g, &p.record, &file)?;
    let d = &mut r.run.data;
    setting::<Option<PathBuf>>("train", &mut d.train, g, h, &file)?;
    setting("test", &mut d.test, g, h, &file)?;
    setting("train_labels", &mut d.train_labels, g, h, &file)?;
    setting("test_labels", &mut d.test_labels, g, h, &file)?;
    setting("majority", &mut d.majority, g, h, &file)?;
    setting("mnist", &mut d.mnist, g, h, &file)?;
    let mut layers = r.run.layers.as_ref().map(|l| l.0.clone());
    setting("layers", &mut layers, g, h, &file)?;
    r.run.layers = layers.map(Layers);
    setting("activation", &mut r.run.activation, g, h, &file)?;
    setting("penalty", &mut r.penalty, g, h, &file)?;
    setting("gamma", &mut r.gamma, g, h, &file)?;
    setting("epsilon", &mut r.epsilon, g, h, &file)?;
    setting("lambda", &mut r.lambda, g, h, &file)?;
    setting("loss", &mut r.loss, g, h, &file)?;
    setting("margin", &mut r.margin, g, h, &file)?;
    setting("batch", &mut r.batch, g, h, &file)?;
    setting("full_batch", &mut r.full_batch, g, h, &file)?;
    setting("iter", &mut r.iter, g, h, &file)?;
    Ok(r)
}
