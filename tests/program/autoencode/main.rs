//! `lwl autoencode`: the kernel on data and code nodes (fixed values under
//! P_A, SIMD path against the oracle), the iDE sampler, binary encoding from
//! a fixed seed, exact --resume, and bad nets and flags rejected with exit
//! status 2.

use std::path::PathBuf;
use std::process::{Command, Output};

use lwl_kernel::activation::Activation;
use lwl_kernel::class::ClassMode;
use lwl_kernel::graph::{Net, NodeKind};
use lwl_kernel::layout::Layout;
use lwl_kernel::network::general::{AValues, project_a};
use lwl_kernel::network::{Batch, Params, Problem, State};
use lwl_runners::autoencode::{Auto, FeedAround, IdeCode, Start};
use lwl_runners::engine::netinit::random_weights;
use lwl_runners::engine::{Method, NetBuffers};
use lwl_runners::formats::netfile::NetSpec;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::Value;

fn lwl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lwl")).args(args).output().expect("lwl runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JSON lines of a run's standard output.
fn records(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lwl-autoencode-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn params(act: Activation) -> Params {
    Params {
        beta: 0.7,
        gamma: 1.0,
        omega: 3.0,
        upsilon: 1.0,
        margin: 0.0,
        activation: act,
        class_mode: ClassMode::Plain,
    }
}

/// Buffers of a 6 → 4 → 3 → 4 → 6 autoencoder batch of `kd` data and `kc`
/// code items, set by a feed-around from random parameters: data values
/// from `value` at the data nodes of data items, codes at the code nodes of
/// code items.
fn batch(net: &Net, spec: &NetSpec, p: &Params, kd: usize, kc: usize, value: impl Fn(f64) -> f64) -> NetBuffers {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let layout = Layout::preferred(kd + kc).unwrap();
    let mut buf = NetBuffers::new(net, layout).unwrap();
    let feed = FeedAround::new(net).unwrap();
    let n = net.nodes();
    for k in 0..kd + kc {
        let fixed = if k < kd { &feed.data } else { &feed.code };
        for &i in fixed {
            buf.values[layout.at(k, i, n)] = value(rng.random());
        }
    }
    buf.code_items = kc;
    let w = random_weights(spec, p.omega, &mut rng);
    let b: Vec<f64> = (0..n).map(|_| 0.2 * rng.random::<f64>() - 0.1).collect();
    let auto = Auto { net, feed: &feed, p, weights: &w, biases: &b };
    auto.init(&mut buf, Start::Data, 0..kd);
    auto.init(&mut buf, Start::Code, kd..kd + kc);
    auto.init(&mut buf, Start::Data, kd + kc..layout.lanes());
    buf
}

fn auto_net() -> NetSpec {
    NetSpec::autoencoder(6, &[4], 3, &[4]).unwrap()
}

#[test]
fn fixed_data_and_code_nodes_keep_their_values_under_pa() {
    let spec = auto_net();
    let net = spec.net().unwrap();
    for (act, value) in [
        (Activation::Zigmoid { width: 0.4 }, (|r: f64| r) as fn(f64) -> f64),
        (Activation::Step { width: 0.4 }, |r: f64| f64::from(r > 0.5)),
    ] {
        let p = params(act);
        let (kd, kc) = (9, 5);
        let mut buf = batch(&net, &spec, &p, kd, kc, value);
        // perturb the iterate so that the projection has work to do
        for (j, y) in buf.y.iter_mut().enumerate() {
            *y += 0.3 * ((j as f64) * 0.37).sin();
        }
        let (n, layout) = (net.nodes(), buf.layout);
        let len = buf.y.len();
        let (mut weights, mut xa, mut ya, mut ba) =
            (vec![0.0; net.edges()], vec![0.0; len], vec![0.0; len], vec![0.0; len]);
        let mut out = AValues { weights: &mut weights, xa: &mut xa, ya: &mut ya, ba: &mut ba };
        let bt = Batch { values: &buf.values, labels: &buf.labels, code_items: kc };
        let (mut w, mut x) = buf.edges.widened();
        let v = State { w: &mut w, x: &mut x, y: &mut buf.y.clone(), b: &mut buf.b.clone() };
        let mut scratch = vec![0.0; net.edges().max(3 * (kd + kc))];
        let mut used = vec![0; kd + kc];
        project_a(
            &Problem { net: &net, layout: &layout, params: &p, batch: bt },
            &v,
            &mut out,
            &mut scratch,
            &mut used,
        );
        let mut checked = 0;
        for k in 0..kd + kc {
            for i in 0..n {
                let fixed = match net.kind(i) {
                    NodeKind::Data => k < kd,
                    NodeKind::Code => k >= kd,
                    _ => false,
                };
                if !fixed {
                    continue;
                }
                let at = layout.at(k, i, n);
                let val = buf.values[at];
                assert_eq!(out.xa[at], val, "{act:?}: node {i} item {k}");
                let z = out.ya[at] - out.ba[at];
                match act {
                    Activation::Zigmoid { width } => assert!((z - (width * val - width / 2.0)).abs() < 1e-12),
                    Activation::Step { width } if val == 1.0 => assert!(z >= width / 2.0 - 1e-12),
                    Activation::Step { width } => assert!(z <= -width / 2.0 + 1e-12),
                    _ => unreachable!(),
                }
                // y and b move equally and oppositely
                assert!(((out.ya[at] + out.ba[at]) - (buf.y[at] + buf.b[at])).abs() < 1e-12);
                checked += 1;
            }
        }
        assert_eq!(checked, kd * 6 + kc * 3);
    }
}

#[test]
fn simd_path_matches_the_oracle_and_one_run_single_iterations_on_an_autoencoder_batch() {
    let spec = auto_net();
    let net = spec.net().unwrap();
    for act in [Activation::Zigmoid { width: 0.4 }, Activation::Step { width: 0.4 }] {
        let p = params(act);
        let value = |r: f64| if matches!(act, Activation::Step { .. }) { f64::from(r > 0.5) } else { r };
        let mut fast = batch(&net, &spec, &p, 11, 6, value);
        let mut oracle = batch(&net, &spec, &p, 11, 6, value);
        let mut single = Vec::new();
        for it in 0..20 {
            let rf = fast.iterate(&net, &p, Method::Simd).unwrap();
            let ro = oracle.iterate(&net, &p, Method::Oracle).unwrap();
            assert!((rf.rrr_err - ro.rrr_err).abs() < 1e-9, "{act:?} iteration {it}");
            single.push(rf.rrr_err.to_bits());
        }
        let ((fw, fx), (ow, ox)) = (fast.edges.widened(), oracle.edges.widened());
        for (a, b) in [(&fw[..], &ow[..]), (&fx, &ox), (&fast.y, &oracle.y), (&fast.b, &oracle.b)] {
            let worst = a.iter().zip(b.iter()).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            assert!(worst < 1e-9, "{act:?}: differs by {worst}");
        }
        // One run of 20 (sums carried between iterations, data and code
        // nodes feeding other nodes) gives the bits of 20 single iterations.
        let mut run = batch(&net, &spec, &p, 11, 6, value);
        let mut series = Vec::new();
        run.run_on(None, &net, &p, Method::Simd, 20, |r| {
            series.push(r.rrr_err.to_bits());
            true
        })
        .unwrap();
        assert_eq!(series, single, "{act:?}");
        let (rw, rx) = run.edges.widened();
        for (a, b) in [(&fw[..], &rw[..]), (&fx, &rx), (&fast.y, &run.y), (&fast.b, &run.b)] {
            assert!(a.iter().zip(b.iter()).all(|(a, b)| a.to_bits() == b.to_bits()), "{act:?}");
        }
    }
}

#[test]
fn ide_samples_draw_each_node_from_its_own_set_independently() {
    // two perfectly correlated nodes with unequal marginals: node 0 is 1 in
    // a quarter of the items, node 1 equals node 0 plus 10
    let codes: Vec<f64> = (0..8).flat_map(|k| if k < 2 { [1.0, 11.0] } else { [0.0, 10.0] }).collect();
    let z = IdeCode::from_codes(&codes, 2);
    let draws = 40_000;
    let s = z.sample(draws, &mut Xoshiro256PlusPlus::seed_from_u64(5));
    let mut joint = [[0usize; 2]; 2];
    for c in s.chunks(2) {
        assert!(c[0] == 0.0 || c[0] == 1.0, "node 0 drew {}", c[0]);
        assert!(c[1] == 10.0 || c[1] == 11.0, "node 1 drew {}", c[1]);
        joint[c[0] as usize][c[1] as usize - 10] += 1;
    }
    let f = |n: usize| n as f64 / draws as f64;
    let (p0, p1) = (f(joint[1][0] + joint[1][1]), f(joint[0][1] + joint[1][1]));
    assert!((p0 - 0.25).abs() < 0.01 && (p1 - 0.25).abs() < 0.01, "marginals {p0} {p1}");
    // independence: every cell is the product of its marginals
    for (a, pa) in [(0, 1.0 - p0), (1, p0)] {
        for (b, pb) in [(0, 1.0 - p1), (1, p1)] {
            assert!((f(joint[a][b]) - pa * pb).abs() < 0.01, "cell {a}{b}: {}", f(joint[a][b]));
        }
    }
}

#[test]
fn binary_encoding_n3_succeeds_from_a_fixed_seed() {
    let o = lwl(&["autoencode", "--binary", "3", "--seed", "1", "--threads", "1", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let last = records(&o).pop().unwrap();
    assert_eq!(last["success"], true, "{last}");
    assert_eq!(last["decodes"], true);
    assert_eq!(last["data_err"], 0.0);
    assert!(last["rrr_err"].as_f64().unwrap() <= 1e-6);
}

#[test]
fn binary_restarts_report_every_run_and_the_rate() {
    let o = lwl(&["autoencode", "--binary", "2", "--restarts", "3", "--seed", "4", "--iter", "20000", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = records(&o);
    assert_eq!(r.len(), 4);
    assert_eq!(r[1]["seed"], 5);
    for k in ["success", "decodes", "iters", "gwms", "seconds"] {
        assert!(r[0].get(k).is_some(), "{k}");
    }
    let wins = r[..3].iter().filter(|v| v["success"] == true).count();
    assert_eq!(r[3]["success_rate"].as_f64().unwrap(), wins as f64 / 3.0);
    assert!((r[3]["width_bound"].as_f64().unwrap() - 1.0 / 2f64.sqrt()).abs() < 1e-15);
}

/// Restarts side by side on two threads (each run on one): the records of
/// one after the other, in seed order; `--threads 0` is refused.
#[test]
fn binary_restarts_on_threads_equal_serial() {
    let run = |threads: &str| {
        let o = lwl(&[
            "autoencode",
            "--binary",
            "2",
            "--restarts",
            "4",
            "--seed",
            "4",
            "--iter",
            "20000",
            "--json",
            "--threads",
            threads,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let r = records(&o);
        // more threads than cores are cut to the cores
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
        assert_eq!(r[4]["threads"].as_u64(), threads.parse::<u64>().ok().map(|t| t.min(cores)));
        let keys = ["seed", "success", "decodes", "iters", "gwms", "rrr_err", "data_err", "code_err"];
        r.iter().map(|v| keys.map(|k| v[k].to_string())).collect::<Vec<_>>()
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one[..4].iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["4", "5", "6", "7"]);
    let o = lwl(&["autoencode", "--binary", "2", "--restarts", "2", "--threads", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--threads must be at least 1"), "{}", stderr(&o));
}

/// 40 random 8×8 "images" of values in [0, 1], in the unlabelled format.
fn toy_data(dir: &std::path::Path) -> String {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    let mut text = String::from("64\n\n");
    for _ in 0..40 {
        let row: Vec<String> = (0..64).map(|_| format!("{}", (rng.random::<f64>() * 4.0).floor() / 3.0)).collect();
        text += &(row.join(" ") + "\n");
    }
    let f = dir.join("toy.txt");
    std::fs::write(&f, text).unwrap();
    f.display().to_string()
}

#[test]
fn resume_continues_exactly_and_generate_runs_on_the_result() {
    let dir = tmp("resume");
    let data = toy_data(&dir);
    let net = dir.join("net.txt").display().to_string();
    assert!(
        lwl(&["net", "auto", "--data", "64", "--encode", "8", "--code", "3", "--decode", "8", "--out", &net])
            .status
            .success()
    );
    let run = |out: &str, extra: &[&str]| {
        let mut args =
            vec!["autoencode", "--data", &data, "--batch", "10", "--code-batch", "4", "--iter", "5", "--json"];
        args.extend(extra);
        args.extend(["--out", out, "--threads", "1"]);
        let o = lwl(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        records(&o).pop().unwrap()
    };
    let (a, b) = (dir.join("a").display().to_string(), dir.join("b").display().to_string());
    let whole = run(&a, &["--net", &net, "--seed", "9", "--epochs", "2"]);
    run(&b, &["--net", &net, "--seed", "9", "--epochs", "1"]);
    let resumed = run(&b, &["--resume", &b, "--epochs", "1"]);
    for k in ["epoch", "iters", "data_err", "code_err", "rrr_err"] {
        assert_eq!(whole[k], resumed[k], "{k}");
    }
    // Image data defaults to the reference's margin 0.4, the full width 0.8.
    let progress = std::fs::read_to_string(dir.join("a").join("progress.json")).unwrap();
    assert!(progress.contains("\"width\":0.8"), "{progress}");
    for f in ["params.txt", "net.txt", "ide.txt", "progress.json", "reconstructions.png", "samples.png", "codes.png"] {
        assert!(dir.join("a").join(f).exists(), "{f}");
    }
    let g = dir.join("g").display().to_string();
    let args = ["generate", "--model", &a, "--data", &data, "--epochs", "2", "--iter", "10", "--batch", "40"];
    let o = lwl(&[&args[..], &["--count", "5", "--seed", "2", "--json", "--out", &g, "--threads", "1"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let r = records(&o);
    for k in ["fp_batch", "tn_batch", "fp_train", "tn_train", "fp_test", "tn_test", "accept_rate"] {
        assert!(r.last().unwrap().get(k).is_some(), "{k}");
    }
    assert!(dir.join("g/generated.txt").exists() && dir.join("g/fp.png").exists());
    // the same run with the edge state in f32: the same records, rates that
    // are fractions
    let o =
        lwl(&[&args[..], &["--count", "5", "--seed", "2", "--json", "--precision", "f32", "--threads", "1"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let r32 = records(&o);
    assert_eq!(r32.len(), r.len());
    for k in ["fp_batch", "tn_batch", "fp_train", "tn_train", "accept_rate"] {
        let v = r32.last().unwrap()[k].as_f64().unwrap_or_else(|| panic!("{k}: {:?}", r32.last()));
        assert!((0.0..=1.0).contains(&v), "{k} = {v}");
    }
}

#[test]
fn bad_nets_and_flags_exit_2_with_a_reason() {
    let dir = tmp("bad");
    let write = |name: &str, text: &str| {
        let f = dir.join(name);
        std::fs::write(&f, text).unwrap();
        f.display().to_string()
    };
    let data = toy_data(&dir);
    let classifier = write("class.txt", &NetSpec::layered(&[64, 3, 2]).unwrap().to_text());
    let no_code =
        write("nocode.txt", "4 2 0 0\n\n0 2\n4 5 \n1 2\n4 5 \n2 2\n4 5 \n3 2\n4 5 \n4 4\n0 1 2 3 \n5 4\n0 1 2 3 \n");
    // data node 3 has no record: it would have no decoder edge
    let no_decoder = write("nodec.txt", "4 0 2 0\n\n0 2\n4 5 \n1 2\n4 5 \n2 2\n4 5 \n4 4\n0 1 2 3 \n5 4\n0 1 2 3 \n");
    let small = write("small.txt", &NetSpec::autoencoder(16, &[], 3, &[]).unwrap().to_text());
    // decoder nodes 6 and 7 feed each other: a cycle that avoids the data layer
    let cycle = write(
        "cycle.txt",
        "4 0 2 2\n\n0 1\n6 \n1 1\n6 \n2 1\n6 \n3 1\n6 \n4 4\n0 1 2 3 \n5 4\n0 1 2 3 \n6 2\n4 7 \n7 2\n5 6 \n",
    );
    let four = write("four.txt", "4\n\n0 1 0 0\n1 0 0 0\n");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--data", &data, "--net", &classifier], "classifier net"),
        (vec!["--data", &data, "--net", &no_code], "code node"),
        (vec!["--data", &data, "--net", &no_decoder], "nodec.txt"),
        (vec!["--data", &data, "--net", &small], "16 data nodes"),
        (vec!["--data", &data], "--net FILE is needed"),
        (vec!["--data", &four, "--net", &cycle], "cycle that does not pass through the data layer"),
        (vec!["--mnist", "--restarts", "3"], "--restarts needs --binary"),
        (vec!["--binary", "3", "--activation", "relu"], "step or zigmoid"),
        (vec!["--binary", "3", "--code-batch", "3"], "all 8 codes"),
        (vec!["--binary", "3", "--width", "0"], "--width"),
        (vec!["--binary", "3", "--beta", "3"], "--beta"),
        (vec!["--binary", "40"], "--binary N"),
        (vec!["--data", &data, "--net", &small, "--activation", "step"], "0s and 1s"),
        (vec!["--binary", "3", "--mnist"], "cannot be used with"),
        (vec!["--binary", "3", "--precision", "f32", "--oracle"], "--oracle"),
        (vec!["--binary", "3", "--precision", "f32", "--gamma", "0.5"], "--gamma"),
    ];
    for (args, want) in cases {
        let o = lwl(&[&["autoencode"], &args[..]].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(want), "{args:?}: expected '{want}' in: {e}");
        assert_eq!(e.trim().lines().filter(|l| l.starts_with("lwl:") || l.starts_with("error")).count(), 1, "{e}");
    }
    let o = lwl(&["generate", "--model", &dir.display().to_string(), "--binary", "3"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn f32_storage_warns_of_an_unreachable_tolerance() {
    // f32 rounding of the edge state keeps RRR_err near 1e-5: a run to
    // --tol 1e-6 (the binary encoding default) is told so; one to 1e-4 not
    let args = ["autoencode", "--binary", "3", "--iter", "5", "--precision", "f32", "--seed", "1", "--tol"];
    let o = lwl(&[&args[..], &["1e-6"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("will likely not be met"), "{}", stderr(&o));
    let o = lwl(&[&args[..], &["1e-4"]].concat());
    assert!(o.status.success() && !stderr(&o).contains("warning"), "{}", stderr(&o));
}

mod reference;
