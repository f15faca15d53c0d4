//! Arguments of `lwl classify`.

use std::path::PathBuf;

use clap::Args;

use crate::args::{Compute, DataArgs, FixedPoint, Replay, Rrr, RunDir};

pub const CLASSIFY_ABOUT: &str = "Train a classifier with RRR (section 5). Every training item of a \
batch gets its own copy of every weight and node value; set A makes the copies agree (weights on \
a sphere of radius Ω per node, node values through the activation, class margins Δ on the class \
nodes), set B makes every neuron's input consistent (x·w = Ω y) and the biases agree. RRR_iter \
iterations run per batch (--iter) or until RRR_err ≤ --tol; the consensus weights and biases then \
warm-start the next batch. After every epoch the whole training and test sets are classified by a \
feed-forward pass (largest y − b wins) and one line is printed: epoch, GWMs (1e9 weight-multiplies, \
the paper's unit of work), iterations, RRR_err, batch_err, train_err, test_err.\n\n\
A net whose hidden nodes also read higher-numbered hidden nodes (`lwl net implicit`) is an implicit \
model x = φ(A x + B u − b): every forward pass (the warm start and every prediction) repeats from \
zero states to its fixed point, at most --picard passes, and each line adds ‖A‖∞ (a_norm), the \
Perron–Frobenius root of |A| (a_pf; below 1 the iteration is a contraction), the most passes an item \
needed and the items that did not converge.\n\n\
Compromised data (section 5.3, 6.2): --exempt N lets N items per batch (or N% of the batch) skip \
their class constraint; --relabel N lets them take the nearest class instead; --fpa F gives a \
two-class net (class 0 = fake) a budget of floor(F·B·n0/N) false positives per batch.\n\n\
--out DIR keeps, after every epoch: params.txt (weights, biases, Ω), net.txt, progress.json \
(settings, counters, the error history), compromised.txt (the exempted or relabelled items), \
errors.png and, for square images, compromised.png.";

pub const CLASSIFY_EXAMPLES: &str = "Examples:\n  \
lwl classify --majority 2 --epochs 50                    # 13-26-2 on a generated depth-2 circuit\n  \
lwl classify --mnist --exempt 0.5% --margin 0.7 --batch 1000 --epochs 20 --out run\n  \
lwl classify --net net.txt --train maj13_3_train.txt --test maj13_3_test.txt --batch 128\n  \
lwl classify --resume run --epochs 10                    # ten more epochs\n  \
lwl net implicit 13 26 2 --density 0.04 --out imp.txt && lwl classify --majority 2 --net imp.txt";

/// Arguments of `lwl classify`.
#[derive(Clone, Debug, Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Network file (default for built-in data: 13 → 26·(depth−1) → 2 for
    /// --majority, 784 → 20 → 10 for --mnist).
    #[arg(long, value_name = "FILE")]
    pub net: Option<PathBuf>,
    /// Hidden activation: relu, step, zigmoid or soft.
    #[arg(long, default_value = "relu", value_name = "NAME")]
    pub activation: String,
    /// Full width Δ of the step gap or the zigmoid ramp.
    #[arg(long, default_value_t = 0.4, value_name = "Δ")]
    pub width: f64,
    /// Soft threshold τ.
    #[arg(long, default_value_t = 0.1, value_name = "τ")]
    pub tau: f64,
    /// Class margin Δ: y − b ≥ Δ at the true class, ≤ 0 elsewhere.
    #[arg(long, default_value_t = 0.1, value_name = "Δ")]
    pub margin: f64,
    /// The RRR step.
    #[command(flatten)]
    pub rrr: Rrr,
    /// Norm Ω of every node's incoming weights.
    #[arg(long, default_value_t = 2.0, value_name = "Ω")]
    pub omega: f64,
    /// Metric weight Υ of class-node y and b.
    #[arg(long, default_value_t = 1.0, value_name = "Υ")]
    pub upsilon: f64,
    /// Items per batch.
    #[arg(long, default_value_t = 128, value_name = "B")]
    pub batch: usize,
    /// Epochs (passes over the training set).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub epochs: usize,
    /// RRR iterations per batch (RRR_iter).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub iter: usize,
    /// Stop a batch early when RRR_err ≤ tol.
    #[arg(long, default_value_t = 0.0, value_name = "TOL")]
    pub tol: f64,
    /// Eccentric exemptions per batch: a count N or a percentage N%.
    #[arg(long, value_name = "N|N%", conflicts_with_all = ["relabel", "fpa"])]
    pub exempt: Option<String>,
    /// Relabelling allowance per batch: a count N or a percentage N%.
    #[arg(long, value_name = "N|N%", conflicts_with_all = ["exempt", "fpa"])]
    pub relabel: Option<String>,
    /// False-positive allowance (two classes, class 0 = fake), a fraction.
    #[arg(long, value_name = "F", conflicts_with_all = ["exempt", "relabel"])]
    pub fpa: Option<f64>,
    /// Seed, data order, RRR_err series.
    #[command(flatten)]
    pub replay: Replay,
    /// Initial weights and biases (parameter file, or a reference weight file).
    #[arg(long, value_name = "FILE", conflicts_with = "resume")]
    pub init: Option<PathBuf>,
    /// Where the run is saved (--out) and continued from (--resume).
    #[command(flatten)]
    pub run: RunDir,
    /// Precision and threads.
    #[command(flatten)]
    pub compute: Compute,
    /// Inference on a net with cycles (an implicit model).
    #[command(flatten)]
    pub fixed: FixedPoint,
    /// One JSON object per epoch on standard output.
    #[arg(long)]
    pub json: bool,
    /// The flags given on the command line (not defaults), by name.
    #[arg(skip)]
    pub given: Vec<String>,
}
