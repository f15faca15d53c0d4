//! Command-line interface: the argument structures of every subcommand.
//!
//! To add a subcommand: add a variant to [`Command`] (with its `Args`
//! struct here), write its function in a `cmd_*.rs` module, and dispatch it
//! in `main.rs`.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::cpu;
use crate::engine::Precision;

const ABOUT: &str = "lwl trains neural networks without loss functions: every constraint of \
the network is a set, and the RRR projection algorithm searches for a point in their \
intersection (Elser, Learning Without Loss).";

/// The whole command line.
#[derive(Debug, Parser)]
#[command(
    name = "lwl",
    version,
    about = ABOUT,
    propagate_version = true,
    after_help = "Examples:\n  \
lwl net complete 13 26 26 2 > net.txt     write a 13-26-26-2 classifier\n  \
lwl net check net.txt                     validate and summarize it\n  \
lwl data majority 3 --out-dir data        majority-circuit train/test sets\n\n\
Run 'lwl help <COMMAND>' for details of each command."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write and check network files.
    #[command(subcommand, long_about = NET_ABOUT)]
    Net(NetCommand),
    /// Generate the paper's synthetic data sets.
    #[command(subcommand, long_about = DATA_ABOUT)]
    Data(DataCommand),
    /// Time full RRR iterations of the paper's networks.
    #[command(long_about = BENCH_ABOUT, after_help = "Examples:\n  lwl bench\n  lwl bench --config mnist --json\n  lwl bench --config mnist --threads 2 --precision f32\n  lwl bench --config majority --block 32")]
    Bench(BenchArgs),
    /// Train a classifier (section 5 of the paper).
    #[command(long_about = CLASSIFY_ABOUT, after_help = CLASSIFY_EXAMPLES)]
    Classify(Box<ClassifyArgs>),
    /// Classify data with saved parameters.
    #[command(long_about = PREDICT_ABOUT, after_help = "Example:\n  lwl predict --params run/params.txt --net run/net.txt --mnist")]
    Predict(PredictArgs),
    /// Non-negative matrix factorisation by RRR (section 4 of the paper).
    #[command(long_about = NMF_ABOUT, after_help = NMF_EXAMPLES)]
    Nmf(Box<NmfArgs>),
    /// Train an autoencoder with an iDE code (section 6.1 of the paper).
    #[command(long_about = crate::autoencode::ABOUT, after_help = crate::autoencode::EXAMPLES)]
    Autoencode(Box<crate::autoencode::AutoencodeArgs>),
    /// The generative model: a true/fake code classifier and samples (section 6.2).
    #[command(long_about = crate::generate::ABOUT, after_help = crate::generate::EXAMPLES)]
    Generate(Box<crate::generate::GenerateArgs>),
}

const NET_ABOUT: &str = "Write and check network files. A network file lists which node feeds \
which. A classifier file starts with the node counts `data hidden class`, an autoencoder file \
with `data encode code decode`; then every node that has inputs gets a line `node indegree` and \
a line with its source nodes. Nodes are numbered data first; edges are numbered by receiving \
node, in increasing node order, which is the order the weights are stored in.";

const DATA_ABOUT: &str = "Generate the paper's synthetic data sets, in the text formats of the \
reference programs: classifier data is a header `datanodes classes` and one item per line \
(values, then the class label); NMF data is the number of data nodes and one item per line.";

