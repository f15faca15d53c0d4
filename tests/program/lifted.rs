//! `lwl lifted` and `lwl sgd` through the command line: the lifted
//! defaults learn a generated depth-2 majority circuit with either penalty,
//! activation and output loss; a resumed run equals an uninterrupted one
//! and every thread count gives the same records; every optimiser lowers
//! the loss; and bad input exits with status 2 and a reason.

mod common;

use std::path::{Path, PathBuf};

use common::{lines as records, lwl, refused, untimed};
use serde_json::Value;

fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("lifted-{name}"))
}

#[test]
fn each_penalty_activation_and_loss_learns_majority_2_within_5_epochs() {
    for extra in [
        &["--penalty", "quadratic"][..],
        &["--penalty", "bregman"][..],
        &["--activation", "tanh"][..],
        &["--activation", "tanh", "--penalty", "quadratic"][..],
        &["--loss", "hinge"][..],
        &["--epsilon", "0.5"][..],
    ] {
        let mut a = vec!["lifted", "--majority", "2", "--epochs", "5", "--seed", "1", "--json"];
        a.extend_from_slice(extra);
        let recs = records(&lwl(&a));
        let best = recs.iter().filter_map(|r| r["test_err"].as_f64()).fold(1.0, f64::min);
        assert!(best <= 0.2, "{extra:?}: best test_err {best}");
        let last = recs.last().unwrap();
        assert_eq!(last["final"], true);
        assert!(last["gwms"].as_f64().unwrap() > 0.0 && last["linear_units"].as_array().unwrap().len() == 1);
    }
}

/// Two epochs of `cmd`, then two more resumed, equal four in one run: the
/// same records and the same files bit for bit; a contradicting flag
/// (`bad`) is refused and nothing is written.
fn resumed_equals_uninterrupted(cmd: &str, extra: &[&str], bad: [&str; 2]) {
    let (whole, part) = (scratch(&format!("{cmd}-whole")), scratch(&format!("{cmd}-part")));
    let run = |dir: &Path, more: &[&str]| {
        let mut a = vec![cmd, "--majority", "2", "--seed", "3", "--json"];
        a.extend_from_slice(more);
        a.extend_from_slice(&["--out", dir.to_str().unwrap()]);
        records(&lwl(&a))
    };
    let all = run(&whole, &[&["--epochs", "4"][..], extra].concat());
    let head = run(&part, &[&["--epochs", "2"][..], extra].concat());
    let tail = run(&part, &["--epochs", "2", "--resume", part.to_str().unwrap()]);
    assert_eq!(untimed(all[..2].to_vec()), untimed(head[..2].to_vec()), "{extra:?}");
    let (mut rest, mut tail) = (untimed(all[2..].to_vec()), untimed(tail));
    if extra.contains(&"--full-batch") {
        // the resumed process factors the first layer's matrix once more
        let gwms = |r: &mut Vec<Value>| -> Vec<f64> {
            r.iter_mut().map(|v| v.as_object_mut().unwrap().remove("gwms").unwrap().as_f64().unwrap()).collect()
        };
        let (a, b) = (gwms(&mut rest), gwms(&mut tail));
        let extra_work = b[0] - a[0];
        assert!(extra_work > 0.0 && extra_work < 0.02 * a[0], "{a:?} {b:?}");
        assert!(a.iter().zip(&b).all(|(a, b)| (b - a - extra_work).abs() < 1e-9), "{a:?} {b:?}");
    }
    assert_eq!(rest, tail, "{extra:?}");
    for f in ["params.txt", "states.txt", "moments.txt"] {
        assert_eq!(std::fs::read(whole.join(f)).ok(), std::fs::read(part.join(f)).ok(), "{extra:?}: {f}");
    }
    let before = std::fs::read(part.join("params.txt")).unwrap();
    let args = [cmd, "--resume", part.to_str().unwrap(), "--epochs", "1", bad[0], bad[1]];
    refused(&args, &format!("{} \"{}\" contradicts", bad[0], bad[1]));
    assert_eq!(std::fs::read(part.join("params.txt")).unwrap(), before);
}

/// Mini-batches, and a full batch whose states are resumed too.
#[test]
fn a_resumed_lifted_run_equals_an_uninterrupted_one() {
    resumed_equals_uninterrupted("lifted", &["--iter", "3", "--batch", "500"], ["--penalty", "quadratic"]);
    resumed_equals_uninterrupted(
        "lifted",
        &["--iter", "3", "--full-batch", "--activation", "tanh", "--loss", "hinge"],
        ["--loss", "squared"],
    );
}

/// Adam's moments and step count are resumed.
#[test]
fn a_resumed_sgd_run_equals_an_uninterrupted_one() {
    resumed_equals_uninterrupted("sgd", &["--optimizer", "adam", "--lr", "0.01"], ["--optimizer", "rmsprop"]);
}

#[test]
fn every_thread_count_gives_the_same_records() {
    let run = |t: &str| {
        untimed(records(&lwl(&[
            "lifted",
            "--majority",
            "2",
            "--epochs",
            "2",
            "--seed",
            "5",
            "--batch",
            "100",
            "--threads",
            t,
            "--json",
        ])))
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("3"));
}

#[test]
fn bad_input_exits_2_with_a_reason() {
    for (args, says) in [
        (&["--gamma", "0"][..], "--gamma"),
        (&["--gamma", "1,2"][..], "hidden layers"),
        (&["--layers", "13,0,2"][..], "none empty"),
        (&["--layers", "12,26,2"][..], "inputs"),
        (&["--layers", "13,26,1"][..], "classes"),
        (&["--lambda", "-1"][..], "--lambda"),
        (&["--iter", "0"][..], "--iter"),
        (&["--epsilon", "0"][..], "--epsilon"),
        (&["--margin", "-1"][..], "--margin"),
        (&["--threads", "0"][..], "--threads"),
        (&["--gamma", "1", "--epsilon", "0.1"][..], "cannot be used with"),
        (&["--resume", "/nonexistent/run"][..], "/nonexistent/run"),
        (&["--activation", "step", "--penalty", "quadratic"][..], "needs --penalty bregman"),
    ] {
        let mut a = vec!["lifted", "--majority", "2", "--epochs", "1", "--seed", "1"];
        a.extend_from_slice(args);
        refused(&a, says);
    }
}

#[test]
fn sgd_trains_and_refuses_bad_settings() {
    for opt in ["sgd", "adam", "rmsprop"] {
        let o = lwl(&[
            "sgd",
            "--majority",
            "2",
            "--epochs",
            "3",
            "--seed",
            "1",
            "--optimizer",
            opt,
            "--lr",
            "0.01",
            "--json",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let recs: Vec<Value> =
            String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let loss: Vec<f64> =
            recs.iter().filter(|r| r.get("final").is_none()).map(|r| r["loss"].as_f64().unwrap()).collect();
        assert!(loss[2] < loss[0], "{opt}: loss {loss:?}");
    }
    for (args, says) in [
        (&["--lr", "0"][..], "--lr"),
        (&["--momentum", "1"][..], "--momentum"),
        (&["--layers", "13,2,0"][..], "none empty"),
    ] {
        let mut a = vec!["sgd", "--majority", "2", "--epochs", "1", "--seed", "1"];
        a.extend_from_slice(args);
        refused(&a, says);
    }
}
