//! `lwl implicit`: implicit models, their inference and their training by
//! block-coordinate descent (the implicit deep learning paper).

pub mod bcd;
pub mod model;
