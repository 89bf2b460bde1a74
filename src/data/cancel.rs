//! Cooperative cancellation of a long run (Ctrl-C in a notebook).
//!
//! A caller that can be interrupted (the Python package: a Jupyter kernel
//! interrupt) creates a [`CancelToken`] and runs the work through
//! [`run_cancellable`]: the work runs in a rayon thread pool of its own whose
//! threads (and the thread the work starts on) carry the token. The long
//! loops of the library call [`check`] at their cancellation points (per
//! trial, fold, EM iteration, attack, audit step, block of rows), which
//! returns [`Cancelled`] once the token is set; the error travels up through
//! each module's error enum like any other, so the run stops within one
//! checkpoint interval and frees its threads.
//!
//! What it does not do: it never stops a thread from outside, and work that
//! runs outside the token's pool (polars' own thread pool while a file is
//! read or grouped, an external mechanism command) runs on to its next
//! checkpoint. Work that is not started through [`run_cancellable`] (the
//! `reident` binary, library callers) has no token: [`check`] is always
//! `Ok` there and costs a thread-local read.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The error of a cancelled run: the caller set the run's [`CancelToken`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled: the run was interrupted (Ctrl-C) before it finished")]
pub struct Cancelled;

/// A flag shared by a caller and the run it may cancel. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the run to stop at its next checkpoint.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

thread_local! {
    /// The token of the run this thread works for, if any.
    static CURRENT: RefCell<Option<CancelToken>> = const { RefCell::new(None) };
}

/// A cancellation point: `Err(Cancelled)` when the run this thread works for
/// was cancelled, `Ok(())` otherwise (always, outside [`run_cancellable`]).
pub fn check() -> Result<(), Cancelled> {
    let cancelled = CURRENT.with(|c| c.borrow().as_ref().is_some_and(CancelToken::is_cancelled));
    if cancelled {
        Err(Cancelled)
    } else {
        Ok(())
    }
}

/// A thread pool could not be started for a cancellable run.
#[derive(Debug, thiserror::Error)]
#[error("cannot start the worker threads of a cancellable run: {0}")]
pub struct PoolError(#[from] rayon::ThreadPoolBuildError);

/// Runs `job` in a rayon pool of `threads` threads (0: one per core, as
/// rayon's global pool) named `reident-work-N`, every thread of which
/// carries `token`, so that [`check`] in `job` and in the parallel loops it
/// starts sees the token. Returns what `job` returns; the pool's threads end
/// when it is done.
pub fn run_cancellable<R, F>(token: &CancelToken, threads: usize, job: F) -> Result<R, PoolError>
where
    R: Send,
    F: FnOnce() -> R + Send,
{
    let for_workers = token.clone();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("reident-work-{i}"))
        .start_handler(move |_| {
            let token = for_workers.clone();
            CURRENT.with(|c| *c.borrow_mut() = Some(token));
        })
        .build()?;
    Ok(pool.install(job))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn check_is_ok_without_a_token() {
        assert_eq!(check(), Ok(()));
    }

    #[test]
    fn a_cancelled_token_stops_the_parallel_loop_of_its_run_only() {
        let token = CancelToken::new();
        let seen = run_cancellable(&token, 2, || {
            let before = check();
            token.cancel();
            let inner: Vec<Result<(), Cancelled>> =
                (0..64).into_par_iter().map(|_| check()).collect();
            (before, inner)
        })
        .unwrap();
        assert_eq!(seen.0, Ok(()));
        assert!(seen.1.iter().all(|r| *r == Err(Cancelled)));
        // The calling thread and other runs are not affected.
        assert_eq!(check(), Ok(()));
        let other = run_cancellable(&CancelToken::new(), 2, check).unwrap();
        assert_eq!(other, Ok(()));
    }
}
