//! Arguments of `lwl lifted`.

use clap::{Args, ValueEnum};

use crate::feedforward::NetRun;

pub const ABOUT: &str = "Train a feed-forward ReLU net by lifted block-coordinate descent (the \
Bregman lifted networks paper): every hidden layer's outputs become variables X_l ≥ 0 of their own, \
tied to Z_l = W_l X_{l-1} + b_l by a penalty instead of an equality, quadratic (½‖X − Z‖², the \
classical lifted network, eq. 1) or Bregman (½‖X‖² + ½‖relu(Z)‖² − ⟨X, Z⟩, eq. 2–3, whose gradient \
needs no derivative of the activation). The output layer fits the one-hot targets by least squares. \
Per batch, --iter sweeps update W_L, X_{L-1}, W_{L-1}, …, X_1, W_1 in turn, each block in closed form \
(weights by regularised least squares or its majorant, with a Cholesky factor; states entry by entry \
over X ≥ 0), so the objective never increases within a batch; the weights warm-start the next \
batch, whose states start from a forward pass. After every epoch the training and test sets are \
classified by a forward pass and one line is printed: epoch, GWMs (1e9 multiply-adds, the unit of \
RRR's weight-multiplies), train_err, test_err, the objective and its terms, seconds.";

pub const EXAMPLES: &str = "Examples:\n  \
lwl lifted --majority 2 --epochs 5                       # 13-26-2, Bregman penalty\n  \
lwl lifted --mnist --layers 784,64,64,64,10 --penalty quadratic --epochs 10\n  \
lwl lifted --train train.txt --test test.txt --layers 13,26,2 --gamma 0.5 --json";

/// The penalty of `--penalty`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PenaltyArg {
    /// ½‖X − Z‖² (classical lifted network).
    Quadratic,
    /// ½‖X‖² + ½‖relu(Z)‖² − ⟨X, Z⟩ (Bregman lifted network).
    Bregman,
}

/// Arguments of `lwl lifted`.
#[derive(Clone, Debug, Args)]
pub struct LiftedArgs {
    /// Data, layers, epochs, seed, output.
    #[command(flatten)]
    pub run: NetRun,
    /// The penalty tying each hidden layer's states to its pre-activations.
    #[arg(long, value_enum, default_value = "bregman")]
    pub penalty: PenaltyArg,
    /// Penalty weight γ: one value for every hidden layer, or one per hidden
    /// layer, comma-separated.
    #[arg(long, default_value = "1", value_name = "γ", allow_hyphen_values = true)]
    pub gamma: String,
    /// Weight decay λ (biases are not decayed).
    #[arg(long, default_value_t = 1e-3, value_name = "λ", allow_negative_numbers = true)]
    pub lambda: f64,
    /// Items per batch (default: 128, or all items when fewer).
    #[arg(long, value_name = "B")]
    pub batch: Option<usize>,
    /// Sweeps over every block per batch.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub iter: usize,
}
