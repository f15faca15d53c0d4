//! Checks of hyperparameter values, one function per kind of value, each
//! naming the flag in its message: every command validates its flags with
//! these, so a rule (β in (0, 2], γ only in f64, …) is written once.

use crate::error::Error;

fn bad<T>(msg: String) -> Result<T, Error> {
    Err(Error::Usage(msg))
}

/// The RRR step β: in (0, 2].
pub fn beta(v: f64) -> Result<f64, Error> {
    if v > 0.0 && v <= 2.0 { Ok(v) } else { bad(format!("--beta {v}: β must be in (0, 2]")) }
}

/// A value that must be positive and finite (Ω, Υ, widths).
pub fn positive(flag: &str, v: f64) -> Result<f64, Error> {
    if v > 0.0 && v.is_finite() { Ok(v) } else { bad(format!("{flag} {v}: must be positive and finite")) }
}

/// A value that must be non-negative and finite (margins).
pub fn non_negative(flag: &str, v: f64) -> Result<f64, Error> {
    if v >= 0.0 && v.is_finite() { Ok(v) } else { bad(format!("{flag} {v}: must be non-negative and finite")) }
}

/// A stopping tolerance: non-negative (infinity allowed: stop at once).
pub fn tol(v: f64) -> Result<f64, Error> {
    if v >= 0.0 { Ok(v) } else { bad(format!("--tol {v}: must be non-negative")) }
}

/// A count that must be at least 1 (batches, epochs, iterations, ranks).
pub fn at_least_one(flag: &str, v: usize) -> Result<usize, Error> {
    if v >= 1 { Ok(v) } else { bad(format!("{flag} must be at least 1")) }
}

/// A training schedule: `--batch`, `--epochs`, `--iter` at least 1 and a
/// stopping tolerance `--tol` (every training command).
pub fn schedule(batch: usize, epochs: usize, iter: usize, tol_value: f64) -> Result<(), Error> {
    tol(tol_value)?;
    at_least_one("--batch", batch)?;
    at_least_one("--epochs", epochs)?;
    at_least_one("--iter", iter).map(|_| ())
}

/// The constraints of a classifier: `--omega`, `--upsilon` positive and the
/// class margin `--margin` non-negative (`classify`, `generate`).
pub fn classifier(omega: f64, upsilon: f64, margin: f64) -> Result<(), Error> {
    positive("--omega", omega)?;
    positive("--upsilon", upsilon)?;
    non_negative("--margin", margin).map(|_| ())
}

/// A fraction in [0, 1].
pub fn fraction(flag: &str, v: f64) -> Result<f64, Error> {
    if (0.0..=1.0).contains(&v) { Ok(v) } else { bad(format!("{flag} {v}: a fraction in [0, 1]")) }
}

/// `Ok` when every consensus parameter after `epoch` is finite; else the
/// run stops here, before anything is saved, with a message that says so
/// (extreme input values or Ω overflow the arithmetic).
pub fn finite_state(epoch: usize, params: &[&[f64]]) -> Result<(), Error> {
    match params.iter().flat_map(|p| p.iter()).position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(_) => bad(format!(
            "epoch {epoch}: the parameters became infinite or NaN (input values or Ω too large for f64 \
             arithmetic); the run stops, and --out keeps the last finite epoch"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_at_their_bounds() {
        assert!(beta(2.0).is_ok() && beta(0.0).is_err() && beta(f64::NAN).is_err() && beta(2.0001).is_err());
        assert!(positive("--omega", 1e-300).is_ok() && positive("--omega", f64::INFINITY).is_err());
        assert!(non_negative("--margin", 0.0).is_ok() && non_negative("--margin", -0.0001).is_err());
        assert!(tol(0.0).is_ok() && tol(f64::NAN).is_err() && tol(-1.0).is_err());
        assert!(at_least_one("--iter", 0).unwrap_err().to_string().contains("--iter"));
        assert!(fraction("--fpa", 1.0).is_ok() && fraction("--fpa", 1.5).is_err());
    }

    #[test]
    fn non_finite_parameters_stop_the_run() {
        assert!(finite_state(3, &[&[1.0, -2.0], &[0.0]]).is_ok());
        let e = finite_state(3, &[&[1.0], &[f64::NAN]]).unwrap_err().to_string();
        assert!(e.starts_with("epoch 3:"), "{e}");
        assert!(finite_state(1, &[&[f64::INFINITY]]).is_err());
    }
}
