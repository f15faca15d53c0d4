//! `lwl nmf`: non-negative matrix factorisation by RRR (section 4), on the
//! built-in LEDM and letter-montage data or a data file; single runs with
//! per-epoch records, or `--restarts` with a success rate.
//!
//! Files written to `--out DIR` (atomically, every epoch):
//!
//! * `W.txt` — the consensus weights, `D` lines of `R` values (`W(i, j)`,
//!   shortest round-trip formatting); a valid `--init`;
//! * `codes.txt` — one line of `R` values per item, in data order;
//! * `progress.json` — the last epoch record plus what `--resume` needs;
//! * `rrr_err.png` — the RRR_err series on a log axis (Fig. 4 and 6);
//! * `features.png` — for image data, the columns of W as images (Fig. 5).

use std::path::Path as FsPath;
use std::time::Instant;

use indicatif::MultiProgress;

use lwl_kernel::nmf::{Params, Shape};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Value, json};

use crate::args::check;
use crate::output::checkpoint::{self, Progress};
mod args;
pub mod encoder;
mod source;
pub mod train;

pub use args::{NMF_ABOUT, NMF_EXAMPLES, NmfArgs, NmfSource};
pub use source::TABLE1;
use source::{Source, load};

use crate::engine::Precision;
use crate::engine::parallel::side_by_side;
use crate::error::Error;
use crate::formats::matrix::{read_matrix, write_matrix};
use crate::nmf::train::{Setup, Trainer, random_weights};
use crate::output::report::{Reporter, progress, restart_summary, seed};
use crate::output::{check_writable, write_files, write_series};
use crate::picture::{Labels, Series, Shade, grid, io_error, plot};

/// A run succeeds when its final recon_err is at most this (an exact
/// factorisation up to the stopping tolerance).
pub const SUCCESS_RECON_ERR: f64 = 1e-5;

/// Everything a run needs besides its initial weights and seed.
struct Plan<'a> {
    setup: Setup,
    epochs: usize,
    src: &'a Source,
    record_series: bool,
}

/// The outcome of one run.
struct Outcome {
    /// The last epoch record (with `seconds`).
    last: Value,
    iters: u64,
    gwms: f64,
    seconds: f64,
    recon_err: f64,
    /// The RRR_err series for plotting, iteration numbers continued from a
    /// resumed run.
    points: Vec<(f64, f64, f64)>,
    series: Option<Vec<f64>>,
}

/// Trains from `weights`; records every epoch on `rep` when given and
/// saves to `out` every epoch.
fn train(
    plan: &Plan,
    weights: Vec<f64>,
    seed: u64,
    start: Progress,
    out: Option<&FsPath>,
    mut rep: Option<&mut Reporter>,
    bars: &MultiProgress,
) -> Result<Outcome, Error> {
    let mut setup = plan.setup;
    setup.seed = seed;
    let n = plan.src.data.len();
    let batches = n.div_ceil(setup.batch.min(n)) as u64;
    let bar = bars.add(progress(plan.epochs as u64 * batches * setup.iter as u64, &format!("nmf seed {seed}")));
    let mut tr = Trainer::new(setup, &plan.src.data, weights, plan.record_series);
    let clock = Instant::now();
    let mut last = Value::Null;
    for epoch in start.epoch + 1..=start.epoch + plan.epochs {
        let r = tr.epoch(epoch, &bar)?;
        check::finite_state(epoch, &[&tr.weights])?;
        let c = tr.counters();
        let wm = start.weight_multiplies + c.weight_multiplies;
        last = json!({
            "epoch": epoch,
            "gwms": wm as f64 * 1e-9,
            "iters": start.iters + c.iterations,
            "rrr_err": r.rrr_err,
            "recon_err": r.recon_err,
            "seconds": start.seconds + clock.elapsed().as_secs_f64(),
        });
        if let Some(rep) = rep.as_deref_mut() {
            bar.suspend(|| rep.record(&last))?;
        }
        if let Some(dir) = out {
            save(dir, &tr, plan, &last, seed, wm, start.iters)?;
        }
    }
    bar.finish_and_clear();
    let c = tr.counters();
    Ok(Outcome {
        iters: start.iters + c.iterations,
        gwms: (start.weight_multiplies + c.weight_multiplies) as f64 * 1e-9,
        seconds: last["seconds"].as_f64().unwrap_or(0.0),
        recon_err: last["recon_err"].as_f64().unwrap_or(f64::NAN),
        points: plot_points(&tr, start.iters),
        series: tr.series.take(),
        last,
    })
}

/// The run's RRR_err envelope as plot stretches, iterations counted on
/// from `x0` (the iterations of the run it resumes).
fn plot_points(tr: &Trainer, x0: u64) -> Vec<(f64, f64, f64)> {
    tr.envelope.stretches().into_iter().map(|(x, lo, hi)| (x + x0 as f64, lo, hi)).collect()
}

