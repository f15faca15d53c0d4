//! Network files: an owned network description, the generators for layered
//! and autoencoder nets, and the reference programs' text formats.
//!
//! Both formats start with a header line, a blank line, then for every node
//! that has inputs, in increasing node order, a line `node indegree` and a
//! line listing its source nodes, each followed by one space:
//!
//! * classifier (acyclic, section 5.1): header `data hidden class` (total node
//!   counts); nodes are numbered data first, then hidden, then class; records
//!   for every non-data node. Sources are never class nodes. A net whose
//!   sources are all lower-numbered is feed-forward in node order; one where
//!   hidden nodes also read higher-numbered hidden nodes is an implicit model
//!   `x = φ(A x + B u)` (its forward pass settles by fixed-point sweeps; the
//!   reference programs read only the feed-forward kind).
//! * autoencoder (cyclic, section 6.1): header `data encode code decode` (data
//!   nodes, total encoder hidden, code nodes, total decoder hidden), nodes in
//!   that order; records for every node, data nodes included. Hidden layer
//!   sizes are not in the header: the graph is whatever the records say.
//!   The reference's `autonet` writes the header on two lines (`8 0`, then
//!   `3 0`); both layouts are read.
//!
//! Edges are numbered by receiving node in increasing node order and, within
//! a node, in the order its sources are listed.

use std::fmt::Write as _;

use lwl_kernel::graph::{Net, NetError, NodeKind, build_out_lists};
use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::error::Error;

mod parse;

/// Largest number of nodes a network may have (checked before allocating).
pub const MAX_NODES: usize = 10_000_000;
/// Largest number of edges a network may have.
pub const MAX_EDGES: usize = 1 << 30;

/// Which file format (and which kind of network) a [`NetSpec`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetFormat {
    /// Acyclic classifier: header `data hidden class`.
    Classifier,
    /// Cyclic autoencoder: header `data encode code decode`.
    Autoencoder,
}

/// An owned network description in the kernel's compressed-sparse-row form
/// (see [`lwl_kernel::graph::Net`] for the meaning of the arrays).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetSpec {
    /// Kind of every node.
    pub kinds: Vec<NodeKind>,
    /// In-edges of node `i` are `in_start[i]..in_start[i + 1]` (nodes + 1 entries).
    pub in_start: Vec<u32>,
    /// Source node of every edge.
    pub src: Vec<u32>,
    /// Out-edges of node `i` are `out_edge[out_start[i]..out_start[i + 1]]`.
    pub out_start: Vec<u32>,
    /// Out-edge numbers of all nodes, increasing within each node.
    pub out_edge: Vec<u32>,
    /// The file format this network is written in.
    pub format: NetFormat,
}

/// The shape of an implicit model's net ([`NetSpec::implicit`]).
#[derive(Clone, Copy, Debug)]
pub struct ImplicitShape {
    /// Input nodes (`u`, the columns of `B` and `D`).
    pub inputs: usize,
    /// State nodes (`x`, hidden; the rows and columns of `A`).
    pub states: usize,
    /// Class nodes (`ŷ`, the rows of `C` and `D`).
    pub classes: usize,
    /// Probability of each off-diagonal edge of `A`.
    pub density: f64,
    /// Whether the class nodes read the inputs (`D`).
    pub direct: bool,
}

/// One block of consecutive nodes of a generated net: its size, kind and
/// the block that feeds it (fully connected), if any.
struct Layer {
    size: usize,
    kind: NodeKind,
    from: Option<usize>,
}

