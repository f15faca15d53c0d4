//! Owned buffers around the kernel's borrowed network and NMF iterations: the
//! runners, tests and benchmarks allocate here once and iterate many times.

use lwl_kernel::counters::{BlockStats, Counters};
use lwl_kernel::exec::{Group, Serial};
use lwl_kernel::graph::Net;
use lwl_kernel::layout::Layout;
use lwl_kernel::network::general::{AValues, GeneralWork};
use lwl_kernel::network::{self, Batch, Errors, IterError, Params, Problem, Report, Settle, Sizes, State, Work};
use lwl_kernel::nmf;
use lwl_kernel::simd::Storage;

mod aligned;
pub mod cpu;
mod edges;
pub mod netinit;
pub mod parallel;
mod pool;
pub mod ranks;

pub use aligned::Aligned;
pub use edges::{Edges, Precision};
pub use pool::Pool;

/// `Ok` when `bytes` fit in the memory the system reports available
/// (`MemAvailable` of `/proc/meminfo`; where that cannot be read, any size
/// passes and the allocator decides); else a message with both sizes.
pub fn fits_in_memory(bytes: usize) -> Result<(), String> {
    let available = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        let line = t.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
        kb.checked_mul(1024)
    });
    match available {
        Some(a) if bytes > a => Err(format!(
            "needs {bytes} bytes ({:.1} GB) of state, more than the {a} bytes ({:.1} GB) available",
            bytes as f64 / 1e9,
            a as f64 / 1e9
        )),
        _ => Ok(()),
    }
}

/// Which implementation runs an iteration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// The scalar oracle in the reference programs' order (bit-exact).
    Oracle,
    /// The SIMD path.
    Simd,
    /// The generalised update of eq. 47 (scalar), with the parameters' γ.
    General,
}

/// Extra buffers of the generalised update: second A-values and a scratch
/// iterate.
struct GeneralBuffers {
    weights: Vec<f64>,
    xa: Vec<f64>,
    ya: Vec<f64>,
    ba: Vec<f64>,
    w: Vec<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
    b: Vec<f64>,
}

/// All buffers of a network batch: iterate, batch data and work space.
pub struct NetBuffers {
    /// The layout the buffers are sized for.
    pub layout: Layout,
    /// Weight and source-value copies.
    pub edges: Edges,
    /// Pre-activations.
    pub y: Aligned<f64>,
    /// Bias copies.
    pub b: Aligned<f64>,
    /// Fixed node values (inputs, data, codes), per-node layout.
    pub values: Aligned<f64>,
    /// Class labels.
    pub labels: Vec<u32>,
    /// Number of code items at the end of the batch (autoencoder).
    pub code_items: usize,
    /// Consensus weights of the last iteration.
    pub weights: Vec<f64>,
    /// Bias consensus of the last iteration.
    pub biases: Vec<f64>,
    xa: Aligned<f64>,
    ya: Aligned<f64>,
    ba: Aligned<f64>,
    xsum: Aligned<f64>,
    wsum: Vec<f64>,
    stats: Vec<BlockStats>,
    roots: Aligned<f64>,
    scratch: Vec<f64>,
    /// Label each item was projected to in the last iteration.
    pub used_label: Vec<u32>,
    /// Work counters.
    pub counters: Counters,
    /// Which iterations of a SIMD-path run compute RRR_err (default: every
    /// one; the oracle and general update always do).
    pub errors: Errors,
    general: Option<Box<GeneralBuffers>>,
}

impl NetBuffers {
    /// Zeroed buffers for `net` in `layout`, f64 throughout; `None` if sizes
    /// overflow.
    pub fn new(net: &Net, layout: Layout) -> Option<Self> {
        Self::with_precision(net, layout, Precision::F64)
    }

