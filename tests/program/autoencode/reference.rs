//! `lwl autoencode` against the reference program RRRauto: its golden
//! trajectories replayed through the command line, its net and data files,
//! and the boundary rules it fixes (step(0) = 0, data_err both ways) by hand.

use std::path::PathBuf;

use lwl_kernel::activation::Activation;
use lwl_kernel::layout::Layout;
use lwl_kernel::network::Params;
use lwl_runners::autoencode::{Auto, FeedAround, Start};
use lwl_runners::engine::netinit::random_weights;
use lwl_runners::engine::{Method, NetBuffers};
use lwl_runners::formats::netfile::NetSpec;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{lwl, params, records, stderr, tmp};

fn golden(rel: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden").join(rel)
}

fn numbers(text: &str) -> Vec<f64> {
    text.split_whitespace().map(|t| t.parse().expect("a number")).collect()
}

/// The reference's parameter file (`wnorm margin zig`, then per node its
/// bias and a line of its weights): (weights, biases).
fn reference_params(case: &str) -> (Vec<f64>, Vec<f64>) {
    let text = std::fs::read_to_string(golden(&format!("{case}/outputs/params.txt"))).unwrap();
    let (mut w, mut b) = (Vec::new(), Vec::new());
    for block in text.trim().split("\n\n").skip(1) {
        let mut lines = block.lines();
        b.push(lines.next().unwrap().trim().parse().unwrap());
        w.extend(numbers(lines.next().unwrap_or("")));
    }
    (w, b)
}

/// Replays a golden RRRauto case with `args` (the case's inputs are
/// `{inputs}` in them): the oracle's RRR_err series, its final parameters
/// and the reference's dataerr and codeerr (data_err_items and
/// code_err_items) bit for bit; the SIMD path within 1e-9 for 20 iterations.
fn replay(case: &str, args: &[&str]) {
    let inputs = golden(&format!("{case}/inputs")).display().to_string();
    let want = numbers(&std::fs::read_to_string(golden(&format!("{case}/outputs/rrr_err.txt"))).unwrap());
    let epoch = numbers(&std::fs::read_to_string(golden(&format!("{case}/outputs/epoch.txt"))).unwrap());
    let (ref_w, ref_b) = reference_params(case);
    assert_eq!(want.len(), 200);
    for oracle in [true, false] {
        let dir = tmp(&format!("{case}-{oracle}"));
        let (series, out) = (dir.join("errs.txt"), dir.join("out"));
        let mut a: Vec<String> = args.iter().map(|s| s.replace("{inputs}", &inputs)).collect();
        let extra = ["--err-series", &series.display().to_string(), "--out", &out.display().to_string()];
        a.extend(extra.iter().map(|s| s.to_string()));
        a.extend(["--iter", "200", "--tol", "0", "--no-shuffle", "--seed", "1", "--json"].map(String::from));
        if oracle {
            a.push("--oracle".into());
        }
        let o = lwl(&a.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{}", stderr(&o));
        let got = numbers(&std::fs::read_to_string(&series).unwrap());
        assert_eq!(got.len(), 200, "{case}");
        let last = records(&o).pop().unwrap();
        if oracle {
            for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                assert_eq!(a.to_bits(), b.to_bits(), "{case} iteration {}: {a:e} vs {b:e}", i + 1);
            }
            assert_eq!(last["data_err_items"].as_f64().unwrap().to_bits(), epoch[5].to_bits(), "{case} dataerr");
            // without code items the reference prints codeerr 0 (not
            // measured); lwl measures it on iDE samples all the same
            if epoch[6] != 0.0 {
                assert_eq!(last["code_err_items"].as_f64().unwrap().to_bits(), epoch[6].to_bits(), "{case} codeerr");
            }
            let text = std::fs::read_to_string(out.join("params.txt")).unwrap();
            let spec = NetSpec::parse(&std::fs::read_to_string(out.join("net.txt")).unwrap(), "net").unwrap();
            let (p, _) = lwl_runners::formats::paramfile::read_net_params(&text, "params", &spec).unwrap();
            assert!(p.weights.iter().zip(&ref_w).all(|(a, b)| a.to_bits() == b.to_bits()), "{case} weights");
            assert!(p.biases.iter().zip(&ref_b).all(|(a, b)| a.to_bits() == b.to_bits()), "{case} biases");
            assert_eq!((p.weights.len(), p.biases.len()), (ref_w.len(), ref_b.len()));
        } else {
            for (i, (a, b)) in got.iter().zip(&want).take(20).enumerate() {
                assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{case} SIMD iteration {}: {a:e} vs {b:e}", i + 1);
            }
        }
    }
}

/// Binary encoding 8 → 3 → 8 with the step: step(0) = 0 in the
/// feed-around and the projection's tie to 1 (tests/golden/auto_8_3_8_step).
#[test]
fn golden_auto_step_through_cli() {
    replay(
        "auto_8_3_8_step",
        &["autoencode", "--binary", "3", "--init", "{inputs}/init_weights.txt", "--width", "0.8"],
    );
}

/// A zigmoid autoencoder with hidden layers, fixed data strictly inside
/// (0, 1), the reference's net and data files read as they are
/// (tests/golden/auto_8_4_3_4_8_zigmoid).
#[test]
fn golden_auto_zigmoid_through_cli() {
    replay(
        "auto_8_4_3_4_8_zigmoid",
        &[
            "autoencode",
            "--data",
            "{inputs}/data.txt",
            "--net",
            "{inputs}/net.txt",
            "--init",
            "{inputs}/init_weights.txt",
            "--activation",
            "zigmoid",
            "--width",
            "0.4",
            "--beta",
            "1",
            "--omega",
            "10",
            "--batch",
            "16",
            "--code-batch",
            "0",
            "--epochs",
            "1",
        ],
    );
}