/// Writes W, the codes, the progress record and the pictures of a run.
fn save(dir: &FsPath, tr: &Trainer, plan: &Plan, rec: &Value, seed: u64, wm: u64, x0: u64) -> Result<(), Error> {
    let rank = plan.setup.shape.rank;
    let mut prog = rec.clone();
    prog["seed"] = json!(seed);
    prog["weight_multiplies"] = json!(wm);
    prog["rank"] = json!(rank);
    prog["beta"] = json!(plan.setup.params.beta);
    prog["omega"] = json!(plan.setup.params.omega);
    let points = plot_points(tr, x0);
    let plot_path = dir.join("rrr_err.png");
    let title = format!("RRR_err of {}, seed {seed}", plan.src.name);
    let labels = Labels { title: &title, x: "iteration", y: "RRR_err" };
    let rrr_plot = plot(&[Series::band("RRR_err, min to max", &points)], &labels).map_err(io_error(&plot_path))?;
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("W.txt", write_matrix(&tr.weights, rank).into_bytes()),
        ("codes.txt", write_matrix(&tr.codes()?, rank).into_bytes()),
        ("rrr_err.png", rrr_plot.png_for(&plot_path)?),
    ];
    if let Some((w, h)) = plan.src.image {
        let d = plan.setup.shape.data;
        let cols: Vec<Vec<f64>> = (0..rank).map(|j| (0..d).map(|i| tr.weights[i * rank + j]).collect()).collect();
        let tiles: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let per_row = (rank as f64).sqrt().ceil() as usize;
        let scale = (160 / w.max(h)).max(1);
        let bytes = grid(&tiles, w, h, per_row, scale, Shade::PerTile).png_for(&dir.join("features.png"))?;
        files.push(("features.png", bytes));
    }
    checkpoint::write(dir, "nmf", &files, &prog)
}

/// The hyperparameters of a run, as the flags, the resumed run and the
/// data's defaults give them.
struct Hyper {
    rank: usize,
    data_nodes: usize,
    omega: f64,
    batch: usize,
    epochs: usize,
    iter: usize,
}

/// Checks the hyperparameters (the message names the flag).
fn check(h: &Hyper, a: &NmfArgs) -> Result<(), Error> {
    check::at_least_one("--rank", h.rank)?;
    if h.rank > h.data_nodes {
        return Err(Error::Usage(format!(
            "--rank {}: more features than the {} data nodes (W would have more columns than rows)",
            h.rank, h.data_nodes
        )));
    }
    check::positive("--omega", h.omega)?;
    check::schedule(h.batch, h.epochs, h.iter, a.tol)?;
    if let Some(r) = a.restarts {
        check::at_least_one("--restarts", r)?;
    }
    Ok(())
}

