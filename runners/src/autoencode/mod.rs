//! `lwl autoencode`: a cyclic autoencoder whose code is an iDE code
//! (invertible, data-enveloping, disentangled; section 6.1), trained by RRR
//! on batches of data items and code items (eq. 38), and binary encoding
//! (section 6.3.1) with success rates over seeded restarts.

mod args;
mod binary;
mod data;
mod feed;
mod histogram;
mod ide;
mod save;
mod train;

use std::time::Instant;

use indicatif::MultiProgress;
use lwl_kernel::class::ClassMode;
use lwl_kernel::graph::NodeKind;
use lwl_kernel::network::Params;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Value, json};

pub use args::{AutoSource, AutoencodeArgs};
pub use data::{Source, load as load_data};
pub use feed::{Auto, FeedAround, Start};
pub use ide::IdeCode;
pub use save::{plot_history, tiles, write_all};
pub use train::stream;

use binary::{decodes, margins_met};
use data::width_bound;
use train::{AutoTrainer, Setup};

use crate::args::activation;
use crate::args::{Step, check};
use crate::engine::Pool;
use crate::engine::netinit::random_weights;
use crate::engine::parallel::side_by_side;
use crate::error::Error;
use crate::formats::datafile::read_text_file;
use crate::formats::netfile::{NetFormat, NetSpec};
use crate::formats::paramfile::{NetParams, read_net_params};
use crate::output::checkpoint::{self, Progress};
use crate::output::report::{Reporter, progress, restart_summary, seed};
use crate::output::{check_writable, write_series};

/// Long help of `lwl autoencode`.
pub const ABOUT: &str = "Train a cyclic autoencoder with RRR (section 6.1). The data nodes are \
also the output nodes: a batch holds |K_d| data items, whose data nodes are fixed to the data, and \
|K_c| code items, whose code nodes are fixed to a code, so one net learns D(E(x)) = x and \
E(D(z)) = z. Every node carries the activation constraint (gapped step or zigmoid of width Δ), \
g² = out-degree everywhere, and the bias consensus runs over all items. The codes of a batch are \
drawn from the iDE code: per code node the set of its values in the encodings of the batch's data \
under the previous batch's parameters (eq. 37), each node independently. Every batch starts with \
a feed-around from the consensus parameters (section 6.1.1).\n\n\
After every epoch: data_err (eq. 40) over the training set, code_err (eq. 41) over as many iDE \
samples as there are training items (binary encoding: over all codes), test_data_err, the last \
RRR_err and GWMs. data_err and code_err are eq. 40–41 as printed, one root mean square over all \
items × nodes; data_err_items, code_err_items and test_data_err_items are the same errors as the \
reference program RRRauto computes them, and the paper's tables report them: the mean over items \
of each item's root mean square (with --code-batch 0 RRRauto prints 0 for its code error; lwl \
still measures it). Compare the paper's numbers with the _items figures.\n\n\
Boundary rules are the reference's: the step gives 0 at y − b = 0 (the all-zero code feeds exact \
zeros), a projection equally far from 0 and 1 takes 1, and the zigmoid uses RRRauto's formulas. \
A reference run is replayed from its initial weights with --init W --no-shuffle --oracle \
--err-series E (the reference's net and data files are read as they are; its margin is Δ/2).\n\n\
--binary N: the 2^N one-hot vectors as data and all N-bit codes as code items (section 6.3.1), \
net 2^N → N → 2^N, step activation, β 0.5, Ω 100, Δ 0.4 (0.34 for N = 5), one batch of up to \
10^6 iterations. A run succeeds when RRR_err ≤ --tol and every data and code item passes encoder \
and decoder with |y − b| ≥ Δ/2 on the correct side; `decodes` says whether the zero-width step \
encodes all items to distinct codes that decode exactly. --restarts N gives the success rate.\n\n\
--mnist: 784 → 200 → 10 → 200 → 784, zigmoid, Ω 10, Δ 0.8 (RRRauto's margin 0.4, the paper's \
\"Δ = 0.4\"; also the default for --data), β 1, batches of 200 data and 20 \
codes, 50 iterations per batch (section 6.3.2). --out writes parameters, the iDE code and \
pictures; --resume continues.\n\n\
--out DIR keeps, after every epoch: params.txt, net.txt, ide.txt (the iDE code), \
progress.json, errors.png and, for image data, reconstructions.png, samples.png and codes.png.";