/// `lwl net ...`
#[derive(Debug, Subcommand)]
pub enum NetCommand {
    /// Print a fully connected layered classifier.
    #[command(
        long_about = "Print the fully connected layered classifier with the given layer \
sizes, from the input layer to the class layer: every node reads every node of the layer \
below, and RRR learns one weight per edge and one bias per node. The first size is the \
number of values per data item, the last the number of classes, the ones between are the \
hidden (ReLU) layers. The output is the network file of the reference program completenet.",
        after_help = "Example (the 13-26-26-2 net of the majority-circuit experiments):\n  \
lwl net complete 13 26 26 2 > net_13_26_26_2.txt"
    )]
    Complete(CompleteArgs),
    /// Print a cyclic autoencoder.
    #[command(
        long_about = "Print a cyclic autoencoder: data nodes, encoder hidden layers, code \
nodes, decoder hidden layers, each layer reading every node of the previous one, and the data \
nodes reading the last decoder layer (the code layer when there is no decoder layer). RRR \
fixes the data nodes to the data for data items and the code nodes to the code for code \
items, so one net learns both directions.",
        after_help = "Example (784-200-10-200-784 for MNIST):\n  \
lwl net auto --data 784 --encode 200 --code 10 --decode 200 > auto_mnist.txt"
    )]
    Auto(AutoArgs),
    /// Validate a network file and summarize it.
    #[command(
        long_about = "Read a network file (gzip allowed), validate it completely and print a \
one-line summary: the format, the nodes of each kind, the number of edges and whether the \
graph has cycles. The first problem found is reported as FILE:LINE: message, with exit \
status 2.",
        after_help = "Example:\n  lwl net check net_13_26_26_2.txt"
    )]
    Check(CheckArgs),
}

/// Arguments of `lwl net complete`.
#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// Layer sizes from input to output (at least 2 layers, each size at least 1).
    #[arg(required = true, num_args = 2.., value_name = "SIZE")]
    pub sizes: Vec<usize>,
    /// Write the net to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Arguments of `lwl net auto`.
#[derive(Debug, Args)]
pub struct AutoArgs {
    /// Number of data nodes.
    #[arg(long, value_name = "N")]
    pub data: usize,
    /// Encoder hidden layer sizes, comma-separated, from the data side
    /// (absent or empty: none).
    #[arg(long, value_name = "SIZES", value_parser = parse_layers)]
    pub encode: Option<Layers>,
    /// Number of code nodes.
    #[arg(long, value_name = "N")]
    pub code: usize,
    /// Decoder hidden layer sizes, comma-separated, from the code side
    /// (absent or empty: none).
    #[arg(long, value_name = "SIZES", value_parser = parse_layers)]
    pub decode: Option<Layers>,
    /// Write the net to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// A comma-separated list of layer sizes, possibly empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layers(pub Vec<usize>);

pub(crate) fn parse_layers(s: &str) -> Result<Layers, String> {
    if s.trim().is_empty() {
        return Ok(Layers::default());
    }
    s.split(',')
        .map(|t| t.trim().parse::<usize>().map_err(|_| format!("'{t}' is not a layer size")))
        .collect::<Result<_, _>>()
        .map(Layers)
}

/// Arguments of `lwl net check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The network file.
    pub file: PathBuf,
}

/// `lwl data ...`
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Print the LEDM m distance matrix as NMF data.
    #[command(
        long_about = "Print LEDM m (eq. 25), the m x m matrix of squared distances \
(i-k)^2/(m-1)^2 between m equally spaced points on a line, in the NMF data format: the number \
of data nodes m, a blank line, then the m columns of the matrix as items. Every entry is the \
double nearest to the exact fraction.",
        after_help = "Example:\n  lwl data ledm 6 --out ledm6.txt"
    )]
    Ledm(LedmArgs),
    /// Write the majority-circuit train and test sets.
    #[command(
        long_about = "Write the majority-circuit data of section 5.5.1. A random circuit of \
depth DEPTH on 13 Boolean inputs (DEPTH-1 hidden layers of 13 majority gates, each reading 3 \
distinct random nodes of the layer below, then one majority gate over the last hidden layer; \
every gate input negated with probability 1/2) labels all 8192 input vectors, which are split \
at random into DIR/maj13_DEPTH_train.txt and DIR/maj13_DEPTH_test.txt, 4096 items each. The \
paper uses depths 2, 3 and 4. The same seed always gives the same files; the seed is printed \
to standard error.",
        after_help = "Example:\n  lwl data majority 3 --seed 1 --out-dir data"
    )]
    Majority(MajorityArgs),
    /// Write the letter-montage set of the NMF experiment.
    #[command(
        long_about = "Write the synthetic letter montages of section 4.4.2 in the NMF data format: \
2000 images of 40x40 pixels with values in [0, 1], one item per line (pixels row by row). Each \
image holds four letters, one in each quadrant, each chosen at random from w, x, y, z and drawn \
at random in a plain or a slanted font, so an approximate rank-16 factorisation exists. The same \
seed always gives the same set; `lwl nmf --montage --data-seed N` uses it directly.",
        after_help = "Example:\n  lwl data montage --out montage.txt --png samples.png"
    )]
    Montage(MontageArgs),
}