impl NetSpec {
    /// Borrows the description as a kernel [`Net`].
    ///
    /// Cannot fail for a spec made by this module; fails with [`Error::Net`]
    /// if the public fields were edited into an inconsistent state.
    pub fn net(&self) -> Result<Net<'_>, Error> {
        Net::new(&self.kinds, &self.in_start, &self.src, &self.out_start, &self.out_edge).map_err(Error::Net)
    }

    /// The fully connected layered classifier with layer `sizes` from input to
    /// output: the first layer is [`NodeKind::Input`], the last
    /// [`NodeKind::Class`], the rest [`NodeKind::Hidden`]; each node reads
    /// every node of the layer below, in increasing order.
    pub fn layered(sizes: &[usize]) -> Result<NetSpec, Error> {
        if sizes.len() < 2 {
            return Err(Error::Usage("a layered net needs at least 2 layers (input and class)".into()));
        }
        let last = sizes.len() - 1;
        let layers: Vec<Layer> = sizes
            .iter()
            .enumerate()
            .map(|(l, &size)| Layer {
                size,
                kind: match l {
                    0 => NodeKind::Input,
                    _ if l == last => NodeKind::Class,
                    _ => NodeKind::Hidden,
                },
                from: l.checked_sub(1),
            })
            .collect();
        Self::from_layers(NetFormat::Classifier, &layers)
    }

    /// The cyclic autoencoder with `data` data nodes, encoder hidden layers
    /// `encode`, `code` code nodes and decoder hidden layers `decode`, nodes
    /// numbered in that order. Each layer reads every node of the previous
    /// one; the data nodes read the last decoder layer (the code layer when
    /// `decode` is empty).
    pub fn autoencoder(data: usize, encode: &[usize], code: usize, decode: &[usize]) -> Result<NetSpec, Error> {
        let sizes: Vec<usize> =
            [data].into_iter().chain(encode.iter().copied()).chain([code]).chain(decode.iter().copied()).collect();
        let code_layer = 1 + encode.len();
        let last = sizes.len() - 1;
        let layers: Vec<Layer> = sizes
            .iter()
            .enumerate()
            .map(|(l, &size)| Layer {
                size,
                kind: match l {
                    0 => NodeKind::Data,
                    _ if l == code_layer => NodeKind::Code,
                    _ => NodeKind::Hidden,
                },
                from: Some(if l == 0 { last } else { l - 1 }),
            })
            .collect();
        Self::from_layers(NetFormat::Autoencoder, &layers)
    }

    /// The implicit model `x = φ(A x + B u)`, `ŷ = C x + D u` (the implicit
    /// deep learning paper, section 2) as a classifier net: `inputs` input
    /// nodes `u`, `states` hidden nodes `x`, each reading every input (`B`)
    /// and, each with probability `density`, every other state (`A`; never
    /// itself: `A` has a zero diagonal), and `classes` class nodes reading
    /// every state (`C`) and, when `direct`, every input (`D`). Sources are
    /// listed in increasing node order. `density` 0 gives the one-hidden-layer
    /// net, 1 (no random draw) a dense `A`.
    pub fn implicit(shape: ImplicitShape, rng: &mut Xoshiro256PlusPlus) -> Result<NetSpec, Error> {
        let ImplicitShape { inputs, states, classes, density, direct } = shape;
        if inputs == 0 || states == 0 || classes == 0 {
            return Err(Error::Usage("an implicit net needs at least one input, one state and one class".into()));
        }
        if !(0.0..=1.0).contains(&density) {
            return Err(Error::Usage(format!("--density {density} is not in [0, 1]")));
        }
        let nodes = inputs.checked_add(states).and_then(|n| n.checked_add(classes)).filter(|&n| n <= MAX_NODES);
        let per_state = inputs + states - 1;
        let bound = states
            .checked_mul(per_state)
            .zip(classes.checked_mul(states + if direct { inputs } else { 0 }))
            .and_then(|(a, b)| a.checked_add(b))
            .filter(|&e| e <= MAX_EDGES);
        let (Some(nodes), Some(bound)) = (nodes, bound) else {
            return Err(Error::Usage(format!("network too large (at most {MAX_NODES} nodes and {MAX_EDGES} edges)")));
        };
        let mut kinds = vec![NodeKind::Input; inputs];
        kinds.extend(std::iter::repeat_n(NodeKind::Hidden, states));
        kinds.extend(std::iter::repeat_n(NodeKind::Class, classes));
        let mut in_start = vec![0u32; inputs + 1];
        let mut src: Vec<u32> = Vec::with_capacity(if density == 1.0 { bound } else { 0 });
        let state_nodes = inputs..inputs + states;
        for i in state_nodes.clone() {
            src.extend((0..inputs).map(|s| s as u32));
            for j in state_nodes.clone().filter(|&j| j != i) {
                if density == 1.0 || (density > 0.0 && rng.random::<f64>() < density) {
                    src.push(j as u32);
                }
            }
            in_start.push(src.len() as u32);
        }
        for _ in 0..classes {
            if direct {
                src.extend((0..inputs).map(|s| s as u32));
            }
            src.extend(state_nodes.clone().map(|s| s as u32));
            in_start.push(src.len() as u32);
        }
        debug_assert_eq!(in_start.len(), nodes + 1);
        Self::assemble(NetFormat::Classifier, kinds, in_start, src).map_err(Error::Net)
    }

    fn from_layers(format: NetFormat, layers: &[Layer]) -> Result<NetSpec, Error> {
        let too_large = || Error::Usage(format!("network too large (at most {MAX_NODES} nodes and {MAX_EDGES} edges)"));
        if let Some(l) = layers.iter().position(|l| l.size == 0) {
            return Err(Error::Usage(format!("layer {} has size 0; every layer needs at least one node", l + 1)));
        }
        let mut starts = Vec::with_capacity(layers.len());
        let mut nodes = 0usize;
        let mut edges = 0usize;
        for layer in layers {
            starts.push(nodes);
            nodes = nodes.checked_add(layer.size).filter(|&n| n <= MAX_NODES).ok_or_else(too_large)?;
            let fan_in = layer.from.map_or(0, |f| layers[f].size);
            edges = layer
                .size
                .checked_mul(fan_in)
                .and_then(|e| e.checked_add(edges))
                .filter(|&e| e <= MAX_EDGES)
                .ok_or_else(too_large)?;
        }
        let mut kinds = Vec::with_capacity(nodes);
        let mut in_start = Vec::with_capacity(nodes + 1);
        let mut src = Vec::with_capacity(edges);
        in_start.push(0);
        for layer in layers {
            for _ in 0..layer.size {
                kinds.push(layer.kind);
                if let Some(f) = layer.from {
                    src.extend((starts[f]..starts[f] + layers[f].size).map(|s| s as u32));
                }
                in_start.push(src.len() as u32);
            }
        }
        Self::assemble(format, kinds, in_start, src).map_err(Error::Net)
    }

    /// Builds the out-edge lists for a description given by its in-edges.
    fn assemble(
        format: NetFormat,
        kinds: Vec<NodeKind>,
        in_start: Vec<u32>,
        src: Vec<u32>,
    ) -> Result<NetSpec, NetError> {
        let mut out_start = vec![0; kinds.len() + 1];
        let mut out_edge = vec![0; src.len()];
        build_out_lists(kinds.len(), &in_start, &src, &mut out_start, &mut out_edge)?;
        Ok(NetSpec { kinds, in_start, src, out_start, out_edge, format })
    }

    /// The header numbers of the file format: `[data, hidden, class]` for a
    /// classifier, `[data, encode, code, decode]` for an autoencoder (hidden
    /// nodes numbered before the first code node are the encoder's).
    pub fn header(&self) -> Vec<usize> {
        match self.format {
            NetFormat::Classifier => {
                vec![self.count(NodeKind::Input), self.count(NodeKind::Hidden), self.count(NodeKind::Class)]
            }
            NetFormat::Autoencoder => {
                let code_at = self.kinds.iter().position(|&k| k == NodeKind::Code).unwrap_or(self.kinds.len());
                let encode = self.kinds[..code_at].iter().filter(|&&k| k == NodeKind::Hidden).count();
                vec![
                    self.count(NodeKind::Data),
                    encode,
                    self.count(NodeKind::Code),
                    self.count(NodeKind::Hidden) - encode,
                ]
            }
        }
    }

    /// Writes the network in its file format (the inverse of [`NetSpec::parse`]).
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(16 + 8 * self.src.len());
        let header: Vec<String> = self.header().iter().map(usize::to_string).collect();
        out.push_str(&header.join(" "));
        out.push_str("\n\n");
        for node in 0..self.nodes() {
            let sources = &self.src[self.in_start[node] as usize..self.in_start[node + 1] as usize];
            if sources.is_empty() {
                continue;
            }
            // Writing to a String cannot fail.
            let _ = writeln!(out, "{node} {}", sources.len());
            for s in sources {
                let _ = write!(out, "{s} ");
            }
            out.push('\n');
        }
        out
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.kinds.len()
    }

    /// Number of edges.
    pub fn edges(&self) -> usize {
        self.src.len()
    }

    /// Number of nodes of kind `kind`.
    pub fn count(&self, kind: NodeKind) -> usize {
        self.kinds.iter().filter(|&&k| k == kind).count()
    }

    /// Whether the graph has a directed cycle (autoencoders do, classifiers
    /// do not).
    pub fn is_cyclic(&self) -> bool {
        // Kahn's algorithm: repeatedly remove nodes with no remaining inputs.
        let n = self.nodes();
        let mut receiver = vec![0u32; self.edges()];
        for i in 0..n {
            receiver[self.in_start[i] as usize..self.in_start[i + 1] as usize].fill(i as u32);
        }
        let mut pending: Vec<u32> = (0..n).map(|i| self.in_start[i + 1] - self.in_start[i]).collect();
        let mut ready: Vec<usize> = (0..n).filter(|&i| pending[i] == 0).collect();
        let mut removed = 0;
        while let Some(i) = ready.pop() {
            removed += 1;
            for &e in &self.out_edge[self.out_start[i] as usize..self.out_start[i + 1] as usize] {
                let r = receiver[e as usize] as usize;
                pending[r] -= 1;
                if pending[r] == 0 {
                    ready.push(r);
                }
            }
        }
        removed < n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn layered_edges_in_source_order() {
        let spec = NetSpec::layered(&[2, 3, 1]).expect("valid sizes");
        assert_eq!(spec.in_start, [0, 0, 0, 2, 4, 6, 9]);
        assert_eq!(spec.src, [0, 1, 0, 1, 0, 1, 2, 3, 4]);
        assert_eq!(spec.out_start, [0, 3, 6, 7, 8, 9, 9]);
        assert_eq!(spec.out_edge, [0, 2, 4, 1, 3, 5, 6, 7, 8]);
        assert!(!spec.is_cyclic());
        spec.net().expect("kernel accepts");
    }

    #[test]
    fn autoencoder_is_cyclic() {
        let spec = NetSpec::autoencoder(4, &[3], 2, &[3]).expect("valid sizes");
        assert_eq!(spec.header(), [4, 3, 2, 3]);
        assert!(spec.is_cyclic());
        assert_eq!(spec.edges(), 4 * 3 + 3 * 2 + 2 * 3 + 3 * 4);
        spec.net().expect("kernel accepts");
    }

    #[test]
    fn implicit_net_has_the_four_blocks() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let shape = ImplicitShape { inputs: 2, states: 3, classes: 2, density: 1.0, direct: true };
        let spec = NetSpec::implicit(shape, &mut rng).expect("valid shape");
        // states 2, 3, 4 read both inputs and the two other states; classes
        // 5, 6 read the inputs, then every state
        assert_eq!(spec.in_start, [0, 0, 0, 4, 8, 12, 17, 22]);
        assert_eq!(spec.src[..12], [0, 1, 3, 4, 0, 1, 2, 4, 0, 1, 2, 3]);
        assert_eq!(spec.src[12..], [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
        assert!(spec.is_cyclic());
        assert!(!spec.net().expect("kernel accepts").is_ordered());
        let text = spec.to_text();
        assert_eq!(NetSpec::parse(&text, "implicit").expect("own output parses"), spec);
        let layered = NetSpec::implicit(ImplicitShape { density: 0.0, direct: false, ..shape }, &mut rng).unwrap();
        assert_eq!(layered, NetSpec::layered(&[2, 3, 2]).unwrap());
        assert!(layered.net().unwrap().is_ordered());
        let sparse = NetSpec::implicit(ImplicitShape { states: 40, density: 0.25, ..shape }, &mut rng).unwrap();
        let a_edges = sparse.edges() - 40 * 2 - 2 * (2 + 40);
        // 1560 off-diagonal entries, each kept with probability 1/4
        assert!((300..480).contains(&a_edges), "{a_edges}");
        assert!(NetSpec::implicit(ImplicitShape { density: 1.5, ..shape }, &mut rng).is_err());
        assert!(NetSpec::implicit(ImplicitShape { states: 0, ..shape }, &mut rng).is_err());
    }

    #[test]
    fn generator_rejects_bad_sizes() {
        assert!(NetSpec::layered(&[3]).is_err());
        assert!(NetSpec::layered(&[3, 0, 2]).is_err());
        assert!(NetSpec::layered(&[usize::MAX, 2]).is_err());
        assert!(NetSpec::layered(&[1 << 20, 1 << 20]).is_err());
        assert!(NetSpec::autoencoder(8, &[], 0, &[]).is_err());
    }
}
