//! `lwl compare --teacher`: the regression comparison on the implicit deep
//! learning paper's sparse tanh teacher (section 7.1). RRR is `lwl
//! regress`; implicit BCD and its RMSProp baseline come from one `lwl
//! implicit --teacher` run per seed (they share the teacher, the data and
//! the initial weights of that seed, as `lwl regress` does). Every seed is
//! one trial: one teacher, its data, each method's student.

use std::path::Path;

use serde_json::{Value, json};

use super::methods::{self, Name, Run};
use super::{CompareArgs, out_dir, write};
use crate::datasets::teacher;
use crate::error::Error;
use crate::feedforward::Activation;
use crate::output::report::mean_sd;
use crate::output::write_stdout;
use crate::picture::{self, Labels, Series};

/// The methods of a teacher comparison, in the table's order.
pub const METHODS: [Name; 3] = [Name::Rrr, Name::Implicit, Name::Rmsprop];

/// The implicit paper's settings that `lwl implicit --teacher` documents
/// (λ, μ and sweeps; the paper states none).
const IMPLICIT: [&str; 6] = ["--lambda", "0.001", "--mu", "0.01", "--epochs", "100"];

/// The hidden activation each method's student has: `--activation`, or
/// the method's own (RRR: the zigmoid, the nearest of its sets to tanh;
/// the others: the teacher's tanh); `Err` when the method does not train
/// the given one.
fn student(m: Name, given: Option<Activation>) -> Result<&'static str, String> {
    if !METHODS.contains(&m) {
        return Err(format!("{} is not a teacher method: --teacher compares rrr, implicit and rmsprop", m.as_str()));
    }
    match (m, given) {
        (Name::Rrr, None) => Ok("zigmoid"),
        (_, None) => Ok("tanh"),
        (Name::Rrr, Some(a @ (Activation::Relu | Activation::Step))) => Ok(a.name()),
        (Name::Implicit | Name::Rmsprop, Some(a @ (Activation::Relu | Activation::Tanh))) => Ok(a.name()),
        (_, Some(a)) => Err(format!("{} does not train {} students on the teacher", m.as_str(), a.name())),
    }
}

/// The methods `--methods` names (checked), else every one that trains the
/// given activation.
fn chosen(a: &CompareArgs) -> Result<Vec<Name>, Error> {
    match &a.methods {
        Some(list) => {
            let mut v = list.clone();
            v.sort();
            v.dedup();
            for &m in &v {
                student(m, a.activation).map_err(|why| Error::Usage(format!("--methods {}: {why}", m.as_str())))?;
            }
            Ok(v)
        }
        None => Ok(METHODS.into_iter().filter(|&m| student(m, a.activation).is_ok()).collect()),
    }
}

/// What one method's record of one seed holds: the record's keys of
/// training and test RMSE, GWMs and seconds.
fn keys(m: Name) -> [&'static str; 4] {
    match m {
        Name::Rrr => ["train_rmse", "test_rmse", "gwms", "seconds"],
        Name::Implicit => ["bcd_train_rmse", "bcd_test_rmse", "bcd_gwms", "bcd_seconds"],
        _ => ["rmsprop_train_rmse", "rmsprop_test_rmse", "rmsprop_gwms", "rmsprop_seconds"],
    }
}

/// A seed's final values of `m` from its run's records: `[train RMSE, test
/// RMSE, GWMs, seconds]`, `None` when the run left no record.
fn values(m: Name, run: &Run) -> Option<[f64; 4]> {
    let last = run.records.last()?;
    Some(keys(m).map(|k| last.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN)))
}

/// One method's row: means over seeds (and the test RMSE's sd).
fn row(m: Name, activation: &str, seeds: &[Option<[f64; 4]>], failure: Option<&str>) -> Value {
    let mut r = json!({"method": m.as_str(), "student": activation, "seeds": seeds.len()});
    if let Some(f) = failure {
        r["failed"] = json!(f);
    }
    let got: Vec<[f64; 4]> = seeds.iter().flatten().copied().collect();
    if got.is_empty() {
        return r;
    }
    let col = |i: usize| got.iter().map(|v| v[i]).collect::<Vec<f64>>();
    let (test, sd) = mean_sd(&col(1));
    r["train_rmse"] = json!(mean_sd(&col(0)).0);
    r["test_rmse"] = json!(test);
    r["test_rmse_sd"] = json!(sd);
    r["gwms"] = json!(mean_sd(&col(2)).0);
    r["seconds"] = json!(mean_sd(&col(3)).0);
    r
}

