//! Tests of the lifted model: no block update increases the objective, the
//! weight and state updates against brute force, the Bregman loss, the work
//! of a sweep by hand, threads and the cached factor.

use super::*;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn random_mat(r: usize, c: usize, rng: &mut Xoshiro256PlusPlus) -> Mat<f64> {
    Mat::from_fn(r, c, |_, _| rng.random::<f64>() * 2.0 - 1.0)
}

/// A random net and batch with random (non-negative) states, so that
/// every block has work to do.
/// A random net and batch with random states in the activation's
/// range, so that every block has work to do.
fn problem(sizes: &[usize], items: usize, seed: u64, act: Activation) -> (Params, Lifted) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let w: Vec<Mat<f64>> = sizes.windows(2).map(|s| random_mat(s[1], s[0], &mut rng)).collect();
    let b = sizes[1..].iter().map(|&n| (0..n).map(|_| rng.random::<f64>() - 0.5).collect()).collect();
    let p = Params { w, b, act };
    let x0 = random_mat(sizes[0], items, &mut rng);
    let classes = *sizes.last().unwrap();
    let y = Mat::from_fn(classes, items, |i, k| f64::from(i == k % classes));
    let mut t = Lifted::new(&p, x0, y, 1);
    let lo = if act == Activation::Relu { 0.0 } else { -0.95 };
    for x in &mut t.x {
        *x = Mat::from_fn(x.nrows(), x.ncols(), |_, _| lo + rng.random::<f64>() * 0.95);
    }
    (p, t)
}

fn hyper(penalty: Penalty, output: Output, layers: usize) -> Hyper {
    Hyper { penalty, output, gamma: (1..layers).map(|l| 0.5 + 0.25 * l as f64).collect(), lambda: 0.01 }
}

/// Every combination of penalty, activation and output loss.
fn cases() -> Vec<(Penalty, Activation, Output)> {
    let mut v = Vec::new();
    for penalty in [Penalty::Quadratic, Penalty::Bregman] {
        for act in [Activation::Relu, Activation::Tanh] {
            for output in [Output::Squared, Output::Hinge(0.5)] {
                v.push((penalty, act, output));
            }
        }
    }
    v
}

#[test]
fn no_block_update_increases_the_objective() {
    for (penalty, act, output) in cases() {
        for seed in 0..5 {
            let sizes = [4, 5, 3, 2];
            let (mut p, mut t) = problem(&sizes, 7, seed, act);
            let h = hyper(penalty, output, 3);
            let mut last = t.objective(&p, &h).total;
            for _ in 0..4 {
                for l in (1..=3).rev() {
                    t.update_weights(&mut p, &h, l).unwrap();
                    let e = t.objective(&p, &h).total;
                    assert!(
                        e <= last + 1e-12 * last.abs(),
                        "{penalty:?} {act:?} {output:?} seed {seed}: W_{l} {last} -> {e}"
                    );
                    last = e;
                    if l > 1 {
                        t.update_states(&p, &h, l - 1);
                        let e = t.objective(&p, &h).total;
                        assert!(
                            e <= last + 1e-12 * last.abs(),
                            "{penalty:?} {act:?} {output:?} seed {seed}: X_{} {last} -> {e}",
                            l - 1
                        );
                        last = e;
                    }
                }
            }
            let inside = |v: f64| if act == Activation::Relu { v >= 0.0 } else { v.abs() <= 1.0 };
            assert!(t.x.iter().all(|x| (0..x.ncols()).all(|k| (0..x.nrows()).all(|i| inside(x[(i, k)])))));
        }
    }
}

/// The least-squares weight update is the minimiser: the objective's
/// gradient in `W_l`, `b_l` vanishes there and every small step away
/// from it raises the objective.
#[test]
fn quadratic_weight_update_is_the_minimiser() {
    for l in 1..=3 {
        let (mut p, mut t) = problem(&[3, 4, 3, 2], 6, 11 + l as u64, Activation::Tanh);
        let h = hyper(Penalty::Quadratic, Output::Squared, 3);
        t.update_weights(&mut p, &h, l).unwrap();
        let best = t.objective(&p, &h).total;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        for _ in 0..50 {
            let mut q = p.clone();
            let (r, c) = (q.w[l - 1].nrows(), q.w[l - 1].ncols());
            for i in 0..r {
                for j in 0..c {
                    q.w[l - 1][(i, j)] += 1e-3 * (rng.random::<f64>() - 0.5);
                }
                q.b[l - 1][i] += 1e-3 * (rng.random::<f64>() - 0.5);
            }
            assert!(t.objective(&q, &h).total > best, "layer {l}");
        }
        // central differences of E in every weight and bias: zero
        let eps = 1e-5;
        for i in 0..p.w[l - 1].nrows() {
            for j in 0..=p.w[l - 1].ncols() {
                let at = |d: f64| {
                    let mut q = p.clone();
                    if j < q.w[l - 1].ncols() {
                        q.w[l - 1][(i, j)] += d;
                    } else {
                        q.b[l - 1][i] += d;
                    }
                    t.objective(&q, &h).total
                };
                let g = (at(eps) - at(-eps)) / (2.0 * eps);
                assert!(g.abs() < 1e-7, "layer {l} ({i}, {j}): gradient {g}");
            }
        }
    }
}

