/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process trees per container (or host) from the case DB. The walk is
 * iterative (an explicit stack), so a 10,000-level chain cannot overflow
 * the C stack; text output caps the indentation so deep trees stay legible.
 */
#ifndef EXRAY_TREE_H
#define EXRAY_TREE_H

#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

struct tree_opts {
	const char *container;  /* id prefix, or "host"; NULL: all */
	long long pid;          /* only the processes with this pid, each under its
				 * ancestor chain (whatever their container) and
				 * with its subtree; -1: whole trees */
	int64_t since, until;   /* wall ns window; INT64_MIN / INT64_MAX: open */
	int json;               /* JSON lines instead of text */
	int wide;               /* do not truncate argv */
	int all;                /* kernel threads too, and failed PATH lookups
				 * one by one instead of folded */
	long long limit;        /* at most this many processes per group (per
				 * --pid root), the rest counted; 0: no limit */
};

/* What tree_print left out, for the caller to say. */
struct tree_stats {
	long long printed;      /* processes printed */
	long long over_limit;   /* processes not printed for --limit */
	long long kthreads;     /* kernel threads hidden (without --all) */
};

/*
 * Print the trees. Text output starts with a summary of the groups when
 * some group has more processes than the limit, and ends each such group
 * with the count left out. Returns the number of processes printed (also
 * in *st when not NULL), or -errno (-EIO: db_error() says why).
 */
long long tree_print(sqlite3 *db, const struct tree_opts *o, FILE *out);
long long tree_print_stats(sqlite3 *db, const struct tree_opts *o, FILE *out, struct tree_stats *st);

#endif
