// A tiny single-hart executor shared by the async guests (README.md): tasks are pinned
// `dyn Future`s on main's stack, each with a ready flag; the waker's data pointer is the task's
// flag; `run` polls every ready task in index order, round after round, until all are done.
// `idle` is called when no task is ready (the S-mode kernel sleeps in WFI there).

use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

pub const MAX_TASKS: usize = 8;

#[allow(clippy::declare_interior_mutable_const)]
const NOT_READY: AtomicBool = AtomicBool::new(false);
pub static READY: [AtomicBool; MAX_TASKS] = [NOT_READY; MAX_TASKS];

pub static VTABLE: RawWakerVTable =
    RawWakerVTable::new(waker_clone, waker_wake, waker_wake_by_ref, waker_drop);

#[inline(never)]
fn waker_clone(data: *const ()) -> RawWaker {
    RawWaker::new(data, &VTABLE)
}

#[inline(never)]
fn waker_wake(data: *const ()) {
    // SAFETY: data is always one of READY's flags (see `run`).
    unsafe { (*(data as *const AtomicBool)).store(true, Ordering::Release) }
}

#[inline(never)]
fn waker_wake_by_ref(data: *const ()) {
    // SAFETY: as above.
    unsafe { (*(data as *const AtomicBool)).store(true, Ordering::Release) }
}

#[inline(never)]
fn waker_drop(_data: *const ()) {}

/// The waker of task i (the interrupt handler of the S-mode kernel keeps one too).
pub fn task_waker(i: usize) -> Waker {
    // SAFETY: the vtable's functions only touch READY[i], which lives forever.
    unsafe { Waker::from_raw(RawWaker::new(&READY[i] as *const AtomicBool as *const (), &VTABLE)) }
}

pub fn run(tasks: &mut [Pin<&mut dyn Future<Output = ()>>], idle: fn()) {
    let n = tasks.len();
    let mut done = [false; MAX_TASKS];
    let mut left = n;
    for flag in READY.iter().take(n) {
        flag.store(true, Ordering::Relaxed);
    }
    while left > 0 {
        let mut polled = false;
        for i in 0..n {
            if done[i] || !READY[i].swap(false, Ordering::Acquire) {
                continue;
            }
            let waker = task_waker(i);
            let mut cx = Context::from_waker(&waker);
            polled = true;
            if let Poll::Ready(()) = tasks[i].as_mut().poll(&mut cx) {
                done[i] = true;
                left -= 1;
            }
        }
        if !polled {
            idle();
        }
    }
}

/// Goes Pending once (waking its own task first), then Ready: a task yields its turn.
pub struct YieldNow {
    yielded: bool,
}

pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
