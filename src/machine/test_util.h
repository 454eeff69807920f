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

#endif