/// Arguments of `lwl data ledm`.
#[derive(Debug, Args)]
pub struct LedmArgs {
    /// Number of points m (at least 2).
    #[arg(value_name = "M")]
    pub m: usize,
    /// Write the data to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Arguments of `lwl data montage`.
#[derive(Debug, Args)]
pub struct MontageArgs {
    /// Seed of the random letters and fonts.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub seed: u64,
    /// Write the data to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write a PNG of the first 16 images (as the paper's Fig. 5, left).
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
}

/// Arguments of `lwl data majority`.
#[derive(Debug, Args)]
pub struct MajorityArgs {
    /// Circuit depth: hidden layers plus the top gate.
    #[arg(value_name = "DEPTH")]
    pub depth: usize,
    /// Random seed (default: a fresh one from the operating system).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Directory for the two files (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
}

/// Parses the process arguments; prints help, version or a usage error and
/// exits (status 0 for help and version, 2 for errors) when appropriate.
pub fn parse() -> Cli {
    let long_version = format!("{} (SIMD: {})", env!("CARGO_PKG_VERSION"), cpu::simd_level());
    let matches = Cli::command().long_version(long_version).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn layer_lists() {
        assert_eq!(parse_layers(""), Ok(Layers(vec![])));
        assert_eq!(parse_layers("200, 100"), Ok(Layers(vec![200, 100])));
        assert!(parse_layers("200,,100").is_err());
        assert!(parse_layers("-1").is_err());
    }
}

const BENCH_ABOUT: &str = "Time full RRR iterations (set A, reflection, set B, update, RRR_err) \
on generated data and report seconds per GWM, the paper's unit: one GWM is 1e9 weight-multiplies, \
and one iteration costs |K|·|E| of them (eq. 24). Configurations: `mnist` (net 784-20-10, batch \
1000), `majority` (net 13-26-26-2, batch 128), `ledm12` (NMF of LEDM 12, rank 7) and \
`autoencoder` (784-200-10-200-784, batch 200 data + 20 codes). Iterations run as in training: one \
run, each iteration one sweep over the state, RRR_err computed on the last only (as with a fixed \
number of iterations per batch); two untimed iterations come first. Network configurations are \
measured with the edge state stored in f64 and in f32 (--precision). The paper's serial C \
code runs at about 14 s/GWM on a 2-core EPYC. For states larger than the caches the report adds the memory floor: the \
time to read and write the state once at the in-place read-modify-write bandwidth measured in the \
same run.";

/// Arguments of `lwl bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Only this configuration (mnist, majority, ledm12, autoencoder).
    #[arg(long, value_name = "NAME")]
    pub config: Option<String>,
    /// Threads (default: measure 1 and all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Items per layout block (a multiple of 4); default: the batch split
    /// evenly into blocks of at most 16 items (measured fastest).
    #[arg(long, value_name = "N")]
    pub block: Option<usize>,
    /// Minimum seconds of timed iterations per configuration.
    #[arg(long, default_value_t = 3.0, value_name = "S")]
    pub seconds: f64,
    /// Run exactly N timed iterations instead (for instruction counts).
    #[arg(long, value_name = "N")]
    pub iters: Option<u64>,
    /// Seed of the generated data and weights.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Time the scalar oracle instead of the SIMD path.
    #[arg(long, conflicts_with = "precision")]
    pub oracle: bool,
    /// Storage precision of the edge state (default: measure f64 and f32;
    /// ledm12 is f64 only).
    #[arg(long, value_enum, value_name = "P")]
    pub precision: Option<Precision>,
    /// One JSON object per configuration on standard output.
    #[arg(long)]
    pub json: bool,
}

