//! `lwl predict`: classifies data with the parameters `lwl classify --out`
//! saved.

mod args;

use lwl_kernel::class::ClassMode;
use lwl_kernel::network::Params;
use serde_json::json;

pub use args::{PREDICT_ABOUT, PredictArgs};

use crate::args::activation;
use crate::args::data::load_for_predict;
use crate::classify::{Classifier, check_fit, state_block};
use crate::error::Error;
use crate::formats::datafile::read_text_file;
use crate::formats::netfile::NetSpec;
use crate::formats::paramfile::read_net_params;
use crate::output::report::seed;
use crate::output::write_stdout;

/// Runs `lwl predict`.
pub fn run(a: &PredictArgs) -> Result<(), Error> {
    let act = activation(&a.activation, a.width, a.tau)?;
    let net_path = a.net.clone().unwrap_or_else(|| a.params.with_file_name("net.txt"));
    let net_name = net_path.display().to_string();
    let spec = NetSpec::parse(&read_text_file(&net_path)?, &net_name)?;
    let pname = a.params.display().to_string();
    let (p, omega) = read_net_params(&read_text_file(&a.params)?, &pname, &spec)?;
    let omega = omega.ok_or_else(|| Error::Usage(format!("{pname}: not an lwl parameter file (no omega line)")))?;
    if !(omega > 0.0 && omega.is_finite()) {
        return Err(Error::Usage(format!("{pname}: omega {omega} must be positive and finite")));
    }
    let data = load_for_predict(&a.data, || seed(a.seed, "predict"))?;
    if data.is_empty() {
        return Err(Error::Usage("the data holds no items: there is nothing to classify".into()));
    }
    let net = spec.net()?;
    check_fit(&net, &data, &net_name, "the data")?;
    let params = Params {
        beta: 1.0,
        gamma: 1.0,
        omega,
        upsilon: 1.0,
        margin: 0.0,
        activation: act,
        class_mode: ClassMode::Plain,
    };
    let settle = a.fixed.check()?;
    let model = Classifier { net: &net, params: &params, settle, weights: &p.weights, biases: &p.biases };
    let c = model.evaluate(&data);
    let err = c.errors as f64 / data.len().max(1) as f64;
    let mut rec = json!({"items": data.len(), "errors": c.errors, "error_rate": err});
    let mut line = format!("{} of {} items misclassified: error rate {err:.4}", c.errors, data.len());
    if !net.is_ordered() {
        let s = state_block(&net, &p.weights, omega);
        rec["a_norm"] = json!(s.norm);
        rec["a_pf"] = json!(s.pf);
        rec["picard_steps"] = json!(c.sweeps);
        rec["unconverged"] = json!(c.unsettled);
        line += &format!(
            "; implicit model: ‖A‖∞ {:.4}, λ_pf(|A|) {:.4}, at most {} passes, {} items unconverged",
            s.norm, s.pf, c.sweeps, c.unsettled
        );
    }
    if a.json { write_stdout(&format!("{rec}\n")) } else { write_stdout(&format!("{line}\n")) }
}
