/* sbi — SBI call decoding as data: one table per extension (spec v2.0 plus the legacy v0.1
 * calls), looked up by eid and fid when a trace is read. */
#include "trace/sbi.h"

#include "trace/sbi_fmt.h"

/* One SBI function. fmt has one letter per argument (see sbi_fmt_value); ret says how to show
 * sbiret.value on success ('x', 'u', or 0 when the spec leaves it unspecified). Legacy calls
 * return a single signed a0 instead. */
struct sbi_func {
	uint32_t fid;
	const char *name;
	const char *fmt;
	char ret;
	const char *args[6];
};

struct sbi_ext {
	uint64_t eid;
	const char *name;
	int legacy; /* v0.1: fid ignored, a0 is the whole result */
	const struct sbi_func *funcs;
	size_t nfuncs;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Legacy extensions: eid selects the function. */
static const struct sbi_func legacy_set_timer[] = {{0, "sbi_set_timer", "x", 0, {"stime_value"}}};
static const struct sbi_func legacy_putchar[] = {{0, "sbi_console_putchar", "c", 0, {"ch"}}};
static const struct sbi_func legacy_getchar[] = {{0, "sbi_console_getchar", "", 0, {0}}};
static const struct sbi_func legacy_clear_ipi[] = {{0, "sbi_clear_ipi", "", 0, {0}}};
static const struct sbi_func legacy_send_ipi[] = {{0, "sbi_send_ipi", "x", 0, {"hart_mask"}}};
static const struct sbi_func legacy_fence_i[] = {{0, "sbi_remote_fence_i", "x", 0, {"hart_mask"}}};
static const struct sbi_func legacy_sfence_vma[] = {
    {0, "sbi_remote_sfence_vma", "xxx", 0, {"hart_mask", "start", "size"}}};
static const struct sbi_func legacy_sfence_vma_asid[] = {
    {0, "sbi_remote_sfence_vma_asid", "xxxu", 0, {"hart_mask", "start", "size", "asid"}}};
static const struct sbi_func legacy_shutdown[] = {{0, "sbi_shutdown", "", 0, {0}}};

static const struct sbi_func base_funcs[] = {
    {0, "sbi_get_spec_version", "", 'x', {0}},
    {1, "sbi_get_impl_id", "", 'u', {0}},
    {2, "sbi_get_impl_version", "", 'x', {0}},
    {3, "sbi_probe_extension", "x", 'u', {"extension_id"}},
    {4, "sbi_get_mvendorid", "", 'x', {0}},
    {5, "sbi_get_marchid", "", 'x', {0}},
    {6, "sbi_get_mimpid", "", 'x', {0}},
};

static const struct sbi_func time_funcs[] = {{0, "sbi_set_timer", "x", 0, {"stime_value"}}};

static const struct sbi_func ipi_funcs[] = {
    {0, "sbi_send_ipi", "xx", 0, {"hart_mask", "hart_mask_base"}}};

static const struct sbi_func rfence_funcs[] = {
    {0, "sbi_remote_fence_i", "xx", 0, {"hart_mask", "hart_mask_base"}},
    {1, "sbi_remote_sfence_vma", "xxxx", 0, {"hart_mask", "hart_mask_base", "start_addr", "size"}},
    {2,
     "sbi_remote_sfence_vma_asid",
     "xxxxu",
     0,
     {"hart_mask", "hart_mask_base", "start_addr", "size", "asid"}},
    {3,
     "sbi_remote_hfence_gvma_vmid",
     "xxxxu",
     0,
     {"hart_mask", "hart_mask_base", "start_addr", "size", "vmid"}},
    {4, "sbi_remote_hfence_gvma", "xxxx", 0, {"hart_mask", "hart_mask_base", "start_addr", "size"}},
    {5,
     "sbi_remote_hfence_vvma_asid",
     "xxxxu",
     0,
     {"hart_mask", "hart_mask_base", "start_addr", "size", "asid"}},
    {6, "sbi_remote_hfence_vvma", "xxxx", 0, {"hart_mask", "hart_mask_base", "start_addr", "size"}},
};

static const struct sbi_func hsm_funcs[] = {
    {0, "sbi_hart_start", "uxx", 0, {"hartid", "start_addr", "opaque"}},
    {1, "sbi_hart_stop", "", 0, {0}},
    {2, "sbi_hart_get_status", "u", 'u', {"hartid"}},
    {3, "sbi_hart_suspend", "xxx", 0, {"suspend_type", "resume_addr", "opaque"}},
};

static const struct sbi_func srst_funcs[] = {
    {0, "sbi_system_reset", "xx", 0, {"reset_type", "reset_reason"}}};

static const struct sbi_func pmu_funcs[] = {
    {0, "sbi_pmu_num_counters", "", 'u', {0}},
    {1, "sbi_pmu_counter_get_info", "u", 'x', {"counter_idx"}},
    {2,
     "sbi_pmu_counter_config_matching",
     "uxxxx",
     'u',
     {"counter_idx_base", "counter_idx_mask", "config_flags", "event_idx", "event_data"}},
    {3,
     "sbi_pmu_counter_start",
     "uxxx",
     0,
     {"counter_idx_base", "counter_idx_mask", "start_flags", "initial_value"}},
    {4, "sbi_pmu_counter_stop", "uxx", 0, {"counter_idx_base", "counter_idx_mask", "stop_flags"}},
    {5, "sbi_pmu_counter_fw_read", "u", 'x', {"counter_idx"}},
    {6, "sbi_pmu_counter_fw_read_hi", "u", 'x', {"counter_idx"}},
    {7, "sbi_pmu_snapshot_set_shmem", "xxx", 0, {"shmem_phys_lo", "shmem_phys_hi", "flags"}},
};

static const struct sbi_func dbcn_funcs[] = {
    {0, "sbi_debug_console_write", "uxx", 'u', {"num_bytes", "base_addr_lo", "base_addr_hi"}},
    {1, "sbi_debug_console_read", "uxx", 'u', {"num_bytes", "base_addr_lo", "base_addr_hi"}},
    {2, "sbi_debug_console_write_byte", "c", 0, {"byte"}},
};

static const struct sbi_func susp_funcs[] = {
    {0, "sbi_system_suspend", "xxx", 0, {"sleep_type", "resume_addr", "opaque"}}};

static const struct sbi_func cppc_funcs[] = {
    {0, "sbi_cppc_probe", "x", 'u', {"cppc_reg_id"}},
    {1, "sbi_cppc_read", "x", 'x', {"cppc_reg_id"}},
    {2, "sbi_cppc_read_hi", "x", 'x', {"cppc_reg_id"}},
    {3, "sbi_cppc_write", "xx", 0, {"cppc_reg_id", "val"}},
};

static const struct sbi_func sta_funcs[] = {
    {0, "sbi_steal_time_set_shmem", "xxx", 0, {"shmem_phys_lo", "shmem_phys_hi", "flags"}}};

#define EXT(eid, name, legacy, funcs)                                                              \
	{                                                                                          \
		eid, name, legacy, funcs, N(funcs)                                                 \
	}
static const struct sbi_ext sbi_exts[] = {
    EXT(0x00, "legacy_set_timer", 1, legacy_set_timer),
    EXT(0x01, "legacy_console_putchar", 1, legacy_putchar),
    EXT(0x02, "legacy_console_getchar", 1, legacy_getchar),
    EXT(0x03, "legacy_clear_ipi", 1, legacy_clear_ipi),
    EXT(0x04, "legacy_send_ipi", 1, legacy_send_ipi),
    EXT(0x05, "legacy_remote_fence_i", 1, legacy_fence_i),
    EXT(0x06, "legacy_remote_sfence_vma", 1, legacy_sfence_vma),
    EXT(0x07, "legacy_remote_sfence_vma_asid", 1, legacy_sfence_vma_asid),
    EXT(0x08, "legacy_shutdown", 1, legacy_shutdown),
    EXT(0x10, "base", 0, base_funcs),
    EXT(0x54494D45, "TIME", 0, time_funcs),
    EXT(0x735049, "IPI", 0, ipi_funcs),
    EXT(0x52464E43, "RFENCE", 0, rfence_funcs),
    EXT(0x48534D, "HSM", 0, hsm_funcs),
    EXT(0x53525354, "SRST", 0, srst_funcs),
    EXT(0x504D55, "PMU", 0, pmu_funcs),
    EXT(0x4442434E, "DBCN", 0, dbcn_funcs),
    EXT(0x53555350, "SUSP", 0, susp_funcs),
    EXT(0x43505043, "CPPC", 0, cppc_funcs),
    EXT(0x535441, "STA", 0, sta_funcs),
};

/* sbiret.error values, index = -error. */
static const char *const sbi_errors[] = {
    "SBI_SUCCESS",
    "SBI_ERR_FAILED",
    "SBI_ERR_NOT_SUPPORTED",
    "SBI_ERR_INVALID_PARAM",
    "SBI_ERR_DENIED",
    "SBI_ERR_INVALID_ADDRESS",
    "SBI_ERR_ALREADY_AVAILABLE",
    "SBI_ERR_ALREADY_STARTED",
    "SBI_ERR_ALREADY_STOPPED",
    "SBI_ERR_NO_SHMEM",
    "SBI_ERR_INVALID_STATE",
    "SBI_ERR_BAD_RANGE",
    "SBI_ERR_TIMEOUT",
    "SBI_ERR_IO",
};

static const struct sbi_ext *find_ext(uint64_t eid)
{
	for (size_t i = 0; i < N(sbi_exts); i++)
		if (sbi_exts[i].eid == eid)
			return &sbi_exts[i];
	return NULL;
}

static const struct sbi_func *find_func(const struct sbi_ext *e, uint64_t fid)
{
	if (!e)
		return NULL;
	if (e->legacy)
		return &e->funcs[0];
	for (size_t i = 0; i < e->nfuncs; i++)
		if (e->funcs[i].fid == fid)
			return &e->funcs[i];
	return NULL;
}

const char *sbi_ext_name(uint64_t eid)
{
	const struct sbi_ext *e = find_ext(eid);
	return e ? e->name : NULL;
}

const char *sbi_func_name(uint64_t eid, uint64_t fid)
{
	const struct sbi_func *fn = find_func(find_ext(eid), fid);
	return fn ? fn->name : NULL;
}

int sbi_format_call(uint64_t eid, uint64_t fid, const uint64_t a[6], char *buf, size_t n)
{
	struct sbi_fmt f = sbi_fmt_init(buf, n);
	const struct sbi_func *fn = find_func(find_ext(eid), fid);
	if (!fn) {
		sbi_fmt_add(&f, "sbi_call(eid=0x%" PRIx64 ", fid=%" PRIu64, eid, fid);
		for (int i = 0; i < 6; i++)
			sbi_fmt_add(&f, ", a%d=0x%" PRIx64, i, a[i]);
		sbi_fmt_add(&f, ")");
		return sbi_fmt_done(&f);
	}
	sbi_fmt_add(&f, "%s(", fn->name);
	for (int i = 0; fn->fmt[i]; i++) {
		sbi_fmt_add(&f, "%s%s=", i ? ", " : "", fn->args[i]);
		sbi_fmt_value(&f, fn->fmt[i], a[i]);
	}
	sbi_fmt_add(&f, ")");
	return sbi_fmt_done(&f);
}

int sbi_format_ret(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, char *buf, size_t n)
{
	struct sbi_fmt f = sbi_fmt_init(buf, n);
	const struct sbi_ext *e = find_ext(eid);
	const struct sbi_func *fn = find_func(e, fid);
	if (e && e->legacy) {
		sbi_fmt_add(&f, "%" PRId64, (int64_t)a0);
		return sbi_fmt_done(&f);
	}
	int64_t err = (int64_t)a0;
	if (err <= 0 && err > -(int64_t)N(sbi_errors))
		sbi_fmt_add(&f, "%s", sbi_errors[-err]);
	else
		sbi_fmt_add(&f, "SBI_ERR(%" PRId64 ")", err);
	/* Unknown calls may return anything in a1; known ones only a specified value. */
	if (!fn)
		sbi_fmt_add(&f, " value=0x%" PRIx64, a1);
	else if (err == 0 && fn->ret) {
		sbi_fmt_add(&f, " value=");
		sbi_fmt_value(&f, fn->ret, a1);
	}
	return sbi_fmt_done(&f);
}
