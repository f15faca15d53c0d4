//! Criterion benchmarks: whole RRR iterations in both layouts (batch
//! innermost vs blocks of items), and the SIMD kernels beside their scalar
//! twins. Run with `cargo bench -p lwl-benches`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use lwl_kernel::activation::{self, Activation};
use lwl_kernel::bilinear::{self, Coeffs, Safeguard};
use lwl_kernel::layout::Layout;
use lwl_kernel::network::Report;
use lwl_kernel::simd::{self, LANES, V};
use lwl_runners::engine::{Method, Precision};
use lwl_runners::workloads::{config, prepare, prepare_with};

/// Goes on, keeping the report alive.
fn go(r: &Report) -> bool {
    black_box(r.rrr_err);
    true
}

/// Full iterations of the `lwl bench` configurations in several layouts:
/// The batch-innermost layout of docs/design.md (block = whole batch) against blocks
/// of 8, 16, 32 and 128 items; iterations run as in training (one run, the
/// weight sums carried from one iteration to the next).
fn layouts(c: &mut Criterion) {
    for (name, blocks) in [("majority", &[8usize, 16, 32, 128][..]), ("mnist", &[8, 16, 32, 128, 1000][..])] {
        let cfg = config(name).expect("built-in config");
        let mut g = c.benchmark_group(format!("iteration_{name}"));
        g.sample_size(10);
        for &blk in blocks {
            let layout =
                if blk >= cfg.batch { Layout::batch_innermost(cfg.batch) } else { Layout::new(cfg.batch, blk) };
            let mut prob = prepare(cfg, layout.expect("layout"), 1).expect("problem");
            g.throughput(Throughput::Elements((cfg.batch * prob.spec.edges()) as u64));
            let net = prob.spec.net().expect("net");
            let label = if blk >= cfg.batch { "innermost".to_string() } else { format!("block{blk}") };
            g.bench_function(BenchmarkId::from_parameter(label), |b| {
                b.iter_custom(|n| {
                    let start = Instant::now();
                    prob.buf.run_on(None, &net, &prob.params, Method::Simd, n as usize, go).expect("iterate");
                    start.elapsed()
                })
            });
        }
        g.finish();
    }
}

/// The MNIST classifier (blocks of 16) with the edge state stored in f64
/// and in f32 (`--precision`).
fn precisions(c: &mut Criterion) {
    let cfg = config("mnist").expect("built-in config");
    let mut g = c.benchmark_group("iteration_mnist_precision");
    g.sample_size(10);
    for precision in [Precision::F64, Precision::F32] {
        let layout = Layout::preferred(cfg.batch).expect("layout");
        let mut prob = prepare_with(cfg, layout, 1, precision).expect("problem");
        g.throughput(Throughput::Elements((cfg.batch * prob.spec.edges()) as u64));
        let net = prob.spec.net().expect("net");
        g.bench_function(BenchmarkId::from_parameter(precision.name()), |b| {
            b.iter_custom(|n| {
                let start = Instant::now();
                prob.buf.run_on(None, &net, &prob.params, Method::Simd, n as usize, go).expect("iterate");
                start.elapsed()
            })
        });
    }
    g.finish();
}

fn lane_inputs(n: usize) -> Vec<[f64; LANES]> {
    (0..n).map(|i| core::array::from_fn(|l| ((i * 7 + l * 13) % 97) as f64 / 48.5 - 1.0)).collect()
}

/// The root solve and the ReLU projection, SIMD against scalar.
fn kernels(c: &mut Criterion) {
    let n = 256;
    let (p, q, y) = (lane_inputs(n), lane_inputs(n + 1), lane_inputs(n + 2));
    let mut g = c.benchmark_group("bilinear_solve");
    g.throughput(Throughput::Elements((n * LANES) as u64));
    g.bench_function("scalar", |b| {
        b.iter(|| {
            let mut s = 0.0;
            for i in 0..n {
                for l in 0..LANES {
                    let k = Coeffs { p: 0.3 * p[i][l], q: 2.0 + q[i][l], omega2: 4.0, g2: 2.0, c: 2.0 * y[i][l] };
                    s += bilinear::solve(black_box(&k), Safeguard::Midpoint).u;
                }
            }
            s
        })
    });
    g.bench_function("lanes4", |b| {
        b.iter(|| {
            let mut s = V::splat(0.0);
            for i in 0..n {
                let (pv, qv) = (V::splat(0.3) * V::new(p[i]), V::splat(2.0) + V::new(q[i]));
                s += bilinear::solve_lanes(pv, qv, 4.0, 2.0, V::splat(2.0) * V::new(y[i]), Safeguard::Midpoint).u;
            }
            s
        })
    });
    g.finish();
    let mut g = c.benchmark_group("relu_projection");
    g.throughput(Throughput::Elements((n * LANES) as u64));
    g.bench_function("scalar", |b| {
        b.iter(|| {
            let mut s = 0.0;
            for i in 0..n {
                for l in 0..LANES {
                    s += activation::project(Activation::Relu, p[i][l], q[i][l], y[i][l]).0;
                }
            }
            s
        })
    });
    g.bench_function("lanes4", |b| {
        b.iter(|| {
            let mut s = V::splat(0.0);
            for i in 0..n {
                s += activation::relu_lanes(V::new(p[i]), V::new(q[i]), V::new(y[i])).0;
            }
            s
        })
    });
    g.finish();
    let row: Vec<f64> = (0..4096).map(|i| (i as f64).sin()).collect();
    let mut g = c.benchmark_group("row_sum");
    g.throughput(Throughput::Elements(row.len() as u64));
    g.bench_function("scalar", |b| b.iter(|| simd::sum(black_box(&row))));
    g.bench_function("simd", |b| b.iter(|| simd::sum_lanes(black_box(&row))));
    g.finish();
}

criterion_group!(benches, layouts, precisions, kernels);
criterion_main!(benches);
