// host — the executor and a few futures built for the host (x86-64 Linux, with std): the
// discovery library's unit test checks it finds the same structure in an x86-64 ELF.
#[path = "executor.rs"]
mod executor;

use executor::{run, yield_now};
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, RawWaker, RawWakerVTable, Waker};

fn noop_clone(data: *const ()) -> RawWaker {
    RawWaker::new(data, &NOOP)
}

fn noop(_data: *const ()) {}

/// A waker vtable without a DWARF variable: `&NOOP` is promoted to an anonymous constant, so
/// discovery must find it by its shape (four pointers to waker-shaped functions).
const NOOP: RawWakerVTable = RawWakerVTable::new(noop_clone, noop, noop, noop);

async fn inner(n: u64) -> u64 {
    for _ in 0..n {
        yield_now().await; // await: host inner yield
    }
    n * 2
}

async fn outer(n: u64) -> u64 {
    inner(n).await + 1 // await: host outer inner
}

/// A result big enough to be returned through memory (Poll<[u64; 4]>).
async fn wide() -> [u64; 4] {
    yield_now().await; // await: host wide yield
    [1, 2, 3, 4]
}

fn main() {
    // SAFETY: the noop vtable's functions ignore their data pointer.
    let w = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &NOOP)) };
    let mut cx = Context::from_waker(&w);
    let ready = pin!(async { 7 }).poll(&mut cx);
    println!("host: ready={}", matches!(ready, std::task::Poll::Ready(7)));
    let a = pin!(async {
        let v = outer(2).await; // await: host task outer
        println!("host: outer={v}");
    });
    let b = pin!(async {
        let w = wide().await; // await: host task wide
        println!("host: wide={}", w.iter().sum::<u64>());
    });
    let mut tasks: [Pin<&mut dyn Future<Output = ()>>; 2] = [a, b];
    run(&mut tasks, || {});
}
