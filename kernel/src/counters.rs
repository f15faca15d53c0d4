//! Work counters: the paper's unit (weight-multiplies, eq. 24) and, per
//! operation, how many (item, edge) or (item, node) pairs were processed, so a
//! profile of where work goes needs no timer.

/// Counts accumulated over RRR iterations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct Counters {
    /// RRR iterations.
    pub iterations: u64,
    /// Weight-multiplies, `|K| |E|` per iteration (eq. 24).
    pub weight_multiplies: u64,
    /// (item, edge) pairs summed into weight consensus.
    pub weight_consensus: u64,
    /// (item, edge) pairs summed into node-value consensus.
    pub node_consensus: u64,
    /// (item, edge) pairs through the bilinear projection (dot products and
    /// eq. 19 together).
    pub bilinear: u64,
    /// (item, edge) pairs updated (`v += β(p - a)`).
    pub update: u64,
    /// (item, node) pairs through node constraints (activation, fixed,
    /// class, bias consensus).
    pub node_ops: u64,
    /// Bilinear root solves.
    pub newton_solves: u64,
    /// Newton steps summed over solves (lane-parallel solves count the
    /// steps of their slowest lane for every lane).
    pub newton_steps: u64,
    /// Largest number of Newton steps of one solve.
    pub newton_steps_max: u64,
    /// Solves that used all `NEWTON_ITER` steps without converging.
    pub newton_cap_hits: u64,
    /// Bisection cut-backs.
    pub bisections: u64,
    /// Solves whose input violated `q > 2|p|` (eq. 18).
    pub degenerate: u64,
    /// Solves with non-finite input or result.
    pub nonfinite: u64,
    /// NMF weight columns whose averages were all non-positive (section 4.2).
    pub nonpositive_columns: u64,
}

impl Counters {
    /// One RRR iteration over `pairs` (item, edge) pairs, each taking part
    /// once in every per-pair operation of eq. 24 (weight-multiplies,
    /// both consensus steps, the bilinear projection, the update).
    pub fn iteration(&mut self, pairs: u64) {
        self.iterations += 1;
        self.weight_multiplies += pairs;
        self.weight_consensus += pairs;
        self.node_consensus += pairs;
        self.bilinear += pairs;
        self.update += pairs;
    }

    /// Giga weight-multiplies (eq. 24).
    pub fn gwms(&self) -> f64 {
        self.weight_multiplies as f64 * 1e-9
    }

    /// Records one scalar solve.
    pub fn record_solve(&mut self, r: &crate::bilinear::Root) {
        use crate::bilinear::{NEWTON_ITER, Status};
        self.newton_solves += 1;
        self.newton_steps += r.steps as u64;
        self.newton_steps_max = self.newton_steps_max.max(r.steps as u64);
        self.bisections += r.bisections as u64;
        match r.status {
            Status::StepCap => self.newton_cap_hits += 1,
            Status::Degenerate => self.degenerate += 1,
            Status::NonFinite => self.nonfinite += 1,
            Status::Converged => {}
        }
        if r.steps == NEWTON_ITER && r.status != Status::Converged && r.status != Status::StepCap {
            self.newton_cap_hits += 1;
        }
    }

    /// Adds another set of counts (for per-thread or per-batch totals).
    pub fn add(&mut self, o: &Counters) {
        self.iterations += o.iterations;
        self.weight_multiplies += o.weight_multiplies;
        self.weight_consensus += o.weight_consensus;
        self.node_consensus += o.node_consensus;
        self.bilinear += o.bilinear;
        self.update += o.update;
        self.node_ops += o.node_ops;
        self.newton_solves += o.newton_solves;
        self.newton_steps += o.newton_steps;
        self.newton_steps_max = self.newton_steps_max.max(o.newton_steps_max);
        self.newton_cap_hits += o.newton_cap_hits;
        self.bisections += o.bisections;
        self.degenerate += o.degenerate;
        self.nonfinite += o.nonfinite;
        self.nonpositive_columns += o.nonpositive_columns;
    }
}

/// Results of one layout block in the SIMD paths, added by the block tree
/// of [`crate::exec::reduce`]
/// (and shared between processes that split the blocks).
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct BlockStats {
    /// The block's share of the RRR_err sum.
    pub err: f64,
    /// The block's counters.
    pub counters: Counters,
}

impl BlockStats {
    /// The sum of every block's `stats` over the processes of `group` (by
    /// the block tree of [`crate::exec::reduce`], which leaves partial sums
    /// in `stats`); zero for no blocks.
    pub fn total<G: crate::exec::Group>(group: &G, stats: &mut [BlockStats]) -> BlockStats {
        crate::exec::reduce(group, stats, 1, 0, 1, |a, o| {
            a[0].err += o[0].err;
            a[0].counters.add(&o[0].counters);
        });
        stats.first().copied().unwrap_or_default()
    }
}
