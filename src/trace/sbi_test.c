/* sbi_test — exact strings for SBI call/return decoding, unknown calls, and truncation into
 * small buffers. */
#include "trace/sbi.h"

#include <stdio.h>
#include <string.h>
#include "trace/fmt_check.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct call_case {
	uint64_t eid, fid, a[6];
	const char *want;
};

static const struct call_case calls[] = {
    {0x54494D45, 0, {0x1234}, "sbi_set_timer(stime_value=0x1234)"},
    {0x00, 7, {0x55}, "sbi_set_timer(stime_value=0x55)"}, /* legacy: fid ignored */
    {0x01, 0, {'A'}, "sbi_console_putchar(ch='A')"},
    {0x01, 0, {'\n'}, "sbi_console_putchar(ch='\\n')"},
    {0x01, 0, {0x1b}, "sbi_console_putchar(ch=0x1b)"},
    {0x02, 0, {0}, "sbi_console_getchar()"},
    {0x07,
     0,
     {0x80001000, 0, 0x1000, 5},
     "sbi_remote_sfence_vma_asid(hart_mask=0x80001000, start=0x0, size=0x1000, asid=5)"},
    {0x08, 0, {0}, "sbi_shutdown()"},
    {0x10, 0, {0}, "sbi_get_spec_version()"},
    {0x10, 3, {0x4442434E}, "sbi_probe_extension(extension_id=0x4442434e)"},
    {0x10, 6, {0}, "sbi_get_mimpid()"},
    {0x735049, 0, {1, 0}, "sbi_send_ipi(hart_mask=0x1, hart_mask_base=0x0)"},
    {0x52464E43,
     2,
     {3, 0, 0x80200000, 0x2000, 7},
     "sbi_remote_sfence_vma_asid(hart_mask=0x3, hart_mask_base=0x0, start_addr=0x80200000, "
     "size=0x2000, asid=7)"},
    {0x48534D,
     0,
     {1, 0x80200000, 0x42},
     "sbi_hart_start(hartid=1, start_addr=0x80200000, opaque=0x42)"},
    {0x48534D, 2, {3}, "sbi_hart_get_status(hartid=3)"},
    {0x53525354, 0, {0, 0}, "sbi_system_reset(reset_type=0x0, reset_reason=0x0)"},
    {0x504D55, 5, {4}, "sbi_pmu_counter_fw_read(counter_idx=4)"},
    {0x4442434E,
     0,
     {5, 0x80201000, 0},
     "sbi_debug_console_write(num_bytes=5, base_addr_lo=0x80201000, base_addr_hi=0x0)"},
    {0x4442434E, 2, {'x'}, "sbi_debug_console_write_byte(byte='x')"},
    {0x53555350,
     0,
     {0, 0x80200000, 1},
     "sbi_system_suspend(sleep_type=0x0, resume_addr=0x80200000, opaque=0x1)"},
    {0x43505043, 3, {0x10, 99}, "sbi_cppc_write(cppc_reg_id=0x10, val=0x63)"},
    /* unknown extension, unknown function of a known extension */
    {0x0A000001,
     2,
     {1, 2, 3, 4, 5, 6},
     "sbi_call(eid=0xa000001, fid=2, a0=0x1, a1=0x2, a2=0x3, a3=0x4, a4=0x5, a5=0x6)"},
    {0x54494D45,
     1,
     {0x10, 0, 0, 0, 0, 0xffffffffffffffff},
     "sbi_call(eid=0x54494d45, fid=1, a0=0x10, a1=0x0, a2=0x0, a3=0x0, a4=0x0, "
     "a5=0xffffffffffffffff)"},
};

struct ret_case {
	uint64_t eid, fid, a0, a1;
	const char *want;
};

