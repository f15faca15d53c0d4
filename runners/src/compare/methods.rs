//! The methods `lwl compare` runs: which command each is, with which
//! flags, what its records call the counter and the constraint gap; and one
//! run of a method as a child process of this program, its JSON records
//! read as they come (and the child stopped at a work budget).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use clap::ValueEnum;
use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::feedforward::Activation;

/// A method of `--methods`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Name {
    /// RRR (`lwl classify`).
    Rrr,
    /// Lifted training, quadratic penalty (`lwl lifted --penalty quadratic`).
    LiftedQuadratic,
    /// Lifted training, Bregman penalty (`lwl lifted --penalty bregman`).
    LiftedBregman,
    /// Implicit-model BCD on the layered net (`lwl implicit --layers`).
    Implicit,
    /// The local propagation learner (`lwl localprop`), where the net fits.
    Localprop,
    /// Taylor et al.'s ADMM (`lwl admm --method admm`).
    Admm,
    /// Zeng et al.'s BCD (`lwl admm --method bcd`).
    Bcd,
    /// Back-propagation, SGD with Nesterov momentum, learning rate 0.01.
    Sgd,
    /// Back-propagation, Adam.
    Adam,
    /// Back-propagation, RMSProp (by request; with --teacher, the implicit
    /// paper's baseline).
    Rmsprop,
}

/// How a method runs and what its records hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The subcommand and its fixed flags.
    pub command: &'static [&'static str],
    /// The flag of the run's length.
    pub length: &'static str,
    /// The record key of the constraint gap (`None`: a gradient method).
    pub gap: Option<&'static str>,
    /// Whether the command takes `--threads`.
    pub threads: bool,
}

impl Name {
    /// Every method of a classifier comparison by default, in the table's
    /// order (RMSProp runs when --methods names it).
    pub const ALL: [Name; 9] = [
        Name::Rrr,
        Name::LiftedQuadratic,
        Name::LiftedBregman,
        Name::Implicit,
        Name::Localprop,
        Name::Admm,
        Name::Bcd,
        Name::Sgd,
        Name::Adam,
    ];

    /// The name `--methods` and the records use.
    pub fn as_str(self) -> &'static str {
        match self {
            Name::Rrr => "rrr",
            Name::LiftedQuadratic => "lifted-quadratic",
            Name::LiftedBregman => "lifted-bregman",
            Name::Implicit => "implicit",
            Name::Localprop => "localprop",
            Name::Admm => "admm",
            Name::Bcd => "bcd",
            Name::Sgd => "sgd",
            Name::Adam => "adam",
            Name::Rmsprop => "rmsprop",
        }
    }

    /// How the method runs.
    pub fn spec(self) -> Spec {
        let s = |command, gap, threads| Spec { command, length: "--epochs", gap, threads };
        match self {
            Name::Rrr => s(&["classify"], Some("rrr_err"), true),
            Name::LiftedQuadratic => s(&["lifted", "--penalty", "quadratic"], Some("penalty"), true),
            Name::LiftedBregman => s(&["lifted", "--penalty", "bregman"], Some("penalty"), true),
            Name::Implicit => s(&["implicit"], Some("divergence"), false),
            Name::Localprop => Spec { command: &["localprop"], length: "--iter", gap: Some("goal_err"), threads: true },
            Name::Admm => s(&["admm", "--method", "admm"], Some("residual"), false),
            Name::Bcd => s(&["admm", "--method", "bcd"], Some("residual"), false),
            Name::Sgd => s(&["sgd", "--optimizer", "sgd", "--lr", "0.01"], None, false),
            Name::Adam => s(&["sgd", "--optimizer", "adam"], None, false),
            Name::Rmsprop => s(&["sgd", "--optimizer", "rmsprop"], None, false),
        }
    }

    /// The hidden activations the method trains.
    pub fn activations(self) -> &'static [Activation] {
        use Activation::{Relu, Step, Tanh};
        match self {
            Name::Rrr => &[Relu, Step],
            Name::LiftedQuadratic | Name::Implicit => &[Relu, Tanh],
            Name::LiftedBregman | Name::Sgd | Name::Adam | Name::Rmsprop => &[Relu, Tanh, Step],
            // the sNT is its own activation; it runs in the default comparison
            Name::Localprop | Name::Admm | Name::Bcd => &[Relu],
        }
    }

    /// Whether the method trains the layered net of `sizes` with hidden
    /// activation `act`; `Err` says why not.
    pub fn fits(self, sizes: &[usize], act: Activation) -> Result<(), String> {
        let hidden = &sizes[1..sizes.len() - 1];
        if !self.activations().contains(&act) {
            let names: Vec<&str> = self.activations().iter().map(|a| a.name()).collect();
            return Err(format!("{} trains {} nets, not {}", self.as_str(), names.join(" or "), act.name()));
        }
        match self {
            Name::Localprop if hidden.is_empty() || hidden.iter().any(|&h| h != sizes[0]) => Err(format!(
                "localprop trains chains of square nodes: every hidden layer as wide as the input ({}), not {:?}",
                sizes[0], hidden
            )),
            _ => Ok(()),
        }
    }

    /// The flags that give the method the net of `sizes` with hidden
    /// activation `act` (`net` is the layered net file RRR reads).
    pub fn net_flags(self, sizes: &[usize], net: &Path, act: Activation) -> Vec<String> {
        let list = sizes.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
        let mut v = match self {
            Name::Rrr => vec!["--net".into(), net.display().to_string()],
            Name::Localprop => vec!["--nodes".into(), (sizes.len() - 2).to_string()],
            _ => vec!["--layers".into(), list],
        };
        if act != Activation::Relu {
            v.extend(["--activation".into(), act.name().into()]);
        }
        v
    }
}

/// The records of one run and why it ended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Run {
    /// Every record but the closing one.
    pub records: Vec<Value>,
    /// Standard error's last line when the command failed.
    pub failure: Option<String>,
}

/// Runs `lwl ARGS --json` as a child of this program; with `budget` stops
/// it at its first record whose `gwms` reaches the budget.
pub fn run(args: &[String], budget: Option<f64>) -> Result<Run, Error> {
    let exe = std::env::current_exe().map_err(|e| Error::Io { path: "the lwl program".into(), source: e })?;
    let mut child = Command::new(&exe)
        .args(args)
        .arg("--json")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Io { path: exe.display().to_string(), source: e })?;
    let mut out = Run::default();
    let mut stopped = false;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(rec) = serde_json::from_str::<Value>(&line) else { continue };
            if rec.get("final").is_some() {
                continue;
            }
            let reached = budget.is_some_and(|b| rec["gwms"].as_f64().is_some_and(|g| g >= b));
            out.records.push(rec);
            if reached {
                stopped = true;
                let _ = child.kill();
                break;
            }
        }
    }
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    let status = child.wait().map_err(|e| Error::Io { path: exe.display().to_string(), source: e })?;
    if !stopped && !status.success() {
        let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        out.failure = Some(format!("{} ({status})", last.trim()));
    }
    Ok(out)
}
