// UART output and the finisher of the QEMU virt machine, for the M-mode guests.
const UART: *mut u8 = 0x1000_0000 as *mut u8;
const FINISHER: *mut u32 = 0x10_0000 as *mut u32;

#[inline(never)]
pub fn print(s: &str) {
    for b in s.bytes() {
        // SAFETY: the virt machine's 16550 UART; LSR bit 5 = transmitter empty.
        unsafe {
            while core::ptr::read_volatile(UART.add(5)) & 0x20 == 0 {}
            core::ptr::write_volatile(UART, b);
        }
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

pub fn exit(code: u32) -> ! {
    // SAFETY: the sifive_test finisher: 0x5555 = pass, code << 16 | 0x3333 = fail.
    unsafe { core::ptr::write_volatile(FINISHER, if code == 0 { 0x5555 } else { code << 16 | 0x3333 }) };
    loop {}
}
