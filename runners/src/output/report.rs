//! The runner contract's output: one JSON object per line with `--json`, or
//! a readable table; progress bars on stderr when stderr is a terminal; the
//! seed printed on stderr.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value};

use crate::engine::ranks;
use crate::error::Error;
use crate::output::write_stdout;

/// The seed to use: the given one, or a fresh one from the operating
/// system (rank 0's in an MPI job); printed on stderr either way so the run
/// can be repeated.
pub fn seed(given: Option<u64>, what: &str) -> u64 {
    let s = ranks::first(given.unwrap_or_else(rand::random));
    if ranks::writes() {
        ranks::say(&format!("lwl {what}: seed {s} (--seed {s} repeats this run)"));
    }
    s
}

/// Writes records as JSON lines or as an aligned table with the given
/// columns (keys of the records), on standard output.
pub struct Reporter {
    json: bool,
    columns: Vec<&'static str>,
    header_done: bool,
}

impl Reporter {
    /// A reporter; `columns` are the keys shown in table mode.
    pub fn new(json: bool, columns: &[&'static str]) -> Self {
        Self { json, columns: columns.to_vec(), header_done: false }
    }

    /// Prints one record (see [`write_stdout`] for the errors).
    pub fn record(&mut self, v: &Value) -> Result<(), Error> {
        let mut text = String::new();
        if self.json {
            text = format!("{v}\n");
        } else {
            if !self.header_done {
                let head: Vec<String> = self.columns.iter().map(|c| format!("{c:>12}")).collect();
                text = head.join(" ") + "\n";
                self.header_done = true;
            }
            let row: Vec<String> = self.columns.iter().map(|c| format!("{:>12}", cell(v.get(*c)))).collect();
            text += &(row.join(" ") + "\n");
        }
        write_stdout(&text)
    }

    /// Prints a closing record (`"final": true` is added) — in table mode
    /// as a `key: value` block.
    pub fn last(&mut self, v: Value) -> Result<(), Error> {
        let mut v = v;
        if let Value::Object(m) = &mut v {
            let mut all = Map::new();
            all.insert("final".into(), Value::Bool(true));
            all.extend(std::mem::take(m));
            *m = all;
        }
        let text = match &v {
            Value::Object(m) if !self.json => {
                m.iter().filter(|(k, _)| *k != "final").map(|(k, val)| format!("{k}: {}\n", cell(Some(val)))).collect()
            }
            _ => format!("{v}\n"),
        };
        write_stdout(&text)
    }
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "-".into(),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => u.to_string(),
            (_, Some(i), _) => i.to_string(),
            (_, _, Some(f)) if f != 0.0 && (f.abs() < 1e-3 || f.abs() >= 1e6) => format!("{f:.4e}"),
            (_, _, Some(f)) => format!("{f:.6}"),
            _ => n.to_string(),
        },
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// A progress bar on stderr, shown only when stderr is a terminal (and, in
/// an MPI job, by rank 0).
pub fn progress(len: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() || !crate::engine::ranks::writes() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_prefix(what.to_string());
    bar
}

/// Mean and sample standard deviation of `v` (standard deviation 0 for one
/// value; NaN mean for none).
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 { (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() } else { 0.0 };
    (mean, sd)
}

/// [`mean_sd`] as a record's value `[mean, standard deviation]`.
pub fn mean_std(v: &[f64]) -> Value {
    let (m, sd) = mean_sd(v);
    serde_json::json!([m, sd])
}

/// Summary statistics over successful restarts, as the runner contract
/// names them.
pub fn restart_summary(runs: usize, successes: &[(f64, f64, f64)]) -> Value {
    let med = |mut v: Vec<f64>| -> Value {
        if v.is_empty() {
            return Value::Null;
        }
        v.sort_by(f64::total_cmp);
        let m = v.len() / 2;
        let x = if v.len() % 2 == 1 { v[m] } else { 0.5 * (v[m - 1] + v[m]) };
        serde_json::json!(x)
    };
    let mean = |v: Vec<f64>| -> Value {
        if v.is_empty() { Value::Null } else { serde_json::json!(v.iter().sum::<f64>() / v.len() as f64) }
    };
    let col = |i: usize| successes.iter().map(|s| [s.0, s.1, s.2][i]).collect::<Vec<f64>>();
    serde_json::json!({
        "runs": runs,
        "successes": successes.len(),
        "success_rate": if runs == 0 { 0.0 } else { successes.len() as f64 / runs as f64 },
        "median_iters": med(col(0)),
        "median_gwms": med(col(1)),
        "median_seconds": med(col(2)),
        "mean_iters": mean(col(0)),
        "mean_gwms": mean(col(1)),
        "mean_seconds": mean(col(2)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_medians_and_means() {
        let s = restart_summary(4, &[(10.0, 1.0, 2.0), (30.0, 3.0, 4.0), (20.0, 2.0, 9.0)]);
        assert_eq!(s["success_rate"], 0.75);
        assert_eq!(s["median_iters"], 20.0);
        assert_eq!(s["mean_gwms"], 2.0);
        assert_eq!(s["median_seconds"], 4.0);
        assert_eq!(restart_summary(2, &[])["median_gwms"], Value::Null);
    }

    #[test]
    fn cells_format_numbers() {
        assert_eq!(cell(Some(&serde_json::json!(3))), "3");
        assert_eq!(cell(Some(&serde_json::json!(0.5))), "0.500000");
        assert_eq!(cell(Some(&serde_json::json!(1.5e-7))), "1.5000e-7");
        assert_eq!(cell(None), "-");
    }
}
