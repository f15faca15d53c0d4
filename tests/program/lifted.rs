//! `lwl lifted` and `lwl sgd` through the command line: the lifted
//! defaults learn a generated depth-2 majority circuit, every optimiser
//! lowers the loss, and bad input exits with status 2 and a reason.

use std::process::{Command, Output};

use serde_json::Value;

fn lwl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lwl")).args(args).output().expect("lwl runs")
}

#[test]
fn each_penalty_learns_majority_2_within_5_epochs() {
    for penalty in ["quadratic", "bregman"] {
        let o = lwl(&["lifted", "--majority", "2", "--epochs", "5", "--seed", "1", "--penalty", penalty, "--json"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let recs: Vec<Value> =
            String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let best = recs.iter().filter_map(|r| r["test_err"].as_f64()).fold(1.0, f64::min);
        assert!(best <= 0.2, "{penalty}: best test_err {best}");
        let last = recs.last().unwrap();
        assert_eq!(last["final"], true);
        assert!(last["gwms"].as_f64().unwrap() > 0.0 && last["linear_units"].as_array().unwrap().len() == 1);
    }
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
    ] {
        let mut a = vec!["lifted", "--majority", "2", "--epochs", "1", "--seed", "1"];
        a.extend_from_slice(args);
        let o = lwl(&a);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
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
        let o = lwl(&a);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
