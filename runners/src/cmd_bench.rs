//! `lwl bench`: full RRR iterations of the paper's networks, timed, in the
//! paper's unit (seconds per giga weight-multiply, eq. 24), beside the memory
//! floor measured in the same run.

use std::hint::black_box;
use std::time::Instant;

use lwl_kernel::activation::Activation;
use lwl_kernel::class::ClassMode;
use lwl_kernel::layout::Layout;
use lwl_kernel::net::NodeKind;
use lwl_kernel::network::{Errors, Params};
use lwl_kernel::nmf;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::json;

use crate::cli::BenchArgs;
use crate::cpu;
use crate::data::ledm;
use crate::engine::{Method, NetBuffers, NmfBuffers, Pool, Precision};
use crate::error::Error;
use crate::netfile::NetSpec;
use crate::netinit::random_weights;
use crate::output::write_stdout;
use lwl_kernel::exec::Executor;

/// The network of a benchmark configuration.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// A layered classifier with these layer sizes, ReLU, class margin.
    Classifier(&'static [usize], f64),
    /// A cyclic autoencoder data → hidden → code → hidden → data with this
    /// many code items in the batch; zigmoid of width 0.4, Ω = 10.
    Autoencoder(usize, usize, usize, usize),
    /// NMF of LEDM m with this rank.
    Nmf(usize, usize),
}

/// A benchmark configuration.
pub struct Config {
    /// Name used by `--config`.
    pub name: &'static str,
    /// The network.
    pub shape: Shape,
    /// Batch size (all items, data and codes).
    pub batch: usize,
}

/// The configuration called `name`.
pub fn config(name: &str) -> Option<&'static Config> {
    CONFIGS.iter().find(|c| c.name == name)
}

/// A ready-to-iterate benchmark problem on a network.
pub struct Problem {
    /// The network.
    pub spec: NetSpec,
    /// Buffers initialised by a forward pass.
    pub buf: NetBuffers,
    /// Hyperparameters.
    pub params: Params,
}

/// Generated data (uniform values in [0, 1), random labels or codes) and
/// random weights for a network configuration in `layout`, initialised by a
/// forward pass; f64 state.
pub fn prepare(cfg: &Config, layout: Layout, seed: u64) -> Result<Problem, Error> {
    prepare_with(cfg, layout, seed, Precision::F64)
}

/// [`prepare`] with the edge state stored in `precision`.
pub fn prepare_with(cfg: &Config, layout: Layout, seed: u64, precision: Precision) -> Result<Problem, Error> {
    let (spec, margin, activation, omega, code_items) = match cfg.shape {
        Shape::Classifier(layers, margin) => (NetSpec::layered(layers)?, margin, Activation::Relu, 2.0, 0),
        Shape::Autoencoder(d, h, c, codes) => {
            (NetSpec::autoencoder(d, &[h], c, &[h])?, 0.0, Activation::Zigmoid { width: 0.4 }, 10.0, codes)
        }
        Shape::Nmf(..) => return Err(Error::Usage(format!("{} is not a network configuration", cfg.name))),
    };
    let net = spec.net()?;
    let params = Params { beta: 1.0, omega, upsilon: 1.0, margin, activation, class_mode: ClassMode::Plain };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut buf =
        NetBuffers::with_precision(&net, layout, precision).ok_or_else(|| Error::Usage("batch too large".into()))?;
    buf.code_items = code_items;
    let (n, classes) = (net.nodes(), net.classes().max(1) as u32);
    for k in 0..cfg.batch {
        for i in 0..n {
            if matches!(net.kind(i), NodeKind::Input | NodeKind::Data | NodeKind::Code) {
                buf.values[layout.at(k, i, n)] = rng.random::<f64>();
            }
        }
        buf.labels[k] = rng.random_range(0..classes);
    }
    let w0 = random_weights(&spec, params.omega, &mut rng);
    buf.init_forward(&net, &params, &w0, &vec![0.0; n]);
    Ok(Problem { spec, buf, params })
}

/// The benchmark configurations (BENCHMARKS.md).
pub const CONFIGS: &[Config] = &[
    Config { name: "mnist", shape: Shape::Classifier(&[784, 20, 10], 0.7), batch: 1000 },
    Config { name: "majority", shape: Shape::Classifier(&[13, 26, 26, 2], 0.1), batch: 128 },
    Config { name: "ledm12", shape: Shape::Nmf(12, 7), batch: 12 },
    Config { name: "autoencoder", shape: Shape::Autoencoder(784, 200, 10, 20), batch: 220 },
];

/// A problem of either kind, iterated the same way.
enum Bench {
    Net(Box<Problem>),
    Nmf(Box<NmfBuffers>, nmf::Params),
}

