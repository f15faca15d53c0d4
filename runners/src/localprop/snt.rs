//! The node-level transforms of the local propagation learner (the local
//! propagation constraints paper, sections 1.1, 3.1): the sparsifying
//! nonlinear transform (sNT, eq. 4), the corrective sNT (c-sNT, eq. 5, the
//! solution of eq. 14) and the exact goal-satisfying representation (eq. 12
//! with the discrimination constraint of section 2.4).
//!
//! All three soft-threshold `q` at a per-item level `τ`: the sNT's threshold
//! is the `(k + 1)`-th largest `|q_i|` of the item, so that it keeps at most
//! `k` entries (the paper sets `λ_{l,1} = M_l / (2 l)`; we read it as the
//! number of entries node `l` keeps, since as a threshold on unit-variance
//! data it would zero every entry), and the c-sNT and the goal use the same
//! item's `τ` as their `λ_{l,1}`. Matrices hold one item per column.

use faer::{Mat, MatRef};

/// `sign(x) · max(|x| − t, 0)`.
pub fn soft(x: f64, t: f64) -> f64 {
    if x > t {
        x - t
    } else if x < -t {
        x + t
    } else {
        0.0
    }
}

/// The threshold that keeps at most `keep` entries of `q`: the
/// `(keep + 1)`-th largest `|q_i|` (0 when `keep ≥ q.len()`).
pub fn threshold(q: impl Iterator<Item = f64>, keep: usize, scratch: &mut Vec<f64>) -> f64 {
    scratch.clear();
    scratch.extend(q.map(f64::abs));
    if keep >= scratch.len() {
        return 0.0;
    }
    let (_, t, _) = scratch.select_nth_unstable_by(keep, |a, b| b.total_cmp(a));
    *t
}

/// The sNT of every column of `q` keeping `keep` entries (eq. 4): the
/// representation `U` and every item's threshold `τ`.
pub fn snt(q: MatRef<'_, f64>, keep: usize) -> (Mat<f64>, Vec<f64>) {
    let mut scratch = Vec::with_capacity(q.nrows());
    let taus: Vec<f64> =
        (0..q.ncols()).map(|k| threshold((0..q.nrows()).map(|i| q[(i, k)]), keep, &mut scratch)).collect();
    (Mat::from_fn(q.nrows(), q.ncols(), |i, k| soft(q[(i, k)], taus[k])), taus)
}

/// The c-sNT (eq. 5): `soft(q − ν, τ)` column by column, the minimiser of
/// `½‖q − y‖² + νᵀy + τ‖y‖₁` (eq. 14).
pub fn csnt(q: MatRef<'_, f64>, nu: MatRef<'_, f64>, taus: &[f64]) -> Mat<f64> {
    Mat::from_fn(q.nrows(), q.ncols(), |i, k| soft(q[(i, k)] - nu[(i, k)], taus[k]))
}

/// The goal-satisfying representation `G` (eq. 12): the minimiser of
/// `Σ_k ½‖q_k − g_k‖² + τ_k ‖g_k‖₁` subject to the discrimination
/// constraint `D(G) = 0`, and the class owning every coordinate.
///
/// `D(G) = 0` says that no coordinate is non-zero in items of two different
/// classes (the three products of section 2.4 cover the sign pairs ++, −−
/// and +−), so a feasible `G` gives every coordinate to one class at most.
/// For a given assignment the problem separates into soft thresholds of the
/// owner's items, each saving `½ (|q| − τ)₊²` over `g = 0`; the exact
/// minimiser therefore assigns the coordinates so that the savings
/// `Σ_{k ∈ c} ½ (|q_ik| − τ_k)₊²` of their owners add up to the most
/// ([`owners`]), and soft-thresholds those items. `capacity` bounds the
/// coordinates a class may own (`None`: eq. 12 as it stands).
pub fn goal(
    q: MatRef<'_, f64>,
    taus: &[f64],
    labels: &[u32],
    classes: usize,
    capacity: Option<usize>,
) -> (Mat<f64>, Vec<usize>) {
    let (n, m) = (q.nrows(), q.ncols());
    let classes = classes.max(1);
    let mut saving = vec![0.0; n * classes];
    for (i, row) in saving.chunks_exact_mut(classes).enumerate() {
        for k in 0..m {
            let s = soft(q[(i, k)], taus[k]);
            row[labels[k] as usize] += 0.5 * s * s;
        }
    }
    let owner = owners(&saving, classes, capacity.unwrap_or(n));
    let g = Mat::from_fn(n, m, |i, k| if labels[k] as usize == owner[i] { soft(q[(i, k)], taus[k]) } else { 0.0 });
    (g, owner)
}

