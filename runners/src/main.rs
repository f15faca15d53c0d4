//! The `lwl` binary: parses the command line and dispatches to one function
//! per subcommand.

use std::process::ExitCode;

use lwl_runners::cli::{self, Command, DataCommand, NetCommand};
use lwl_runners::{autoencode, classify, cmd_bench, cmd_data, cmd_net, cmd_nmf, cpu, generate};

fn main() -> ExitCode {
    if let Err(msg) = cpu::check() {
        eprintln!("lwl: {msg}");
        return ExitCode::from(2);
    }
    let cli = cli::parse();
    let result = match &cli.command {
        Command::Net(NetCommand::Complete(args)) => cmd_net::complete(args),
        Command::Net(NetCommand::Auto(args)) => cmd_net::auto(args),
        Command::Net(NetCommand::Check(args)) => cmd_net::check(args),
        Command::Data(DataCommand::Ledm(args)) => cmd_data::ledm(args),
        Command::Data(DataCommand::Majority(args)) => cmd_data::majority(args),
        Command::Data(DataCommand::Montage(args)) => cmd_data::montage(args),
        Command::Bench(args) => cmd_bench::run(args),
        Command::Classify(args) => classify::run(args),
        Command::Predict(args) => classify::predict(args),
        Command::Nmf(args) => cmd_nmf::run(args),
        Command::Autoencode(args) => autoencode::run(args),
        Command::Generate(args) => generate::run(args),
    };
    match result {
        Ok(()) | Err(lwl_runners::error::Error::Closed) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lwl: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
