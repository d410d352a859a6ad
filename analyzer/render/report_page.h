/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the parts of the case report share (render/report*.c): the page
 * being written, the scope (container, window) as SQL conditions, the
 * containers, and helpers that write escaped text, times, tables straight
 * from SQL and the "reproduce" commands. Each section is one file:
 * report_summary.c, report_alerts.c, report_tree.c (+ report_proc.c for one
 * process), report_timeline.c; report.c assembles the page.
 */
#ifndef EXRAY_REPORT_PAGE_H
#define EXRAY_REPORT_PAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>
#include "ingest/xmap.h"
#include "render/report.h"

/* One tree and one timeline filter: a container, or the host processes
 * of one host boot (container_id 0). */
struct rp_group {
	int64_t host_id, container_id;
	char *hostname, *short_id, *cid, *runtime, *pod;
	char *name, *image, *pod_name, *pod_ns, *ctr_name; /* identity, NULL: not recorded */
	long long procs;  /* processes in scope */
	long long events; /* execs + connections + alerts in scope (timeline) */
	int filter;       /* timeline filter number, -1: not filterable */
};

/* Per process alert summary (all alerts in scope, not only those listed). */
struct rp_proc_alerts {
	long long n;
	int max_rank; /* 4 critical .. 1 low */
};

/* An alert listed in the alerts section, for the process that it names:
 * chained per process (next: index + 1, 0 = end). */
struct rp_alert_ref {
	int64_t alert_id;
	int rank;
	size_t next;
	char *rule;
};

/* A figure: the SQL behind it, listed in the last section. */
struct rp_figure {
	char *title, *sql;
};

struct rp {
	sqlite3 *db;
	const struct report_opts *o;
	FILE *f;              /* the page body */
	struct rp_group *g;
	size_t ng;
	struct xmap gidx;     /* (host_id, container_id) -> group index + 1 */
	struct xmap must;     /* proc_id of listed alerts -> 1 */
	struct xmap palerts;  /* proc_id -> index + 1 into pa */
	struct rp_proc_alerts *pa;
	size_t npa, capa;
	struct xmap lidx;     /* proc_id -> first listed alert, index + 1 into la */
	struct rp_alert_ref *la;
	size_t nla;
	struct rp_figure *fig;
	size_t nfig, capfig;
	int has_files;          /* file_events exists (a case of format 1.2) */
	int has_activity;       /* v_activity exists: every family of acts */
	const char *ctr_label;  /* SQL over alias c: the name a reader knows a container by */
	long long alerts_in_scope;
	long long sev[5];     /* alerts in scope by rank (4 critical .. 1 low) */
	sqlite3_stmt *st_cur, *st_execs, *st_conns, *st_nexec, *st_nconn; /* report_proc.c */
	sqlite3_stmt *st_acts, *st_nact;
	char *extra_css;      /* generated rules (timeline filters) */
};

/* Severity of an alert as a rank (SQL expression over alias a). */
#define RP_RANK_SQL(a) "CASE " a ".severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3" \
	" WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END"
/* Wall-clock time text of a boot ts column, as the views show it
 * (text/timefmt.c's conversion, to the ms, NULL when it has no date). */
#define RP_TIME_SQL(ts, b2w) "wall_time(" ts ", " b2w ", 3)"
/* The same inside an rp_sql() format. */
#define RP_TIME_FMT(ts, b2w) RP_TIME_SQL(ts, b2w)

const char *rp_severity_name(int rank);

/* Escaped text and attribute values (NULL writes nothing). */
void rp_text(struct rp *r, const char *s);
void rp_textn(struct rp *r, const char *s, size_t n);
void rp_attr(struct rp *r, const char *s);
/* A wall ns time as <time>RFC 3339 ms</time>. */
void rp_time(struct rp *r, int64_t wall_ns);
/* Thousands-separated count. */
void rp_count(struct rp *r, long long n);

/*
 * SQL condition (sqlite3_free it) that row alias `a` is in the report's
 * scope: its container (a.container_id) and, with time set, a.ts inside the
 * window. rp_scope_proc: process alias `a` was alive in the window.
 */
char *rp_scope(struct rp *r, const char *a, int time);
char *rp_scope_proc(struct rp *r, const char *a);

/* sqlite3_vmprintf into a new string (%q, %Q for literals); NULL: -ENOMEM. */
char *rp_sql(const char *fmt, ...); /* sqlite3 formats: no printf attribute */
/* Prepare sql; 0 or -EIO with db_error() set. */
int rp_prepare(struct rp *r, sqlite3_stmt **st, const char *sql);

/*
 * Register the SQL of a figure and write a small link to it ("SQL F3"): the
 * last section lists every figure's `exray sql` command. 0 or -ENOMEM.
 */
int rp_figure(struct rp *r, const char *title, const char *sql);

/*
 * Run sql and write its rows as a table, headed by its column names, at
 * most max_rows rows (then a line with how many more and the command that
 * lists them). Registers the figure. Returns the number of rows, or -errno.
 */
long long rp_table(struct rp *r, const char *title, const char *sql, size_t max_rows);

/* "exray sql -d DB 'SQL'" as escaped text. */
void rp_sql_command(struct rp *r, const char *sql);

/* A group's name for people: its container name (else short id), or
 * "host NAME". */
void rp_group_label(struct rp *r, const struct rp_group *g);

/* Sections. Each returns 0 or -errno. */
int rp_summary(struct rp *r);
int rp_alerts_load(struct rp *r); /* counts per process, before any section */
int rp_alerts(struct rp *r);
int rp_tree(struct rp *r);
int rp_timeline(struct rp *r);
/* A process of the tree (report_tree.c), as report_proc.c shows it. */
struct rp_tproc {
	int64_t proc_id, host_id, parent_id, container_id, pid, ppid, first_ts, exit_ts, exit_code;
	int64_t uid, euid, exec_id, b2w;
	char *comm;
	int has_exit, must, open, shown;
	size_t group;                     /* index into rp.g */
	size_t first_child, next_sibling; /* index + 1, 0 = none */
	size_t nchildren, subtree;        /* subtree: itself and every descendant */
};

/* One process's <summary> and body (report_proc.c); depth > 0 is shown
 * when the nesting was flattened. */
int rp_proc(struct rp *r, const struct rp_tproc *p, size_t flat_depth);
void rp_proc_finish(struct rp *r); /* frees what rp_proc keeps between calls */
/* Arguments of an exec, each shown separately (report_proc.c). */
void rp_argv(struct rp *r, const char *argv_json, const char *cmdline, size_t max_bytes);

#endif
