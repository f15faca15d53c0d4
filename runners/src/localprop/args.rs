//! Arguments of `lwl localprop`.

use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};

use super::chain::{Deviation, Target, WeightStep};
use crate::args::{DataArgs, Layers, RunDir, Threads, parse_layers};

pub const ABOUT: &str = "Train a chain of square nodes by the two-stage local propagation algorithm \
(the local propagation constraints paper, section 3), without a loss and without back-propagation. \
Node l holds U_l = sNT(A_{l−1} U_{l−1}), the sparsifying nonlinear transform (eq. 4: soft \
thresholding at the item's own level τ, keeping --keep entries); one node carries the local goal \
(--goal), the exactly discriminative representation G (eq. 12: no coordinate used by two classes). Each \
iteration draws a batch (--batch-fraction of the training set) and runs stage one, the forward pass of \
sNTs and the goal, then stage two, every node apart and in parallel: the corrective sNT \
Y_l = soft(Q_l − ν_l, τ) with ν_l the goal error at the goal node plus the diffusion term \
λ_f A_lᵀ e_{l+1} + λ_b A_{l−1} e_{l−1} (eq. 10, 15), and the forward weights mapping U_{l−1} to \
W_l = Y_l − t_l − λ_f e_{l+1} (eq. 17) under the weight constraint (eq. 16, in closed form), taken \
on-line: A ← A − ρ(A − Â). The asynchronous schedule draws per node whether it takes part (section \
4.1). The evaluation is the paper's: the data are propagated through the learned sNTs and a linear \
classifier is fitted to the training set's output representations (ridge one-vs-rest here, the paper \
a linear SVM), beside the same classifier on the raw pixels. One line every --eval-every iterations: \
iteration, GWMs (1e9 multiply-adds), the goal error ‖U − G‖/‖G‖ of the batch, train_err, test_err, \
raw_test_err, seconds; the first line, iteration 0, is the random initial chain (no goal error yet), \
so that the readout's gain from learning shows.\n\n\
Ours, where the text is silent (its appendices are not published): the reading of λ_{l,1} = M_l/(2l) as \
the entries node l keeps; the exact solution of eq. 12 (not iterative), with at most ⌈N/C⌉ \
coordinates per class (--goal-balance); the deviation at nodes without a goal (--deviation); \
B_l = A_lᵀ as in section 4; the coherence term λ₃ taken to its limit A Aᵀ = I (--weights); U_{l−1} for \
eq. 17's S; ρ = 0.1; the initial scale 1/√N; the ridge readout and its α; the data scaled by one \
factor to unit variance (--center to subtract the mean first). README \"Local propagation\" lists which \
parts follow the paper.";

pub const EXAMPLES: &str = "Examples:\n  \
lwl localprop --mnist --nodes 4 --schedule syn           # the paper's syn n[4] g[4]\n  \
lwl localprop --mnist --nodes 6 --goal middle --schedule asyn --json\n  \
lwl localprop --majority 2 --iter 30                     # 13 × 13 nodes on a majority circuit";

/// The schedule of `--schedule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    /// Every node takes part in every iteration.
    Syn,
    /// Each node takes part with probability ½ per iteration (its stale
    /// weights feed stage one otherwise).
    Asyn,
}

/// The goal node of `--goal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GoalAt {
    /// The last node (the paper's g[L]).
    Last,
    /// Node ⌈L/2⌉ (the paper's g[3] of six nodes).
    Middle,
}

/// How the goal of `--goal-balance` shares the coordinates among classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Balance {
    /// Each class owns at most ⌈N / C⌉ coordinates of the goal node.
    Balanced,
    /// Eq. 12 as it stands: each coordinate to the class that saves most.
    Free,
}

