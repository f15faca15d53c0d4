//! The parser of the network file formats (see the parent module).

use lwl_kernel::graph::NodeKind;

use super::{MAX_EDGES, MAX_NODES, NetFormat, NetSpec};
use crate::error::InputError;
use crate::formats::text::{nonblank_lines, parse_bounded, parse_count, tokens};

impl NetSpec {
    /// Parses a network file (either format, told apart by the number of
    /// header fields; an autoencoder's four may stand two on each of two
    /// lines, as the reference's `autonet` writes them). `path` is used in
    /// error messages only.
    ///
    /// Every malformed case is an [`InputError`] with the offending line:
    /// non-numeric tokens, wrong counts, records out of order, an indegree
    /// that does not match its list, sources out of range, self-loops,
    /// duplicate sources, nodes without inputs, trailing text; for
    /// classifiers also class nodes used as sources and records for data
    /// nodes (a hidden node may read any hidden node: an implicit model). Hidden nodes (and, in an
    /// autoencoder, all nodes) must feed at least one node.
    pub fn parse(text: &str, path: &str) -> Result<NetSpec, InputError> {
        let at = |line: usize, msg: String| InputError::at(path, line, msg);
        let mut lines = nonblank_lines(text);
        let Some((hl, header)) = lines.next() else {
            return Err(InputError::file(path, "empty file; expected a header line"));
        };
        let mut head = tokens(header);
        if head.len() == 2 {
            // the reference's autonet writes `data encode` and `code decode`
            // on two lines
            match lines.next() {
                Some((_, second)) if tokens(second).len() == 2 => head.extend(tokens(second)),
                _ => {
                    return Err(at(
                        hl,
                        "header has 2 fields; an autoencoder header written on two lines \
                         (`data encode`, then `code decode`) needs 2 more on the next line"
                            .into(),
                    ));
                }
            }
        }
        let format = match head.len() {
            3 => NetFormat::Classifier,
            4 => NetFormat::Autoencoder,
            n => {
                return Err(at(
                    hl,
                    format!(
                        "header has {n} fields; expected 3 (data hidden class) for a \
                         classifier or 4 (data encode code decode) for an autoencoder"
                    ),
                ));
            }
        };
        let counts = head
            .iter()
            .map(|t| parse_bounded(t, "node count", MAX_NODES))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|m| at(hl, m))?;
        let blocks: Vec<(usize, NodeKind)> = match format {
            NetFormat::Classifier => {
                if counts[2] == 0 {
                    return Err(at(hl, "a classifier needs at least one class node".into()));
                }
                vec![(counts[0], NodeKind::Input), (counts[1], NodeKind::Hidden), (counts[2], NodeKind::Class)]
            }
            NetFormat::Autoencoder => {
                if counts[2] == 0 {
                    return Err(at(hl, "an autoencoder needs at least one code node".into()));
                }
                vec![
                    (counts[0], NodeKind::Data),
                    (counts[1], NodeKind::Hidden),
                    (counts[2], NodeKind::Code),
                    (counts[3], NodeKind::Hidden),
                ]
            }
        };
        if counts[0] == 0 {
            return Err(at(hl, "the net needs at least one data node".into()));
        }
        let nodes: usize = counts.iter().sum();
        if nodes > MAX_NODES {
            return Err(at(hl, format!("{nodes} nodes is more than the limit {MAX_NODES}")));
        }
        let kinds: Vec<NodeKind> = blocks.iter().flat_map(|&(n, k)| std::iter::repeat_n(k, n)).collect();
        let classifier = format == NetFormat::Classifier;
        let first = if classifier { counts[0] } else { 0 };

        let mut in_start = vec![0u32; first + 1];
        let mut src: Vec<u32> = Vec::new();
        for node in first..nodes {
            let Some((ln, record)) = lines.next() else {
                return Err(InputError::file(path, format!("file ends before the record of node {node}")));
            };
            let t = tokens(record);
            if t.len() != 2 {
                return Err(at(ln, format!("expected 'node indegree' for node {node}, found {} fields", t.len())));
            }
            let label =
                parse_count(t[0]).ok_or_else(|| at(ln, format!("node label '{}' is not a node number", t[0])))?;
            if label != node {
                let msg = if classifier && label < first {
                    format!("node {label} is a data node; data nodes of a classifier receive no edges")
                } else {
                    format!(
                        "expected the record of node {node}, found node {label} \
                         (records list the nodes with inputs in increasing order)"
                    )
                };
                return Err(at(ln, msg));
            }
            let indeg = parse_count(t[1])
                .ok_or_else(|| at(ln, format!("indegree '{}' is not a non-negative integer", t[1])))?;
            if indeg == 0 {
                return Err(at(ln, format!("node {node} has indegree 0; it needs inputs")));
            }
            if indeg >= nodes {
                return Err(at(ln, format!("indegree {indeg} of node {node} exceeds the {} other nodes", nodes - 1)));
            }
            let Some((sl, list)) = lines.next() else {
                return Err(InputError::file(path, format!("file ends before the source list of node {node}")));
            };
            let list = tokens(list);
            if list.len() != indeg {
                return Err(at(sl, format!("node {node} has indegree {indeg} but lists {} sources", list.len())));
            }
            let begin = src.len();
            for tok in list {
                let s = parse_count(tok).ok_or_else(|| at(sl, format!("source '{tok}' is not a node number")))?;
                let problem = if s >= nodes {
                    Some(format!("source {s} is out of range (nodes are 0..={})", nodes - 1))
                } else if s == node {
                    Some(format!("node {node} lists itself as a source"))
                } else if classifier && kinds[s] == NodeKind::Class {
                    Some(format!("class node {s} cannot feed node {node}"))
                } else {
                    None
                };
                if let Some(msg) = problem {
                    return Err(at(sl, msg));
                }
                src.push(s as u32);
            }
            let mut sorted = src[begin..].to_vec();
            sorted.sort_unstable();
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return Err(at(sl, format!("node {node} lists source {} twice", w[0])));
            }
            if src.len() > MAX_EDGES {
                return Err(at(sl, format!("more than {MAX_EDGES} edges")));
            }
            in_start.push(src.len() as u32);
        }
        if let Some((ln, _)) = lines.next() {
            return Err(at(ln, "unexpected text after the last node record".into()));
        }
        let spec = Self::assemble(format, kinds, in_start, src)
            .map_err(|e| InputError::file(path, format!("internal error: {e:?}")))?;
        if let Some(i) = (0..nodes).find(|&i| spec.must_feed(i) && spec.outdeg(i) == 0) {
            return Err(InputError::file(path, format!("node {i} feeds no other node")));
        }
        Ok(spec)
    }

    /// Whether node `i` must have out-edges: its activation constraint is
    /// weighted by its out-degree, so a dead-end node would be meaningless.
    fn must_feed(&self, i: usize) -> bool {
        match self.format {
            NetFormat::Classifier => self.kinds[i] == NodeKind::Hidden,
            NetFormat::Autoencoder => true,
        }
    }

    fn outdeg(&self, i: usize) -> usize {
        (self.out_start[i + 1] - self.out_start[i]) as usize
    }
}