    /// Bytes the buffers of `net` in `layout` take (`None` past `usize`).
    pub fn bytes_needed(net: &Net, layout: &Layout, precision: Precision) -> Option<usize> {
        let s = Sizes::new(net, layout)?;
        let per_edge = match precision {
            Precision::F64 => 16,
            Precision::F32 => 8,
        };
        let words = [s.node.checked_mul(7)?, s.weights, s.biases, s.xsum, s.wsum, s.scratch, s.items];
        let words = words.iter().try_fold(0usize, |a, &w| a.checked_add(w))?;
        let stats = s.blocks.checked_mul(std::mem::size_of::<BlockStats>())?;
        s.edge.checked_mul(per_edge)?.checked_add(words.checked_mul(8)?)?.checked_add(stats)
    }

    /// Zeroed buffers with the edge state stored in `precision`, after
    /// checking that they fit in the memory available ([`fits_in_memory`]);
    /// the error says how many bytes they need.
    pub fn allocate(net: &Net, layout: Layout, precision: Precision) -> Result<Self, String> {
        let bytes = Self::bytes_needed(net, &layout, precision)
            .ok_or_else(|| format!("{} items of a {}-edge net: sizes overflow", layout.items(), net.edges()))?;
        fits_in_memory(bytes)?;
        Self::with_precision(net, layout, precision).ok_or_else(|| "sizes overflow".to_string())
    }

    /// Zeroed buffers with the edge state stored in `precision`; `None` if
    /// sizes overflow.
    pub fn with_precision(net: &Net, layout: Layout, precision: Precision) -> Option<Self> {
        let s = Sizes::new(net, &layout)?;
        Some(Self {
            layout,
            edges: Edges::new(precision, s.edge),
            y: Aligned::zeroed(s.node),
            b: Aligned::zeroed(s.node),
            values: Aligned::zeroed(s.node),
            labels: vec![0; s.items],
            code_items: 0,
            weights: vec![0.0; s.weights],
            biases: vec![0.0; s.biases],
            xa: Aligned::zeroed(s.node),
            ya: Aligned::zeroed(s.node),
            ba: Aligned::zeroed(s.node),
            xsum: Aligned::zeroed(s.xsum),
            wsum: vec![0.0; s.wsum],
            stats: vec![BlockStats::default(); s.blocks],
            roots: Aligned::zeroed(s.node),
            scratch: vec![0.0; s.scratch],
            used_label: vec![0; s.items],
            counters: Counters::default(),
            errors: Errors::Every,
            general: None,
        })
    }

    /// Bytes of the iterate (`w`, `x`, `y`, `b`).
    pub fn state_bytes(&self) -> usize {
        self.edges.bytes() + 8 * (self.y.len() + self.b.len())
    }

    /// Forgets the bilinear roots the SIMD path warm-starts from: call when
    /// the iterate is set anew (a new batch), so that a run's bits depend on
    /// the batch alone (resumed runs equal uninterrupted ones).
    pub fn cold_start(&mut self) {
        self.roots.fill(0.0);
    }

    /// Sets the iterate by a forward pass from consensus weights and biases,
    /// settled as `s` says on a net with cycles (and starts the roots cold).
    pub fn init_forward(&mut self, net: &Net, p: &Params, s: Settle, weights: &[f64], biases: &[f64]) -> bool {
        self.cold_start();
        let batch = Batch { values: &self.values, labels: &self.labels, code_items: self.code_items };
        let pr = Problem { net, layout: &self.layout, params: p, batch };
        let (mut tv, mut ty) = (vec![0.0; net.nodes()], vec![0.0; net.nodes()]);
        let (y, b) = (&mut *self.y, &mut *self.b);
        let start = (weights, biases);
        match &mut self.edges {
            Edges::F64 { w, x } => network::init_forward(&pr, start, s, &mut State { w, x, y, b }, &mut tv, &mut ty),
            Edges::F32 { w, x } => network::init_forward(&pr, start, s, &mut State { w, x, y, b }, &mut tv, &mut ty),
        }
    }

    /// One RRR iteration on the calling thread.
    pub fn iterate(&mut self, net: &Net, p: &Params, method: Method) -> Result<Report, IterError> {
        self.iterate_on(None, net, p, method)
    }

