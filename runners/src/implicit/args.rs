//! Arguments of `lwl implicit`.

use clap::Args;

use crate::args::FixedPoint;
use crate::feedforward::NetRun;

pub const ABOUT: &str = "Train an implicit model x = φ(A x + B u + b), ŷ = C x + D u + c (the implicit deep \
learning paper; φ ReLU or tanh) by block-coordinate descent on its bi-convex relaxation (eq. 10–11): \
E = ½‖Y − (C P + D U)‖² + Σ_g λ_g f_φ(P_g, A_g X + B_g U) + μ/2 ‖X − P‖² + δ/2 (Σ_g λ_g ‖A_g, B_g‖² + \
‖C, D‖²), f_φ the Fenchel divergence Φ(P) + Φ*(Z) − ⟨P, Z⟩ (zero exactly where P = φ(Z)), X the states \
and P their proxies, the whole training set as one batch. Each sweep updates the blocks in --order: \
cd (eq. 12, least squares), p (eq. 15, entry by entry; for ReLU without the loss term the closed form \
max((λZ + μX)/(λ + μ), 0)), ab (eq. 13, row by row, each row of A within the ℓ1 ball of --kappa so \
that ‖A‖∞ ≤ κ < 1 keeps the model well-posed, each row of B within --kappa-b), x (eq. 14); every \
block leaves E no larger. --states N trains a dense model (A a full N × N matrix); without it \
--layers gives a feed-forward net written as an implicit model (A strictly block-lower-triangular, \
well-posed for any weights). Prediction is Picard iteration x ← φ(A x + B u + b) from x = 0, at most \
--picard steps, until no state changes by more than --picard-tol; a model with ‖A‖∞ ≥ 1 that is not \
triangular is refused unless --iterate-anyway. After every sweep one line is printed: epoch (sweep), \
GWMs (1e9 multiply-adds, the unit of RRR's weight-multiplies), the objective and its terms, train_err \
and test_err, ‖A‖∞, the most Picard steps an item needed and the items that did not converge, seconds. \
With --out DIR the run is saved after every sweep (model.txt: per state block, then the output, one \
line per row, its weights on the state block it reads, on the inputs, then its bias; states.txt: X \
and P, one row per training item; progress.json: the last record, counters, seed and settings), and \
--resume DIR continues it exactly as one longer run.\n\n\
--teacher is the paper's section 7.1: a sparse tanh teacher 20 → 12 → 6 → 5 (each weight zero with \
probability 0.7, else uniform in [−0.5, 0.5]), --train-items inputs from N(0, M Mᵀ − λ_min I) and \
--test-items from a fresh covariance; the student (the same layers, tanh, unless given) is trained by \
BCD and, beside it, by RMSProp on the squared error (`lwl sgd`'s back-propagation; --baseline-epochs, \
--baseline-lr, --baseline-batch). --trials N repeats with seeds seed, seed + 1, …: one record per \
trial (test and training RMSE of BCD after 5 sweeps and at the end, RMSProp's, the gaps BCD − RMSProp, \
the zero predictor's RMSE) and a summary (mean and standard deviation of each). The paper states no λ or \
μ; on the teacher small ones work (λ 0.001, μ 0.01, 100 sweeps), λ = μ = 1 barely learns.";

pub const EXAMPLES: &str = "Examples:\n  \
lwl implicit --teacher --trials 50 --epochs 100 --lambda 0.001 --mu 0.01 --json   # section 7.1\n  \
lwl implicit --majority 2 --states 30 --epochs 20          # a dense implicit classifier\n  \
lwl implicit --mnist --states 100 --epochs 15 --out run   # MNIST, n = 100\n  \
lwl implicit --resume run --epochs 5                      # five more sweeps\n  \
lwl implicit --mnist --layers 784,64,10 --activation tanh --epsilon 0.5";

/// Arguments of `lwl implicit`.
#[derive(Clone, Debug, Args)]
pub struct ImplicitArgs {
    /// Data, layers, activation, sweeps (--epochs), seed, output.
    #[command(flatten)]
    pub run: NetRun,
    /// Built-in: the section 7.1 sparse tanh teacher and its regression
    /// data (layers 20,12,6,5 unless --layers).
    #[arg(long, conflicts_with_all = ["train", "mnist", "majority"])]
    pub teacher: bool,
    /// A dense model of N states (one block reading itself) instead of
    /// the layered model of --layers.
    #[arg(long, value_name = "N", conflicts_with = "layers")]
    pub states: Option<usize>,
    /// Dual weight λ of each state block's divergence: one value, or one
    /// per block, comma-separated.
    #[arg(long, default_value = "1", value_name = "λ", allow_hyphen_values = true)]
    pub lambda: String,
    /// The paper's schedule instead of --lambda: λ = ε for the last block,
    /// ε² for the one before, …
    #[arg(long, value_name = "ε", conflicts_with = "lambda", allow_negative_numbers = true)]
    pub epsilon: Option<f64>,
    /// Weight μ of the coupling ‖X − P‖².
    #[arg(long, default_value_t = 1.0, value_name = "μ", allow_negative_numbers = true)]
    pub mu: f64,
    /// Ridge δ on every weight (not the biases).
    #[arg(long, default_value_t = 1e-3, value_name = "δ", allow_negative_numbers = true)]
    pub decay: f64,
    /// Bound κ on every row's ℓ1 norm in A, so ‖A‖∞ ≤ κ (default: 0.95 for
    /// --states, none for a layered model).
    #[arg(long, value_name = "κ", allow_negative_numbers = true)]
    pub kappa: Option<f64>,
    /// Bound on every row's ℓ1 norm in B (default: none).
    #[arg(long, value_name = "κ_B", allow_negative_numbers = true)]
    pub kappa_b: Option<f64>,
    /// Projected gradient steps of a row whose step leaves its ℓ1 ball.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub inner: usize,
    /// The blocks of a sweep, in order, comma-separated (cd, p, ab, x).
    #[arg(long, default_value = "cd,p,ab,x", value_name = "LIST")]
    pub order: String,
    /// Picard iteration of an inference.
    #[command(flatten)]
    pub fixed: FixedPoint,
    /// Allow a dense model with κ ≥ 1 (not known to be well-posed).
    #[arg(long)]
    pub iterate_anyway: bool,
    /// --teacher: trials and their items.
    #[command(flatten)]
    pub trials: crate::args::Trials,
    /// --teacher: RMSProp epochs of the baseline (0: no baseline).
    #[arg(long, default_value_t = 150, value_name = "N")]
    pub baseline_epochs: usize,
    /// --teacher: RMSProp learning rate.
    #[arg(long, default_value_t = 0.01, value_name = "η", allow_negative_numbers = true)]
    pub baseline_lr: f64,
    /// --teacher: RMSProp items per batch.
    #[arg(long, default_value_t = 128, value_name = "B")]
    pub baseline_batch: usize,
}
