//! `lwl classify`: classifiers trained by RRR (section 5).

mod resume;
mod states;
mod train;

use std::path::Path as FsPath;
use std::time::Instant;

use crate::args::activation;
use lwl_kernel::class::ClassMode;
use lwl_kernel::network::Params;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Value, json};

use crate::args::{Step, check};
use crate::output::checkpoint;
mod args;

pub use args::{CLASSIFY_ABOUT, CLASSIFY_EXAMPLES, ClassifyArgs};

use crate::engine::netinit::random_weights;
use crate::error::Error;
use crate::formats::datafile::{LabeledData, read_text_file};
use crate::formats::netfile::NetSpec;
use crate::formats::paramfile::{NetParams, read_net_params, write_net_params};
use crate::output::report::{Reporter, progress, seed};
use crate::output::{check_writable, write_series};
use crate::picture;
pub use states::{StateBlock, state_block};
pub use train::{Classifier, Confusion, ItemStatus, Stop, Trainer, check_fit};

/// A per-batch allowance: a count or a percentage of the batch.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Allowance {
    Count(usize),
    Percent(f64),
}

impl Allowance {
    fn parse(s: &str, flag: &str) -> Result<Self, Error> {
        let bad = || Error::Usage(format!("{flag}: '{s}' is not a count N or a percentage N%"));
        if let Some(p) = s.strip_suffix('%') {
            let v: f64 = p.trim().parse().map_err(|_| bad())?;
            if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
                return Err(bad());
            }
            Ok(Self::Percent(v))
        } else {
            s.trim().parse().map(Self::Count).map_err(|_| bad())
        }
    }

    /// Items per batch of `b`: the count, or the percentage rounded to the
    /// nearest whole item.
    fn per_batch(self, b: usize) -> usize {
        match self {
            Self::Count(n) => n,
            Self::Percent(p) => (p / 100.0 * b as f64).round() as usize,
        }
    }
}

/// How the class constraint is chosen per batch.
#[derive(Clone, Copy, Debug)]
enum Compromise {
    None,
    Exempt(Allowance),
    Relabel(Allowance),
    /// False-positive fraction and the fraction n0/N of class-0 items.
    Fpa(f64, usize, usize),
}

impl Compromise {
    fn mode(self, b: usize) -> ClassMode {
        match self {
            Self::None => ClassMode::Plain,
            Self::Exempt(a) => ClassMode::Exempt(a.per_batch(b)),
            Self::Relabel(a) => ClassMode::Relabel(a.per_batch(b)),
            Self::Fpa(f, n0, n) => ClassMode::FalsePositive(fpa_budget(f, b, n0, n)),
        }
    }
}

/// The false-positive allowance of a batch of `b` items (section 6.2):
/// `floor(fpa · b · n0 / n)` with `n0` of the `n` training items fakes
/// (class 0), the reference's formula, in f64 in this order.
pub fn fpa_budget(fpa: f64, b: usize, n0: usize, n: usize) -> usize {
    ((fpa * b as f64) * n0 as f64 / n as f64).floor() as usize
}

/// β when `--beta` is not given.
pub const BETA: f64 = 1.0;

/// Checks the flags; returns the RRR step they ask for.
fn check_params(a: &ClassifyArgs) -> Result<Step, Error> {
    check::classifier(a.omega, a.upsilon, a.margin)?;
    check::schedule(a.batch, a.epochs, a.iter, a.tol)?;
    if let Some(f) = a.fpa {
        check::fraction("--fpa", f)?;
    }
    a.rrr.check(BETA, a.compute.precision)
}

