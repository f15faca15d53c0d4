//! Error types shared by the readers, generators and subcommands.

use std::fmt;

/// A malformed input file, located by file name and (when known) line.
///
/// Displays as `FILE:LINE: msg`, or `FILE: msg` when the problem is not tied
/// to one line (an empty file, a missing record at the end, bad encoding).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// The file name as given by the user.
    pub file: String,
    /// 1-based line number, if the problem is on one line.
    pub line: Option<usize>,
    /// What is wrong, in words.
    pub msg: String,
}

impl InputError {
    /// An error on line `line` (1-based) of `file`.
    pub fn at(file: &str, line: usize, msg: impl Into<String>) -> Self {
        Self { file: file.to_owned(), line: Some(line), msg: msg.into() }
    }

    /// An error about `file` as a whole.
    pub fn file(file: &str, msg: impl Into<String>) -> Self {
        Self { file: file.to_owned(), line: None, msg: msg.into() }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.msg),
            None => write!(f, "{}: {}", self.file, self.msg),
        }
    }
}

impl std::error::Error for InputError {}

/// Everything a subcommand can fail with.
#[derive(Debug)]
pub enum Error {
    /// A malformed input file (exit status 2).
    Input(InputError),
    /// Command-line values that are well-formed but unusable, such as a
    /// layer too large to number its edges (exit status 2).
    Usage(String),
    /// Writing an output failed (exit status 1).
    Io {
        /// The file (or `stdout`) being written.
        path: String,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The kernel rejected a network that the runner had validated: a bug
    /// (exit status 1).
    Net(lwl_kernel::graph::NetError),
    /// Standard output was closed by its reader (`lwl … | head`): the run
    /// stops quietly, with exit status 0, its `--out` files as last saved.
    Closed,
}

impl Error {
    /// The process exit status for this error: 2 for bad input or flags,
    /// 1 for failures that are not the user's fault.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) | Error::Usage(_) => 2,
            Error::Io { .. } | Error::Net(_) => 1,
            Error::Closed => 0,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(e) => e.fmt(f),
            Error::Usage(msg) => f.write_str(msg),
            Error::Io { path, source } => write!(f, "{path}: {source}"),
            Error::Net(e) => write!(f, "internal error: the kernel rejected the network ({e:?})"),
            Error::Closed => f.write_str("standard output was closed"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Input(e) => Some(e),
            Error::Io { source, .. } => Some(source),
            Error::Usage(_) | Error::Net(_) | Error::Closed => None,
        }
    }
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_with_and_without_line() {
        assert_eq!(InputError::at("net.txt", 7, "bad").to_string(), "net.txt:7: bad");
        assert_eq!(InputError::file("net.txt", "empty file").to_string(), "net.txt: empty file");
    }

    #[test]
    fn exit_codes() {
        assert_eq!(Error::from(InputError::file("f", "x")).exit_code(), 2);
        assert_eq!(Error::Usage("x".into()).exit_code(), 2);
        let io = std::io::Error::other("disk full");
        assert_eq!(Error::Io { path: "f".into(), source: io }.exit_code(), 1);
    }
}
