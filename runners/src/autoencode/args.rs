//! Command-line arguments of `lwl autoencode` and the data flags it shares
//! with `lwl generate`.

use crate::args::{Compute, Replay, Rrr, RunDir, SideBySide};
use std::path::PathBuf;

use clap::Args;

/// The data of `autoencode` and `generate`: exactly one source.
#[derive(Clone, Debug, Args)]
#[group(required = true, multiple = false)]
pub struct AutoSource {
    /// Built-in: binary encoding (section 6.3.1), the 2^N one-hot vectors of
    /// length 2^N as data and all 2^N N-bit vectors as codes; net 2^N → N → 2^N.
    #[arg(long, value_name = "N")]
    pub binary: Option<u32>,
    /// Built-in: the paper's 10k/10k MNIST subset (pixels in [0, 1]); net
    /// 784 → 200 → 10 → 200 → 784.
    #[arg(long)]
    pub mnist: bool,
    /// Data file: the paper's unlabelled format (the number of data nodes,
    /// then one item per line) or the reference RRRauto's (a header `N M`,
    /// then per item N values and an integer label, ignored); values in
    /// [0, 1]; gzip allowed.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
}

/// Arguments of `lwl autoencode`.
#[derive(Debug, Args)]
pub struct AutoencodeArgs {
    #[command(flatten)]
    pub source: AutoSource,
    /// Test data for --data (same format): reconstructions and test_data_err.
    #[arg(long, value_name = "FILE", requires = "data")]
    pub test: Option<PathBuf>,
    /// Autoencoder net file (`lwl net auto`, or the reference's `autonet`);
    /// default for built-in data as stated there; needed with --data.
    #[arg(long, value_name = "FILE")]
    pub net: Option<PathBuf>,
    /// Activation at every node: step (binary data) or zigmoid (default:
    /// step for --binary, else zigmoid).
    #[arg(long, value_name = "NAME")]
    pub activation: Option<String>,
    /// Full width Δ of the step gap or zigmoid ramp (default: 0.8 for
    /// --mnist and --data, the reference's margin 0.4; 0.4 for --binary,
    /// and for N ≥ 5 96% of the eq. 43 bound: 0.34 for N = 5).
    #[arg(long, value_name = "Δ")]
    pub width: Option<f64>,
    /// The RRR step.
    #[command(flatten)]
    pub rrr: Rrr,
    /// Norm Ω of every node's incoming weights (default: 100 for --binary,
    /// else 10).
    #[arg(long, value_name = "Ω")]
    pub omega: Option<f64>,
    /// Data items per batch |K_d| (default: all for --binary, else 200).
    #[arg(long, value_name = "B")]
    pub batch: Option<usize>,
    /// Code items per batch |K_c| (default: all 2^N codes for --binary,
    /// else 20; 0 trains on data items only).
    #[arg(long, value_name = "B")]
    pub code_batch: Option<usize>,
    /// Epochs: passes over the data (default: 1 for --binary, else 40).
    #[arg(long, value_name = "N")]
    pub epochs: Option<usize>,
    /// RRR iterations per batch at most (default: 10^6 for --binary, else 50).
    #[arg(long, value_name = "N")]
    pub iter: Option<usize>,
    /// A batch stops when RRR_err ≤ TOL (default: 1e-6 for --binary, else 0).
    #[arg(long, value_name = "TOL")]
    pub tol: Option<f64>,
    /// Seeded runs SEED, SEED+1, … of --binary: one record per run (success,
    /// decodes, work), then the success rate.
    #[arg(long, value_name = "N", conflicts_with_all = ["resume", "out"])]
    pub restarts: Option<usize>,
    /// Seed, data order, RRR_err series (not with --restarts).
    #[command(flatten)]
    pub replay: Replay,
    /// Initial consensus weights (and biases): a parameter file written by
    /// --out, or a reference weight file (one line per node, its incoming
    /// weights in edge order; biases 0), as `classify --init` reads them.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["resume", "restarts"])]
    pub init: Option<PathBuf>,
    /// Where the run is saved (--out) and continued from (--resume).
    #[command(flatten)]
    pub run: RunDir,
    /// Precision and threads.
    #[command(flatten)]
    pub compute: Compute,
    /// Runs of --restarts at once.
    #[command(flatten)]
    pub side_by_side: SideBySide,
    /// One JSON object per epoch (or per run) on standard output.
    #[arg(long)]
    pub json: bool,
}
