//! Helpers of the command-line tests that read JSON records (`compare`,
//! `regress`): run the binary, parse its lines, read a number.

use std::process::{Command, Output};

use serde_json::Value;

/// Runs `lwl ARGS`.
pub fn lwl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lwl")).args(args).output().expect("lwl runs")
}

/// The JSON lines of a successful run's standard output.
pub fn lines(o: &Output) -> Vec<Value> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The number `key` of record `r`.
pub fn num(r: &Value, key: &str) -> f64 {
    r[key].as_f64().unwrap_or_else(|| panic!("{key} in {r}"))
}
