//! Arguments of `lwl lifted`.

use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};

use super::model::Output;
use crate::args::{Threads, check};
use crate::error::Error;
use crate::feedforward::NetRun;

pub const ABOUT: &str = "Train a feed-forward ReLU or tanh net by lifted block-coordinate descent \
(the Bregman lifted networks paper): every hidden layer's outputs become variables X_l of their own, \
tied to Z_l = W_l X_{l-1} + b_l by a penalty instead of an equality, quadratic (½‖X − Z‖² with X in \
the activation's range, the classical lifted network, eq. 1) or Bregman (the Fenchel divergence \
Φ(X) + Φ*(Z) − ⟨X, Z⟩, zero exactly where X = σ(Z), eq. 2–3, whose gradient needs no derivative of \
the activation; for ReLU ½‖X‖² + ½‖relu(Z)‖² − ⟨X, Z⟩). The output layer fits the one-hot targets by \
least squares, or by the squared hinge to the class set of `lwl classify` (--loss hinge, --margin). \
Per batch, --iter sweeps update W_L, X_{L-1}, W_{L-1}, …, X_1, W_1 in turn, each block in closed form \
(weights by regularised least squares or its majorant, with a Cholesky factor; states entry by entry \
over the activation's range), so the objective never increases within a batch; the weights \
warm-start the next batch, whose states start from a forward pass (with --full-batch the states are \
kept from epoch to epoch). After every epoch the training and test sets are classified by a forward \
pass and one line is printed: epoch, GWMs (1e9 multiply-adds, the unit of RRR's weight-multiplies), \
train_err, test_err, the objective and its terms, seconds. With --out DIR the run is saved after every \
epoch (params.txt: per layer one line per unit, its weights then its bias; progress.json: the last \
record, counters, seed and settings), and --resume DIR continues it exactly as one longer run.";

pub const EXAMPLES: &str = "Examples:\n  \
lwl lifted --majority 2 --epochs 5                       # 13-26-2, Bregman penalty\n  \
lwl lifted --mnist --layers 784,64,64,64,10 --penalty quadratic --batch 500 --iter 2 --out run\n  \
lwl lifted --resume run --epochs 10                      # ten more epochs\n  \
lwl lifted --mnist --activation tanh --epsilon 0.1 --loss hinge --full-batch --epochs 50\n  \
lwl lifted --train train.txt --test test.txt --layers 13,26,2 --gamma 0.5 --json";

/// The penalty of `--penalty`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PenaltyArg {
    /// ½‖X − Z‖² with X in the activation's range (classical lifted network).
    Quadratic,
    /// Φ(X) + Φ*(Z) − ⟨X, Z⟩, the Fenchel divergence (Bregman lifted network).
    Bregman,
}

/// The output loss of `--loss`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LossArg {
    /// ½‖Z_L − Y‖² to the one-hot targets.
    Squared,
    /// ½ dist²(Z_L, C): Z_L ≥ Δ at the item's class, ≤ 0 elsewhere.
    Hinge,
}

/// The output loss of the feed-forward trainers without gradients (`lwl
/// lifted`, `lwl admm`).
#[derive(Clone, Debug, Args)]
pub struct OutputArgs {
    /// The output layer's loss: squared error to the one-hot targets, or
    /// the squared hinge to the class set (z ≥ Δ at the item's class, z ≤ 0
    /// elsewhere).
    #[arg(long, value_enum, default_value = "squared")]
    pub loss: LossArg,
    /// Class margin Δ of --loss hinge.
    #[arg(long, default_value_t = 1.0, value_name = "Δ", allow_negative_numbers = true)]
    pub margin: f64,
}

impl OutputArgs {
    /// The checked loss.
    pub fn output(&self) -> Result<Output, Error> {
        check::non_negative("--margin", self.margin)?;
        Ok(match self.loss {
            LossArg::Squared => Output::Squared,
            LossArg::Hinge => Output::Hinge(self.margin),
        })
    }
}

/// Arguments of `lwl lifted`.
#[derive(Clone, Debug, Args)]
pub struct LiftedArgs {
    /// Data, layers, activation, epochs, seed, output, run directory.
    #[command(flatten)]
    pub run: NetRun,
    /// The penalty tying each hidden layer's states to its pre-activations.
    #[arg(long, value_enum, default_value = "bregman")]
    pub penalty: PenaltyArg,
    /// Penalty weight γ: one value for every hidden layer, or one per hidden
    /// layer, comma-separated.
    #[arg(long, default_value = "1", value_name = "γ", allow_hyphen_values = true)]
    pub gamma: String,
    /// The implicit-models paper's schedule instead of --gamma: γ = ε for
    /// the last hidden layer, ε² for the one before, …, ε^(L−1) for the
    /// first.
    #[arg(long, value_name = "ε", conflicts_with = "gamma", allow_negative_numbers = true)]
    pub epsilon: Option<f64>,
    /// Weight decay λ (biases are not decayed).
    #[arg(long, default_value_t = 1e-3, value_name = "λ", allow_negative_numbers = true)]
    pub lambda: f64,
    /// The output layer's loss and margin.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Items per batch (default: 128, or all items when fewer).
    #[arg(long, value_name = "B", conflicts_with = "full_batch")]
    pub batch: Option<usize>,
    /// One batch of every training item, its states kept from epoch to
    /// epoch (the papers' full-batch BCD).
    #[arg(long)]
    pub full_batch: bool,
    /// Sweeps over every block per batch.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub iter: usize,
    /// Threads of the Gram products and state updates.
    #[command(flatten)]
    pub threads: Threads,
}
