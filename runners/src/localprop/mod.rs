//! `lwl localprop`: the local propagation learner (the local propagation
//! constraints paper): the node transforms ([`snt`]), the forward weight
//! update ([`weights`]), the two-stage algorithm on a chain of square nodes
//! ([`chain`]) and the paper's evaluation, a linear classifier on the
//! output representations ([`readout`]).
//!
//! `--out DIR` keeps after every record `progress.json` (the last record,
//! the history, the counters, the seed and the settings) and `errors.png`.

pub mod args;
pub mod chain;
pub mod readout;
pub mod snt;
pub mod weights;

use std::time::Instant;

use faer::{Mat, MatRef};
use rand::seq::index::sample;
use serde_json::{Value, json};

pub use args::{ABOUT, Balance, EXAMPLES, GoalAt, LocalpropArgs, Schedule};
use chain::{Chain, Settings, iteration_rng};
use readout::Ridge;
use weights::Conditioning;

use crate::args::check;
use crate::error::Error;
use crate::feedforward::inputs;
use crate::formats::datafile::LabeledData;
use crate::output::checkpoint;
use crate::output::report::{Reporter, progress, seed};
use crate::picture;

/// The validated settings of the flags for items of `n` values.
fn settings(a: &LocalpropArgs, n: usize, classes: usize, threads: usize) -> Result<Settings, Error> {
    check::at_least_one("--nodes", a.nodes)?;
    check::at_least_one("--iter", a.iter)?;
    check::at_least_one("--eval-every", a.eval_every)?;
    if !(a.batch_fraction > 0.0 && a.batch_fraction <= 1.0) {
        return Err(Error::Usage(format!("--batch-fraction {}: must be in (0, 1]", a.batch_fraction)));
    }
    for (flag, v) in [("--lambda2", a.lambda2), ("--lambda4", a.lambda4), ("--lambda-f", a.lambda_f)] {
        check::non_negative(flag, v)?;
    }
    check::non_negative("--lambda-b", a.lambda_b)?;
    check::non_negative("--ridge", a.ridge)?;
    if let Some(s) = a.init_std {
        check::positive("--init-std", s)?;
    }
    if !(a.rho > 0.0 && a.rho <= 1.0) {
        return Err(Error::Usage(format!("--rho {}: must be in (0, 1]", a.rho)));
    }
    let keep = match &a.keep {
        Some(k) if k.0.len() != a.nodes => {
            return Err(Error::Usage(format!("--keep lists {} counts for {} nodes", k.0.len(), a.nodes)));
        }
        Some(k) => {
            if let Some(bad) = k.0.iter().find(|&&c| c == 0 || c > n) {
                return Err(Error::Usage(format!("--keep {bad}: each node keeps 1 to {n} entries")));
            }
            k.0.clone()
        }
        None => (1..=a.nodes).map(|l| ((n as f64 / (2 * l) as f64).round() as usize).max(1)).collect(),
    };
    let goal = match a.goal {
        GoalAt::Last => a.nodes,
        GoalAt::Middle => a.nodes.div_ceil(2),
    };
    Ok(Settings {
        keep,
        goal,
        capacity: match a.goal_balance {
            Balance::Balanced => Some(n.div_ceil(classes.max(1))),
            Balance::Free => None,
        },
        lambda_f: a.lambda_f,
        lambda_b: a.lambda_b,
        step: a.weights,
        target: a.target,
        conditioning: Conditioning { lambda2: a.lambda2, lambda4: a.lambda4 },
        rho: a.rho,
        deviation: a.deviation,
        update_probability: match a.schedule {
            Schedule::Syn => 1.0,
            Schedule::Asyn => 0.5,
        },
        threads,
    })
}

/// The normalisation of the data (section 4.1: unit variance), fitted on
/// the training set: with `--center` every value first loses its mean over
/// the training items.
struct Scaling {
    mean: Vec<f64>,
    scale: f64,
}

