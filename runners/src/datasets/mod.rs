//! The paper's data: generators of its synthetic sets and the embedded
//! MNIST subset.

pub mod idx;
pub mod ledm;
pub mod majority;
pub mod montage;
pub mod teacher;
