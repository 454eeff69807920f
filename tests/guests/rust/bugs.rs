// bugs — two async bugs made on purpose, for `strata tasks`' lost-wake and busy-polling reports
// (docs/ASYNC.md): task 0 awaits a future that returns Pending without cloning, storing or
// waking its waker (a lost wake: nothing will ever poll it again); task 1 wakes itself in each
// of its BUSY polls (a busy-polling task); task 2 is a healthy task that yields once and ends.
// When no task is ready the executor's idle hook reports the stuck task and ends the run.
#![no_std]
#![no_main]

#[path = "executor.rs"]
mod executor;
#[path = "mmio.rs"]
mod mmio;

use core::future::Future;
use core::pin::{pin, Pin};
use core::task::{Context, Poll};
use executor::{run, yield_now};
use mmio::{exit, print, print_num};

const BUSY: u32 = 150;

/// The bug: Pending, and the waker is neither cloned nor woken, so no one wakes the task.
pub struct Forgetful;

impl Future for Forgetful {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<u32> {
        Poll::Pending
    }
}

/// The other bug: "not yet" answered by waking itself at once, BUSY times.
pub struct Spin {
    left: u32,
}

impl Future for Spin {
    type Output = u32;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        if self.left == 0 {
            return Poll::Ready(BUSY);
        }
        self.left -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

async fn lost() -> u32 {
    Forgetful.await + 1 // await: bugs lost
}

async fn busy() -> u32 {
    Spin { left: BUSY }.await // await: bugs busy
}

async fn healthy() -> u32 {
    yield_now().await; // await: bugs healthy
    7
}

fn stuck() {
    print("bugs: idle with a task pending\n");
    exit(0)
}

#[unsafe(no_mangle)]
pub extern "C" fn rust_main() -> ! {
    let t0 = pin!(async { print_num(lost().await as u64); print(" lost\n") });
    let t1 = pin!(async { let n = busy().await; print("bugs: busy "); print_num(n as u64); print("\n") });
    let t2 = pin!(async { print("bugs: healthy "); print_num(healthy().await as u64); print("\n") });
    let mut tasks: [Pin<&mut dyn Future<Output = ()>>; 3] = [t0, t1, t2];
    run(&mut tasks, stuck);
    print("bugs: done\n");
    exit(0)
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    print("bugs: panic\n");
    exit(1)
}
