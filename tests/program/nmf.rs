//! `lwl nmf` end to end: the golden case nmf_ledm6 through the command line
//! (bit for bit with --oracle, every RRR_err to 1e-9 on the SIMD path), the encoder's
//! initial codes bit for bit, LEDM 6 solved from a fixed seed within a
//! bounded iteration count, batched runs, restarts, output files, resume,
//! and bad input and impossible flags rejected with exit status 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lwl_runners::nmf::encoder::Encoder;
use serde_json::Value;

fn golden(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/nmf_ledm6").join(rel)
}

fn lwl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lwl")).args(args).output().expect("lwl runs")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lwl-nmf-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn numbers(p: &Path) -> Vec<f64> {
    std::fs::read_to_string(p).unwrap().split_whitespace().map(|t| t.parse().unwrap()).collect()
}

fn json_lines(out: &Output) -> Vec<Value> {
    assert!(out.status.success(), "lwl failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Runs the golden case through `lwl nmf`; returns the RRR_err series and
/// the final record.
fn golden_run(oracle: bool) -> (Vec<f64>, Value) {
    let dir = tmp(&format!("golden-{oracle}"));
    let series = dir.join("errs.txt");
    let (data, init, ser) = (s(&golden("inputs/data.txt")), s(&golden("inputs/init_weights.txt")), s(&series));
    let mut args = vec![
        "nmf",
        "--data",
        &data,
        "--rank",
        "5",
        "--beta",
        "0.3",
        "--omega",
        "0.6",
        "--iter",
        "200",
        "--tol",
        "0",
        "--init",
        &init,
        "--err-series",
        &ser,
        "--seed",
        "1",
        "--json",
    ];
    if oracle {
        args.push("--oracle");
    }
    let recs = json_lines(&lwl(&args));
    let last = recs.last().unwrap().clone();
    assert_eq!(last["final"], true);
    (numbers(&series), last)
}

#[test]
fn golden_nmf_through_the_cli_oracle_bit_exact() {
    let (errs, last) = golden_run(true);
    let want = numbers(&golden("outputs/rrr_err.txt"));
    assert_eq!(errs.len(), 200);
    for (i, (a, b)) in errs.iter().zip(&want).enumerate() {
        assert_eq!(a.to_bits(), b.to_bits(), "RRR_err of iteration {}: {a:e} != {b:e}", i + 1);
    }
    let recon = numbers(&golden("outputs/recon_err.txt"))[0];
    assert_eq!(last["recon_err"].as_f64().unwrap().to_bits(), recon.to_bits());
    assert_eq!(last["iters"], 200);
    assert_eq!(last["gwms"].as_f64().unwrap(), 200.0 * 6.0 * 30.0 * 1e-9);
}

#[test]
fn golden_nmf_through_the_cli_fast_path() {
    let (errs, last) = golden_run(false);
    let want = numbers(&golden("outputs/rrr_err.txt"));
    assert_eq!(errs.len(), 200);
    // measured: at most 4.6e-10 apart over the 200 iterations
    for (i, (a, b)) in errs.iter().zip(&want).enumerate() {
        assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "RRR_err of iteration {}: {a:e} vs {b:e}", i + 1);
    }
    let recon = numbers(&golden("outputs/recon_err.txt"))[0];
    assert!((last["recon_err"].as_f64().unwrap() - recon).abs() < 1e-9);
}

/// The pseudo-inverse encoder (Cholesky inversion of the Gram matrix in the
/// reference order) gives the golden initial codes bit for bit.
#[test]
fn encoder_reproduces_the_golden_initial_codes() {
    let w = numbers(&golden("inputs/init_weights.txt"));
    let data = numbers(&golden("inputs/data.txt"));
    let state = std::fs::read_to_string(golden("outputs/state_iter000.txt")).unwrap();
    let rows: Vec<Vec<f64>> = state
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(|t| t.parse().unwrap()).collect())
        .collect();
    let enc = Encoder::new(&w, 6, 5).unwrap();
    assert_eq!(enc.ridge(), 0.0);
    let mut code = [0.0; 5];
    for k in 0..6 {
        enc.encode(&data[1 + 6 * k..1 + 6 * (k + 1)], &mut code);
        for i in 0..6 {
            for j in 0..5 {
                assert_eq!(code[j].to_bits(), rows[k * 6 + i][5 + j].to_bits(), "code {k} {j}");
                assert_eq!(w[i * 5 + j].to_bits(), rows[k * 6 + i][j].to_bits(), "weight {k} {i} {j}");
            }
        }
    }
}

