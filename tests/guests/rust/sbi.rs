// SBI calls for the S-mode guest (legacy console putchar, TIME, SRST) and the time CSR.
fn ecall(eid: u64, fid: u64, a0: u64, a1: u64) -> u64 {
    let ret: u64;
    // SAFETY: an SBI call; OpenSBI preserves every register but a0, a1.
    unsafe {
        core::arch::asm!("ecall", inlateout("a0") a0 => ret, inlateout("a1") a1 => _,
                         in("a6") fid, in("a7") eid)
    };
    ret
}

#[inline(never)]
pub fn print(s: &str) {
    for b in s.bytes() {
        ecall(0x01, 0, b as u64, 0);
    }
}

#[inline(never)]
pub fn print_num(mut v: u64) {
    let mut buf = [0u8; 20];
    let mut n = buf.len();
    loop {
        n -= 1;
        buf[n] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // SAFETY: only ASCII digits were written.
    print(unsafe { core::str::from_utf8_unchecked(&buf[n..]) });
}

pub fn rdtime() -> u64 {
    let t: u64;
    // SAFETY: the time CSR is readable in S mode under OpenSBI.
    unsafe { core::arch::asm!("rdtime {0}", out(reg) t) };
    t
}

pub fn set_timer(at: u64) {
    ecall(0x54494D45, 0, at, 0);
}

pub fn shutdown() -> ! {
    ecall(0x53525354, 0, 0, 0);
    loop {}
}
