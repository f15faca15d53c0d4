//! Arguments of `lwl nmf`.

use std::path::PathBuf;

use clap::Args;

use crate::args::{Replay, Rrr, RunDir, SideBySide, Threads};

pub const NMF_ABOUT: &str = "Factorise non-negative data Y ≈ W·X with RRR (section 4): W ≥ 0 with every \
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
the successes.\n\n\
--out DIR keeps, after every epoch: W.txt (a valid --init), codes.txt, progress.json, \
rrr_err.png and, for image data, features.png; with --restarts one subdirectory per seed and \
rrr_err.png of all runs.";

pub const NMF_EXAMPLES: &str = "Examples:\n  \
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
    /// The RRR step.
    #[command(flatten)]
    pub rrr: Rrr,
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
    /// Threads of this process (a single run uses one).
    #[command(flatten)]
    pub threads: Threads,
    /// Runs of --restarts at once.
    #[command(flatten)]
    pub side_by_side: SideBySide,
    /// Seed, data order, RRR_err series.
    #[command(flatten)]
    pub replay: Replay,
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
    /// Where the run is saved (--out) and continued from (--resume).
    #[command(flatten)]
    pub run: RunDir,
    /// One JSON object per epoch (or per run) on standard output.
    #[arg(long)]
    pub json: bool,
}