/// The reference's own files parse to what lwl builds: `autonet`'s net
/// files (header on two lines) and RRRauto's data format (header `N M`, a
/// label per item).
#[test]
fn reference_net_and_data_files_parse_to_lwls_own() {
    let read = |case: &str, f: &str| std::fs::read_to_string(golden(&format!("{case}/inputs/{f}"))).unwrap();
    let binary = NetSpec::parse(&read("auto_8_3_8_step", "net.txt"), "net").unwrap();
    assert_eq!(binary, NetSpec::autoencoder(8, &[], 3, &[]).unwrap());
    let zig = NetSpec::parse(&read("auto_8_4_3_4_8_zigmoid", "net.txt"), "net").unwrap();
    assert_eq!(zig, NetSpec::autoencoder(8, &[4], 3, &[4]).unwrap());
    let data = lwl_runners::formats::datafile::read_unlabeled(&read("auto_8_3_8_step", "data.txt"), "data").unwrap();
    let one_hot: Vec<f64> = (0..64).map(|i| f64::from(i / 8 == i % 8)).collect();
    assert_eq!((data.dims, data.values), (8, one_hot));
    // a header split over two lines needs both halves
    let e = NetSpec::parse("8 0\n\n0 3\n8 9 10\n", "n").expect_err("half a header");
    assert_eq!(e.line, Some(1), "{e}");
}

/// Hand-computed: with zero weights every pre-activation is exactly 0, so
/// the step gives 0 at every node (step(0) = 0). Items [1, 1] and [0, 1]
/// then miss 2 and 1 of their values: eq. 40's data_err is one rms over
/// all values, √(3/4); the reference's is the mean of the items' rms,
/// (√(2/2) + √(1/2))/2.
#[test]
fn data_err_both_ways_on_two_items_by_hand() {
    let spec = NetSpec::autoencoder(2, &[], 1, &[]).unwrap();
    let net = spec.net().unwrap();
    let feed = FeedAround::new(&net).unwrap();
    let p = params(Activation::Step { width: 0.4 });
    let (w, b) = (vec![0.0; net.edges()], vec![0.0; net.nodes()]);
    let auto = Auto { net: &net, feed: &feed, p: &p, weights: &w, biases: &b };
    let pass = auto.pass(Start::Data, &[1.0, 1.0, 0.0, 1.0]);
    assert_eq!(pass.out, [0.0, 0.0], "the code node of each item is step(0) = 0");
    assert_eq!(pass.err, (3.0f64 / 4.0).sqrt());
    assert_eq!(pass.err_items, (1.0 + 0.5f64.sqrt()) / 2.0);
    assert!((pass.err - 0.8660254037844386).abs() < 1e-15 && (pass.err_items - 0.8535533905932737).abs() < 1e-15);
}

/// A batch holding the all-zero code with zero biases: the feed-around
/// gives every data node y − b = 0 exactly, hence value 0; the SIMD path
/// equals the oracle on it (to 1e-9 over 20 iterations, the same
/// predictions of every node).
#[test]
fn all_zero_code_feeds_zeros_and_simd_equals_oracle_on_it() {
    let spec = NetSpec::autoencoder(8, &[], 3, &[]).unwrap();
    let net = spec.net().unwrap();
    let feed = FeedAround::new(&net).unwrap();
    let p = Params { beta: 0.5, gamma: 1.0, omega: 100.0, ..params(Activation::Step { width: 0.8 }) };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    let w = random_weights(&spec, p.omega, &mut rng);
    let b = vec![0.0; net.nodes()];
    let auto = Auto { net: &net, feed: &feed, p: &p, weights: &w, biases: &b };
    let decoded = auto.pass(Start::Code, &[0.0, 0.0, 0.0]);
    assert_eq!(decoded.out, [0.0; 8], "y = 0 at every data node gives 0");
    let make = || {
        let layout = Layout::preferred(16).unwrap();
        let mut buf = NetBuffers::new(&net, layout).unwrap();
        let n = net.nodes();
        for k in 0..8 {
            buf.values[layout.at(k, k, n)] = 1.0;
            for j in 0..3 {
                buf.values[layout.at(8 + k, 8 + j, n)] = f64::from((k >> j) & 1 == 1);
            }
        }
        buf.code_items = 8;
        auto.init(&mut buf, Start::Data, 0..8);
        auto.init(&mut buf, Start::Code, 8..16);
        buf
    };
    let (mut fast, mut oracle) = (make(), make());
    let n = net.nodes();
    for i in 0..8 {
        // the all-zero code item (lane 8): y − b = 0 exactly at data node i
        assert_eq!(oracle.y[oracle.layout.at(8, i, n)] - oracle.b[oracle.layout.at(8, i, n)], 0.0);
    }
    for it in 0..20 {
        let rf = fast.iterate(&net, &p, Method::Simd).unwrap();
        let ro = oracle.iterate(&net, &p, Method::Oracle).unwrap();
        assert!((rf.rrr_err - ro.rrr_err).abs() <= 1e-9 * ro.rrr_err.max(1.0), "iteration {it}");
    }
    let worst = fast.weights.iter().zip(&oracle.weights).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-9, "weights differ by {worst}");
}
