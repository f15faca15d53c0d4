//! Zeroed buffers whose first element starts a cache line.
//!
//! The SIMD kernels read and write rows of a layout block as 32-byte
//! vectors. A `Vec` from the allocator starts on a 16-byte boundary (large
//! ones 16 bytes into a page), so half of those vectors straddled two
//! cache lines and each such access costs two; starting every buffer on a
//! 64-byte boundary keeps rows of 16 items (128 bytes in f64, 64 in f32) on
//! whole lines (BENCHMARKS.md, "Alignment").

use std::ops::{Deref, DerefMut};

/// Bytes of a cache line.
const LINE: usize = 64;

/// `len` values starting on a [`LINE`] boundary (when the platform can say
/// where one is; otherwise merely unaligned, never wrong), dereferencing to
/// a slice.
#[derive(Clone, Debug)]
pub struct Aligned<T> {
    buf: Vec<T>,
    off: usize,
    len: usize,
}

impl<T: Copy + Default> Aligned<T> {
    /// `len` default (zero) values.
    pub fn zeroed(len: usize) -> Self {
        let pad = LINE / size_of::<T>().max(1);
        let buf = vec![T::default(); len.saturating_add(pad)];
        // `align_offset` may decline to answer (usize::MAX): then start at 0
        let off = buf.as_ptr().align_offset(LINE);
        Self { buf, off: if off < pad { off } else { 0 }, len }
    }
}

impl<T> Deref for Aligned<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.buf[self.off..self.off + self.len]
    }
}

impl<T> DerefMut for Aligned<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.buf[self.off..self.off + self.len]
    }
}

impl<'a, T> IntoIterator for &'a Aligned<T> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_on_a_line_and_holds_len_zeros() {
        for len in [0, 1, 7, 16, 1000, 1 << 20] {
            let a = Aligned::<f64>::zeroed(len);
            assert_eq!(a.len(), len);
            assert!(a.iter().all(|&v| v == 0.0));
            assert_eq!(a.as_ptr() as usize % LINE, 0, "f64 len {len}");
            let mut b = Aligned::<f32>::zeroed(len);
            assert_eq!(b.as_ptr() as usize % LINE, 0, "f32 len {len}");
            if let Some(last) = b.last_mut() {
                *last = 1.0;
            }
            assert_eq!(b.iter().sum::<f32>(), if len > 0 { 1.0 } else { 0.0 });
        }
    }
}
