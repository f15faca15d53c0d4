//! Arguments of `lwl sgd`.

use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};

use crate::feedforward::NetRun;

pub const ABOUT: &str = "The gradient yardstick: mini-batch back-propagation for the same \
feed-forward nets (ReLU or tanh) as `lwl lifted`, with a softmax output and the cross-entropy (log) loss plus \
an L2 penalty α/2·‖W‖²/B, as scikit-learn's MLPClassifier defines them (its weight initialisation \
too: weights and biases uniform in ±√(6/(n_in + n_out))). Optimisers: SGD with Nesterov momentum, \
Adam and RMSProp. After every epoch the training and test sets are classified and one line is \
printed: epoch, GWMs (1e9 multiply-adds of the forward and backward passes, the unit of RRR's \
weight-multiplies), the mean loss, train_err, test_err, seconds. With --out DIR the run is saved \
after every epoch (params.txt as `lwl lifted` writes it; moments.txt, the optimiser's moments; \
progress.json, the last record, counters, seed and settings), and --resume DIR continues it exactly \
as one longer run.";

pub const EXAMPLES: &str = "Examples:\n  \
lwl sgd --mnist --optimizer sgd --lr 0.01 --batch 1000 --epochs 100   # scikit-learn's SGD settings\n  \
lwl sgd --mnist --layers 784,64,64,64,10 --optimizer adam --epochs 10\n  \
lwl sgd --majority 2 --optimizer rmsprop --lr 0.001 --out run\n  \
lwl sgd --resume run --epochs 20                                       # twenty more epochs";

/// The optimiser of `--optimizer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Optimizer {
    /// Stochastic gradient descent with Nesterov momentum (--momentum).
    Sgd,
    /// Adam (β₁ 0.9, β₂ 0.999, ε 1e-8).
    Adam,
    /// RMSProp (ρ 0.9, ε 1e-8).
    Rmsprop,
}

/// Arguments of `lwl sgd`.
#[derive(Clone, Debug, Args)]
pub struct SgdArgs {
    /// Data, layers, activation, epochs, seed, output, run directory.
    #[command(flatten)]
    pub run: NetRun,
    /// The optimiser.
    #[arg(long, value_enum, default_value = "adam")]
    pub optimizer: Optimizer,
    /// Learning rate (scikit-learn's defaults: 0.001 for Adam, 0.01 here
    /// for SGD in the paper's comparison).
    #[arg(long, default_value_t = 0.001, value_name = "η", allow_negative_numbers = true)]
    pub lr: f64,
    /// Momentum of --optimizer sgd (Nesterov).
    #[arg(long, default_value_t = 0.9, value_name = "μ", allow_negative_numbers = true)]
    pub momentum: f64,
    /// L2 penalty α (scikit-learn's `alpha`).
    #[arg(long, default_value_t = 1e-4, value_name = "α", allow_negative_numbers = true)]
    pub alpha: f64,
    /// Items per batch (default: 200, or all items when fewer).
    #[arg(long, value_name = "B")]
    pub batch: Option<usize>,
}
