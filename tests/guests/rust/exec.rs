// exec — an M-mode bare-metal program (-bios none) whose four tasks exercise what async tracing
// must see: a channel between a consumer and a producer, yields, async fns nested three deep,
// and a join of two futures. README.md derives every poll, state change and wake from the code.
#![no_std]
#![no_main]

#[path = "executor.rs"]
mod executor;
#[path = "mmio.rs"]
mod mmio;

use core::cell::Cell;
use core::future::Future;
use core::pin::{pin, Pin};
use core::task::{Context, Poll, Waker};
use executor::{run, yield_now};
use mmio::{exit, print, print_num};

/// A one-slot channel: a send fills an empty slot (waking a waiting receiver) or waits.
pub struct Chan {
    slot: Cell<Option<u32>>,
    rx: Cell<Option<Waker>>,
    tx: Cell<Option<Waker>>,
}

pub struct Send<'a> {
    ch: &'a Chan,
    v: u32,
}

pub struct Recv<'a> {
    ch: &'a Chan,
}

impl Chan {
    const fn new() -> Chan {
        Chan { slot: Cell::new(None), rx: Cell::new(None), tx: Cell::new(None) }
    }
    fn send(&self, v: u32) -> Send<'_> {
        Send { ch: self, v }
    }
    fn recv(&self) -> Recv<'_> {
        Recv { ch: self }
    }
}

impl Future for Send<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let ch = self.ch;
        if ch.slot.get().is_some() {
            ch.tx.set(Some(cx.waker().clone()));
            return Poll::Pending;
        }
        ch.slot.set(Some(self.v));
        if let Some(w) = ch.rx.take() {
            w.wake();
        }
        Poll::Ready(())
    }
}

impl Future for Recv<'_> {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        let ch = self.ch;
        match ch.slot.take() {
            Some(v) => {
                if let Some(w) = ch.tx.take() {
                    w.wake();
                }
                Poll::Ready(v)
            }
            None => {
                ch.rx.set(Some(cx.waker().clone()));
                Poll::Pending
            }
        }
    }
}

/// Polls both futures until both are done (each at most once per poll of the join).
pub struct Join<A: Future, B: Future> {
    a: A,
    b: B,
    ra: Option<A::Output>,
    rb: Option<B::Output>,
}

impl<A: Future, B: Future> Future for Join<A, B> {
    type Output = (A::Output, B::Output);
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: a and b are never moved out of the pinned join.
        let this = unsafe { self.get_unchecked_mut() };
        if this.ra.is_none() {
            if let Poll::Ready(v) = unsafe { Pin::new_unchecked(&mut this.a) }.poll(cx) {
                this.ra = Some(v);
            }
        }
        if this.rb.is_none() {
            if let Poll::Ready(v) = unsafe { Pin::new_unchecked(&mut this.b) }.poll(cx) {
                this.rb = Some(v);
            }
        }
        match (this.ra.take(), this.rb.take()) {
            (Some(a), Some(b)) => Poll::Ready((a, b)),
            (a, b) => {
                this.ra = a;
                this.rb = b;
                Poll::Pending
            }
        }
    }
}

async fn consumer(ch: &Chan) {
    let mut sum = 0;
    for _ in 0..3 {
        sum += ch.recv().await; // await: consumer recv
    }
    print("exec: consumer sum=");
    print_num(sum as u64);
    print("\n");
}

async fn producer(ch: &Chan) {
    for i in 1..=3 {
        ch.send(i).await; // await: producer send
        yield_now().await; // await: producer yield
    }
}

async fn level3() -> u32 {
    yield_now().await; // await: level3 yield
    20
}

async fn level2() -> u32 {
    level3().await * 2 // await: level2 level3
}

async fn level1() -> u32 {
    level2().await + 1 // await: level1 level2
}

async fn count(n: u32) -> u32 {
    for _ in 0..n {
        yield_now().await; // await: count yield
    }
    n
}

#[unsafe(no_mangle)]
pub extern "C" fn rust_main() -> ! {
    let ch = Chan::new();
    let t0 = pin!(consumer(&ch));
    let t1 = pin!(producer(&ch));
    let t2 = pin!(async {
        let v = level1().await; // await: nested level1
        print("exec: nested=");
        print_num(v as u64);
        print("\n");
    });
    let t3 = pin!(async {
        let (a, b) = Join { a: count(1), b: count(2), ra: None, rb: None }.await; // await: joiner join
        print("exec: joined=");
        print_num(a as u64);
        print(",");
        print_num(b as u64);
        print("\n");
    });
    let mut tasks: [Pin<&mut dyn Future<Output = ()>>; 4] = [t0, t1, t2, t3];
    run(&mut tasks, || {});
    print("exec: done\n");
    exit(0)
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    print("exec: panic\n");
    exit(1)
}