const CLASSIFY_ABOUT: &str = "Train a classifier with RRR (section 5). Every training item of a \
batch gets its own copy of every weight and node value; set A makes the copies agree (weights on \
a sphere of radius Ω per node, node values through the activation, class margins Δ on the class \
nodes), set B makes every neuron's input consistent (x·w = Ω y) and the biases agree. RRR_iter \
iterations run per batch (--iter) or until RRR_err ≤ --tol; the consensus weights and biases then \
warm-start the next batch. After every epoch the whole training and test sets are classified by a \
feed-forward pass (largest y − b wins) and one line is printed: epoch, GWMs (1e9 weight-multiplies, \
the paper's unit of work), iterations, RRR_err, batch_err, train_err, test_err.\n\n\
Compromised data (section 5.3, 6.2): --exempt N lets N items per batch (or N% of the batch) skip \
their class constraint; --relabel N lets them take the nearest class instead; --fpa F gives a \
two-class net (class 0 = fake) a budget of floor(F·B·n0/N) false positives per batch.";

const CLASSIFY_EXAMPLES: &str = "Examples:\n  \
lwl classify --majority 2 --epochs 50                    # 13-26-2 on a generated depth-2 circuit\n  \
lwl classify --mnist --exempt 0.5% --margin 0.7 --batch 1000 --epochs 20 --out run\n  \
lwl classify --net net.txt --train maj13_3_train.txt --test maj13_3_test.txt --batch 128\n  \
lwl classify --resume run --epochs 10                    # ten more epochs";

const PREDICT_ABOUT: &str = "Classify data with a parameter file written by `lwl classify --out`: \
a feed-forward pass with the consensus weights and biases, the class with the largest y − b wins. \
Prints the error rate (and with --json one object with the counts).";

/// Data sources shared by `classify` and `predict`.
#[derive(Debug, Args, Clone, Default)]
pub struct DataArgs {
    /// Training data: the paper's text format (header `datanodes classes`,
    /// then values and an integer label per item) or MNIST IDX images;
    /// gzip or not.
    #[arg(long, value_name = "FILE")]
    pub train: Option<PathBuf>,
    /// Test data, same formats.
    #[arg(long, value_name = "FILE")]
    pub test: Option<PathBuf>,
    /// IDX labels of --train (default: the standard name beside it).
    #[arg(long, value_name = "FILE")]
    pub train_labels: Option<PathBuf>,
    /// IDX labels of --test (default: the standard name beside it).
    #[arg(long, value_name = "FILE")]
    pub test_labels: Option<PathBuf>,
    /// Built-in: a generated majority-gate circuit of this depth (section
    /// 5.5.1): all 2^13 inputs split into train and test halves (seeded).
    #[arg(long, value_name = "DEPTH", conflicts_with_all = ["train", "mnist"])]
    pub majority: Option<usize>,
    /// Built-in: the paper's 10k/10k MNIST subset (pixels in [0,1]).
    #[arg(long, conflicts_with_all = ["train", "majority"])]
    pub mnist: bool,
}

