/* test_util — the PASS/FAIL line convention shared by src/machine's unit tests.
 * A check group is a function returning 0 (pass) or 1 after printing one FAIL line. */
#ifndef STRATA_MACHINE_TEST_UTIL_H
#define STRATA_MACHINE_TEST_UTIL_H

#include <stdio.h>

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL %s: line %d: ", __func__, __LINE__);                          \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

/* Run one group and print its PASS line; returns 1 if it failed. */
#define RUN(group) (group() ? 1 : (printf("PASS %s\n", #group), 0))

/* Boot a 16 MiB machine of nharts whose kernel is the raw program prog, written to a file made
 * from tmpl (mkstemp's XXXXXX: the caller unlinks it). Returns 0, or 1 after one FAIL line. */
#define TEST_BOOT(m, tmpl, prog, size, harts_)                                                    \
	do {                                                                                       \
		struct machine_config cfg_ = {.kernel = (tmpl), .ram_size = 16 << 20,             \
					      .nharts = (harts_)};                                 \
		int fd_ = mkstemp(tmpl);                                                           \
		FILE *f_;                                                                          \
		CHECK(fd_ >= 0, "mkstemp");                                                        \
		f_ = fdopen(fd_, "wb");                                                            \
		CHECK(f_ && fwrite((prog), (size), 1, f_) == 1 && fclose(f_) == 0,                 \
		      "write program");                                                            \
		(m) = machine_new(&cfg_);                                                          \
		CHECK((m), "machine_new: %s", err_msg());                                          \
	} while (0)

#endif
