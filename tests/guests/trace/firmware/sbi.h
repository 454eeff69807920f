/* SBI numbers shared by the firmware (M) and its payload (S). */
#ifndef FW_SBI_H
#define FW_SBI_H

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE	       0x10
#define SBI_EXT_TIME	       0x54494D45
#define SBI_EXT_SRST	       0x53525354
#define SBI_EXT_DBCN	       0x4442434E

#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_PROBE_EXTENSION  3

#define SBI_SUCCESS	      0
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)

/* What this firmware claims: SBI v2.0. */
#define FW_SPEC_VERSION 0x02000000

#endif