static const struct ret_case rets[] = {
    {0x10, 0, 0, 0x2000000, "SBI_SUCCESS value=0x2000000"},
    {0x10, 1, 0, 1, "SBI_SUCCESS value=1"},
    {0x10, 3, 0, 0, "SBI_SUCCESS value=0"},
    {0x54494D45, 0, 0, 0x77, "SBI_SUCCESS"}, /* value unspecified: not shown */
    {0x48534D, 0, (uint64_t)-3, 0, "SBI_ERR_INVALID_PARAM"},
    {0x48534D, 0, (uint64_t)-7, 0, "SBI_ERR_ALREADY_STARTED"},
    {0x48534D, 1, (uint64_t)-8, 0, "SBI_ERR_ALREADY_STOPPED"},
    {0x48534D, 2, 0, 1, "SBI_SUCCESS value=1"},
    {0x53525354, 0, (uint64_t)-1, 0, "SBI_ERR_FAILED"},
    {0x4442434E, 0, (uint64_t)-2, 9, "SBI_ERR_NOT_SUPPORTED"},
    {0x4442434E, 0, 0, 5, "SBI_SUCCESS value=5"},
    {0x504D55, 0, (uint64_t)-4, 0, "SBI_ERR_DENIED"},
    {0x504D55, 7, (uint64_t)-5, 0, "SBI_ERR_INVALID_ADDRESS"},
    {0x504D55, 7, (uint64_t)-6, 0, "SBI_ERR_ALREADY_AVAILABLE"},
    {0x535441, 0, (uint64_t)-9, 0, "SBI_ERR_NO_SHMEM"},
    {0x43505043, 0, (uint64_t)-10, 0, "SBI_ERR_INVALID_STATE"},
    {0x52464E43, 0, (uint64_t)-11, 0, "SBI_ERR_BAD_RANGE"},
    {0x52464E43, 0, (uint64_t)-12, 0, "SBI_ERR_TIMEOUT"},
    {0x52464E43, 0, (uint64_t)-13, 0, "SBI_ERR_IO"},
    {0x52464E43, 0, (uint64_t)-14, 0, "SBI_ERR(-14)"},
    {0x52464E43, 0, 3, 0, "SBI_ERR(3)"},
    {0x01, 0, 0, 0x99, "0"},	      /* legacy: a0 only */
    {0x02, 0, (uint64_t)-1, 0, "-1"}, /* legacy getchar, nothing pending */
    {0x02, 0, 'q', 0, "113"},
    {0x12345678, 0, (uint64_t)-2, 0x5, "SBI_ERR_NOT_SUPPORTED value=0x5"},
};

struct name_case {
	uint64_t eid, fid;
	const char *ext, *func; /* NULL: unknown */
};

static const struct name_case names[] = {
    {0x00, 0, "legacy_set_timer", "sbi_set_timer"},
    {0x08, 3, "legacy_shutdown", "sbi_shutdown"},
    {0x09, 0, NULL, NULL},
    {0x10, 4, "base", "sbi_get_mvendorid"},
    {0x10, 7, "base", NULL},
    {0x54494D45, 0, "TIME", "sbi_set_timer"},
    {0x735049, 0, "IPI", "sbi_send_ipi"},
    {0x52464E43, 6, "RFENCE", "sbi_remote_hfence_vvma"},
    {0x48534D, 3, "HSM", "sbi_hart_suspend"},
    {0x53525354, 0, "SRST", "sbi_system_reset"},
    {0x504D55, 2, "PMU", "sbi_pmu_counter_config_matching"},
    {0x4442434E, 1, "DBCN", "sbi_debug_console_read"},
    {0x53555350, 0, "SUSP", "sbi_system_suspend"},
    {0x43505043, 0, "CPPC", "sbi_cppc_probe"},
    {0x54494D45 | (1ull << 32), 0, NULL, NULL}, /* eid is the full a7 */
};

static int streq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int test_names(void)
{
	for (size_t i = 0; i < N(names); i++) {
		const struct name_case *c = &names[i];
		const char *e = sbi_ext_name(c->eid), *f = sbi_func_name(c->eid, c->fid);
		if (!streq(e, c->ext) || !streq(f, c->func)) {
			printf("FAIL sbi_names: eid 0x%llx fid %llu: got %s/%s, want %s/%s\n",
			       (unsigned long long)c->eid, (unsigned long long)c->fid,
			       e ? e : "NULL", f ? f : "NULL", c->ext ? c->ext : "NULL",
			       c->func ? c->func : "NULL");
			return 1;
		}
	}
	printf("PASS sbi_names\n");
	return 0;
}

static int call_fn(const void *p, char *buf, size_t n)
{
	const struct call_case *c = p;
	return sbi_format_call(c->eid, c->fid, c->a, buf, n);
}

static int ret_fn(const void *p, char *buf, size_t n)
{
	const struct ret_case *c = p;
	return sbi_format_ret(c->eid, c->fid, c->a0, c->a1, buf, n);
}

static int test_calls(void)
{
	for (size_t i = 0; i < N(calls); i++)
		if (check_fmt("sbi_format_call", call_fn, &calls[i], calls[i].want))
			return 1;
	printf("PASS sbi_format_call\n");
	return 0;
}

static int test_rets(void)
{
	for (size_t i = 0; i < N(rets); i++)
		if (check_fmt("sbi_format_ret", ret_fn, &rets[i], rets[i].want))
			return 1;
	printf("PASS sbi_format_ret\n");
	return 0;
}

int main(void)
{
	int failed = test_names() + test_calls() + test_rets();
	return failed ? 1 : 0;
}
