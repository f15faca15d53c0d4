//! `lwl implicit` through the command line: a dense implicit classifier
//! learns majority-2 with ‖A‖∞ within κ and every item converging; the
//! teacher trials print a record per trial and a summary; a dense model
//! with κ ≥ 1 is refused unless asked for; a resumed run equals an
//! uninterrupted one; bad input exits with status 2 and a reason.

mod common;

use std::path::PathBuf;

use common::{lines as records, lwl, num as f, refused};

#[test]
fn dense_and_layered_models_learn_majority_2() {
    for extra in [&["--states", "30"][..], &["--layers", "13,26,2", "--activation", "tanh"][..]] {
        let mut a = vec!["implicit", "--majority", "2", "--epochs", "8", "--seed", "1", "--json"];
        a.extend_from_slice(extra);
        let recs = records(&lwl(&a));
        assert_eq!(recs.len(), 9, "{extra:?}: 8 sweeps and the summary");
        let last = recs.last().unwrap();
        // chance is 0.5; BCD reaches 0.17 (dense) and 0.22 (layered tanh) here
        assert!(f(last, "test_err") <= 0.3, "{extra:?}: {last}");
        assert!(f(&recs[7], "objective") < f(&recs[0], "objective"), "{extra:?}");
        assert_eq!(f(last, "unconverged"), 0.0);
        if extra[0] == "--states" {
            assert!(f(last, "a_norm") <= 0.95 + 1e-12 && last["well_posed"] == true, "{last}");
        }
    }
}

#[test]
fn teacher_trials_give_a_record_each_and_a_summary() {
    let o = lwl(&["implicit", "--teacher", "--trials", "3", "--epochs", "6", "--seed", "2", "--json"]);
    let recs = records(&o);
    assert_eq!(recs.len(), 4);
    for (t, r) in recs[..3].iter().enumerate() {
        assert_eq!(r["trial"], t + 1);
        assert_eq!(r["seed"], 2 + t);
        // BCD and RMSProp both fit better than predicting zero does (the
        // teacher's outputs have rms well above these)
        for k in ["bcd_test_rmse_5", "bcd_test_rmse", "rmsprop_test_rmse"] {
            assert!(f(r, k) > 0.0 && f(r, k) < 0.5, "{k}: {r}");
        }
        assert!((f(r, "gap_test") - (f(r, "bcd_test_rmse") - f(r, "rmsprop_test_rmse"))).abs() < 1e-15);
    }
    // the student is the teacher's shape with tanh unless told otherwise
    assert_eq!(recs[3]["activation"], "tanh");
    assert_eq!(recs[3]["layers"], serde_json::json!([20, 12, 6, 5]));
    let gaps: Vec<f64> = recs[..3].iter().map(|r| f(r, "gap_test")).collect();
    assert!((recs[3]["gap_test"][0].as_f64().unwrap() - gaps.iter().sum::<f64>() / 3.0).abs() < 1e-12);
}

#[test]
fn an_expansive_dense_model_is_refused_unless_asked_for() {
    let o = lwl(&["implicit", "--majority", "2", "--states", "5", "--kappa", "1.5", "--epochs", "1", "--seed", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("‖A‖∞ < 1"), "{}", String::from_utf8_lossy(&o.stderr));
    let a = ["implicit", "--majority", "2", "--states", "5", "--kappa", "1.5", "--epochs", "1", "--seed", "1"];
    let recs = records(&lwl(&[&a[..], &["--iterate-anyway", "--json"]].concat()));
    assert_eq!(recs.last().unwrap()["epoch"], 1);
}

#[test]
fn bad_input_exits_2_with_a_reason() {
    let base = ["implicit", "--majority", "2", "--epochs", "1", "--seed", "1"];
    for (extra, reason) in [
        (&["--states", "0"][..], "--states"),
        (&["--mu", "0"][..], "--mu"),
        (&["--decay", "-1"][..], "--decay"),
        (&["--order", "cd,p,ab"][..], "every block"),
        (&["--order", "cd,q,ab,x"][..], "'q'"),
        (&["--lambda", "1,2,3"][..], "3 values"),
        (&["--layers", "13,2"][..], "hidden layer"),
        (&["--picard", "0"][..], "--picard"),
        (&["--activation", "step"][..], "need relu or tanh"),
    ] {
        refused(&[&base[..], extra].concat(), reason);
    }
    let o = lwl(&["implicit", "--teacher", "--layers", "20,12,4", "--epochs", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("5 outputs"));
}

fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("implicit-{name}"))
}

/// Two sweeps and two more resumed equal four in one run: the same records
/// (but for the time and the work of the resumed run's extra
/// factorisation) and the same model and states bit for bit; a
/// contradicting flag is refused.
#[test]
fn a_resumed_run_equals_an_uninterrupted_one() {
    let (a, b) = (scratch("whole"), scratch("parts"));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let base = ["implicit", "--majority", "2", "--states", "12", "--seed", "3", "--json", "--mu", "0.5"];
    let whole = records(&lwl(&[&base[..], &["--epochs", "4", "--out", a]].concat()));
    let mut parts = records(&lwl(&[&base[..], &["--epochs", "2", "--out", b]].concat()));
    parts.pop();
    let more = records(&lwl(&["implicit", "--resume", b, "--epochs", "2", "--json"]));
    parts.extend(more);
    assert_eq!(whole.len(), parts.len());
    for (w, p) in whole.iter().zip(&parts) {
        for k in
            ["epoch", "objective", "loss", "divergence", "coupling", "train_err", "test_err", "a_norm", "picard_steps"]
        {
            assert_eq!(w[k], p[k], "{k}: {w} against {p}");
        }
    }
    for f in ["model.txt", "states.txt"] {
        let read = |d: &str| std::fs::read(PathBuf::from(d).join(f)).unwrap();
        assert!(read(a) == read(b), "{f} differs");
    }
    let o = lwl(&["implicit", "--resume", b, "--epochs", "1", "--mu", "2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--mu 2"), "{}", String::from_utf8_lossy(&o.stderr));
    let o = lwl(&["implicit", "--teacher", "--resume", b, "--epochs", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--teacher"));
}
