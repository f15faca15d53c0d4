//! What `lwl compare` reports of a method's runs: the last record of every
//! seed averaged, the constraint gap and exact feasibility, and the first
//! record at a target test error.

use serde_json::{Value, json};

use super::methods::{Name, Run};

/// A constraint gap at or below this counts as met exactly.
pub const FEASIBLE_GAP: f64 = 1e-6;

pub use crate::output::report::mean_sd;

fn num(r: &Value, key: &str) -> Option<f64> {
    r.get(key).and_then(Value::as_f64)
}

/// The summary of `runs` (one per seed) of method `name`; `target` is
/// `--target`.
pub fn summarise(name: Name, runs: &[Run], target: Option<f64>) -> Value {
    let failed: Vec<&str> = runs.iter().filter_map(|r| r.failure.as_deref()).collect();
    let lasts: Vec<&Value> = runs.iter().filter_map(|r| r.records.last()).collect();
    let mut s = json!({ "method": name.as_str(), "seeds": runs.len() });
    if let Some(f) = failed.first() {
        s["failed"] = json!(f);
    }
    if lasts.is_empty() {
        return s;
    }
    let column = |key: &str| -> Vec<f64> { lasts.iter().filter_map(|r| num(r, key)).collect() };
    let (test, test_sd) = mean_sd(&column("test_err"));
    s["test_err"] = json!(test);
    s["test_err_sd"] = json!(test_sd);
    for key in ["train_err", "gwms", "seconds"] {
        s[key] = json!(mean_sd(&column(key)).0);
    }
    s["feasible"] = match name.spec().gap {
        None => Value::Null,
        Some(key) => {
            let gaps = column(key);
            s["gap"] = json!(mean_sd(&gaps).0);
            s["gap_name"] = json!(key);
            let exact = gaps.len() == lasts.len()
                && lasts.iter().zip(&gaps).all(|(r, g)| *g <= FEASIBLE_GAP && num(r, "train_err") == Some(0.0));
            json!(exact && failed.is_empty())
        }
    };
    if let Some(e) = target {
        let hits: Vec<&Value> =
            runs.iter().filter_map(|r| r.records.iter().find(|x| num(x, "test_err").is_some_and(|t| t <= e))).collect();
        let mean = |key: &str| {
            let v: Vec<f64> = hits.iter().filter_map(|r| num(r, key)).collect();
            if v.is_empty() { Value::Null } else { json!(mean_sd(&v).0) }
        };
        s["target_gwms"] = mean("gwms");
        s["target_seconds"] = mean("seconds");
        s["target_reached"] = json!(hits.len());
    }
    s
}

/// The text table of the summaries.
pub fn table(rows: &[Value], target: Option<f64>) -> String {
    let cell = |v: &Value, key: &str, digits: usize| match v.get(key).and_then(Value::as_f64) {
        Some(x) => format!("{x:.digits$}"),
        None => "-".into(),
    };
    let mut head = vec![
        format!("{:<17}", "method"),
        format!("{:>17}", "test_err"),
        format!("{:>9}", "train_err"),
        format!("{:>10}", "GWM"),
        format!("{:>9}", "seconds"),
        format!("{:>11}", "gap"),
        format!("{:>8}", "feasible"),
    ];
    if let Some(e) = target {
        head.push(format!("{:>22}", format!("GWM, s to test_err {e}")));
    }
    let mut out = head.join(" ") + "\n";
    for r in rows {
        let name = r["method"].as_str().unwrap_or("?");
        if let Some(f) = r.get("failed").and_then(Value::as_str)
            && r.get("test_err").is_none()
        {
            out += &format!("{name:<17} failed: {f}\n");
            continue;
        }
        let test = format!("{} ± {}", cell(r, "test_err", 4), cell(r, "test_err_sd", 4));
        let gap = match (r.get("gap").and_then(Value::as_f64), r.get("gap_name").and_then(Value::as_str)) {
            (Some(g), Some(_)) => format!("{g:.3e}"),
            _ => "-".into(),
        };
        let feasible = match r.get("feasible") {
            Some(Value::Bool(true)) => "yes",
            Some(Value::Bool(false)) => "no",
            _ => "-",
        };
        let mut row = vec![
            format!("{name:<17}"),
            format!("{test:>17}"),
            format!("{:>9}", cell(r, "train_err", 4)),
            format!("{:>10}", cell(r, "gwms", 3)),
            format!("{:>9}", cell(r, "seconds", 1)),
            format!("{gap:>11}"),
            format!("{feasible:>8}"),
        ];
        if target.is_some() {
            let reached = r.get("target_reached").and_then(Value::as_u64).unwrap_or(0);
            let seeds = r.get("seeds").and_then(Value::as_u64).unwrap_or(0);
            let t = if reached == 0 {
                format!("not reached (0/{seeds})")
            } else {
                format!("{}, {} ({reached}/{seeds})", cell(r, "target_gwms", 3), cell(r, "target_seconds", 1))
            };
            row.push(format!("{t:>22}"));
        }
        out += &(row.join(" ") + "\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(recs: &[(f64, f64, f64, f64)]) -> Run {
        let records = recs
            .iter()
            .map(|&(gwms, test, train, gap)| {
                json!({"gwms": gwms, "test_err": test, "train_err": train, "seconds": gwms * 2.0, "rrr_err": gap})
            })
            .collect();
        Run { records, failure: None }
    }

    #[test]
    fn means_feasibility_and_targets() {
        let a = run(&[(1.0, 0.3, 0.2, 0.1), (2.0, 0.1, 0.0, 0.0)]);
        let b = run(&[(1.0, 0.2, 0.1, 0.1), (2.0, 0.3, 0.0, 1e-7)]);
        let s = summarise(Name::Rrr, &[a.clone(), b.clone()], Some(0.2));
        assert!((s["test_err"].as_f64().unwrap() - 0.2).abs() < 1e-15);
        assert!((s["test_err_sd"].as_f64().unwrap() - 0.02f64.sqrt()).abs() < 1e-12);
        assert_eq!(s["feasible"], true);
        assert_eq!(s["target_reached"], 2);
        // seed a reaches 0.2 at 2 GWM, seed b at 1 GWM
        assert_eq!(s["target_gwms"], 1.5);
        assert_eq!(s["target_seconds"], 3.0);
        let c = run(&[(2.0, 0.3, 0.01, 0.0)]);
        let s = summarise(Name::Rrr, &[a.clone(), c], Some(0.05));
        assert_eq!((s["feasible"].clone(), s["target_reached"].clone()), (json!(false), json!(0)));
        assert!(table(&[s], Some(0.05)).contains("not reached (0/2)"));
        // a gradient method has no feasibility; a failed run is named
        let failed = Run { records: vec![], failure: Some("boom".into()) };
        let s = summarise(Name::Adam, &[a, failed], None);
        assert_eq!(s["feasible"], Value::Null);
        assert_eq!(s["failed"], "boom");
        assert_eq!(mean_sd(&[1.0]), (1.0, 0.0));
    }
}
