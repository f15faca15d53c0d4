//! Independent seeded runs (`--restarts`) side by side on several threads,
//! their outcomes handed on in run order, so the output is the same for
//! every thread count; [`in_parallel`] for jobs that cannot fail (the
//! lifted trainer's blocks, the local propagation nodes).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::error::Error;

/// Runs `run(0)`, `run(1)`, … `run(runs - 1)` on up to `threads` threads,
/// each taking the next run when it is free, and hands the outcomes to
/// `each` in run order, each as soon as all earlier ones are in. After an
/// error no further run starts, and the first error in run order is
/// returned once the runs under way have ended (outcomes after it are not
/// handed on).
pub fn side_by_side<T: Send, F>(
    runs: usize,
    threads: usize,
    run: F,
    mut each: impl FnMut(usize, T) -> Result<(), Error>,
) -> Result<(), Error>
where
    F: Fn(usize) -> Result<T, Error> + Sync,
{
    let (next, stop) = (AtomicUsize::new(0), AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|sc| {
        for _ in 0..threads.clamp(1, runs.max(1)) {
            let tx = tx.clone();
            let (next, stop, run) = (&next, &stop, &run);
            sc.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let r = next.fetch_add(1, Ordering::Relaxed);
                    if r >= runs {
                        break;
                    }
                    let o = run(r);
                    if o.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    if tx.send((r, o)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let (mut pending, mut want, mut failed) = (BTreeMap::new(), 0, None);
        for (r, o) in rx {
            pending.insert(r, o);
            while let Some(o) = pending.remove(&want) {
                match o.and_then(|o| if failed.is_none() { each(want, o) } else { Ok(()) }) {
                    Ok(()) => {}
                    Err(e) => {
                        stop.store(true, Ordering::Relaxed);
                        failed.get_or_insert(e);
                    }
                }
                want += 1;
            }
        }
        failed.map_or(Ok(()), Err)
    })
}

/// `f(0), …, f(jobs − 1)` on up to `threads` threads, in job order.
pub fn in_parallel<T: Send>(jobs: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let mut out = Vec::with_capacity(jobs);
    let r = side_by_side(
        jobs,
        threads,
        |j| Ok(f(j)),
        |_, v| {
            out.push(v);
            Ok(())
        },
    );
    debug_assert!(r.is_ok(), "the jobs cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_by_side_hands_on_in_run_order() {
        // later runs finish first
        let run = |r: usize| {
            std::thread::sleep(std::time::Duration::from_millis(5 * (6 - r as u64)));
            Ok(10 * r)
        };
        for threads in [1, 2, 4, 9] {
            let mut got = Vec::new();
            side_by_side(6, threads, run, |r, o| {
                got.push((r, o));
                Ok(())
            })
            .unwrap();
            assert_eq!(got, (0..6).map(|r| (r, 10 * r)).collect::<Vec<_>>(), "{threads} threads");
        }
        // an error: the runs before it are handed on, it is returned
        let fail = |r: usize| if r == 2 { Err(Error::Usage(format!("run {r}"))) } else { Ok(r) };
        for threads in [1, 3] {
            let mut got = Vec::new();
            let e = side_by_side(5, threads, fail, |r, _| {
                got.push(r);
                Ok(())
            })
            .unwrap_err();
            assert_eq!((got, e.to_string().contains("run 2")), (vec![0, 1], true), "{threads} threads");
        }
    }
}