/// Table 1's m = 6 instance with its defaults (rank 5, β 0.3, Ω 0.6) is
/// solved exactly from seed 9 on the oracle path (platform independent) in
/// 12,783 iterations; the bound leaves room.
#[test]
fn ledm6_solved_from_a_fixed_seed() {
    let recs = json_lines(&lwl(&["nmf", "--ledm", "6", "--seed", "9", "--oracle", "--iter", "20000", "--json"]));
    let last = recs.last().unwrap();
    let (iters, recon) = (last["iters"].as_u64().unwrap(), last["recon_err"].as_f64().unwrap());
    assert!(iters < 20000, "not solved within 20000 iterations (recon_err {recon})");
    assert!(recon <= 1e-5, "recon_err {recon}");
    assert!(last["rrr_err"].as_f64().unwrap() <= 1e-7);
}

#[test]
fn restarts_report_runs_and_summary() {
    let recs = json_lines(&lwl(&[
        "nmf",
        "--ledm",
        "6",
        "--seed",
        "9",
        "--oracle",
        "--iter",
        "20000",
        "--restarts",
        "2",
        "--json",
    ]));
    assert_eq!(recs.len(), 3);
    assert_eq!((recs[0]["seed"].as_u64(), recs[1]["seed"].as_u64()), (Some(9), Some(10)));
    assert_eq!(recs[0]["success"], true);
    for k in ["iters", "gwms", "seconds", "recon_err"] {
        assert!(recs[1][k].is_number(), "{k}");
    }
    let f = &recs[2];
    assert_eq!((f["final"].as_bool(), f["runs"].as_u64()), (Some(true), Some(2)));
    assert!(f["success_rate"].as_f64().unwrap() >= 0.5);
    assert!(f["median_iters"].is_number() && f["mean_gwms"].is_number() && f["mean_seconds"].is_number());
}

