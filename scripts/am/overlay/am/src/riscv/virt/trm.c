/* TRM of strata's `virt` AM platform: QEMU virt's devices as `-bios none` leaves them. */
#include <am.h>
#include <klib-macros.h>

extern char _heap_start;
int main(const char *args);

#define PMEM_END  ((uintptr_t)0x80000000 + 128 * 1024 * 1024)
#define UART_BASE 0x10000000ul /* ns16550: THR at +0, LSR at +5 (bit 5: THR empty) */
#define TEST_BASE 0x100000ul   /* sifive_test: 0x5555 pass, code << 16 | 0x3333 fail */

Area heap = RANGE(&_heap_start, PMEM_END);
#ifndef MAINARGS
#define MAINARGS ""
#endif
static const char mainargs[] = MAINARGS;

void putch(char ch) {
  volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
  while (!(uart[5] & 0x20));
  uart[0] = ch;
}

void halt(int code) {
  *(volatile uint32_t *)TEST_BASE = code ? ((uint32_t)code << 16) | 0x3333 : 0x5555;
  while (1);
}

void _trm_init() {
  int ret = main(mainargs);
  halt(ret);
}
