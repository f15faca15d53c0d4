//! Runners for Learning Without Loss: file formats, data generators and the
//! subcommands of the `lwl` binary. The numerical work is in `lwl-kernel`.

pub mod autoencode;
pub mod check;
pub mod checkpoint;
pub mod classify;
pub mod cli;
pub mod cmd_bench;
pub mod cmd_data;
pub mod cmd_net;
pub mod cmd_nmf;
pub mod cpu;
pub mod data;
pub mod datafile;
pub mod encoder;
pub mod engine;
pub mod error;
pub mod generate;
pub mod netfile;
pub mod netinit;
pub mod nmf_train;
pub mod output;
pub mod parallel;
pub mod paramfile;
pub mod picture;
pub mod report;
mod text;
