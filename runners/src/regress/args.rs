//! Arguments of `lwl regress`.

use clap::Args;

use crate::args::{Compute, Rrr};

pub const ABOUT: &str = "Regression by RRR: the implicit deep learning paper's sparse tanh teacher \
(section 7.1: 20 → 12 → 6 → 5, each weight zero with probability 0.7, else uniform in [−0.5, 0.5]; \
--train-items inputs from N(0, M Mᵀ − λ_min I), --test-items from a fresh covariance; the same data \
`lwl implicit --teacher` draws for the same seed) learnt by a layered student of --layers with an \
RRR activation at its hidden nodes. The constraints are those of `lwl classify` (section 5) with one \
change: the output nodes are linear and their value z = y − b must lie within --tolerance of the \
item's real target, a projection onto an interval (y and b move equally and oppositely), where a \
classifier's output nodes carry class margins. No RRR activation set is tanh: the student cannot \
be the teacher's net; the default is the nearest set, the zigmoid (a ramp from 0 to 1 over a \
pre-activation interval of --width, clipped), with the width 4 and Ω 4 that gave the lowest test \
RMSE on trials 1–10 of a small scan (ReLU students generalise worse than predicting zero: the test \
inputs come from another covariance, and an unbounded activation extrapolates). The targets are \
met only approximately, so RRR_err does not reach zero. Batches, \
iterations, the warm start from the consensus weights and biases are those of `lwl classify`. \
After every epoch one line: trial, epoch, GWMs, RRR_err, train and test RMSE of the forward pass; \
--trials N repeats with seeds seed, seed + 1, … (teacher, data and initial weights), and a closing \
record gives the mean and standard deviation over the trials of the last epoch's RMSEs and the \
zero predictor's test RMSE.";

pub const EXAMPLES: &str = "Examples:\n  \
lwl regress --trials 10 --seed 1              # RRR on ten teachers\n  \
lwl regress --activation relu --omega 2      # a ReLU student\n  \
lwl regress --tolerance 0.02 --json           # targets met to ±0.02";

/// Arguments of `lwl regress`.
#[derive(Clone, Debug, Args)]
pub struct RegressArgs {
    /// Student layers, comma-separated (the teacher's 20 inputs and 5
    /// outputs at the ends).
    #[arg(long, value_name = "LIST", default_value = "20,12,6,5", value_parser = crate::args::parse_layers)]
    pub layers: crate::args::Layers,
    /// Hidden activation: zigmoid (the nearest RRR set to tanh), relu,
    /// step or soft.
    #[arg(long, default_value = "zigmoid", value_name = "NAME")]
    pub activation: String,
    /// Full width Δ of the step gap or the zigmoid ramp.
    #[arg(long, default_value_t = 4.0, value_name = "Δ")]
    pub width: f64,
    /// Soft threshold τ.
    #[arg(long, default_value_t = 0.1, value_name = "τ")]
    pub tau: f64,
    /// Half-width of the target interval: |z − t| ≤ tolerance.
    #[arg(long, default_value_t = 0.0, value_name = "ε", allow_negative_numbers = true)]
    pub tolerance: f64,
    /// The RRR step.
    #[command(flatten)]
    pub rrr: Rrr,
    /// Norm Ω of every node's incoming weights.
    #[arg(long, default_value_t = 4.0, value_name = "Ω")]
    pub omega: f64,
    /// Metric weight Υ of output-node y and b.
    #[arg(long, default_value_t = 1.0, value_name = "Υ")]
    pub upsilon: f64,
    /// Items per batch.
    #[arg(long, default_value_t = 100, value_name = "B")]
    pub batch: usize,
    /// Epochs (passes over the training set).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub epochs: usize,
    /// RRR iterations per batch.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub iter: usize,
    /// Trials and their items.
    #[command(flatten)]
    pub trials: crate::args::Trials,
    /// Seed of trial 1 (default: fresh, printed).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Precision and threads.
    #[command(flatten)]
    pub compute: Compute,
    /// One JSON object per epoch on standard output.
    #[arg(long)]
    pub json: bool,
}