/// Examples of `lwl autoencode`.
pub const EXAMPLES: &str = "Examples:\n  \
lwl autoencode --binary 3 --seed 1                 # one binary-encoding run\n  \
lwl autoencode --binary 4 --restarts 20 --json     # success rate over 20 seeds\n  \
lwl autoencode --mnist --epochs 2 --out run        # MNIST, pictures in run/\n  \
lwl autoencode --mnist --resume run --epochs 2     # two more epochs\n  \
lwl autoencode --binary 3 --init W --width 0.8 --iter 200 --tol 0 --no-shuffle --oracle --err-series E\n  \
                                                   # replay a reference run (RRRauto margin 0.4)";

/// The hyperparameters of a run: flags, else the resumed run's, else the
/// data's defaults.
struct Hyper {
    activation: String,
    width: f64,
    step: Step,
    omega: f64,
    batch: usize,
    code_batch: usize,
    epochs: usize,
    iter: usize,
    tol: f64,
}

impl Hyper {
    fn resolve(a: &AutoencodeArgs, src: &Source, saved: Option<&Progress>) -> Result<Self, Error> {
        let d = &src.defaults;
        let f = |flag: Option<f64>, key: &str, def: f64| flag.or(saved.and_then(|s| s.f64(key))).unwrap_or(def);
        let u = |flag: Option<usize>, key: &str, def: usize| flag.or(saved.and_then(|s| s.usize(key))).unwrap_or(def);
        let saved_act = saved.and_then(|s| s.record.get("activation")).and_then(Value::as_str);
        let n = src.train.len();
        let h = Self {
            activation: a.activation.as_deref().or(saved_act).unwrap_or(d.activation).to_string(),
            width: f(a.width, "width", d.width),
            step: a.rrr.check(f(None, "beta", d.beta), a.compute.precision)?,
            omega: f(a.omega, "omega", d.omega),
            batch: u(a.batch, "batch", d.batch.unwrap_or(n)).min(n),
            code_batch: u(a.code_batch, "code_batch", d.code_batch),
            epochs: a.epochs.unwrap_or(d.epochs),
            iter: u(a.iter, "iter", d.iter),
            tol: f(a.tol, "tol", d.tol),
        };
        h.check(a, src)?;
        Ok(h)
    }

    fn check(&self, a: &AutoencodeArgs, src: &Source) -> Result<(), Error> {
        let bad = |m: String| Err(Error::Usage(m));
        if !matches!(self.activation.as_str(), "step" | "zigmoid") {
            return bad(format!(
                "--activation {}: autoencode uses step or zigmoid (values in [0, 1])",
                self.activation
            ));
        }
        check::positive("--width", self.width)?;
        check::positive("--omega", self.omega)?;
        check::schedule(self.batch, self.epochs, self.iter, self.tol)?;
        if let Some(c) = src.codes.as_ref().filter(|c| self.code_batch != 0 && self.code_batch != c.len()) {
            return bad(format!("--code-batch: binary encoding trains on all {} codes (or 0: none)", c.len()));
        }
        if self.activation == "step" && src.train.values.iter().any(|&v| v != 0.0 && v != 1.0) {
            return bad(format!("--activation step needs data of 0s and 1s; {} has other values", src.name));
        }
        match a.restarts {
            Some(0) => bad("--restarts must be at least 1".into()),
            Some(_) if src.codes.is_none() => bad("--restarts needs --binary N (success is defined there)".into()),
            Some(_) if a.replay.err_series.is_some() => {
                bad("--err-series records one run; it cannot be used with --restarts".into())
            }
            _ => Ok(()),
        }
    }

