//! Executors for independent per-block tasks. The kernel splits an
//! iteration into phases whose work is independent across layout blocks
//! (each task owns its block's slices) and reduces the per-block results in
//! block order, so the result is the same bit for bit however the tasks are
//! scheduled. [`Serial`] runs them in order; a caller with threads (the
//! `lwl` runner has a team of spinning threads) implements [`Executor`] to run them in parallel.

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
