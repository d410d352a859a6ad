/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Loading the tree's rows from the case database. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/ctrsel.h"
#include "casedb/db.h"
#include "render/tree_int.h"

static char *arena_dup(struct tree *t, const unsigned char *s, size_t n)
{
	struct arena *a = &t->a;

	if (n + 1 > a->left) {
		size_t sz = n + 1 > 1 << 20 ? n + 1 : 1 << 20;
		if (a->n == a->cap) {
			size_t cap = a->cap ? a->cap * 2 : 16;
			char **c = realloc(a->chunks, cap * sizeof(*c));
			if (!c)
				goto oom;
			a->chunks = c;
			a->cap = cap;
		}
		if (!(a->cur = malloc(sz)))
			goto oom;
		a->chunks[a->n++] = a->cur;
		a->left = sz;
	}
	char *d = a->cur;
	memcpy(d, s, n);
	d[n] = 0;
	a->cur += n + 1;
	a->left -= n + 1;
	return d;
oom:
	a->left = 0;
	t->oom = 1;
	return NULL;
}

static char *dupcol(struct tree *t, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? arena_dup(t, s, sqlite3_column_bytes(st, i)) : NULL;
}

#define GROW(arr, n, cap)                                                        \
	do {                                                                     \
		if ((n) == (cap)) {                                              \
			size_t nc_ = (cap) ? (cap) * 2 : 256;                    \
			void *np_ = realloc((arr), nc_ * sizeof(*(arr)));        \
			if (!np_) {                                              \
				err = -ENOMEM;                                   \
				goto cleanup;                                    \
			}                                                        \
			(arr) = np_;                                             \
			(cap) = nc_;                                             \
		}                                                                \
	} while (0)

#define CMP3(x, y, f1, f2, f3)                                                   \
	((x)->f1 != (y)->f1 ? ((x)->f1 < (y)->f1 ? -1 : 1)                      \
	 : (x)->f2 != (y)->f2 ? ((x)->f2 < (y)->f2 ? -1 : 1)                    \
	 : ((x)->f3 > (y)->f3) - ((x)->f3 < (y)->f3))

static int cmp_proc(const void *a, const void *b)
{
	const struct t_proc *x = a, *y = b;

	return CMP3(x, y, host_id, first_ts, proc_id);
}

static int cmp_exec(const void *a, const void *b)
{
	const struct t_exec *x = a, *y = b;

	return CMP3(x, y, proc_id, ts, exec_id);
}

static int cmp_conn(const void *a, const void *b)
{
	const struct t_conn *x = a, *y = b;

	return CMP3(x, y, proc_id, ts, conn_id);
}

static int cmp_act(const void *a, const void *b)
{
	const struct t_act *x = a, *y = b;
	int c = CMP3(x, y, proc_id, ts, event_id);

	return c ? c : strcmp(x->family, y->family);
}

/*
 * Which processes to load: all, the host's, or (container filter without
 * --pid) only those of the matching containers, so that a container's tree
 * on a big case reads only its rows. One WHERE per case, not one with ORs:
 * "?1 IS NULL OR ... OR container_id IN (...)" made SQLite read every
 * process instead of using ix_processes_container (4x the CPU at 10M).
 * Rows are read in table order and sorted here: cheaper than ORDER BY
 * through an index with a table lookup per row.
 */
static const char *proc_filter(const char *container)
{
	if (!container)
		return "";
	if (!strcmp(container, "host"))
		return " WHERE container_id IS NULL";
	return " WHERE container_id IN"
	       " (SELECT container_id FROM containers WHERE substr(cid,1,length(?1))=?1"
	       "  OR substr(short_id,1,length(?1))=?1)";
}

/* Bind the container filter as ?1 where proc_filter uses it. */
static void bind_filter(sqlite3_stmt *st, const char *container)
{
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_text(st, 1, container, -1, SQLITE_STATIC);
}

/* Prepare `select` (rows keyed by proc_id) for the processes that
 * proc_filter picks. */
static int prepare_rows(sqlite3 *db, sqlite3_stmt **st, const char *select, const char *container)
{
	char sql[1024];
	int err;

	snprintf(sql, sizeof(sql), "%s%s%s%s", select,
		 container ? " WHERE proc_id IN (SELECT proc_id FROM processes" : "",
		 proc_filter(container), container ? ")" : "");
	if ((err = db_prepare(db, st, sql)))
		return err;
	bind_filter(*st, container);
	return 0;
}

/* What the processes did (schema 1.2; a case written by an older exray has
 * no v_activity and shows none). */
static int load_acts(sqlite3 *db, struct tree *t, const char *container)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int err = 0, rc;

	if ((err = db_prepare(db, &st, "SELECT 1 FROM sqlite_master WHERE name='v_activity'")))
		return err;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return 0;
	if ((err = prepare_rows(db, &st, "SELECT proc_id,ts,event_id,ret,family,op,object,detail"
				" FROM v_activity", container)))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		GROW(t->acts, t->nacts, cap);
		t->acts[t->nacts++] = (struct t_act){
			sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			sqlite3_column_int64(st, 2), sqlite3_column_type(st, 3) != SQLITE_NULL,
			sqlite3_column_int(st, 3), dupcol(t, st, 4), dupcol(t, st, 5),
			dupcol(t, st, 6), dupcol(t, st, 7) };
	}
	if (rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(db));
		err = -EIO;
	}
cleanup:
	sqlite3_finalize(st);
	return err;
}