    fn params(&self) -> Result<Params, Error> {
        let act = activation(&self.activation, self.width, 0.0)?;
        Ok(Params {
            beta: self.step.beta,
            gamma: self.step.gamma,
            omega: self.omega,
            upsilon: 1.0,
            margin: 0.0,
            activation: act,
            class_mode: ClassMode::Plain,
        })
    }

    /// The keys `progress.json` keeps for `--resume` and `lwl generate`.
    fn record(&self) -> Value {
        json!({
            "activation": self.activation, "width": self.width, "beta": self.step.beta, "omega": self.omega,
            "batch": self.batch, "code_batch": self.code_batch, "iter": self.iter, "tol": self.tol,
        })
    }
}

/// Reads or builds the net and checks that it fits the data.
fn load_net(a: &AutoencodeArgs, src: &Source) -> Result<(NetSpec, String), Error> {
    let path = a.net.clone().or_else(|| a.run.resume.as_ref().map(|d| d.join("net.txt")));
    let (spec, name) = match (&path, &src.net) {
        (Some(p), _) => {
            let name = p.display().to_string();
            (NetSpec::parse(&read_text_file(p)?, &name)?, name)
        }
        (None, Some((d, e, c, dd))) => (NetSpec::autoencoder(*d, e, *c, dd)?, "the built-in net".to_string()),
        (None, None) => {
            return Err(Error::Usage("--net FILE is needed with --data (write one with `lwl net auto`)".into()));
        }
    };
    check_net(&spec, &name, src)?;
    Ok((spec, name))
}

/// The net must be an autoencoder with one data node per data value (and
/// one code node per code value for fixed codes).
pub fn check_net(spec: &NetSpec, name: &str, src: &Source) -> Result<(), Error> {
    if spec.format != NetFormat::Autoencoder {
        return Err(Error::Usage(format!(
            "{name} is a classifier net; autoencode needs an autoencoder net (`lwl net auto`)"
        )));
    }
    let (d, c) = (spec.count(NodeKind::Data), spec.count(NodeKind::Code));
    if d != src.train.dims {
        return Err(Error::Usage(format!(
            "{name} has {d} data nodes but {} has {} values per item",
            src.name, src.train.dims
        )));
    }
    if let Some(codes) = src.codes.as_ref().filter(|k| k.dims != c) {
        return Err(Error::Usage(format!(
            "{name} has {c} code nodes but the codes of {} have {}",
            src.name, codes.dims
        )));
    }
    Ok(())
}

/// Runs `lwl autoencode`.
pub fn run(a: &AutoencodeArgs) -> Result<(), Error> {
    let saved = a.run.resume.as_deref().map(|d| checkpoint::read(d, "autoencode")).transpose()?;
    let src = data::load(&a.source, a.test.as_deref())?;
    let hp = Hyper::resolve(a, &src, saved.as_ref())?;
    let (spec, name) = load_net(a, &src)?;
    let net = spec.net()?;
    let feed = FeedAround::new(&net).map_err(|m| Error::Usage(format!("{name}: {m}")))?;
    if let Some(w) = a.compute.precision.tol_warning(hp.tol) {
        eprintln!("lwl autoencode: {w}");
    }
    // restarts run side by side, each on one thread
    let pool = if a.restarts.is_some() { None } else { a.compute.pool()? };
    let method = hp.step.method;
    let setup = Setup {
        params: hp.params()?,
        method,
        precision: a.compute.precision,
        batch: hp.batch,
        code_batch: hp.code_batch,
        iter: hp.iter,
        tol: hp.tol,
        shuffle: !a.replay.no_shuffle,
    };
    if let Some(f) = &a.replay.err_series {
        check_writable(f)?;
    }
    let bars = MultiProgress::new();
    let run =
        Run { a, src: &src, spec: &spec, net: &net, feed: &feed, hp: &hp, setup, pool: pool.as_ref(), bars: &bars };
    match a.restarts {
        Some(runs) => {
            run.restarts(runs, seed(a.replay.seed, "autoencode"), a.side_by_side.check(runs, a.compute.threads()?)?)
        }
        None => run.single(saved.unwrap_or_default()),
    }
}

