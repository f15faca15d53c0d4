//! One RRR iteration for general networks: classifiers (section 5.1, eq. 26)
//! and cyclic autoencoders (section 6.1, eq. 38).
//!
//! Search variables per item `k`: `w[k,e]`, `x[k,e]` per edge and `y[k,i]`,
//! `b[k,i]` per node, in the [`Layout`]. Metric (eq. 27): edges weigh 1, node
//! variables `g²(i)` = out-degree, or Υ at class nodes (eq. 30–31, 39).
//!
//! Set A: weight consensus on the sphere `‖w‖ = Ω` per receiving node
//! (eq. 26f–g), node-value consensus over out-edges with the activation,
//! fixed-value or class side constraint (eq. 26a–e, 38a–d). Set B: the
//! bilinear constraint per (item, node) (eq. 26h) and bias consensus
//! (eq. 26i). One iteration: `a = P_A(v)`, `p = P_B(2a - v)`,
//! `v += β(p - a)`; RRR_err = `sqrt(Σ g-weighted (p - a)² / |K|)` as the
//! reference program computes it (eq. 42 without the square).
//!
//! [`iterate_oracle`] follows the reference program's order of operations
//! bit for bit; [`iterate`] is the SIMD path (lanes over items), and
//! [`run_with`] runs it for many iterations with one sweep over the edge
//! state per iteration; [`iterate_general`] is the generalised update of eq. 47 with parameter γ.

mod block;
mod classes;
mod fast;
mod forward;
pub mod general;
mod oracle;

pub use fast::{iterate, iterate_with, run_split, run_with};
pub use forward::{Settle, Settled, forward, init_forward, predict, settle};
pub use general::iterate_general;
pub use oracle::iterate_oracle;

use crate::activation::Activation;
use crate::class::ClassMode;
pub use crate::counters::BlockStats;
use crate::graph::{Net, NodeKind};
use crate::layout::Layout;
use crate::simd::Storage;

/// Which iterations of a run compute RRR_err. It is a sum over every edge
/// and item, about a tenth of the sweep's arithmetic; runs that stop after a
/// fixed number of iterations and report only the last error need it once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errors {
    /// Every iteration.
    Every,
    /// Only the last iteration the run allows; earlier reports carry NaN.
    Last,
}

/// Hyperparameters of the network constraints and the RRR step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    /// RRR step size β (eq. 3).
    pub beta: f64,
    /// γ of the generalised update (eq. 47); 1 is the RRR step, the only
    /// value [`iterate`] and [`iterate_oracle`] take ([`IterError::Gamma`]
    /// otherwise); [`iterate_general`] takes any.
    pub gamma: f64,
    /// Norm Ω of every node's incoming weights (eq. 26g).
    pub omega: f64,
    /// Metric weight Υ of class-node `y`, `b` (eq. 31).
    pub upsilon: f64,
    /// Class margin Δ (eq. 26d); under [`ClassMode::Targets`] the tolerance
    /// of every class node's target, `|z − t| ≤ Δ`.
    pub margin: f64,
    /// Activation of hidden nodes (and of data/code nodes when not fixed).
    pub activation: Activation,
    /// Class constraint variant (section 5.3, 6.2).
    pub class_mode: ClassMode,
}

/// The RRR iterate `v`: per-edge `w`, `x` and per-node `y`, `b`. The edge
/// variables, the bulk of the state, are stored as `S` (`f64`, or `f32` on
/// the SIMD path: [`Storage`]).
pub struct State<'a, S: Storage = f64> {
    /// Weight copies, per-edge layout.
    pub w: &'a mut [S],
    /// Source-value copies, per-edge layout.
    pub x: &'a mut [S],
    /// Pre-activations, per-node layout.
    pub y: &'a mut [f64],
    /// Bias copies, per-node layout.
    pub b: &'a mut [f64],
}

/// What an iteration solves: the graph, where each variable lives, the
/// constraint and step parameters, and the values the batch fixes. Every
/// entry point takes it with the iterate ([`State`]), its work space
/// ([`Work`]) and the [`Counters`](crate::counters::Counters).
#[derive(Clone, Copy)]
pub struct Problem<'a> {
    /// The network graph.
    pub net: &'a Net<'a>,
    /// Items, lanes and blocks of the per-edge and per-node buffers.
    pub layout: &'a Layout,
    /// Hyperparameters.
    pub params: &'a Params,
    /// The batch's fixed values and labels.
    pub batch: Batch<'a>,
}

/// What the batch fixes.
#[derive(Clone, Copy)]
pub struct Batch<'a> {
    /// Per-node layout: the data value of input nodes (all items), of
    /// autoencoder data nodes (data items) and code nodes (code items), and
    /// under [`ClassMode::Targets`] the real target of class nodes. Other
    /// rows are ignored.
    pub values: &'a [f64],
    /// Class label of each item (ignored without class nodes); length `|K|`.
    pub labels: &'a [u32],
    /// Autoencoder: the last `code_items` items of the batch are code items
    /// (eq. 38c); 0 otherwise.
    pub code_items: usize,
}