    /// One RRR iteration; the SIMD path runs its per-block phases on `pool`
    /// when given and the layout has more than one block.
    pub fn iterate_on(
        &mut self,
        pool: Option<&Pool>,
        net: &Net,
        p: &Params,
        method: Method,
    ) -> Result<Report, IterError> {
        let mut last = Report { rrr_err: 0.0, selected: 0 };
        self.run_on(pool, net, p, method, 1, |r| {
            last = *r;
            false
        })?;
        Ok(last)
    }

    /// Up to `iters` RRR iterations; `each` sees every report and says
    /// whether to go on. Returns the iterations done. The SIMD path sweeps
    /// the edge state once per iteration after the first (see
    /// `network::run_with`), with the same results as single iterations,
    /// and splits the blocks over the ranks of an MPI job ([`ranks`]).
    pub fn run_on(
        &mut self,
        pool: Option<&Pool>,
        net: &Net,
        p: &Params,
        method: Method,
        iters: usize,
        each: impl FnMut(&Report) -> bool + Send,
    ) -> Result<usize, IterError> {
        let world = ranks::world();
        if world.size > 1 && method == Method::Simd {
            self.check_same_batch(p, iters);
        }
        self.run_split(world, pool, net, p, method, iters, each)
    }

    /// [`Self::run_on`] with the SIMD path's blocks split over the processes
    /// of `group` (`network::run_split`): every process calls it on the same
    /// batch and ends with the same consensus, reports and counters.
    #[allow(clippy::too_many_arguments)]
    pub fn run_split<G: Group>(
        &mut self,
        group: &G,
        pool: Option<&Pool>,
        net: &Net,
        p: &Params,
        method: Method,
        iters: usize,
        mut each: impl FnMut(&Report) -> bool + Send,
    ) -> Result<usize, IterError> {
        if method == Method::Simd {
            let (layout, errors) = (self.layout, self.errors);
            let (batch, edges, y, b, mut wk, cnt) = self.parts();
            let pr = Problem { net, layout: &layout, params: p, batch };
            let run = (iters, errors);
            return match edges {
                Edges::F64 { w, x } => fast(pool, group, &pr, &mut State { w, x, y, b }, &mut wk, cnt, run, each),
                Edges::F32 { w, x } => fast(pool, group, &pr, &mut State { w, x, y, b }, &mut wk, cnt, run, each),
            };
        }
        for done in 1..=iters {
            if !each(&self.step(net, p, method == Method::General)?) {
                return Ok(done);
            }
        }
        Ok(iters)
    }

    /// Stops the job (every rank, with a message) unless every rank is to
    /// run `iters` iterations with parameters `p` on the same batch from the
    /// same start: a digest of the batch's values and labels, the node state
    /// (the forward pass from the consensus the batch starts at) and the
    /// settings, compared across ranks.
    fn check_same_batch(&self, p: &Params, iters: usize) {
        let setting = format!("{p:?} {iters} {:?} {}", self.errors, self.code_items);
        let words = [&self.values[..], &self.y, &self.b].into_iter().flatten().map(|v| v.to_bits());
        let labels = self.labels.iter().map(|&l| l as u64);
        ranks::stop_unless_same("batches", words.chain(labels).chain(setting.bytes().map(u64::from)));
    }

    /// The batch, edge state, node state, work space and counters as the
    /// kernel takes them.
    #[allow(clippy::type_complexity)]
    fn parts(&mut self) -> (Batch<'_>, &mut Edges, &mut [f64], &mut [f64], Work<'_>, &mut Counters) {
        let batch = Batch { values: &self.values, labels: &self.labels, code_items: self.code_items };
        let wk = Work {
            weights: &mut self.weights,
            biases: &mut self.biases,
            xa: &mut self.xa,
            ya: &mut self.ya,
            ba: &mut self.ba,
            xsum: &mut self.xsum,
            wsum: &mut self.wsum,
            stats: &mut self.stats,
            roots: &mut self.roots,
            scratch: &mut self.scratch,
            used_label: &mut self.used_label,
        };
        (batch, &mut self.edges, &mut self.y, &mut self.b, wk, &mut self.counters)
    }

