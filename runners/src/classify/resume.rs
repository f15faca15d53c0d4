//! What `--resume` restores of a classifier run: every setting that shapes
//! its trajectory, saved in the checkpoint's `hyper` object under the flag's
//! name (the seed at the top of the manifest). A resumed run takes them
//! from there; a flag given again must agree
//! (`--epochs`, `--threads`, `--json`, `--out` and the output flags are
//! free).

use std::path::Path;

use serde_json::{Value, json};

use super::ClassifyArgs;
use crate::args::precision;
use crate::error::{Error, InputError};
use crate::output::checkpoint::{Progress, setting};

/// The settings of `a` that a resume restores.
pub fn hyper(a: &ClassifyArgs) -> Value {
    let mut h = a.data.hyper();
    let own = json!({
        "activation": a.activation, "width": a.width, "tau": a.tau, "margin": a.margin,
        "beta": a.rrr.beta.unwrap_or(super::BETA), "gamma": a.rrr.gamma, "omega": a.omega, "upsilon": a.upsilon,
        "batch": a.batch, "iter": a.iter, "tol": a.tol,
        "exempt": a.exempt, "relabel": a.relabel, "fpa": a.fpa,
        "no_shuffle": a.replay.no_shuffle, "oracle": a.rrr.oracle, "precision": a.compute.precision.name(),
        "picard": a.fixed.picard, "picard_tol": a.fixed.picard_tol,
    });
    h.extend(own.as_object().cloned().unwrap_or_default());
    Value::Object(h)
}

/// `a` with the seed and the settings of the run saved in `dir` (its
/// manifest `p`). Checkpoints of format 0 (before the settings were saved)
/// restore the seed alone.
pub fn restore(a: &ClassifyArgs, p: &Progress, dir: &Path) -> Result<ClassifyArgs, Error> {
    let mut r = a.clone();
    let file = dir.join(crate::output::checkpoint::MANIFEST).display().to_string();
    let g = &a.given;
    setting("seed", &mut r.replay.seed, g, &p.record, &file)?;
    let Some(h) = p.record.get("hyper") else {
        return Ok(r);
    };
    r.data.restore(g, h, &file)?;
    setting("activation", &mut r.activation, g, h, &file)?;
    setting("width", &mut r.width, g, h, &file)?;
    setting("tau", &mut r.tau, g, h, &file)?;
    setting("margin", &mut r.margin, g, h, &file)?;
    setting("beta", &mut r.rrr.beta, g, h, &file)?;
    setting("gamma", &mut r.rrr.gamma, g, h, &file)?;
    setting("omega", &mut r.omega, g, h, &file)?;
    setting("upsilon", &mut r.upsilon, g, h, &file)?;
    setting("batch", &mut r.batch, g, h, &file)?;
    setting("iter", &mut r.iter, g, h, &file)?;
    setting("tol", &mut r.tol, g, h, &file)?;
    setting("exempt", &mut r.exempt, g, h, &file)?;
    setting("relabel", &mut r.relabel, g, h, &file)?;
    setting("fpa", &mut r.fpa, g, h, &file)?;
    setting("no_shuffle", &mut r.replay.no_shuffle, g, h, &file)?;
    setting("oracle", &mut r.rrr.oracle, g, h, &file)?;
    setting("picard", &mut r.fixed.picard, g, h, &file)?;
    setting("picard_tol", &mut r.fixed.picard_tol, g, h, &file)?;
    let mut prec = r.compute.precision.name().to_string();
    setting("precision", &mut prec, g, h, &file)?;
    r.compute.precision = precision(&prec).map_err(|m| InputError::file(&file, format!("hyper.precision: {m}")))?;
    Ok(r)
}
