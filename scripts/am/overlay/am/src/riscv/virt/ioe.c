/* IOE of strata's `virt` AM platform: the timer only (CLINT mtime, 10 MHz on QEMU virt). */
#include <am.h>
#include <klib-macros.h>

#define MTIME 0x200bff8ul

static uint64_t boot_time;

static uint64_t read_us(void) {
  volatile uint32_t *t = (volatile uint32_t *)MTIME;
  uint32_t hi, lo;
  do { /* RV32 reads the 64-bit counter in halves: retry if the low half wrapped */
    hi = t[1];
    lo = t[0];
  } while (hi != t[1]);
  return (((uint64_t)hi << 32) | lo) / 10;
}

static void timer_config(AM_TIMER_CONFIG_T *cfg) { cfg->present = true; cfg->has_rtc = false; }
static void timer_uptime(AM_TIMER_UPTIME_T *up) { up->us = read_us() - boot_time; }
static void timer_rtc(AM_TIMER_RTC_T *rtc) {
  rtc->second = rtc->minute = rtc->hour = rtc->day = rtc->month = 0;
  rtc->year = 1900;
}

typedef void (*handler_t)(void *buf);
static void *lut[128] = {
  [AM_TIMER_CONFIG] = timer_config,
  [AM_TIMER_RTC   ] = timer_rtc,
  [AM_TIMER_UPTIME] = timer_uptime,
};

static void fail(void *buf) { panic("access nonexist register"); }

bool ioe_init() {
  for (int i = 0; i < LENGTH(lut); i++)
    if (!lut[i]) lut[i] = fail;
  boot_time = read_us();
  return true;
}

void ioe_read (int reg, void *buf) { ((handler_t)lut[reg])(buf); }
void ioe_write(int reg, void *buf) { ((handler_t)lut[reg])(buf); }
