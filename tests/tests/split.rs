//! A batch's blocks split over several processes (`network::run_split`, the
//! MPI job's iteration) give the same bits as one process: each process
//! computes the blocks it owns, the per-block results are shared after
//! every phase and reduced in block order by all. The processes are
//! simulated here by threads, each with its own buffers, exchanging
//! through shared memory what MPI's allgather would send.

use std::sync::{Arc, Barrier, Mutex};

use lwl_kernel::class::ClassMode;
use lwl_kernel::exec::{self, Group};
use lwl_kernel::layout::Layout;
use lwl_kernel::network::Report;
use lwl_runners::engine::ranks::Plan;
use lwl_runners::engine::{Method, NetBuffers, Pool};
use lwl_runners::workloads::{config, prepare};
use lwl_tests::{CLASS_ITEMS, class_params, class_setup, class_spec};

/// What the simulated processes exchange: one byte slot per process.
struct Hub {
    barrier: Barrier,
    slots: Mutex<Vec<Vec<u8>>>,
    sent: Mutex<usize>,
}

/// One simulated process of `size`; `share: false` makes a broken group
/// that splits the blocks but never shares (the test must see it).
struct Sim {
    rank: usize,
    size: usize,
    hub: Arc<Hub>,
    share: bool,
}

impl Group for Sim {
    fn rank(&self) -> usize {
        self.rank
    }

    fn ranks(&self) -> usize {
        self.size
    }

    fn share<T: bytemuck::Pod, W: Fn(usize) -> bool>(
        &self,
        data: &mut [T],
        stride: usize,
        offset: usize,
        len: usize,
        which: W,
    ) {
        if !self.share {
            return;
        }
        let plan = Plan::new(data, stride, len, self.size, which);
        let mine = plan.mine(data, (stride, offset, self.rank));
        *self.hub.sent.lock().unwrap() += mine.len();
        self.hub.slots.lock().unwrap()[self.rank] = mine;
        self.hub.barrier.wait();
        let all: Vec<u8> = self.hub.slots.lock().unwrap().concat();
        self.hub.barrier.wait();
        plan.unpack(data, (stride, offset, self.rank), &all);
    }
}

/// What a run leaves that must not depend on the split: every report, the
/// consensus, the labels used, the counters.
#[derive(Debug, PartialEq)]
struct Outcome {
    reports: Vec<(u64, usize)>,
    weights: Vec<u64>,
    biases: Vec<u64>,
    used_label: Vec<u32>,
    counters: lwl_kernel::counters::Counters,
}

fn outcome(buf: &NetBuffers, reports: Vec<Report>) -> Outcome {
    Outcome {
        reports: reports.iter().map(|r| (r.rrr_err.to_bits(), r.selected)).collect(),
        weights: buf.weights.iter().map(|w| w.to_bits()).collect(),
        biases: buf.biases.iter().map(|b| b.to_bits()).collect(),
        used_label: buf.used_label.clone(),
        counters: buf.counters,
    }
}

