//! Executors for independent per-block tasks. The kernel splits an
//! iteration into phases whose work is independent across layout blocks
//! (each task owns its block's slices) and reduces the per-block results in
//! block order, so the result is the same bit for bit however the tasks are
//! scheduled. [`Serial`] runs them in order; a caller with threads (the
//! `lwl` runner has a team of spinning threads) implements [`Executor`] to run them in parallel.
//!
//! Several processes can split a batch's blocks likewise ([`Group`]): each
//! runs the tasks of the blocks it owns, and between phases the per-block
//! results are copied to every process ([`Group::share`]), so that every
//! process reduces all blocks' results in block order and holds the same
//! bits as one process alone ([`Alone`]).

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
/// parallelism across machines): each computes the blocks it owns, and the
/// per-block results the iteration reduces are shared after every phase.
/// Every process must own the same blocks in every call for the same block
/// count.
pub trait Group: Sync {
    /// Whether this process computes block `blk` of `blocks`.
    fn owns(&self, blk: usize, blocks: usize) -> bool;
    /// Copies every block's segment of `data` from the process that owns the
    /// block to all others: block `blk`'s segment is
    /// `data[blk · stride + offset ..][..len]`, for the `data.len() / stride`
    /// blocks of `data` (in blocks of `stride` elements). Segments of the
    /// owned blocks are left as they are.
    fn share<T: bytemuck::Pod>(&self, data: &mut [T], stride: usize, offset: usize, len: usize);
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
    fn owns(&self, _: usize, _: usize) -> bool {
        true
    }
    fn share<T: bytemuck::Pod>(&self, _: &mut [T], _: usize, _: usize, _: usize) {}
}
