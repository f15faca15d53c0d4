//! Helpers shared by the command-line tests: run the binary, parse its JSON
//! lines, read a number, drop the timing from records, a scratch path, and
//! the check that bad input exits with status 2 and a reason. Each test
//! binary uses some of them.
#![allow(dead_code)]

use std::path::PathBuf;
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

/// The records without their timing.
pub fn untimed(mut recs: Vec<Value>) -> Vec<Value> {
    for r in &mut recs {
        r.as_object_mut().unwrap().remove("seconds");
    }
    recs
}

/// A path in the temporary directory for `name`, unique to this process,
/// with nothing at it.
pub fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lwl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// `lwl ARGS` exits with status 2 and says `reason` on standard error;
/// returns that text.
pub fn refused(args: &[&str], reason: &str) -> String {
    let o = lwl(args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(reason), "{args:?}: {err}");
    err
}
