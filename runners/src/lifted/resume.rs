//! What `--resume` restores of a lifted run: every setting that shapes its
//! trajectory, saved in the checkpoint's `hyper` object under the flag's
//! name (the seed at the top of the manifest). A resumed run takes them
//! from there; a flag given again must agree (`--epochs`, `--threads`,
//! `--json`, `--out` are free).

use serde_json::{Value, json};

use super::LiftedArgs;
use crate::error::Error;
use crate::output::checkpoint::{Progress, setting};

/// The settings of `a` that a resume restores.
pub fn hyper(a: &LiftedArgs) -> Value {
    let mut h = a.run.hyper();
    let own = json!({
        "penalty": a.penalty, "gamma": a.gamma, "epsilon": a.epsilon, "lambda": a.lambda,
        "loss": a.output.loss, "margin": a.output.margin, "batch": a.batch, "full_batch": a.full_batch, "iter": a.iter,
    });
    h.extend(own.as_object().cloned().unwrap_or_default());
    Value::Object(h)
}

/// `a` with the seed and the settings of the run saved in `--resume` (its
/// manifest `p`).
pub fn restore(a: &LiftedArgs, p: &Progress) -> Result<LiftedArgs, Error> {
    let mut r = a.clone();
    let (h, file) = r.run.restore(p)?;
    let g = &a.run.given;
    setting("penalty", &mut r.penalty, g, h, &file)?;
    setting("gamma", &mut r.gamma, g, h, &file)?;
    setting("epsilon", &mut r.epsilon, g, h, &file)?;
    setting("lambda", &mut r.lambda, g, h, &file)?;
    setting("loss", &mut r.output.loss, g, h, &file)?;
    setting("margin", &mut r.output.margin, g, h, &file)?;
    setting("batch", &mut r.batch, g, h, &file)?;
    setting("full_batch", &mut r.full_batch, g, h, &file)?;
    setting("iter", &mut r.iter, g, h, &file)?;
    Ok(r)
}
