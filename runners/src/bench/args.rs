//! Arguments of `lwl bench`.

use crate::args::Threads;
use crate::engine::Precision;
use clap::Args;

pub const BENCH_ABOUT: &str = "Time full RRR iterations (set A, reflection, set B, update, RRR_err) \
on generated data and report seconds per GWM, the paper's unit: one GWM is 1e9 weight-multiplies, \
and one iteration costs |K|·|E| of them (eq. 24). Configurations: `mnist` (net 784-20-10, batch \
1000), `majority` (net 13-26-26-2, batch 128), `ledm12` (NMF of LEDM 12, rank 7) and \
`autoencoder` (784-200-10-200-784, batch 200 data + 20 codes). Iterations run as in training: one \
run, each iteration one sweep over the state, RRR_err computed on the last only (as with a fixed \
number of iterations per batch); two untimed iterations come first. Network configurations are \
measured with the edge state stored in f64 and in f32 (--precision). The paper's serial C \
code runs at about 14 s/GWM on a 2-core EPYC. For states larger than the caches the report adds the memory floor: the \
time to read and write the state once at the in-place read-modify-write bandwidth measured in the \
same run. Under `mpirun -n R` (the mpi feature) the batch's blocks are split over the ranks, \
--iters is required (every rank runs the same count), and the report adds the time in and the \
bytes sent by the collectives per iteration, and the loopback allgather latency and bandwidth.";

/// Arguments of `lwl bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Only this configuration (mnist, majority, ledm12, autoencoder).
    #[arg(long, value_name = "NAME")]
    pub config: Option<String>,
    /// Threads of this process (default: measure 1, then all cores).
    #[command(flatten)]
    pub threads: Threads,
    /// Items per batch of the network configurations (default: the
    /// configuration's).
    #[arg(long, value_name = "B")]
    pub batch: Option<usize>,
    /// Items per layout block (a multiple of 4); default: the batch split
    /// evenly into blocks of at most 16 items (measured fastest).
    #[arg(long, value_name = "N")]
    pub block: Option<usize>,
    /// Minimum seconds of timed iterations per configuration.
    #[arg(long, default_value_t = 3.0, value_name = "S")]
    pub seconds: f64,
    /// Run exactly N timed iterations instead (for instruction counts;
    /// required in an MPI job).
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
    #[arg(long, value_name = "P", value_parser = crate::args::precision)]
    pub precision: Option<Precision>,
    /// One JSON object per configuration on standard output.
    #[arg(long)]
    pub json: bool,
}
