//! `lwl sgd`: the gradient yardstick beside RRR and the lifted trainer,
//! mini-batch back-propagation ([`backprop`]) on the same data and nets.

pub mod args;
pub mod backprop;

use std::time::Instant;

use faer::Mat;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::json;

pub use args::{ABOUT, EXAMPLES, Optimizer, SgdArgs};
use backprop::{State, loss_and_gradient};

use crate::args::check;
use crate::error::Error;
use crate::feedforward::{Activation, Params, error_rate, inputs, linear_units};
use crate::output::report::Reporter;

/// scikit-learn's initialisation: weights and biases uniform in
/// ±√(6/(n_in + n_out)).
fn initial(sizes: &[usize], act: Activation, rng: &mut Xoshiro256PlusPlus) -> Params {
    let mut p = Params { w: Vec::new(), b: Vec::new(), act };
    for s in sizes.windows(2) {
        let r = (6.0 / (s[0] + s[1]) as f64).sqrt();
        p.w.push(Mat::from_fn(s[1], s[0], |_, _| r * (2.0 * rng.random::<f64>() - 1.0)));
        p.b.push((0..s[1]).map(|_| r * (2.0 * rng.random::<f64>() - 1.0)).collect());
    }
    p
}

/// Runs `lwl sgd`.
pub fn run(a: &SgdArgs) -> Result<(), Error> {
    check::positive("--lr", a.lr)?;
    check::non_negative("--alpha", a.alpha)?;
    if !(0.0..1.0).contains(&a.momentum) {
        return Err(Error::Usage(format!("--momentum {}: must be in [0, 1)", a.momentum)));
    }
    let (seed, sets, sizes) = a.run.prepare("sgd")?;
    let train = &sets.train;
    let batch = a.batch.unwrap_or(200).min(train.len());
    check::at_least_one("--batch", batch)?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut p = initial(&sizes, a.run.activation, &mut rng);
    let mut st = State::new(&p);
    let mut rep = Reporter::new(a.run.json, &["epoch", "gwms", "loss", "train_err", "test_err", "seconds"]);
    let (start, mut work) = (Instant::now(), 0u64);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut last = json!({});
    for epoch in 1..=a.run.epochs {
        order.shuffle(&mut rng);
        let mut loss = 0.0;
        for ks in order.chunks(batch) {
            let labels: Vec<usize> = ks.iter().map(|&k| train.labels[k] as usize).collect();
            let (l, g) = loss_and_gradient(&p, inputs(train, ks).as_ref(), &labels, a.alpha, &mut work);
            loss += l * ks.len() as f64 / train.len() as f64;
            match a.optimizer {
                Optimizer::Sgd => st.sgd(&mut p, &g, a.lr, a.momentum),
                Optimizer::Adam => st.adam(&mut p, &g, a.lr),
                Optimizer::Rmsprop => st.rmsprop(&mut p, &g, a.lr),
            }
        }
        if !loss.is_finite() {
            return Err(Error::Usage(format!("epoch {epoch}: the loss became infinite or NaN (lower --lr)")));
        }
        last = json!({
            "epoch": epoch, "gwms": work as f64 * 1e-9, "loss": loss, "train_err": error_rate(&p, train),
            "test_err": sets.test.as_ref().map(|t| error_rate(&p, t)), "seconds": start.elapsed().as_secs_f64(),
        });
        rep.record(&last)?;
    }
    last["linear_units"] = json!(linear_units(&p, train));
    rep.last(last)
}
