//! The thread pool behind `--threads`: a team of worker threads that stays
//! up for the pool's life and waits for work by spinning, so that handing a
//! phase of per-block tasks to the team and collecting it costs about a
//! microsecond instead of a sleeping thread's wake-up (tens of microseconds
//! here, a large share of a small net's iteration: BENCHMARKS.md, "Threads").
//!
//! Tasks are split into contiguous, equal runs, one per thread in a fixed
//! order (the calling thread takes the first), so on an idle machine a
//! block's task runs on the same thread every iteration and its rows stay
//! in that core's cache. A participant that has finished its own run helps
//! with the others', taking their tasks from the far end, so a thread that
//! another job keeps off its core holds up only the task it is running.
//! And when the team is slower than the calling thread alone would be (it
//! times its own tasks), the pool runs the next phases on the calling
//! thread alone, then tries the team again ([`Adapt`]). The kernel adds
//! per-block results by a tree fixed by block index, so results do not
//! depend on the number of threads, nor on which thread ran a task.
//!
//! A worker that found no work for [`SPIN`] parks until the next phase, so
//! an idle pool (between batches, in phases run alone, or with more threads
//! than cores) does not hold a core.

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
    adapt: Mutex<Adapt>,
}

/// Phases in a row the team must lose before the pool runs alone.
const LOSSES: u32 = 4;

/// Phases in a row the team must win before a run of losses sends the pool
/// alone for [`MIN_ALONE`] phases again (not for the doubled count).
const WINS: u32 = 64;

/// Phases run alone after the first run of losses; doubled after every
/// run of losses that follows a trial of the team, up to [`MAX_ALONE`].
const MIN_ALONE: u32 = 64;

/// The most phases run alone before the team is tried again.
const MAX_ALONE: u32 = 16384;

/// Whether the team or the calling thread alone runs the next phase.
///
/// After each team phase the calling thread compares the phase's wall time
/// with its own estimate of running every task alone: its time in tasks
/// divided by the tasks it ran, times all the tasks. A phase slower than
/// that estimate is a loss; [`LOSSES`] in a row (another job holds a core,
/// or the tasks are too small to share) send the next `alone` phases to
/// the calling thread, and each failed trial of the team afterwards
/// (one loss after the trial's first phase) doubles `alone`; [`WINS`] wins
/// in a row reset it (a single win, a
/// moment when the other job left the core, does not). The first team
/// phase after phases run alone is not booked: its workers were parked,
/// and their wake-up would lose every trial of a short phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Adapt {
    /// Losses in a row of the team.
    losses: u32,
    /// Wins in a row of the team.
    wins: u32,
    /// Phases still to run alone.
    remaining: u32,
    /// Phases to run alone after the next run of losses.
    alone: u32,
    /// The next team phase is not booked (the workers wake from parking).
    waking: bool,
}

impl Default for Adapt {
    fn default() -> Self {
        Self { losses: 0, wins: 0, remaining: 0, alone: MIN_ALONE, waking: false }
    }
}

impl Adapt {
    /// Whether the next phase runs on the calling thread alone (counting it).
    fn alone(&mut self) -> bool {
        if self.remaining == 0 {
            return false;
        }
        self.remaining -= 1;
        self.waking = self.remaining == 0;
        true
    }