/// Runs `iters` iterations (in two runs, so the second starts from a
/// split iterate) on `size` simulated processes, each building its buffers
/// with `make`; returns every process's outcome.
fn split_runs<M>(size: usize, share: bool, threads: usize, iters: usize, make: M) -> Vec<Outcome>
where
    M: Fn() -> (NetBuffers, lwl_runners::formats::netfile::NetSpec, lwl_kernel::network::Params) + Sync,
{
    let hub =
        Arc::new(Hub { barrier: Barrier::new(size), slots: Mutex::new(vec![Vec::new(); size]), sent: Mutex::new(0) });
    std::thread::scope(|sc| {
        let runs: Vec<_> = (0..size)
            .map(|rank| {
                let (hub, make) = (hub.clone(), &make);
                sc.spawn(move || {
                    let g = Sim { rank, size, hub, share };
                    let pool = (threads > 1).then(|| Pool::new(threads).unwrap());
                    let (mut buf, spec, p) = make();
                    let net = spec.net().unwrap();
                    let mut reports = Vec::new();
                    for part in [iters / 2, iters - iters / 2] {
                        buf.run_split(&g, pool.as_ref(), &net, &p, Method::Simd, part, |r| {
                            reports.push(*r);
                            true
                        })
                        .unwrap();
                    }
                    outcome(&buf, reports)
                })
            })
            .collect();
        runs.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn majority(
    layout: Layout,
) -> impl Fn() -> (NetBuffers, lwl_runners::formats::netfile::NetSpec, lwl_kernel::network::Params) + Sync {
    move || {
        let r = prepare(config("majority").unwrap(), layout, 9).unwrap();
        (r.buf, r.spec, r.params)
    }
}

#[test]
fn majority_split_over_1_to_5_processes_equals_one_process() {
    // 128 items in blocks of 16: 8 blocks; 5 processes own 1 or 2 each
    let layout = Layout::new(128, 16).unwrap();
    let alone = split_runs(1, true, 1, 8, majority(layout)).pop().unwrap();
    // one simulated process is the plain run of one process
    let (mut buf, spec, p) = majority(layout)();
    let net = spec.net().unwrap();
    let mut reports = Vec::new();
    for part in [4, 4] {
        buf.run_on(None, &net, &p, Method::Simd, part, |r| {
            reports.push(*r);
            true
        })
        .unwrap();
    }
    assert_eq!(outcome(&buf, reports), alone);
    for (size, threads) in [(2, 1), (3, 2), (5, 1), (8, 1)] {
        for (rank, got) in split_runs(size, true, threads, 8, majority(layout)).into_iter().enumerate() {
            assert_eq!(got, alone, "rank {rank} of {size}, {threads} threads each");
        }
    }
}

#[test]
fn more_processes_than_blocks_and_a_short_last_block() {
    // 100 items in blocks of 36: 3 blocks, the last with padding; 4
    // processes, one of them without a block
    let layout = Layout::new(100, 36).unwrap();
    let mk = move || {
        let mut r = prepare(config("majority").unwrap(), Layout::new(128, 16).unwrap(), 3).unwrap();
        // the same net and parameters on a batch of 100 items in this layout
        let net = r.spec.net().unwrap();
        let mut buf = NetBuffers::new(&net, layout).unwrap();
        let n = net.nodes();
        for k in 0..100 {
            for i in 0..n {
                buf.values[layout.at(k, i, n)] = r.buf.values[r.buf.layout.at(k, i, n)];
            }
            buf.labels[k] = r.buf.labels[k];
        }
        r.params.class_mode = ClassMode::Exempt(7);
        let (w, b) = (vec![0.3; net.edges()], vec![0.0; n]);
        buf.init_forward(&net, &r.params, lwl_kernel::network::Settle::ONCE, &w, &b);
        (buf, r.spec, r.params)
    };
    let alone = split_runs(1, true, 1, 6, mk).pop().unwrap();
    assert!(alone.reports.iter().any(|r| r.1 > 0), "the exemptions select items");
    for (rank, got) in split_runs(4, true, 1, 6, mk).into_iter().enumerate() {
        assert_eq!(got, alone, "rank {rank} of 4");
    }
}

#[test]
fn golden_relabelling_case_split_over_processes() {
    let spec = class_spec("class_x_13_8_2_ee2");
    let layout = Layout::new(CLASS_ITEMS, 8).unwrap();
    let mk = || {
        let p = class_params(ClassMode::Relabel(2));
        (class_setup("class_x_13_8_2_ee2", p.class_mode, &spec, layout), spec.clone(), p)
    };
    let alone = split_runs(1, true, 1, 20, mk).pop().unwrap();
    for (rank, got) in split_runs(3, true, 1, 20, mk).into_iter().enumerate() {
        assert_eq!(got, alone, "rank {rank} of 3");
    }
}

#[test]
fn a_split_without_sharing_is_seen() {
    // the check above can fail: processes that split the blocks but never
    // share them end elsewhere
    let layout = Layout::new(128, 16).unwrap();
    let alone = split_runs(1, true, 1, 4, majority(layout)).pop().unwrap();
    let broken = split_runs(2, false, 1, 4, majority(layout));
    assert!(broken.iter().all(|o| o.weights != alone.weights));
}

/// The tree of `exec::reduce` written out: node (b, l) is its left child
/// plus its right child, when there is one.
fn tree(v: &[f64], b: usize, l: u32) -> f64 {
    if l == 0 {
        return v[b];
    }
    let r = b + (1 << (l - 1));
    if r < v.len() { tree(v, b, l - 1) + tree(v, r, l - 1) } else { tree(v, b, l - 1) }
}

#[test]
fn the_block_reduction_is_one_fixed_tree_and_sends_few_segments() {
    for blocks in [1usize, 2, 5, 37, 64] {
        // three values per block, of mixed sizes so that the order shows
        let vals: Vec<f64> =
            (0..blocks * 3).map(|i| 1.0 / (i as f64 + 0.3) * if i % 3 == 0 { 1e12 } else { 1.0 }).collect();
        let levels = usize::BITS - (blocks - 1).leading_zeros();
        let want: Vec<u64> = (0..3)
            .map(|j| tree(&(0..blocks).map(|b| vals[3 * b + j]).collect::<Vec<_>>(), 0, levels).to_bits())
            .collect();
        for size in 1..=7 {
            let hub = Arc::new(Hub {
                barrier: Barrier::new(size),
                slots: Mutex::new(vec![Vec::new(); size]),
                sent: Mutex::new(0),
            });
            let got: Vec<Vec<u64>> = std::thread::scope(|sc| {
                let hs: Vec<_> = (0..size)
                    .map(|rank| {
                        let (hub, vals) = (hub.clone(), vals.clone());
                        sc.spawn(move || {
                            let g = Sim { rank, size, hub, share: true };
                            let mut v = vals;
                            // what other processes own is unknown here
                            for b in (0..blocks).filter(|&b| !g.owns(b, blocks)) {
                                v[3 * b..3 * b + 3].fill(f64::NAN);
                            }
                            exec::reduce(&g, &mut v, 3, 0, 3, exec::add_f64);
                            v[..3].iter().map(|x| x.to_bits()).collect()
                        })
                    })
                    .collect();
                hs.into_iter().map(|h| h.join().unwrap()).collect()
            });
            for (rank, g) in got.iter().enumerate() {
                assert_eq!(g, &want, "{blocks} blocks, rank {rank} of {size}");
            }
            // each process sends at most two segments per tree level
            let segments = *hub.sent.lock().unwrap() / 24;
            assert!(
                segments <= size * (2 * levels as usize + 1),
                "{segments} segments, {blocks} blocks, {size} processes"
            );
        }
    }
}
