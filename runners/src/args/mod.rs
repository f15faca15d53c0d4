//! Argument groups shared by several commands, and the checks of their
//! values ([`check`]): where the iterations run ([`Compute`], [`Threads`]),
//! restarts side by side ([`SideBySide`]), the RRR step ([`Rrr`]), the
//! fixed-point inference of nets with cycles ([`FixedPoint`]), seeds
//! and replays ([`Replay`]), the labelled data sources of
//! `classify` and `predict` ([`DataArgs`]), layer lists and activations.
//! Each group's `check` returns the validated value the commands use.

use std::path::PathBuf;

use clap::Args;
use lwl_kernel::activation::Activation;
use lwl_kernel::network::Settle;

use crate::engine::{Pool, Precision};
use crate::error::Error;
use crate::output::checkpoint;

pub mod check;
pub mod data;
pub mod rrr;

pub use data::DataArgs;
pub use rrr::{Rrr, Step};

/// What makes a run repeatable and comparable step by step with another
/// (`classify`, `nmf`, `autoencode`): the seed, the data order and the
/// series of every RRR_err.
#[derive(Clone, Debug, Default, Args)]
pub struct Replay {
    /// Seed of every random choice of the run: initial weights, shuffles,
    /// generated data, code samples (default: fresh, printed; a resumed run
    /// keeps its own).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Keep the data order (no shuffle per epoch), as a replay of a
    /// reference run needs (autoencode's binary codes are always in the
    /// reference's order: code c has bit i of c on code node i).
    #[arg(long)]
    pub no_shuffle: bool,
    /// Write every RRR_err, one per line with 17 significant digits (the
    /// file is created before training starts).
    #[arg(long, value_name = "FILE")]
    pub err_series: Option<PathBuf>,
}

/// Inference on a net with cycles, an implicit model `x = φ(A x + B u)`:
/// fixed-point passes from zero states (`classify`, `predict`, `generate`,
/// `implicit`). A net without cycles needs one pass and ignores these.
#[derive(Clone, Copy, Debug, Args)]
pub struct FixedPoint {
    /// Most fixed-point steps of an inference on a net with cycles (each
    /// a pass over the states).
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub picard: usize,
    /// The fixed-point iteration stops when no state changes by more than
    /// this; an item still moving after --picard steps is counted
    /// unconverged.
    #[arg(long, default_value_t = 1e-9, value_name = "TOL", allow_negative_numbers = true)]
    pub picard_tol: f64,
}

impl FixedPoint {
    /// The validated flags as the kernel's [`Settle`].
    pub fn check(&self) -> Result<Settle, Error> {
        check::at_least_one("--picard", self.picard)?;
        check::non_negative("--picard-tol", self.picard_tol)?;
        let sweeps = u32::try_from(self.picard)
            .map_err(|_| Error::Usage(format!("--picard {} is more than {}", self.picard, u32::MAX)))?;
        Ok(Settle { sweeps, tol: self.picard_tol })
    }
}

/// The threads of this process (`--threads`): every command that runs
/// iterations or runs takes this group.
#[derive(Clone, Copy, Debug, Default, Args)]
pub struct Threads {
    /// Threads of this process (default and most: the cores this process
    /// may use, shared evenly by the ranks of an MPI job on one machine);
    /// results are the same for every count. A thread that
    /// finishes its share of an iteration helps with the others', and when
    /// other jobs hold cores so that the team is slower than one thread,
    /// the iterations run on one thread for a while.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

impl Threads {
    /// The validated count: `--threads`, or all cores; 0 is refused, and
    /// more than the cores are cut to the cores (said once on standard
    /// error).
    pub fn check(&self) -> Result<usize, Error> {
        let cores = crate::engine::ranks::cores();
        match self.threads.unwrap_or(cores) {
            0 => Err(Error::Usage("--threads must be at least 1".into())),
            t if t > cores => {
                static SAID: std::sync::Once = std::sync::Once::new();
                SAID.call_once(|| {
                    eprintln!(
                        "lwl: --threads {t}: this process may use {cores} {}; running {cores} threads \
                         (results are the same for every count)",
                        if cores == 1 { "core" } else { "cores" }
                    )
                });
                Ok(cores)
            }
            t => Ok(t),
        }
    }
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
    /// Threads of this process.
    #[command(flatten)]
    pub threads: Threads,
}

impl Compute {
    /// The number of `--threads` (default: all cores).
    pub fn threads(&self) -> Result<usize, Error> {
        self.threads.check()
    }

    /// The thread pool for `--threads` (`None` for one thread).
    pub fn pool(&self) -> Result<Option<Pool>, Error> {
        match self.threads()? {
            1 => Ok(None),
            t => Pool::new(t).map(Some).map_err(Error::Usage),
        }
    }
}

/// The trials on the sparse tanh teacher (`implicit --teacher`,
/// `regress`): how many, and the items of each.
#[derive(Clone, Copy, Debug, Args)]
pub struct Trials {
    /// Independent trials: trial t has its own teacher, data and initial
    /// weights from seed + t − 1.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub trials: usize,
    /// Training inputs per trial.
    #[arg(long, default_value_t = 1000, value_name = "M")]
    pub train_items: usize,
    /// Test inputs per trial (from another covariance).
    #[arg(long, default_value_t = 500, value_name = "M")]
    pub test_items: usize,
}

impl Trials {
    /// Every count at least one.
    pub fn check(&self) -> Result<(), Error> {
        check::at_least_one("--trials", self.trials)?;
        check::at_least_one("--train-items", self.train_items)?;
        check::at_least_one("--test-items", self.test_items).map(|_| ())
    }

