//! Initial consensus parameters of a network (section 5.4 and the reference
//! programs): weights uniform in [-1, 1], each node's incoming weights centred
//! to mean zero and scaled to norm Ω; biases zero.

use lwl_kernel::consensus;
use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::formats::netfile::NetSpec;

/// Random consensus weights, one per edge, drawn in edge order.
pub fn random_weights(spec: &NetSpec, omega: f64, rng: &mut Xoshiro256PlusPlus) -> Vec<f64> {
    let mut w: Vec<f64> = (0..spec.edges()).map(|_| 2.0 * rng.random::<f64>() - 1.0).collect();
    for i in 0..spec.nodes() {
        let r = spec.in_start[i] as usize..spec.in_start[i + 1] as usize;
        if r.is_empty() {
            continue;
        }
        let mean = w[r.clone()].iter().fold(0.0, |a, &v| a + v) / r.len() as f64;
        w[r.clone()].iter_mut().for_each(|v| *v -= mean);
        consensus::sphere(&mut w[r], omega);
    }
    w
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn centred_on_the_sphere() {
        let spec = NetSpec::layered(&[5, 3, 2]).unwrap();
        let w = random_weights(&spec, 2.0, &mut Xoshiro256PlusPlus::seed_from_u64(3));
        for i in 5..10 {
            let r = spec.in_start[i] as usize..spec.in_start[i + 1] as usize;
            let (s, ss): (f64, f64) = (w[r.clone()].iter().sum(), w[r].iter().map(|v| v * v).sum());
            assert!(s.abs() < 1e-12 && (ss.sqrt() - 2.0).abs() < 1e-12);
        }
    }
}
