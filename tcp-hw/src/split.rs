//! One batch's chunks across rayon's threads, for the `parallel` backend and
//! the all-core read pass.
//!
//! - **Home shares.** Thread `t` of `T` (the calling thread is thread 0)
//!   first takes, in order, the chunks of the `t`-th contiguous share of the
//!   batch. When every thread keeps up, each does exactly its share, the same
//!   share on every call, so a batch validated again is still in that core's
//!   cache.
//! - **Stealing from the far end.** A thread done with its share takes the
//!   chunks still untaken, from the last one backwards, so a thread that
//!   starts late (a pool thread that had gone to sleep) or runs slow has its
//!   share finished by the others, which meet it from the other side.
//! - **Nobody waits for a thread that has not started.** The other threads
//!   are rayon jobs that must pass a [`Gate`] before they touch the batch.
//!   The caller, done walking the chunks, closes the gate and waits only for
//!   the jobs inside it, which are finishing their last chunk; a job that
//!   starts later finds the gate closed and leaves without touching anything.
//!
//! Why not `rayon::scope`: a scope waits for every job it spawned to have
//! run, and on a 2-vCPU KVM guest (Zen 4) that was the cost of the call.
//! The caller, outside the pool, sleeps on a condition variable: an empty
//! `in_place_scope` with one spawned job took 16.6 µs (median of 200),
//! though the job started after 0.5 µs. After a few milliseconds idle the
//! woken pool thread often did not run until the caller blocked (with 5 ms
//! between calls, two threads on a 1M-record batch were no faster than one;
//! `examples/isolated_calls.rs`), so the caller did the work alone and then
//! still waited for it.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A chunk: its input until a thread takes it, then its result.
struct Slot<I, R> {
    item: Option<I>,
    result: Option<R>,
}

/// What the threads of one call share.
struct Shared<'a, I, R, W> {
    slots: &'a [Mutex<Slot<I, R>>],
    /// Chunks taken so far: a thread stops looking once all are.
    taken: AtomicUsize,
    threads: usize,
    work: &'a W,
}

impl<I, R, W: Fn(I) -> R> Shared<'_, I, R, W> {
    /// Thread `t`'s home share of the chunks.
    fn home(&self, t: usize) -> std::ops::Range<usize> {
        let k = self.slots.len();
        (t * k / self.threads)..((t + 1) * k / self.threads)
    }

    /// Takes and works chunks: the home share in order, then the rest from the end.
    fn run(&self, t: usize) {
        let k = self.slots.len();
        let home = self.home(t);
        let steal = (0..k).rev().filter(|i| !home.contains(i));
        for i in home.clone().chain(steal) {
            if self.taken.load(Ordering::Relaxed) >= k {
                break;
            }
            // A slot locked by another thread is being worked (a thread
            // that finds an item always works it), so skipping it loses nothing.
            let Some(Ok(mut slot)) = self.slots.get(i).map(Mutex::try_lock) else {
                continue;
            };
            if let Some(item) = slot.item.take() {
                self.taken.fetch_add(1, Ordering::Relaxed);
                slot.result = Some((self.work)(item));
            }
        }
    }
}

/// Who may still touch a call's [`Shared`] state from another thread.
#[derive(Default)]
struct Gate {
    state: Mutex<GateState>,
}

#[derive(Default)]
struct GateState {
    /// Set by the caller when it is done: no job may enter after.
    closed: bool,
    /// Jobs inside.
    inside: usize,
    /// The first panic of a job, resumed on the calling thread.
    panic: Option<Box<dyn Any + Send>>,
}

impl Gate {
    fn lock(&self) -> MutexGuard<'_, GateState> {
        // Nothing panics while holding this lock; take the state as it is.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lets a job in unless the gate is closed.
    fn enter(&self) -> bool {
        let mut state = self.lock();
        if state.closed {
            return false;
        }
        state.inside += 1;
        true
    }

