// spin — the async-heavy benchmark guest (bench/async): four tasks that each await a two-level
// nested async fn and yield ROUNDS times, so most of the run is executor and poll code.
#![no_std]
#![no_main]

#[path = "executor.rs"]
mod executor;
#[path = "mmio.rs"]
mod mmio;

use core::future::Future;
use core::pin::{pin, Pin};
use executor::{run, yield_now};
use mmio::{exit, print, print_num};

#[cfg(not(forever))]
const ROUNDS: u32 = 50000;
// spin-forever (e2e/console kills the run mid-way): about 2^32 rounds, more than any test runs
#[cfg(forever)]
const ROUNDS: u32 = u32::MAX;

#[inline(never)]
fn work(x: u32) -> u32 {
    (0..32).fold(x, |a, i| a.wrapping_mul(31).wrapping_add(i))
}

async fn inner(x: u32) -> u32 {
    yield_now().await; // await: spin inner
    work(x)
}

async fn outer(x: u32) -> u32 {
    inner(x).await ^ 1 // await: spin outer
}

async fn worker(id: u32) -> u32 {
    let mut acc = id;
    for _ in 0..ROUNDS {
        acc = outer(acc).await; // await: spin worker
        yield_now().await; // await: spin yield
    }
    acc
}

#[unsafe(no_mangle)]
pub extern "C" fn rust_main() -> ! {
    let t0 = pin!(async { print_num(worker(1).await as u64 & 0xffff); print(" ") });
    let t1 = pin!(async { print_num(worker(2).await as u64 & 0xffff); print(" ") });
    let t2 = pin!(async { print_num(worker(3).await as u64 & 0xffff); print(" ") });
    let t3 = pin!(async { print_num(worker(4).await as u64 & 0xffff); print(" ") });
    let mut tasks: [Pin<&mut dyn Future<Output = ()>>; 4] = [t0, t1, t2, t3];
    run(&mut tasks, || {});
    print("\nspin: done\n");
    exit(0)
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    print("spin: panic\n");
    exit(1)
}
