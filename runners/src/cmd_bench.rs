//! `lwl bench`: full RRR iterations of the paper's networks, timed, in the
//! paper's unit (seconds per giga weight-multiply, eq. 24), beside the memory
//! floor measured in the same run.

use std::hint::black_box;
use std::time::Instant;

use lwl_kernel::activation::Activation;
use lwl_kernel::class::ClassMode;
use lwl_kernel::layout::Layout;
use lwl_kernel::network::Params;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::json;

use crate::cli::BenchArgs;
use crate::cpu;
use crate::engine::{NetBuffers, Path, Pool};
use crate::error::Error;
use crate::netfile::NetSpec;
use crate::netinit::random_weights;
use lwl_kernel::exec::Executor;

/// A benchmark configuration: a layered net and a batch.
pub struct Config {
    /// Name used by `--config`.
    pub name: &'static str,
    /// Layer sizes from input to output.
    pub layers: &'static [usize],
    /// Batch size.
    pub batch: usize,
    /// Class margin.
    pub margin: f64,
}

/// The configuration called `name`.
pub fn config(name: &str) -> Option<&'static Config> {
    CONFIGS.iter().find(|c| c.name == name)
}

/// A ready-to-iterate benchmark problem.
pub struct Problem {
    /// The network.
    pub spec: NetSpec,
    /// Buffers initialised by a forward pass.
    pub buf: NetBuffers,
    /// Hyperparameters.
    pub params: Params,
}

/// Generated data (uniform values in [0, 1), random labels) and random
/// weights for `cfg` in `layout`, initialised by a forward pass.
pub fn prepare(cfg: &Config, layout: Layout, seed: u64) -> Result<Problem, Error> {
    let spec = NetSpec::layered(cfg.layers)?;
    let net = spec.net()?;
    let params = Params {
        beta: 1.0,
        omega: 2.0,
        upsilon: 1.0,
        margin: cfg.margin,
        activation: Activation::Relu,
        class_mode: ClassMode::Plain,
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut buf = NetBuffers::new(&net, layout).ok_or_else(|| Error::Usage("batch too large".into()))?;
    let (n, inputs, classes) = (net.nodes(), cfg.layers[0], cfg.layers[cfg.layers.len() - 1]);
    for k in 0..cfg.batch {
        for i in 0..inputs {
            buf.values[layout.at(k, i, n)] = rng.random::<f64>();
        }
        buf.labels[k] = rng.random_range(0..classes as u32);
    }
    let w0 = random_weights(&spec, params.omega, &mut rng);
    buf.init_forward(&net, &params, &w0, &vec![0.0; n]);
    Ok(Problem { spec, buf, params })
}

/// The configurations of the speed issues (DESIGN.md, runner contract).
pub const CONFIGS: &[Config] = &[
    Config { name: "mnist", layers: &[784, 20, 10], batch: 1000, margin: 0.7 },
    Config { name: "majority", layers: &[13, 26, 26, 2], batch: 128, margin: 0.1 },
];

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
    let chosen: Vec<&Config> = CONFIGS.iter().filter(|c| args.config.as_deref().is_none_or(|n| n == c.name)).collect();
    if chosen.is_empty() {
        return Err(Error::Usage(format!(
            "--config: unknown configuration '{}' (known: {})",
            args.config.as_deref().unwrap_or(""),
            config_names().join(", ")
        )));
    }
    if !args.json {
        println!(
            "{:<10} {:>7} {:>6} {:>6} {:>6} {:>10} {:>12} {:>10} {:>8}",
            "config", "threads", "batch", "block", "iters", "s/GWM", "WM/s", "floor", "ratio"
        );
    }
    for (cfg, &t) in chosen.iter().flat_map(|c| threads.iter().map(move |t| (c, t))) {
        let pool = if t > 1 { Some(Pool::new(t).map_err(Error::Usage)?) } else { None };
        let r = measure(cfg, args, pool.as_ref())?;
        if args.json {
            println!("{r}");
        } else {
            let f = |k: &str| r.get(k).and_then(|v| v.as_f64());
            println!(
                "{:<10} {:>7} {:>6} {:>6} {:>6} {:>10.3} {:>12.3e} {:>10} {:>8}",
                cfg.name,
                t,
                cfg.batch,
                r["block"].as_u64().unwrap_or(0),
                r["iters"].as_u64().unwrap_or(0),
                f("s_per_gwm").unwrap_or(f64::NAN),
                f("wm_per_s").unwrap_or(f64::NAN),
                f("floor_s_per_gwm").map_or("-".into(), |v| format!("{v:.3}")),
                f("floor_ratio").map_or("-".into(), |v| format!("{v:.2}")),
            );
        }
    }
    if !args.json {
        println!(
            "simd: {}; precision f64; seconds per GWM = wall time / (1e-9 · iterations · |K| · |E|)",
            cpu::simd_level()
        );
    }
    Ok(())
}

fn measure(cfg: &Config, args: &BenchArgs, pool: Option<&Pool>) -> Result<serde_json::Value, Error> {
    let layout = match args.block {
        Some(b) => Layout::new(cfg.batch, b),
        None => Layout::preferred(cfg.batch),
    }
    .map_err(|e| Error::Usage(format!("--block: {e:?} (use a positive multiple of 4)")))?;
    let Problem { spec, mut buf, params: p } = prepare(cfg, layout, args.seed)?;
    let net = spec.net()?;
    let path = if args.oracle { Path::Oracle } else { Path::Fast };
    let step = |buf: &mut NetBuffers| buf.iterate_on(pool, &net, &p, path).map_err(|e| Error::Usage(format!("{e:?}")));
    for _ in 0..2 {
        step(&mut buf)?;
    }
    let start = Instant::now();
    let mut iters = 0u64;
    while match args.iters {
        Some(n) => iters < n,
        None => iters < 3 || start.elapsed().as_secs_f64() < args.seconds,
    } {
        black_box(step(&mut buf)?);
        iters += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let wm = iters as f64 * (cfg.batch * net.edges()) as f64;
    let s_per_gwm = secs / (wm * 1e-9);
    let state_bytes = buf.state_bytes();
    let mut out = json!({
        "config": cfg.name,
        "threads": pool.map_or(1, Pool::threads),
        "precision": "f64",
        "path": if args.oracle { "oracle" } else { "fast" },
        "simd": cpu::simd_level(),
        "batch": cfg.batch,
        "block": layout.block(),
        "edges": net.edges(),
        "iters": iters,
        "seconds": secs,
        "s_per_gwm": s_per_gwm,
        "wm_per_s": wm / secs,
        "state_bytes": state_bytes,
        "newton_steps_per_solve": buf.counters.newton_steps as f64 / buf.counters.newton_solves.max(1) as f64,
    });
    if state_bytes > FLOOR_BYTES {
        drop(buf);
        let bw = rmw_bandwidth(state_bytes, pool);
        let floor_iter = 2.0 * state_bytes as f64 / bw;
        let floor = floor_iter / ((cfg.batch * net.edges()) as f64 * 1e-9);
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
