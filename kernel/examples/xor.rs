//! XOR learned by RRR with the kernel alone: a 2-4-2 classifier described
//! by its edge lists, the problem (graph, layout, parameters, batch), buffers allocated with the lengths `Sizes` reports,
//! the iterate set by a forward pass, then SIMD RRR iterations until
//! RRR_err is small; the consensus weights then classify the four items.
//! Run with `cargo run -p lwl-kernel --release --example xor`.

use lwl_kernel::activation::Activation;
use lwl_kernel::class::ClassMode;
use lwl_kernel::counters::Counters;
use lwl_kernel::graph::{Net, NodeKind::*, build_out_lists};
use lwl_kernel::layout::Layout;
use lwl_kernel::network::{self, Batch, BlockStats, Params, Problem, Sizes, State, Work};

fn main() {
    // Nodes 0-1 inputs, 2-5 hidden (each reads both inputs), 6-7 classes
    // (each reads every hidden node); edges numbered by receiving node.
    let kinds = [Input, Input, Hidden, Hidden, Hidden, Hidden, Class, Class];
    let in_start = [0, 0, 0, 2, 4, 6, 8, 12, 16];
    let src = [0, 1, 0, 1, 0, 1, 0, 1, 2, 3, 4, 5, 2, 3, 4, 5];
    let (mut out_start, mut out_edge) = ([0u32; 9], [0u32; 16]);
    build_out_lists(kinds.len(), &in_start, &src, &mut out_start, &mut out_edge).expect("edge lists");
    let net = Net::new(&kinds, &in_start, &src, &out_start, &out_edge).expect("a valid net");
    let layout = Layout::preferred(4).expect("four items");
    let s = Sizes::new(&net, &layout).expect("sizes");
    let (n, items) = (net.nodes(), [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]);
    let (mut values, mut labels) = (vec![0.0; s.node], vec![0u32; s.items]);
    for (k, xy) in items.iter().enumerate() {
        values[layout.at(k, 0, n)] = xy[0];
        values[layout.at(k, 1, n)] = xy[1];
        labels[k] = u32::from(xy[0] != xy[1]);
    }
    let batch = Batch { values: &values, labels: &labels, code_items: 0 };
    let p = Params {
        beta: 0.5,
        gamma: 1.0,
        omega: 2.0,
        upsilon: 1.0,
        margin: 0.5,
        activation: Activation::Relu,
        class_mode: ClassMode::Plain,
    };
    let pr = Problem { net: &net, layout: &layout, params: &p, batch };
    // Initial weights from a small linear congruential generator, biases 0.
    let mut seed = 12345u64;
    let weights0: Vec<f64> = (0..net.edges())
        .map(|_| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect();
    let (mut w, mut x, mut y, mut b) = (vec![0.0; s.edge], vec![0.0; s.edge], vec![0.0; s.node], vec![0.0; s.node]);
    let mut st = State { w: &mut w, x: &mut x, y: &mut y, b: &mut b };
    let (mut tv, mut ty) = (vec![0.0; n], vec![0.0; n]);
    assert!(network::init_forward(&pr, (&weights0, &vec![0.0; n]), network::Settle::ONCE, &mut st, &mut tv, &mut ty));
    let f = |len: usize| vec![0.0; len];
    let (mut wt, mut bi, mut xa, mut ya, mut ba) = (f(s.weights), f(s.biases), f(s.node), f(s.node), f(s.node));
    let (mut xsum, mut wsum, mut roots, mut scratch) = (f(s.xsum), f(s.wsum), f(s.node), f(s.scratch));
    let (mut stats, mut used) = (vec![BlockStats::default(); s.blocks], vec![0u32; s.items]);
    let mut wk = Work {
        weights: &mut wt,
        biases: &mut bi,
        xa: &mut xa,
        ya: &mut ya,
        ba: &mut ba,
        xsum: &mut xsum,
        wsum: &mut wsum,
        stats: &mut stats,
        roots: &mut roots,
        scratch: &mut scratch,
        used_label: &mut used,
    };
    let mut cnt = Counters::default();
    for it in 1..=5000 {
        let r = network::iterate(&pr, &mut st, &mut wk, &mut cnt).expect("buffers fit");
        if it % 500 == 0 || r.rrr_err < 1e-9 {
            println!("iteration {it:5}  RRR_err {:.3e}", r.rrr_err);
        }
        if r.rrr_err < 1e-9 {
            break;
        }
    }
    for xy in &items {
        let (mut v, mut yy) = (vec![0.0; n], vec![0.0; n]);
        v[..2].copy_from_slice(xy);
        network::forward(&net, &p, wk.weights, wk.biases, &mut v, &mut yy);
        println!("{xy:?} -> class {:?}", network::predict(&net, &v));
    }
}
