//! The processes of a data-parallel job: `mpirun -n R lwl …` with the `mpi`
//! feature (OpenMPI or another MPI library through the `mpi` crate). Every
//! rank runs the same command on the same data; the blocks of each batch
//! are split into contiguous ranges, one per rank ([`lwl_kernel::exec::owner`]), and
//! after every block phase the per-block sums are added by a tree fixed by
//! block index ([`lwl_kernel::exec::reduce`]: each rank allgathers the largest subtrees
//! it owns whole, not an order-dependent all-reduce), so that every rank
//! ends with the sums one process computes: the same bits for every rank
//! count. Rank 0 alone writes output. Without the feature, or without
//! `mpirun`, the job is one rank.

use std::sync::OnceLock;

use lwl_kernel::exec::Group;

use crate::error::Error;

/// This process's place in the job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ranks {
    /// This process's rank, from 0.
    pub rank: usize,
    /// Processes in the job.
    pub size: usize,
}

static WORLD: OnceLock<Ranks> = OnceLock::new();

/// The job this process belongs to: one rank unless [`start`] found more.
pub fn world() -> &'static Ranks {
    WORLD.get_or_init(|| Ranks { rank: 0, size: 1 })
}

/// Whether this process writes output (rank 0).
pub fn writes() -> bool {
    world().rank == 0
}

/// The MPI environment of a job, finalised when dropped (at the end of
/// `main`).
pub struct Session {
    #[cfg(feature = "mpi")]
    _universe: Option<mpi::environment::Universe>,
}

/// Joins the MPI job this process was started in (`mpirun`), or makes it a
/// job of one; without the `mpi` feature always one. Call once, first.
pub fn start() -> Session {
    #[cfg(feature = "mpi")]
    {
        use mpi::traits::Communicator;
        let universe = mpi::initialize_with_threading(mpi::Threading::Funneled).map(|(u, _)| u);
        if let Some(u) = &universe {
            let w = u.world();
            let _ = WORLD.set(Ranks { rank: w.rank() as usize, size: w.size() as usize });
        }
        if world().size > 1 && writes() {
            say(&format!("lwl: an MPI job of {} ranks: each batch's blocks are split between them", world().size));
        }
        Session { _universe: universe }
    }
    #[cfg(not(feature = "mpi"))]
    Session {}
}

/// The cores this process may use: those the system grants it, shared
/// evenly by the ranks of the job on this machine (OpenMPI's
/// `OMPI_COMM_WORLD_LOCAL_SIZE`, MPICH's `MPI_LOCALNRANKS`), at least one.
pub fn cores() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let local = ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"]
        .iter()
        .find_map(|v| std::env::var(v).ok()?.parse::<usize>().ok())
        .filter(|_| world().size > 1)
        .unwrap_or(1);
    (cores / local.max(1)).max(1)
}

/// Writes `line` and a newline to standard error in one write, so that the
/// lines of the ranks of a job (which `mpirun` merges) do not interleave.
pub fn say(line: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(format!("{line}\n").as_bytes());
}

/// Stops every rank of the job after an error on this one (nothing when
/// the job is one rank): the error has been said, the others would wait
/// for this rank for ever.
pub fn abort(code: u8) {
    #[cfg(feature = "mpi")]
    if world().size > 1 {
        use mpi::traits::Communicator;
        mpi::topology::SimpleCommunicator::world().abort(code.into());
    }
    let _ = code;
}

/// Checks that every rank holds the same `digest` of `what`: `Ok` on one
/// rank; else an error naming the first rank that differs from rank 0.
pub fn same(what: &str, digest: u64) -> Result<(), Error> {
    let all = gather(digest);
    match all.iter().position(|&d| d != all[0]) {
        None => Ok(()),
        Some(r) => Err(Error::Usage(format!(
            "rank {r} of {} has other {what} than rank 0: every rank must run the same command on the same data",
            all.len()
        ))),
    }
}

/// Stops the job (every rank, with a message on standard error) unless
/// every rank's digest of `words` is rank 0's: the batch a rank is about to
/// iterate on, which must be the same on all.
pub fn stop_unless_same(what: &str, words: impl IntoIterator<Item = u64>) {
    if let Err(e) = same(what, digest(words)) {
        say(&format!("lwl: {e} (the data, the flags or the shuffles differ)"));
        abort(2);
    }
}

/// Rank 0's `value` on every rank.
pub fn first(value: u64) -> u64 {
    gather(value)[0]
}

/// Every rank's `value`, in rank order.
pub fn gather(value: u64) -> Vec<u64> {
    #[cfg(feature = "mpi")]
    if world().size > 1 {
        use mpi::traits::CommunicatorCollectives;
        let mut all = vec![0u64; world().size];
        mpi::topology::SimpleCommunicator::world().all_gather_into(&value, &mut all[..]);
        return all;
    }
    vec![value]
}

/// A digest of 64-bit words (FNV-1a's step on whole words, then a final
/// mix): what [`same`] compares. Not cryptographic: it tells runs apart
/// that were meant to be the same.
pub fn digest(words: impl IntoIterator<Item = u64>) -> u64 {
    let h = words.into_iter().fold(0xcbf2_9ce4_8422_2325u64, |h, w| (h ^ w).wrapping_mul(0x0000_0100_0000_01b3));
    (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd) ^ (h >> 29)
}

impl Group for Ranks {
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
        if self.size < 2 || stride == 0 || offset.saturating_add(len) > stride {
            return;
        }
        #[cfg(feature = "mpi")]
        share_mpi(self, data, (stride, offset, len), which);
        #[cfg(not(feature = "mpi"))]
        let _ = (data, which);
    }
}

