//! What `--resume` restores of an implicit run: every setting that shapes
//! its trajectory (saved in the checkpoint's `hyper` object under the
//! flag's name, the seed at the top of the manifest; a flag given again
//! must agree, `--epochs`, `--json` and `--out` are free), the model
//! (`model.txt`) and the states and proxies (`states.txt`).

use std::path::Path;

use faer::Mat;
use serde_json::{Value, json};

use super::ImplicitArgs;
use super::model::{Map, Model};
use crate::error::{Error, InputError};
use crate::formats::datafile::read_text_file;
use crate::formats::text::{nonblank_lines, parse_finite, tokens};
use crate::output::checkpoint::{Progress, setting};

/// The settings of `a` that a resume restores.
pub fn hyper(a: &ImplicitArgs) -> Value {
    let mut h = a.run.hyper();
    let own = json!({
        "states": a.states, "lambda": a.lambda, "epsilon": a.epsilon, "mu": a.mu, "decay": a.decay,
        "kappa": a.kappa, "kappa_b": a.kappa_b, "inner": a.inner, "order": a.order, "picard": a.fixed.picard,
        "picard_tol": a.fixed.picard_tol, "iterate_anyway": a.iterate_anyway,
    });
    h.extend(own.as_object().cloned().unwrap_or_default());
    Value::Object(h)
}

/// `a` with the seed and the settings of the run saved in `--resume` (its
/// manifest `p`).
pub fn restore(a: &ImplicitArgs, p: &Progress) -> Result<ImplicitArgs, Error> {
    let mut r = a.clone();
    let (h, file) = r.run.restore(p)?;
    let g = &a.run.given;
    setting("states", &mut r.states, g, h, &file)?;
    setting("lambda", &mut r.lambda, g, h, &file)?;
    setting("epsilon", &mut r.epsilon, g, h, &file)?;
    setting("mu", &mut r.mu, g, h, &file)?;
    setting("decay", &mut r.decay, g, h, &file)?;
    setting("kappa", &mut r.kappa, g, h, &file)?;
    setting("kappa_b", &mut r.kappa_b, g, h, &file)?;
    setting("inner", &mut r.inner, g, h, &file)?;
    setting("order", &mut r.order, g, h, &file)?;
    setting("picard", &mut r.fixed.picard, g, h, &file)?;
    setting("picard_tol", &mut r.fixed.picard_tol, g, h, &file)?;
    setting("iterate_anyway", &mut r.iterate_anyway, g, h, &file)?;
    Ok(r)
}

/// The weights of a map's rows in file order: on its state block, on the
/// inputs, then the bias.
fn row_len(m: &Map) -> usize {
    m.wx.as_ref().map_or(0, |(_, w)| w.ncols()) + m.wu.as_ref().map_or(0, Mat::ncols) + 1
}

/// Sets row `i` of `m` from `v` (of [`row_len`] values).
fn set_row(m: &mut Map, i: usize, v: &[f64]) {
    let mut it = v.iter().copied();
    if let Some((_, w)) = &mut m.wx {
        (0..w.ncols()).for_each(|j| w[(i, j)] = it.next().unwrap_or_default());
    }
    if let Some(w) = &mut m.wu {
        (0..w.ncols()).for_each(|j| w[(i, j)] = it.next().unwrap_or_default());
    }
    m.bias[i] = it.next().unwrap_or_default();
}

/// Reads `dir/model.txt` into `model`, whose shapes it must have.
pub fn read_model(dir: &Path, model: &mut Model) -> Result<(), Error> {
    let path = dir.join("model.txt");
    let name = path.display().to_string();
    let text = read_text_file(&path)?;
    let mut lines = nonblank_lines(&text).filter(|(_, l)| !l.trim_start().starts_with('#'));
    let maps = model.blocks.iter_mut().chain(std::iter::once(&mut model.out));
    for (g, m) in maps.enumerate() {
        let n = row_len(m);
        for i in 0..m.rows() {
            let Some((ln, line)) = lines.next() else {
                return Err(InputError::file(&name, format!("ends before row {} of map {g}", i + 1)).into());
            };
            let v: Vec<f64> = tokens(line)
                .into_iter()
                .map(parse_finite)
                .collect::<Result<_, _>>()
                .map_err(|e| InputError::at(&name, ln, e))?;
            if v.len() != n {
                return Err(InputError::at(
                    &name,
                    ln,
                    format!("expected {n} values (the run's model), found {}", v.len()),
                )
                .into());
            }
            set_row(m, i, &v);
        }
    }
    if let Some((ln, _)) = lines.next() {
        return Err(InputError::at(&name, ln, "more rows than the run's model has").into());
    }
    Ok(())
}