/// The assignment of coordinates to classes with the largest total
/// `saving` (row `i` holds coordinate `i`'s saving in every class) in
/// which no class owns more than `capacity` coordinates (raised to
/// `⌈n / classes⌉` where it would leave coordinates without an owner).
///
/// An assignment problem with `capacity` slots per class, solved exactly
/// by shortest augmenting paths (the Hungarian method's order: coordinate
/// by coordinate, each placed by the best chain of moves through full
/// classes; a move of coordinate `j` from class `a` to `b` costs
/// `saving[j][a] − saving[j][b]`, and the chains are shortest paths over
/// the classes by Floyd–Warshall). With `capacity ≥ n` every coordinate
/// goes to its best class (ties to the lower class).
pub fn owners(saving: &[f64], classes: usize, capacity: usize) -> Vec<usize> {
    let c = classes.max(1);
    let n = saving.len() / c;
    let capacity = capacity.max(n.div_ceil(c));
    let s = |i: usize, k: usize| saving[i * c + k];
    let (mut owner, mut count) = (Vec::with_capacity(n), vec![0usize; c]);
    let (mut dist, mut next, mut via) = (vec![0.0; c * c], vec![0usize; c * c], vec![0usize; c * c]);
    for i in 0..n {
        // the cheapest single move between every pair of classes
        dist.iter_mut().for_each(|d| *d = f64::INFINITY);
        for (j, &a) in owner.iter().enumerate() {
            for b in (0..c).filter(|&b| b != a) {
                let cost = s(j, a) - s(j, b);
                if cost < dist[a * c + b] {
                    dist[a * c + b] = cost;
                    via[a * c + b] = j;
                }
            }
        }
        for a in 0..c {
            dist[a * c + a] = 0.0;
            (0..c).for_each(|b| next[a * c + b] = b);
        }
        for k in 0..c {
            for a in 0..c {
                for b in 0..c {
                    let through = dist[a * c + k] + dist[k * c + b];
                    if through < dist[a * c + b] {
                        dist[a * c + b] = through;
                        next[a * c + b] = next[a * c + k];
                    }
                }
            }
        }
        // enter class `first`, pass the chain on to a class `last` with room
        let mut best = (f64::NEG_INFINITY, 0, 0);
        for first in 0..c {
            for last in (0..c).filter(|&t| count[t] < capacity) {
                let gain = s(i, first) - dist[first * c + last];
                if gain > best.0 {
                    best = (gain, first, last);
                }
            }
        }
        let (_, first, last) = best;
        owner.push(first);
        let mut at = first;
        // a chain visits each class once: at most c − 1 moves
        for _ in 1..c {
            if at == last {
                break;
            }
            let to = next[at * c + last];
            owner[via[at * c + to]] = to;
            at = to;
        }
        count[at] += 1;
    }
    owner
}

