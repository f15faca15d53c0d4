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
use model::{Hyper, Lifted, Params, Penalty};

use crate::args::check;
use crate::error::Error;
use crate::feedforward::{error_rate, inputs, linear_units};
use crate::output::report::Reporter;

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
    let (seed, sets, sizes) = a.run.prepare("lifted")?;
    let (train, out) = (&sets.train, sizes[sizes.len() - 1]);
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
    let mut rep = Reporter::new(
        a.run.json,
        &["epoch", "gwms", "train_err", "test_err", "objective", "output", "penalty", "seconds"],
    );
    let (start, mut work) = (Instant::now(), 0u64);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut last = json!({});
    for epoch in 1..=a.run.epochs {
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