/// Per-iteration results and scratch space. The caller allocates it with the
/// lengths of [`Sizes`].
pub struct Work<'a> {
    /// Consensus weights `W` of set A computed in the last iteration (length
    /// `E`).
    pub weights: &'a mut [f64],
    /// Bias consensus of set B computed in the last iteration (length `N`).
    pub biases: &'a mut [f64],
    /// Node A-values `X` (per-node layout).
    pub xa: &'a mut [f64],
    /// Node A-values of `y` (per-node layout).
    pub ya: &'a mut [f64],
    /// Node A-values of `b` (per-node layout).
    pub ba: &'a mut [f64],
    /// Per-node sums of `x` over the node's out-edges (per-node layout;
    /// the SIMD path carries them from one iteration's update to the next
    /// one's node values).
    pub xsum: &'a mut [f64],
    /// Per-block consensus sums (length `blocks · (E + N)`): per block, the
    /// sums of the weight copies over the block's real items (`E`), then of
    /// `2 b_A − b` per node (`N`, the bias consensus of eq. 26i; input
    /// nodes 0). The SIMD path fills them per block and adds them by the
    /// block tree of [`crate::exec::reduce`] (which leaves partial sums
    /// behind).
    pub wsum: &'a mut [f64],
    /// Per-block error sums and counters (length `blocks`).
    pub stats: &'a mut [BlockStats],
    /// The SIMD path's last root `u` of every (node, item) bilinear solve
    /// (per-node layout), the next solve's Newton start: a warm start.
    /// Zeros are a cold start; any values give a correct iteration, the
    /// start changes only the last bits of the roots.
    pub roots: &'a mut [f64],
    /// Scratch (length `max(E, 3 |K|)`).
    pub scratch: &'a mut [f64],
    /// The class each item was projected to in the last iteration, or
    /// [`crate::class::EXEMPT`] (length `|K|`).
    pub used_label: &'a mut [u32],
}

/// Buffer lengths for a network and layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// Length of per-edge buffers (`w`, `x`).
    pub edge: usize,
    /// Length of per-node buffers (`y`, `b`, `values`, `xa`, `ya`, `ba`).
    pub node: usize,
    /// Length of `Work::weights`.
    pub weights: usize,
    /// Length of `Work::biases`.
    pub biases: usize,
    /// Length of `Work::xsum`.
    pub xsum: usize,
    /// Length of `Work::wsum`.
    pub wsum: usize,
    /// Length of `Work::stats` (the number of blocks).
    pub blocks: usize,
    /// Length of `Work::scratch`.
    pub scratch: usize,
    /// Length of `labels` and `Work::used_label`.
    pub items: usize,
}

impl Sizes {
    /// Lengths for `net` in `layout`; `None` on overflow.
    pub fn new(net: &Net, layout: &Layout) -> Option<Self> {
        let items = layout.items();
        Some(Self {
            edge: layout.len(net.edges())?,
            node: layout.len(net.nodes())?,
            weights: net.edges(),
            biases: net.nodes(),
            xsum: layout.len(net.nodes())?,
            wsum: layout.blocks().checked_mul(net.edges().checked_add(net.nodes())?)?,
            blocks: layout.blocks(),
            scratch: net.edges().max(items.checked_mul(3)?),
            items,
        })
    }
}

/// Why an iteration refused to run (nothing was changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IterError {
    /// A buffer does not have the length [`Sizes`] requires.
    BufferLength,
    /// The false-positive allowance needs exactly two class nodes.
    NotTwoClasses,
    /// A label is not below the number of class nodes.
    LabelOutOfRange,
    /// `code_items` exceeds the batch.
    CodeItems,
    /// `gamma` is not 1 on a path that computes only the RRR step.
    Gamma,
}

/// Results of one iteration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Report {
    /// RRR_err of this iteration (from `p - a`, before the `β` scaling).
    pub rrr_err: f64,
    /// Items exempted, relabelled or allowed as false positives.
    pub selected: usize,
}

/// Checks buffer lengths, labels and the class mode; `rrr_only` also asks
/// for γ = 1.
fn check<S: Storage>(pr: &Problem, st: &State<S>, wk: &Work, rrr_only: bool) -> Result<(), IterError> {
    let Problem { net, layout, params: p, batch } = *pr;
    if rrr_only && p.gamma != 1.0 {
        return Err(IterError::Gamma);
    }
    let s = Sizes::new(net, layout).ok_or(IterError::BufferLength)?;
    let ok = st.w.len() == s.edge
        && st.x.len() == s.edge
        && st.y.len() == s.node
        && st.b.len() == s.node
        && batch.values.len() == s.node
        && batch.labels.len() == s.items
        && wk.weights.len() == s.weights
        && wk.biases.len() == s.biases
        && wk.xa.len() == s.node
        && wk.ya.len() == s.node
        && wk.ba.len() == s.node
        && wk.xsum.len() == s.xsum
        && wk.wsum.len() == s.wsum
        && wk.stats.len() == s.blocks
        && wk.roots.len() == s.node
        && wk.scratch.len() >= s.scratch
        && wk.used_label.len() == s.items;
    if !ok {
        return Err(IterError::BufferLength);
    }
    let classes = net.classes();
    if classes > 0 && batch.labels.iter().any(|&l| l as usize >= classes) {
        return Err(IterError::LabelOutOfRange);
    }
    if matches!(p.class_mode, ClassMode::FalsePositive(_)) && classes != 2 {
        return Err(IterError::NotTwoClasses);
    }
    if batch.code_items > layout.items() {
        return Err(IterError::CodeItems);
    }
    Ok(())
}

/// Metric weight `g²` of node `i` (eq. 30, 31, 39).
#[inline]
fn g2(net: &Net, p: &Params, i: usize) -> f64 {
    if net.kind(i) == NodeKind::Class { p.upsilon } else { net.outdeg(i) as f64 }
}

/// Whether node `i`'s value is fixed for item `k` (eq. 26b, 38b–c).
#[inline]
fn is_fixed(kind: NodeKind, k: usize, items: usize, code_items: usize) -> bool {
    match kind {
        NodeKind::Input => true,
        NodeKind::Data => k < items - code_items,
        NodeKind::Code => k >= items - code_items && k < items,
        _ => false,
    }
}
