//! Generators of the paper's synthetic data sets.

pub mod ledm;
pub mod majority;
