//! Borrowed network description in compressed-sparse-row form.
//!
//! Implements the graph of section 5.1 (classifiers: data, hidden and class
//! nodes) and section 6.1 (cyclic autoencoders: data and code nodes that also
//! receive edges). Edges are numbered by receiving node, so the in-edges of
//! node `i` are the contiguous range `in_start[i]..in_start[i + 1]`; the
//! out-edges of node `i` are `out_edge[out_start[i]..out_start[i + 1]]`, in
//! increasing edge number. Cyclic graphs need nothing special in the RRR
//! iteration; their forward pass settles by fixed-point sweeps.

/// The role of a node in the constraint formulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum NodeKind {
    /// A classifier input node: its value is the data (eq. 26b); no in-edges.
    Input = 0,
    /// A hidden node with an activation constraint (eq. 26c, 38d).
    Hidden = 1,
    /// A class node with the class-encoding constraint (eq. 26d–e).
    Class = 2,
    /// An autoencoder data node: fixed to the data for data items (eq. 38b),
    /// an activation node for code items.
    Data = 3,
    /// An autoencoder code node: fixed to the code for code items (eq. 38c),
    /// an activation node for data items.
    Code = 4,
}

/// Why a network description was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetError {
    /// `in_start` or `out_start` does not have `nodes + 1` entries.
    OffsetsLength,
    /// Offsets are not non-decreasing from 0 to the number of edges.
    OffsetsNotMonotone,
    /// An edge names a source node that does not exist.
    SourceOutOfRange,
    /// The out-edge lists are not the transpose of the in-edge lists.
    OutListsInconsistent,
    /// An input node has in-edges.
    InputHasInEdges,
    /// A non-input node has no in-edges (its bilinear constraint is empty).
    NoInEdges,
    /// A hidden, data or code node has no out-edges (its activation
    /// constraint would carry metric weight 0).
    NoOutEdges,
    /// More edges or nodes than `u32` can number.
    TooLarge,
}

/// A network: node kinds, in-edge lists and out-edge lists, all borrowed.
#[derive(Clone, Copy, Debug)]
pub struct Net<'a> {
    kinds: &'a [NodeKind],
    in_start: &'a [u32],
    src: &'a [u32],
    out_start: &'a [u32],
    out_edge: &'a [u32],
    ordered: bool,
}

fn check_offsets(off: &[u32], nodes: usize, edges: usize) -> Result<(), NetError> {
    if off.len() != nodes + 1 {
        return Err(NetError::OffsetsLength);
    }
    if off[0] != 0 || off[nodes] as usize != edges || off.windows(2).any(|p| p[0] > p[1]) {
        return Err(NetError::OffsetsNotMonotone);
    }
    Ok(())
}

/// Fills `out_start` (length `nodes + 1`) and `out_edge` (length = number of
/// edges) from the in-edge description, out-edges in increasing edge number.
pub fn build_out_lists(
    nodes: usize,
    in_start: &[u32],
    src: &[u32],
    out_start: &mut [u32],
    out_edge: &mut [u32],
) -> Result<(), NetError> {
    let edges = src.len();
    if edges > u32::MAX as usize || nodes >= u32::MAX as usize {
        return Err(NetError::TooLarge);
    }
    check_offsets(in_start, nodes, edges)?;
    if out_start.len() != nodes + 1 || out_edge.len() != edges {
        return Err(NetError::OffsetsLength);
    }
    out_start.fill(0);
    for &s in src {
        if s as usize >= nodes {
            return Err(NetError::SourceOutOfRange);
        }
        out_start[s as usize + 1] += 1;
    }
    for i in 0..nodes {
        out_start[i + 1] += out_start[i];
    }
    // Scatter by increasing edge number, using out_start as cursors, then
    // shift the cursors back into offsets: O(nodes + edges), no allocation.
    for (e, &s) in src.iter().enumerate() {
        let c = &mut out_start[s as usize];
        out_edge[*c as usize] = e as u32;
        *c += 1;
    }
    for i in (1..=nodes).rev() {
        out_start[i] = out_start[i - 1];
    }
    out_start[0] = 0;
    Ok(())
}

