/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Names of the operations and bit sets of the 1.2 records (schema/SEGMENT.md,
 * "What a process did"), as `dump`, the case database and `tree` show them.
 */
#ifndef EXRAY_OPNAMES_H
#define EXRAY_OPNAMES_H

#include <stddef.h>
#include <linux/types.h>

#define OPNAME_LEN 24 /* room for any name, or "op_4294967295" */

/*
 * The name of operation `op` of a record of `type`: the file, priv, ns,
 * ptrace and socket op, the bpf() command, the io_uring opcode; memfd has
 * one ("create"). A number without a name gives "op_N". Returns buf or a
 * static name.
 */
const char *rec_op_name(char buf[OPNAME_LEN], unsigned type, unsigned op);

/* The set bits of nstypes (EXRAY_NSB_*) as "mnt,net,..." in bit order
 * (unknown bits as "bitN"), "" for none. Returns buf (size at least 80). */
const char *ns_types_text(char *buf, size_t size, __u32 nstypes);

/* The set bits of exe_flags (EXRAY_EXE_*) as "memfd,deleted,...". */
const char *exe_flags_text(char *buf, size_t size, __u32 exe_flags);

#endif
