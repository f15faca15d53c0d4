//! `lwl implicit`: implicit models ([`model`]: Picard inference and
//! well-posedness) trained by block-coordinate descent on the bi-convex
//! relaxation ([`bcd`]), on the classifier data of `lwl classify` or on
//! the section 7.1 teacher ([`crate::datasets::teacher`]) beside RMSProp.
//!
//! `--out DIR` keeps after every sweep `model.txt` ([`write_model`]),
//! `states.txt` (the states X and proxies P, one row per training item) and
//! `progress.json` (the last record, the counters, the seed and the
//! settings); `--resume DIR` continues the run (not for `--teacher`).

pub mod args;
pub mod bcd;
pub mod model;
mod resume;
pub mod rows;

use std::time::Instant;

use faer::{Mat, MatRef};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Value, json};

pub use args::{ABOUT, EXAMPLES, ImplicitArgs};
use bcd::{Bcd, Hyper, Objective, Step};
use model::{Map, Model};
use rows::bound_rows;

use crate::args::check;
use crate::datasets::teacher;
use crate::error::Error;
use crate::feedforward::{Activation, classes, inputs};
use crate::formats::datafile::LabeledData;
use crate::formats::matrix::{read_columns, write_columns};
use crate::lifted::layer_weights;
use crate::output::checkpoint::{self, Progress};
use crate::output::report::{Reporter, mean_std, progress, seed};
use crate::sgd::backprop::{State, Target, loss_and_gradient};

