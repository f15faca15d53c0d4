//! Decoding helpers shared by the fuzz targets. Each target is its own binary
//! and includes this file with `#[path = "common.rs"] mod common;`.
#![allow(dead_code)]

use lwl_kernel::simd::V;

/// Reads the fuzz input front to back; missing bytes read as 0.
pub struct Bytes<'a>(pub &'a [u8]);

impl Bytes<'_> {
    /// One byte.
    pub fn u8(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }
    /// `f64::from_bits` of the next 8 bytes (little endian): every bit
    /// pattern, NaN, ±inf, subnormals and huge values included.
    pub fn f64(&mut self) -> f64 {
        let mut a = [0u8; 8];
        let n = self.0.len().min(8);
        a[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        f64::from_bits(u64::from_le_bytes(a))
    }
    /// Four values (one SIMD vector's lanes).
    pub fn f64x4(&mut self) -> [f64; 4] {
        core::array::from_fn(|_| self.f64())
    }
    /// A byte mapped to `[0, 1]`.
    pub fn unit(&mut self) -> f64 {
        self.u8() as f64 / 255.0
    }
    /// All remaining whole 8-byte chunks as `f64`s.
    pub fn rest(&mut self) -> Vec<f64> {
        let v = self.0.chunks_exact(8).map(|c| f64::from_bits(u64::from_le_bytes(c.try_into().unwrap())));
        let v = v.collect();
        self.0 = &[];
        v
    }
}

/// Equal bits, or both NaN (NaN payloads may legitimately differ).
pub fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Finite and `|v| < 1e150` (squares and sums of a few cannot overflow).
pub fn moderate(v: f64) -> bool {
    v.abs() < 1e150
}

/// The lanes of a vector.
pub fn lanes(v: V) -> [f64; 4] {
    v.to_array()
}