int tree_load(sqlite3 *db, struct tree *t, const char *container)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int err = 0, rc;
	char sql[1024];

	if ((err = db_prepare(db, &st, "SELECT host_id,hostname,boot_to_wall_ns,"
				       "(SELECT max(last_ts) FROM segments s WHERE s.host_id=hosts.host_id)"
				       " FROM hosts")))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		GROW(t->h, t->nh, cap);
		t->h[t->nh++] = (struct t_host){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 2),
						 dupcol(t, st, 1),
						 sqlite3_column_type(st, 3) == SQLITE_NULL
							 ? INT64_MAX : sqlite3_column_int64(st, 3) };
	}
	sqlite3_finalize(st);
	cap = 0;
	snprintf(sql, sizeof(sql), "SELECT container_id,short_id,cid,runtime,pod_uid,%s FROM containers c",
		 ctrsel_identity_cols(db));
	if ((err = db_prepare(db, &st, sql)))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		GROW(t->ct, t->nct, cap);
		t->ct[t->nct++] = (struct t_ctr){ sqlite3_column_int64(st, 0), dupcol(t, st, 1),
						  dupcol(t, st, 2), dupcol(t, st, 3), dupcol(t, st, 4),
						  dupcol(t, st, 5), dupcol(t, st, 6), dupcol(t, st, 7),
						  dupcol(t, st, 8), dupcol(t, st, 9) };
	}
	sqlite3_finalize(st);
	cap = 0;
	snprintf(sql, sizeof(sql),
		 "SELECT proc_id,host_id,coalesce(parent_id,0),coalesce(container_id,0),"
		 "pid,coalesce(ppid,0),start,"
		 /* running when the capture began: its real start, not the
		  * snapshot's time (start is the kernel's start_boottime) */
		 "CASE WHEN fork_ts IS NULL AND flags&2 THEN start ELSE coalesce(fork_ts,first_ts) END,"
		 "exit_ts,coalesce(exit_code,-1),coalesce(signal,0),coalesce(uid,-1),coalesce(euid,-1),comm,"
		 "fork_ts IS NULL AND flags&2,flags "
		 "FROM processes%s", proc_filter(container));
	if ((err = db_prepare(db, &st, sql)))
		return err;
	bind_filter(st, container);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		GROW(t->p, t->np, cap);
		struct t_proc *p = &t->p[t->np++];
		memset(p, 0, sizeof(*p));
		p->proc_id = sqlite3_column_int64(st, 0);
		p->host_id = sqlite3_column_int64(st, 1);
		p->parent_id = sqlite3_column_int64(st, 2);
		p->container_id = sqlite3_column_int64(st, 3);
		p->pid = sqlite3_column_int64(st, 4);
		p->ppid = sqlite3_column_int64(st, 5);
		p->start = sqlite3_column_int64(st, 6);
		p->first_ts = sqlite3_column_int64(st, 7);
		p->has_exit = sqlite3_column_type(st, 8) != SQLITE_NULL;
		p->exit_ts = sqlite3_column_int64(st, 8);
		p->exit_code = sqlite3_column_int64(st, 9);
		p->signal = sqlite3_column_int64(st, 10);
		p->uid = sqlite3_column_int64(st, 11);
		p->euid = sqlite3_column_int64(st, 12);
		p->comm = dupcol(t, st, 13);
		p->already_running = sqlite3_column_int(st, 14);
		p->kthread = !!(sqlite3_column_int64(st, 15) & 16);
	}
	sqlite3_finalize(st);
	cap = 0;
	if ((err = prepare_rows(db, &st,
				"SELECT proc_id,ts,ret,kind='snapshot',filename,cmdline,argv,exec_id"
				" FROM execs", container)))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		GROW(t->e, t->ne, cap);
		t->e[t->ne++] = (struct t_exec){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
						 sqlite3_column_int64(st, 7), sqlite3_column_int(st, 2),
						 sqlite3_column_int(st, 3), dupcol(t, st, 4),
						 dupcol(t, st, 5), dupcol(t, st, 6) };
	}
	sqlite3_finalize(st);
	cap = 0;
	if ((err = prepare_rows(db, &st,
				"SELECT proc_id,ts,family,coalesce(sport,0),dport,saddr,daddr,state,"
				"(SELECT s.verdict FROM syns s WHERE s.conn_id=connections.conn_id"
				" ORDER BY s.ts LIMIT 1),conn_id FROM connections", container)))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		GROW(t->c, t->nc, cap);
		t->c[t->nc++] = (struct t_conn){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
						 sqlite3_column_int64(st, 9), sqlite3_column_int(st, 2),
						 sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
						 dupcol(t, st, 5), dupcol(t, st, 6), dupcol(t, st, 7),
						 dupcol(t, st, 8) };
	}
	if (rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(db));
		err = -EIO;
	}
	if (!err)
		err = load_acts(db, t, container);
	if (t->oom)
		err = -ENOMEM;
	/* qsort(NULL, 0, ...) is undefined: empty arrays stay NULL */
	if (t->np)
		qsort(t->p, t->np, sizeof(*t->p), cmp_proc);
	if (t->ne)
		qsort(t->e, t->ne, sizeof(*t->e), cmp_exec);
	if (t->nc)
		qsort(t->c, t->nc, sizeof(*t->c), cmp_conn);
	if (t->nacts)
		qsort(t->acts, t->nacts, sizeof(*t->acts), cmp_act);
cleanup:
	sqlite3_finalize(st);
	return err;
}

void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->a.n; i++)
		free(t->a.chunks[i]);
	free(t->a.chunks);
	free(t->p);
	free(t->e);
	free(t->c);
	free(t->acts);
	free(t->ct);
	free(t->h);
}