    /// One iteration of the oracle or (`general`) the general update.
    /// Both need the edge state in f64 (`--precision f32` with `--oracle` or
    /// `--gamma` is refused at the command line); with f32 storage the
    /// iteration is refused as [`IterError::BufferLength`].
    fn step(&mut self, net: &Net, p: &Params, general_update: bool) -> Result<Report, IterError> {
        let (ne, nn, nw) = (self.edges.len(), self.y.len(), self.weights.len());
        let layout = self.layout;
        let mut general = self.general.take();
        let (batch, edges, y, b, mut wk, cnt) = self.parts();
        let Some((w, x)) = edges.f64_mut() else { return Err(IterError::BufferLength) };
        let mut st = State { w, x, y, b };
        let pr = Problem { net, layout: &layout, params: p, batch };
        let rep = match general_update {
            false => network::iterate_oracle(&pr, &mut st, &mut wk, cnt),
            true => {
                let (e, nd) = (ne, nn);
                let g = general.get_or_insert_with(|| {
                    Box::new(GeneralBuffers {
                        weights: vec![0.0; nw],
                        xa: vec![0.0; nd],
                        ya: vec![0.0; nd],
                        ba: vec![0.0; nd],
                        w: vec![0.0; e],
                        x: vec![0.0; e],
                        y: vec![0.0; nd],
                        b: vec![0.0; nd],
                    })
                });
                let mut gw = GeneralWork {
                    a2: AValues { weights: &mut g.weights, xa: &mut g.xa, ya: &mut g.ya, ba: &mut g.ba },
                    s: State { w: &mut g.w, x: &mut g.x, y: &mut g.y, b: &mut g.b },
                };
                network::iterate_general(&pr, &mut st, &mut wk, &mut gw, cnt)
            }
        };
        self.general = general;
        rep
    }
}

/// The SIMD path's run of `run.0` iterations with RRR_err as `run.1` says,
/// its per-block phases on `pool` when given and the layout has more than
/// one block.
#[allow(clippy::too_many_arguments)]
fn fast<G: Group, S: Storage>(
    pool: Option<&Pool>,
    group: &G,
    pr: &Problem,
    st: &mut State<S>,
    wk: &mut Work,
    cnt: &mut Counters,
    run: (usize, Errors),
    each: impl FnMut(&Report) -> bool + Send,
) -> Result<usize, IterError> {
    match pool.filter(|_| pr.layout.blocks() > 1) {
        Some(pool) => network::run_split(pool, group, pr, st, wk, cnt, run, each),
        None => network::run_split(&Serial, group, pr, st, wk, cnt, run, each),
    }
}

/// All buffers of an NMF batch.
pub struct NmfBuffers {
    /// Shape of the factorisation.
    pub shape: nmf::Shape,
    /// The layout the buffers are sized for.
    pub layout: Layout,
    /// Weight copies.
    pub w: Aligned<f64>,
    /// Code copies.
    pub z: Aligned<f64>,
    /// Data, per-node layout with `D` rows.
    pub data: Aligned<f64>,
    /// Consensus weights of the last iteration.
    pub weights: Vec<f64>,
    /// Consensus codes of the last iteration.
    pub codes: Aligned<f64>,
    acc: Aligned<f64>,
    roots: Aligned<f64>,
    sums: Vec<f64>,
    stats: Vec<BlockStats>,
    /// Whether the ranks of an MPI job have compared this batch.
    compared: bool,
    /// Work counters.
    pub counters: Counters,
    general: Option<Box<[Vec<f64>; 4]>>,
}

impl NmfBuffers {
    /// Zeroed buffers after checking that they fit in the memory available
    /// ([`fits_in_memory`]); the error says how many bytes they need.
    pub fn allocate(shape: nmf::Shape, layout: Layout) -> Result<Self, String> {
        // w and z per edge copy, data and roots per data row, codes per rank row
        let bytes = (|| {
            let rows = [shape.edges(), shape.edges(), shape.data, shape.data, shape.rank];
            let words = rows.iter().try_fold(0usize, |a, &n| a.checked_add(layout.len(n)?))?;
            words.checked_add(layout.blocks().checked_mul(shape.edges())?)?.checked_mul(8)
        })();
        fits_in_memory(bytes.ok_or("sizes overflow")?)?;
        Self::new(shape, layout).ok_or_else(|| "sizes overflow".to_string())
    }

