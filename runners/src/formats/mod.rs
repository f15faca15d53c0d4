//! The text formats lwl reads and writes: network files ([`netfile`]), data
//! files ([`datafile`]), parameter files ([`paramfile`]), and the line and
//! token helpers they share.

pub mod datafile;
pub mod matrix;
pub mod netfile;
pub mod paramfile;
pub(crate) mod text;