/// Everything a run needs.
struct Run<'a> {
    a: &'a AutoencodeArgs,
    src: &'a Source,
    spec: &'a NetSpec,
    net: &'a lwl_kernel::graph::Net<'a>,
    feed: &'a FeedAround,
    hp: &'a Hyper,
    setup: Setup,
    pool: Option<&'a Pool>,
    /// Where the runs' progress bars go (stacked for restarts side by side).
    bars: &'a MultiProgress,
}

impl Run<'_> {
    fn trainer(&self, seed: u64, start: Option<NetParams>) -> AutoTrainer<'_> {
        let p = start.unwrap_or_else(|| NetParams {
            weights: random_weights(self.spec, self.hp.omega, &mut Xoshiro256PlusPlus::seed_from_u64(seed)),
            biases: vec![0.0; self.spec.nodes()],
        });
        AutoTrainer::new(self.net, self.feed, self.src, self.setup, seed, self.pool, p)
    }

    /// For binary encoding: (success, decodes) of the trainer's parameters.
    fn outcome(&self, t: &AutoTrainer, rrr_err: f64) -> Option<(bool, bool)> {
        let codes = self.src.codes.as_ref()?;
        let (auto, data) = (t.auto(), &self.src.train.values);
        let met = rrr_err <= self.hp.tol && margins_met(&auto, data, &codes.values, self.hp.width);
        Some((met, decodes(&auto, data)))
    }

    /// Trains `epochs` epochs from `start`; `each` receives every epoch's
    /// trainer and record.
    fn train(
        &self,
        t: &mut AutoTrainer,
        start: &Progress,
        mut each: impl FnMut(&AutoTrainer, &train::Eval, &Value, u64) -> Result<(), Error>,
    ) -> Result<Value, Error> {
        let batches = self.src.train.len().div_ceil(self.hp.batch);
        let bar = self.bars.add(progress((self.hp.epochs * batches) as u64, "autoencode"));
        let clock = Instant::now();
        let mut last = Value::Null;
        for epoch in start.epoch + 1..=start.epoch + self.hp.epochs {
            let r = t.epoch(epoch, || bar.inc(1))?;
            check::finite_state(epoch, &[&t.weights, &t.biases])?;
            let ev = t.evaluate(epoch);
            let c = t.counters();
            let mut rec = json!({
                "epoch": epoch,
                "gwms": (start.weight_multiplies + c.weight_multiplies) as f64 * 1e-9,
                "iters": start.iters + c.iterations,
                "rrr_err": r.rrr_err,
                "data_err": ev.data_err,
                "code_err": ev.code_err,
            });
            if let Some(e) = ev.test_data_err {
                rec["test_data_err"] = json!(e);
            }
            rec["data_err_items"] = json!(ev.data_err_items);
            rec["code_err_items"] = json!(ev.code_err_items);
            if let Some(e) = ev.test_data_err_items {
                rec["test_data_err_items"] = json!(e);
            }
            if let Some((s, d)) = self.outcome(t, r.rrr_err) {
                rec["success"] = json!(s);
                rec["decodes"] = json!(d);
            }
            rec["seconds"] = json!(start.seconds + clock.elapsed().as_secs_f64());
            bar.suspend(|| each(t, &ev, &rec, start.weight_multiplies + c.weight_multiplies))?;
            last = rec;
        }
        bar.finish_and_clear();
        Ok(last)
    }

    fn single(&self, saved: Progress) -> Result<(), Error> {
        let seed = seed(self.a.replay.seed.or(saved.seed), "autoencode");
        let start = match (&self.a.init, &self.a.run.resume) {
            (Some(f), _) => Some(f.clone()),
            (_, Some(d)) => Some(d.join("params.txt")),
            _ => None,
        };
        let start = match start {
            Some(f) => Some(read_net_params(&read_text_file(&f)?, &f.display().to_string(), self.spec)?.0),
            None => None,
        };
        let mut t = self.trainer(seed, start);
        if self.a.replay.err_series.is_some() {
            t = t.record_series();
        }
        let mut cols = vec!["epoch", "gwms", "iters", "rrr_err", "data_err", "code_err"];
        if self.src.test.is_some() {
            cols.push("test_data_err");
        }
        cols.extend(["data_err_items", "code_err_items"]);
        if self.src.test.is_some() {
            cols.push("test_data_err_items");
        }
        if self.src.codes.is_some() {
            cols.extend(["success", "decodes"]);
        }
        cols.push("seconds");
        let mut rep = Reporter::new(self.a.json, &cols);
        // a resumed run goes on saving into its directory unless told otherwise
        let out_dir = self.a.run.prepare()?;
        let images =
            self.src.image.map(|side| (self.src.test.as_ref().unwrap_or(&self.src.train).values.as_slice(), side));
        let out = out_dir.as_deref().map(|dir| save::Output { dir, spec: self.spec, images, seed });
        let mut history = saved.history.clone();
        let extra = self.hp.record();
        let last = self.train(&mut t, &saved, |t, ev, rec, wm| {
            rep.record(rec)?;
            history.push(vec![rec["epoch"].as_f64().unwrap_or(0.0), ev.data_err, ev.code_err]);
            match &out {
                Some(o) => {
                    let mut extra = extra.clone();
                    extra["weight_multiplies"] = json!(wm);
                    o.save(&t.auto(), ev, rec, &extra, &history)
                }
                None => Ok(()),
            }
        })?;
        if let (Some(f), Some(s)) = (&self.a.replay.err_series, &t.series) {
            write_series(f, s)?;
        }
        rep.last(last)
    }

    /// Seeds `base`, `base + 1`, … `threads` at a time, each on one thread.
    fn restarts(&self, runs: usize, base: u64, threads: usize) -> Result<(), Error> {
        let cols = [
            "seed",
            "success",
            "decodes",
            "iters",
            "gwms",
            "rrr_err",
            "data_err",
            "code_err",
            "data_err_items",
            "code_err_items",
            "seconds",
        ];
        let mut rep = Reporter::new(self.a.json, &cols);
        let (mut wins, mut decoded, clock) = (Vec::new(), 0, Instant::now());
        let run = |r: usize| {
            let mut t = self.trainer(base.wrapping_add(r as u64), None);
            self.train(&mut t, &Progress::default(), |_, _, _, _| Ok(()))
        };
        side_by_side(runs, threads, run, |r, last| {
            let rec = json!({
                "seed": base.wrapping_add(r as u64),
                "success": last["success"],
                "decodes": last["decodes"],
                "iters": last["iters"],
                "gwms": last["gwms"],
                "rrr_err": last["rrr_err"],
                "data_err": last["data_err"],
                "code_err": last["code_err"],
                "data_err_items": last["data_err_items"],
                "code_err_items": last["code_err_items"],
                "seconds": last["seconds"],
            });
            self.bars.suspend(|| rep.record(&rec))?;
            let f = |k: &str| rec[k].as_f64().unwrap_or(f64::NAN);
            if rec["success"] == json!(true) {
                wins.push((f("iters"), f("gwms"), f("seconds")));
            }
            decoded += usize::from(rec["decodes"] == json!(true));
            Ok(())
        })?;
        let mut summary = restart_summary(runs, &wins);
        summary["threads"] = json!(threads);
        summary["wall_seconds"] = json!(clock.elapsed().as_secs_f64());
        summary["decodes"] = json!(decoded);
        summary["width"] = json!(self.hp.width);
        summary["width_bound"] = json!(width_bound(self.feed.data.len(), self.feed.code.len()));
        rep.last(summary)
    }
}
