//! The command line: assembles every command's arguments (each in its own
//! folder's `args.rs`) into one parser. Nothing else lives here.
//!
//! To add a command: make its folder with `args.rs` and `mod.rs` (its
//! `run`), add a variant to [`Command`], and dispatch it in `main.rs`.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::admm::AdmmArgs;
use crate::autoencode::AutoencodeArgs;
use crate::bench::{BENCH_ABOUT, BenchArgs};
use crate::classify::{CLASSIFY_ABOUT, CLASSIFY_EXAMPLES, ClassifyArgs};
use crate::compare::CompareArgs;
use crate::data::{DATA_ABOUT, DataCommand};
use crate::engine::cpu;
use crate::generate::GenerateArgs;
use crate::implicit::ImplicitArgs;
use crate::lifted::LiftedArgs;
use crate::localprop::LocalpropArgs;
use crate::net::{NET_ABOUT, NetCommand};
use crate::nmf::{NMF_ABOUT, NMF_EXAMPLES, NmfArgs};
use crate::predict::{PREDICT_ABOUT, PredictArgs};
use crate::regress::RegressArgs;
use crate::sgd::SgdArgs;

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
Several machines: a build with `--features lwl-runners/mpi` runs classify, autoencode, generate \
and nmf under `mpirun -n R`, each batch split over the ranks with the results of one process \
(docs/mpi.md).\n\n\
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
    /// Regression by RRR: the implicit paper's sparse tanh teacher.
    #[command(long_about = crate::regress::ABOUT, after_help = crate::regress::EXAMPLES)]
    Regress(Box<RegressArgs>),
    /// Non-negative matrix factorisation by RRR (section 4 of the paper).
    #[command(long_about = NMF_ABOUT, after_help = NMF_EXAMPLES)]
    Nmf(Box<NmfArgs>),
    /// Train an autoencoder with an iDE code (section 6.1 of the paper).
    #[command(long_about = crate::autoencode::ABOUT, after_help = crate::autoencode::EXAMPLES)]
    Autoencode(Box<AutoencodeArgs>),
    /// The generative model: a true/fake code classifier and samples (section 6.2).
    #[command(long_about = crate::generate::ABOUT, after_help = crate::generate::EXAMPLES)]
    Generate(Box<GenerateArgs>),
    /// Lifted training with the quadratic or Bregman penalty (related trainer).
    #[command(long_about = crate::lifted::ABOUT, after_help = crate::lifted::EXAMPLES)]
    Lifted(Box<LiftedArgs>),
    /// Layer-split ADMM (Taylor et al.) or BCD (Zeng et al.) without gradients (baselines).
    #[command(long_about = crate::admm::ABOUT, after_help = crate::admm::EXAMPLES)]
    Admm(Box<AdmmArgs>),
    /// Every trainer on one net and one data set, side by side.
    #[command(long_about = crate::compare::ABOUT, after_help = crate::compare::EXAMPLES)]
    Compare(Box<CompareArgs>),
    /// Back-propagation with SGD, Adam or RMSProp (the gradient yardstick).
    #[command(long_about = crate::sgd::ABOUT, after_help = crate::sgd::EXAMPLES)]
    Sgd(Box<SgdArgs>),
    /// Implicit models trained by block-coordinate descent (related trainer).
    #[command(long_about = crate::implicit::ABOUT, after_help = crate::implicit::EXAMPLES)]
    Implicit(Box<ImplicitArgs>),
    /// The local propagation learner: sNTs, local goals, two stages (related trainer).
    #[command(long_about = crate::localprop::ABOUT, after_help = crate::localprop::EXAMPLES)]
    Localprop(Box<LocalpropArgs>),
}

/// Parses the process arguments; prints help, version or a usage error and
/// exits (status 0 for help and version, 2 for errors) when appropriate.
pub fn parse() -> Cli {
    let long_version = format!("{} (SIMD: {})", env!("CARGO_PKG_VERSION"), cpu::simd_level());
    let matches = Cli::command().long_version(long_version).get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Some((_, sub)) = matches.subcommand() {
        let given = || -> Vec<String> {
            sub.ids()
                .filter(|id| sub.value_source(id.as_str()) == Some(clap::parser::ValueSource::CommandLine))
                .map(|id| id.to_string())
                .collect()
        };
        match &mut cli.command {
            Command::Classify(args) => args.given = given(),
            Command::Lifted(args) => args.run.given = given(),
            Command::Admm(args) => args.run.given = given(),
            Command::Sgd(args) => args.run.given = given(),
            Command::Implicit(args) => args.run.given = given(),
            _ => {}
        }
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
}
