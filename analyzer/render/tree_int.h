/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Inside the tree renderer: the rows it loads from the case database
 * (tree_load.c), the lines it prints for a process (tree_line.c) and the
 * walk that links and orders them (tree.c).
 */
#ifndef EXRAY_TREE_INT_H
#define EXRAY_TREE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

#define INDENT_MAX 32       /* deeper levels show "[depth N]" instead */

struct t_exec {
	int64_t proc_id, ts, exec_id;
	int ret, snapshot;
	char *filename, *cmdline, *argv_json;
};

struct t_conn {
	int64_t proc_id, ts, conn_id;
	int family, sport, dport;
	char *saddr, *daddr, *state;
	char *verdict;  /* in-kernel verdict of its packet SYN, NULL: none seen */
};

/* What a process did (v_activity): one line each. */
struct t_act {
	int64_t proc_id, ts, event_id;
	int has_ret, ret;
	char *family, *op, *object, *detail;
};

struct t_proc {
	/* first_ts: when it started (fork, or its real start if already
	 * running at capture start, else its first record) */
	int64_t proc_id, host_id, parent_id, container_id, pid, ppid, start, first_ts, exit_ts;
	int64_t uid, euid, exit_code, signal; /* exit_code -1: none (signal set) */
	int has_exit, shown, ancestor;
	int already_running;  /* alive when the capture began: first_ts is its real start */
	int kthread;          /* a kernel thread */
	int cycle;            /* shown as a root to break a parent cycle (corrupt input) */
	char *comm;
	size_t exec_i, exec_n, conn_i, conn_n, act_i, act_n;
	size_t first_child, next_sibling; /* index + 1, 0 = none */
	size_t linked_parent;             /* index + 1 of the process it is listed under */
	int64_t b2w, host_last_ts;
	const char *host, *cshort, *cid_full, *runtime, *pod;
	const struct t_ctr *ctr;
};

struct t_ctr {
	int64_t id;
	char *short_id, *cid, *runtime, *pod;
	char *name, *image, *pod_name, *pod_ns, *kname; /* identity, NULL: unknown */
};

struct t_host {
	int64_t id, b2w;
	char *name;
	int64_t last_ts;   /* end of what was recorded of this host boot */
};

/* Strings of the loaded rows: never freed one by one. */
struct arena {
	char *cur;
	size_t left;
	char **chunks;
	size_t n, cap;
};

struct tree {
	struct t_proc *p;
	size_t np;
	struct t_exec *e;
	size_t ne;
	struct t_conn *c;
	size_t nc;
	struct t_act *acts;
	size_t nacts;
	struct t_ctr *ct;
	size_t nct;
	struct t_host *h;
	size_t nh;
	struct arena a;
	int oom;
};

/* Load the case's rows (processes of `container` only, when not NULL),
 * sorted. 0 or -errno (-EIO: db_error() says why). */
int tree_load(sqlite3 *db, struct tree *t, const char *container);
void tree_free(struct tree *t);

/* One process as text lines (the process, its exec history, its
 * connections) at depth, failed PATH lookups folded unless all (0, or
 * -ENOMEM), or as one JSON object. */
int tree_line_text(FILE *f, const struct tree *t, const struct t_proc *p, size_t depth, int wide,
		   int all);
void tree_line_json(FILE *f, const struct tree *t, const struct t_proc *p, size_t depth);

#endif
