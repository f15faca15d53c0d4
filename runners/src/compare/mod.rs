//! `lwl compare`: one net, one data set, every trainer side by side
//! ([`methods`] runs each as its own command; [`summary`] averages the
//! seeds and prints the table).
//!
//! `--out DIR` holds `compare.png` (test error against GWM and against
//! seconds, one mean curve per method), `records.jsonl` (every record of
//! every run, with `method` and `seed`) and `summary.json` (the table's
//! objects and the settings).

pub mod args;
pub mod methods;
pub mod summary;
pub mod teacher;

use std::path::{Path, PathBuf};

use serde_json::json;

pub use args::{ABOUT, CompareArgs, EXAMPLES};
use methods::{Name, Run};

use crate::args::data::load;
use crate::error::Error;
use crate::feedforward::{Activation, layer_sizes};
use crate::formats::netfile::NetSpec;
use crate::output::write_stdout;
use crate::picture::{self, Image, Labels, Scale, Series};

/// The data flags of `a`, to pass on.
fn data_flags(a: &CompareArgs) -> Vec<String> {
    let d = &a.data;
    let mut v = Vec::new();
    let mut path = |flag: &str, p: &Option<PathBuf>| {
        if let Some(p) = p {
            v.extend([flag.to_string(), p.display().to_string()]);
        }
    };
    path("--train", &d.train);
    path("--test", &d.test);
    path("--train-labels", &d.train_labels);
    path("--test-labels", &d.test_labels);
    if let Some(depth) = d.majority {
        v.extend(["--majority".into(), depth.to_string()]);
    }
    if d.mnist {
        v.push("--mnist".into());
    }
    v
}

/// The hidden activation of a classifier comparison (`--activation`, relu
/// by default).
fn activation(a: &CompareArgs) -> Activation {
    a.activation.unwrap_or(Activation::Relu)
}

/// The methods to run: `--methods`, else every one that fits the net.
fn chosen(a: &CompareArgs, sizes: &[usize]) -> Result<Vec<Name>, Error> {
    match &a.methods {
        Some(list) => {
            let mut v = list.clone();
            v.sort();
            v.dedup();
            for m in &v {
                m.fits(sizes, activation(a)).map_err(|why| Error::Usage(format!("--methods {}: {why}", m.as_str())))?;
            }
            Ok(v)
        }
        None => Ok(Name::ALL.into_iter().filter(|m| m.fits(sizes, activation(a)).is_ok()).collect()),
    }
}

