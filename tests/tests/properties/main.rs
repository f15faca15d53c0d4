//! Property tests of the kernel (proptest, fixed case counts):
//!
//! 1. every projection lands in its set, is idempotent and is not beaten by
//!    any sampled point of the set; the selection rules equal naive
//!    sort-based implementations;
//! 2. every SIMD kernel equals its scalar twin bit for bit per lane;
//! 3. whole network and NMF iterations: the fast path agrees with the oracle
//!    for every batch size and layout, and the oracle is layout-independent
//!    bit for bit;
//! 4. regression targets on the class nodes are met at RRR's fixed point;
//! 5. degenerate input never panics and gives a finite result or a
//!    documented status.
//!
//! Run with `cargo test -p lwl-tests --release --test properties`.

mod activation_projection;
mod bilinear_projection;
mod class_projection;
mod consensus_constraints;
mod degenerate;
mod fixtures;
mod iterations;
mod regression_targets;
mod selection_rules;
mod simd_lanes;
mod support;
