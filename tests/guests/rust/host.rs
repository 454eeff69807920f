// host — the executor and a few futures built for the host (x86-64 Linux, with std): the
// discovery library's unit test checks it finds the same structure in an x86-64 ELF.
#[path = "executor.rs"]
mod executor;

use executor::{run, yield_now};
use std::future::Future;
use std::pin::{pin, Pin};

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
