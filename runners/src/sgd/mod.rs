//! `lwl sgd`: the gradient yardstick beside RRR and the lifted trainer,
//! mini-batch back-propagation ([`backprop`]) on the same data and nets.
//!
//! `--out DIR` keeps after every epoch `params.txt` (as `lwl lifted`
//! writes it), `moments.txt` (the optimiser's moments) and `progress.json`
//! (the last record, the counters, the step count, the seed and the
//! settings); `--resume DIR` continues the run as one longer run.

pub mod args;
pub mod backprop;

use std::time::Instant;

use faer::Mat;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Value, json};

pub use args::{ABOUT, EXAMPLES, Optimizer, SgdArgs};
use backprop::{State, Target, loss_and_gradient};

use crate::args::check;
use crate::error::Error;
use crate::feedforward::{Activation, Params, error_rate, inputs, linear_units, write_params};
use crate::output::checkpoint::{self, Progress, setting};
use crate::output::report::{Reporter, progress};

/// scikit-learn's initialisation: weights and biases uniform in
/// ±√(6/(n_in + n_out)).
pub fn initial(sizes: &[usize], act: Activation, rng: &mut Xoshiro256PlusPlus) -> Params {
    let mut p = Params { w: Vec::new(), b: Vec::new(), act };
    for s in sizes.windows(2) {
        let r = (6.0 / (s[0] + s[1]) as f64).sqrt();
        p.w.push(Mat::from_fn(s[1], s[0], |_, _| r * (2.0 * rng.random::<f64>() - 1.0)));
        p.b.push((0..s[1]).map(|_| r * (2.0 * rng.random::<f64>() - 1.0)).collect());
    }
    p
}

/// The settings of `a` that a resume restores.
fn hyper(a: &SgdArgs) -> Value {
    let mut h = a.run.hyper();
    let own = json!({"optimizer": a.optimizer, "lr": a.lr, "momentum": a.momentum, "alpha": a.alpha, "batch": a.batch});
    h.extend(own.as_object().cloned().unwrap_or_default());
    Value::Object(h)
}

/// `a` with the seed and the settings of the run saved in `--resume` (its
/// manifest `p`); a flag given again must agree.
fn restore(a: &SgdArgs, p: &Progress) -> Result<SgdArgs, Error> {
    let mut r = a.clone();
    let (h, file) = r.run.restore(p)?;
    let g = &a.run.given;
    setting("optimizer", &mut r.optimizer, g, h, &file)?;
    setting("lr", &mut r.lr, g, h, &file)?;
    setting("momentum", &mut r.momentum, g, h, &file)?;
    setting("alpha", &mut r.alpha, g, h, &file)?;
    setting("batch", &mut r.batch, g, h, &file)?;
    Ok(r)
}

/// Runs `lwl sgd`.
pub fn run(given: &SgdArgs) -> Result<(), Error> {
    let resumed = given.run.resumed("sgd")?;
    let a = match &resumed {
        Some(p) => restore(given, p)?,
        None => given.clone(),
    };
    check::positive("--lr", a.lr)?;
    check::non_negative("--alpha", a.alpha)?;
    if !(0.0..1.0).contains(&a.momentum) {
        return Err(Error::Usage(format!("--momentum {}: must be in [0, 1)", a.momentum)));
    }
    let (seed, sets, sizes) = a.run.prepare("sgd")?;
    let train = &sets.train;
    let batch = a.batch.unwrap_or(200).min(train.len());
    check::at_least_one("--batch", batch)?;
    let dir = a.run.dir.prepare()?;
    let prev = resumed.unwrap_or_default();
    let (mut p, mut st) = match (a.run.saved_params(&sizes)?, &a.run.dir.resume) {
        (Some(p), Some(d)) => {
            let steps = prev.usize("steps").and_then(|t| i32::try_from(t).ok()).unwrap_or(0);
            let st = State::from_file(&d.join("moments.txt"), &p, steps)?;
            (p, st)
        }
        _ => {
            let p = initial(&sizes, a.run.activation, &mut Xoshiro256PlusPlus::seed_from_u64(seed));
            let st = State::new(&p);
            (p, st)
        }
    };
    let mut rep = Reporter::new(a.run.json, &["epoch", "gwms", "loss", "train_err", "test_err", "seconds"]);
    let (start, mut work, mut steps) = (Instant::now(), prev.weight_multiplies, prev.iters);
    let mut history = prev.history.clone();
    let mut order: Vec<usize> = (0..train.len()).collect();
    let bar = progress((a.run.epochs * train.len().div_ceil(batch)) as u64, "sgd");
    let mut last = json!({});
    for epoch in prev.epoch + 1..=prev.epoch + a.run.epochs {
        crate::shuffle::epoch_order(&mut order, seed, epoch);
        let mut loss = 0.0;
        for ks in order.chunks(batch) {
            let labels: Vec<usize> = ks.iter().map(|&k| train.labels[k] as usize).collect();
            let (l, g) =
                loss_and_gradient(&p, inputs(train, ks).as_ref(), Target::Classes(&labels), a.alpha, &mut work);
            loss += l * ks.len() as f64 / train.len() as f64;
            match a.optimizer {
                Optimizer::Sgd => st.sgd(&mut p, &g, a.lr, a.momentum),
                Optimizer::Adam => st.adam(&mut p, &g, a.lr),
                Optimizer::Rmsprop => st.rmsprop(&mut p, &g, a.lr),
            }
            steps += 1;
            bar.inc(1);
        }
        if !loss.is_finite() {
            return Err(Error::Usage(format!("epoch {epoch}: the loss became infinite or NaN (lower --lr)")));
        }
        let (train_err, test_err) = (error_rate(&p, train), sets.test.as_ref().map(|t| error_rate(&p, t)));
        last = json!({
            "epoch": epoch, "gwms": work as f64 * 1e-9, "loss": loss, "train_err": train_err,
            "test_err": test_err, "seconds": prev.seconds + start.elapsed().as_secs_f64(),
        });
        history.push(vec![epoch as f64, train_err, test_err.unwrap_or(f64::NAN)]);
        if let Some(d) = &dir {
            let (moments, t) = st.to_file();
            let mut m = last.clone();
            m["iters"] = json!(steps);
            m["steps"] = json!(t);
            m["weight_multiplies"] = json!(work);
            m["seed"] = json!(seed);
            m["history"] = json!(history);
            m["hyper"] = hyper(&a);
            let files = [("params.txt", write_params(&p).into_bytes()), ("moments.txt", moments.into_bytes())];
            checkpoint::write(d, "sgd", &files, &m)?;
        }
        bar.suspend(|| rep.record(&last))?;
    }
    bar.finish_and_clear();
    last["linear_units"] = json!(linear_units(&p, train));
    rep.last(last)
}