/// Seconds spent in the collectives of [`Group::share`] and bytes this
/// rank sent in them, since the start or the last [`traffic_reset`].
static TRAFFIC: std::sync::Mutex<(f64, u64, u64)> = std::sync::Mutex::new((0.0, 0, 0));

/// (seconds in collectives, bytes sent, collectives) since the last reset.
pub fn traffic() -> (f64, u64, u64) {
    *TRAFFIC.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts counting [`traffic`] afresh.
pub fn traffic_reset() {
    *TRAFFIC.lock().unwrap_or_else(|e| e.into_inner()) = (0.0, 0, 0);
}

/// The job's allgather on this network: (seconds of an allgather of 8
/// bytes per rank, the median of 200; bytes per second gathered by each
/// rank in an allgather of 8 MB per rank, the best of 5). Zeros on one
/// rank or without the feature.
pub fn probe() -> (f64, f64) {
    #[cfg(feature = "mpi")]
    if world().size > 1 {
        use mpi::traits::CommunicatorCollectives;
        let w = mpi::topology::SimpleCommunicator::world();
        let time = |bytes: usize, reps: usize| {
            let send = vec![1u8; bytes];
            let mut recv = vec![0u8; bytes * world().size];
            let mut t: Vec<f64> = (0..reps)
                .map(|_| {
                    w.barrier();
                    let s = std::time::Instant::now();
                    w.all_gather_into(&send[..], &mut recv[..]);
                    s.elapsed().as_secs_f64()
                })
                .collect();
            t.sort_by(f64::total_cmp);
            t
        };
        let latency = time(8, 200)[100];
        let big = 8 << 20;
        let best = time(big, 5)[0];
        return (latency, (big * (world().size - 1)) as f64 / best);
    }
    (0.0, 0.0)
}

/// Where a [`Group::share`] of `data` in blocks of `stride` elements
/// (segments at `offset`, `len` long) puts things: the picked blocks in
/// block order, and the bytes each rank contributes (its owned picked
/// segments, in block order).
pub struct Plan {
    /// The blocks `which` picked.
    pub picked: Vec<usize>,
    /// Bytes each rank sends, in rank order.
    pub counts: Vec<usize>,
    /// Bytes of one segment.
    pub bytes: usize,
}

impl Plan {
    /// The plan of a share among `ranks` processes.
    pub fn new<T>(data: &[T], stride: usize, len: usize, ranks: usize, which: impl Fn(usize) -> bool) -> Self {
        let blocks = data.len().checked_div(stride).unwrap_or(0);
        let picked: Vec<usize> = (0..blocks).filter(|&b| which(b)).collect();
        let bytes = std::mem::size_of::<T>() * len;
        let mut counts = vec![0; ranks];
        for &b in &picked {
            counts[lwl_kernel::exec::owner(b, blocks, ranks)] += bytes;
        }
        Self { picked, counts, bytes }
    }

    /// The bytes process `rank` sends: its picked segments in block order.
    pub fn mine<T: bytemuck::Pod>(&self, data: &[T], (stride, offset, rank): (usize, usize, usize)) -> Vec<u8> {
        let (blocks, ranks) = (data.len() / stride, self.counts.len());
        let len = self.bytes / std::mem::size_of::<T>().max(1);
        let own = self.picked.iter().filter(|&&b| lwl_kernel::exec::owner(b, blocks, ranks) == rank);
        own.flat_map(|&b| bytemuck::cast_slice::<T, u8>(&data[b * stride + offset..][..len]).to_vec()).collect()
    }

    /// Writes the others' segments from `all`, every rank's bytes
    /// concatenated in rank order (so the segments are in block order).
    pub fn unpack<T: bytemuck::Pod>(&self, data: &mut [T], (stride, offset, rank): (usize, usize, usize), all: &[u8]) {
        let (blocks, ranks) = (data.len() / stride, self.counts.len());
        let len = self.bytes / std::mem::size_of::<T>().max(1);
        for (&b, chunk) in self.picked.iter().zip(all.chunks_exact(self.bytes.max(1))) {
            if lwl_kernel::exec::owner(b, blocks, ranks) != rank {
                bytemuck::cast_slice_mut::<T, u8>(&mut data[b * stride + offset..][..len]).copy_from_slice(chunk);
            }
        }
    }
}

/// [`Group::share`] over MPI: one allgather of the bytes of a [`Plan`].
#[cfg(feature = "mpi")]
fn share_mpi<T: bytemuck::Pod>(
    r: &Ranks,
    data: &mut [T],
    (stride, offset, len): (usize, usize, usize),
    which: impl Fn(usize) -> bool,
) {
    use mpi::datatype::PartitionMut;
    use mpi::traits::CommunicatorCollectives;
    let t = std::time::Instant::now();
    let plan = Plan::new(data, stride, len, r.size, which);
    let mine = plan.mine(data, (stride, offset, r.rank));
    let counts: Vec<mpi::Count> = plan.counts.iter().map(|&c| c as mpi::Count).collect();
    let displs: Vec<mpi::Count> = counts.iter().scan(0, |a, &c| Some(std::mem::replace(a, *a + c))).collect();
    let mut all = vec![0u8; plan.counts.iter().sum()];
    {
        let mut part = PartitionMut::new(&mut all[..], counts, displs);
        mpi::topology::SimpleCommunicator::world().all_gather_varcount_into(&mine[..], &mut part);
    }
    plan.unpack(data, (stride, offset, r.rank), &all);
    let mut tr = TRAFFIC.lock().unwrap_or_else(|e| e.into_inner());
    *tr = (tr.0 + t.elapsed().as_secs_f64(), tr.1 + mine.len() as u64, tr.2 + 1);
}
