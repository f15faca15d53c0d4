//! The `lwl` binary: outputs, files and exit statuses.

use std::path::PathBuf;
use std::process::{Command, Output};

fn lwl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lwl")).args(args).output().expect("run lwl")
}

fn stdout(o: &Output) -> &str {
    std::str::from_utf8(&o.stdout).expect("UTF-8 output")
}

fn stderr(o: &Output) -> &str {
    std::str::from_utf8(&o.stderr).expect("UTF-8 output")
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

#[test]
fn net_complete_reproduces_the_reference_file() {
    let o = lwl(&["net", "complete", "13", "8", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), include_str!("data/net_13_8_2.txt"));
}

#[test]
fn net_auto_and_check() {
    let dir = scratch("cli_net_auto");
    let file = dir.join("auto.txt");
    let f = file.to_str().expect("UTF-8 path");
    let o = lwl(&["net", "auto", "--data", "8", "--code", "3", "--encode", "", "--out", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let text = std::fs::read_to_string(&file).expect("output written");
    assert!(text.starts_with("8 0 3 0\n\n0 3\n8 9 10 \n"));
    let o = lwl(&["net", "check", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "autoencoder: 11 nodes (8 data, 0 encoder hidden, 3 code, 0 decoder hidden), \
         48 edges, cyclic\n"
    );
    // Only the output file is left: the temporary file was renamed.
    assert_eq!(std::fs::read_dir(&dir).expect("list dir").count(), 1);
}

#[test]
fn net_check_summarizes_and_reports_bad_lines() {
    let dir = scratch("cli_net_check");
    let good = dir.join("good.txt");
    std::fs::write(&good, include_str!("data/net_13_8_2.txt")).expect("write");
    let o = lwl(&["net", "check", good.to_str().expect("UTF-8 path")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "classifier: 23 nodes (13 input, 8 hidden, 2 class), 120 edges, acyclic\n");

    let bad = dir.join("bad.txt");
    std::fs::write(&bad, "13 8 2\n\n13 13\n0 1 2 3 4 5 6 7 8 9 10 11 x\n").expect("write");
    let b = bad.to_str().expect("UTF-8 path");
    let o = lwl(&["net", "check", b]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), format!("lwl: {b}:4: source 'x' is not a node number\n"));
}

#[test]
fn bad_flags_and_values_exit_2() {
    for args in [
        &["net", "complete", "13", "--bogus"][..],
        &["net", "complete", "13"],
        &["net", "complete", "13", "x"],
        &["net", "complete", "13", "0", "2"],
        &["net", "frobnicate"],
        &["data", "ledm", "1"],
        &["data", "majority", "3"],
        &["net", "check", "/nonexistent/net.txt"],
        &[],
    ] {
        let o = lwl(args);
        assert_eq!(o.status.code(), Some(2), "lwl {args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "lwl {args:?}");
    }
}

#[test]
fn help_and_version() {
    let o = lwl(&["--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("without loss functions"));
    let o = lwl(&["net", "complete", "--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("lwl net complete 13 26 26 2"));
    let o = lwl(&["--version"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("SIMD: "));
}

#[test]
fn data_ledm_to_stdout_and_file() {
    let o = lwl(&["data", "ledm", "6"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), include_str!("data/ledm6.txt"));
    let dir = scratch("cli_ledm");
    let file = dir.join("ledm6.txt");
    let o = lwl(&["data", "ledm", "6", "--out", file.to_str().expect("UTF-8 path")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).expect("written"), include_str!("data/ledm6.txt"));
}

#[test]
fn data_majority_writes_both_files_reproducibly() {
    let dir = scratch("cli_majority");
    let d = dir.join("out");
    let out = d.to_str().expect("UTF-8 path");
    let o = lwl(&["data", "majority", "2", "--seed", "42", "--out-dir", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("seed 42"));
    let train = std::fs::read_to_string(d.join("maj13_2_train.txt")).expect("train written");
    let test = std::fs::read_to_string(d.join("maj13_2_test.txt")).expect("test written");
    assert!(train.starts_with("13\t2\n\n"));
    assert_eq!(train.lines().count(), 2 + 4096);
    assert_eq!(test.lines().count(), 2 + 4096);
    let expected = lwl_runners::datasets::majority::generate(2, 42).expect("valid depth");
    assert_eq!(train, lwl_runners::formats::datafile::write_labeled(&expected.train));

    // Without --seed a seed is drawn and reported.
    let o = lwl(&["data", "majority", "3", "--out-dir", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("--seed "));
    assert!(d.join("maj13_3_test.txt").exists());
}

/// The training commands and predict, each with a short run.
fn short_runs(dir: &std::path::Path) -> Vec<Vec<String>> {
    let d = dir.display().to_string();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    vec![
        s(&[
            "classify",
            "--majority",
            "2",
            "--epochs",
            "3",
            "--iter",
            "5",
            "--seed",
            "1",
            "--force",
            "--out",
            &format!("{d}/c"),
        ]),
        s(&["nmf", "--ledm", "6", "--iter", "300", "--batch", "3", "--epochs", "3", "--seed", "1"]),
        s(&["autoencode", "--binary", "2", "--iter", "50", "--seed", "1"]),
        s(&["autoencode", "--binary", "2", "--iter", "50", "--restarts", "3", "--seed", "1"]),
        s(&["predict", "--params", &format!("{d}/c/params.txt"), "--majority", "2", "--seed", "1"]),
    ]
}

/// A full disk behind standard output is an error with a message (exit 1),
/// not a panic (exit 101); `--out` files stay readable.
#[test]
fn a_full_standard_output_is_a_clear_error() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let dir = scratch("cli_dev_full");
    assert!(lwl(&short_runs(&dir)[0].iter().map(String::as_str).collect::<Vec<_>>()).status.success());
    for args in short_runs(&dir) {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_lwl")).args(&args).stdout(full).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("standard output: No space left"), "{args:?}: {}", stderr(&o));
    }
    let params = std::fs::read_to_string(dir.join("c/params.txt")).unwrap();
    assert!(params.starts_with("lwl-params"));
}

/// A reader that goes away (`lwl … | head -1`) ends the run quietly with
/// exit status 0.
#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    use std::io::{BufRead, BufReader};
    let dir = scratch("cli_closed_pipe");
    assert!(lwl(&short_runs(&dir)[0].iter().map(String::as_str).collect::<Vec<_>>()).status.success());
    for args in short_runs(&dir) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lwl"))
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
    }
}

/// Buffers that cannot fit are refused before allocating (exit 2, the
/// bytes and the flag to change), not an abort; extreme values that make
/// the state non-finite stop the run with the epoch named.
#[test]
fn oversized_batches_and_non_finite_states_are_refused() {
    let dir = scratch("cli_oversized");
    let net = dir.join("big.txt");
    let o = lwl(&["net", "complete", "13", "200000", "2", "--out", net.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = lwl(&["classify", "--net", net.to_str().unwrap(), "--majority", "2", "--batch", "4096", "--seed", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("bytes") && stderr(&o).contains("--batch"), "{}", stderr(&o));
    let o = lwl(&["autoencode", "--binary", "2", "--batch", "4", "--code-batch", "4", "--seed", "1", "--epochs", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = lwl(&["classify", "--majority", "2", "--epochs", "2", "--iter", "10", "--omega", "1e308", "--seed", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("epoch 1: the parameters became infinite or NaN"), "{}", stderr(&o));
}

#[test]
fn more_threads_than_cores_are_cut_to_the_cores_and_said() {
    let o = lwl(&["classify", "--majority", "2", "--epochs", "1", "--iter", "5", "--seed", "1", "--threads", "1000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert!(stderr(&o).contains(&format!("--threads 1000: this process may use {cores}")), "{}", stderr(&o));
    assert_eq!(stderr(&o).matches("--threads 1000").count(), 1, "said once: {}", stderr(&o));
}

#[test]
fn bench_reports_its_settings_and_lanes() {
    let o = lwl(&["bench", "--config", "majority", "--iters", "3", "--precision", "f64", "--threads", "1", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!((r["config"].as_str(), r["threads"].as_u64()), (Some("majority"), Some(1)));
    assert_eq!(r["lanes"].as_u64(), Some(lwl_kernel::simd::LANES as u64));
    assert!(r["s_per_gwm"].as_f64().unwrap() > 0.0);
}
