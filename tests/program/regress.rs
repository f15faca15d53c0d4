//! `lwl regress` and `lwl compare --teacher` through the command line:
//! RRR learns the sparse tanh teacher (its test RMSE falls below the zero
//! predictor's and its training RMSE falls epoch by epoch), the records
//! repeat for a seed on one and on two threads, the teacher comparison
//! keeps the numbers of the commands it runs, and bad input exits with
//! status 2 and a reason.

mod common;

use common::{lines, lwl, num, refused};
use serde_json::Value;

/// The records of `lwl regress ARGS --json` without the closing one.
fn regress(args: &[&str]) -> (Vec<Value>, Value) {
    let mut all = vec!["regress", "--json"];
    all.extend(args);
    let mut recs = lines(&lwl(&all));
    let last = recs.pop().unwrap();
    assert_eq!(last["final"], true);
    (recs, last)
}

#[test]
fn rrr_learns_the_teacher() {
    let (recs, last) = regress(&["--seed", "3", "--epochs", "8", "--threads", "1"]);
    assert_eq!(recs.len(), 8);
    let (first, end) = (&recs[0], &recs[7]);
    // the zero predictor is the yardstick: RRR is well below it on the test set
    assert!(num(end, "test_rmse") < 0.75 * num(end, "zero_test_rmse"), "{end}");
    assert!(num(end, "train_rmse") < num(first, "train_rmse"), "{first} → {end}");
    // the targets are met on most training items: RMSE far below the targets' scale
    assert!(num(end, "train_rmse") < 0.3 * num(end, "zero_test_rmse"), "{end}");
    assert!(num(end, "gwms") > num(first, "gwms"));
    assert_eq!(last["test_rmse"][0], end["test_rmse"]);
}

#[test]
fn records_repeat_on_every_thread_count() {
    let strip = |recs: Vec<Value>| -> Vec<Value> {
        recs.into_iter()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("seconds");
                r
            })
            .collect()
    };
    let one = strip(regress(&["--seed", "5", "--epochs", "2", "--trials", "2", "--threads", "1"]).0);
    let two = strip(regress(&["--seed", "5", "--epochs", "2", "--trials", "2", "--threads", "2"]).0);
    assert_eq!(one.len(), 4);
    assert_eq!(one, two);
    // trial 2 is seed 6 (its own teacher)
    assert_eq!((one[2]["trial"].as_u64(), one[2]["seed"].as_u64()), (Some(2), Some(6)));
    assert_ne!(one[0]["zero_test_rmse"], one[2]["zero_test_rmse"]);
}

#[test]
fn compare_teacher_keeps_the_commands_numbers() {
    let dir = std::env::temp_dir().join(format!("lwl-compare-teacher-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let args =
        ["compare", "--teacher", "--seeds", "2", "--seed", "4", "--json", "--out", d, "--with", "rrr: --epochs 3"];
    let rows = lines(&lwl(&args));
    let names: Vec<&str> = rows.iter().map(|r| r["method"].as_str().unwrap()).collect();
    assert_eq!(names, ["rrr", "implicit", "rmsprop", "zero"]);
    assert_eq!((rows[0]["student"].as_str(), rows[1]["student"].as_str()), (Some("zigmoid"), Some("tanh")));
    // seed 5 of RRR and of implicit, run directly
    let (rrr, _) = regress(&["--seed", "5", "--epochs", "3"]);
    let (rrr4, _) = regress(&["--seed", "4", "--epochs", "3"]);
    let mean = (num(&rrr[2], "test_rmse") + num(&rrr4[2], "test_rmse")) / 2.0;
    assert!((num(&rows[0], "test_rmse") - mean).abs() < 1e-15, "{} vs {mean}", rows[0]);
    let imp = |seed: &str| {
        let a =
            ["implicit", "--teacher", "--seed", seed, "--lambda", "0.001", "--mu", "0.01", "--epochs", "100", "--json"];
        lines(&lwl(&a)).remove(0)
    };
    let (i4, i5) = (imp("4"), imp("5"));
    let m = |k: &str| (num(&i4, k) + num(&i5, k)) / 2.0;
    assert!((num(&rows[1], "test_rmse") - m("bcd_test_rmse")).abs() < 1e-15);
    assert!((num(&rows[2], "test_rmse") - m("rmsprop_test_rmse")).abs() < 1e-15);
    assert!((num(&rows[2], "gwms") - m("rmsprop_gwms")).abs() < 1e-15);
    assert!((num(&rows[3], "test_rmse") - m("zero_test_rmse")).abs() < 1e-15);
    assert!(dir.join("teacher.png").exists() && dir.join("summary.json").exists());
    let recs = std::fs::read_to_string(dir.join("records.jsonl")).unwrap();
    // three RRR epochs per seed, one implicit record per seed for each of its two methods
    assert_eq!(recs.lines().count(), 2 * 3 + 2 * 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_exits_2_with_the_reason() {
    let cases: [(&[&str], &str); 7] = [
        (&["regress", "--layers", "20,12,4"], "5 outputs"),
        (&["regress", "--tolerance", "-1"], "--tolerance"),
        (&["regress", "--trials", "0"], "--trials"),
        (&["regress", "--activation", "tanh"], "tanh"),
        (&["compare", "--teacher", "--gwm", "1"], "--with"),
        (&["compare", "--teacher", "--methods", "adam"], "rrr, implicit and rmsprop"),
        (&["compare", "--teacher", "--activation", "tanh", "--methods", "rrr"], "does not train tanh"),
    ];
    for (args, why) in cases {
        refused(args, why);
    }
}
