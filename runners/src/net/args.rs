//! Arguments of `lwl net`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::args::{Layers, parse_layers};

pub const NET_ABOUT: &str = "Write and check network files. A network file lists which node feeds \
which. A classifier file starts with the node counts `data hidden class`, an autoencoder file \
with `data encode code decode`; then every node that has inputs gets a line `node indegree` and \
a line with its source nodes. Nodes are numbered data first; edges are numbered by receiving \
node, in increasing node order, which is the order the weights are stored in.";

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

/// Arguments of `lwl net check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The network file.
    pub file: PathBuf,
}