    /// A job leaves, with its panic if it had one.
    fn leave(&self, panic: Option<Box<dyn Any + Send>>) {
        let mut state = self.lock();
        state.inside -= 1;
        if state.panic.is_none() {
            state.panic = panic;
        }
    }

    /// Closes the gate and waits until no job is inside; returns a job's panic.
    fn close(&self) -> Option<Box<dyn Any + Send>> {
        self.lock().closed = true;
        loop {
            let mut state = self.lock();
            if state.inside == 0 {
                return state.panic.take();
            }
            drop(state);
            // Yield, not only spin: the job waited for may be queued on this
            // very CPU (Linux often wakes a thread where its waker runs).
            std::thread::yield_now();
        }
    }
}

/// Closes the gate when the caller leaves [`map_chunks`], however it leaves
/// (a panic in its own `work` included), before `Shared` is dropped.
struct CloseOnDrop<'g>(&'g Gate);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        // A job's panic is dropped here only if the caller is already
        // unwinding from its own; otherwise `map_chunks` closed the gate
        // first and resumed it.
        let _ = self.0.close();
    }
}

/// A pointer to a call's `Shared` that a job may carry to another thread.
struct SharedPtr(*const ());

// SAFETY: the pointee is `Shared<I, R, W>` with `I, R: Send` and `W: Sync`,
// so it is `Sync`, and a job dereferences the pointer only while the gate
// has it inside, during which the caller keeps the pointee alive.
unsafe impl Send for SharedPtr {}

/// A job's body: `shared` is a `Shared<I, R, W>` behind an erased pointer.
///
/// # Safety
///
/// `shared` must point to a live `Shared<I, R, W>` for the whole call.
unsafe fn run_erased<I, R, W: Fn(I) -> R>(shared: *const (), t: usize) {
    // SAFETY: as the caller guarantees.
    let shared = unsafe { &*shared.cast::<Shared<'_, I, R, W>>() };
    shared.run(t);
}

/// Applies `work` to every item on up to `threads` threads (the caller and
/// rayon's), as described in the [module documentation](self); results in
/// the items' order.
///
/// If `work` panics on another thread, the panic is resumed here once no
/// thread uses the items any more.
pub(crate) fn map_chunks<I, R, W>(items: Vec<I>, threads: usize, work: &W) -> Vec<Option<R>>
where
    I: Send,
    R: Send,
    W: Fn(I) -> R + Sync,
{
    let slots: Vec<Mutex<Slot<I, R>>> = items
        .into_iter()
        .map(|item| {
            Mutex::new(Slot {
                item: Some(item),
                result: None,
            })
        })
        .collect();
    let threads = threads.clamp(1, slots.len().max(1));
    let shared = Shared {
        slots: &slots,
        taken: AtomicUsize::new(0),
        threads,
        work,
    };
    if threads > 1 {
        let gate = Arc::new(Gate::default());
        let closer = CloseOnDrop(&gate);
        let body: unsafe fn(*const (), usize) = run_erased::<I, R, W>;
        for t in 1..threads {
            let gate = Arc::clone(&gate);
            let ptr = SharedPtr((&raw const shared).cast());
            rayon::spawn(move || {
                let ptr = ptr;
                if !gate.enter() {
                    return;
                }
                // SAFETY: inside the gate, `shared` is alive: `map_chunks`
                // closes the gate and waits for every job inside before it
                // returns or unwinds (`CloseOnDrop`), and `shared` outlives that.
                let result = catch_unwind(AssertUnwindSafe(|| unsafe { body(ptr.0, t) }));
                gate.leave(result.err());
            });
        }
        shared.run(0);
        let panic = gate.close();
        drop(closer);
        if let Some(panic) = panic {
            resume_unwind(panic);
        }
    } else {
        shared.run(0);
    }
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .result
        })
        .collect()
}

/// Chunks per thread a batch is cut into: the granularity at which a thread
/// that is done takes over work from a late one.
const CHUNKS_PER_THREAD: usize = 4;