/// Runs `lwl nmf`.
pub fn run(a: &NmfArgs) -> Result<(), Error> {
    let src = load(&a.source, a.data_seed, a.image)?;
    let d = src.data.dims;
    let resumed = a.run.resume.as_deref().map(|d| checkpoint::read(d, "nmf")).transpose()?;
    let w_file = a.init.clone().or_else(|| a.run.resume.as_ref().map(|dir| dir.join("W.txt")));
    let given = match &w_file {
        Some(f) => {
            let (cols, w) = read_matrix(f)?;
            if w.len() != d * cols {
                return Err(Error::Usage(format!(
                    "{} has {} rows but the data has {d} values per item (one row per data node)",
                    f.display(),
                    w.len() / cols
                )));
            }
            if let Some(r) = a.rank.filter(|&r| r != cols) {
                return Err(Error::Usage(format!("--rank {r} but {} has {cols} columns", f.display())));
            }
            Some((cols, w))
        }
        None => None,
    };
    let rank = a.rank.or(given.as_ref().map(|g| g.0)).or(src.defaults.rank).ok_or_else(|| {
        Error::Usage(
            "--rank R is needed (the number of features); defaults exist only for --ledm 6, 8, 12, 16 and --montage"
                .into(),
        )
    })?;
    let prev = resumed.unwrap_or_default();
    let step = a.rrr.check(prev.f64("beta").unwrap_or(src.defaults.beta), Precision::F64)?;
    let omega = a.omega.or(prev.f64("omega")).unwrap_or(src.defaults.omega);
    let n = src.data.len();
    let batch = a.batch.or(src.defaults.batch).unwrap_or(n);
    let epochs = a.epochs.unwrap_or(src.defaults.epochs);
    let iter = a.iter.unwrap_or(src.defaults.iter);
    check(&Hyper { rank, data_nodes: d, omega, batch, epochs, iter }, a)?;
    let (threads, bars) = (a.threads.check()?, MultiProgress::new());
    let seed = seed(a.replay.seed.or(prev.seed), "nmf");
    let shape = Shape { data: d, rank };
    let plan = Plan {
        setup: Setup {
            shape,
            params: Params { beta: step.beta, gamma: step.gamma, omega },
            batch,
            iter,
            tol: a.tol,
            method: step.method,
            shuffle: !a.replay.no_shuffle,
            seed,
        },
        epochs,
        src: &src,
        record_series: a.replay.err_series.is_some(),
    };
    let init = |s: u64| {
        given
            .as_ref()
            .map_or_else(|| random_weights(shape, omega, &mut Xoshiro256PlusPlus::seed_from_u64(s)), |g| g.1.clone())
    };
    if let Some(f) = &a.replay.err_series {
        check_writable(f)?;
    }
    match a.restarts {
        None => {
            let cols = ["epoch", "gwms", "iters", "rrr_err", "recon_err", "seconds"];
            let mut rep = Reporter::new(a.json, &cols);
            // a resumed run goes on saving into its directory unless told otherwise
            let out = a.run.prepare()?;
            let o = train(&plan, init(seed), seed, prev, out.as_deref(), Some(&mut rep), &bars)?;
            if let (Some(f), Some(s)) = (&a.replay.err_series, &o.series) {
                write_series(f, s)?;
            }
            rep.last(o.last)?;
        }
        Some(runs) => {
            let cols = ["seed", "success", "iters", "gwms", "seconds", "recon_err"];
            let mut rep = Reporter::new(a.json, &cols);
            let (mut successes, mut plots) = (Vec::new(), Vec::new());
            if let Some(dir) = &a.run.out {
                checkpoint::prepare(dir, None, a.run.force)?;
            }
            let clock = Instant::now();
            let run = |r: usize| {
                let s = seed.wrapping_add(r as u64);
                let out = a.run.out.as_ref().map(|dir| dir.join(format!("seed-{s}")));
                if let Some(dir) = &out {
                    checkpoint::prepare(dir, None, a.run.force)?;
                }
                train(&plan, init(s), s, Progress::default(), out.as_deref(), None, &bars)
            };
            let at_once = a.side_by_side.check(runs, threads)?;
            side_by_side(runs, at_once, run, |r, o| {
                let success = o.recon_err <= SUCCESS_RECON_ERR;
                bars.suspend(|| {
                    rep.record(&json!({
                        "seed": seed.wrapping_add(r as u64),
                        "success": success,
                        "iters": o.iters,
                        "gwms": o.gwms,
                        "seconds": o.seconds,
                        "recon_err": o.recon_err,
                        "rrr_err": o.last["rrr_err"],
                    }))
                })?;
                if success {
                    successes.push((o.iters as f64, o.gwms, o.seconds));
                }
                plots.push((seed.wrapping_add(r as u64), o.points));
                Ok(())
            })?;
            if let Some(dir) = &a.run.out {
                let path = dir.join("rrr_err.png");
                let series: Vec<Series> = plots.iter().map(|(s, p)| Series::band(format!("seed {s}"), p)).collect();
                let title = format!("RRR_err of {}, {runs} runs (min to max)", src.name);
                let img =
                    plot(&series, &Labels { title: &title, x: "iteration", y: "RRR_err" }).map_err(io_error(&path))?;
                write_files(&[(&path, &img.png_for(&path)?)])?;
            }
            let mut summary = restart_summary(runs, &successes);
            summary["threads"] = json!(at_once);
            summary["wall_seconds"] = json!(clock.elapsed().as_secs_f64());
            rep.last(summary)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrices_round_trip() {
        let v = [0.1, 1e-300, 2.0, 1.0 / 3.0, 0.0, 5e7];
        let dir = std::env::temp_dir().join(format!("lwl-nmf-matrix-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("W.txt");
        std::fs::write(&f, write_matrix(&v, 3)).unwrap();
        assert_eq!(read_matrix(&f).unwrap(), (3, v.to_vec()));
        std::fs::write(&f, "1 2\n3\n").unwrap();
        let e = read_matrix(&f).unwrap_err().to_string();
        assert!(e.ends_with(":2: expected 2 values like the first row, found 1"), "{e}");
    }

    #[test]
    fn table1_defaults() {
        let src = NmfSource { ledm: Some(8), montage: false, data: None };
        let s = load(&src, 1, None).unwrap();
        assert_eq!((s.defaults.rank, s.defaults.omega, s.defaults.beta), (Some(6), 0.7, 0.3));
        assert_eq!(s.defaults.iter, 10_000_000);
        let src = NmfSource { ledm: Some(7), montage: false, data: None };
        assert_eq!(load(&src, 1, None).unwrap().defaults.rank, None);
        let src = NmfSource { ledm: Some(6), montage: false, data: None };
        assert!(load(&src, 1, Some(4)).is_err());
        assert_eq!(load(&src, 1, Some(3)).unwrap().image, Some((3, 2)));
    }
}
