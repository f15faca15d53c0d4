//! Resumable data orders: the items of epoch `e` are shuffled by a random
//! stream of `(seed, e)` alone, so a run resumed at any epoch shuffles
//! exactly as an uninterrupted one.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Sets `order` to `0..order.len()` shuffled for `epoch` of the run with
/// `seed`.
pub fn epoch_order(order: &mut [usize], seed: u64, epoch: usize) {
    order.iter_mut().enumerate().for_each(|(k, o)| *o = k);
    order.shuffle(&mut Xoshiro256PlusPlus::seed_from_u64(seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_are_permutations_fixed_by_seed_and_epoch() {
        let (mut a, mut b) = (vec![9; 50], vec![0; 50]);
        epoch_order(&mut a, 3, 7);
        epoch_order(&mut b, 3, 7);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        epoch_order(&mut b, 3, 8);
        assert_ne!(a, b, "another epoch, another order");
    }
}