/// The text table of the rows.
fn table(rows: &[Value]) -> String {
    let cell = |v: &Value, key: &str, digits: usize| match v.get(key).and_then(Value::as_f64) {
        Some(x) => format!("{x:.digits$}"),
        None => "-".into(),
    };
    let mut out = format!(
        "{:<10} {:>8} {:>17} {:>10} {:>8} {:>8}\n",
        "method", "student", "test_rmse", "train_rmse", "GWM", "seconds"
    );
    for r in rows {
        let name = r["method"].as_str().unwrap_or("?");
        if r.get("test_rmse").is_none() {
            out += &format!("{name:<10} failed: {}\n", r["failed"].as_str().unwrap_or("no record"));
            continue;
        }
        let test = format!("{} ± {}", cell(r, "test_rmse", 4), cell(r, "test_rmse_sd", 4));
        out += &format!(
            "{name:<10} {:>8} {test:>17} {:>10} {:>8} {:>8}\n",
            r["student"].as_str().unwrap_or("-"),
            cell(r, "train_rmse", 4),
            cell(r, "gwms", 3),
            cell(r, "seconds", 2)
        );
    }
    out
}

/// One method's results: per seed `[train RMSE, test RMSE, GWMs, seconds]`
/// (`None`: no record), and the first failure.
struct Results {
    method: Name,
    seeds: Vec<Option<[f64; 4]>>,
    failure: Option<String>,
}

/// The child command of `m` for `seed` (RRR's, or the implicit one that
/// serves both implicit and rmsprop).
fn command(a: &CompareArgs, m: Name, sizes: &str, seed: u64, threads: usize) -> Vec<String> {
    let mut args: Vec<String> = match m {
        Name::Rrr => vec!["regress".into(), "--threads".into(), threads.to_string()],
        _ => ["implicit", "--teacher"].into_iter().chain(IMPLICIT).map(String::from).collect(),
    };
    args.extend(["--layers".into(), sizes.into(), "--seed".into(), seed.to_string()]);
    if let Some(act) = a.activation {
        args.extend(["--activation".into(), act.name().into()]);
    }
    let mine = |n: Name| if m == Name::Rrr { n == Name::Rrr } else { n != Name::Rrr };
    for (_, extra) in a.with.iter().filter(|(n, _)| mine(*n)) {
        args.extend(extra.iter().cloned());
    }
    args
}

/// Runs the teacher comparison.
pub fn run(a: &CompareArgs, threads: usize) -> Result<(), Error> {
    for (flag, given) in
        [("--gwm", a.gwm.is_some()), ("--epochs", a.epochs.is_some()), ("--target", a.target.is_some())]
    {
        if given {
            return Err(Error::Usage(format!(
                "{flag} compares classifiers; with --teacher give a method's length with --with, e.g. \
                 --with \"rrr: --epochs 40\""
            )));
        }
    }
    let sizes = a.layers.as_ref().map_or(teacher::LAYERS.to_vec(), |l| l.0.clone());
    let (inputs, outputs) = (teacher::LAYERS[0], teacher::LAYERS[teacher::LAYERS.len() - 1]);
    if sizes.len() < 2 || sizes[0] != inputs || sizes[sizes.len() - 1] != outputs {
        return Err(Error::Usage(format!("--layers {sizes:?}: the teacher has {inputs} inputs and {outputs} outputs")));
    }
    let list = sizes.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
    let methods = chosen(a)?;
    let dir = out_dir(a)?;
    let mut per: Vec<Results> =
        methods.iter().map(|&method| Results { method, seeds: Vec::new(), failure: None }).collect();
    let (mut all, mut zero) = (Vec::new(), Vec::new());
    for seed in a.seed..a.seed + a.seeds as u64 {
        // RRR runs alone; one implicit run serves implicit and rmsprop
        let children: Vec<Name> = [Name::Rrr, Name::Implicit]
            .into_iter()
            .filter(|&c| methods.iter().any(|&m| (m == Name::Rrr) == (c == Name::Rrr)))
            .collect();
        for c in children {
            let args = command(a, c, &list, seed, threads);
            eprintln!("lwl compare: seed {seed}: lwl {}", args.join(" "));
            let r = methods::run(&args, None)?;
            if let Some(f) = &r.failure {
                eprintln!("lwl compare: seed {seed}: lwl {} failed: {f}", args[0]);
            }
            if let Some(z) = r.records.last().and_then(|l| l.get("zero_test_rmse")).and_then(Value::as_f64)
                && zero.len() < (seed - a.seed + 1) as usize
            {
                zero.push(z);
            }
            for res in per.iter_mut().filter(|res| (res.method == Name::Rrr) == (c == Name::Rrr)) {
                res.seeds.push(values(res.method, &r));
                if res.failure.is_none() {
                    res.failure.clone_from(&r.failure);
                }
                for rec in &r.records {
                    let mut tagged = rec.clone();
                    tagged["method"] = json!(res.method.as_str());
                    tagged["seed"] = json!(seed);
                    all.push(tagged);
                }
            }
        }
    }
    let mut rows = Vec::new();
    for res in &per {
        let act = student(res.method, a.activation).unwrap_or("-");
        let r = row(res.method, act, &res.seeds, res.failure.as_deref());
        if a.json {
            write_stdout(&format!("{r}\n"))?;
        }
        rows.push(r);
    }
    let (z, z_sd) = mean_sd(&zero);
    if a.json {
        write_stdout(&format!("{}\n", json!({"method": "zero", "test_rmse": z, "test_rmse_sd": z_sd})))?;
    } else {
        write_stdout(&table(&rows))?;
        write_stdout(&format!("{:<10} {:>8} {:>17}\n", "zero", "-", format!("{z:.4} ± {z_sd:.4}")))?;
    }
    if let Some(d) = dir {
        save(&d, a, &sizes, &rows, &per, &all)?;
    }
    if rows.iter().any(|r| r.get("failed").is_some()) {
        return Err(Error::Usage("some runs failed (named above)".into()));
    }
    Ok(())
}

