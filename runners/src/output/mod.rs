//! Writing results: atomically to files, or to standard output; the
//! records of a run ([`report`]) and its checkpoints ([`checkpoint`]).

pub mod checkpoint;
pub mod report;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::engine::ranks;
use crate::error::Error;

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), source }
}

/// A temporary file next to `path` (same directory, so renaming is atomic),
/// created exclusively so that it clobbers nothing.
fn create_temp(path: &Path) -> Result<(PathBuf, File), Error> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("output path '{}' does not name a file", path.display())))?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{pid}.{attempt}.tmp"));
        let temp = dir.join(temp_name);
        match File::options().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_error(path, e)),
        }
    }
    Err(io_error(path, std::io::Error::other("cannot create a temporary file")))
}

fn write_temp(path: &Path, contents: &[u8]) -> Result<PathBuf, Error> {
    let (temp, mut file) = create_temp(path)?;
    match file.write_all(contents).and_then(|()| file.sync_all()) {
        Ok(()) => Ok(temp),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(io_error(path, e))
        }
    }
}

/// Writes every `(path, contents)` pair so that each file either keeps its
/// old contents or gets the complete new contents: all data go to temporary
/// files in the target directories first, and only when all of them are
/// written are they renamed over the targets.
///
/// In an MPI job only rank 0 writes ([`crate::engine::ranks`]); the others
/// return `Ok` at once (likewise [`check_writable`] and [`write_stdout`]).
pub fn write_files(files: &[(&Path, &[u8])]) -> Result<(), Error> {
    if !ranks::writes() {
        return Ok(());
    }
    let mut temps: Vec<PathBuf> = Vec::with_capacity(files.len());
    for &(path, contents) in files {
        match write_temp(path, contents) {
            Ok(temp) => temps.push(temp),
            Err(e) => {
                for t in &temps {
                    let _ = fs::remove_file(t);
                }
                return Err(e);
            }
        }
    }
    for (i, (&(path, _), temp)) in files.iter().zip(&temps).enumerate() {
        if let Err(e) = fs::rename(temp, path) {
            for t in &temps[i..] {
                let _ = fs::remove_file(t);
            }
            return Err(io_error(path, e));
        }
    }
    Ok(())
}

/// Writes an RRR_err series to `path`, one value per line with 17
/// significant digits (`--err-series`).
pub fn write_series(path: &Path, series: &[f64]) -> Result<(), Error> {
    let text: String = series.iter().map(|e| format!("{e:.16e}\n")).collect();
    write_files(&[(path, text.as_bytes())])
}

/// Creates (or empties) `path` now, so that an `--err-series` that cannot
/// be written is refused before the run instead of after it.
pub fn check_writable(path: &Path) -> Result<(), Error> {
    if !ranks::writes() {
        return Ok(());
    }
    fs::File::create(path).map(drop).map_err(|e| io_error(path, e))
}

/// Writes `text` to standard output and flushes it: [`Error::Closed`] when
/// the reader has gone (a closed pipe), [`Error::Io`] for any other failure
/// (a full disk behind `> file`).
pub fn write_stdout(text: &str) -> Result<(), Error> {
    if !ranks::writes() {
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).map_err(|source| match source.kind() {
        std::io::ErrorKind::BrokenPipe => Error::Closed,
        _ => Error::Io { path: "standard output".into(), source },
    })
}

/// Writes `text` atomically to `out`, or to standard output when `out` is
/// `None`. A closed pipe on standard output (`lwl ... | head`) is not an
/// error.
pub fn emit(out: Option<&Path>, text: &str) -> Result<(), Error> {
    match out {
        Some(path) => write_files(&[(path, text.as_bytes())]),
        None => match write_stdout(text) {
            Err(Error::Closed) => Ok(()),
            r => r,
        },
    }
}