    /// Zeroed buffers; `None` if sizes overflow.
    pub fn new(shape: nmf::Shape, layout: Layout) -> Option<Self> {
        let e = layout.len(shape.edges())?;
        Some(Self {
            shape,
            layout,
            w: Aligned::zeroed(e),
            z: Aligned::zeroed(e),
            data: Aligned::zeroed(layout.len(shape.data)?),
            weights: vec![0.0; shape.edges()],
            codes: Aligned::zeroed(layout.len(shape.rank)?),
            acc: Aligned::zeroed(6 * layout.block()),
            roots: Aligned::zeroed(layout.len(shape.data)?),
            sums: vec![0.0; layout.blocks().checked_mul(shape.edges())?],
            stats: vec![BlockStats::default(); layout.blocks()],
            compared: false,
            counters: Counters::default(),
            general: None,
        })
    }

    /// One RRR iteration; returns RRR_err. The SIMD path splits the blocks
    /// over the ranks of an MPI job ([`ranks`]), which compare the batch at
    /// its first iteration.
    pub fn iterate(&mut self, p: &nmf::Params, method: Method) -> Result<f64, nmf::NmfError> {
        let world = ranks::world();
        if world.size > 1 && method == Method::Simd && !self.compared {
            let setting = format!("{p:?}");
            let words = [&self.data[..], &self.w, &self.z].into_iter().flatten().map(|v| v.to_bits());
            ranks::stop_unless_same("batches", words.chain(setting.bytes().map(u64::from)));
            self.compared = true;
        }
        self.iterate_in(world, p, method)
    }

    /// [`Self::iterate`] with the SIMD path's blocks split over the
    /// processes of `group` (`nmf::iterate_split`).
    pub fn iterate_in<G: Group>(&mut self, group: &G, p: &nmf::Params, method: Method) -> Result<f64, nmf::NmfError> {
        let mut st = nmf::State { w: &mut self.w, z: &mut self.z };
        let mut wk = nmf::Work {
            weights: &mut self.weights,
            codes: &mut self.codes,
            acc: &mut self.acc,
            roots: &mut self.roots,
            sums: &mut self.sums,
            stats: &mut self.stats,
        };
        let pr = nmf::Problem { shape: &self.shape, layout: &self.layout, params: p, data: &self.data };
        let cnt = &mut self.counters;
        match method {
            Method::Oracle => nmf::iterate_oracle(&pr, &mut st, &mut wk, cnt),
            Method::Simd => nmf::iterate_split(group, &pr, &mut st, &mut wk, cnt),
            Method::General => {
                let (nw, nc, ne) = (wk.weights.len(), wk.codes.len(), st.w.len());
                let g = self
                    .general
                    .get_or_insert_with(|| Box::new([vec![0.0; nw], vec![0.0; nc], vec![0.0; ne], vec![0.0; ne]]));
                let [gw_w, gw_c, s_w, s_z] = &mut **g;
                let mut gw = nmf::general::GeneralWork {
                    a2: nmf::general::AValues { weights: gw_w, codes: gw_c },
                    s: nmf::State { w: s_w, z: s_z },
                };
                nmf::iterate_general(&pr, &mut st, &mut wk, &mut gw, cnt)
            }
        }
    }

    /// Forgets the bilinear roots the SIMD path warm-starts from: call when
    /// the iterate is set anew (a new batch or restart), so that a run's bits
    /// depend on its start alone; the ranks of an MPI job compare the batch
    /// anew at its first iteration.
    pub fn cold_start(&mut self) {
        self.roots.fill(0.0);
        self.compared = false;
    }

    /// Reconstruction error (eq. 23) of the last consensus values.
    pub fn recon_err(&self) -> f64 {
        nmf::recon_err(&self.shape, &self.layout, &self.data, &self.weights, &self.codes)
    }
}
