/* xml — the two documents the stub serves through qXfer: the rv64 target description (GDB's
 * RISC-V feature names and register numbers, see stub.h) and the library list. */
#ifndef STRATA_GDB_XML_H
#define STRATA_GDB_XML_H

#include <stddef.h>

#include "gdb/stub.h"

/* The target description of a target with registers d (NULL: RV64GC with a built-in CSR list):
 * malloc'd NUL-terminated text in *xml, its length in *len; 0 or -errno. */
int gdb_xml_target(const struct gdb_regs_desc *d, char **xml, size_t *len);
/* The <library-list> of n libraries (paths XML-escaped), returned like gdb_xml_target(). */
int gdb_xml_libraries(const struct gdb_library *libs, unsigned n, char **xml, size_t *len);
/* Size in bytes of register regno as the target description of an XLEN xlen target declares
 * it. */
unsigned gdb_xml_reg_bytes(unsigned regno, unsigned xlen);

#endif