    /// Books a team phase: `wall` seconds in all, `mine` seconds of the
    /// calling thread's `ran` tasks, `tasks` in the phase.
    fn book(&mut self, wall: f64, mine: f64, ran: usize, tasks: usize) {
        // with no task of its own the caller cannot estimate, and a phase
        // that woke the workers is no fair trial: no verdict
        let waking = std::mem::take(&mut self.waking);
        if ran == 0 || waking {
            return;
        }
        let solo = mine / ran as f64 * tasks as f64;
        if wall <= solo {
            self.losses = 0;
            self.wins = self.wins.saturating_add(1);
            if self.wins >= WINS {
                self.alone = MIN_ALONE;
            }
            return;
        }
        self.wins = 0;
        self.losses += 1;
        if self.losses >= LOSSES {
            self.remaining = self.alone;
            self.alone = (self.alone * 2).min(MAX_ALONE);
            self.losses = LOSSES - 1; // one loss after the trial's waking phase goes back
        }
    }
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
        let mut pool = Pool { shared, workers: Vec::with_capacity(threads - 1), adapt: Mutex::new(Adapt::default()) };
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
        if self.workers.is_empty() || lock(&self.adapt).alone() {
            tasks.for_each(f);
            return;
        }
        let slots: Vec<Mutex<Option<T>>> = tasks.map(|t| Mutex::new(Some(t))).collect();
        // the slot's lock is released before the task runs, so a thief never
        // waits on a task another thread is running
        let take = |slot: &Mutex<Option<T>>| {
            let task = lock(slot).take();
            task.map(&f).is_some()
        };
        let (n, parts) = (slots.len(), self.threads());
        let range = |part: usize| n * part / parts..n * (part + 1) / parts;
        let start = Instant::now();
        let mine = Mutex::new((0.0, 0));
        self.broadcast(&|part| {
            let t0 = Instant::now();
            let mut ran = slots[range(part)].iter().filter(|s| take(s)).count();
            // then the others' runs, each from its far end
            for other in (1..parts).map(|d| (part + d) % parts) {
                ran += slots[range(other)].iter().rev().filter(|s| take(s)).count();
            }
            if part == 0 {
                *lock(&mine) = (t0.elapsed().as_secs_f64(), ran);
            }
        });
        let (secs, ran) = *lock(&mine);
        lock(&self.adapt).book(start.elapsed().as_secs_f64(), secs, ran, n);
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
    fn a_task_runs_on_the_same_thread_while_the_team_keeps_up() {
        let pool = Pool::new(3).unwrap();
        let names = |pool: &Pool| {
            let out: Vec<Mutex<String>> = (0..6).map(|_| Mutex::new(String::new())).collect();
            pool.run(0..6, |i| {
                // long enough that every worker starts its own run first
                thread::sleep(Duration::from_millis(20));
                *out[i].lock().unwrap() = format!("{:?}", thread::current().id());
            });
            out.into_iter().map(|m| m.into_inner().unwrap()).collect::<Vec<_>>()
        };
        let first = names(&pool);
        assert_eq!(first.iter().collect::<std::collections::HashSet<_>>().len(), 3, "{first:?}");
        assert_eq!(names(&pool), first);
    }

    #[test]
    fn a_held_up_worker_holds_up_only_its_task() {
        let pool = Pool::new(2).unwrap();
        let me = thread::current().id();
        let who: Vec<Mutex<Option<thread::ThreadId>>> = (0..8).map(|_| Mutex::new(None)).collect();
        // task 4 opens the worker's run (4..8) and keeps it 200 ms
        pool.run(0..8, |i| {
            thread::sleep(Duration::from_millis(if i == 4 { 200 } else { 1 }));
            *who[i].lock().unwrap() = Some(thread::current().id());
        });
        let who: Vec<_> = who.into_iter().map(|m| m.into_inner().unwrap().unwrap()).collect();
        assert_ne!(who[4], me);
        assert!(who[5..].iter().all(|&t| t == me), "the calling thread took the rest of the worker's run");
    }

    #[test]
    fn a_team_that_loses_hands_the_phases_to_the_calling_thread() {
        let pool = Pool::new(2).unwrap();
        let me = thread::current().id();
        let phase = |pool: &Pool| {
            let on_workers = AtomicUsize::new(0);
            pool.run(0..4, |_| {
                // a worker on a busy core: far slower than the caller
                let ms = if thread::current().id() == me { 1 } else { 10 };
                if ms > 1 {
                    on_workers.fetch_add(1, Ordering::Relaxed);
                }
                thread::sleep(Duration::from_millis(ms));
            });
            on_workers.into_inner()
        };
        let used: Vec<usize> = (0..LOSSES as usize + 4).map(|_| phase(&pool)).collect();
        assert!(used[..LOSSES as usize].iter().any(|&u| u > 0), "{used:?}");
        assert!(used[LOSSES as usize..].iter().all(|&u| u == 0), "{used:?}");
        assert_eq!(lock(&pool.adapt).remaining, MIN_ALONE - 4);
    }

    #[test]
    fn adapt_backs_off_and_resets() {
        let mut a = Adapt::default();
        for _ in 0..LOSSES {
            assert!(!a.alone());
            a.book(2.0, 1.0, 1, 1);
        }
        assert_eq!((a.remaining, a.alone), (MIN_ALONE, 2 * MIN_ALONE));
        while a.alone() {}
        // the trial's first phase woke the workers: not booked; then one more
        // loss sends the pool alone again, twice as long
        a.book(9.0, 1.0, 1, 1);
        assert_eq!((a.losses, a.remaining), (LOSSES - 1, 0));
        a.book(2.0, 1.0, 1, 1);
        assert_eq!(a.remaining, 2 * MIN_ALONE);
        while a.alone() {}
        a.book(1.0, 1.0, 1, 2); // the waking phase
        a.book(1.0, 1.0, 1, 2); // one win: the team stays on, the backoff stays
        assert_eq!((a.losses, a.remaining, a.alone), (0, 0, 4 * MIN_ALONE));
        for _ in 1..WINS {
            a.book(1.0, 1.0, 1, 2);
        }
        assert_eq!(a, Adapt { losses: 0, wins: WINS, remaining: 0, alone: MIN_ALONE, waking: false });
        a.book(5.0, 0.0, 0, 3); // no task of the caller's: no verdict
        assert_eq!(a.losses, 0);
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
