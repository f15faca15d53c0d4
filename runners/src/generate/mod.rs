//! `lwl generate`: the generative model of section 6.2. From a trained
//! autoencoder, genuine codes (encodings of the training data, label 1) and
//! fakes (iDE samples, label 0) train a two-class relabelling classifier
//! with a false-positive allowance; then iDE samples the classifier calls
//! genuine are decoded into new data.

mod args;
mod model;

pub use args::{ABOUT, EXAMPLES, GenerateArgs};

use std::path::Path as FsPath;
use std::time::Instant;

use lwl_kernel::class::ClassMode;
use lwl_kernel::graph::Net;
use lwl_kernel::network::Params;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Value, json};

use crate::args::activation;
use crate::args::{Step, check};
use crate::autoencode::{FeedAround, Start, load_data, plot_history, stream, tiles, write_all};
use crate::classify::{ItemStatus, Stop, Trainer, check_fit, fpa_budget};
use crate::engine::netinit::random_weights;
use crate::error::Error;
use crate::formats::datafile::{LabeledData, read_text_file};
use crate::formats::netfile::NetSpec;
use crate::formats::paramfile::{NetParams, read_net_params, write_net_params};
use crate::output::checkpoint::{self, Progress};
use crate::output::report::{Reporter, progress, seed};
use crate::picture::{Labels, io_error};
use model::{GENUINE, Model, accepted};

/// Purposes of the random streams of epoch 0.
const TRAIN_FAKES: u32 = 1;
const TEST_FAKES: u32 = 2;
const SAMPLES: u32 = 3;

/// Checks the flags; returns the RRR step (β 1 by default, the paper's).
fn check(a: &GenerateArgs) -> Result<Step, Error> {
    check::classifier(a.omega, a.upsilon, a.margin)?;
    check::fraction("--fpa", a.fpa)?;
    check::schedule(a.batch, a.epochs, a.iter, a.tol)?;
    if let Some(f) = a.fakes {
        check::at_least_one("--fakes", f)?;
    }
    a.rrr.check(1.0, a.compute.precision)
}

/// What the classifier's training loop needs.
struct Session<'a> {
    a: &'a GenerateArgs,
    net: &'a Net<'a>,
    spec: &'a NetSpec,
    p: Params,
    train: &'a LabeledData,
    test: Option<&'a LabeledData>,
    fakes: usize,
    seed: u64,
    /// Where every epoch is saved.
    out: Option<&'a FsPath>,
}

impl Session<'_> {
    /// `(fp, tn)` of the trainer's parameters over `items` of `data`: the
    /// fraction of fakes classified genuine and of genuine codes classified
    /// fake.
    fn rates(&self, t: &Trainer, data: &LabeledData, items: impl Iterator<Item = usize>) -> (f64, f64) {
        let mut c = [[0usize; 2]; 2];
        let model = t.classifier(self.net);
        for k in items {
            c[data.labels[k] as usize][usize::from(model.wrong(data, k))] += 1;
        }
        let r = |l: [usize; 2]| l[1] as f64 / (l[0] + l[1]).max(1) as f64;
        (r(c[0]), r(c[GENUINE as usize]))
    }

    /// Trains `--epochs` epochs after `saved`; returns the last record.
    fn epochs(&self, t: &mut Trainer, saved: &Progress, rep: &mut Reporter) -> Result<Value, Error> {
        let (a, train) = (self.a, self.train);
        let bar = progress((a.epochs * train.len().div_ceil(a.batch)) as u64, "generate");
        let (clock, mut history, mut last) = (Instant::now(), saved.history.clone(), Value::Null);
        let mut status = vec![ItemStatus::Kept; train.len()];
        for epoch in saved.epoch + 1..=saved.epoch + a.epochs {
            let mut order: Vec<usize> = (0..train.len()).collect();
            order.shuffle(&mut stream(self.seed, epoch, 0));
            let (mut fp_b, mut tn_b, mut rrr_err, mut batches) = (0.0, 0.0, f64::NAN, 0.0);
            for chunk in order.chunks(a.batch) {
                let mode = ClassMode::FalsePositive(fpa_budget(a.fpa, chunk.len(), self.fakes, train.len()));
                rrr_err = t
                    .batch(self.net, train, &[], chunk, mode, Stop { iters: a.iter, tol: a.tol }, &mut status)?
                    .rrr_err;
                let (fp, tn) = self.rates(t, train, chunk.iter().copied());
                (fp_b, tn_b, batches) = (fp_b + fp, tn_b + tn, batches + 1.0);
                bar.inc(1);
            }
            check::finite_state(epoch, &[&t.weights, &t.biases])?;
            let (fp_tr, tn_tr) = self.rates(t, train, 0..train.len());
            let te = self.test.map(|d| self.rates(t, d, 0..d.len()));
            let c = t.counters();
            let wm = saved.weight_multiplies + c.weight_multiplies;
            last = json!({
                "epoch": epoch, "gwms": wm as f64 * 1e-9, "iters": saved.iters + c.iterations, "rrr_err": rrr_err,
                "fp_batch": fp_b / batches, "tn_batch": tn_b / batches, "fp_train": fp_tr, "tn_train": tn_tr,
                "fp_test": te.map(|r| r.0), "tn_test": te.map(|r| r.1),
                "seconds": saved.seconds + clock.elapsed().as_secs_f64(),
            });
            bar.suspend(|| rep.record(&last))?;
            let col = |k: &str| last[k].as_f64().unwrap_or(f64::NAN);
            history.push(
                ["epoch", "fp_batch", "fp_train", "fp_test", "tn_batch", "tn_train", "tn_test"].map(col).to_vec(),
            );
            if let Some(dir) = self.out {
                self.save(dir, t, &last, wm, &history)?;
            }
        }
        bar.finish_and_clear();
        Ok(last)
    }

    /// Writes the classifier's parameters, net, progress and fp/tn plots.
    fn save(&self, dir: &FsPath, t: &Trainer, rec: &Value, wm: u64, history: &[Vec<f64>]) -> Result<(), Error> {
        let mut prog = rec.clone();
        prog["seed"] = json!(self.seed);
        prog["weight_multiplies"] = json!(wm);
        prog["history"] = json!(history);
        let params = NetParams { weights: t.weights.clone(), biases: t.biases.clone() };
        let plot = |cols: &[(usize, &str)], what: &str| {
            let labels =
                Labels { title: &format!("{what} rate of the true/fake code classifier"), x: "epoch", y: "rate" };
            plot_history(history, cols, &labels).map_err(io_error(dir))?.png_for(dir)
        };
        let files = [
            ("params.txt", write_net_params(self.spec, self.p.omega, &params).into_bytes()),
            ("net.txt", self.spec.to_text().into_bytes()),
            ("fp.png", plot(&[(1, "fp_batch"), (2, "fp_train"), (3, "fp_test")], "false positive")?),
            ("tn.png", plot(&[(4, "tn_batch"), (5, "tn_train"), (6, "tn_test")], "true negative")?),
        ];
        checkpoint::write(dir, "generate", &files, &prog)
    }
}

