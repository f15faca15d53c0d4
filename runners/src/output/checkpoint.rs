//! Checkpoints: what `--out DIR` keeps after every epoch and `--resume DIR`
//! (and `lwl generate --model DIR`) reads back, for every command.
//!
//! A checkpoint is the command's files (`params.txt`, `net.txt`, pictures,
//! …) and `progress.json`, its manifest: the command that wrote it, the
//! checkpoint [`FORMAT`] (bumped only when the layout changes), the list of
//! its files, the counters (`epoch`, `iters`, `weight_multiplies`,
//! `seconds`), the `seed`, the error `history` and the command's
//! hyperparameters.
//!
//! A checkpoint is written as one unit: every file is first written (and
//! synced) into `DIR/.staging/`, then a marker `DIR/.staging/COMPLETE`, then
//! the files are renamed into `DIR` with the manifest last, the directory is
//! synced and the staging folder removed. A process killed before the
//! marker leaves the previous checkpoint as it was (the half-written
//! staging folder is removed by the next run that opens `DIR`); killed
//! after it, the next run completes the renames. Either way a resume reads
//! one whole checkpoint.
//!
//! Directories written before the manifest had a command and a format
//! (format 0) are read when they hold the command's own marker file.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::{Error, InputError};
use crate::formats::datafile::read_text_file;

/// The checkpoint format this build writes and reads.
pub const FORMAT: u64 = 1;

/// Name of the manifest.
pub const MANIFEST: &str = "progress.json";

const STAGING: &str = ".staging";
const COMPLETE: &str = "COMPLETE";

/// Largest epoch count a checkpoint may claim.
const MAX_EPOCH: u64 = 1 << 40;

/// The counters and records of a checkpoint.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    /// The last epoch finished.
    pub epoch: usize,
    /// RRR iterations so far.
    pub iters: u64,
    /// Weight-multiplies so far.
    pub weight_multiplies: u64,
    /// Seconds of training so far.
    pub seconds: f64,
    /// The run's seed.
    pub seed: Option<u64>,
    /// Per epoch: the epoch and the errors the command plots.
    pub history: Vec<Vec<f64>>,
    /// The whole manifest, for the command's own keys.
    pub record: Value,
}

impl Progress {
    /// A number the manifest holds under `key`.
    pub fn f64(&self, key: &str) -> Option<f64> {
        self.record.get(key).and_then(Value::as_f64)
    }

    /// A count the manifest holds under `key`.
    pub fn usize(&self, key: &str) -> Option<usize> {
        self.record.get(key).and_then(Value::as_u64).and_then(|v| usize::try_from(v).ok())
    }

    /// A string the manifest holds under `key`.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.record.get(key).and_then(Value::as_str)
    }
}

/// The file a format-0 directory of `command` always holds.
fn legacy_marker(command: &str) -> &'static str {
    match command {
        "classify" => "compromised.txt",
        "nmf" => "W.txt",
        "autoencode" => "ide.txt",
        _ => "fp.png",
    }
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), source }
}

/// Completes or discards an interrupted write in `dir` (see the module
/// comment).
fn recover(dir: &Path) -> Result<(), Error> {
    let staging = dir.join(STAGING);
    if !staging.is_dir() {
        return Ok(());
    }
    if staging.join(COMPLETE).is_file() {
        let names = fs::read_to_string(staging.join(COMPLETE)).map_err(|e| io(&staging, e))?;
        for name in names.lines().filter(|n| !n.is_empty()) {
            let from = staging.join(name);
            if from.is_file() {
                fs::rename(&from, dir.join(name)).map_err(|e| io(&from, e))?;
            }
        }
    }
    fs::remove_dir_all(&staging).map_err(|e| io(&staging, e))
}