impl<'a> Net<'a> {
    /// Checks and borrows a network description.
    pub fn new(
        kinds: &'a [NodeKind],
        in_start: &'a [u32],
        src: &'a [u32],
        out_start: &'a [u32],
        out_edge: &'a [u32],
    ) -> Result<Self, NetError> {
        let nodes = kinds.len();
        let edges = src.len();
        if edges > u32::MAX as usize || nodes >= u32::MAX as usize {
            return Err(NetError::TooLarge);
        }
        check_offsets(in_start, nodes, edges)?;
        check_offsets(out_start, nodes, edges)?;
        if out_edge.len() != edges {
            return Err(NetError::OffsetsLength);
        }
        if src.iter().any(|&s| s as usize >= nodes) {
            return Err(NetError::SourceOutOfRange);
        }
        for (i, &kind) in kinds.iter().enumerate() {
            let indeg = in_start[i + 1] - in_start[i];
            match (kind, indeg) {
                (NodeKind::Input, 0) => {}
                (NodeKind::Input, _) => return Err(NetError::InputHasInEdges),
                (_, 0) => return Err(NetError::NoInEdges),
                _ => {}
            }
            let outdeg = out_start[i + 1] - out_start[i];
            if outdeg == 0 && matches!(kind, NodeKind::Hidden | NodeKind::Data | NodeKind::Code) {
                return Err(NetError::NoOutEdges);
            }
            let outs = &out_edge[out_start[i] as usize..out_start[i + 1] as usize];
            let mut prev: Option<u32> = None;
            for &e in outs {
                let ok = (e as usize) < edges && src[e as usize] as usize == i && prev.is_none_or(|p| p < e);
                if !ok {
                    return Err(NetError::OutListsInconsistent);
                }
                prev = Some(e);
            }
        }
        let ordered =
            (0..nodes).all(|i| src[in_start[i] as usize..in_start[i + 1] as usize].iter().all(|&s| (s as usize) < i));
        Ok(Self { kinds, in_start, src, out_start, out_edge, ordered })
    }

    /// Whether every edge runs from a lower-numbered node to a higher one:
    /// then node order is a topological order and one forward pass in that
    /// order is exact. A net with an edge from a higher-numbered node (an
    /// implicit model's state-to-state edges, an autoencoder's loop) is
    /// evaluated by fixed-point sweeps ([`crate::network::settle`]).
    pub fn is_ordered(&self) -> bool {
        self.ordered
    }

    /// Number of nodes (all kinds).
    pub fn nodes(&self) -> usize {
        self.kinds.len()
    }
    /// Number of edges |E|.
    pub fn edges(&self) -> usize {
        self.src.len()
    }
    /// Kind of node `i`.
    pub fn kind(&self, i: usize) -> NodeKind {
        self.kinds[i]
    }
    /// All node kinds.
    pub fn kinds(&self) -> &'a [NodeKind] {
        self.kinds
    }
    /// Range of in-edge numbers of node `i`.
    pub fn in_edges(&self, i: usize) -> core::ops::Range<usize> {
        self.in_start[i] as usize..self.in_start[i + 1] as usize
    }
    /// Source node of edge `e`.
    pub fn src(&self, e: usize) -> usize {
        self.src[e] as usize
    }
    /// Source nodes of all edges.
    pub fn sources(&self) -> &'a [u32] {
        self.src
    }
    /// Out-edge numbers of node `i`, increasing.
    pub fn out_edges(&self, i: usize) -> &'a [u32] {
        &self.out_edge[self.out_start[i] as usize..self.out_start[i + 1] as usize]
    }
    /// Out-degree of node `i`.
    pub fn outdeg(&self, i: usize) -> usize {
        (self.out_start[i + 1] - self.out_start[i]) as usize
    }
    /// Number of class nodes.
    pub fn classes(&self) -> usize {
        self.kinds.iter().filter(|&&k| k == NodeKind::Class).count()
    }
}
