//! The feed-around of section 6.1.1: starting from the fixed layer of an
//! item (data nodes for a data item, code nodes for a code item), values
//! propagate around the cyclic net with the consensus weights and biases,
//! `y = (Σ x_src W_e)/Ω` and `x = f(y − b)`, until every other node has its
//! value and every node (the fixed layer too) its pre-activation. The fixed
//! layer keeps its given values.
//!
//! The same pass initialises the RRR iterate of a batch (every copy set from
//! the pass, as `network::init_forward` does for layered nets) and defines
//! the reconstruction errors data_err and code_err (eq. 40–41), the
//! encodings `E(d)` (the code-node values of a data item) and the decodings
//! `D(c)` (the data-node values of a code item).

use lwl_kernel::activation;
use lwl_kernel::graph::{Net, NodeKind};
use lwl_kernel::network::Params;

use crate::engine::NetBuffers;

/// Which layer an item fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// A data item: the data nodes hold the data.
    Data,
    /// A code item: the code nodes hold the code.
    Code,
}

impl Start {
    /// The other layer.
    pub fn other(self) -> Self {
        match self {
            Start::Data => Start::Code,
            Start::Code => Start::Data,
        }
    }
}

/// Evaluation orders of a cyclic autoencoder.
#[derive(Clone, Debug)]
pub struct FeedAround {
    /// The data nodes, increasing.
    pub data: Vec<usize>,
    /// The code nodes, increasing.
    pub code: Vec<usize>,
    from_data: Vec<usize>,
    from_code: Vec<usize>,
}

/// The nodes other than those of kind `fixed`, each after all its sources
/// (nodes of kind `fixed` count as known); `Err(node)` names a node that
/// lies on a cycle avoiding the fixed layer.
fn order(net: &Net, fixed: NodeKind) -> Result<Vec<usize>, usize> {
    let n = net.nodes();
    let free = |i: usize| net.kind(i) != fixed;
    let mut receiver = vec![0usize; net.edges()];
    let mut pending = vec![0usize; n];
    for (i, pend) in pending.iter_mut().enumerate() {
        for e in net.in_edges(i) {
            receiver[e] = i;
            *pend += usize::from(free(i) && free(net.src(e)));
        }
    }
    let mut out: Vec<usize> = (0..n).filter(|&i| free(i) && pending[i] == 0).collect();
    let mut head = 0;
    while head < out.len() {
        let i = out[head];
        head += 1;
        for &e in net.out_edges(i) {
            let r = receiver[e as usize];
            if free(r) {
                pending[r] -= 1;
                if pending[r] == 0 {
                    out.push(r);
                }
            }
        }
    }
    match (0..n).find(|&i| free(i) && pending[i] > 0) {
        Some(i) => Err(i),
        None => Ok(out),
    }
}

impl FeedAround {
    /// The orders of `net`, which must have data and code nodes and no
    /// cycle that avoids the data layer or the code layer.
    pub fn new(net: &Net) -> Result<Self, String> {
        let of = |k: NodeKind| (0..net.nodes()).filter(|&i| net.kind(i) == k).collect::<Vec<_>>();
        let (data, code) = (of(NodeKind::Data), of(NodeKind::Code));
        if data.is_empty() || code.is_empty() {
            return Err("an autoencoder needs data nodes and code nodes".into());
        }
        if let Some(i) = (0..net.nodes()).find(|&i| matches!(net.kind(i), NodeKind::Input | NodeKind::Class)) {
            return Err(format!("node {i} is an input or class node; an autoencoder has data, hidden and code nodes"));
        }
        let cycle =
            |i: usize, layer: &str| format!("node {i} lies on a cycle that does not pass through the {layer} layer");
        let from_data = order(net, NodeKind::Data).map_err(|i| cycle(i, "data"))?;
        let from_code = order(net, NodeKind::Code).map_err(|i| cycle(i, "code"))?;
        Ok(Self { data, code, from_data, from_code })
    }

    /// The nodes an item of kind `start` fixes.
    pub fn fixed(&self, start: Start) -> &[usize] {
        match start {
            Start::Data => &self.data,
            Start::Code => &self.code,
        }
    }
}

/// A cyclic autoencoder with consensus parameters: what a feed-around
/// needs.
#[derive(Clone, Copy)]
pub struct Auto<'a> {
    /// The net.
    pub net: &'a Net<'a>,
    /// Its evaluation orders.
    pub feed: &'a FeedAround,
    /// Ω and the activation.
    pub p: &'a Params,
    /// Consensus weights.
    pub weights: &'a [f64],
    /// Consensus biases.
    pub biases: &'a [f64],
}