/// Runs `lwl generate`.
pub fn run(a: &GenerateArgs) -> Result<(), Error> {
    let step = check(a)?;
    let saved: Progress =
        a.run.resume.as_deref().map(|d| checkpoint::read(d, "generate")).transpose()?.unwrap_or_default();
    let seed = seed(a.seed.or(saved.seed), "generate");
    let src = load_data(&a.source, a.test.as_deref())?;
    let model = Model::load(&a.model, &src)?;
    let anet = model.spec.net()?;
    let feed = FeedAround::new(&anet).map_err(|m| Error::Usage(format!("{}: {m}", a.model.display())))?;
    let n = src.train.len();
    let fakes = a.fakes.unwrap_or(2 * n);
    let auto = model.auto(&anet, &feed);
    let train = model.codes(&auto, &src.train, fakes, &mut stream(seed, 0, TRAIN_FAKES));
    let test = src.test.as_ref().map(|t| {
        let f = (fakes as f64 * t.len() as f64 / n as f64).round() as usize;
        model.codes(&auto, t, f, &mut stream(seed, 0, TEST_FAKES))
    });
    let net_path = a.net.clone().or_else(|| a.run.resume.as_ref().map(|d| d.join("net.txt")));
    let spec = match &net_path {
        Some(p) => NetSpec::parse(&read_text_file(p)?, &p.display().to_string())?,
        None => NetSpec::layered(&[vec![train.dims], a.hidden.0.clone(), vec![2]].concat())?,
    };
    let net = spec.net()?;
    let net_name = net_path.map_or("the classifier net".into(), |p| p.display().to_string());
    check_fit(&net, &train, &net_name, "the codes")?;
    let act = activation(&a.activation, a.width, 0.0)?;
    let p = Params {
        beta: step.beta,
        gamma: step.gamma,
        omega: a.omega,
        upsilon: a.upsilon,
        margin: a.margin,
        activation: act,
        class_mode: ClassMode::Plain,
    };
    let start = match &a.run.resume {
        Some(d) => {
            let f = d.join("params.txt");
            read_net_params(&read_text_file(&f)?, &f.display().to_string(), &spec)?.0
        }
        None => NetParams {
            weights: random_weights(&spec, a.omega, &mut Xoshiro256PlusPlus::seed_from_u64(seed)),
            biases: vec![0.0; spec.nodes()],
        },
    };
    let mut t = Trainer::new(p, step.method, start.weights, start.biases, false, a.compute.pool()?)
        .with_precision(a.compute.precision)
        .with_settle(a.fixed.check()?);
    // a resumed run goes on saving into its directory unless told otherwise
    let out_dir = a.run.prepare()?;
    let out = out_dir.as_deref();
    let session = Session { a, net: &net, spec: &spec, p, train: &train, test: test.as_ref(), fakes, seed, out };
    let cols =
        ["epoch", "gwms", "rrr_err", "fp_batch", "tn_batch", "fp_train", "tn_train", "fp_test", "tn_test", "seconds"];
    let mut rep = Reporter::new(a.json, &cols);
    let mut last = session.epochs(&mut t, &saved, &mut rep)?;
    let classifier = t.classifier(&net);
    let (codes, drawn) =
        accepted(&model.ide, &classifier, a.count, 1000 * a.count.max(1000), &mut stream(seed, 0, SAMPLES));
    let images = auto.pass(Start::Code, &codes).out;
    if let Some(dir) = out {
        let text: String = images
            .chunks_exact(src.train.dims)
            .map(|r| r.iter().map(|v| format!("{v}")).collect::<Vec<_>>().join(" ") + "\n")
            .collect();
        let mut files = vec![(dir.join("generated.txt"), format!("{}\n\n{text}", src.train.dims).into_bytes())];
        if let Some(side) = src.image {
            files.push((dir.join("generated.png"), tiles(&images, side).png_for(dir)?));
        }
        write_all(&files)?;
    }
    let accepted = codes.len() / model.ide.nodes();
    last["generated"] = json!(accepted);
    last["drawn"] = json!(drawn);
    last["accept_rate"] = json!(accepted as f64 / drawn.max(1) as f64);
    rep.last(last)?;
    Ok(())
}