/// Writes `records.jsonl`, `summary.json` and `teacher.png` (each
/// method's test RMSE against the seed).
fn save(
    d: &Path,
    a: &CompareArgs,
    sizes: &[usize],
    rows: &[Value],
    per: &[Results],
    all: &[Value],
) -> Result<(), Error> {
    let lines: String = all.iter().map(|r| format!("{r}\n")).collect();
    write(&d.join("records.jsonl"), lines.as_bytes())?;
    let settings = json!({
        "teacher": true, "layers": sizes, "seeds": a.seeds, "seed": a.seed, "activation": a.activation,
        "with": a.with.iter().map(|(n, f)| json!({"method": n.as_str(), "flags": f})).collect::<Vec<_>>(),
    });
    write(&d.join("summary.json"), format!("{:#}\n", json!({"methods": rows, "settings": settings})).as_bytes())?;
    let curves: Vec<(String, Vec<(f64, f64)>)> = per
        .iter()
        .map(|res| {
            let pts = res.seeds.iter().enumerate().filter_map(|(i, v)| v.map(|v| ((a.seed + i as u64) as f64, v[1])));
            (res.method.as_str().to_string(), pts.collect())
        })
        .collect();
    let series: Vec<Series<'_>> = curves.iter().map(|(n, p)| Series::line(n.clone(), p)).collect();
    let labels = Labels { title: "sparse tanh teacher: test RMSE per trial", x: "seed", y: "test RMSE" };
    let png = d.join("teacher.png");
    write(&png, &picture::plot(&series, &labels).map_err(picture::io_error(&png))?.png_for(&png)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn students_and_rows() {
        assert_eq!(student(Name::Rrr, None), Ok("zigmoid"));
        assert_eq!(student(Name::Rmsprop, Some(Activation::Relu)), Ok("relu"));
        assert!(student(Name::Rrr, Some(Activation::Tanh)).is_err());
        assert!(student(Name::Implicit, Some(Activation::Step)).is_err());
        assert!(student(Name::Adam, None).unwrap_err().contains("not a teacher method"));
        let r = row(Name::Rrr, "zigmoid", &[Some([0.1, 0.2, 1.0, 2.0]), None, Some([0.3, 0.4, 3.0, 4.0])], None);
        assert_eq!(
            (r["train_rmse"].as_f64(), r["gwms"].as_f64(), r["seeds"].as_u64()),
            (Some(0.2), Some(2.0), Some(3))
        );
        assert!((r["test_rmse"].as_f64().unwrap() - 0.3).abs() < 1e-15);
        assert!((r["test_rmse_sd"].as_f64().unwrap() - 0.02f64.sqrt()).abs() < 1e-12);
        let failed = row(Name::Implicit, "tanh", &[None], Some("boom"));
        assert!(table(&[r, failed]).contains("implicit   failed: boom"));
    }
}
