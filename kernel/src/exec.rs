//! Executors for independent per-block tasks. The kernel splits an
//! iteration into phases whose work is independent across layout blocks
//! (each task owns its block's slices) and combines the per-block results
//! by a tree fixed by block index ([`reduce`]), so the result is the same
//! bit for bit however the tasks are scheduled. [`Serial`] runs them in order; a caller with threads (the
//! `lwl` runner has a team of spinning threads) implements [`Executor`] to run them in parallel.
//!
//! Several processes can split a batch's blocks likewise ([`Group`]): each
//! runs the tasks of the blocks it owns, and between phases [`reduce`]
//! shares the largest subtrees of the block tree ([`Group::share`]), so
//! that every process ends with the same sums, the same bits as one process
//! alone ([`Alone`]).

/// Runs independent tasks.
pub trait Executor {
    /// Calls `f` on every task of `tasks`, in any order, possibly in
    /// parallel; returns when all are done.
    fn run<T, I, F>(&self, tasks: I, f: F)
    where
        T: Send,
        I: Iterator<Item = T> + Send,
        F: Fn(T) + Sync + Send;
}

/// Runs tasks one after another on the calling thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct Serial;

impl Executor for Serial {
    fn run<T, I, F>(&self, tasks: I, f: F)
    where
        T: Send,
        I: Iterator<Item = T> + Send,
        F: Fn(T) + Sync + Send,
    {
        tasks.for_each(f);
    }
}

/// Processes that split a batch's layout blocks between them (data
/// parallelism across machines): process `rank()` of `ranks()` computes the
/// blocks [`owner`] gives it (contiguous ranges in rank order), and the
/// per-block results are combined with [`reduce`] (sums over blocks, by a
/// tree fixed by block index) or copied to all with [`Group::share`] (rows
/// every process needs).
pub trait Group: Sync {
    /// This process's index, below [`Group::ranks`].
    fn rank(&self) -> usize;
    /// The number of processes.
    fn ranks(&self) -> usize;
    /// Whether this process computes block `blk` of `blocks`.
    fn owns(&self, blk: usize, blocks: usize) -> bool {
        owner(blk, blocks, self.ranks()) == self.rank()
    }
    /// Copies the segments of the blocks `which` picks from their owners to
    /// every other process: block `blk`'s segment is
    /// `data[blk · stride + offset ..][..len]`, for the `data.len() / stride`
    /// blocks of `data`. Every process passes the same arguments (and
    /// `which` the same answers); the owners' segments are left as they are.
    fn share<T: bytemuck::Pod, W: Fn(usize) -> bool>(
        &self,
        data: &mut [T],
        stride: usize,
        offset: usize,
        len: usize,
        which: W,
    );
}

/// The process of `processes` that owns block `blk` of `blocks` when the
/// blocks are split into contiguous ranges in process order, as even as
/// they go (sizes differ by one block at most); `0` for degenerate
/// arguments.
pub fn owner(blk: usize, blocks: usize, processes: usize) -> usize {
    if blocks == 0 || processes == 0 || blk >= blocks {
        return 0;
    }
    // (blk · processes) / blocks without overflow for any realistic sizes
    ((blk as u128 * processes as u128) / blocks as u128) as usize
}

/// One process owning every block: sharing does nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Alone;

impl Group for Alone {
    fn rank(&self) -> usize {
        0
    }
    fn ranks(&self) -> usize {
        1
    }
    fn share<T: bytemuck::Pod, W: Fn(usize) -> bool>(&self, _: &mut [T], _: usize, _: usize, _: usize, _: W) {}
}

/// Sums the blocks' segments of `data` (as in [`Group::share`]) into block
/// 0's segment with `add(acc, other)`, by a binary tree fixed by block
/// index: the node of level `l` at block `b` (a multiple of `2^l`) covers
/// blocks `b .. b + 2^l` and is its left child plus its right child (at
/// block `b + 2^(l−1)`, when there is one). Each process computes the
/// nodes whose blocks it owns, the largest of them are shared, and every
/// process computes the rest: the same bits for every number of processes,
/// with `O(log blocks)` segments sent per process. The other blocks'
/// segments are left holding partial sums. Nothing happens when `stride`
/// is 0 or `offset + len > stride`.
pub fn reduce<G: Group, T: bytemuck::Pod>(
    group: &G,
    data: &mut [T],
    stride: usize,
    offset: usize,
    len: usize,
    add: impl Fn(&mut [T], &[T]),
) {
    if stride == 0 || offset.saturating_add(len) > stride {
        return;
    }
    let blocks = data.len() / stride;
    let (me, ranks) = (group.rank(), group.ranks());
    // the process owning every block of node (b, l), if one does
    let single = |b: usize, l: u32| {
        let last = b.saturating_add(1usize.checked_shl(l).unwrap_or(usize::MAX)).min(blocks) - 1;
        let o = owner(b, blocks, ranks);
        (o == owner(last, blocks, ranks)).then_some(o)
    };
    let levels = usize::BITS - blocks.saturating_sub(1).leading_zeros();
    // node (b, l) += its right child, when it has one, for the elements
    // `cols` of the segment
    let join = |data: &mut [T], b: usize, l: u32, cols: &core::ops::Range<usize>| {
        let r = b + (1 << (l - 1));
        if r < blocks {
            let (lo, hi) = data.split_at_mut(r * stride);
            let at = offset + cols.start;
            add(&mut lo[b * stride + at..b * stride + offset + cols.end], &hi[at..offset + cols.end]);
        }
    };
    // the tree's levels over one tile of columns at a time, so that the
    // blocks' parts of a tile stay in cache while the tree climbs (the
    // elements are independent: the bits do not depend on the tiling)
    let tiles = |data: &mut [T], pick: &dyn Fn(usize, u32) -> bool| {
        for start in (0..len).step_by(TILE) {
            let cols = start..(start + TILE).min(len);
            for l in 1..=levels {
                for b in (0..blocks).step_by(1 << l) {
                    if pick(b, l) {
                        join(data, b, l, &cols);
                    }
                }
            }
        }
    };
    tiles(data, &|b, l| single(b, l) == Some(me));
    // a block starts a largest single-owner node when that node is not the
    // right child of a single-owner parent (a left child's parent starts
    // at the same block and is larger only if it is single-owner too)
    let largest = |b: usize| {
        let top = (0..=levels).take_while(|&l| b.trailing_zeros() >= l && single(b, l).is_some()).last().unwrap_or(0);
        let step = 1usize << top;
        b.is_multiple_of(step << 1) || single(b - step, top + 1).is_none()
    };
    group.share(data, stride, offset, len, largest);
    tiles(data, &|b, l| single(b, l).is_none());
}

/// Elements of a segment [`reduce`] climbs the tree with at a time (4 KB
/// of f64).
const TILE: usize = 512;

/// `acc += other`, element by element: the [`reduce`] of sums.
pub fn add_f64(acc: &mut [f64], other: &[f64]) {
    for (a, o) in acc.iter_mut().zip(other) {
        *a += o;
    }
}