/// Where `--out` goes (checked), or `None`.
fn out_dir(a: &CompareArgs) -> Result<Option<PathBuf>, Error> {
    let Some(d) = &a.out else { return Ok(None) };
    if d.join("summary.json").exists() && !a.force {
        return Err(Error::Usage(format!(
            "--out {}: holds another comparison (summary.json); give --force to replace it",
            d.display()
        )));
    }
    std::fs::create_dir_all(d).map_err(|e| Error::Io { path: d.display().to_string(), source: e })?;
    Ok(Some(d.clone()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes).map_err(|e| Error::Io { path: path.display().to_string(), source: e })
}

/// Runs `lwl compare`.
pub fn run(a: &CompareArgs) -> Result<(), Error> {
    if a.seeds == 0 {
        return Err(Error::Usage("--seeds 0: give at least one seed".into()));
    }
    if let Some(g) = a.gwm
        && !(g > 0.0 && g.is_finite())
    {
        return Err(Error::Usage(format!("--gwm {g}: must be a positive number of GWMs")));
    }
    if a.epochs == Some(0) {
        return Err(Error::Usage("--epochs 0: give at least one epoch".into()));
    }
    let threads = a.threads.check()?;
    if a.teacher {
        return teacher::run(a, threads);
    }
    // the data once here: its errors are reported before any run starts
    let sets = load(&a.data, a.seed)?;
    if sets.test.is_none() {
        return Err(Error::Usage("lwl compare needs test data: give --test FILE (or --majority, --mnist)".into()));
    }
    let sizes = layer_sizes(a.layers.as_ref(), &sets)?;
    let methods = chosen(a, &sizes)?;
    let dir = out_dir(a)?;
    let scratch = std::env::temp_dir().join(format!("lwl-compare-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| Error::Io { path: scratch.display().to_string(), source: e })?;
    let net = scratch.join("net.txt");
    write(&net, NetSpec::layered(&sizes)?.to_text().as_bytes())?;
    let result = compare(a, &sizes, &methods, &net, threads, dir.as_deref());
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// Runs every method on every seed, prints the table and writes `--out`.
fn compare(
    a: &CompareArgs,
    sizes: &[usize],
    methods: &[Name],
    net: &Path,
    threads: usize,
    dir: Option<&Path>,
) -> Result<(), Error> {
    let (mut rows, mut all) = (Vec::new(), Vec::new());
    let mut curves: Vec<(Name, Vec<Run>)> = Vec::new();
    for &m in methods {
        let spec = m.spec();
        let mut runs = Vec::new();
        for seed in a.seed..a.seed + a.seeds as u64 {
            let mut args: Vec<String> = spec.command.iter().map(|s| s.to_string()).collect();
            args.extend(data_flags(a));
            args.extend(m.net_flags(sizes, net, activation(a)));
            args.extend(["--seed".into(), seed.to_string()]);
            if spec.threads {
                args.extend(["--threads".into(), threads.to_string()]);
            }
            match (a.gwm, a.epochs) {
                (Some(_), _) => args.extend([spec.length.into(), "1000000".into()]),
                (None, Some(n)) => args.extend([spec.length.into(), n.to_string()]),
                (None, None) => {}
            }
            for (_, extra) in a.with.iter().filter(|(n, _)| *n == m) {
                args.extend(extra.iter().cloned());
            }
            eprintln!("lwl compare: {} seed {seed}: lwl {}", m.as_str(), args.join(" "));
            let r = methods::run(&args, a.gwm)?;
            if let Some(f) = &r.failure {
                eprintln!("lwl compare: {} seed {seed} failed: {f}", m.as_str());
            }
            for rec in &r.records {
                let mut tagged = rec.clone();
                tagged["method"] = json!(m.as_str());
                tagged["seed"] = json!(seed);
                all.push(tagged);
            }
            runs.push(r);
        }
        let row = summary::summarise(m, &runs, a.target);
        if a.json {
            write_stdout(&format!("{row}\n"))?;
        }
        rows.push(row);
        curves.push((m, runs));
    }
    if !a.json {
        write_stdout(&summary::table(&rows, a.target))?;
    }
    if let Some(d) = dir {
        let lines: String = all.iter().map(|r| format!("{r}\n")).collect();
        write(&d.join("records.jsonl"), lines.as_bytes())?;
        let settings = json!({
            "layers": sizes, "seeds": a.seeds, "seed": a.seed, "gwm": a.gwm, "epochs": a.epochs,
            "target": a.target, "threads": threads, "data": a.data.hyper(), "activation": activation(a),
            "with": a.with.iter().map(|(n, f)| json!({"method": n.as_str(), "flags": f})).collect::<Vec<_>>(),
        });
        let s = json!({"methods": rows, "settings": settings});
        write(&d.join("summary.json"), format!("{s:#}\n").as_bytes())?;
        let png = d.join("compare.png");
        write(&png, &plot(&curves).map_err(picture::io_error(&png))?.png_for(&png)?)?;
    }
    if rows.iter().any(|r| r.get("failed").is_some()) {
        return Err(Error::Usage("some runs failed (named above)".into()));
    }
    Ok(())
}

/// The mean curve of `runs` over the seeds, record by record (as far as
/// every seed has records): `(mean x, mean test_err)` with x the record's
/// `key`.
fn mean_curve(runs: &[Run], key: &str) -> Vec<(f64, f64)> {
    let len = runs.iter().map(|r| r.records.len()).min().unwrap_or(0);
    (0..len)
        .filter_map(|i| {
            let xs: Vec<f64> = runs.iter().filter_map(|r| r.records[i][key].as_f64()).collect();
            let ys: Vec<f64> = runs.iter().filter_map(|r| r.records[i]["test_err"].as_f64()).collect();
            (xs.len() == runs.len() && ys.len() == runs.len())
                .then(|| (summary::mean_sd(&xs).0, summary::mean_sd(&ys).0))
        })
        .collect()
}

/// Test error against GWM and against seconds, both on log x axes.
fn plot(curves: &[(Name, Vec<Run>)]) -> std::io::Result<Image> {
    let panel = |key: &str, x: &str| {
        let lines: Vec<(String, Vec<(f64, f64)>)> =
            curves.iter().map(|(m, runs)| (m.as_str().to_string(), mean_curve(runs, key))).collect();
        let series: Vec<Series<'_>> = lines.iter().map(|(n, p)| Series::line(n.clone(), p)).collect();
        let labels = Labels { title: "test error, mean over seeds", x, y: "test error" };
        picture::plot_with(&series, &labels, Scale::Log)
    };
    Ok(Image::beside(&[panel("gwms", "GWM (1e9 weight-multiplies)")?, panel("seconds", "seconds")?]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_curves_stop_at_the_shortest_run() {
        let run = |pts: &[(f64, f64)]| Run {
            records: pts.iter().map(|&(g, t)| json!({"gwms": g, "test_err": t})).collect(),
            failure: None,
        };
        let c = mean_curve(&[run(&[(1.0, 0.4), (2.0, 0.2)]), run(&[(3.0, 0.2)])], "gwms");
        assert_eq!(c, [(2.0, 0.30000000000000004)]);
        assert!(mean_curve(&[], "gwms").is_empty());
    }

    #[test]
    fn localprop_fits_square_chains_only() {
        let relu = Activation::Relu;
        assert!(Name::Localprop.fits(&[784, 784, 784, 10], relu).is_ok());
        assert!(Name::Localprop.fits(&[784, 20, 10], relu).is_err());
        assert!(Name::Localprop.fits(&[784, 10], relu).is_err());
        assert!(Name::Rrr.fits(&[784, 20, 10], relu).is_ok());
        // binary nets: RRR, the Bregman lifted trainer and back-propagation
        let binary: Vec<Name> =
            Name::ALL.into_iter().filter(|m| m.fits(&[13, 26, 2], Activation::Step).is_ok()).collect();
        assert_eq!(binary, [Name::Rrr, Name::LiftedBregman, Name::Sgd, Name::Adam]);
        assert!(Name::Rrr.fits(&[13, 26, 2], Activation::Tanh).unwrap_err().contains("relu or step"));
    }
}
