//! `lwl admm` through the command line: Taylor et al.'s ADMM drives its
//! split constraints to feasibility on a depth-2 majority circuit and
//! learns it, Zeng et al.'s BCD never increases its objective, a resumed
//! run equals an uninterrupted one, and bad input exits with status 2 and
//! a reason.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{lwl, num, refused, untimed};
use serde_json::Value;

/// The JSON records of a successful run, without the closing one.
fn records(o: &Output) -> Vec<Value> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut recs: Vec<Value> =
        String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(recs.pop().unwrap()["final"], true);
    recs
}

fn majority(extra: &[&str]) -> Vec<Value> {
    let mut a = vec!["admm", "--majority", "2", "--seed", "1", "--json"];
    a.extend_from_slice(extra);
    records(&lwl(&a))
}

#[test]
fn admm_reaches_feasibility_and_learns_majority_2() {
    let recs = majority(&["--epochs", "200"]);
    let (first, last) = (&recs[0], &recs[199]);
    assert!(num(last, "residual") < 1e-4 && num(last, "residual") < 1e-2 * num(first, "residual"), "{last}");
    assert!(num(last, "test_err") < 0.3, "{last}");
    assert!(num(last, "gwms") > num(first, "gwms"));
}

#[test]
fn bcd_never_increases_its_objective() {
    for loss in ["squared", "hinge"] {
        let recs = majority(&["--epochs", "40", "--method", "bcd", "--lambda", "0", "--loss", loss]);
        for w in recs.windows(2) {
            let (a, b) = (num(&w[0], "objective"), num(&w[1], "objective"));
            assert!(b <= a * (1.0 + 1e-12), "{loss}: {a} → {b}");
        }
        assert!(num(&recs[39], "objective") < 0.5 * num(&recs[0], "objective"), "{loss}");
    }
}

fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("admm-{name}"))
}

#[test]
fn a_resumed_run_equals_an_uninterrupted_one() {
    for method in ["admm", "bcd"] {
        let (whole, part) = (scratch(&format!("{method}-whole")), scratch(&format!("{method}-part")));
        let run = |dir: &Path, more: &[&str]| {
            let mut a = vec!["--method", method, "--warm", "2", "--out", dir.to_str().unwrap()];
            a.extend_from_slice(more);
            majority(&a)
        };
        let all = run(&whole, &["--epochs", "6"]);
        run(&part, &["--epochs", "3"]);
        let tail = records(&lwl(&["admm", "--resume", part.to_str().unwrap(), "--epochs", "3", "--json"]));
        assert_eq!(untimed(all[3..].to_vec()), untimed(tail), "{method}");
        for f in ["params.txt", "states.txt"] {
            assert_eq!(std::fs::read(whole.join(f)).ok(), std::fs::read(part.join(f)).ok(), "{method}: {f}");
        }
        let before = std::fs::read(part.join("params.txt")).unwrap();
        refused(
            &["admm", "--resume", part.to_str().unwrap(), "--epochs", "1", "--method", "admm", "--beta", "2"],
            "contradicts",
        );
        assert_eq!(std::fs::read(part.join("params.txt")).unwrap(), before);
    }
}

#[test]
fn bad_input_exits_2_with_a_reason() {
    for (args, reason) in [
        (&["--activation", "tanh"][..], "trains ReLU nets"),
        (&["--beta", "0"][..], "--beta"),
        (&["--gamma", "-1"][..], "--gamma"),
        (&["--method", "bcd", "--alpha", "0"][..], "--alpha"),
        (&["--method", "bcd", "--rho", "-2"][..], "--rho"),
        (&["--lambda", "-1"][..], "--lambda"),
        (&["--method", "newton"][..], "newton"),
        (&["--epochs", "0"][..], "--epochs"),
    ] {
        let mut a = vec!["admm", "--majority", "2", "--epochs", "1"];
        a.extend_from_slice(args);
        refused(&a, reason);
    }
}