impl Bench {
    fn new(cfg: &Config, layout: Layout, seed: u64, precision: Precision) -> Result<Self, Error> {
        let Shape::Nmf(m, rank) = cfg.shape else {
            return Ok(Bench::Net(Box::new(prepare_with(cfg, layout, seed, precision)?)));
        };
        let y = ledm::ledm(m)?;
        let shape = nmf::Shape { data: y.dims, rank };
        let mut b = NmfBuffers::new(shape, layout).ok_or_else(|| Error::Usage("batch too large".into()))?;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        for k in 0..y.len() {
            for i in 0..y.dims {
                b.data[layout.at(k, i, y.dims)] = y.values[k * y.dims + i];
            }
        }
        b.w.iter_mut().chain(b.z.iter_mut()).for_each(|v| *v = rng.random::<f64>());
        Ok(Bench::Nmf(Box::new(b), nmf::Params { beta: 0.5, omega: 1.0 }))
    }

    /// Runs iterations while `go` says so (asked after each); returns how
    /// many ran. Network iterations after the first sweep the edge state
    /// once each, as in training.
    fn run(
        &mut self,
        pool: Option<&Pool>,
        method: Method,
        mut go: impl FnMut(f64) -> bool + Send,
    ) -> Result<usize, Error> {
        match self {
            Bench::Net(pr) => {
                let net = pr.spec.net()?;
                // as in training with a fixed number of iterations per batch
                pr.buf.errors = Errors::Last;
                let run = pr.buf.run_on(pool, &net, &pr.params, method, usize::MAX, |r| go(black_box(r.rrr_err)));
                run.map_err(|e| Error::Usage(format!("{e:?}")))
            }
            Bench::Nmf(b, p) => {
                let mut n = 0;
                loop {
                    n += 1;
                    let err = b.iterate(p, method).map_err(|e| Error::Usage(format!("{e:?}")))?;
                    if !go(black_box(err)) {
                        return Ok(n);
                    }
                }
            }
        }
    }

    /// (edges, state bytes, Newton steps per solve)
    fn facts(&self) -> (usize, usize, f64) {
        let (e, bytes, c) = match self {
            Bench::Net(pr) => (pr.spec.edges(), pr.buf.state_bytes(), pr.buf.counters),
            Bench::Nmf(b, _) => (b.shape.edges(), 8 * (b.w.len() + b.z.len()), b.counters),
        };
        (e, bytes, c.newton_steps as f64 / c.newton_solves.max(1) as f64)
    }
}

/// State larger than this is reported against the memory floor (larger than
/// the last-level cache of the machines we run on).
const FLOOR_BYTES: usize = 64 << 20;

/// Names of the built-in configurations.
pub fn config_names() -> Vec<&'static str> {
    CONFIGS.iter().map(|c| c.name).collect()
}

/// Runs `lwl bench`.
pub fn run(args: &BenchArgs) -> Result<(), Error> {
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads: Vec<usize> = match args.threads {
        Some(0) => return Err(Error::Usage("--threads must be at least 1".into())),
        Some(t) => vec![t],
        None if all > 1 => vec![1, all],
        None => vec![1],
    };
    let precisions = match (args.precision, args.oracle) {
        (Some(p), _) => vec![p],
        (None, true) => vec![Precision::F64],
        (None, false) => vec![Precision::F64, Precision::F32],
    };
    let chosen: Vec<&Config> = CONFIGS.iter().filter(|c| args.config.as_deref().is_none_or(|n| n == c.name)).collect();
    if chosen.is_empty() {
        return Err(Error::Usage(format!(
            "--config: unknown configuration '{}' (known: {})",
            args.config.as_deref().unwrap_or(""),
            config_names().join(", ")
        )));
    }
    if !args.json {
        write_stdout(&format!(
            "{:<10} {:>4} {:>7} {:>6} {:>6} {:>6} {:>10} {:>12} {:>10} {:>8}\n",
            "config", "prec", "threads", "batch", "block", "iters", "s/GWM", "WM/s", "floor", "ratio"
        ))?;
    }
    for cfg in chosen {
        // NMF state is f64 only
        let precs = if matches!(cfg.shape, Shape::Nmf(..)) { &[Precision::F64][..] } else { &precisions[..] };
        for (&prec, &t) in precs.iter().flat_map(|p| threads.iter().map(move |t| (p, t))) {
            let pool = if t > 1 { Some(Pool::new(t).map_err(Error::Usage)?) } else { None };
            report(&measure(cfg, args, prec, pool.as_ref())?, args.json)?;
        }
    }
    if !args.json {
        write_stdout(&format!(
            "simd: {}; seconds per GWM = wall time / (1e-9 · iterations · |K| · |E|)\n",
            cpu::simd_level()
        ))?;
    }
    Ok(())
}

