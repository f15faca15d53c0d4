//! Arguments of `lwl compare`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::methods::Name;
use crate::args::{DataArgs, Layers, Threads, parse_layers};
use crate::feedforward::Activation;

pub const ABOUT: &str = "Train one layered net on one data set with every trainer of lwl, side by \
side, over --seeds seeds, and tell them apart: RRR (`lwl classify`), lifted training with the \
quadratic and the Bregman penalty (`lwl lifted`), implicit BCD on the layered net (`lwl implicit \
--layers`), the local propagation learner where the net fits it (every hidden layer as wide as the \
input: `lwl localprop --nodes` hidden layers), Taylor et al.'s ADMM and Zeng et al.'s BCD (`lwl \
admm`), back-propagation with SGD (scikit-learn's settings: learning rate 0.01, Nesterov momentum \
0.9) and with Adam (`lwl sgd`). Each runs as its own command with its documented defaults, the \
data options and --layers given here, one seed after another (seed s of every method sees the \
same data: generated data are drawn from the seed), on --threads where the command has threads; \
--with adds flags to one method.\n\n\
By default each method runs its own default number of epochs (10 for all but localprop's 120 \
iterations); --epochs N gives all the same count; --gwm G gives all the same work: each runs until \
its first record at or past G GWMs (1e9 weight-multiplies or multiply-adds, every command counts \
the same way). The table gives per method the test error (mean ± sd over seeds) and the training \
error of the last record, its GWMs and seconds (mean), and for the constraint methods the gap of \
their own constraints (RRR: RRR_err; lifted: the penalty; implicit: the Fenchel divergence; \
localprop: the goal error; ADMM and BCD: the largest relative violation of a split constraint) and \
whether the training constraints were met exactly (gap ≤ 1e-6 and train_err 0 on every seed). \
--target E adds, per method, the work and the wall time from the start of training to the first \
record with test_err ≤ E (mean over the seeds that reached it). --json prints one object per \
method; --out DIR writes compare.png (test error against GWM and against seconds, every method's \
mean curve), records.jsonl (every record of every run, with its method and seed) and \
summary.json.\n\n\
--teacher compares regressions instead: the implicit deep learning paper's sparse tanh teacher \
(section 7.1; 1000 training and 500 test inputs, the test inputs from another covariance), one \
teacher per seed, learnt by RRR (`lwl regress`, a zigmoid student: RRR has no tanh set) and by \
implicit BCD and RMSProp (`lwl implicit --teacher` with λ 0.001, μ 0.01 and 100 sweeps; tanh \
students) on the same data from the same initial weights; the table gives per method the student, \
the test RMSE (mean ± sd over seeds), the training RMSE, GWMs and seconds, and the zero predictor's \
test RMSE; --out writes teacher.png (test RMSE per seed), records.jsonl and summary.json.";

pub const EXAMPLES: &str = "Examples:\n  \
lwl compare --majority 2 --seeds 1                        # every method, one seed\n  \
lwl compare --mnist --layers 784,20,10 --seeds 3 --out cmp\n  \
lwl compare --mnist --methods rrr,adam,admm --gwm 50 --target 0.1 --json\n  \
lwl compare --teacher --seeds 10 --out teacher                # the regression table";

/// Parses `NAME: FLAGS` of `--with`.
fn parse_with(s: &str) -> Result<(Name, Vec<String>), String> {
    let (name, flags) =
        s.split_once(':').ok_or_else(|| format!("'{s}': give NAME: FLAGS, e.g. 'rrr: --batch 1000'"))?;
    let name = Name::from_str(name.trim(), false).map_err(|_| format!("'{}' is not a method", name.trim()))?;
    Ok((name, flags.split_whitespace().map(str::to_string).collect()))
}

/// Arguments of `lwl compare`.
#[derive(Clone, Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Layer sizes from inputs to classes, comma-separated (default for
    /// built-in data: 13,26·(depth−1),2 for --majority, 784,20,10 for --mnist).
    #[arg(long, value_name = "SIZES", value_parser = parse_layers)]
    pub layers: Option<Layers>,
    /// The hidden layers' activation: relu, tanh, or step for binary nets
    /// (RRR's gapped step; back-propagation through it by the
    /// straight-through estimator; the Bregman lifted trainer with the
    /// step's potential). Methods that do not train it are left out.
    /// (Default: relu; with --teacher each method's own: RRR the zigmoid,
    /// the others tanh.)
    #[arg(long, value_enum)]
    pub activation: Option<Activation>,
    /// The regression comparison on the implicit deep learning paper's
    /// sparse tanh teacher (20 → 12 → 6 → 5): RRR (`lwl regress`), implicit
    /// BCD and RMSProp (`lwl implicit --teacher`), one trial per seed.
    #[arg(long, conflicts_with_all = ["train", "mnist", "majority"])]
    pub teacher: bool,
    /// The methods, comma-separated (default: every one that fits the net).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "LIST")]
    pub methods: Option<Vec<Name>>,
    /// Seeds per method: --seed, --seed + 1, ….
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub seeds: usize,
    /// The first seed.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// The same number of epochs (localprop: iterations) for every method
    /// (default: each method's own).
    #[arg(long, value_name = "N", conflicts_with = "gwm")]
    pub epochs: Option<usize>,
    /// The same work for every method: each stops at its first record at or
    /// past this many GWMs.
    #[arg(long, value_name = "G")]
    pub gwm: Option<f64>,
    /// Report the work and time each method takes to reach this test error.
    #[arg(long, value_name = "E")]
    pub target: Option<f64>,
    /// Extra flags for one method, as `NAME: FLAGS` (repeatable), e.g.
    /// `--with "rrr: --batch 1000 --exempt 0.5% --margin 0.7"`: they change
    /// the method's defaults (not the flags compare gives it: the data, the
    /// net, the seed, the threads, the length).
    #[arg(long = "with", value_name = "NAME: FLAGS", value_parser = parse_with)]
    pub with: Vec<(Name, Vec<String>)>,
    /// One JSON object per method on standard output.
    #[arg(long)]
    pub json: bool,
    /// Directory for compare.png, records.jsonl and summary.json (one that
    /// holds another comparison is refused unless --force).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write --out into a directory that holds another comparison.
    #[arg(long)]
    pub force: bool,
    /// Threads of each run (of the commands that have threads).
    #[command(flatten)]
    pub threads: Threads,
}