/// Reads the checkpoint of `command` in `dir`, refusing one written by
/// another command or format, or a manifest whose counters are not what
/// the command wrote.
pub fn read(dir: &Path, command: &str) -> Result<Progress, Error> {
    recover(dir)?;
    let path = dir.join(MANIFEST);
    let name = path.display().to_string();
    let bad = |msg: String| -> Error { InputError::file(&name, msg).into() };
    let record: Value = serde_json::from_str(&read_text_file(&path)?).map_err(|e| bad(e.to_string()))?;
    if !record.is_object() {
        return Err(bad("is not a JSON object".into()));
    }
    match (record.get("format").map(|f| f.as_u64()), record.get("command").and_then(Value::as_str)) {
        (None, _) if dir.join(legacy_marker(command)).is_file() => {}
        (None, _) => return Err(bad(format!("is not a checkpoint of lwl {command} (no command, no format)"))),
        (Some(Some(FORMAT)), Some(c)) if c == command => {}
        (Some(Some(FORMAT)), Some(c)) => {
            return Err(bad(format!("is a checkpoint of lwl {c}, not of lwl {command}")));
        }
        (Some(f), _) => {
            return Err(bad(format!(
                "has checkpoint format {}; this lwl reads format {FORMAT}",
                f.map_or("(not a number)".to_string(), |f| f.to_string())
            )));
        }
    }
    let count = |key: &str| -> Result<u64, Error> {
        match record.get(key) {
            Some(v) => v.as_u64().ok_or_else(|| bad(format!("{key} is {v}, not a count"))),
            None => Err(bad(format!("has no {key}"))),
        }
    };
    let epoch = count("epoch")?;
    if epoch > MAX_EPOCH {
        return Err(bad(format!("epoch {epoch} is more than any run makes")));
    }
    let (iters, weight_multiplies) = (count("iters")?, count("weight_multiplies")?);
    let seconds = record.get("seconds").and_then(Value::as_f64).filter(|s| *s >= 0.0 && s.is_finite());
    let seconds = seconds.ok_or_else(|| bad("has no non-negative seconds".into()))?;
    let seed = Some(count("seed")?);
    let history = match record.get("history") {
        None => Vec::new(),
        Some(Value::Array(rows)) => rows
            .iter()
            .map(|r| match r {
                Value::Array(v) => Ok(v.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()),
                other => Err(bad(format!("history holds {other}, not a row of numbers"))),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => return Err(bad(format!("history is {other}, not a list"))),
    };
    Ok(Progress { epoch: epoch as usize, iters, weight_multiplies, seconds, seed, history, record })
}

/// Prepares `dir` for the checkpoints of a run: creates it, finishes an
/// interrupted write, and refuses a directory that holds anything (another
/// run's checkpoint, other files) unless it is the directory being resumed
/// or `force` is given.
/// In an MPI job only rank 0 prepares and writes checkpoints.
pub fn prepare(dir: &Path, resumed: Option<&Path>, force: bool) -> Result<(), Error> {
    if !crate::engine::ranks::writes() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    recover(dir)?;
    let same = |r: &Path| fs::canonicalize(r).ok().zip(fs::canonicalize(dir).ok()).is_some_and(|(a, b)| a == b);
    if force || resumed.is_some_and(same) {
        return Ok(());
    }
    let entries: Vec<String> = fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if entries.is_empty() {
        return Ok(());
    }
    let what = match fs::read_to_string(dir.join(MANIFEST)).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok()) {
        Some(v) => format!(
            "a checkpoint of lwl {} at epoch {}",
            v.get("command").and_then(Value::as_str).unwrap_or("(an earlier version)"),
            v.get("epoch").map_or("?".to_string(), Value::to_string)
        ),
        None => crate::formats::text::plural(entries.len(), "other file", "other files"),
    };
    Err(Error::Usage(format!(
        "--out {}: the directory holds {what}; continue it with --resume, choose another directory, or \
         give --force to write over it",
        dir.display()
    )))
}

/// Writes one checkpoint of `command` into `dir` as one unit: `files`
/// (names inside `dir`, contents) and the manifest `progress` (an object;
/// `command`, `format` and `files` are added).
pub fn write(dir: &Path, command: &str, files: &[(&str, Vec<u8>)], progress: &Value) -> Result<(), Error> {
    if !crate::engine::ranks::writes() {
        return Ok(());
    }
    let staging = dir.join(STAGING);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| io(&staging, e))?;
    }
    fs::create_dir(&staging).map_err(|e| io(&staging, e))?;
    let mut manifest = progress.clone();
    manifest["command"] = json!(command);
    manifest["format"] = json!(FORMAT);
    manifest["files"] = json!(files.iter().map(|(n, _)| *n).collect::<Vec<_>>());
    let manifest = manifest.to_string().into_bytes();
    let all: Vec<(&str, &[u8])> =
        files.iter().map(|(n, b)| (*n, b.as_slice())).chain([(MANIFEST, manifest.as_slice())]).collect();
    let put = |path: PathBuf, bytes: &[u8]| -> Result<(), Error> {
        fs::write(&path, bytes).map_err(|e| io(&path, e))?;
        fs::File::open(&path).and_then(|f| f.sync_all()).map_err(|e| io(&path, e))
    };
    for (name, bytes) in &all {
        put(staging.join(name), bytes)?;
    }
    let names: String = all.iter().map(|(n, _)| format!("{n}\n")).collect();
    put(staging.join(COMPLETE), names.as_bytes())?;
    recover(dir)?;
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io(dir, e))
}

