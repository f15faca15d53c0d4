//! The RRR step group of every training command (`--beta`, `--gamma`,
//! `--oracle`) and its one check: β in (0, 2], γ positive, and the method
//! the flags ask for (the general update of eq. 47 when γ ≠ 1, else the
//! oracle with `--oracle`, else the SIMD path; the two scalar methods need
//! f64 storage).

use clap::Args;

use super::check;
use crate::engine::{Method, Precision};
use crate::error::Error;

/// `--beta`, `--gamma`, `--oracle`.
#[derive(Clone, Copy, Debug, PartialEq, Args)]
pub struct Rrr {
    /// RRR step size β (eq. 3), in (0, 2] (default 1, or the paper's value
    /// for a built-in experiment: 0.3 for nmf --ledm, 0.5 for autoencode
    /// --binary; a resumed run keeps its own).
    #[arg(long, value_name = "β", allow_negative_numbers = true)]
    pub beta: Option<f64>,
    /// Generalised RRR parameter γ (eq. 47); 1 is plain RRR, other values
    /// run the scalar general update (f64 storage only).
    #[arg(long, default_value_t = 1.0, value_name = "γ", allow_negative_numbers = true)]
    pub gamma: f64,
    /// Use the scalar oracle: the reference programs' exact arithmetic
    /// (f64 storage only).
    #[arg(long)]
    pub oracle: bool,
}

/// The checked step: β and γ for the kernel's parameters, and the method.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// β in (0, 2].
    pub beta: f64,
    /// γ > 0; 1 unless the method is [`Method::General`].
    pub gamma: f64,
    /// Which implementation iterates.
    pub method: Method,
}

impl Rrr {
    /// The validated step, with β `default_beta` when `--beta` is not
    /// given, for edge state stored in `precision`.
    pub fn check(&self, default_beta: f64, precision: Precision) -> Result<Step, Error> {
        let beta = check::beta(self.beta.unwrap_or(default_beta))?;
        let gamma = check::positive("--gamma", self.gamma)?;
        let f64_only = |what: &str| match precision {
            Precision::F64 => Ok(()),
            _ => Err(Error::Usage(format!("{what} needs --precision f64 (it is scalar f64 arithmetic)"))),
        };
        let method = if gamma != 1.0 {
            f64_only("--gamma")?;
            Method::General
        } else if self.oracle {
            f64_only("--oracle")?;
            Method::Oracle
        } else {
            Method::Simd
        };
        Ok(Step { beta, gamma, method })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rrr(beta: Option<f64>, gamma: f64, oracle: bool) -> Rrr {
        Rrr { beta, gamma, oracle }
    }

    #[test]
    fn method_choice() {
        let m = |r: Rrr, p| r.check(1.0, p).map(|s| s.method);
        assert_eq!(m(rrr(None, 1.0, false), Precision::F32).unwrap(), Method::Simd);
        assert_eq!(m(rrr(None, 1.0, true), Precision::F64).unwrap(), Method::Oracle);
        assert_eq!(m(rrr(None, 0.5, true), Precision::F64).unwrap(), Method::General);
        assert!(m(rrr(None, 1.0, true), Precision::F32).is_err());
        assert!(m(rrr(None, 0.5, false), Precision::F32).unwrap_err().to_string().contains("--gamma"));
        assert!(m(rrr(None, 0.0, false), Precision::F64).is_err());
    }

    #[test]
    fn beta_default_and_bounds() {
        let s = rrr(None, 0.5, false).check(0.3, Precision::F64).unwrap();
        assert_eq!((s.beta, s.gamma), (0.3, 0.5));
        assert_eq!(rrr(Some(2.0), 1.0, false).check(0.3, Precision::F64).unwrap().beta, 2.0);
        let e = rrr(Some(2.5), 1.0, false).check(0.3, Precision::F64).unwrap_err().to_string();
        assert!(e.contains("--beta 2.5"), "{e}");
        assert!(rrr(None, 1.0, false).check(0.0, Precision::F64).is_err());
    }
}
