//! `lwl classify` end to end: the three golden classifier cases through the
//! command line (bit for bit with --oracle, to 1e-9 on the SIMD path), and
//! bad input rejected with exit status 2 and a clear message.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn golden(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden").join(rel)
}

fn lwl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lwl")).args(args).output().expect("lwl runs")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lwl-classify-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn numbers(p: &Path) -> Vec<f64> {
    std::fs::read_to_string(p).unwrap().split_whitespace().map(|t| t.parse().unwrap()).collect()
}

/// Runs a golden case through `lwl classify`; returns the error series and
/// the final JSON record.
fn run_case(case: &str, extra: &[&str], oracle: bool) -> (Vec<f64>, serde_json::Value, PathBuf) {
    let dir = tmp(&format!("{case}-{oracle}"));
    let series = dir.join("errs.txt");
    let g = |f: &str| golden(&format!("{case}/inputs/{f}")).display().to_string();
    let (net, data, init) = (g("net.txt"), g("data.txt"), g("init_weights.txt"));
    let s = series.display().to_string();
    let out = dir.join("out").display().to_string();
    let mut args = vec![
        "classify",
        "--net",
        &net,
        "--train",
        &data,
        "--batch",
        "32",
        "--iter",
        "100",
        "--epochs",
        "1",
        "--init",
        &init,
        "--no-shuffle",
        "--err-series",
        &s,
        "--seed",
        "1",
        "--json",
        "--out",
        &out,
    ];
    args.extend(extra);
    if oracle {
        args.push("--oracle");
    }
    let o = lwl(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["final"], true);
    (numbers(&series), last, dir.join("out"))
}

fn check_case(case: &str, extra: &[&str]) -> (serde_json::Value, PathBuf) {
    let want = numbers(&golden(&format!("{case}/outputs/rrr_err.txt")));
    let (exact, last, out) = run_case(case, extra, true);
    assert_eq!(exact.len(), 100);
    for (i, (a, b)) in exact.iter().zip(&want).enumerate() {
        assert_eq!(a.to_bits(), b.to_bits(), "{case} iteration {}: {a:e} vs {b:e}", i + 1);
    }
    let (fast, fast_last, _) = run_case(case, extra, false);
    for (a, b) in fast.iter().zip(&want).take(20) {
        assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{case}: fast {a:e} vs {b:e}");
    }
    assert_eq!(fast_last["train_err"], last["train_err"], "{case}: fast path predicts differently");
    (last, out)
}

#[test]
fn golden_class_through_cli() {
    let (last, _) = check_case("class_13_8_2", &[]);
    assert_eq!(last["train_err"], 0.0);
}

#[test]
fn golden_class_x_through_cli() {
    let (last, out) = check_case("class_x_13_8_2_ee2", &["--exempt", "2"]);
    // items 2, 12 and 19 are misclassified; 12 and 19 were exempted last
    assert_eq!(last["train_err"], 3.0 / 32.0);
    let list = std::fs::read_to_string(out.join("compromised.txt")).unwrap();
    let exempt: Vec<&str> =
        list.lines().filter(|l| l.ends_with("exempt")).map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(exempt, ["12", "19"]);
}

#[test]
fn golden_class_fp_through_cli() {
    // fpa 0.2 with 32 items of which 16 are class 0: floor(3.2) = 3 per batch
    let (last, _) = check_case("class_fp_13_8_2_fpa3", &["--fpa", "0.2"]);
    assert_eq!((last["fp_train"].as_f64(), last["tn_train"].as_f64()), (Some(0.3125), Some(0.0)));
    assert_eq!(last["selected"], 3);
}