    /// The seed of trial `trial` (from 0) and its teacher with its data.
    pub fn teacher(&self, seed: u64, trial: usize) -> Result<(u64, crate::datasets::teacher::Teacher), Error> {
        let s = seed.wrapping_add(trial as u64);
        let layers = crate::datasets::teacher::LAYERS;
        Ok((s, crate::datasets::teacher::generate(&layers, self.train_items, self.test_items, s)?))
    }
}

/// Where a training run is saved after every epoch and continued from
/// (`classify`, `nmf`, `autoencode`, `generate`, `lifted`, `sgd`); each command's description
/// lists the files.
#[derive(Clone, Debug, Default, Args)]
pub struct RunDir {
    /// Directory the run is saved to after every epoch, as one unit (its
    /// files: see the description above); one that holds another run is
    /// refused unless --force.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Continue the run saved in DIR by --out as one longer run, from its
    /// parameters, counters, seed and settings (classify, lifted and sgd
    /// restore every setting and refuse a contradicting flag); the new
    /// epochs are saved to --out, by default DIR.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// Write --out into a directory that holds another run.
    #[arg(long)]
    pub force: bool,
}

impl RunDir {
    /// The directory this run saves to (`--out`, else the resumed one),
    /// checked and made ready (see [`checkpoint::prepare`]).
    pub fn prepare(&self) -> Result<Option<PathBuf>, Error> {
        let dir = self.out.clone().or_else(|| self.resume.clone());
        if let Some(d) = &dir {
            checkpoint::prepare(d, self.resume.as_deref(), self.force)?;
        }
        Ok(dir)
    }
}

/// How many seeded runs of `--restarts` run at once (`nmf`, `autoencode`).
#[derive(Clone, Copy, Debug, Default, Args)]
pub struct SideBySide {
    /// Runs of --restarts at once, each on one thread (default: --threads);
    /// at most --threads. Every run is the same as alone (its seed fixes
    /// it) and records are printed in seed order.
    #[arg(long, value_name = "K", requires = "restarts")]
    pub side_by_side: Option<usize>,
}

impl SideBySide {
    /// The validated number of runs at once for `runs` restarts on
    /// `threads` threads.
    pub fn check(&self, runs: usize, threads: usize) -> Result<usize, Error> {
        match self.side_by_side {
            Some(0) => Err(Error::Usage("--side-by-side must be at least 1".into())),
            Some(k) if k > threads => {
                Err(Error::Usage(format!("--side-by-side {k}: more runs at once than --threads {threads}")))
            }
            k => Ok(k.unwrap_or(threads).min(runs.max(1))),
        }
    }
}

/// Parses `--precision` (`f64` or `f32`).
pub fn precision(s: &str) -> Result<Precision, String> {
    Precision::from_name(s).ok_or_else(|| format!("'{s}' is not a precision: f64 or f32"))
}

/// A comma-separated list of layer sizes, possibly empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layers(pub Vec<usize>);

/// Parses a comma-separated list of layer sizes (empty: none).
pub fn parse_layers(s: &str) -> Result<Layers, String> {
    if s.trim().is_empty() {
        return Ok(Layers::default());
    }
    s.split(',')
        .map(|t| t.trim().parse::<usize>().map_err(|_| format!("'{t}' is not a layer size")))
        .collect::<Result<_, _>>()
        .map(Layers)
}

/// Parses `relu`, `step`, `zigmoid`, `soft` with their parameters.
pub fn activation(name: &str, width: f64, tau: f64) -> Result<Activation, Error> {
    if !(width.is_finite() && width >= 0.0 && tau.is_finite() && tau >= 0.0) {
        return Err(Error::Usage("--width and --tau must be finite and non-negative".into()));
    }
    match name {
        "relu" => Ok(Activation::Relu),
        "step" => Ok(Activation::Step { width }),
        "zigmoid" => Ok(Activation::Zigmoid { width }),
        "soft" => Ok(Activation::Soft { tau }),
        other => Err(Error::Usage(format!("--activation: unknown '{other}' (relu, step, zigmoid or soft)"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_lists() {
        assert_eq!(parse_layers(""), Ok(Layers(vec![])));
        assert_eq!(parse_layers("200, 100"), Ok(Layers(vec![200, 100])));
        assert!(parse_layers("200,,100").is_err());
        assert!(parse_layers("-1").is_err());
    }

    #[test]
    fn threads_and_runs_side_by_side() {
        assert!(Threads { threads: Some(0) }.check().is_err());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(Threads { threads: Some(1) }.check().unwrap(), 1);
        assert_eq!(Threads { threads: None }.check().unwrap(), cores);
        // more than the cores are cut to the cores
        assert_eq!(Threads { threads: Some(cores + 1) }.check().unwrap(), cores);
        assert_eq!(SideBySide::default().check(5, 2).unwrap(), 2);
        assert_eq!(SideBySide::default().check(1, 2).unwrap(), 1);
        assert_eq!(SideBySide { side_by_side: Some(1) }.check(5, 2).unwrap(), 1);
        assert!(SideBySide { side_by_side: Some(3) }.check(5, 2).unwrap_err().to_string().contains("--threads"));
        assert!(SideBySide { side_by_side: Some(0) }.check(5, 2).is_err());
    }
}
