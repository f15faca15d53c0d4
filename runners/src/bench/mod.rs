//! `lwl bench`: full RRR iterations of the paper's networks, timed, in the
//! paper's unit (seconds per giga weight-multiply, eq. 24), beside the memory
//! floor measured in the same run.

use std::hint::black_box;
use std::time::Instant;

use lwl_kernel::exec::Executor;
use lwl_kernel::layout::Layout;
use lwl_kernel::network::Errors;
use lwl_kernel::nmf;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::json;

mod args;

pub use args::{BENCH_ABOUT, BenchArgs};

use crate::datasets::ledm;
use crate::engine::{Method, NmfBuffers, Pool, Precision, cpu, ranks};
use crate::error::Error;
use crate::output::write_stdout;
use crate::workloads::{CONFIGS, Config, Problem, Shape, config_names, prepare_with};

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
        Ok(Bench::Nmf(Box::new(b), nmf::Params { beta: 0.5, gamma: 1.0, omega: 1.0 }))
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

/// Runs `lwl bench`.
pub fn run(args: &BenchArgs) -> Result<(), Error> {
    let all = ranks::cores();
    let threads: Vec<usize> = match args.threads.threads {
        Some(_) => vec![args.threads.check()?],
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
        let nmf = matches!(cfg.shape, Shape::Nmf(..));
        let cfg = &Config { batch: args.batch.filter(|_| !nmf).unwrap_or(cfg.batch), ..*cfg };
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
    let world = ranks::world();
    if world.size > 1 && args.iters.is_none() {
        return Err(Error::Usage(format!(
            "an MPI job of {} ranks: give --iters N, so that every rank runs the same iterations",
            world.size
        )));
    }
    let path = if args.oracle { Method::Oracle } else { Method::Simd };
    // Two untimed iterations, then the timed ones in the same run.
    const WARM: u64 = 2;
    let (mut start, mut iters) = (Instant::now(), 0u64);
    bench.run(pool, path, |_| {
        iters += 1;
        if iters == WARM {
            start = Instant::now();
            ranks::traffic_reset();
        }
        let timed = iters.saturating_sub(WARM);
        match args.iters {
            Some(n) => timed < n,
            None => timed < 3 || start.elapsed().as_secs_f64() < args.seconds,
        }
    })?;
    let secs = start.elapsed().as_secs_f64();
    let iters = iters.saturating_sub(WARM);
    let (comm_secs, sent, collectives) = ranks::traffic();
    let (edges, state_bytes, steps) = bench.facts();
    let wm = iters as f64 * (cfg.batch * edges) as f64;
    let s_per_gwm = secs / (wm * 1e-9);
    let mut out = json!({
        "config": cfg.name,
        "threads": pool.map_or(1, Pool::threads),
        "precision": precision.name(),
        "path": if args.oracle { "oracle" } else { "fast" },
        "simd": cpu::simd_level(),
        "lanes": lwl_kernel::simd::LANES,
        "batch": cfg.batch,
        "block": layout.block(),
        "edges": edges,
        "iters": iters,
        "seconds": secs,
        "s_per_gwm": s_per_gwm,
        "wm_per_s": wm / secs,
        "state_bytes": state_bytes,
        "newton_steps_per_solve": steps,
        "ranks": world.size,
    });
    if world.size > 1 {
        let per = |v: f64| v / iters.max(1) as f64;
        let sent_all = ranks::gather(sent);
        out["comm_seconds_per_iter"] = json!(per(comm_secs));
        out["iter_seconds"] = json!(per(secs));
        out["collectives_per_iter"] = json!(per(collectives as f64));
        out["bytes_sent_per_iter_by_rank"] = json!(sent_all.iter().map(|&b| per(b as f64)).collect::<Vec<_>>());
        let (latency, bandwidth) = ranks::probe();
        out["allgather_8b_seconds"] = json!(latency);
        out["allgather_gb_per_s"] = json!(bandwidth * 1e-9);
    }
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
