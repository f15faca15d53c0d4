//! `lwl localprop` through the command line: on MNIST four iterations of
//! the 4-node chain already give a readout better than the same readout on
//! the raw pixels and far better than the random initial chain; learning
//! lowers the readout's error on a majority circuit; the records repeat
//! for a seed and every thread count; `--out` keeps the records and the
//! picture; bad input exits with status 2 and a reason.

mod common;

use std::process::Output;

use common::{lwl, num, refused, untimed};
use serde_json::Value;

/// The JSON records of a successful run, without the closing record (which
/// repeats the last one with `"final": true`).
fn records(o: &Output) -> Vec<Value> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut recs: Vec<Value> =
        String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut last = recs.pop().expect("a closing record");
    assert_eq!(last.as_object_mut().unwrap().remove("final"), Some(Value::Bool(true)));
    assert_eq!(Some(&last), recs.last());
    recs
}

#[test]
fn four_iterations_on_mnist_beat_the_raw_pixels() {
    let recs = records(&lwl(&[
        "localprop",
        "--mnist",
        "--nodes",
        "4",
        "--iter",
        "4",
        "--eval-every",
        "4",
        "--seed",
        "1",
        "--json",
    ]));
    assert_eq!(recs.iter().map(|r| num(r, "iter")).collect::<Vec<_>>(), [0.0, 4.0]);
    let (start, end) = (&recs[0], &recs[1]);
    assert!(start["goal_err"].is_null());
    let raw = num(end, "raw_test_err");
    assert!(raw > 0.1 && raw < 0.2, "ridge on raw MNIST pixels: {raw}");
    assert!(num(end, "test_err") < 0.7 * raw, "{end}");
    assert!(num(end, "test_err") < 0.5 * num(start, "test_err"), "{start} → {end}");
    assert!(num(end, "gwms") > num(start, "gwms"));
}

fn majority(extra: &[&str]) -> Vec<Value> {
    let mut a = vec!["localprop", "--majority", "2", "--nodes", "2", "--keep", "7,7", "--seed", "1", "--json"];
    a.extend_from_slice(extra);
    records(&lwl(&a))
}

#[test]
fn learning_lowers_the_readout_error_and_repeats() {
    let recs = majority(&["--iter", "30", "--eval-every", "10"]);
    assert_eq!(recs.len(), 4);
    let (start, end) = (num(&recs[0], "test_err"), num(&recs[3], "test_err"));
    assert!(end < 0.75 * start, "{start} → {end}");
    for r in &recs[1..] {
        let g = num(r, "goal_err");
        assert!(g > 0.0 && g < 1.0, "{r}");
    }
    let again = majority(&["--iter", "30", "--eval-every", "10", "--threads", "1"]);
    assert_eq!(untimed(recs), untimed(again));
    let asyn = majority(&["--iter", "30", "--eval-every", "10", "--schedule", "asyn", "--goal", "middle"]);
    assert_eq!(asyn.len(), 4);
    let barrier = majority(&["--iter", "5", "--weights", "barrier", "--deviation", "paper"]);
    assert!(barrier.iter().all(|r| num(r, "test_err").is_finite()));
}

#[test]
fn out_keeps_the_records_and_the_picture() {
    let dir = std::env::temp_dir().join(format!("lwl-localprop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let recs = majority(&["--iter", "4", "--eval-every", "2", "--out", d]);
    let prog: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("progress.json")).unwrap()).unwrap();
    assert_eq!(prog["iter"], recs[2]["iter"]);
    assert_eq!(prog["seed"], 1);
    assert_eq!(prog["history"].as_array().unwrap().len(), 3);
    assert_eq!(prog["hyper"]["keep"], serde_json::json!([7, 7]));
    assert!(std::fs::metadata(dir.join("errors.png")).unwrap().len() > 1000);
    // a second run into the same directory is refused and leaves it alone
    let o = lwl(&["localprop", "--majority", "2", "--iter", "1", "--out", d]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let after: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("progress.json")).unwrap()).unwrap();
    assert_eq!(after, prog);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_exits_2_with_a_reason() {
    for (args, reason) in [
        (&["--nodes", "0"][..], "--nodes"),
        (&["--iter", "0"][..], "--iter"),
        (&["--keep", "3,3"][..], "--keep lists 2 counts for 4 nodes"),
        (&["--keep", "3,0,3,3"][..], "each node keeps 1 to 13 entries"),
        (&["--keep", "3,14,3,3"][..], "each node keeps 1 to 13 entries"),
        (&["--rho", "0"][..], "--rho 0: must be in (0, 1]"),
        (&["--rho", "1.5"][..], "--rho"),
        (&["--batch-fraction", "0"][..], "--batch-fraction"),
        (&["--lambda2=-1"][..], "--lambda2"),
        (&["--init-std", "0"][..], "--init-std"),
        (&["--schedule", "sometimes"][..], "sometimes"),
        (&["--resume", "/nonexistent"][..], "does not resume"),
    ] {
        let mut a = vec!["localprop", "--majority", "2", "--iter", "1"];
        a.extend_from_slice(args);
        refused(&a, reason);
    }
    refused(&["localprop", "--train", "/nonexistent/train.txt"], "/nonexistent/train.txt");
}