/// Arguments of `lwl localprop`.
#[derive(Clone, Debug, Args)]
pub struct LocalpropArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Nodes of the chain (the paper: 4 or 6); every weight is N × N with N
    /// the values per item.
    #[arg(long, default_value_t = 4, value_name = "L")]
    pub nodes: usize,
    /// The node with the local goal.
    #[arg(long, value_enum, default_value = "last")]
    pub goal: GoalAt,
    /// How the goal shares the goal node's coordinates among the classes:
    /// balanced (ours: at most ⌈N / C⌉ each, the exact assignment) or free
    /// (eq. 12 alone, where on MNIST one class took a growing share, 118 to
    /// 265 of 784 coordinates in 8 iterations, and the readout degraded).
    #[arg(long, value_enum, default_value = "balanced")]
    pub goal_balance: Balance,
    /// Synchronous or asynchronous updates.
    #[arg(long, value_enum, default_value = "syn")]
    pub schedule: Schedule,
    /// Iterations (the paper: 120).
    #[arg(long, default_value_t = 120, value_name = "T")]
    pub iter: usize,
    /// The batch of an iteration, a fraction of the training set (the paper:
    /// 0.15).
    #[arg(long, default_value_t = 0.15, value_name = "F")]
    pub batch_fraction: f64,
    /// Entries each node keeps, comma-separated, one per node (default
    /// round(N / (2 l)) at node l, the paper's λ_{l,1} = M_l / (2 l)).
    #[arg(long, value_name = "LIST", value_parser = parse_layers)]
    pub keep: Option<Layers>,
    /// The forward weight step: procrustes (A Aᵀ = I, the limit of the
    /// paper's coherence term λ₃‖AAᵀ − I‖²) or barrier (λ₂, λ₄ without λ₃).
    #[arg(long, value_enum, default_value = "procrustes")]
    pub weights: WeightStep,
    /// λ₂ of --weights barrier, the Frobenius penalty (the paper: 34).
    #[arg(long, default_value_t = 34.0, value_name = "λ₂")]
    pub lambda2: f64,
    /// λ₄ of --weights barrier, the log-determinant barrier (the paper: 34).
    #[arg(long, default_value_t = 34.0, value_name = "λ₄")]
    pub lambda4: f64,
    /// λ_f, the weight of the next node's deviation in the diffusion term (the paper: 1).
    #[arg(long, default_value_t = 1.0, value_name = "λ_f")]
    pub lambda_f: f64,
    /// λ_b, the weight of the previous node's deviation (the paper: 1).
    #[arg(long, default_value_t = 1.0, value_name = "λ_b")]
    pub lambda_b: f64,
    /// What the forward weights map the node's input to: paper (eq. 17,
    /// W = Y − t − λ_f e_{l+1}) or csnt (the c-sNT Y alone).
    #[arg(long, value_enum, default_value = "paper")]
    pub target: Target,
    /// On-line step ρ of A ← A − ρ(A − Â) (the paper does not give it; on
    /// MNIST 0.1 gave 6.5% test error after 20 iterations, 0.5 gave 8.6%).
    #[arg(long, default_value_t = 0.1, value_name = "ρ")]
    pub rho: f64,
    /// Subtract every value's mean over the training items before the
    /// scaling to unit variance (the paper says only "unit variance").
    #[arg(long)]
    pub center: bool,
    /// The deviation e_l at nodes without a goal: goal (0, G_l = U_l) or
    /// paper (U_l, G_l = 0, the paper's footnote 2).
    #[arg(long, value_enum, default_value = "goal")]
    pub deviation: Deviation,
    /// Standard deviation of the initial weights' i.i.d. normal entries
    /// (default 1/√N, so that a node keeps the scale of its input; the paper: 1).
    #[arg(long, value_name = "σ")]
    pub init_std: Option<f64>,
    /// Penalty α of the ridge readout (relative: α times the mean squared
    /// feature times the items).
    #[arg(long, default_value_t = 1e-3, value_name = "α")]
    pub ridge: f64,
    /// Evaluate (train and test error) every N iterations, and after the last.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub eval_every: usize,
    /// Seed of the initial weights, the batches and the schedule (default:
    /// fresh, printed).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// One JSON object per record on standard output.
    #[arg(long)]
    pub json: bool,
    /// Where the run's records are saved (progress.json, errors.png).
    #[command(flatten)]
    pub run: RunDir,
    /// Threads of stage two (its nodes are independent).
    #[command(flatten)]
    pub threads: Threads,
}
