/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The case database as OCSF 1.8.0 events, one JSON object per line
 * (docs/export.md has the mapping): Process Activity 1007 (exec and fork as
 * Launch, exit as Terminate, processes alive at capture start as Other
 * "Snapshot"), Network Activity 4001 (connects as Open or Refuse, packet
 * SYNs as Traffic), Detection Finding 2004 (every stored alert), and what
 * processes did (file, priv, ns, ptrace, socket, memfd, bpf and io_uring
 * events) in File System Activity 1001, Process Activity, Network Activity
 * and Kernel Activity 1003.
 *
 * Streams: each class is one SQL query read row by row; the only memory
 * that grows is a fixed-size cache of ancestors, so a case of any size
 * exports in constant memory.
 */
#ifndef EXRAY_OCSF_H
#define EXRAY_OCSF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>
#include "render/rule_meta.h"

#define OCSF_VERSION "1.8.0"

struct ocsf_opts {
	const char *container;    /* id prefix, or "host"; NULL: everything */
	int64_t since, until;     /* wall ns window; INT64_MIN / INT64_MAX: open */
	const struct rule_meta *rules; /* descriptions and ATT&CK ids of the rules */
	size_t nrules;
	const char *product_version;  /* exray's version, for metadata.product */
};

/* Events written, per family. */
struct ocsf_counts {
	long long process, network, finding;
	long long activity; /* what processes did: file, priv, ns, ptrace, socket, memfd, bpf, uring */
};

/*
 * Write every event of the case that passes the filters to out. Returns 0,
 * or -errno: -EIO with db_error() saying why, -ENOMEM. Write errors on out
 * are the caller's to check (ferror).
 */
int ocsf_export(sqlite3 *db, const struct ocsf_opts *o, FILE *out, struct ocsf_counts *n);

#endif /* EXRAY_OCSF_H */
