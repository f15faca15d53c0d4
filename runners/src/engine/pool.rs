//! The thread pool behind `--threads`: a team of worker threads that stays
//! up for the pool's life and waits for work by spinning, so that handing a
//! phase of per-block tasks to the team and collecting it costs about a
//! microsecond instead of a sleeping thread's wake-up (tens of microseconds
//! here, a large share of a small net's iteration: BENCHMARKS.md, "Threads").
//!
//! Tasks are split into contiguous, equal runs, one per thread in a fixed
//! order (the calling thread takes the first), so a block's task runs on
//! the same thread every iteration and its rows stay in that core's cache.
//! The kernel reduces per-block results in block order, so results do not
//! depend on the number of threads.
//!
//! A worker that found no work for [`SPIN`] parks until the next phase, so
//! an idle pool (between batches, or with more threads than cores) does not
//! hold a core.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use lwl_kernel::exec::Executor;

/// How long a worker spins for the next phase before it parks.
const SPIN: Duration = Duration::from_micros(200);

/// One phase's work: called once by every participant with its index.
type Job = dyn Fn(usize) + Sync;

/// State shared between the calling thread and the workers.
struct Shared {
    /// Incremented each time a job is posted.
    epoch: AtomicU64,
    /// The posted job, its lifetime erased (see [`Pool::broadcast`]).
    job: Mutex<Option<&'static Job>>,
    /// Workers that have not finished the posted job.
    pending: AtomicUsize,
    /// A worker's part of the job panicked.
    panicked: AtomicBool,
    /// The pool is being dropped.
    stop: AtomicBool,
}

/// A pool of threads that runs the kernel's per-block tasks (results are the
/// same bit for bit for every number of threads).
pub struct Pool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

impl Pool {
    /// A pool of `threads` threads counting the calling one (0: one per
    /// core).
    pub fn new(threads: usize) -> Result<Self, String> {
        let threads = match threads {
            0 => thread::available_parallelism().map_err(|e| format!("cannot count the cores: {e}"))?.get(),
            t => t,
        };
        let shared = Arc::new(Shared {
            epoch: AtomicU64::new(0),
            job: Mutex::new(None),
            pending: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            stop: AtomicBool::new(false),
        });
        let mut pool = Pool { shared, workers: Vec::with_capacity(threads - 1) };
        for index in 1..threads {
            let shared = Arc::clone(&pool.shared);
            let spawned = thread::Builder::new().name(format!("lwl-{index}")).spawn(move || work(&shared, index));
            // on failure `pool`'s drop stops the workers spawned so far
            pool.workers.push(spawned.map_err(|e| format!("cannot start thread {index}: {e}"))?);
        }
        Ok(pool)
    }

    /// Number of threads, the calling one included.
    pub fn threads(&self) -> usize {
        self.workers.len() + 1
    }

