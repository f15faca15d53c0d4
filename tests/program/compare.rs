//! `lwl compare` through the command line: its objects and records are
//! those of the commands it runs (the same numbers as a direct run), a GWM
//! budget stops every method at its first record past it, `--target`
//! finds the first record at the target, `--out` holds the picture, the
//! records and the summary, and bad input exits with status 2 and a
//! reason.

mod common;

use common::{lines, lwl, num, refused};
use serde_json::Value;

#[test]
fn objects_and_records_are_those_of_the_commands() {
    let dir = std::env::temp_dir().join(format!("lwl-compare-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let args = [
        "compare",
        "--majority",
        "2",
        "--seeds",
        "2",
        "--methods",
        "adam,rrr,admm",
        "--epochs",
        "2",
        "--target",
        "0.45",
        "--json",
        "--out",
        d,
    ];
    let rows = lines(&lwl(&args));
    let names: Vec<&str> = rows.iter().map(|r| r["method"].as_str().unwrap()).collect();
    assert_eq!(names, ["rrr", "admm", "adam"]);
    for r in &rows {
        for key in ["test_err", "test_err_sd", "train_err", "gwms", "seconds"] {
            assert!(num(r, key) >= 0.0, "{key} in {r}");
        }
    }
    assert_eq!(rows[2]["feasible"], Value::Null);
    assert!(rows[0]["feasible"].is_boolean() && rows[0]["gap_name"] == "rrr_err");
    // seed 2 of adam, run directly, gives the records compare kept
    let direct = lines(&lwl(&[
        "sgd",
        "--optimizer",
        "adam",
        "--majority",
        "2",
        "--layers",
        "13,26,2",
        "--seed",
        "2",
        "--epochs",
        "2",
        "--json",
    ]));
    let recs: Vec<Value> = std::fs::read_to_string(dir.join("records.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 3 * 2 * 2);
    let kept: Vec<&Value> = recs.iter().filter(|r| r["method"] == "adam" && r["seed"] == 2).collect();
    assert_eq!(kept.len(), 2);
    for (k, d) in kept.iter().zip(&direct) {
        assert_eq!(k["test_err"], d["test_err"]);
        assert_eq!(k["gwms"], d["gwms"]);
    }
    // the mean over the two seeds' last records
    let last = |m: &str, s: u64| recs.iter().rfind(|r| r["method"] == m && r["seed"] == s).unwrap();
    let mean = (num(last("admm", 1), "test_err") + num(last("admm", 2), "test_err")) / 2.0;
    assert!((num(&rows[1], "test_err") - mean).abs() < 1e-15);
    // the target: the first record at or below it, per seed
    for r in &rows {
        let m = r["method"].as_str().unwrap();
        let hits: Vec<&Value> = [1, 2]
            .iter()
            .filter_map(|&s| recs.iter().find(|x| x["method"] == m && x["seed"] == s && num(x, "test_err") <= 0.45))
            .collect();
        assert_eq!(r["target_reached"], hits.len(), "{m}");
    }
    assert!(std::fs::metadata(dir.join("compare.png")).unwrap().len() > 10_000);
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["methods"].as_array().unwrap().len(), 3);
    // a second comparison into the same directory needs --force
    let o = lwl(&["compare", "--majority", "2", "--seeds", "1", "--methods", "adam", "--out", d]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_work_budget_stops_each_method_past_it() {
    let dir = std::env::temp_dir().join(format!("lwl-compare-gwm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let args = [
        "compare",
        "--majority",
        "2",
        "--seeds",
        "1",
        "--methods",
        "adam,bcd",
        "--gwm",
        "0.05",
        "--json",
        "--out",
        dir.to_str().unwrap(),
    ];
    let rows = lines(&lwl(&args));
    let recs: Vec<Value> = std::fs::read_to_string(dir.join("records.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for m in ["adam", "bcd"] {
        let g: Vec<f64> = recs.iter().filter(|r| r["method"] == m).map(|r| num(r, "gwms")).collect();
        let n = g.len();
        assert!(n >= 2 && g[n - 1] >= 0.05 && g[n - 2] < 0.05, "{m}: {g:?}");
    }
    assert!(rows.iter().all(|r| num(r, "gwms") >= 0.05));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn localprop_joins_where_the_net_fits() {
    let o = lwl(&[
        "compare",
        "--majority",
        "2",
        "--layers",
        "13,13,2",
        "--seeds",
        "1",
        "--methods",
        "localprop",
        "--epochs",
        "3",
        "--json",
    ]);
    let rows = lines(&o);
    assert_eq!(rows[0]["method"], "localprop");
    assert_eq!(rows[0]["gap_name"], "goal_err");
    let o = lwl(&["compare", "--majority", "2", "--seeds", "1", "--methods", "localprop"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("every hidden layer as wide as the input"), "{err}");
}

#[test]
fn with_gives_one_method_more_flags() {
    let run = |extra: &[&str]| {
        let mut a =
            vec!["compare", "--majority", "2", "--seeds", "1", "--methods", "adam,sgd", "--epochs", "1", "--json"];
        a.extend_from_slice(extra);
        lines(&lwl(&a))
    };
    let (plain, tuned) = (run(&[]), run(&["--with", "adam: --lr 0.05"]));
    // the table's order: sgd, then adam
    assert_eq!((plain[0]["method"].as_str(), plain[1]["method"].as_str()), (Some("sgd"), Some("adam")));
    assert_eq!(plain[0]["test_err"], tuned[0]["test_err"]);
    assert_ne!(plain[1]["test_err"], tuned[1]["test_err"]);
}

/// Binary nets: the methods that train a step at every hidden node, and
/// back-propagation through it by the straight-through estimator learns.
#[test]
fn binary_nets_take_the_methods_that_train_steps() {
    let o = lwl(&["compare", "--majority", "2", "--seeds", "1", "--activation", "step", "--epochs", "10", "--json"]);
    let rows = lines(&o);
    let names: Vec<&str> = rows.iter().map(|r| r["method"].as_str().unwrap()).collect();
    assert_eq!(names, ["rrr", "lifted-bregman", "sgd", "adam"]);
    let sgd = &rows[2];
    assert!(num(sgd, "test_err") < 0.25, "{sgd}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--activation step"), "{err}");
    let o = lwl(&["compare", "--majority", "2", "--activation", "step", "--methods", "admm"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("admm trains relu nets, not step"));
}

#[test]
fn bad_input_exits_2_with_a_reason() {
    for (args, reason) in [
        (&["--seeds", "0"][..], "--seeds 0"),
        (&["--gwm=-1"][..], "--gwm -1"),
        (&["--epochs", "0"][..], "--epochs 0"),
        (&["--methods", "newton"][..], "newton"),
        (&["--layers", "12,26,2"][..], "12"),
        (&["--epochs", "2", "--gwm", "1"][..], "cannot be used with"),
        (&["--with", "newton: --lr 1"][..], "'newton' is not a method"),
        (&["--with", "adam"][..], "give NAME: FLAGS"),
    ] {
        let mut a = vec!["compare", "--majority", "2"];
        a.extend_from_slice(args);
        refused(&a, reason);
    }
    let o = lwl(&["compare", "--train", "/nonexistent/train.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/train.txt"));
}