impl Scaling {
    fn fit(d: &LabeledData, center: bool) -> Self {
        let (dims, items) = (d.dims, d.len().max(1));
        let mut mean = vec![0.0; dims];
        if center {
            for item in d.values.chunks_exact(dims.max(1)) {
                mean.iter_mut().zip(item).for_each(|(m, v)| *m += v / items as f64);
            }
        }
        let all = d.values.len().max(1) as f64;
        let offset = if center { 0.0 } else { d.values.iter().sum::<f64>() / all };
        let centred = |k: usize, v: f64| v - mean[k % dims.max(1)] - offset;
        let var = d.values.iter().enumerate().map(|(k, &v)| centred(k, v).powi(2)).sum::<f64>() / all;
        Self { mean, scale: if var > 0.0 { var.sqrt() } else { 1.0 } }
    }

    /// The data as one column per item, normalised.
    fn apply(&self, d: &LabeledData) -> Mat<f64> {
        let all: Vec<usize> = (0..d.len()).collect();
        let mut x = inputs(d, &all);
        for k in 0..x.ncols() {
            x.col_mut(k).iter_mut().zip(&self.mean).for_each(|(v, m)| *v = (*v - m) / self.scale);
        }
        x
    }
}

/// The ridge readout fitted on `train`'s features and its errors on both
/// sets; the multiply-adds.
fn evaluate(
    train: MatRef<'_, f64>,
    test: Option<MatRef<'_, f64>>,
    sets: (&LabeledData, Option<&LabeledData>),
    alpha: f64,
) -> Result<(f64, Option<f64>, u64), Error> {
    let (tr, te) = sets;
    // α relative to the features' scale: the same readout for any scaling
    let mean_sq = train.squared_norm_l2() / (train.nrows() * train.ncols()).max(1) as f64;
    let penalty = alpha * mean_sq.max(f64::MIN_POSITIVE) * train.ncols() as f64;
    let (r, mut work) = Ridge::fit(train, &tr.labels, tr.classes, penalty)
        .ok_or_else(|| Error::Usage("the readout's normal equations are singular; give --ridge above 0".into()))?;
    let classes = tr.classes as u64;
    work += (train.nrows() * train.ncols()) as u64 * classes;
    let test_err = match (test, te) {
        (Some(x), Some(d)) => {
            work += (x.nrows() * x.ncols()) as u64 * classes;
            Some(r.error(x, &d.labels))
        }
        _ => None,
    };
    Ok((r.error(train, &tr.labels), test_err, work))
}