/// Arguments of `lwl classify`.
#[derive(Debug, Args)]
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
    /// RRR step size β, in (0, 2].
    #[arg(long, default_value_t = 1.0, value_name = "β")]
    pub beta: f64,
    /// Generalised RRR parameter γ (eq. 47); 1 is plain RRR.
    #[arg(long, default_value_t = 1.0, value_name = "γ")]
    pub gamma: f64,
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
    /// Seed of initial weights, shuffles and generated data (default: fresh,
    /// printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Initial weights and biases (parameter file, or a reference weight file).
    #[arg(long, value_name = "FILE", conflicts_with = "resume")]
    pub init: Option<PathBuf>,
    /// Keep the training order (no shuffle per epoch).
    #[arg(long)]
    pub no_shuffle: bool,
    /// Write every RRR_err, one per line with 17 significant digits.
    #[arg(long, value_name = "FILE")]
    pub err_series: Option<PathBuf>,
    /// Directory for parameters (every epoch), the net, the per-epoch log and
    /// the list of exempted or relabelled items.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Continue a run from the parameters in DIR (written by --out).
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// Use the scalar oracle (the reference programs' exact arithmetic).
    #[arg(long, conflicts_with = "precision")]
    pub oracle: bool,
    /// Storage precision of the per-edge state (`w`, `x` copies); f32 halves
    /// the bytes each iteration streams (arithmetic stays f64; SIMD path
    /// only, not with --oracle or --gamma). README "Speed" compares results.
    #[arg(long, value_enum, default_value = "f64", value_name = "P")]
    pub precision: Precision,
    /// Threads (default: all cores); results are the same for every count.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// One JSON object per epoch on standard output.
    #[arg(long)]
    pub json: bool,
}

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
}

const NMF_ABOUT: &str = "Factorise non-negative data Y ≈ W·X with RRR (section 4): W ≥ 0 with every \
column of norm Ω (the features), X ≥ 0 (one code per item), rank R = number of code nodes. Every \
item of a batch gets its own copy of every weight and of its code on every edge; set A makes the \
copies agree (weights non-negative with column norm Ω, codes non-negative), set B makes every \
data value exactly the sum of its weight·code products. A batch stops when RRR_err ≤ --tol or \
after --iter iterations.\n\n\
Initialisation (section 4.3): W uniform in [0, 1], each column scaled to norm Ω (or --init, \
--resume); codes from the pseudo-inverse encoder ReLU((WᵀW)⁻¹Wᵀ y) (eq. 12-13). With --batch \
smaller than the data the items are shuffled every epoch and each batch starts warm from the \
previous batch's last consensus weights (online NMF).\n\n\
Errors printed per epoch: RRR_err of the last iteration (root mean square per edge copy of the \
step p − a, as the reference program computes it), recon_err (eq. 23, root mean square per data \
entry: with one batch from the last consensus W and codes, with several over the whole data set \
through the encoder) and GWMs (eq. 24, 1e9 weight-multiplies: |K|·|E| per iteration).\n\n\
Data: --ledm M (eq. 25; defaults from the paper's Table 1 for M = 6, 8, 12, 16: rank 5, 6, 7, 8, \
β 0.3, Ω 0.6, 0.7, 0.8, 0.9), --montage (2000 generated 40x40 letter montages; defaults as in \
section 4.4.2: rank 16, β 1, Ω 2, 40 batches of 50, 4 iterations per batch, 30 epochs) or \
--data FILE (the paper's text format: the number of data nodes, then the items; or CSV with one \
item per row; gzip allowed).\n\n\
--restarts N runs seeds SEED, SEED+1, … and counts a run as a success when its final recon_err \
≤ 1e-5 (an exact factorisation), then prints the success rate and the median and mean work of \
the successes.";

const NMF_EXAMPLES: &str = "Examples:\n  \
lwl nmf --ledm 6 --seed 3                      # LEDM m = 6, rank 5, β 0.3, Ω 0.6 (Table 1)\n  \
lwl nmf --ledm 8 --restarts 20 --json          # success rate and work over 20 seeds\n  \
lwl nmf --montage --seed 1 --out run           # 16 letter features (Fig. 5), RRR_err plot (Fig. 6)\n  \
lwl nmf --data y.csv --rank 4 --omega 1 --out run --err-series run/errs.txt\n  \
lwl nmf --montage --resume run --out run --epochs 10   # ten more epochs from run/W.txt";