/// Where the next layer's term is exact, the state update of one entry
/// is the exact minimiser over the activation's range: it equals the
/// best point of a fine grid.
#[test]
fn state_update_of_an_entry_equals_a_grid_search() {
    for (penalty, act, _) in cases() {
        // one hidden unit: coordinate descent is one exact 1-D step
        let (p, mut t) = problem(&[2, 1, 2], 1, 3, act);
        let h = hyper(penalty, Output::Squared, 2);
        let start = t.x[0][(0, 0)];
        let mut best = (f64::INFINITY, 0.0);
        let (lo, step) = if act == Activation::Relu { (0.0, 1e-4) } else { (-1.0, 5e-5) };
        for s in 0..=40000 {
            let v = lo + s as f64 * step;
            t.x[0][(0, 0)] = v;
            let e = t.objective(&p, &h).total;
            if e < best.0 {
                best = (e, v);
            }
        }
        t.x[0][(0, 0)] = start;
        t.update_states(&p, &h, 1);
        assert!((t.x[0][(0, 0)] - best.1).abs() <= 1e-4, "{penalty:?} {act:?}: {} against {}", t.x[0][(0, 0)], best.1);
    }
}

/// For ReLU, eq. 3 (½‖y − σ(z)‖² plus the Bregman distance of Ψ at σ(z)
/// with subgradient z − σ(z)) equals ½‖y‖² + ½‖σ(z)‖² − ⟨y, z⟩, the
/// Fenchel divergence of the implicit-models paper's eq. 7.
#[test]
fn bregman_loss_equals_the_fenchel_divergence() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
    let x = Mat::from_fn(5, 4, |_, _| rng.random::<f64>() * 2.0);
    let z = Mat::from_fn(5, 4, |_, _| rng.random::<f64>() * 4.0 - 2.0);
    let mut eq3 = 0.0;
    for k in 0..4 {
        for i in 0..5 {
            let (y, z) = (x[(i, k)], z[(i, k)]);
            let s = z.max(0.0);
            // D_Ψ(y, s) = Ψ(y) − Ψ(s) − ⟨z − s, y − s⟩ with Ψ = 0 on y ≥ 0
            eq3 += 0.5 * (y - s).powi(2) - (z - s) * (y - s);
        }
    }
    let relu = Activation::Relu;
    let sum = |x: &Mat<f64>| -> f64 {
        (0..4)
            .flat_map(|k| (0..5).map(move |i| (i, k)))
            .map(|(i, k)| divergence::bregman(relu, x[(i, k)], z[(i, k)]))
            .sum()
    };
    assert!((sum(&x) - eq3).abs() < 1e-12);
    assert!(sum(&x) >= 0.0);
    let r = Mat::from_fn(5, 4, |i, k| z[(i, k)].max(0.0));
    assert!(sum(&r).abs() < 1e-12, "zero exactly at x = relu(z)");
}

/// The work of one sweep of a 2-3-2 net on 5 items, counted by hand.
#[test]
fn work_of_a_sweep_by_hand() {
    let (mut p, mut t) = problem(&[2, 3, 2], 5, 1, Activation::Relu);
    assert_eq!(t.work, (3 * 2 + 2 * 3) * 5, "the forward pass that sets the states");
    t.work = 0;
    let h = hyper(Penalty::Quadratic, Output::Squared, 2);
    t.sweep(&mut p, &h).unwrap();
    // W_2 (n = 3, m = 2): Gram 4·4·5, Cholesky 4³/3 = 21, rhs 4·2·5, solve 4·4·2
    let w2 = 4 * 4 * 5 + 21 + 4 * 2 * 5 + 4 * 4 * 2;
    // X_1: Z_1 (3·2·5), then per item u and the coordinate sweep (2·3·2 each)
    let x1 = (3 * 2 + 2 * 3 * 2) * 5;
    // W_1 (n = 2, m = 3): Gram 3·3·5, Cholesky 3³/3 = 9, rhs 3·3·5, solve 3·3·3
    let w1 = 3 * 3 * 5 + 9 + 3 * 3 * 5 + 3 * 3 * 3;
    assert_eq!(t.work, (w2 + x1 + w1) as u64);
    // a second sweep reuses the first layer's factor: no Gram, no Cholesky
    t.work = 0;
    t.sweep(&mut p, &h).unwrap();
    assert_eq!(t.work, (w2 + x1 + w1 - 3 * 3 * 5 - 9) as u64);
}

/// The cached first-layer factor gives the same update as a fresh one,
/// and every thread count gives the same bits (a first layer wider
/// than a Gram block, more items than a state block).
#[test]
fn threads_and_the_cached_factor_change_nothing() {
    let run = |threads: usize, fresh: bool| {
        let (mut p, mut t) = problem(&[300, 6, 4, 3], 70, 2, Activation::Tanh);
        t.threads = threads;
        let h = hyper(Penalty::Bregman, Output::Hinge(0.5), 3);
        for _ in 0..3 {
            if fresh {
                t.first = None;
            }
            t.sweep(&mut p, &h).unwrap();
        }
        (p, t.x)
    };
    let one = run(1, false);
    assert_eq!(one, run(1, true));
    for threads in [2, 3, 8] {
        assert_eq!(one, run(threads, false), "{threads} threads");
    }
}
