/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The case report: one self-contained HTML page (docs/report.md) with a
 * summary (hosts, captures, completeness, seals, alert counts), the alerts,
 * the process tree of every container, a timeline (inline SVG) and the
 * commands that reproduce every figure. Nothing is loaded from anywhere:
 * no script at all, one inline style block allowed by its hash in the
 * page's Content-Security-Policy, default-src 'none'. Every string from
 * the case goes through text/html_escape.h.
 */
#ifndef EXRAY_REPORT_H
#define EXRAY_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

struct report_caps {
	size_t alerts_shown;     /* alert rows shown at once */
	size_t alerts_listed;    /* alert rows in the page (the rest behind <details>) */
	size_t procs_per_group;  /* processes listed per container, besides those
				  * the listed alerts name and their ancestors */
	size_t procs_total;      /* the same, over all containers */
	size_t rows_per_proc;    /* execs, connections, alerts per process */
	size_t table_rows;       /* rows of a summary table */
	size_t timeline_groups;  /* containers the timeline can filter on */
};

/* Defaults sized so the 1M-record case stays under ~30 MB. */
extern const struct report_caps report_default_caps;

struct report_opts {
	const char *dbpath;      /* as given: shown in the reproducing commands */
	const char *container;   /* id prefix or "host"; NULL: all */
	int64_t since, until;    /* wall ns window; INT64_MIN / INT64_MAX: open */
	const char *policy_path; /* NULL: none given */
	const char *policy_text; /* its contents, NUL-terminated */
	int policy_loaded;       /* policy_allows() judges connections */
	const char *command;     /* this report's command line, shell-quoted */
	const char *generated;   /* RFC 3339 time of generation, NULL: omitted */
	struct report_caps caps;
};

/*
 * Write the page to out. Returns 0 or -errno (-EIO: db_error() says why,
 * -ENOMEM). Reads only: the database may be opened read-only.
 */
int report_write(sqlite3 *db, const struct report_opts *o, FILE *out);

/* One shell word, single-quoted when it needs to be (the commands the page
 * shows must run as printed). Not HTML-escaped. */
void report_shell_word(FILE *f, const char *s);

#endif