/// The data of `lwl nmf`: exactly one source.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct NmfSource {
    /// Built-in: LEDM M, the M×M squared distances of M points on a line
    /// (eq. 25).
    #[arg(long, value_name = "M")]
    pub ledm: Option<usize>,
    /// Built-in: 2000 generated 40×40 letter montages (section 4.4.2).
    #[arg(long)]
    pub montage: bool,
    /// Data file: the paper's text format (number of data nodes, then the
    /// items) or CSV (one item per row, optional header); gzip allowed.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
}

/// Arguments of `lwl nmf`.
#[derive(Debug, Args)]
pub struct NmfArgs {
    #[command(flatten)]
    pub source: NmfSource,
    /// Rank R: number of features (code nodes); default for --ledm 6, 8, 12,
    /// 16: the non-negative rank 5, 6, 7, 8; for --montage 16; with --init
    /// or --resume the file's columns.
    #[arg(long, value_name = "R")]
    pub rank: Option<usize>,
    /// RRR step size β in (0, 2] (default: 0.3 for --ledm, else 1).
    #[arg(long, value_name = "β", allow_negative_numbers = true)]
    pub beta: Option<f64>,
    /// Generalised RRR parameter γ (eq. 47); 1 is plain RRR.
    #[arg(long, default_value_t = 1.0, value_name = "γ", allow_negative_numbers = true)]
    pub gamma: f64,
    /// Column norm Ω of W (default: Table 1's value for --ledm 6, 8, 12, 16,
    /// 2 for --montage, else 1).
    #[arg(long, value_name = "Ω", allow_negative_numbers = true)]
    pub omega: Option<f64>,
    /// Items per batch (default: 50 for --montage, else all items in one
    /// batch).
    #[arg(long, value_name = "B")]
    pub batch: Option<usize>,
    /// Epochs: passes over the data (default: 30 for --montage, else 1).
    #[arg(long, value_name = "N")]
    pub epochs: Option<usize>,
    /// RRR_iter: iterations per batch at most (default: 4 for --montage;
    /// for --ledm 10^6 up to M = 6, 10^7 up to 8, 5·10^7 up to 12, 2·10^8
    /// beyond; else 10^6).
    #[arg(long, value_name = "N")]
    pub iter: Option<usize>,
    /// A batch stops when RRR_err ≤ TOL.
    #[arg(long, default_value = "1e-7", value_name = "TOL", allow_negative_numbers = true)]
    pub tol: f64,
    /// Number of seeded runs (seeds SEED, SEED+1, …): one record per run,
    /// then the success rate (recon_err ≤ 1e-5) and the work per success.
    #[arg(long, value_name = "N", conflicts_with_all = ["init", "resume", "err_series"])]
    pub restarts: Option<usize>,
    /// Seed of the initial weights and the shuffles (default: fresh, printed).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Seed of the --montage images.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub data_seed: u64,
    /// Pixels per image row of --data, for the feature picture (--montage: 40).
    #[arg(long, value_name = "WIDTH")]
    pub image: Option<usize>,
    /// Initial weights W: D lines of R values (the golden case's
    /// init_weights.txt, or W.txt written by --out).
    #[arg(long, value_name = "FILE", conflicts_with = "resume")]
    pub init: Option<PathBuf>,
    /// Keep the data order (no shuffle per epoch).
    #[arg(long)]
    pub no_shuffle: bool,
    /// Write every RRR_err, one per line with 17 significant digits.
    #[arg(long, value_name = "FILE")]
    pub err_series: Option<PathBuf>,
    /// Directory for W.txt, codes.txt, progress.json and the pictures
    /// rrr_err.png and (image data) features.png, written every epoch; with
    /// --restarts one subdirectory per seed and rrr_err.png of all runs.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Continue the run saved in DIR by --out (its W, epoch count, totals,
    /// seed, β and Ω).
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// Use the scalar oracle (the reference program's exact arithmetic).
    #[arg(long)]
    pub oracle: bool,
    /// One JSON object per epoch (or per run) on standard output.
    #[arg(long)]
    pub json: bool,
}
