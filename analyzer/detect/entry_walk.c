/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rx_entry_walk: the rows of the shared definitions' rx_entry (the
 * container entrypoint's own work, analyzer/rules/_defs.sql), as an
 * eponymous virtual table the definitions fill rx_entry from. The rule is
 * the one _defs.sql states; the walk is here because as a recursive query
 * it cost about 5 µs per examined child in SQLite's recursion and
 * correlated subqueries (11 s of check's 67 at 10M records), and as one
 * pass over two sorted arrays it costs a small part of that.
 *
 * A process is in it when it is a container's init (vpid 1 in a container)
 * or its parent is in it and was running a script runner (a name in
 * temp.rx_runner, by rx_names.prog or .ab) when it was created: the image
 * of the parent's last successful exec at or before the child's start,
 * else the parent's last snapshot row.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "detect/detect.h"

/* One successful exec or snapshot row of a process, in (proc_id, ts,
 * exec_id) order. (first_at: the key first.) */
struct image_row {
	int64_t proc_id, ts;
	unsigned char kind; /* KIND_* */
	unsigned char runner;
};
enum { KIND_OTHER, KIND_EXEC, KIND_SNAPSHOT };

/* A parent-to-child link. (first_at: the key first.) */
struct link {
	int64_t parent_id, child_id, child_start;
};

struct walk {
	struct image_row *img;
	size_t nimg;
	struct link *ln;
	size_t nln;
	int64_t *roots;
	size_t nroots;
	int64_t *out; /* the result: proc_ids, ascending */
	size_t nout;
};

static int cmp_link(const void *a, const void *b)
{
	const struct link *x = a, *y = b;

	return x->parent_id < y->parent_id ? -1 : x->parent_id > y->parent_id;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Append to a growing array of elements of size sz; -ENOMEM when full. */
static int push(void **v, size_t *n, size_t *cap, size_t sz, const void *e)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4096;
		void *p = realloc(*v, nc * sz);
		if (!p)
			return -ENOMEM;
		*v = p, *cap = nc;
	}
	memcpy((char *)*v + *n * sz, e, sz);
	++*n;
	return 0;
}

/* Binary search in an array of n elements of size sz, each starting with
 * an int64_t key, sorted by it: the first at or after key (n when none).
 * (image_row.proc_id, link.parent_id and a plain array of proc_ids.) */
static size_t first_at(const void *v, size_t n, size_t sz, int64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (*(const int64_t *)((const char *)v + mid * sz) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether process parent (its image rows img[b, e)) ran a runner at time t. */
static int runner_at(const struct image_row *img, size_t b, size_t e, int64_t t)
{
	const struct image_row *exec = NULL, *snap = NULL;

	for (size_t i = b; i < e; i++) {
		if (img[i].kind == KIND_EXEC && img[i].ts <= t)
			exec = &img[i];
		else if (img[i].kind == KIND_SNAPSHOT)
			snap = &img[i];
	}
	return exec ? exec->runner : snap ? snap->runner : 0;
}

static int load(sqlite3 *db, struct walk *w)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0, lcap = 0, rcap = 0;
	int rc, err = 0;

	/* (rx_names_proc covers this in this order: no sort) */
	if (sqlite3_prepare_v2(db,
			       "SELECT proc_id, ts, CASE kind WHEN 'exec' THEN 1 WHEN 'snapshot' THEN 2 ELSE 0 END,"
			       " coalesce(prog IN (SELECT name FROM temp.rx_runner)"
			       "   OR ab IN (SELECT name FROM temp.rx_runner), 0)"
			       " FROM temp.rx_names WHERE ret = 0 ORDER BY proc_id, ts, exec_id",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct image_row r = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
				       (unsigned char)sqlite3_column_int(st, 2), sqlite3_column_int(st, 3) == 1 };
		err = push((void **)&w->img, &w->nimg, &cap, sizeof(r), &r);
	}
	sqlite3_finalize(st);
	if (err || rc != SQLITE_DONE)
		return err ? err : -EIO;
	if (sqlite3_prepare_v2(db,
			       "SELECT proc_id, parent_id, start, container_id IS NOT NULL AND vpid = 1"
			       " FROM processes WHERE parent_id IS NOT NULL OR (container_id IS NOT NULL AND vpid = 1)",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			struct link l = { sqlite3_column_int64(st, 1), id, sqlite3_column_int64(st, 2) };
			err = push((void **)&w->ln, &w->nln, &lcap, sizeof(l), &l);
		}
		if (!err && sqlite3_column_int(st, 3))
			err = push((void **)&w->roots, &w->nroots, &rcap, sizeof(id), &id);
	}
	sqlite3_finalize(st);
	if (err || rc != SQLITE_DONE)
		return err ? err : -EIO;
	if (w->nln)
		qsort(w->ln, w->nln, sizeof(*w->ln), cmp_link);
	return 0;
}

/* Breadth first from the inits; each process once (the result is a set,
 * and a parent_id loop must not loop here). */
static int walk(struct walk *w)
{
	size_t cap = 0, head = 0, nids = 0;
	int64_t *ids;
	unsigned char *seen;
	int err = 0;

	/* seen: one flag per process that can be reached (a root or a child),
	 * found by its proc_id in ids, sorted (row ids may be anything) */
	if (!(ids = malloc((w->nln + w->nroots + 1) * sizeof(*ids))))
		return -ENOMEM;
	for (size_t i = 0; i < w->nln; i++)
		ids[nids++] = w->ln[i].child_id;
	for (size_t i = 0; i < w->nroots; i++)
		ids[nids++] = w->roots[i];
	if (nids)
		qsort(ids, nids, sizeof(*ids), cmp_i64);
	if (!(seen = calloc(nids + 1, 1))) {
		free(ids);
		return -ENOMEM;
	}
	for (size_t i = 0; i < w->nroots && !err; i++) {
		size_t x = first_at(ids, nids, sizeof(*ids), w->roots[i]);
		if (!seen[x]) {
			seen[x] = 1;
			err = push((void **)&w->out, &w->nout, &cap, sizeof(int64_t), &w->roots[i]);
		}
	}
	while (!err && head < w->nout) {
		int64_t p = w->out[head++];
		size_t ib = first_at(w->img, w->nimg, sizeof(*w->img), p), ie = ib;
		while (ie < w->nimg && w->img[ie].proc_id == p)
			ie++;
		if (ib == ie)
			continue; /* no image recorded: not a runner */
		for (size_t k = first_at(w->ln, w->nln, sizeof(*w->ln), p); k < w->nln && w->ln[k].parent_id == p && !err; k++) {
			int64_t c = w->ln[k].child_id;
			size_t x = first_at(ids, nids, sizeof(*ids), c);
			if (seen[x] || !runner_at(w->img, ib, ie, w->ln[k].child_start))
				continue;
			seen[x] = 1;
			err = push((void **)&w->out, &w->nout, &cap, sizeof(int64_t), &c);
		}
	}
	free(seen);
	free(ids);
	if (!err && w->nout)
		qsort(w->out, w->nout, sizeof(*w->out), cmp_i64);
	return err;
}

static void walk_free(struct walk *w)
{
	free(w->img);
	free(w->ln);
	free(w->roots);
	free(w->out);
	memset(w, 0, sizeof(*w));
}

struct ew_vtab {
	sqlite3_vtab base;
	sqlite3 *db;
};

struct ew_cursor {
	sqlite3_vtab_cursor base;
	struct walk w;
	size_t i;
};

static int ew_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out,
		      char **errmsg)
{
	struct ew_vtab *v;
	int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(proc_id INTEGER)");

	if (rc != SQLITE_OK)
		return rc;
	if (!(v = sqlite3_malloc(sizeof(*v))))
		return SQLITE_NOMEM;
	memset(v, 0, sizeof(*v));
	v->db = db;
	*out = &v->base;
	return SQLITE_OK;
}

