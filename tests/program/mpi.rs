//! `mpirun -n R lwl …` (the `mpi` feature): every rank count gives the
//! records of one process bit for bit (timing aside), without `mpirun` the
//! build is one rank, rank 0 alone writes, and a job whose ranks differ (in
//! flags or in data) or lose a rank stops with a message. Needs `mpirun`
//! on the PATH (OpenMPI: `apt-get install openmpi-bin libopenmpi-dev`);
//! `.ci/run` runs these with `cargo test --release --features
//! lwl-runners/mpi --test mpi`. With `LWL_WITHOUT_MPI` naming a build
//! without the feature, its records are compared too.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{lines, scratch, untimed};
use serde_json::Value;

const LWL: &str = env!("CARGO_BIN_EXE_lwl");

/// `mpirun` with the flags a test machine needs (root in a container, more
/// ranks than cores, loopback only).
fn mpirun() -> Command {
    let mut c = Command::new("mpirun");
    c.args([
        "--allow-run-as-root",
        "--oversubscribe",
        "--mca",
        "btl",
        "self,vader,tcp",
        "--mca",
        "btl_tcp_if_include",
        "lo",
    ]);
    c
}

/// `mpirun -n ranks lwl ARGS`.
fn ranks(n: usize, args: &[&str]) -> Output {
    mpirun().args(["-n", &n.to_string(), LWL]).args(args).output().expect("mpirun runs")
}

/// `lwl ARGS` without mpirun (one rank).
fn alone(args: &[&str]) -> Output {
    Command::new(LWL).args(args).output().expect("lwl runs")
}

fn records(o: &Output) -> Vec<Value> {
    untimed(lines(o))
}

/// The records of `args` alone, and of 2 and 3 ranks (each on 1 and 2
/// threads), are the same; returns them.
fn same_on_every_rank_count(args: &[&str]) -> Vec<Value> {
    let one = records(&alone(&[args, &["--threads", "1"]].concat()));
    assert!(one.len() > 1, "records: {one:?}");
    for (n, t) in [(1, "1"), (2, "1"), (2, "2"), (3, "1")] {
        let got = records(&ranks(n, &[args, &["--threads", t]].concat()));
        assert_eq!(got, one, "{n} ranks, {t} threads each: {args:?}");
    }
    if let Ok(plain) = std::env::var("LWL_WITHOUT_MPI") {
        let o = Command::new(plain).args(args).output().expect("the build without MPI runs");
        assert_eq!(records(&o), one, "the build without the mpi feature: {args:?}");
    }
    one
}

#[test]
fn a_classifier_on_any_rank_count_equals_one_process() {
    // 1024 items in batches of 256: blocks of 16 split over the ranks; the
    // exemptions rank the items of the whole batch
    let args =
        ["classify", "--majority", "2", "--epochs", "2", "--iter", "30", "--batch", "256", "--seed", "7", "--json"];
    same_on_every_rank_count(&args);
    let ex =
        ["classify", "--majority", "2", "--epochs", "1", "--iter", "30", "--exempt", "2%", "--seed", "8", "--json"];
    same_on_every_rank_count(&ex);
}

#[test]
fn an_nmf_batch_on_any_rank_count_equals_one_process() {
    // LEDM m = 300: 300 items in blocks of up to 128, three blocks
    let args = ["nmf", "--ledm", "300", "--rank", "6", "--iter", "40", "--tol", "0", "--seed", "2", "--json"];
    let recs = same_on_every_rank_count(&args);
    assert!(recs.iter().all(|r| r["rrr_err"].as_f64().is_some_and(f64::is_finite)), "{recs:?}");
}

