//! Network description and batch layout: `build_out_lists` never panics and,
//! when it succeeds, its out-lists are the transpose of the in-lists (edges
//! in increasing order); `Net::new` then accepts exactly the nets that obey
//! the kind rules, and never panics on arbitrary out-lists. `Layout::new`,
//! `batch_innermost` and `preferred` never panic, accept exactly items > 0
//! with a block that is a positive multiple of 4, and cover every item.
#![no_main]
#[path = "common.rs"]
mod common;

use common::Bytes;
use libfuzzer_sys::fuzz_target;
use lwl_kernel::graph::{Net, NodeKind, build_out_lists};
use lwl_kernel::layout::{Layout, LayoutError, PREFERRED_BLOCK};

fn check_layout(items: usize, block: usize) {
    let l = Layout::new(items, block);
    let valid = items > 0 && block > 0 && block.is_multiple_of(4);
    assert!(if l == Err(LayoutError::TooLarge) { valid } else { l.is_ok() == valid }, "{items} {block} {l:?}");
    for l in [l, Layout::batch_innermost(items), Layout::preferred(items)].into_iter().flatten() {
        assert!(l.items() == items && l.block() % 4 == 0 && l.lanes() >= items && l.lanes() - items < l.block());
        let real: usize = (0..l.blocks().min(1 << 16)).map(|b| l.real(b)).sum();
        assert!(l.blocks() > 1 << 16 || real == items, "{l:?}");
    }
    if let Ok(l) = Layout::preferred(items) {
        assert!(l.block() <= PREFERRED_BLOCK && l.blocks() == items.div_ceil(PREFERRED_BLOCK), "{l:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let mut r = Bytes(data);
    let (flags, nodes) = (r.u8(), r.u8() as usize % 12);
    let kinds: Vec<NodeKind> = (0..nodes)
        .map(|_| {
            [NodeKind::Input, NodeKind::Hidden, NodeKind::Class, NodeKind::Data, NodeKind::Code][r.u8() as usize % 5]
        })
        .collect();
    // in-edge offsets: cumulative in-degrees, or (flag) arbitrary
    let mut in_start = vec![0u32];
    for _ in 0..nodes {
        let d = r.u8() as u32;
        in_start.push(if flags & 1 != 0 { d % 24 } else { in_start.last().unwrap() + d % 4 });
    }
    let edges = if flags & 2 != 0 { r.u8() as usize % 24 } else { *in_start.last().unwrap() as usize };
    let src: Vec<u32> = (0..edges).map(|_| r.u8() as u32 % (nodes as u32 + (flags as u32 >> 2 & 1)).max(1)).collect();
    let (mut out_start, mut out_edge) = (vec![7; nodes + 1 - (flags as usize >> 3 & 1)], vec![7; edges]);
    if build_out_lists(nodes, &in_start, &src, &mut out_start, &mut out_edge).is_ok() {
        for i in 0..nodes {
            let want: Vec<u32> = (0..edges as u32).filter(|&e| src[e as usize] as usize == i).collect();
            assert_eq!(out_edge[out_start[i] as usize..out_start[i + 1] as usize], want[..], "node {i}");
        }
        let deg = |s: &[u32], i: usize| s[i + 1] - s[i];
        let ok = (0..nodes).all(|i| {
            let k = kinds[i];
            (k == NodeKind::Input) == (deg(&in_start, i) == 0)
                && (deg(&out_start, i) > 0 || matches!(k, NodeKind::Input | NodeKind::Class))
        });
        assert_eq!(Net::new(&kinds, &in_start, &src, &out_start, &out_edge).is_ok(), ok);
    }
    let fake_start: Vec<u32> = (0..=nodes).map(|_| r.u8() as u32 % 26).collect();
    let fake_edge: Vec<u32> = (0..edges).map(|_| r.u8() as u32 % 26).collect();
    let _ = Net::new(&kinds, &in_start, &src, &fake_start, &fake_edge);
    let big = |v: f64| v.to_bits() as usize;
    check_layout(r.u8() as usize | (r.u8() as usize) << 8, r.u8() as usize);
    check_layout(big(r.f64()), big(r.f64()));
});
