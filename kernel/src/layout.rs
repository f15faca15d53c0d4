//! Structure-of-arrays layout of batch state.
//!
//! Batch items are grouped into blocks of `block` lanes (a multiple of
//! [`LANES`]); within a block the item index is innermost. A per-edge
//! variable of item `k = blk * block + kk` lives at
//! `(blk * E + e) * block + kk`, a per-node variable at
//! `(blk * N + i) * block + kk`. One block holding the whole (padded) batch is
//! the batch-innermost layout `w[e * K + k]` of docs/design.md; smaller blocks keep one
//! block's state together ("blocks of items"). Padding lanes past the last
//! item are computed like real items but never enter sums or errors.

use crate::simd::LANES;

/// Why a layout was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutError {
    /// The batch is empty.
    NoItems,
    /// The block is 0 or not a multiple of the lane count.
    BadBlock,
    /// Sizes overflow `usize`.
    TooLarge,
}

/// Block structure of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    items: usize,
    block: usize,
    blocks: usize,
}

/// Largest block of [`Layout::preferred`].
pub const PREFERRED_BLOCK: usize = 16;

/// Rounds `n` up to a multiple of [`LANES`]; `None` on overflow.
pub fn round_up(n: usize) -> Option<usize> {
    n.div_ceil(LANES).checked_mul(LANES)
}

impl Layout {
    /// `items` batch items in blocks of `block` lanes.
    pub fn new(items: usize, block: usize) -> Result<Self, LayoutError> {
        if items == 0 {
            return Err(LayoutError::NoItems);
        }
        if block == 0 || !block.is_multiple_of(LANES) {
            return Err(LayoutError::BadBlock);
        }
        let blocks = items.div_ceil(block);
        blocks.checked_mul(block).ok_or(LayoutError::TooLarge)?;
        Ok(Self { items, block, blocks })
    }

    /// One block holding the whole batch: `w[e * K + k]` (docs/design.md).
    pub fn batch_innermost(items: usize) -> Result<Self, LayoutError> {
        Self::new(items, round_up(items.max(1)).ok_or(LayoutError::TooLarge)?)
    }

    /// The layout measured fastest for networks: blocks of at most
    /// [`PREFERRED_BLOCK`] items, the batch split evenly. A block of 16 items
    /// is one chunk of the bilinear sweep (four lane groups), so the rows a
    /// node's projection reads are one contiguous stream; measured with
    /// `lwl bench --block N` (MNIST classifier, one thread: blocks of 16
    /// 2.4 s/GWM, of 128 5.7 s/GWM, one block of 1000 5.1 s/GWM on the
    /// 2-core Xeon of BENCHMARKS.md).
    pub fn preferred(items: usize) -> Result<Self, LayoutError> {
        Self::split(items, PREFERRED_BLOCK)
    }

    /// `items` split evenly into the fewest blocks of at most `max_block`
    /// items (each rounded up to whole lane groups).
    pub fn split(items: usize, max_block: usize) -> Result<Self, LayoutError> {
        let blocks = items.max(1).div_ceil(max_block.max(1));
        Self::new(items, round_up(items.max(1).div_ceil(blocks)).ok_or(LayoutError::TooLarge)?)
    }

    /// Number of real batch items `|K|`.
    pub fn items(&self) -> usize {
        self.items
    }
    /// Lanes per block.
    pub fn block(&self) -> usize {
        self.block
    }
    /// Number of blocks.
    pub fn blocks(&self) -> usize {
        self.blocks
    }
    /// Total lanes, padding included.
    pub fn lanes(&self) -> usize {
        self.block * self.blocks
    }
    /// Real items in block `blk`.
    pub fn real(&self, blk: usize) -> usize {
        self.items.saturating_sub(blk * self.block).min(self.block)
    }
    /// Offset of row `r` (of `rows` per block) in block `blk`.
    #[inline(always)]
    pub fn row(&self, blk: usize, r: usize, rows: usize) -> usize {
        (blk * rows + r) * self.block
    }
    /// Offset of item `k`'s value in row `r` (of `rows` per block).
    #[inline(always)]
    pub fn at(&self, k: usize, r: usize, rows: usize) -> usize {
        self.row(k / self.block, r, rows) + k % self.block
    }
    /// Length of a buffer with `rows` rows per block (per-edge: `rows = E`;
    /// per-node: `rows = N`). `None` on overflow.
    pub fn len(&self, rows: usize) -> Option<usize> {
        rows.checked_mul(self.lanes())
    }
}
