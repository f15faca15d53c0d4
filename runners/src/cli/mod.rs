//! Command-line interface: the argument structures of every subcommand.
//!
//! To add a subcommand: add a variant to [`Command`] (with its `Args`
//! struct here or in a submodule), write its function in a `cmd_*.rs` module, and dispatch it
//! in `main.rs`.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::cpu;
use crate::engine::{Pool, Precision};
use crate::error::Error;

mod bench;
mod nmf;
mod train;

use bench::BENCH_ABOUT;
pub use bench::BenchArgs;
use nmf::{NMF_ABOUT, NMF_EXAMPLES};
pub use nmf::{NmfArgs, NmfSource};
use train::{CLASSIFY_ABOUT, CLASSIFY_EXAMPLES, PREDICT_ABOUT};
pub use train::{ClassifyArgs, DataArgs, PredictArgs};

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

/// Where a training command's iterations run: the storage precision of the
/// edge state and the threads (`classify`, `autoencode`, `generate`).
#[derive(Clone, Copy, Debug, Args)]
pub struct Compute {
    /// Storage precision of the per-edge state (`w`, `x` copies); f32 halves
    /// the bytes each iteration streams (arithmetic stays f64; SIMD path
    /// only, not with --oracle or --gamma). README "Speed" compares results.
    #[arg(long, default_value = "f64", value_name = "P", value_parser = precision)]
    pub precision: Precision,
    /// Threads (default: all cores); results are the same for every count.
    /// Each iteration waits for its slowest thread, so where other jobs hold
    /// cores use fewer (a small net with one core busy ran 2x slower on two
    /// threads than on one). With `autoencode --restarts` the threads run
    /// that many restarts side by side instead, each on one thread.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

/// Parses `--precision` (`f64` or `f32`).
pub fn precision(s: &str) -> Result<Precision, String> {
    Precision::from_name(s).ok_or_else(|| format!("'{s}' is not a precision: f64 or f32"))
}

impl Compute {
    /// The number of `--threads` (default: all cores).
    pub fn threads(&self) -> Result<usize, Error> {
        crate::parallel::threads(self.threads)
    }

    /// The thread pool for `--threads` (`None` for one thread).
    pub fn pool(&self) -> Result<Option<Pool>, Error> {
        match self.threads()? {
            1 => Ok(None),
            t => Pool::new(t).map(Some).map_err(Error::Usage),
        }
    }
}

/// Parses the process arguments; prints help, version or a usage error and
/// exits (status 0 for help and version, 2 for errors) when appropriate.
pub fn parse() -> Cli {
    let long_version = format!("{} (SIMD: {})", env!("CARGO_PKG_VERSION"), cpu::simd_level());
    let matches = Cli::command().long_version(long_version).get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let (Command::Classify(args), Some((_, sub))) = (&mut cli.command, matches.subcommand()) {
        args.given = sub
            .ids()
            .filter(|id| sub.value_source(id.as_str()) == Some(clap::parser::ValueSource::CommandLine))
            .map(|id| id.to_string())
            .collect();
    }
    cli
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
