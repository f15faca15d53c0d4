//! `lwl regress`: regression by RRR on the sparse tanh teacher of the
//! implicit deep learning paper (section 7.1, [`crate::datasets::teacher`]).
//! The classifier's constraints and training loop ([`crate::classify`])
//! with linear output nodes fixed to real targets
//! ([`lwl_kernel::class::ClassMode::Targets`]) instead of class margins.

mod args;

use std::time::Instant;

use lwl_kernel::class::ClassMode;
use lwl_kernel::network::Params;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Value, json};

pub use args::{ABOUT, EXAMPLES, RegressArgs};

use crate::args::{activation, check};
use crate::classify::{Classifier, ItemStatus, Stop, Trainer};
use crate::datasets::teacher::{self, Regression};
use crate::engine::netinit::random_weights;
use crate::error::Error;
use crate::formats::datafile::LabeledData;
use crate::formats::netfile::NetSpec;
use crate::output::report::{Reporter, mean_std, progress, seed};

/// A regression set as the classifier's trainer takes it: the inputs as
/// items (labels unused) and the targets item-major.
struct Items {
    data: LabeledData,
    targets: Vec<f64>,
}

impl Items {
    fn new(r: &Regression) -> Self {
        let (dims, outs, m) = (r.u.nrows(), r.y.nrows(), r.u.ncols());
        let values = (0..m).flat_map(|k| (0..dims).map(move |i| r.u[(i, k)])).collect();
        let targets = (0..m).flat_map(|k| (0..outs).map(move |i| r.y[(i, k)])).collect();
        Self { data: LabeledData { dims, classes: outs, values, labels: vec![0; m] }, targets }
    }

    /// The root-mean-square error of `model`'s outputs over every item and
    /// output.
    fn rmse(&self, model: &Classifier) -> f64 {
        let outs = self.data.classes;
        let mut s = 0.0;
        for k in 0..self.data.len() {
            let y = model.outputs(self.data.item(k));
            for (c, v) in y.iter().enumerate() {
                s += (v - self.targets[k * outs + c]).powi(2);
            }
        }
        (s / (self.targets.len().max(1)) as f64).sqrt()
    }
}

/// Runs `lwl regress`.
pub fn run(a: &RegressArgs) -> Result<(), Error> {
    a.trials.check()?;
    check::positive("--omega", a.omega)?;
    check::positive("--upsilon", a.upsilon)?;
    check::non_negative("--tolerance", a.tolerance)?;
    check::schedule(a.batch, a.epochs, a.iter, 0.0)?;
    let step = a.rrr.check(1.0, a.compute.precision)?;
    let act = activation(&a.activation, a.width, a.tau)?;
    let sizes = &a.layers.0;
    let (inputs, outputs) = (teacher::LAYERS[0], teacher::LAYERS[teacher::LAYERS.len() - 1]);
    if sizes.len() < 2 || sizes[0] != inputs || sizes[sizes.len() - 1] != outputs {
        return Err(Error::Usage(format!(
            "--layers {}: the teacher has {inputs} inputs and {outputs} outputs",
            sizes.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
        )));
    }
    let spec = NetSpec::layered(sizes)?;
    let net = spec.net()?;
    let params = Params {
        beta: step.beta,
        gamma: step.gamma,
        omega: a.omega,
        upsilon: a.upsilon,
        margin: a.tolerance,
        activation: act,
        class_mode: ClassMode::Targets,
    };
    let seed = seed(a.seed, "regress");
    let stop = Stop { iters: a.iter, tol: 0.0 };
    let mut rep = Reporter::new(a.json, &["trial", "epoch", "gwms", "rrr_err", "train_rmse", "test_rmse", "seconds"]);
    let bar = progress((a.trials.trials * a.epochs) as u64, "regress");
    let mut last: Vec<[f64; 3]> = vec![];
    let mut gwms = 0.0;
    for trial in 0..a.trials.trials {
        let (s, t) = a.trials.teacher(seed, trial)?;
        let (train, test) = (Items::new(&t.train), Items::new(&t.test));
        let zero = teacher::rmse(faer::Mat::zeros(t.test.y.nrows(), t.test.y.ncols()).as_ref(), t.test.y.as_ref());
        let weights = random_weights(&spec, a.omega, &mut Xoshiro256PlusPlus::seed_from_u64(s));
        let mut trainer = Trainer::new(params, step.method, weights, vec![0.0; spec.nodes()], false, a.compute.pool()?)
            .with_precision(a.compute.precision);
        let mut status = vec![ItemStatus::Kept; train.data.len()];
        let mut order: Vec<usize> = (0..train.data.len()).collect();
        let start = Instant::now();
        let mut rec = Value::Null;
        for epoch in 1..=a.epochs {
            crate::shuffle::epoch_order(&mut order, s, epoch);
            let mut rrr_err = f64::NAN;
            for chunk in order.chunks(a.batch) {
                let mode = ClassMode::Targets;
                rrr_err = trainer.batch(&net, &train.data, &train.targets, chunk, mode, stop, &mut status)?.rrr_err;
            }
            check::finite_state(epoch, &[&trainer.weights, &trainer.biases])?;
            let model = trainer.classifier(&net);
            rec = json!({
                "trial": trial + 1,
                "seed": s,
                "epoch": epoch,
                "gwms": trainer.counters().weight_multiplies as f64 * 1e-9,
                "rrr_err": rrr_err,
                "train_rmse": train.rmse(&model),
                "test_rmse": test.rmse(&model),
                "zero_test_rmse": zero,
                "seconds": start.elapsed().as_secs_f64(),
            });
            bar.inc(1);
            bar.suspend(|| rep.record(&rec))?;
        }
        last.push([
            rec["train_rmse"].as_f64().unwrap_or(f64::NAN),
            rec["test_rmse"].as_f64().unwrap_or(f64::NAN),
            zero,
        ]);
        gwms += rec["gwms"].as_f64().unwrap_or(0.0);
    }
    bar.finish_and_clear();
    let col = |i: usize| last.iter().map(|r| r[i]).collect::<Vec<f64>>();
    rep.last(json!({
        "trials": a.trials.trials,
        "epochs": a.epochs,
        "layers": sizes,
        "activation": a.activation,
        "tolerance": a.tolerance,
        "train_rmse": mean_std(&col(0)),
        "test_rmse": mean_std(&col(1)),
        "zero_test_rmse": mean_std(&col(2)),
        "gwms_per_trial": gwms / a.trials.trials as f64,
    }))
}
