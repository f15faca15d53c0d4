//! Arguments of `lwl admm`.

use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};

use crate::feedforward::NetRun;
use crate::lifted::OutputArgs;

pub const ABOUT: &str = "Train a feed-forward ReLU net without gradients by splitting it into \
layers: every layer's pre-activations z_l and activations a_l become variables of their own on the \
whole training set, tied to the weights by z_l = W_l a_{l−1} + b_l and a_l = relu(z_l), and every \
block is updated in closed form. Two methods:\n\n\
--method admm (default): the layer-split ADMM of Taylor et al. 2016 (arXiv 1605.02026, Algorithm 1): \
the constraints become the penalties β‖z_l − W_l a_{l−1} − b_l‖² and γ‖a_l − relu z_l‖², and the output \
layer's linear constraint also carries a Lagrange multiplier λ that accumulates, λ ← λ + β(z_L − W_L \
a_{L−1} − b_L), after --warm iterations without it. One iteration updates, layer by layer from the \
input, W_l by least squares (z_l a_{l−1}⁺), a_l, z_l (entry by entry, the better of two pieces), then \
W_L, z_L (the prox of the output loss) and λ.\n\n\
--method bcd: the block-coordinate descent of Zeng et al. 2019 (arXiv 1803.00225, Algorithm 1, the \
three-splitting form): the objective ℓ(V_L) + γ/2‖V_L − U_L‖² + Σ γ/2‖V_l − relu U_l‖² + \
Σ ρ/2‖U_l − W_l V_{l−1} − b_l‖², updated from the output layer backwards (V_L, U_L, W_L, then V_l, \
U_l, W_l for l = L−1..1) with the proximal term α/2‖· − ·_old‖² on V_L, U_l and W_l, so that the \
objective never increases.\n\n\
Both take the data and net options of `lwl lifted`; both include biases (the papers' nets have none; \
RRR's have them). An epoch is one iteration over the whole training set (the papers' methods are \
full-batch). After every epoch the training and test sets are classified by a forward pass of the \
weights and one line is printed: epoch, GWMs (1e9 multiply-adds, counted as `lwl lifted` counts \
them), train_err, test_err, the objective per item (ADMM's without its multiplier term), the largest \
relative violation of a split constraint (residual), seconds. With --out DIR the run is saved after \
every epoch (params.txt as `lwl lifted` writes it; states.txt: per training item a_1, …, a_{L−1}, \
z_1, …, z_L and λ or V_L; progress.json), and --resume DIR continues it exactly as one longer run.";

pub const EXAMPLES: &str = "Examples:\n  \
lwl admm --majority 2 --epochs 50                        # 13-26-2, Taylor et al.'s ADMM\n  \
lwl admm --majority 2 --epochs 50 --method bcd           # Zeng et al.'s BCD\n  \
lwl admm --mnist --layers 784,20,10 --epochs 100 --out run\n  \
lwl admm --resume run --epochs 100                       # a hundred more";

/// The method of `--method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MethodArg {
    /// Taylor et al. 2016: layer-split ADMM, a multiplier on the output layer.
    Admm,
    /// Zeng et al. 2019: block-coordinate descent from the output backwards.
    Bcd,
}

/// Arguments of `lwl admm`.
#[derive(Clone, Debug, Args)]
pub struct AdmmArgs {
    /// Data, layers, epochs, seed, output, run directory (the activation
    /// must be relu).
    #[command(flatten)]
    pub run: NetRun,
    /// The method.
    #[arg(long, value_enum, default_value = "admm")]
    pub method: MethodArg,
    /// β of ADMM, the weight of the linear constraints (Taylor et al.: 1).
    #[arg(long, default_value_t = 1.0, value_name = "β", allow_negative_numbers = true)]
    pub beta: f64,
    /// γ, the weight of the activation constraints (default: 10 for ADMM,
    /// Taylor et al.'s; 1 for BCD, Zeng et al.'s).
    #[arg(long, value_name = "γ", allow_negative_numbers = true)]
    pub gamma: Option<f64>,
    /// Iterations of ADMM before the multiplier is updated (the warm start).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub warm: usize,
    /// ρ of BCD, the weight of the linear constraints (Zeng et al.: 1).
    #[arg(long, default_value_t = 1.0, value_name = "ρ", allow_negative_numbers = true)]
    pub rho: f64,
    /// α of BCD, the proximal weight (Zeng et al.: 5).
    #[arg(long, default_value_t = 5.0, value_name = "α", allow_negative_numbers = true)]
    pub alpha: f64,
    /// Weight decay λ of the weight updates (biases are not decayed); it
    /// also keeps ADMM's least squares well posed.
    #[arg(long, default_value_t = 1e-3, value_name = "λ", allow_negative_numbers = true)]
    pub lambda: f64,
    /// The output layer's loss and margin.
    #[command(flatten)]
    pub output: OutputArgs,
}
