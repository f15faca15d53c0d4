//! Arguments of `lwl data`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

pub const DATA_ABOUT: &str = "Generate the paper's synthetic data sets, in the text formats of the \
reference programs: classifier data is a header `datanodes classes` and one item per line \
(values, then the class label); NMF data is the number of data nodes and one item per line.";

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