/// Runs `lwl localprop`.
pub fn run(a: &LocalpropArgs) -> Result<(), Error> {
    if a.run.resume.is_some() {
        return Err(Error::Usage("lwl localprop does not resume runs; start it again (with --seed)".into()));
    }
    let threads = a.threads.check()?;
    let seed = seed(a.seed, "localprop");
    let sets = crate::args::data::load(&a.data, seed)?;
    let (train, test) = (&sets.train, sets.test.as_ref());
    if train.is_empty() {
        return Err(Error::Usage("the training data holds no items".into()));
    }
    let n = train.dims;
    let s = settings(a, n, train.classes, threads)?;
    let dir = a.run.prepare()?;
    let scaling = Scaling::fit(train, a.center);
    let (xtr, xte) = (scaling.apply(train), test.map(|t| scaling.apply(t)));
    let batch = ((a.batch_fraction * train.len() as f64).round() as usize).clamp(1, train.len());
    let start = Instant::now();
    // the raw-pixel baseline: the same readout on the scaled data
    let (_, raw_test, mut work) = evaluate(xtr.as_ref(), xte.as_ref().map(Mat::as_ref), (train, test), a.ridge)?;
    let std = a.init_std.unwrap_or(1.0 / (n as f64).sqrt());
    let mut chain = Chain::random(n, a.nodes, std, &mut iteration_rng(seed, 0));
    let cols = ["iter", "gwms", "goal_err", "train_err", "test_err", "raw_test_err", "seconds"];
    let mut rep = Reporter::new(a.json, &cols);
    let bar = progress(a.iter as u64, "localprop");
    let mut history: Vec<[f64; 3]> = Vec::new();
    let mut last = Value::Null;
    // iteration 0 is the random initial chain: what the readout gets
    // before any learning
    for t in 0..=a.iter {
        let mut goal_err = None;
        if t > 0 {
            let mut rng = iteration_rng(seed, t);
            let items: Vec<usize> = sample(&mut rng, train.len(), batch).into_vec();
            let x = Mat::from_fn(n, batch, |i, k| xtr[(i, items[k])]);
            let labels: Vec<u32> = items.iter().map(|&k| train.labels[k]).collect();
            let it = chain.iterate(&s, x.as_ref(), &labels, train.classes, &mut rng).map_err(|e| {
                Error::Usage(format!("iteration {t}: the weight update failed ({e:?}); raise --lambda2"))
            })?;
            work += it.work;
            goal_err = Some(it.goal_err);
            bar.inc(1);
            if t % a.eval_every != 0 && t != a.iter {
                continue;
            }
        }
        let (otr, w1) = chain.output(xtr.as_ref(), &s.keep);
        let ote = xte.as_ref().map(|x| chain.output(x.as_ref(), &s.keep));
        work += w1 + ote.as_ref().map_or(0, |o| o.1);
        if !otr.norm_l2().is_finite() {
            return Err(Error::Usage(format!(
                "iteration {t}: the representations became infinite or NaN; give a smaller --init-std"
            )));
        }
        let (train_err, test_err, w2) =
            evaluate(otr.as_ref(), ote.as_ref().map(|o| o.0.as_ref()), (train, test), a.ridge)?;
        work += w2;
        let rec = json!({
            "iter": t,
            "gwms": work as f64 * 1e-9,
            "goal_err": goal_err,
            "train_err": train_err,
            "test_err": test_err,
            "raw_test_err": raw_test,
            "seconds": start.elapsed().as_secs_f64(),
        });
        bar.suspend(|| rep.record(&rec))?;
        history.push([t as f64, train_err, test_err.unwrap_or(f64::NAN)]);
        if let Some(d) = &dir {
            save(d, a, &s, seed, &rec, &history, work)?;
        }
        last = rec;
    }
    bar.finish_and_clear();
    rep.last(last)
}

/// The settings a record names.
fn hyper(a: &LocalpropArgs, s: &Settings) -> Value {
    let mut h = a.data.hyper();
    let own = json!({
        "nodes": a.nodes, "goal": s.goal, "goal_balance": a.goal_balance, "schedule": a.schedule, "iter": a.iter,
        "batch_fraction": a.batch_fraction, "keep": s.keep, "lambda2": a.lambda2, "lambda4": a.lambda4,
        "lambda_f": a.lambda_f, "lambda_b": a.lambda_b, "rho": a.rho, "deviation": a.deviation,
        "weights": a.weights, "target": a.target, "center": a.center, "init_std": a.init_std, "ridge": a.ridge,
    });
    h.extend(own.as_object().cloned().unwrap_or_default());
    Value::Object(h)
}

/// Writes `progress.json` and `errors.png` into `dir`.
fn save(
    dir: &std::path::Path,
    a: &LocalpropArgs,
    s: &Settings,
    seed: u64,
    rec: &Value,
    history: &[[f64; 3]],
    work: u64,
) -> Result<(), Error> {
    let mut prog = rec.clone();
    prog["seed"] = json!(seed);
    prog["weight_multiplies"] = json!(work);
    prog["history"] = json!(history);
    prog["hyper"] = hyper(a, s);
    let curve = |col: usize| history.iter().map(|h| (h[0], h[col])).collect::<Vec<_>>();
    let (train, test) = (curve(1), curve(2));
    let series = [picture::Series::line("train error", &train), picture::Series::line("test error", &test)];
    let labels = picture::Labels { title: "local propagation: readout error", x: "iteration", y: "error rate" };
    let plot = picture::plot(&series, &labels).map_err(picture::io_error(dir))?;
    checkpoint::write(dir, "localprop", &[("errors.png", plot.png_for(dir)?)], &prog)
}