/// Runs `lwl classify`.
pub fn run(a: &ClassifyArgs) -> Result<(), Error> {
    let resumed = a.run.resume.as_deref().map(|d| checkpoint::read(d, "classify")).transpose()?;
    let restored = match (&resumed, &a.run.resume) {
        (Some(p), Some(dir)) => Some(resume::restore(a, p, dir)?),
        _ => None,
    };
    let a = restored.as_ref().unwrap_or(a);
    let resumed = resumed.unwrap_or_default();
    let step = check_params(a)?;
    let act = activation(&a.activation, a.width, a.tau)?;
    let seed = seed(a.replay.seed.or(resumed.seed), "classify");
    let sets = crate::args::data::load(&a.data, seed)?;
    let net_path = a.net.clone().or_else(|| a.run.resume.as_ref().map(|d| d.join("net.txt")));
    let (spec, net_name) = match (&net_path, &sets.default_layers) {
        (Some(p), _) => {
            let name = p.display().to_string();
            (NetSpec::parse(&read_text_file(p)?, &name)?, name)
        }
        (None, Some(layers)) => {
            let name = layers.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("-");
            (NetSpec::layered(layers)?, format!("the built-in {name} net"))
        }
        (None, None) => return Err(Error::Usage("--net FILE is needed with --train data".into())),
    };
    let net = spec.net()?;
    let train_name = a.data.train.as_ref().map_or("the training data".into(), |p| p.display().to_string());
    train::check_fit(&net, &sets.train, &net_name, &train_name)?;
    if let Some(t) = &sets.test {
        let name = a.data.test.as_ref().map_or("the test data".into(), |p| p.display().to_string());
        train::check_fit(&net, t, &net_name, &name)?;
    }
    let n_train = sets.train.len();
    if n_train == 0 {
        return Err(Error::Usage(format!("{train_name} holds no items")));
    }
    let compromise = match (&a.exempt, &a.relabel, a.fpa) {
        (Some(e), _, _) => Compromise::Exempt(Allowance::parse(e, "--exempt")?),
        (_, Some(r), _) => Compromise::Relabel(Allowance::parse(r, "--relabel")?),
        (_, _, Some(f)) => {
            if net.classes() != 2 {
                return Err(Error::Usage(format!("--fpa needs two classes; {net_name} has {}", net.classes())));
            }
            Compromise::Fpa(f, sets.train.labels.iter().filter(|&&l| l == 0).count(), n_train)
        }
        _ => Compromise::None,
    };
    if let (Compromise::Exempt(al) | Compromise::Relabel(al), flag) =
        (compromise, if a.exempt.is_some() { "--exempt" } else { "--relabel" })
    {
        let b = a.batch.min(n_train);
        if al.per_batch(b) >= b {
            return Err(Error::Usage(format!(
                "{flag}: {} of a batch of {b} items would leave no item constrained; give fewer than {b}",
                al.per_batch(b)
            )));
        }
    }
    let params = Params {
        beta: step.beta,
        gamma: step.gamma,
        omega: a.omega,
        upsilon: a.upsilon,
        margin: a.margin,
        activation: act,
        class_mode: ClassMode::Plain,
    };
    let (weights, biases) = match (&a.init, &a.run.resume) {
        (Some(f), _) => load_params(f, &spec)?,
        (_, Some(d)) => load_params(&d.join("params.txt"), &spec)?,
        _ => (random_weights(&spec, a.omega, &mut Xoshiro256PlusPlus::seed_from_u64(seed)), vec![0.0; spec.nodes()]),
    };
    let pool = a.compute.pool()?;
    let stop = Stop { iters: a.iter, tol: a.tol };
    if let Some(w) = a.compute.precision.tol_warning(a.tol) {
        eprintln!("lwl classify: {w}");
    }
    if let Some(f) = &a.replay.err_series {
        check_writable(f)?;
    }
    let settle = a.fixed.check()?;
    let cyclic = !net.is_ordered();
    if cyclic {
        eprintln!(
            "lwl classify: {net_name} has edges from higher-numbered hidden nodes (an implicit model): \
             every forward pass iterates to its fixed point from zero states, at most --picard {} passes",
            settle.sweeps
        );
    }
    let mut trainer = Trainer::new(params, step.method, weights, biases, a.replay.err_series.is_some(), pool)
        .with_precision(a.compute.precision)
        .with_settle(settle);
    let (epoch0, iters0, wm0, secs0) = (resumed.epoch, resumed.iters, resumed.weight_multiplies, resumed.seconds);
    let fpa = matches!(compromise, Compromise::Fpa(..));
    let mut cols = vec!["epoch", "gwms", "iters", "rrr_err", "batch_err", "train_err", "test_err"];
    if fpa {
        cols.extend(["fp_train", "tn_train", "fp_test", "tn_test"]);
    }
    if !matches!(compromise, Compromise::None) {
        cols.push("selected");
    }
    if cyclic {
        cols.extend(["a_norm", "a_pf", "picard_steps", "unconverged"]);
    }
    cols.push("seconds");
    let mut rep = Reporter::new(a.json, &cols);
    let mut status = vec![ItemStatus::Kept; n_train];
    let mut order: Vec<usize> = (0..n_train).collect();
    let start = Instant::now();
    let batches = n_train.div_ceil(a.batch);
    let bar = progress((a.epochs * batches) as u64, "classify");
    let mut last: Value = Value::Null;
    // a resumed run goes on saving into its directory unless told otherwise
    let out_dir = a.run.prepare()?;
    let output = out_dir.as_deref().map(|dir| Output {
        dir,
        spec: &spec,
        omega: a.omega,
        seed,
        train: &sets.train,
        hyper: resume::hyper(a),
    });
    let mut history: Vec<[f64; 3]> =
        resumed.history.iter().map(|h| [0, 1, 2].map(|i| h.get(i).copied().unwrap_or(f64::NAN))).collect();
    for epoch in epoch0 + 1..=epoch0 + a.epochs {
        if !a.replay.no_shuffle {
            // each epoch's order depends on (seed, epoch) alone, so a resumed run
            // shuffles as an uninterrupted one
            crate::shuffle::epoch_order(&mut order, seed, epoch);
        }
        let (mut batch_err, mut rrr_err) = (0.0, f64::NAN);
        for chunk in order.chunks(a.batch) {
            let r = trainer.batch(&net, &sets.train, &[], chunk, compromise.mode(chunk.len()), stop, &mut status)?;
            batch_err += r.errors as f64 / chunk.len() as f64;
            rrr_err = r.rrr_err;
            bar.inc(1);
        }
        check::finite_state(epoch, &[&trainer.weights, &trainer.biases])?;
        let c = trainer.counters();
        let model = trainer.classifier(&net);
        let tr = model.evaluate(&sets.train);
        let te = sets.test.as_ref().map(|t| (model.evaluate(t), t.len()));
        let rate = |a: usize, b: usize| if b == 0 { Value::Null } else { json!(a as f64 / b as f64) };
        let secs = secs0 + start.elapsed().as_secs_f64();
        let mut rec = json!({
            "epoch": epoch,
            "gwms": (wm0 + c.weight_multiplies) as f64 * 1e-9,
            "iters": iters0 + c.iterations,
            "rrr_err": rrr_err,
            "batch_err": batch_err / batches as f64,
            "train_err": rate(tr.errors, n_train),
            "test_err": te.map_or(Value::Null, |(t, n)| rate(t.errors, n)),
            "seconds": secs,
        });
        if fpa {
            rec["fp_train"] = rate(tr.false_positives, tr.class0);
            rec["tn_train"] = rate(tr.false_negatives, tr.class1);
            rec["fp_test"] = te.map_or(Value::Null, |(t, _)| rate(t.false_positives, t.class0));
            rec["tn_test"] = te.map_or(Value::Null, |(t, _)| rate(t.false_negatives, t.class1));
        }
        if !matches!(compromise, Compromise::None) {
            rec["selected"] = json!(status.iter().filter(|s| **s != ItemStatus::Kept).count());
        }
        if cyclic {
            let s = state_block(&net, &trainer.weights, a.omega);
            let both =
                te.map_or((tr.sweeps, tr.unsettled), |(t, _)| (tr.sweeps.max(t.sweeps), tr.unsettled + t.unsettled));
            rec["a_norm"] = json!(s.norm);
            rec["a_pf"] = json!(s.pf);
            rec["picard_steps"] = json!(both.0);
            rec["unconverged"] = json!(both.1);
        }
        bar.suspend(|| rep.record(&rec))?;
        history.push([
            epoch as f64,
            rec["train_err"].as_f64().unwrap_or(f64::NAN),
            rec["test_err"].as_f64().unwrap_or(f64::NAN),
        ]);
        if let Some(out) = &output {
            out.save(&trainer, &rec, wm0 + c.weight_multiplies, &status, &history)?;
        }
        last = rec;
    }
    bar.finish_and_clear();
    if let (Some(f), Some(s)) = (&a.replay.err_series, &trainer.series) {
        write_series(f, s)?;
    }
    rep.last(last)
}