impl Auto<'_> {
    /// One feed-around: `values` holds the fixed layer's values on entry
    /// (other entries are overwritten) and every node's value on return;
    /// `y` receives every node's pre-activation.
    pub fn run(&self, start: Start, values: &mut [f64], y: &mut [f64]) {
        let (net, w, p) = (self.net, self.weights, self.p);
        let pre = |i: usize, values: &[f64]| net.in_edges(i).fold(0.0, |s, e| s + values[net.src(e)] * w[e]) / p.omega;
        let free = match start {
            Start::Data => &self.feed.from_data,
            Start::Code => &self.feed.from_code,
        };
        for &i in free {
            y[i] = pre(i, values);
            values[i] = activation::value(p.activation, y[i] - self.biases[i]);
        }
        for &i in self.feed.fixed(start) {
            y[i] = pre(i, values);
        }
    }

    /// Sets lanes `lanes` of the iterate of `buf` by feed-arounds of items of
    /// kind `start` (fixed values read from `buf.values`): `x` = source
    /// values, `w` = weights, `y` = pre-activations, `b` = biases. Returns
    /// the other layer's values of every lane (item-major): the encodings of
    /// data items.
    pub fn init(&self, buf: &mut NetBuffers, start: Start, lanes: std::ops::Range<usize>) -> Vec<f64> {
        let (net, feed) = (self.net, self.feed);
        let (n, ne, layout) = (net.nodes(), net.edges(), buf.layout);
        let (mut v, mut y) = (vec![0.0; n], vec![0.0; n]);
        let other = feed.fixed(start.other());
        let mut out = Vec::with_capacity(lanes.len() * other.len());
        for k in lanes {
            for &i in feed.fixed(start) {
                v[i] = buf.values[layout.at(k, i, n)];
            }
            self.run(start, &mut v, &mut y);
            for e in 0..ne {
                buf.edges.set(layout.at(k, e, ne), self.weights[e], v[net.src(e)]);
            }
            for (i, (&yi, &bi)) in y.iter().zip(self.biases).enumerate() {
                buf.y[layout.at(k, i, n)] = yi;
                buf.b[layout.at(k, i, n)] = bi;
            }
            out.extend(other.iter().map(|&i| v[i]));
        }
        out
    }

    /// Feed-arounds of `items` (item-major, the fixed layer's values of each
    /// item): the error at the fixed layer between the given values and
    /// `f(y − b)` (data_err of eq. 40 for data items, code_err of eq. 41 for
    /// code items) in both forms (see [`Pass`]), and the values every item
    /// gives the other layer (encodings for data items, decodings for code
    /// items), item-major.
    pub fn pass(&self, start: Start, items: &[f64]) -> Pass {
        let (fixed, other) = (self.feed.fixed(start), self.feed.fixed(start.other()));
        let count = items.len() / fixed.len();
        let (mut v, mut y) = (vec![0.0; self.net.nodes()], vec![0.0; self.net.nodes()]);
        let (mut sum, mut item_rms) = (0.0, 0.0);
        let mut out = Vec::with_capacity(count * other.len());
        for item in items.chunks_exact(fixed.len()) {
            for (&i, &x) in fixed.iter().zip(item) {
                v[i] = x;
            }
            self.run(start, &mut v, &mut y);
            let mut own = 0.0;
            for (&i, &x) in fixed.iter().zip(item) {
                let d = activation::value(self.p.activation, y[i] - self.biases[i]) - x;
                own += d * d;
            }
            sum += own;
            item_rms += (own / fixed.len() as f64).sqrt();
            out.extend(other.iter().map(|&i| v[i]));
        }
        let (err, err_items) =
            if count == 0 { (0.0, 0.0) } else { ((sum / items.len() as f64).sqrt(), item_rms / count as f64) };
        Pass { err, err_items, out }
    }
}

/// Result of [`Auto::pass`].
pub struct Pass {
    /// The reconstruction error as eq. 40–41 print it: one root mean square
    /// over all items × fixed nodes.
    pub err: f64,
    /// The reconstruction error as the reference program RRRauto computes
    /// it, and the paper's tables report: the mean over items of each
    /// item's root mean square over its fixed nodes (its `autoerr`, summed
    /// in the same order).
    pub err_items: f64,
    /// The other layer's values, item-major.
    pub out: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::netfile::NetSpec;

    #[test]
    fn orders_follow_the_cycle() {
        let spec = NetSpec::autoencoder(4, &[3], 2, &[3]).unwrap();
        let net = spec.net().unwrap();
        let f = FeedAround::new(&net).unwrap();
        assert_eq!(f.data, [0, 1, 2, 3]);
        assert_eq!(f.code, [7, 8]);
        assert_eq!(f.from_data, [4, 5, 6, 7, 8, 9, 10, 11]);
        assert_eq!(f.from_code, [9, 10, 11, 0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn rejects_classifiers() {
        let spec = NetSpec::layered(&[3, 2, 2]).unwrap();
        assert!(FeedAround::new(&spec.net().unwrap()).is_err());
    }
}
