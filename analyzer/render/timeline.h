/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every event of the case (or of one container or process) in time order,
 * filtered by when the event happened, not by process lifetime: execs
 * (and images running at capture start), forks, exits, connects and what
 * processes did (file, priv, ns, ptrace, socket, memfd, bpf, uring).
 */
#ifndef EXRAY_RENDER_TIMELINE_H
#define EXRAY_RENDER_TIMELINE_H

#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

/* Event types, by name (--types exec,connect,file). */
#define TIMELINE_TYPES "exec fork exit connect file priv ns ptrace socket memfd bpf uring"

struct timeline_opts {
	const char *container;  /* full id, "host", or NULL: all */
	long long pid;          /* only processes with this pid; -1: all */
	int64_t since, until;   /* wall ns window on the event's time; INT64_MIN/MAX: open */
	const char *types;      /* ",exec,connect," (commas around each), NULL: all */
	int json;               /* JSON lines instead of text */
	int wide;               /* do not shorten argv */
	long long limit;        /* at most this many events (0: all), the rest counted */
};

/*
 * Parse a comma-separated list of TIMELINE_TYPES into the ",a,b," form of
 * timeline_opts.types (malloc'd). NULL with *bad the first unknown name
 * (pointing into list), or NULL with *bad NULL when out of memory.
 */
char *timeline_types(const char *list, const char **bad);

/*
 * Print the events. Returns how many matched (printed or left out by the
 * limit), or -errno (-EIO: db_error()); *printed gets how many were
 * printed. A text listing cut by the limit ends with the count left out.
 */
long long timeline_print(sqlite3 *db, const struct timeline_opts *o, FILE *out, long long *printed);

#endif
