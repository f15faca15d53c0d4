//! Lane helpers shared by the SIMD kernels.
//!
//! The batch index is innermost in every buffer, so one SIMD vector holds the
//! same variable for [`LANES`] consecutive batch items. `wide` chooses the
//! instruction set when it is compiled (AVX2 with `-C target-cpu=x86-64-v3`).

pub use wide::f64x4 as V;
pub use wide::f64x8 as V8;

/// Number of batch items processed together by the SIMD kernels.
pub const LANES: usize = 4;

/// Loads `LANES` values starting at `s[i]` (one bounds test, one vector
/// load); zeros if `s` does not hold them (callers check lengths first).
#[inline(always)]
pub fn load(s: &[f64], i: usize) -> V {
    match s.get(i..).and_then(|t| t.first_chunk::<LANES>()) {
        Some(a) => V::new(*a),
        None => V::splat(0.0),
    }
}

/// Stores `v` to `s[i..i + LANES]`; nothing if `s` does not hold them.
#[inline(always)]
pub fn store(s: &mut [f64], i: usize, v: V) {
    if let Some(a) = s.get_mut(i..).and_then(|t| t.first_chunk_mut::<LANES>()) {
        *a = v.to_array();
    }
}

/// `v` with its subnormal lanes (`0 < |v| < f64::MIN_POSITIVE`) replaced by
/// `+0`; NaN, infinities and normal values pass unchanged. Stored state that
/// decays towards a zero consensus otherwise lingers as subnormals, and
/// every operation on one costs the processor a microcode assist (the NMF
/// path ran 2.17× slower on `ledm12` for it on one thread, 2.48× on two:
/// BENCHMARKS.md, "Subnormals").
#[inline(always)]
pub fn flush_subnormal(v: V) -> V {
    v.abs().simd_lt(V::splat(f64::MIN_POSITIVE)).select(V::splat(0.0), v)
}

/// Sum of `s` with `2 * LANES` partial sums combined in a fixed order, so the
/// result is reproducible (it differs in the last bits from a sequential
/// sum).
#[inline]
pub fn sum_lanes(s: &[f64]) -> f64 {
    let (groups, tail) = s.as_chunks::<LANES>();
    let (pairs, rest) = groups.as_chunks::<2>();
    let (mut a0, mut a1) = (V::splat(0.0), V::splat(0.0));
    for [g0, g1] in pairs {
        a0 += V::new(*g0);
        a1 += V::new(*g1);
    }
    if let Some(g) = rest.first() {
        a0 += V::new(*g);
    }
    let mut t = (a0 + a1).reduce_add();
    for &v in tail {
        t += v;
    }
    t
}

/// Plain sequential sum from 0 in index order (the scalar twin of
/// [`sum_lanes`]).
#[inline]
pub fn sum(s: &[f64]) -> f64 {
    s.iter().fold(0.0, |a, &v| a + v)
}

/// Asks the processor to bring the cache lines holding `s[at..at + n]` into
/// cache ahead of use (`at` may lie past the end of `s`: the hint then names
/// memory outside it, which prefetching never faults on). No effect
/// on results, nor on targets other than x86-64.
///
/// The bilinear sweep reads a node's in-edge rows twice (dot products, then
/// the update), the second time from cache; hardware prefetchers see no
/// misses during the second sweep and stop streaming, so the memory sits
/// idle. Asking for the next node's rows during the update keeps it busy
/// (BENCHMARKS.md, "Prefetch").
#[inline(always)]
pub fn prefetch<T>(s: &[T], at: usize, n: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let line_len = 64 / core::mem::size_of::<T>().max(1);
        let base = s.as_ptr().wrapping_add(at);
        for line in 0..n.div_ceil(line_len) {
            // SAFETY: `_mm_prefetch` is a hint: it changes no memory and
            // never faults, whatever the address. It is `unsafe` only as a
            // `#[target_feature(enable = "sse")]` function, and SSE is part
            // of every x86-64 target.
            #[allow(unsafe_code)]
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(base.wrapping_add(line * line_len).cast())
            };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (s, at, n);
}

/// Two lane groups as one eight-lane vector (for the paired root solves).
#[inline(always)]
pub fn join(a: V, b: V) -> V8 {
    let (a, b) = (a.to_array(), b.to_array());
    V8::new([a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]])
}

/// The two lane groups of an eight-lane vector (the inverse of [`join`]).
#[inline(always)]
pub fn halves(v: V8) -> [V; 2] {
    let a = v.to_array();
    [V::new([a[0], a[1], a[2], a[3]]), V::new([a[4], a[5], a[6], a[7]])]
}

/// Storage type of the per-edge iterate (`w`, `x`): `f64`, or `f32` to
/// halve the bytes each iteration streams. Arithmetic is `f64` either way:
/// values are widened on load and rounded once on store.
pub trait Storage: Copy + Default + Send + Sync + PartialEq + core::fmt::Debug + 'static {
    /// The value as `f64` (exact).
    fn to_f64(self) -> f64;
    /// `v` rounded to this type (to nearest).
    fn from_f64(v: f64) -> Self;
    /// A lane group, widened.
    #[inline(always)]
    fn load(a: &[Self; LANES]) -> V {
        V::new(a.map(Self::to_f64))
    }
    /// A lane group, rounded.
    #[inline(always)]
    fn store(v: V) -> [Self; LANES] {
        v.to_array().map(Self::from_f64)
    }
}

impl Storage for f64 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
}

impl Storage for f32 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}
