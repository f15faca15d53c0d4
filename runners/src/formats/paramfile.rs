//! Parameter files: the consensus weights and biases a training run writes to
//! `--out`, and `--init` / `--resume` / `lwl predict --params` read.
//!
//! ```text
//! lwl-params network
//! omega 2
//! weights
//! <one line per non-input node, increasing: its incoming weights in edge order>
//! biases
//! <one line per non-input node, increasing: its bias>
//! ```
//!
//! A file that does not start with `lwl-params` is read as the reference
//! programs' weight file (the `weights` section alone, biases 0), so a golden
//! case's `init_weights.txt` is a valid `--init`.

use lwl_kernel::graph::NodeKind;

use crate::error::InputError;
use crate::formats::netfile::NetSpec;
use crate::formats::text::{nonblank_lines, parse_finite, tokens};

/// Consensus parameters of a network.
#[derive(Clone, Debug, PartialEq)]
pub struct NetParams {
    /// One weight per edge.
    pub weights: Vec<f64>,
    /// One bias per node (0 for input nodes).
    pub biases: Vec<f64>,
}

/// Formats parameters (`{:e}` shortest round-trip, so reading gives back the
/// same bits).
pub fn write_net_params(spec: &NetSpec, omega: f64, p: &NetParams) -> String {
    let mut s = format!("lwl-params network\nomega {omega:e}\nweights\n");
    let join = |v: &[f64]| v.iter().map(|x| format!("{x:e}")).collect::<Vec<_>>().join(" ");
    let nodes: Vec<usize> = (0..spec.nodes()).filter(|&i| spec.kinds[i] != NodeKind::Input).collect();
    for &i in &nodes {
        s += &join(&p.weights[spec.in_start[i] as usize..spec.in_start[i + 1] as usize]);
        s.push('\n');
    }
    s += "biases\n";
    for &i in &nodes {
        s += &format!("{:e}\n", p.biases[i]);
    }
    s
}

/// Reads parameters for `spec`, checking every count; returns them and the
/// Ω the file declares (if any).
pub fn read_net_params(text: &str, path: &str, spec: &NetSpec) -> Result<(NetParams, Option<f64>), InputError> {
    let mut lines = nonblank_lines(text).peekable();
    let mut omega = None;
    let full = lines.peek().is_some_and(|(_, l)| l.trim() == "lwl-params network");
    if full {
        lines.next();
        match lines.next() {
            Some((n, l)) => {
                let t = tokens(l);
                if t.len() != 2 || t[0] != "omega" {
                    return Err(InputError::at(path, n, "expected `omega VALUE`"));
                }
                omega = Some(parse_finite(t[1]).map_err(|m| InputError::at(path, n, m))?);
            }
            None => return Err(InputError::file(path, "ends after the header")),
        }
        match lines.next() {
            Some((_, l)) if l.trim() == "weights" => {}
            Some((n, _)) => return Err(InputError::at(path, n, "expected `weights`")),
            None => return Err(InputError::file(path, "ends before `weights`")),
        }
    }
    let nodes: Vec<usize> = (0..spec.nodes()).filter(|&i| spec.kinds[i] != NodeKind::Input).collect();
    let mut weights = vec![0.0; spec.edges()];
    let mut last = 0;
    for &i in &nodes {
        let (n, l) = lines.next().ok_or_else(|| {
            InputError::file(path, format!("ends before the weights of node {i} ({} nodes with inputs)", nodes.len()))
        })?;
        last = n;
        let t = tokens(l);
        let r = spec.in_start[i] as usize..spec.in_start[i + 1] as usize;
        if t.len() != r.len() {
            return Err(InputError::at(
                path,
                n,
                format!("node {i} has {} inputs, the line has {} weights", r.len(), t.len()),
            ));
        }
        for (w, tok) in weights[r].iter_mut().zip(t) {
            *w = parse_finite(tok).map_err(|m| InputError::at(path, n, m))?;
        }
    }
    let mut biases = vec![0.0; spec.nodes()];
    if full {
        match lines.next() {
            Some((_, l)) if l.trim() == "biases" => {}
            Some((n, _)) => return Err(InputError::at(path, n, "expected `biases` after the weights")),
            None => return Err(InputError::at(path, last, "ends before `biases`")),
        }
        for &i in &nodes {
            let (n, l) =
                lines.next().ok_or_else(|| InputError::file(path, format!("ends before the bias of node {i}")))?;
            let t = tokens(l);
            if t.len() != 1 {
                return Err(InputError::at(path, n, "expected one bias per line"));
            }
            biases[i] = parse_finite(t[0]).map_err(|m| InputError::at(path, n, m))?;
        }
    }
    if let Some((n, _)) = lines.next() {
        return Err(InputError::at(path, n, "unexpected text after the parameters"));
    }
    Ok((NetParams { weights, biases }, omega))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_exact() {
        let spec = NetSpec::layered(&[3, 2, 2]).unwrap();
        let p = NetParams {
            weights: (0..spec.edges()).map(|e| (e as f64 * 0.37).sin() / 3.0).collect(),
            biases: vec![0.0, 0.0, 0.0, 0.1, -0.2, 1e-300, 0.5],
        };
        let text = write_net_params(&spec, 2.0, &p);
        let (q, omega) = read_net_params(&text, "p.txt", &spec).unwrap();
        assert_eq!(omega, Some(2.0));
        assert_eq!(q, p);
    }

    #[test]
    fn reference_weight_file_and_errors() {
        let spec = NetSpec::layered(&[2, 1, 2]).unwrap();
        let (q, omega) = read_net_params("0.5 -0.5\n1\n2\n", "w.txt", &spec).unwrap();
        assert_eq!((q.weights, omega), (vec![0.5, -0.5, 1.0, 2.0], None));
        let e = read_net_params("0.5\n1\n2\n", "w.txt", &spec).unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = read_net_params("0.5 0.5\n1\n2\n3\n", "w.txt", &spec).unwrap_err();
        assert_eq!(e.line, Some(4));
        let e =
            read_net_params("lwl-params network\nomega 2\nweights\n1 1\n1\n1\nbiases\n0\nx\n", "p", &spec).unwrap_err();
        assert_eq!(e.line, Some(9));
    }
}