/// One setting of a resumed run (`saved`, the manifest's `hyper` object,
/// under the flag's name): the saved value, unless the flag was given
/// (`given`) with another, which is refused.
pub fn setting<T: Serialize + DeserializeOwned + PartialEq>(
    key: &str,
    cur: &mut T,
    given: &[String],
    saved: &Value,
    file: &str,
) -> Result<(), Error> {
    let Some(v) = saved.get(key) else {
        return Ok(());
    };
    let old: T =
        serde_json::from_value(v.clone()).map_err(|e| InputError::file(file, format!("hyper.{key} is {v}: {e}")))?;
    if given.iter().any(|g| g == key) && *cur != old {
        return Err(Error::Usage(format!(
            "--{} {} contradicts the resumed run's {v} ({file}); leave the flag out to continue it",
            key.replace('_', "-"),
            serde_json::to_value(&*cur).unwrap_or(Value::Null)
        )));
    }
    *cur = old;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("lwl-checkpoint-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn progress(epoch: u64) -> Value {
        json!({"epoch": epoch, "iters": 10, "weight_multiplies": 99, "seconds": 1.5, "seed": 7, "history": [[1.0, 0.5]]})
    }

    #[test]
    fn written_checkpoints_read_back_and_other_commands_are_refused() {
        let d = scratch("roundtrip");
        write(&d, "nmf", &[("W.txt", b"1 2\n".to_vec())], &progress(3)).unwrap();
        let p = read(&d, "nmf").unwrap();
        assert_eq!((p.epoch, p.iters, p.weight_multiplies, p.seed), (3, 10, 99, Some(7)));
        assert_eq!(p.history, vec![vec![1.0, 0.5]]);
        assert_eq!(fs::read(d.join("W.txt")).unwrap(), b"1 2\n");
        assert!(!d.join(STAGING).exists());
        let e = read(&d, "classify").unwrap_err().to_string();
        assert!(e.contains("is a checkpoint of lwl nmf, not of lwl classify"), "{e}");
        let mut v = progress(3);
        v["command"] = json!("nmf");
        v["format"] = json!(FORMAT + 1);
        fs::write(d.join(MANIFEST), v.to_string()).unwrap();
        assert!(read(&d, "nmf").unwrap_err().to_string().contains("format 2"));
    }

    #[test]
    fn corrupt_manifests_are_refused() {
        let d = scratch("corrupt");
        fs::write(d.join("W.txt"), "").unwrap();
        for (text, needle) in [
            ("{}", "has no epoch"),
            ("[1]", "not a JSON object"),
            (r#"{"epoch": 1, "iters": 1, "weight_multiplies": 1, "seconds": 0, "seed": "x"}"#, "seed is \"x\""),
            (
                r#"{"epoch": 18446744073709551615, "iters": 1, "weight_multiplies": 1, "seconds": 0, "seed": 1}"#,
                "epoch",
            ),
            (r#"{"epoch": -1, "iters": 1, "weight_multiplies": 1, "seconds": 0, "seed": 1}"#, "not a count"),
            (r#"{"epoch": 1, "iters": 1, "weight_multiplies": 1, "seconds": -3, "seed": 1}"#, "seconds"),
        ] {
            fs::write(d.join(MANIFEST), text).unwrap();
            let e = read(&d, "nmf").unwrap_err().to_string();
            assert!(e.contains(needle), "{text}: {e}");
        }
        // format 0 is read only where the command's marker file is
        fs::write(d.join(MANIFEST), progress(2).to_string()).unwrap();
        assert_eq!(read(&d, "nmf").unwrap().epoch, 2);
        assert!(read(&d, "autoencode").unwrap_err().to_string().contains("not a checkpoint of lwl autoencode"));
    }

    #[test]
    fn an_interrupted_write_leaves_one_whole_checkpoint() {
        let d = scratch("interrupted");
        write(&d, "nmf", &[("W.txt", b"old".to_vec())], &progress(1)).unwrap();
        // killed before the marker: the staged files are dropped
        fs::create_dir(d.join(STAGING)).unwrap();
        fs::write(d.join(STAGING).join("W.txt"), "new").unwrap();
        assert_eq!(read(&d, "nmf").unwrap().epoch, 1);
        assert_eq!(fs::read(d.join("W.txt")).unwrap(), b"old");
        assert!(!d.join(STAGING).exists());
        // killed after the marker: the renames are completed
        fs::create_dir(d.join(STAGING)).unwrap();
        fs::write(d.join(STAGING).join("W.txt"), "new").unwrap();
        let mut v = progress(2);
        v["command"] = json!("nmf");
        v["format"] = json!(FORMAT);
        fs::write(d.join(STAGING).join(MANIFEST), v.to_string()).unwrap();
        fs::write(d.join(STAGING).join(COMPLETE), "W.txt\nprogress.json\n").unwrap();
        assert_eq!(read(&d, "nmf").unwrap().epoch, 2);
        assert_eq!(fs::read(d.join("W.txt")).unwrap(), b"new");
    }

    #[test]
    fn a_used_directory_is_refused_unless_resumed_or_forced() {
        let d = scratch("prepare");
        prepare(&d, None, false).unwrap();
        write(&d, "classify", &[("compromised.txt", Vec::new())], &progress(4)).unwrap();
        let e = prepare(&d, None, false).unwrap_err().to_string();
        assert!(e.contains("a checkpoint of lwl classify at epoch 4"), "{e}");
        prepare(&d, Some(&d), false).unwrap();
        prepare(&d, None, true).unwrap();
        let other = scratch("prepare-files");
        fs::write(other.join("notes.txt"), "mine").unwrap();
        assert!(prepare(&other, None, false).unwrap_err().to_string().contains("1 other file"));
    }
}