#[test]
fn an_autoencoder_and_a_generator_on_any_rank_count_equal_one_process() {
    // 160 items of 16 values; batches of 100 data and 28 code items (128
    // lanes, blocks of 16); then the generative model's classifier on them
    let dir = scratch("mpi-auto");
    std::fs::create_dir_all(&dir).unwrap();
    let items: String = (0..160)
        .map(|k: u64| {
            let row: Vec<String> = (0..16u64).map(|i| format!("{}", ((k * 7 + i * 5) % 4) as f64 / 3.0)).collect();
            row.join(" ") + "\n"
        })
        .collect();
    let data = dir.join("toy.txt");
    std::fs::write(&data, format!("16\n\n{items}")).unwrap();
    let net = dir.join("net.txt");
    let o = alone(&[
        "net",
        "auto",
        "--data",
        "16",
        "--encode",
        "8",
        "--code",
        "3",
        "--decode",
        "8",
        "--out",
        net.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (data, net) = (data.to_str().unwrap(), net.to_str().unwrap());
    let model = dir.join("model");
    let model = model.to_str().unwrap();
    let auto = ["autoencode", "--data", data, "--net", net, "--batch", "100", "--code-batch", "28", "--iter", "10"];
    lines(&alone(&[&auto[..], &["--epochs", "2", "--seed", "3", "--out", model, "--threads", "1", "--json"]].concat()));
    same_on_every_rank_count(&[&auto[..], &["--epochs", "2", "--seed", "3", "--json"]].concat());
    let generate = ["generate", "--model", model, "--data", data, "--epochs", "1", "--iter", "10", "--batch", "64"];
    same_on_every_rank_count(&[&generate[..], &["--count", "5", "--seed", "2", "--json"]].concat());
}

#[test]
fn rank_0_alone_writes_and_a_resumed_job_continues_exactly() {
    let dir = scratch("mpi-resume");
    let (d, whole) = (dir.join("run"), dir.join("whole"));
    let (d, whole) = (d.to_str().unwrap(), whole.to_str().unwrap());
    let base = ["classify", "--majority", "2", "--iter", "20", "--batch", "256", "--seed", "5", "--json"];
    let all = records(&ranks(2, &[&base[..], &["--epochs", "3", "--out", whole]].concat()));
    let first = records(&ranks(2, &[&base[..], &["--epochs", "1", "--out", d]].concat()));
    let rest = records(&ranks(2, &["classify", "--resume", d, "--epochs", "2", "--json"]));
    let epochs = |r: &[Value]| r.iter().filter(|x| x.get("final").is_none()).cloned().collect::<Vec<_>>();
    assert_eq!([epochs(&first), epochs(&rest)].concat(), epochs(&all));
    // one rank wrote: no temporary or second files beside rank 0's
    let names = |p: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(p).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    };
    let single = dir.join("single");
    lines(&alone(&[&base[..], &["--epochs", "3", "--out", single.to_str().unwrap()]].concat()));
    assert_eq!(names(whole), names(single.to_str().unwrap()));
}

/// A failed job: not success, and standard error says `what`.
fn fails_saying(o: &Output, what: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "the job succeeded: {err}");
    assert!(err.contains(what), "stderr lacks {what:?}: {err}");
}

#[test]
fn ranks_with_other_flags_or_data_stop_the_job() {
    fn app(seed: &'static str) -> [&'static str; 12] {
        ["-n", "1", LWL, "classify", "--majority", "2", "--epochs", "1", "--iter", "5", "--seed", seed]
    }
    let o = mpirun().args(app("1")).arg(":").args(app("2")).output().unwrap();
    fails_saying(&o, "rank 1 of 2 has other flags than rank 0");
    // the same flags, other files: the first batch differs
    let dir = scratch("mpi-data");
    let (a, b) = (dir.join("a"), dir.join("b"));
    for (d, flip) in [(&a, false), (&b, true)] {
        std::fs::create_dir_all(d).unwrap();
        let items: String = (0..40)
            .map(|k| format!("{} {} {}\n", k % 2, (k / 2) % 2, ((k % 2) ^ ((k / 2) % 2)) as u8 ^ flip as u8))
            .collect();
        std::fs::write(d.join("xor.txt"), format!("2 2\n{items}")).unwrap();
    }
    std::fs::write(dir.join("net.txt"), net_2_4_2()).unwrap();
    let net = dir.join("net.txt");
    let app = |d: &Path| {
        let args = ["classify", "--net", net.to_str().unwrap(), "--train", "xor.txt", "--epochs", "1", "--iter", "5"];
        let mut v: Vec<String> = ["-n", "1", "-wdir", d.to_str().unwrap(), LWL].iter().map(|s| s.to_string()).collect();
        v.extend(args.iter().map(|s| s.to_string()));
        v
    };
    let o = mpirun().args(app(&a)).arg(":").args(app(&b)).output().unwrap();
    fails_saying(&o, "rank 1 of 2 has other batches than rank 0");
    // a rank that cannot read its data stops the job with its reason
    std::fs::remove_file(b.join("xor.txt")).unwrap();
    let o = mpirun().args(app(&a)).arg(":").args(app(&b)).output().unwrap();
    fails_saying(&o, "lwl (rank 1 of 2): ");
    fails_saying(&o, "xor.txt");
}

/// A 2-4-2 net in the paper's text format (two inputs, four hidden nodes,
/// two class nodes), as `lwl net complete 2 4 2` writes it.
fn net_2_4_2() -> String {
    let o = alone(&["net", "complete", "2", "4", "2"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}