/// Restarts side by side on two threads: the same records, in seed order,
/// as one after the other; `--threads 0` is refused.
#[test]
fn restarts_on_threads_equal_serial() {
    let run = |threads: &str| {
        let args = ["nmf", "--ledm", "6", "--seed", "3", "--iter", "30000", "--restarts", "4", "--json", "--threads"];
        let recs = json_lines(&lwl(&[&args[..], &[threads]].concat()));
        assert_eq!(recs.len(), 5);
        // more threads than cores are cut to the cores
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
        assert_eq!(recs[4]["threads"].as_u64(), threads.parse::<u64>().ok().map(|t| t.min(cores)));
        assert!(recs[4]["wall_seconds"].as_f64().unwrap() > 0.0);
        recs.iter()
            .map(|r| ["seed", "success", "iters", "gwms", "recon_err", "rrr_err"].map(|k| r[k].to_string()))
            .collect::<Vec<_>>()
    };
    let (one, two) = (run("1"), run("2"));
    assert_eq!(one, two);
    assert_eq!(one.iter().map(|r| r[0].clone()).take(4).collect::<Vec<_>>(), ["3", "4", "5", "6"]);
    let out = lwl(&["nmf", "--ledm", "6", "--restarts", "2", "--threads", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--threads must be at least 1"));
}

/// `--side-by-side K` runs K restarts at once within `--threads`: one at a
/// time on two threads gives the records of two at once; more runs at once
/// than threads, or without `--restarts`, is refused.
#[test]
fn side_by_side_is_its_own_flag() {
    let run = |k: &str| {
        let args =
            ["nmf", "--ledm", "6", "--seed", "3", "--iter", "3000", "--restarts", "3", "--json", "--threads", "2"];
        let recs = json_lines(&lwl(&[&args[..], &["--side-by-side", k]].concat()));
        assert_eq!(recs[3]["threads"].as_u64(), k.parse().ok());
        recs[..3].iter().map(|r| ["seed", "iters", "recon_err"].map(|k| r[k].to_string())).collect::<Vec<_>>()
    };
    assert_eq!(run("1"), run("2"));
    let out = lwl(&["nmf", "--ledm", "6", "--restarts", "2", "--threads", "1", "--side-by-side", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more runs at once than --threads 1"));
    let out = lwl(&["nmf", "--ledm", "6", "--side-by-side", "2"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Online NMF: batches, epochs, shuffles; one record per epoch, the work
/// counted over all batches, and the same seed gives the same numbers.
#[test]
fn batched_epochs_are_recorded_and_repeatable() {
    let args = ["nmf", "--ledm", "8", "--batch", "3", "--epochs", "3", "--iter", "10", "--seed", "4", "--json"];
    let a = json_lines(&lwl(&args));
    assert_eq!(a.len(), 4);
    for (e, r) in a[..3].iter().enumerate() {
        assert_eq!(r["epoch"], e + 1);
        assert_eq!(r["iters"], 10 * 3 * (e + 1));
        let gwms = r["gwms"].as_f64().unwrap();
        assert!((gwms - ((e + 1) * 10 * 8 * 48) as f64 * 1e-9).abs() < 1e-15);
        assert!(r["recon_err"].as_f64().unwrap() > 0.0);
    }
    let b = json_lines(&lwl(&args));
    assert_eq!(a[2]["recon_err"], b[2]["recon_err"]);
    assert_eq!(a[2]["rrr_err"], b[2]["rrr_err"]);
}

/// --out writes W (a valid --init), the codes, the progress record and the
/// pictures; --resume continues the epoch count from there.
#[test]
fn out_files_and_resume() {
    let dir = tmp("out");
    let data = dir.join("y.csv");
    // 4x4 "images" of 6 items as CSV with a header
    let mut csv = (0..16).map(|i| format!("p{i}")).collect::<Vec<_>>().join(",") + "\n";
    for k in 0..6 {
        let row: Vec<String> = (0..16).map(|i| format!("{}", ((i * 7 + k * 3) % 5) as f64 / 4.0)).collect();
        csv += &(row.join(", ") + "\n");
    }
    std::fs::write(&data, csv).unwrap();
    let out = dir.join("run");
    let base = ["nmf", "--data", &s(&data), "--rank", "3", "--image", "4", "--iter", "50", "--seed", "2", "--json"];
    let mut args = base.to_vec();
    let o = s(&out);
    args.extend(["--out", &o, "--epochs", "2"]);
    let recs = json_lines(&lwl(&args));
    assert_eq!(recs.len(), 3);
    for f in ["W.txt", "codes.txt", "progress.json", "rrr_err.png", "features.png"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let w = numbers(&out.join("W.txt"));
    assert_eq!(w.len(), 16 * 3);
    assert!(w.iter().all(|&v| v >= 0.0));
    assert_eq!(numbers(&out.join("codes.txt")).len(), 6 * 3);
    assert!(std::fs::read(out.join("features.png")).unwrap().starts_with(b"\x89PNG"));
    let mut args = base.to_vec();
    args.extend(["--resume", &o]);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(out.join("progress.json")).unwrap()).unwrap();
    assert_eq!((saved["epoch"].as_u64(), saved["seed"].as_u64(), saved["rank"].as_u64()), (Some(2), Some(2), Some(3)));
    let recs = json_lines(&lwl(&args));
    assert_eq!(recs[0]["epoch"], 3);
    assert!(recs[0]["iters"].as_u64().unwrap() > saved["iters"].as_u64().unwrap());
    // W.txt is also a valid --init
    let init = s(&out.join("W.txt"));
    let mut args = base.to_vec();
    args.extend(["--init", &init]);
    assert!(lwl(&args).status.success());
}

/// A batched run resumed from its saved weights continues exactly as the
/// uninterrupted run (the weights are saved in round-trip format and every
/// batch starts from them alone).
#[test]
fn resume_is_exact() {
    let dir = tmp("resume");
    let base = ["nmf", "--ledm", "8", "--batch", "3", "--iter", "20", "--seed", "11", "--json"];
    let whole = json_lines(&lwl(&[&base[..], &["--epochs", "3"]].concat()));
    let o = s(&dir.join("run"));
    json_lines(&lwl(&[&base[..], &["--epochs", "2", "--out", &o]].concat()));
    let rest = json_lines(&lwl(&[&base[..], &["--epochs", "1", "--resume", &o]].concat()));
    for k in ["epoch", "iters", "gwms", "rrr_err", "recon_err"] {
        assert_eq!(whole[2][k], rest[0][k], "{k}");
    }
}

#[test]
fn montage_data_and_samples() {
    let dir = tmp("montage");
    let (txt, png) = (dir.join("m.txt"), dir.join("m.png"));
    let out = lwl(&["data", "montage", "--seed", "3", "--out", &s(&txt), "--png", &s(&png)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = numbers(&txt);
    assert_eq!((v[0], v.len()), (1600.0, 1 + 2000 * 1600));
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

fn rejects(args: &[&str], msg: &str) {
    let out = lwl(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(msg), "{args:?}: expected '{msg}' in: {err}");
}

#[test]
fn impossible_flags_exit_2() {
    rejects(&["nmf", "--ledm", "6", "--rank", "0"], "--rank must be at least 1");
    rejects(&["nmf", "--ledm", "6", "--omega", "-1"], "--omega -1: must be positive and finite");
    rejects(&["nmf", "--ledm", "6", "--omega", "0"], "--omega 0: must be positive and finite");
    rejects(&["nmf", "--ledm", "6", "--beta", "0"], "--beta 0: β must be in (0, 2]");
    rejects(&["nmf", "--ledm", "6", "--beta", "2.5"], "--beta 2.5: β must be in (0, 2]");
    rejects(&["nmf", "--ledm", "6", "--tol", "-1"], "--tol -1: must be non-negative");
    rejects(&["nmf", "--ledm", "6", "--iter", "0"], "--iter must be at least 1");
    rejects(&["nmf", "--ledm", "6", "--epochs", "0"], "--epochs must be at least 1");
    rejects(&["nmf", "--ledm", "6", "--rank", "7"], "--rank 7: more features than the 6 data nodes");
    rejects(&["nmf", "--ledm", "6", "--batch", "0"], "--batch must be at least 1");
    rejects(&["nmf", "--ledm", "6", "--restarts", "0"], "--restarts must be at least 1");
    rejects(&["nmf", "--ledm", "7"], "--rank R is needed");
    rejects(&["nmf", "--ledm", "1"], "LEDM size m = 1");
    rejects(&["nmf", "--ledm", "6", "--image", "4"], "--image 4");
    rejects(&["nmf", "--rank", "2"], "required");
    rejects(&["nmf", "--ledm", "6", "--montage"], "cannot be used with");
}

#[test]
fn bad_files_exit_2_with_file_line_and_reason() {
    let dir = tmp("bad");
    let cases: [(&str, &str, &str); 8] = [
        ("short.txt", "3\n1 2 3\n1 2\n", "short.txt:3: expected 3 values, found 2"),
        ("nan.txt", "2\n1 NaN\n", "nan.txt:2: value 'NaN' is not finite"),
        ("word.txt", "2\n1 x\n", "word.txt:2: 'x' is not a number"),
        ("empty.txt", "\n\n", "empty.txt: empty file"),
        ("header.txt", "two\n1 2\n", "header.txt:1: number of data nodes 'two'"),
        ("neg.txt", "2\n1 2\n0.5 -1\n", "neg.txt: item 1 has the negative value -1 at data node 1"),
        ("ragged.csv", "a,b,c\n1,2,3\n4,5\n", "ragged.csv:3: expected 3 comma-separated values, found 2"),
        ("bad.csv", "1,2\n3,inf\n", "bad.csv:2: value 'inf' is not finite"),
    ];
    for (name, text, msg) in cases {
        let f = dir.join(name);
        std::fs::write(&f, text).unwrap();
        rejects(&["nmf", "--data", &s(&f), "--rank", "1"], msg);
    }
    rejects(&["nmf", "--data", &s(&dir.join("missing.txt")), "--rank", "1"], "missing.txt: cannot open");
    let w = dir.join("w.txt");
    std::fs::write(&w, "0.1 0.2\n0.3\n").unwrap();
    let data = s(&golden("inputs/data.txt"));
    rejects(&["nmf", "--data", &data, "--init", &s(&w)], "w.txt:2: expected 2 values like the first row, found 1");
    std::fs::write(&w, "0.1 0.2\n0.3 0.4\n").unwrap();
    rejects(&["nmf", "--data", &data, "--init", &s(&w)], "has 2 rows but the data has 6 values per item");
    let init = s(&golden("inputs/init_weights.txt"));
    rejects(&["nmf", "--data", &data, "--init", &init, "--rank", "4"], "--rank 4 but");
}

/// The same data as text and as CSV give the same factorisation.
#[test]
fn csv_and_text_formats_agree() {
    let dir = tmp("csv");
    let text = std::fs::read_to_string(golden("inputs/data.txt")).unwrap();
    let rows: Vec<String> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(","))
        .collect();
    let csv = dir.join("d.csv");
    std::fs::write(&csv, rows.join("\n")).unwrap();
    let run = |d: &str| {
        let r = json_lines(&lwl(&[
            "nmf", "--data", d, "--rank", "5", "--iter", "100", "--seed", "5", "--oracle", "--json",
        ]));
        r.last().unwrap()["recon_err"].clone()
    };
    assert_eq!(run(&s(&golden("inputs/data.txt"))), run(&s(&csv)));
}