fn expect_exit2(args: &[&str], needle: &str) {
    let o = lwl(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: message {err:?} lacks {needle:?}");
}

#[test]
fn bad_input_exits_2() {
    let dir = tmp("bad");
    let w = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let net = w("net.txt", "2 1 2\n\n2 2\n0 1\n3 1\n2\n4 1\n2\n");
    let good = w("good.txt", "2 2\n0 1 0\n1 0 1\n");
    expect_exit2(&["classify", "--net", &net, "--train", &w("a.txt", "2 2\n0 1 0\n1 x 1\n")], "a.txt:3");
    expect_exit2(&["classify", "--net", &net, "--train", &w("b.txt", "2 2\n0 1 5\n")], "b.txt:2");
    expect_exit2(&["classify", "--net", &net, "--train", &w("c.txt", "3 2\n0 1 1 0\n")], "3 values per item");
    expect_exit2(
        &["classify", "--net", &net, "--train", &good, "--test", &w("d.txt", "3 2\n0 1 1 0\n")],
        "3 values per item",
    );
    expect_exit2(&["classify", "--net", &net, "--train", &w("e.txt", "2 3\n0 1 2\n")], "declares 3 classes");
    expect_exit2(&["classify", "--net", &w("n2.txt", "2 1 2\n2 2\n0 1\n3 1\n9\n4 1\n2\n"), "--train", &good], "n2.txt");
    expect_exit2(&["classify", "--net", &net, "--train", &good, "--beta", "3"], "--beta");
    expect_exit2(&["classify", "--net", &net, "--train", &good, "--batch", "0"], "--batch");
    expect_exit2(&["classify", "--net", &net, "--train", &good, "--exempt", "x%"], "--exempt");
    // degenerate settings, refused as every command refuses them
    expect_exit2(&["classify", "--net", &net, "--train", &good, "--iter", "0"], "--iter must be at least 1");
    expect_exit2(&["classify", "--net", &net, "--train", &good, "--epochs", "0"], "--epochs must be at least 1");
    expect_exit2(&["classify", "--net", &net, "--train", &good, "--exempt", "2"], "would leave no item constrained");
    expect_exit2(&["classify", "--net", &net, "--train", &good, "--relabel", "100%"], "--relabel: 2 of a batch of 2");
    expect_exit2(&["classify", "--net", &net, "--train", &good, "--activation", "tanh"], "tanh");
    expect_exit2(&["classify", "--train", &good], "--net");
    expect_exit2(&["classify", "--net", &net, "--train", &good, "--precision", "f32", "--oracle"], "--oracle");
    expect_exit2(&["classify", "--net", &net, "--train", &good, "--precision", "f32", "--gamma", "0.5"], "--gamma");
    expect_exit2(&["classify", "--net", &net, "--train", &good, "--precision", "f16"], "f16");
    // an IDX header declaring three 2x1 images where the file holds two
    let images = dir.join("t-images-idx3-ubyte");
    let mut idx = vec![0u8, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1];
    idx.extend([0u8, 255, 255, 0]);
    std::fs::write(&images, &idx).unwrap();
    std::fs::write(dir.join("t-labels-idx1-ubyte"), [0u8, 0, 8, 1, 0, 0, 0, 3, 0, 1, 1]).unwrap();
    let o = lwl(&["classify", "--net", &net, "--train", &images.display().to_string()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("header declares 3 × 2 × 1 (22 bytes) but the file holds 20 bytes"), "{err}");
    assert!(!err.contains("Some(") && !err.contains("None"), "debug text in {err}");
    // one class, in the singular; an autoencoder net named as one
    expect_exit2(&["classify", "--net", &net, "--train", &w("f.txt", "2 1\n0 1 0\n")], "declares 1 class\n");
    let auto = w("auto.txt", "1 0 1 0\n\n0 1\n1\n1 1\n0\n");
    expect_exit2(&["classify", "--net", &auto, "--train", &good], "is an autoencoder net");
    expect_exit2(
        &["classify", "--net", &net, "--train", &dir.join("missing.txt").display().to_string()],
        "missing.txt",
    );
}

/// Data is read once, so a pipe (`--train /dev/stdin`) works; a UTF-8
/// byte-order mark before the header is ignored.
#[test]
fn training_data_from_a_pipe_and_with_a_bom() {
    use std::io::Write;
    let dir = tmp("pipe");
    let text = "2 2\n0 1 0\n1 0 1\n1 1 1\n0 0 0\n";
    let net = dir.join("net.txt");
    std::fs::write(&net, "2 1 2\n\n2 2\n0 1\n3 1\n2\n4 1\n2\n").unwrap();
    let file = dir.join("d.txt");
    std::fs::write(&file, text).unwrap();
    let bom = dir.join("bom.txt");
    std::fs::write(&bom, format!("\u{feff}{text}")).unwrap();
    let args = |train: &str| {
        ["classify", "--net", net.to_str().unwrap(), "--train", train, "--epochs", "2", "--iter", "5", "--seed", "3"]
            .map(String::from)
    };
    let from_file = lwl(&args(file.to_str().unwrap()).each_ref().map(String::as_str));
    assert!(from_file.status.success(), "{}", String::from_utf8_lossy(&from_file.stderr));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lwl"))
        .args(args("/dev/stdin"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let piped = child.wait_with_output().unwrap();
    assert!(piped.status.success(), "{}", String::from_utf8_lossy(&piped.stderr));
    let with_bom = lwl(&args(bom.to_str().unwrap()).each_ref().map(String::as_str));
    assert!(with_bom.status.success(), "{}", String::from_utf8_lossy(&with_bom.stderr));
    let table = |o: &Output| {
        String::from_utf8_lossy(&o.stdout).lines().take(3).map(|l| l[..60.min(l.len())].to_string()).collect::<Vec<_>>()
    };
    assert_eq!(table(&piped), table(&from_file));
    assert_eq!(table(&with_bom), table(&from_file));
}

/// The per-epoch records of a run, without timing.
fn records(args: &[&str]) -> Vec<serde_json::Value> {
    let o = lwl(args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["final"] != true)
        .map(|mut v| {
            v.as_object_mut().unwrap().remove("seconds");
            v
        })
        .collect()
}

#[test]
fn resume_continues_exactly() {
    let dir = tmp("resume").join("run");
    let d = dir.display().to_string();
    let base = ["classify", "--majority", "2", "--seed", "7", "--json", "--iter", "20"];
    let full = records(&[&base[..], &["--epochs", "3"]].concat());
    let first = records(&[&base[..], &["--epochs", "2", "--out", &d]].concat());
    let rest = records(&["classify", "--majority", "2", "--resume", &d, "--epochs", "1", "--json", "--iter", "20"]);
    assert_eq!(first[..], full[..2]);
    assert_eq!(rest[..], full[2..]);
}

/// A resume restores every setting of the run (data, Ω, activation,
/// margin, β, batch, iterations) without being told them again, equals the
/// uninterrupted run bit for bit, refuses a contradicting flag, and saves
/// into the resumed directory when no --out is given.
#[test]
fn resume_restores_every_setting() {
    let dir = tmp("resume-settings").join("run");
    let d = dir.display().to_string();
    let base = ["classify", "--majority", "2", "--seed", "1", "--json", "--iter", "20", "--omega", "3"];
    let more = ["--activation", "step", "--margin", "0.5", "--beta", "0.8", "--batch", "64"];
    let full = records(&[&base[..], &more, &["--epochs", "3"]].concat());
    let first = records(&[&base[..], &more, &["--epochs", "2", "--out", &d]].concat());
    let rest = records(&["classify", "--resume", &d, "--epochs", "1", "--json"]);
    assert_eq!(first[..], full[..2]);
    assert_eq!(rest[..], full[2..]);
    let progress = std::fs::read_to_string(dir.join("progress.json")).unwrap();
    assert!(progress.contains("\"epoch\":3"), "the resumed epoch is saved in place: {progress}");
    expect_exit2(&["classify", "--resume", &d, "--epochs", "1", "--omega", "2"], "contradicts the resumed run's 3");
    expect_exit2(&["classify", "--resume", &d, "--epochs", "1", "--seed", "2"], "--seed 2 contradicts");
    // a flag given again with the same value is fine
    records(&["classify", "--resume", &d, "--epochs", "1", "--json", "--omega", "3"]);
}

/// One command's directory is not another's: --out into a used directory
/// is refused unless --force, a resume checks the command, a corrupt
/// manifest is refused.
#[test]
fn checkpoints_belong_to_their_command() {
    let dir = tmp("checkpoints").join("run");
    let d = dir.display().to_string();
    records(&["classify", "--majority", "2", "--seed", "1", "--json", "--iter", "5", "--epochs", "1", "--out", &d]);
    expect_exit2(&["nmf", "--ledm", "6", "--resume", &d], "is a checkpoint of lwl classify, not of lwl nmf");
    expect_exit2(&["nmf", "--ledm", "6", "--out", &d], "holds a checkpoint of lwl classify at epoch 1");
    expect_exit2(&["classify", "--majority", "2", "--out", &d], "give --force");
    expect_exit2(&["autoencode", "--binary", "2", "--resume", &d], "not of lwl autoencode");
    let o = lwl(&["nmf", "--ledm", "6", "--out", &d, "--force", "--iter", "100", "--epochs", "1", "--seed", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(dir.join("progress.json"), "{}").unwrap();
    expect_exit2(&["nmf", "--ledm", "6", "--resume", &d], "has no epoch");
    std::fs::write(
        dir.join("progress.json"),
        r#"{"epoch":1,"iters":1,"weight_multiplies":1,"seconds":0,"seed":"x","command":"nmf","format":1}"#,
    )
    .unwrap();
    expect_exit2(&["nmf", "--ledm", "6", "--resume", &d], "seed is \"x\"");
}

#[test]
fn learns_depth2_majority_to_zero_training_error() {
    // A generated depth-2 circuit (seed 4), its first 512 training items,
    // the paper's 13-26-2 net and hyperparameters: train_err reaches 0
    // within 60 epochs (it does at epoch 25 on this build, f64 and f32
    // storage alike); from an eighth of the inputs it generalises far
    // better than chance (about 0.19).
    let dir = tmp("depth2");
    let d = dir.display().to_string();
    assert!(lwl(&["data", "majority", "2", "--seed", "4", "--out-dir", &d]).status.success());
    let full = std::fs::read_to_string(dir.join("maj13_2_train.txt")).unwrap();
    let mut lines = full.lines().filter(|l| !l.trim().is_empty());
    let mut small = format!("{}\n", lines.next().unwrap());
    lines.take(512).for_each(|l| small += &format!("{l}\n"));
    std::fs::write(dir.join("small.txt"), small).unwrap();
    let net = dir.join("net.txt");
    std::fs::write(&net, lwl(&["net", "complete", "13", "26", "2"]).stdout).unwrap();
    for precision in ["f64", "f32"] {
        let recs = records(&[
            "classify",
            "--net",
            &net.display().to_string(),
            "--train",
            &dir.join("small.txt").display().to_string(),
            "--test",
            &dir.join("maj13_2_test.txt").display().to_string(),
            "--epochs",
            "60",
            "--seed",
            "1",
            "--precision",
            precision,
            "--json",
        ]);
        let first_zero = recs.iter().position(|r| r["train_err"] == 0.0);
        assert!(first_zero.is_some(), "{precision}: train_err never reached 0: {:?}", recs.last());
        assert!(recs.last().unwrap()["test_err"].as_f64().unwrap() < 0.3, "{precision}");
    }
}

/// `predict` refuses a parameter file whose Ω is not positive, and data
/// without items (an IDX file of zero images), instead of printing an
/// error rate of 0.
#[test]
fn predict_refuses_degenerate_parameters_and_empty_data() {
    let dir = tmp("predict");
    let out = dir.join("run").display().to_string();
    let o = lwl(&["classify", "--majority", "2", "--epochs", "1", "--iter", "5", "--seed", "1", "--out", &out]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let params = dir.join("run/params.txt");
    let text = std::fs::read_to_string(&params).unwrap();
    for omega in ["0e0", "-2e0"] {
        let bad = dir.join(format!("omega{omega}.txt"));
        std::fs::write(&bad, text.replacen("omega 2e0", &format!("omega {omega}"), 1)).unwrap();
        let net = dir.join("run/net.txt").display().to_string();
        let args = ["predict", "--params", bad.to_str().unwrap(), "--net", &net, "--majority", "2", "--seed", "1"];
        expect_exit2(&args, "must be positive and finite");
    }
    let images = dir.join("e-images-idx3-ubyte");
    std::fs::write(&images, [0u8, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 13]).unwrap();
    std::fs::write(dir.join("e-labels-idx1-ubyte"), [0u8, 0, 8, 1, 0, 0, 0, 0]).unwrap();
    let net = dir.join("run/net.txt").display().to_string();
    expect_exit2(
        &["predict", "--params", params.to_str().unwrap(), "--net", &net, "--test", images.to_str().unwrap()],
        "holds no items",
    );
}

/// An implicit model's net (`lwl net implicit`) trains with `classify`,
/// whose records then carry the state block's norms and the inference's
/// convergence, and `predict` reports them for the saved parameters; a
/// sparse enough `A` (λ_pf(|A|) < 1) converges for every item.
#[test]
fn implicit_net_trains_and_reports_its_inference() {
    let dir = tmp("implicit");
    let net = dir.join("net.txt").display().to_string();
    let o = lwl(&["net", "implicit", "13", "26", "2", "--density", "0.04", "--seed", "1", "--out", &net]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = lwl(&["net", "check", &net]);
    assert!(String::from_utf8_lossy(&o.stdout).ends_with("cyclic\n"));
    let out = dir.join("run").display().to_string();
    let o = lwl(&[
        "classify",
        "--majority",
        "2",
        "--net",
        &net,
        "--epochs",
        "2",
        "--seed",
        "1",
        "--json",
        "--threads",
        "1",
        "--out",
        &out,
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("an implicit model"), "{err}");
    let text = String::from_utf8_lossy(&o.stdout);
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let (norm, pf) = (last["a_norm"].as_f64().unwrap(), last["a_pf"].as_f64().unwrap());
    assert!(norm > 0.0 && pf <= norm && pf < 1.0, "{last}");
    assert_eq!(last["unconverged"], 0, "{last}");
    let steps = last["picard_steps"].as_u64().unwrap();
    assert!((2..200).contains(&steps), "{last}");
    assert!(last["test_err"].as_f64().unwrap() < 0.4, "{last}");
    let params = dir.join("run/params.txt").display().to_string();
    let p = lwl(&["predict", "--params", &params, "--majority", "2", "--seed", "1", "--json"]);
    assert!(p.status.success(), "{}", String::from_utf8_lossy(&p.stderr));
    let rec: serde_json::Value = serde_json::from_slice(&p.stdout).unwrap();
    assert_eq!(rec["a_norm"], last["a_norm"]);
    assert_eq!(rec["unconverged"], 0);
    // one pass is not enough for this net: the states then have not settled
    let p = lwl(&["predict", "--params", &params, "--majority", "2", "--seed", "1", "--json", "--picard", "1"]);
    let rec: serde_json::Value = serde_json::from_slice(&p.stdout).unwrap();
    assert!(rec["unconverged"].as_u64().unwrap() > 0, "{rec}");
    // bad shapes and settings exit 2 with the reason
    for (args, needle) in [
        (&["net", "implicit", "13", "26", "2", "--density", "1.5"][..], "not in [0, 1]"),
        (&["net", "implicit", "13", "0", "2"], "at least one"),
        (&["classify", "--majority", "2", "--net", &net, "--picard", "0"], "--picard must be at least 1"),
        (&["classify", "--majority", "2", "--net", &net, "--picard-tol", "-1"], "--picard-tol"),
    ] {
        let o = lwl(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(needle),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