    /// Runs `job(i)` on participant `i` of `0..threads()` (0: the calling
    /// thread) and returns when all are done; a panic in any part is
    /// re-raised here after the others have finished.
    fn broadcast<'a>(&self, job: &'a (dyn Fn(usize) + Sync + 'a)) {
        if self.workers.is_empty() {
            job(0);
            return;
        }
        // SAFETY: the workers use the reference only between the epoch
        // increment below and their decrement of `pending`; this function
        // waits for `pending` to reach 0 and clears the slot before it
        // returns (on every path: the calling thread's own part runs under
        // `catch_unwind`), so the reference never outlives `job`'s borrow.
        let erased: &'static Job = unsafe { std::mem::transmute::<&'a (dyn Fn(usize) + Sync + 'a), &'static Job>(job) };
        *lock(&self.shared.job) = Some(erased);
        self.shared.pending.store(self.workers.len(), Ordering::Relaxed);
        self.shared.epoch.fetch_add(1, Ordering::Release);
        for w in &self.workers {
            w.thread().unpark();
        }
        let mine = panic::catch_unwind(AssertUnwindSafe(|| job(0)));
        spin_until(|| self.shared.pending.load(Ordering::Acquire) == 0, thread::yield_now);
        *lock(&self.shared.job) = None;
        if let Err(e) = mine {
            panic::resume_unwind(e);
        }
        if self.shared.panicked.swap(false, Ordering::Relaxed) {
            panic!("a task panicked on a worker thread");
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        for w in self.workers.drain(..) {
            w.thread().unpark();
            // a worker's panics are caught, so join fails only if it died
            // otherwise; nothing is left to clean up then
            let _ = w.join();
        }
    }
}

impl Executor for Pool {
    fn run<T, I, F>(&self, tasks: I, f: F)
    where
        T: Send,
        I: Iterator<Item = T> + Send,
        F: Fn(T) + Sync + Send,
    {
        let slots: Vec<Mutex<Option<T>>> = tasks.map(|t| Mutex::new(Some(t))).collect();
        let (n, parts) = (slots.len(), self.threads());
        self.broadcast(&|part| {
            for slot in &slots[n * part / parts..n * (part + 1) / parts] {
                if let Some(t) = lock(slot).take() {
                    f(t);
                }
            }
        });
    }
}

/// Locks `m`, also after a panic elsewhere poisoned it (the data, a task
/// slot or the job reference, is valid either way).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Spins until `done()`; after [`SPIN`] calls `idle` between tests (yield
/// or park the thread).
fn spin_until(mut done: impl FnMut() -> bool, idle: impl Fn()) {
    let start = Instant::now();
    let mut spins = 0u32;
    while !done() {
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(64) && start.elapsed() > SPIN {
            idle();
        } else {
            std::hint::spin_loop();
        }
    }
}

/// A worker's loop: wait for a new epoch (spinning, then parked), run its
/// part of the posted job, report.
fn work(shared: &Shared, index: usize) {
    let mut seen = 0;
    loop {
        let mut stop = false;
        spin_until(
            || {
                stop = shared.stop.load(Ordering::Acquire);
                let e = shared.epoch.load(Ordering::Acquire);
                let new = e != seen;
                seen = e;
                stop || new
            },
            || thread::park_timeout(Duration::from_millis(10)),
        );
        if stop {
            return;
        }
        let job = *lock(&shared.job);
        if let Some(job) = job
            && panic::catch_unwind(AssertUnwindSafe(|| job(index))).is_err()
        {
            shared.panicked.store(true, Ordering::Relaxed);
        }
        shared.pending.fetch_sub(1, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_runs_once_for_every_thread_count() {
        for threads in 1..=5 {
            let pool = Pool::new(threads).unwrap();
            for n in [0, 1, 3, 8, 17] {
                let hits: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
                for _ in 0..50 {
                    pool.run(0..n, |i| {
                        hits[i].fetch_add(1, Ordering::Relaxed);
                    });
                }
                assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 50), "{threads} threads, {n} tasks");
            }
        }
    }

    #[test]
    fn a_task_runs_on_the_same_thread_every_phase() {
        let pool = Pool::new(3).unwrap();
        let names = |pool: &Pool| {
            let out: Vec<Mutex<String>> = (0..7).map(|_| Mutex::new(String::new())).collect();
            pool.run(0..7, |i| *out[i].lock().unwrap() = format!("{:?}", thread::current().id()));
            out.into_iter().map(|m| m.into_inner().unwrap()).collect::<Vec<_>>()
        };
        let first = names(&pool);
        assert!(first.iter().collect::<std::collections::HashSet<_>>().len() == 3, "{first:?}");
        thread::sleep(Duration::from_millis(5)); // the workers park
        assert_eq!(names(&pool), first);
    }

    #[test]
    fn a_panicking_task_is_reported_and_the_pool_goes_on() {
        let pool = Pool::new(2).unwrap();
        for bad in [0, 3] {
            let r = panic::catch_unwind(AssertUnwindSafe(|| pool.run(0..4, |i| assert_ne!(i, bad))));
            assert!(r.is_err(), "task {bad} panicked");
        }
        let sum = AtomicUsize::new(0);
        pool.run(0..4, |i| {
            sum.fetch_add(i, Ordering::Relaxed);
        });
        assert_eq!(sum.load(Ordering::Relaxed), 6);
    }
}
