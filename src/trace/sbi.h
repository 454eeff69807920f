/* sbi — names and argument formats of SBI calls (v0.2+ extensions and the legacy ones) and of
 * Linux riscv64 and xv6-riscv system calls, as data tables, for decoding traps when a trace is read. */
#ifndef STRATA_TRACE_SBI_H
#define STRATA_TRACE_SBI_H

#include <stddef.h>
#include <stdint.h>

/* Extension name for a7 = eid: "base", "legacy_set_timer", "TIME", "IPI", "RFENCE", "HSM",
 * "SRST", "DBCN", "PMU", ... or NULL if unknown. */
const char *sbi_ext_name(uint64_t eid);
/* Function name for (eid, a6 = fid): "sbi_set_timer", "sbi_hart_start", ... or NULL. Legacy
 * extensions ignore fid. */
const char *sbi_func_name(uint64_t eid, uint64_t fid);
/* Format a call from a0..a5: "sbi_set_timer(stime_value=0x1234)". Unknown calls come out as
 * "sbi_call(eid=0x..., fid=..., a0=..., ...)". Returns the length written (snprintf-like). */
int sbi_format_call(uint64_t eid, uint64_t fid, const uint64_t a[6], char *buf, size_t n);
/* Format the result (a0 = error, a1 = value): "SBI_SUCCESS value=0x2" / "SBI_ERR_INVALID_PARAM";
 * legacy extensions return only a0: "0". */
int sbi_format_ret(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, char *buf, size_t n);

/* Linux riscv64 (asm-generic) system call name for a7 = nr, or NULL. */
const char *syscall_name(uint64_t nr);
/* Format "openat(dfd=-100, filename=0x..., flags=0x0, mode=0)" from a0..a5. */
int syscall_format_call(uint64_t nr, const uint64_t a[6], char *buf, size_t n);
/* Format a return value: "3", "-2 (ENOENT)". */
int syscall_format_ret(uint64_t nr, uint64_t a0, char *buf, size_t n);

/* The same for xv6-riscv's system calls (kernel/syscall.h): "write(fd=1, buf=0x..., n=3)",
 * returns "3" or "-1". */
const char *xv6_syscall_name(uint64_t nr);
int xv6_syscall_format_call(uint64_t nr, const uint64_t a[6], char *buf, size_t n);
int xv6_syscall_format_ret(uint64_t nr, uint64_t a0, char *buf, size_t n);

#endif