/// `D(G)` of section 2.4 (with `λ_{l,0}` = 1): over ordered pairs of items
/// of different classes, `‖g⁺ ⊙ g₁⁺‖₁ + ‖g⁻ ⊙ g₁⁻‖₁ + ‖g⁺ ⊙ g₁⁻‖₂`.
pub fn discrimination(g: MatRef<'_, f64>, labels: &[u32]) -> f64 {
    let (n, m) = (g.nrows(), g.ncols());
    let mut d = 0.0;
    for a in 0..m {
        for b in (0..m).filter(|&b| labels[b] != labels[a]) {
            let (mut pp, mut nn, mut pn) = (0.0, 0.0, 0.0);
            for i in 0..n {
                let (x, y) = (g[(i, a)], g[(i, b)]);
                pp += x.max(0.0) * y.max(0.0);
                nn += (-x).max(0.0) * (-y).max(0.0);
                pn += (x.max(0.0) * (-y).max(0.0)).powi(2);
            }
            d += pp + nn + pn.sqrt();
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn random(n: usize, m: usize, rng: &mut Xoshiro256PlusPlus) -> Mat<f64> {
        Mat::from_fn(n, m, |_, _| 4.0 * rng.random::<f64>() - 2.0)
    }

    /// The sNT keeps exactly `k` entries of distinct magnitudes, each moved
    /// toward 0 by the same `τ`, and is idempotent on its own output.
    #[test]
    fn snt_maps_to_the_stated_sparsity_and_is_idempotent() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let q = random(20, 7, &mut rng);
        for keep in [0, 1, 5, 19, 20, 25] {
            let (u, taus) = snt(q.as_ref(), keep);
            for k in 0..7 {
                let nonzero = (0..20).filter(|&i| u[(i, k)] != 0.0).count();
                assert_eq!(nonzero, keep.min(20), "keep {keep}, item {k}");
                for i in (0..20).filter(|&i| u[(i, k)] != 0.0) {
                    assert!((q[(i, k)].abs() - u[(i, k)].abs() - taus[k]).abs() < 1e-15);
                    assert_eq!(q[(i, k)].signum(), u[(i, k)].signum());
                }
            }
            let (again, t2) = snt(u.as_ref(), keep);
            assert_eq!(again, u, "keep {keep}");
            assert!(t2.iter().all(|&t| t == 0.0));
        }
    }

    /// The c-sNT is the minimiser of eq. 14: a fine grid around it never
    /// does better, entry by entry (the problem separates).
    #[test]
    fn csnt_minimises_its_problem_by_brute_force() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let (q, nu) = (random(6, 5, &mut rng), random(6, 5, &mut rng));
        let taus: Vec<f64> = (0..5).map(|k| 0.3 * k as f64).collect();
        let y = csnt(q.as_ref(), nu.as_ref(), &taus);
        let f = |i: usize, k: usize, v: f64| 0.5 * (q[(i, k)] - v).powi(2) + nu[(i, k)] * v + taus[k] * v.abs();
        for k in 0..5 {
            for i in 0..6 {
                let best = f(i, k, y[(i, k)]);
                for s in -4000..=4000 {
                    let v = s as f64 * 1e-3;
                    assert!(best <= f(i, k, v) + 1e-12, "item {k} entry {i}: {} at {v} beats {best}", f(i, k, v));
                }
            }
        }
    }

    /// The goal is feasible (`D(G) = 0`) and no assignment of coordinates to
    /// classes, nor any feasible `G` near it, does better: brute force over
    /// all `C^n` assignments on a tiny case.
    #[test]
    fn goal_is_the_exact_minimiser_over_every_assignment() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let (n, m, classes) = (4, 6, 3);
        let q = random(n, m, &mut rng);
        let labels = [0, 1, 2, 0, 1, 2];
        let taus = [0.2, 0.1, 0.5, 0.0, 0.3, 0.4];
        let (g, owner) = goal(q.as_ref(), &taus, &labels, classes, None);
        assert_eq!(discrimination(g.as_ref(), &labels), 0.0);
        let cost = |g: &Mat<f64>| {
            (0..m)
                .map(|k| (0..n).map(|i| 0.5 * (q[(i, k)] - g[(i, k)]).powi(2) + taus[k] * g[(i, k)].abs()).sum::<f64>())
                .sum::<f64>()
        };
        let best = cost(&g);
        for code in 0..classes.pow(n as u32) {
            let assign: Vec<usize> = (0..n).map(|i| code / classes.pow(i as u32) % classes).collect();
            let h =
                Mat::from_fn(n, m, |i, k| if labels[k] as usize == assign[i] { soft(q[(i, k)], taus[k]) } else { 0.0 });
            assert!(best <= cost(&h) + 1e-12, "assignment {assign:?} beats {owner:?}");
        }
        // any other feasible G for the same owners costs more
        for _ in 0..200 {
            let mut h = g.clone();
            let (i, k) = (rng.random_range(0..n), rng.random_range(0..m));
            if labels[k] as usize == owner[i] {
                h[(i, k)] += 0.1 * (rng.random::<f64>() - 0.5);
                assert!(best <= cost(&h) + 1e-12);
            }
        }
        // an infeasible G is seen by D
        let mut bad = g.clone();
        let k = (0..m).find(|&k| labels[k] as usize != owner[0]).unwrap();
        bad[(0, k)] = 1.0;
        if (0..m).any(|j| g[(0, j)] > 0.0) {
            assert!(discrimination(bad.as_ref(), &labels) > 0.0);
        }
    }
    /// With a capacity the assignment is the best of every assignment that
    /// respects it (brute force over all `C^n`), and without one it is the
    /// coordinate-wise best class.
    #[test]
    fn owners_are_the_best_assignment_within_the_capacity() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        let (n, c) = (7, 3);
        for trial in 0..40 {
            // skewed savings: one class would take most coordinates
            let saving: Vec<f64> =
                (0..n * c).map(|k| rng.random::<f64>() + if k % c == 0 { 0.6 } else { 0.0 }).collect();
            let total = |o: &[usize]| o.iter().enumerate().map(|(i, &k)| saving[i * c + k]).sum::<f64>();
            for cap in [3, 4, 7] {
                let o = owners(&saving, c, cap);
                assert!((0..c).all(|k| o.iter().filter(|&&x| x == k).count() <= cap), "{o:?}");
                let mut best = f64::NEG_INFINITY;
                for code in 0..c.pow(n as u32) {
                    let a: Vec<usize> = (0..n).map(|i| code / c.pow(i as u32) % c).collect();
                    if (0..c).all(|k| a.iter().filter(|&&x| x == k).count() <= cap) {
                        best = best.max(total(&a));
                    }
                }
                assert!((total(&o) - best).abs() < 1e-12, "trial {trial} cap {cap}: {} < {best}", total(&o));
            }
            let free = owners(&saving, c, n);
            for (i, &k) in free.iter().enumerate() {
                assert!((0..c).all(|b| saving[i * c + b] <= saving[i * c + k]));
            }
        }
        // a capacity too small for every coordinate is raised to ⌈n / c⌉
        let o = owners(&[1.0, 0.0, 1.0, 0.0, 1.0, 0.0], 2, 1);
        assert_eq!(o.iter().filter(|&&x| x == 0).count(), 2);
    }
}