fn load_params(f: &FsPath, spec: &NetSpec) -> Result<(Vec<f64>, Vec<f64>), Error> {
    let name = f.display().to_string();
    let (p, _) = read_net_params(&read_text_file(f)?, &name, spec)?;
    Ok((p.weights, p.biases))
}

/// What a run writes to `--out` after every epoch.
struct Output<'a> {
    dir: &'a FsPath,
    spec: &'a NetSpec,
    omega: f64,
    seed: u64,
    train: &'a LabeledData,
    /// The settings a resume restores.
    hyper: Value,
}

impl Output<'_> {
    /// Writes parameters, net, progress (with the error history), the
    /// exempted/relabelled items, a plot of the errors per epoch and, for
    /// square images, a picture of the exempted/relabelled items (Fig. 15).
    fn save(
        &self,
        t: &Trainer,
        rec: &Value,
        wm_total: u64,
        status: &[ItemStatus],
        history: &[[f64; 3]],
    ) -> Result<(), Error> {
        let params = write_net_params(
            self.spec,
            self.omega,
            &NetParams { weights: t.weights.clone(), biases: t.biases.clone() },
        );
        let mut prog = rec.clone();
        prog["seed"] = json!(self.seed);
        prog["precision"] = json!(t.precision().name());
        prog["weight_multiplies"] = json!(wm_total);
        prog["history"] = json!(history);
        prog["hyper"] = self.hyper.clone();
        let labels = &self.train.labels;
        let mut items = String::from("# item label status [new_label] (last iteration of its batch, last epoch)\n");
        let mut picked = Vec::new();
        for (k, s) in status.iter().enumerate() {
            match s {
                ItemStatus::Kept => continue,
                ItemStatus::Exempt => items += &format!("{k} {} exempt\n", labels[k]),
                ItemStatus::Relabelled(c) => items += &format!("{k} {} relabelled {c}\n", labels[k]),
            }
            picked.push(k);
        }
        let curve = |col: usize| history.iter().map(|h| (h[0], h[col])).collect::<Vec<_>>();
        let (train, test) = (curve(1), curve(2));
        let series = [picture::Series::line("train error", &train), picture::Series::line("test error", &test)];
        let labels = picture::Labels { title: "classification error", x: "epoch", y: "error rate" };
        let plot = picture::plot(&series, &labels).map_err(picture::io_error(self.dir))?;
        let mut files: Vec<(&str, Vec<u8>)> = vec![
            ("params.txt", params.into_bytes()),
            ("net.txt", self.spec.to_text().into_bytes()),
            ("compromised.txt", items.into_bytes()),
            ("errors.png", plot.png_for(self.dir)?),
        ];
        let side = (1..=self.train.dims).find(|s| s * s == self.train.dims).filter(|&s| s >= 8);
        if let (Some(side), false) = (side, picked.is_empty()) {
            let tiles: Vec<&[f64]> = picked.iter().take(200).map(|&k| self.train.item(k)).collect();
            let img = picture::grid(&tiles, side, side, 20, 2, picture::Shade::Range(0.0, 1.0));
            files.push(("compromised.png", img.png_for(self.dir)?));
        }
        checkpoint::write(self.dir, "classify", &files, &prog)
    }
}