/// The sweep's blocks from `--order`.
fn order(list: &str) -> Result<Vec<Step>, Error> {
    let steps = list
        .split(',')
        .map(|t| {
            Step::parse(t.trim())
                .ok_or_else(|| Error::Usage(format!("--order {list}: '{t}' is not a block (cd, p, ab, x)")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    for need in [Step::Cd, Step::P, Step::Ab, Step::X] {
        if !steps.contains(&need) {
            return Err(Error::Usage(format!("--order {list}: every block is needed once at least (cd, p, ab, x)")));
        }
    }
    Ok(steps)
}

/// The model's shape and the relaxation's hyperparameters from the flags;
/// `sizes` are the layers (inputs first, outputs last).
fn hyper(a: &ImplicitArgs, sizes: &[usize]) -> Result<Hyper, Error> {
    if a.run.activation == Activation::Step {
        return Err(Error::Usage(
            "--activation step: implicit models need relu or tanh (their well-posedness bounds a Lipschitz activation)"
                .into(),
        ));
    }
    check::positive("--mu", a.mu)?;
    check::positive("--decay", a.decay)?;
    check::at_least_one("--inner", a.inner)?;
    a.fixed.check()?;
    if let Some(n) = a.states {
        check::at_least_one("--states", n)?;
    }
    let kappa = match (a.kappa, a.states) {
        (Some(k), _) => Some(check::positive("--kappa", k)?),
        (None, Some(_)) => Some(0.95),
        (None, None) => None,
    };
    if let (Some(k), Some(_)) = (kappa, a.states)
        && k >= 1.0
        && !a.iterate_anyway
    {
        return Err(Error::Usage(format!(
            "--kappa {k}: a dense model is known to be well-posed only for ‖A‖∞ < 1 (section 3); \
             give --kappa below 1, or --iterate-anyway"
        )));
    }
    let kappa_b = a.kappa_b.map(|k| check::positive("--kappa-b", k)).transpose()?;
    let blocks = if a.states.is_some() { 1 } else { sizes.len() - 2 };
    if blocks == 0 {
        return Err(Error::Usage("--layers: an implicit model needs a hidden layer (or --states N)".into()));
    }
    let lambda = layer_weights("--lambda", &a.lambda, a.epsilon, blocks)?;
    Ok(Hyper { lambda, mu: a.mu, decay: a.decay, kappa, kappa_b, inner: a.inner })
}

/// The initial model: dense of `--states` states (‖A‖∞ at κ), or the
/// layered net of `sizes`; rows then within their ℓ1 bounds.
fn initial(a: &ImplicitArgs, sizes: &[usize], act: Activation, h: &Hyper, seed: u64) -> Model {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (p, q) = (sizes[0], sizes[sizes.len() - 1]);
    let mut m = match a.states {
        Some(n) => Model::dense(p, n, q, act, h.kappa.unwrap_or(0.95).min(0.95), &mut rng),
        None => Model::layered(sizes, act, &mut rng),
    };
    for b in &mut m.blocks {
        if let (Some((_, w)), Some(k)) = (&mut b.wx, h.kappa) {
            bound_rows(w, k);
        }
        if let (Some(w), Some(k)) = (&mut b.wu, h.kappa_b) {
            bound_rows(w, k);
        }
    }
    m
}

/// Picard inference on `u`: outputs, the most steps an item took, the items
/// that did not converge, multiply-adds.
fn infer(m: &Model, u: MatRef<'_, f64>, a: &ImplicitArgs) -> (Mat<f64>, usize, usize, u64) {
    let (y, f) = m.predict(u, a.fixed.picard, a.fixed.picard_tol);
    (y, f.steps, f.unconverged, f.work)
}

/// Trains `model` from the state `s` by `--epochs` sweeps numbered from
/// `first`, calling `record` after every sweep with the state, the sweep's
/// number and the objective.
fn sweeps(
    a: &ImplicitArgs,
    h: &Hyper,
    steps: &[Step],
    model: &mut Model,
    mut s: Bcd,
    first: usize,
    mut record: impl FnMut(&Bcd, &Model, usize, &Objective) -> Result<(), Error>,
) -> Result<Bcd, Error> {
    for sweep in first..first + a.run.epochs {
        s.sweep(model, h, steps);
        let o = s.objective(model, h);
        if !o.total.is_finite() {
            return Err(Error::Usage(format!("sweep {sweep}: the objective became infinite or NaN")));
        }
        record(&s, model, sweep, &o)?;
    }
    Ok(s)
}

/// The one-hot targets of `labels`.
fn one_hot(labels: &[u32], q: usize) -> Mat<f64> {
    Mat::from_fn(q, labels.len(), |i, k| f64::from(i == labels[k] as usize))
}

/// Every item of a data set, one column each.
fn columns(d: &LabeledData) -> Mat<f64> {
    inputs(d, &(0..d.len()).collect::<Vec<_>>())
}

/// The fraction of items whose largest output is not their label.
fn error_rate(yhat: MatRef<'_, f64>, labels: &[u32]) -> f64 {
    let wrong = classes(yhat).iter().zip(labels).filter(|(c, l)| **c != **l as usize).count();
    wrong as f64 / labels.len().max(1) as f64
}

/// The objective's terms as a record.
fn terms(o: &Objective) -> Value {
    json!({"objective": o.total, "loss": o.loss, "divergence": o.divergence.iter().sum::<f64>(), "coupling": o.coupling})
}

/// Runs `lwl implicit`.
pub fn run(given: &ImplicitArgs) -> Result<(), Error> {
    if given.teacher && given.run.dir.resume.is_some() {
        return Err(Error::Usage("--teacher runs its trials whole: --resume continues classifier runs only".into()));
    }
    let resumed = given.run.resumed("implicit")?;
    let a = match &resumed {
        Some(p) => resume::restore(given, p)?,
        None => given.clone(),
    };
    check::at_least_one("--epochs", a.run.epochs)?;
    let steps = order(&a.order)?;
    if a.teacher { teachers(&a, &steps) } else { classify(&a, &steps, resumed.unwrap_or_default()) }
}

/// Classifier data: one record per sweep; `prev` is the resumed run's
/// progress (or the default).
fn classify(a: &ImplicitArgs, steps: &[Step], prev: Progress) -> Result<(), Error> {
    let (seed, sets, sizes) = a.run.prepare("implicit")?;
    let h = hyper(a, &sizes)?;
    let dir = a.run.dir.prepare()?;
    let (train, q) = (&sets.train, sizes[sizes.len() - 1]);
    let mut model = initial(a, &sizes, a.run.activation, &h, seed);
    let (u, y) = (columns(train), one_hot(&train.labels, q));
    if let Some(d) = &a.run.dir.resume {
        resume::read_model(d, &mut model)?;
    }
    let mut s = Bcd::new(&model, u.clone(), y, a.fixed.picard, a.fixed.picard_tol);
    if let Some(d) = &a.run.dir.resume {
        {
            let mut blocks: Vec<&mut Mat<f64>> = s.x.iter_mut().chain(s.p.iter_mut()).collect();
            read_columns(&d.join("states.txt"), &mut blocks)?;
        }
        // the fixed point was the resumed run's first sweep's work
        s.work = 0;
    }
    let test = sets.test.as_ref().map(|t| (columns(t), &t.labels));
    let mut rep = Reporter::new(
        a.run.json,
        &["epoch", "gwms", "objective", "train_err", "test_err", "a_norm", "picard_steps", "unconverged", "seconds"],
    );
    let (start, bar) = (Instant::now(), progress(a.run.epochs as u64, "implicit"));
    // work of the evaluations so far, beside the training's in `s.work`
    let mut eval = 0u64;
    let mut history = prev.history.clone();
    let mut last = json!({});
    sweeps(a, &h, steps, &mut model, s, prev.epoch + 1, |s, m, sweep, o| {
        let (yt, st, ut, wt) = infer(m, u.as_ref(), a);
        let mut r = terms(o);
        let (mut most, mut unconverged) = (st, ut);
        eval += wt;
        r["train_err"] = json!(error_rate(yt.as_ref(), &train.labels));
        r["test_err"] = match &test {
            Some((tu, tl)) => {
                let (yv, sv, uv, wv) = infer(m, tu.as_ref(), a);
                (most, unconverged, eval) = (most.max(sv), unconverged + uv, eval + wv);
                json!(error_rate(yv.as_ref(), tl.as_slice()))
            }
            None => Value::Null,
        };
        let work = prev.weight_multiplies + s.work + eval;
        r["epoch"] = json!(sweep);
        r["gwms"] = json!(work as f64 * 1e-9);
        r["a_norm"] = json!(m.a_norm());
        r["picard_steps"] = json!(most);
        r["unconverged"] = json!(unconverged);
        r["seconds"] = json!(prev.seconds + start.elapsed().as_secs_f64());
        history.push(vec![
            sweep as f64,
            r["train_err"].as_f64().unwrap_or(f64::NAN),
            r["test_err"].as_f64().unwrap_or(f64::NAN),
        ]);
        if let Some(d) = &dir {
            let mut manifest = r.clone();
            manifest["seed"] = json!(seed);
            manifest["iters"] = json!(sweep);
            manifest["weight_multiplies"] = json!(work);
            manifest["history"] = json!(history);
            manifest["hyper"] = resume::hyper(a);
            let files = [
                ("model.txt", write_model(m).into_bytes()),
                ("states.txt", write_columns(&s.x.iter().chain(&s.p).collect::<Vec<_>>()).into_bytes()),
            ];
            checkpoint::write(d, "implicit", &files, &manifest)?;
        }
        last = r;
        bar.inc(1);
        bar.suspend(|| rep.record(&last))
    })?;
    bar.finish_and_clear();
    last["well_posed"] = json!(model.well_posed());
    last["lambda"] = json!(h.lambda);
    rep.last(last)
}

/// Section 7.1: per trial, BCD and the RMSProp baseline on a fresh teacher.
fn teachers(a: &ImplicitArgs, steps: &[Step]) -> Result<(), Error> {
    a.trials.check()?;
    check::at_least_one("--baseline-batch", a.baseline_batch)?;
    check::positive("--baseline-lr", a.baseline_lr)?;
    let sizes = a.run.layers.as_ref().map_or(teacher::LAYERS.to_vec(), |l| l.0.clone());
    if sizes.len() < 2 || sizes[0] != teacher::LAYERS[0] || sizes[sizes.len() - 1] != teacher::LAYERS[3] {
        return Err(Error::Usage(format!(
            "--layers {sizes:?}: the teacher has {} inputs and {} outputs",
            teacher::LAYERS[0],
            teacher::LAYERS[3]
        )));
    }
    let h = hyper(a, &sizes)?;
    let act = if a.run.given.iter().any(|g| g == "activation") { a.run.activation } else { Activation::Tanh };
    let seed = seed(a.run.seed, "implicit");
    let mut rep = Reporter::new(
        a.run.json,
        &["trial", "bcd_test_rmse_5", "bcd_test_rmse", "rmsprop_test_rmse", "gap_test", "seconds"],
    );
    let bar = progress(a.trials.trials as u64, "implicit");
    let keys = ["bcd_train_rmse_5", "bcd_test_rmse_5", "bcd_train_rmse", "bcd_test_rmse", "rmsprop_train_rmse"];
    let mut all: Vec<Vec<f64>> = vec![vec![]; keys.len() + 3];
    let mut last = json!({});
    for trial in 0..a.trials.trials {
        let start = Instant::now();
        let (s, t) = a.trials.teacher(seed, trial)?;
        let mut model = initial(a, &sizes, act, &h, s);
        let rmse =
            |m: &Model, d: &teacher::Regression| teacher::rmse(infer(m, d.u.as_ref(), a).0.as_ref(), d.y.as_ref());
        let mut five = (f64::NAN, f64::NAN);
        let start_state = Bcd::new(&model, t.train.u.clone(), t.train.y.clone(), a.fixed.picard, a.fixed.picard_tol);
        let fit = sweeps(a, &h, steps, &mut model, start_state, 1, |_, m, sweep, _| {
            if sweep == 5 {
                five = (rmse(m, &t.train), rmse(m, &t.test));
            }
            Ok(())
        })?;
        let (bcd_train, bcd_test) = (rmse(&model, &t.train), rmse(&model, &t.test));
        let bcd_seconds = start.elapsed().as_secs_f64();
        let (rms_train, rms_test, rms_work) = rmsprop(a, &sizes, act, &t, s)?;
        let v = [five.0, five.1, bcd_train, bcd_test, rms_train, rms_test, bcd_test - rms_test, bcd_train - rms_train];
        for (c, x) in all.iter_mut().zip(v) {
            c.push(x);
        }
        last = json!({
            "trial": trial + 1, "seed": s, "bcd_train_rmse_5": five.0, "bcd_test_rmse_5": five.1,
            "bcd_train_rmse": bcd_train, "bcd_test_rmse": bcd_test, "rmsprop_train_rmse": rms_train,
            "rmsprop_test_rmse": rms_test, "gap_test": bcd_test - rms_test, "gap_train": bcd_train - rms_train,
            "bcd_gwms": fit.work as f64 * 1e-9, "rmsprop_gwms": rms_work as f64 * 1e-9,
            "objective": fit.objective(&model, &h).total, "bcd_seconds": bcd_seconds,
            "rmsprop_seconds": start.elapsed().as_secs_f64() - bcd_seconds, "seconds": start.elapsed().as_secs_f64(),
            "zero_test_rmse": teacher::rmse(Mat::zeros(t.test.y.nrows(), t.test.y.ncols()).as_ref(), t.test.y.as_ref()),
        });
        bar.inc(1);
        bar.suspend(|| rep.record(&last))?;
    }
    bar.finish_and_clear();
    let names = keys.iter().copied().chain(["rmsprop_test_rmse", "gap_test", "gap_train"]);
    let mut summary = json!({
        "trials": a.trials.trials, "sweeps": a.run.epochs, "layers": sizes, "activation": act.name(), "lambda": h.lambda,
        "mu": h.mu, "last": last,
    });
    for (k, v) in names.zip(&all) {
        summary[k] = mean_std(v);
    }
    rep.last(summary)
}

/// RMSProp on the squared error, the section 7.1 baseline: (train RMSE,
/// test RMSE, multiply-adds).
fn rmsprop(
    a: &ImplicitArgs,
    sizes: &[usize],
    act: Activation,
    t: &teacher::Teacher,
    seed: u64,
) -> Result<(f64, f64, u64), Error> {
    let mut p = crate::sgd::initial(sizes, act, &mut Xoshiro256PlusPlus::seed_from_u64(seed));
    let mut st = State::new(&p);
    let (m, mut work) = (t.train.u.ncols(), 0u64);
    let mut order: Vec<usize> = (0..m).collect();
    for epoch in 1..=a.baseline_epochs {
        crate::shuffle::epoch_order(&mut order, seed, epoch);
        for ks in order.chunks(a.baseline_batch) {
            let x = Mat::from_fn(sizes[0], ks.len(), |i, k| t.train.u[(i, ks[k])]);
            let y = Mat::from_fn(t.train.y.nrows(), ks.len(), |i, k| t.train.y[(i, ks[k])]);
            let (_, g) = loss_and_gradient(&p, x.as_ref(), Target::Values(y.as_ref()), 0.0, &mut work);
            st.rmsprop(&mut p, &g, a.baseline_lr);
        }
    }
    let r = |d: &teacher::Regression| teacher::rmse(p.forward(d.u.as_ref()).as_ref(), d.y.as_ref());
    let (train, test) = (r(&t.train), r(&t.test));
    if !train.is_finite() {
        return Err(Error::Usage("the RMSProp baseline diverged (lower --baseline-lr)".into()));
    }
    Ok((train, test, work))
}

/// The model file: `#` comment lines, then per state block and then the
/// output one line per row: its weights on the state block it reads, on
/// the inputs, then its bias (shortest round-trip formatting).
pub fn write_model(m: &Model) -> String {
    let mut s = format!(
        "# lwl implicit model: {} state blocks {:?}, activation {}\n",
        m.blocks.len(),
        m.block_sizes(),
        m.act.name()
    );
    let map = |s: &mut String, name: String, b: &Map| {
        let reads =
            b.wx.as_ref()
                .map_or("no state block".to_string(), |(g, w)| format!("state block {g} ({} weights)", w.ncols()));
        let inputs = b.wu.as_ref().map_or(0, Mat::ncols);
        *s += &format!("# {name}: {} rows; reads {reads}, {inputs} inputs; then the bias\n", b.rows());
        for i in 0..b.rows() {
            let mut row: Vec<String> = vec![];
            if let Some((_, w)) = &b.wx {
                row.extend((0..w.ncols()).map(|j| w[(i, j)].to_string()));
            }
            if let Some(w) = &b.wu {
                row.extend((0..w.ncols()).map(|j| w[(i, j)].to_string()));
            }
            row.push(b.bias[i].to_string());
            *s += &(row.join(" ") + "\n");
        }
    };
    for (g, b) in m.blocks.iter().enumerate() {
        map(&mut s, format!("state block {g}"), b);
    }
    map(&mut s, "output".into(), &m.out);
    s
}