/// Splits `n` records into chunks of whole kernel steps: about
/// [`CHUNKS_PER_THREAD`] chunks a thread, none smaller than `min_chunk`
/// records (but the last). Returns the records per chunk.
pub(crate) fn chunk_records(n: usize, threads: usize, min_chunk: usize) -> usize {
    /// Records per kernel step: chunks of whole steps keep the records after
    /// a chunk's start aligned as the batch is, and leave no padded tails.
    const STEP: usize = 32;
    let want = n.div_ceil(threads.max(1) * CHUNKS_PER_THREAD);
    want.max(min_chunk).max(1).next_multiple_of(STEP)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    #[test]
    fn every_item_is_worked_once_in_order() {
        for n in [0, 1, 2, 3, 7, 64, 257] {
            for threads in [1, 2, 3, 8] {
                let calls = AtomicU32::new(0);
                let work = |i: usize| {
                    calls.fetch_add(1, Ordering::Relaxed);
                    i * 3
                };
                let out = map_chunks((0..n).collect(), threads, &work);
                let want: Vec<_> = (0..n).map(|i| Some(i * 3)).collect();
                assert_eq!(out, want, "{n} items, {threads} threads");
                assert_eq!(calls.load(Ordering::Relaxed) as usize, n);
            }
        }
    }

    #[test]
    fn home_shares_cover_the_chunks_in_order() {
        let slots: Vec<Mutex<Slot<(), ()>>> = (0..10)
            .map(|_| {
                Mutex::new(Slot {
                    item: None,
                    result: None,
                })
            })
            .collect();
        let shared = Shared {
            slots: &slots,
            taken: AtomicUsize::new(0),
            threads: 3,
            work: &|()| (),
        };
        let shares: Vec<_> = (0..3).map(|t| shared.home(t)).collect();
        assert_eq!(shares, [0..3, 3..6, 6..10]);
    }

    #[test]
    fn a_late_thread_share_is_taken_by_the_caller() {
        // A two-thread pool with one thread held up: the other, as the
        // caller, must take every chunk, its own share and the late one's.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let (started, wait_started) = std::sync::mpsc::channel::<()>();
        let (release, blocked) = std::sync::mpsc::channel::<()>();
        pool.spawn(move || {
            started.send(()).unwrap();
            let _ = blocked.recv();
        });
        wait_started.recv().unwrap();
        let order = Mutex::new(Vec::new());
        let out = pool.install(|| {
            let caller = std::thread::current().id();
            let work = |i: usize| {
                order.lock().unwrap().push(i);
                (i, std::thread::current().id() == caller)
            };
            map_chunks((0..8).collect(), 2, &work)
        });
        release.send(()).unwrap();
        let want: Vec<_> = (0..8).map(|i| Some((i, true))).collect();
        assert_eq!(out, want);
        // Its own share in order, then the late thread's from the far end
        // (not left for the late thread's job, which this thread would
        // otherwise run itself, in order, while waiting for the scope).
        assert_eq!(order.into_inner().unwrap(), [0, 1, 2, 3, 7, 6, 5, 4]);
    }

    #[test]
    fn a_panic_in_work_reaches_the_caller_on_every_thread() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        for bad in [0, 5, 15] {
            let caught = pool.install(|| {
                std::panic::catch_unwind(|| {
                    let work = |i: usize| {
                        assert!(i != bad, "item {bad}");
                        i
                    };
                    map_chunks((0..16).collect(), 2, &work)
                })
            });
            let payload = caught.unwrap_err();
            let text = payload.downcast_ref::<String>().unwrap();
            assert_eq!(text, &format!("item {bad}"));
        }
    }

    #[test]
    fn chunks_are_whole_steps_and_not_too_small() {
        assert_eq!(chunk_records(1_000_000, 2, 16 * 1024), 125_024);
        assert_eq!(chunk_records(40_000, 2, 16 * 1024), 16 * 1024);
        assert_eq!(chunk_records(10, 2, 1), 32);
        assert_eq!(chunk_records(0, 0, 0), 32);
    }
}