static int ew_disconnect(sqlite3_vtab *v)
{
	sqlite3_free(v);
	return SQLITE_OK;
}

static int ew_best_index(sqlite3_vtab *v, sqlite3_index_info *info)
{
	/* a whole walk whatever the query; its rows come in proc_id order */
	if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == 0 && !info->aOrderBy[0].desc)
		info->orderByConsumed = 1;
	info->estimatedCost = 1e6;
	return SQLITE_OK;
}

static int ew_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
	struct ew_cursor *c = sqlite3_malloc(sizeof(*c));

	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	*out = &c->base;
	return SQLITE_OK;
}

static int ew_close(sqlite3_vtab_cursor *cur)
{
	struct ew_cursor *c = (struct ew_cursor *)cur;

	walk_free(&c->w);
	sqlite3_free(c);
	return SQLITE_OK;
}

static int ew_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc, sqlite3_value **argv)
{
	struct ew_cursor *c = (struct ew_cursor *)cur;
	struct ew_vtab *v = (struct ew_vtab *)cur->pVtab;
	int err;

	walk_free(&c->w);
	c->i = 0;
	if ((err = load(v->db, &c->w)) || (err = walk(&c->w))) {
		sqlite3_free(v->base.zErrMsg);
		v->base.zErrMsg = sqlite3_mprintf("rx_entry_walk: %s",
						  err == -ENOMEM ? "out of memory" : sqlite3_errmsg(v->db));
		walk_free(&c->w);
		return err == -ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
	}
	return SQLITE_OK;
}

static int ew_next(sqlite3_vtab_cursor *cur)
{
	((struct ew_cursor *)cur)->i++;
	return SQLITE_OK;
}

static int ew_eof(sqlite3_vtab_cursor *cur)
{
	struct ew_cursor *c = (struct ew_cursor *)cur;

	return c->i >= c->w.nout;
}

static int ew_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	struct ew_cursor *c = (struct ew_cursor *)cur;

	sqlite3_result_int64(ctx, c->w.out[c->i]);
	return SQLITE_OK;
}

static int ew_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *rowid)
{
	*rowid = (sqlite_int64)((struct ew_cursor *)cur)->i + 1;
	return SQLITE_OK;
}

/* Eponymous only (no xCreate): `SELECT proc_id FROM rx_entry_walk`. */
static const sqlite3_module entry_walk_module = {
	.xConnect = ew_connect,
	.xBestIndex = ew_best_index,
	.xDisconnect = ew_disconnect,
	.xOpen = ew_open,
	.xClose = ew_close,
	.xFilter = ew_filter,
	.xNext = ew_next,
	.xEof = ew_eof,
	.xColumn = ew_column,
	.xRowid = ew_rowid,
};

int exray_entry_walk_register(sqlite3 *db)
{
	return sqlite3_create_module(db, "rx_entry_walk", &entry_walk_module, NULL) == SQLITE_OK ? 0 : -EIO;
}
