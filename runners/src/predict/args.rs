//! Arguments of `lwl predict`.

use std::path::PathBuf;

use clap::Args;

use crate::args::{DataArgs, FixedPoint};

pub const PREDICT_ABOUT: &str = "Classify data with a parameter file written by `lwl classify --out`: \
a forward pass with the consensus weights and biases, the class with the largest y − b wins (on a \
net with cycles, an implicit model, the pass is repeated from zero states to its fixed point: \
--picard, --picard-tol). Prints the error rate (and with --json one object with the counts, and \
on a net with cycles the most passes an item needed and the items that did not converge).";

/// Arguments of `lwl predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Parameter file written by `lwl classify --out`.
    #[arg(long, value_name = "FILE")]
    pub params: PathBuf,
    /// The network file the parameters belong to (default: net.txt beside
    /// the parameter file).
    #[arg(long, value_name = "FILE")]
    pub net: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Activation of the hidden nodes (as trained).
    #[arg(long, default_value = "relu", value_name = "NAME")]
    pub activation: String,
    /// Full width Δ of the step gap or the zigmoid ramp (as trained).
    #[arg(long, default_value_t = 0.4)]
    pub width: f64,
    /// Soft threshold τ (as trained).
    #[arg(long, default_value_t = 0.1)]
    pub tau: f64,
    /// Seed of generated data (--majority).
    #[arg(long)]
    pub seed: Option<u64>,
    /// One JSON object on standard output.
    #[arg(long)]
    pub json: bool,
    /// Inference on a net with cycles.
    #[command(flatten)]
    pub fixed: FixedPoint,
}
