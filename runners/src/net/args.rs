//! Arguments of `lwl net`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::args::{Layers, parse_layers};

pub const NET_ABOUT: &str = "Write and check network files. A network file lists which node feeds \
which. A classifier file starts with the node counts `data hidden class`, an autoencoder file \
with `data encode code decode`; then every node that has inputs gets a line `node indegree` and \
a line with its source nodes. Nodes are numbered data first; edges are numbered by receiving \
node, in increasing node order, which is the order the weights are stored in. A classifier's \
hidden nodes may read higher-numbered hidden nodes: the net is then an implicit model \
(`lwl net implicit`), evaluated by fixed-point iteration.";

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
    /// Print the net of an implicit model x = φ(A x + B u), ŷ = C x + D u.
    #[command(
        long_about = "Print the classifier net of an implicit model x = φ(A x + B u − b), \
ŷ = C x + D u − c (the implicit deep learning paper, section 2), for RRR to train with \
`lwl classify --net`: INPUTS input nodes u, STATES hidden nodes x, each reading every input \
(the weights B) and every other state (A; with --density D each state-to-state edge is kept \
with probability D, drawn with --seed), and CLASSES class nodes reading every state (C) and, \
with --direct, every input (D). A has a zero diagonal: a node never reads itself. The weight \
on the edge from node j to node i is Ω·A_ij (y = x·w / Ω), so RRR's sphere of radius Ω per \
node bounds each row of A in the 2-norm only; `lwl classify` reports ‖A‖∞, λ_pf(|A|) and how \
many items' inference converged. States are numbered after the inputs, the classes last; \
edges from higher-numbered states are what make the net cyclic.",
        after_help = "Examples:\n  \
lwl net implicit 784 100 10 --direct > implicit_mnist.txt   # dense A, B, C, D\n  \
lwl net implicit 13 26 2 --density 0.2 --seed 3 --out net.txt\n  \
lwl net check implicit_mnist.txt"
    )]
    Implicit(ImplicitNetArgs),
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

/// Arguments of `lwl net implicit`.
#[derive(Debug, Args)]
pub struct ImplicitNetArgs {
    /// Input nodes (the columns of B and D).
    #[arg(value_name = "INPUTS")]
    pub inputs: usize,
    /// State nodes (hidden; A is STATES × STATES).
    #[arg(value_name = "STATES")]
    pub states: usize,
    /// Class nodes (the rows of C and D).
    #[arg(value_name = "CLASSES")]
    pub classes: usize,
    /// Probability that each state reads each other state (0: the one
    /// hidden layer net, no cycles; 1: a dense A).
    #[arg(long, default_value_t = 1.0, value_name = "D")]
    pub density: f64,
    /// The class nodes also read the inputs (the block D).
    #[arg(long)]
    pub direct: bool,
    /// Seed of the sparsity pattern (--density below 1).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub seed: u64,
    /// Write the net to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Arguments of `lwl net check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The network file.
    pub file: PathBuf,
}
