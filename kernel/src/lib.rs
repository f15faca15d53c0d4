//! `lwl-kernel`: the numerical core of *Learning Without Loss* (Elser).
//!
//! Neural networks are trained by RRR (eq. 3): with two constraint sets A and
//! B and their projections, `a = P_A(v)`, `p = P_B(2a - v)`,
//! `v += beta * (p - a)`, until the sets meet. This crate holds the
//! projections (sections 4.2, 5.2, 5.3, 6.1; appendix B), one RRR iteration
//! for non-negative matrix factorisation ([`nmf`]) and for general networks
//! ([`network`]), and work counters ([`counters`]).
//!
//! Every operation has a plain scalar version written in the reference
//! programs' order of operations (the *oracle*, reproducing their numbers bit
//! for bit) and an explicit SIMD version ([`wide`]) over batch items. One
//! naming rule: the plain name is the scalar version (`activation::relu`,
//! `class::plain`, `simd::sum`), the suffix `_lanes` marks its SIMD twin over
//! [`simd::V`] vectors (`relu_lanes`, `plain_lanes`, `sum_lanes`), and
//! `network::iterate_oracle` is the scalar iteration beside the SIMD
//! `network::iterate`.
//!
//! The crate is `no_std` and never allocates: callers allocate every buffer
//! with the lengths [`layout::Layout`] reports. No function panics on any
//! input; degenerate input yields a documented status value. The SIMD path
//! stores the per-edge state as f64 or f32 ([`simd::Storage`]), computing in
//! f64 either way. The one `unsafe` block is the cache prefetch hint of
//! [`simd::prefetch`] (a benchmark shows it pays; see its `SAFETY` note).
#![no_std]
#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod activation;
pub mod bilinear;
pub mod class;
pub mod consensus;
pub mod counters;
pub mod exec;
pub mod graph;
pub mod layout;
pub mod network;
pub mod nmf;
pub mod simd;

#[cfg(test)]
extern crate std;
