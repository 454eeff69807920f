// kernel — an S-mode kernel under OpenSBI whose sleeping task is woken by the S timer
// interrupt: the interrupt handler calls the waker the Sleep future left behind. A second task
// yields three times meanwhile. README.md derives every poll, state change and wake.
#![no_std]
#![no_main]

#[path = "executor.rs"]
mod executor;
#[path = "sbi.rs"]
mod sbi;

use core::cell::Cell;
use core::future::Future;
use core::pin::{pin, Pin};
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll, Waker};
use executor::{run, yield_now};
use sbi::{print, print_num, rdtime, set_timer, shutdown};

const CAUSE_S_TIMER: u64 = (1 << 63) | 5;
const SLEEP_TICKS: u64 = 100_000;

struct TimerSlot(Cell<Option<Waker>>);
// SAFETY: one hart; the slot is touched by the task with interrupts off and by the handler.
unsafe impl Sync for TimerSlot {}
static TIMER_WAKER: TimerSlot = TimerSlot(Cell::new(None));
static FIRED: AtomicBool = AtomicBool::new(false);

/// Pending until the S timer interrupt armed on its first poll has fired.
pub struct Sleep {
    ticks: u64,
    armed: bool,
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if !self.armed {
            self.armed = true;
            FIRED.store(false, Ordering::Relaxed);
            TIMER_WAKER.0.set(Some(cx.waker().clone()));
            set_timer(rdtime() + self.ticks);
            return Poll::Pending;
        }
        if FIRED.load(Ordering::Acquire) { Poll::Ready(()) } else { Poll::Pending }
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn ktrap() {
    let cause: u64;
    // SAFETY: reading scause in the S trap handler.
    unsafe { core::arch::asm!("csrr {0}, scause", out(reg) cause) };
    if cause != CAUSE_S_TIMER {
        print("kernel: unexpected trap\n");
        shutdown();
    }
    set_timer(u64::MAX); // far future: clears STIP
    FIRED.store(true, Ordering::Release);
    if let Some(w) = TIMER_WAKER.0.take() {
        w.wake();
    }
}

/// No task is ready: sleep until an interrupt is pending, then take it.
fn idle() {
    // SAFETY: WFI resumes on a pending enabled interrupt even with SIE clear; opening SIE for
    // two instructions lets the handler run at a known point.
    unsafe { core::arch::asm!("wfi", "csrsi sstatus, 2", "csrci sstatus, 2") };
}

#[unsafe(no_mangle)]
pub extern "C" fn rust_main() -> ! {
    // SAFETY: enable the S timer interrupt source (delivered only in `idle`).
    unsafe { core::arch::asm!("csrs sie, {0}", in(reg) 1u64 << 5) };
    let sleeper = pin!(async {
        for k in 1..=2u64 {
            Sleep { ticks: SLEEP_TICKS, armed: false }.await; // await: sleeper sleep
            print("kernel: tick ");
            print_num(k);
            print("\n");
        }
    });
    let worker = pin!(async {
        for _ in 0..3 {
            yield_now().await; // await: worker yield
        }
        print("kernel: worker done\n");
    });
    let mut tasks: [Pin<&mut dyn Future<Output = ()>>; 2] = [sleeper, worker];
    run(&mut tasks, idle);
    print("kernel: done\n");
    shutdown()
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    print("kernel: panic\n");
    shutdown()
}
