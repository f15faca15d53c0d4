//! Arguments of `lwl generate`.

use std::path::PathBuf;

use clap::Args;

use crate::args::{Compute, FixedPoint, Layers, Rrr, RunDir, parse_layers};
use crate::autoencode::AutoSource;

/// Long help of `lwl generate`.
pub const ABOUT: &str = "The generative model of section 6.2, built on an autoencoder trained by \
`lwl autoencode --out DIR`. Genuine codes (the encodings E(x) of the training data, label 1) and \
fake codes (samples of the autoencoder's iDE code, label 0) train a two-class classifier by RRR \
with a false-positive allowance: per batch of B items up to floor(fpa·B·n0/N) fakes, those whose \
projection as genuine is closest, may take the genuine label. After every epoch: fp (the fraction \
of fakes classified genuine) and tn (of genuine codes classified fake), averaged over the epoch's \
batches (fp_batch, tn_batch), over the training codes (fp_train, tn_train) and over test codes \
(fp_test, tn_test: encodings of the test data and fresh fakes in the same proportion). Then iDE samples are drawn until --count are classified genuine; their decodings \
D(z) are the generated data (a PNG grid for image data, in --out).\n\n\
--out DIR keeps, after every epoch: the classifier's params.txt, net.txt, progress.json, \
fp.png and tn.png; at the end generated.txt and, for images, generated.png.";

/// Examples of `lwl generate`.
pub const EXAMPLES: &str = "Examples:\n  \
lwl autoencode --mnist --out auto                                   # the autoencoder first\n  \
lwl generate --model auto --mnist --epochs 20 --out gen             # classifier, then 50 images\n  \
lwl generate --model auto --mnist --resume gen --epochs 5 --count 100";

/// Arguments of `lwl generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory written by `lwl autoencode --out` (net, parameters, iDE code).
    #[arg(long, value_name = "DIR")]
    pub model: PathBuf,
    #[command(flatten)]
    pub source: AutoSource,
    /// Test data for --data: its encodings are the genuine test codes.
    #[arg(long, value_name = "FILE", requires = "data")]
    pub test: Option<PathBuf>,
    /// Classifier net file (default: codes → --hidden → 2).
    #[arg(long, value_name = "FILE")]
    pub net: Option<PathBuf>,
    /// Hidden layer sizes of the default classifier, comma-separated.
    #[arg(long, value_name = "SIZES", default_value = "50,50,50", value_parser = parse_layers)]
    pub hidden: Layers,
    /// Fake codes in the training set (default: twice the training items).
    #[arg(long, value_name = "N")]
    pub fakes: Option<usize>,
    /// False-positive allowance, a fraction.
    #[arg(long, default_value_t = 0.25, value_name = "F")]
    pub fpa: f64,
    /// Hidden activation of the classifier: relu, step, zigmoid or soft.
    #[arg(long, default_value = "relu", value_name = "NAME")]
    pub activation: String,
    /// Full width Δ of a step or zigmoid classifier activation.
    #[arg(long, default_value_t = 0.4, value_name = "Δ")]
    pub width: f64,
    /// Class margin Δ.
    #[arg(long, default_value_t = 0.1, value_name = "Δ")]
    pub margin: f64,
    /// The RRR step.
    #[command(flatten)]
    pub rrr: Rrr,
    /// Norm Ω of every node's incoming weights.
    #[arg(long, default_value_t = 5.0, value_name = "Ω")]
    pub omega: f64,
    /// Metric weight Υ of class-node y and b.
    #[arg(long, default_value_t = 1.0, value_name = "Υ")]
    pub upsilon: f64,
    /// Items per batch.
    #[arg(long, default_value_t = 500, value_name = "B")]
    pub batch: usize,
    /// Epochs.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub epochs: usize,
    /// RRR iterations per batch.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub iter: usize,
    /// Stop a batch early when RRR_err ≤ tol.
    #[arg(long, default_value_t = 0.0, value_name = "TOL")]
    pub tol: f64,
    /// Generated items to keep (classified genuine).
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub count: usize,
    /// Seed of the fakes, the initial weights and the shuffles (default:
    /// fresh, printed).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Where the run is saved (--out) and continued from (--resume).
    #[command(flatten)]
    pub run: RunDir,
    /// Precision and threads.
    #[command(flatten)]
    pub compute: Compute,
    /// Inference of a classifier net with cycles.
    #[command(flatten)]
    pub fixed: FixedPoint,
    /// One JSON object per epoch on standard output.
    #[arg(long)]
    pub json: bool,
}
