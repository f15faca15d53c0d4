//! Runners for Learning Without Loss: the subcommands of the `lwl` binary,
//! their file formats, data generators and output. The numerical work is in
//! `lwl-kernel`.
//!
//! One folder per command (`classify`, `predict`, `nmf`, `autoencode`,
//! `generate`, `bench`, `net`, `data`, and the related trainers `lifted`,
//! `admm` and `sgd` on the [`feedforward`] nets, `implicit`, `localprop`, and
//! `compare`, which runs them all side by side), each holding its arguments (`args`),
//! its run (`mod.rs`) and its checks; below them the shared layers:
//! [`args`] (argument groups and value checks), [`engine`] (buffers,
//! threads, iteration methods; no CLI), [`formats`] (net, data and parameter
//! files), [`datasets`] (built-in data), [`output`] (records, checkpoints,
//! stdout), [`shuffle`] (resumable data orders), [`picture`] and [`workloads`] (what `lwl bench` and the
//! criterion benches time). [`cli`] only assembles the commands.

pub mod admm;
pub mod args;
pub mod autoencode;
pub mod bench;
pub mod classify;
pub mod cli;
pub mod compare;
pub mod data;
pub mod datasets;
pub mod engine;
pub mod error;
pub mod feedforward;
pub mod formats;
pub mod generate;
pub mod implicit;
pub mod lifted;
pub mod localprop;
pub mod net;
pub mod nmf;
pub mod output;
pub mod picture;
pub mod predict;
pub mod regress;
pub mod sgd;
pub mod shuffle;
pub mod workloads;