/// Prints one measurement as JSON or a table row.
fn report(r: &serde_json::Value, json: bool) -> Result<(), Error> {
    if json {
        return write_stdout(&format!("{r}\n"));
    }
    let f = |k: &str| r.get(k).and_then(|v| v.as_f64());
    write_stdout(&format!(
        "{:<10} {:>4} {:>7} {:>6} {:>6} {:>6} {:>10.3} {:>12.3e} {:>10} {:>8}\n",
        r["config"].as_str().unwrap_or(""),
        r["precision"].as_str().unwrap_or(""),
        r["threads"].as_u64().unwrap_or(0),
        r["batch"].as_u64().unwrap_or(0),
        r["block"].as_u64().unwrap_or(0),
        r["iters"].as_u64().unwrap_or(0),
        f("s_per_gwm").unwrap_or(f64::NAN),
        f("wm_per_s").unwrap_or(f64::NAN),
        f("floor_s_per_gwm").map_or("-".into(), |v| format!("{v:.3}")),
        f("floor_ratio").map_or("-".into(), |v| format!("{v:.2}")),
    ))
}

fn measure(
    cfg: &Config,
    args: &BenchArgs,
    precision: Precision,
    pool: Option<&Pool>,
) -> Result<serde_json::Value, Error> {
    let layout = match args.block {
        Some(b) => Layout::new(cfg.batch, b),
        None => Layout::preferred(cfg.batch),
    }
    .map_err(|e| Error::Usage(format!("--block: {e:?} (use a positive multiple of 4)")))?;
    let mut bench = Bench::new(cfg, layout, args.seed, precision)?;
    let path = if args.oracle { Method::Oracle } else { Method::Simd };
    // Two untimed iterations, then the timed ones in the same run.
    const WARM: u64 = 2;
    let (mut start, mut iters) = (Instant::now(), 0u64);
    bench.run(pool, path, |_| {
        iters += 1;
        if iters == WARM {
            start = Instant::now();
        }
        let timed = iters.saturating_sub(WARM);
        match args.iters {
            Some(n) => timed < n,
            None => timed < 3 || start.elapsed().as_secs_f64() < args.seconds,
        }
    })?;
    let secs = start.elapsed().as_secs_f64();
    let iters = iters.saturating_sub(WARM);
    let (edges, state_bytes, steps) = bench.facts();
    let wm = iters as f64 * (cfg.batch * edges) as f64;
    let s_per_gwm = secs / (wm * 1e-9);
    let mut out = json!({
        "config": cfg.name,
        "threads": pool.map_or(1, Pool::threads),
        "precision": precision.name(),
        "path": if args.oracle { "oracle" } else { "fast" },
        "simd": cpu::simd_level(),
        "batch": cfg.batch,
        "block": layout.block(),
        "edges": edges,
        "iters": iters,
        "seconds": secs,
        "s_per_gwm": s_per_gwm,
        "wm_per_s": wm / secs,
        "state_bytes": state_bytes,
        "newton_steps_per_solve": steps,
    });
    if state_bytes > FLOOR_BYTES {
        drop(bench);
        let bw = rmw_bandwidth(state_bytes, pool);
        let floor_iter = 2.0 * state_bytes as f64 / bw;
        let floor = floor_iter / ((cfg.batch * edges) as f64 * 1e-9);
        out["rmw_gb_per_s"] = json!(bw * 1e-9);
        out["floor_s_per_gwm"] = json!(floor);
        out["floor_ratio"] = json!(s_per_gwm / floor);
    }
    Ok(out)
}

/// Bandwidth (bytes read plus written per second) of an in-place
/// read-modify-write of two arrays together as large as the state, on the
/// same threads as the iteration; best of five passes.
fn rmw_bandwidth(bytes: usize, pool: Option<&Pool>) -> f64 {
    let n = bytes / 16;
    let mut a = vec![1.0f64; n];
    let mut b = vec![0.5f64; n];
    let pass = |a: &mut [f64], b: &mut [f64]| {
        for (x, y) in a.iter_mut().zip(b.iter_mut()) {
            let (u, v) = (*x, *y);
            *x = u + 1e-9 * v;
            *y = v - 1e-9 * u;
        }
    };
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        match pool {
            Some(pool) => {
                let chunk = n.div_ceil(pool.threads()).max(1);
                let tasks = a.chunks_mut(chunk).zip(b.chunks_mut(chunk));
                pool.run(tasks, |(x, y)| pass(x, y));
            }
            None => pass(&mut a, &mut b),
        }
        black_box((&a, &b));
        best = best.min(t.elapsed().as_secs_f64());
    }
    2.0 * (16 * n) as f64 / best
}
