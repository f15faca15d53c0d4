//! The `lwl` binary: parses the command line and dispatches to each
//! command's `run`.

use std::process::ExitCode;

use lwl_runners::cli::{self, Command};
use lwl_runners::data::DataCommand;
use lwl_runners::engine::{cpu, ranks};
use lwl_runners::net::NetCommand;
use lwl_runners::{
    admm, autoencode, bench, classify, compare, data, generate, implicit, lifted, localprop, net, nmf, predict,
    regress, sgd,
};

fn main() -> ExitCode {
    if let Err(msg) = cpu::check() {
        eprintln!("lwl: {msg}");
        return ExitCode::from(2);
    }
    let _mpi = ranks::start();
    let cli = cli::parse();
    // every rank of an MPI job must run the same command line
    let argv = std::env::args_os().skip(1).flat_map(|a| a.into_encoded_bytes().into_iter().chain([0]));
    if let Err(e) = ranks::same("flags", ranks::digest(argv.map(u64::from))) {
        if ranks::writes() {
            ranks::say(&format!("lwl: {e}"));
        }
        return ExitCode::from(2);
    }
    let result = match &cli.command {
        Command::Net(NetCommand::Complete(args)) => net::complete(args),
        Command::Net(NetCommand::Auto(args)) => net::auto(args),
        Command::Net(NetCommand::Implicit(args)) => net::implicit(args),
        Command::Net(NetCommand::Check(args)) => net::check(args),
        Command::Data(DataCommand::Ledm(args)) => data::ledm(args),
        Command::Data(DataCommand::Majority(args)) => data::majority(args),
        Command::Data(DataCommand::Montage(args)) => data::montage(args),
        Command::Bench(args) => bench::run(args),
        Command::Classify(args) => classify::run(args),
        Command::Predict(args) => predict::run(args),
        Command::Regress(args) => regress::run(args),
        Command::Nmf(args) => nmf::run(args),
        Command::Autoencode(args) => autoencode::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Lifted(args) => lifted::run(args),
        Command::Admm(args) => admm::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Sgd(args) => sgd::run(args),
        Command::Implicit(args) => implicit::run(args),
        Command::Localprop(args) => localprop::run(args),
    };
    match result {
        Ok(()) | Err(lwl_runners::error::Error::Closed) => ExitCode::SUCCESS,
        Err(e) => {
            match ranks::world() {
                w if w.rank > 0 => ranks::say(&format!("lwl (rank {} of {}): {e}", w.rank, w.size)),
                _ => ranks::say(&format!("lwl: {e}")),
            }
            ranks::abort(e.exit_code());
            ExitCode::from(e.exit_code())
        }
    }
}
