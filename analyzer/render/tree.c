/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/ctrsel.h"
#include "casedb/db.h"
#include "text/escape.h"
#include "ingest/xmap.h"
#include "text/timefmt.h"
#include "render/tree.h"

#define ARGV_TEXT_MAX 120   /* argv shown in text mode without --wide */
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
	int64_t proc_id, host_id, parent_id, container_id, pid, ppid, start, first_ts, exit_ts;
	int64_t uid, euid, exit_code, signal; /* exit_code -1: none (signal set) */
	int has_exit, shown, ancestor;
	char *comm;
	size_t exec_i, exec_n, conn_i, conn_n, act_i, act_n;
	size_t first_child, next_sibling; /* index + 1, 0 = none */
	int64_t b2w;
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
 * Which processes to load: all, or (container filter without --pid) only
 * those of the matching containers, so that a container's tree on a big
 * case reads only its rows. Rows are read in table order and sorted here:
 * cheaper than ORDER BY through an index with a table lookup per row.
 */
static const char proc_filter[] =
	" WHERE ?1 IS NULL OR (?1='host' AND container_id IS NULL) OR container_id IN"
	" (SELECT container_id FROM containers WHERE substr(cid,1,length(?1))=?1"
	"  OR substr(short_id,1,length(?1))=?1)";

/* Prepare `select` (rows keyed by proc_id) for the processes that
 * proc_filter picks, with the container filter bound as ?1. */
static int prepare_rows(sqlite3 *db, sqlite3_stmt **st, const char *select, const char *container)
{
	char sql[1024];
	int err;

	snprintf(sql, sizeof(sql), "%s%s%s%s", select,
		 container ? " WHERE proc_id IN (SELECT proc_id FROM processes" : "",
		 container ? proc_filter : "", container ? ")" : "");
	if ((err = db_prepare(db, st, sql)))
		return err;
	sqlite3_bind_text(*st, 1, container, -1, SQLITE_STATIC);
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

static int load(sqlite3 *db, struct tree *t, const char *container)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int err = 0, rc;
	char sql[1024];

	if ((err = db_prepare(db, &st, "SELECT host_id,hostname,boot_to_wall_ns FROM hosts")))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		GROW(t->h, t->nh, cap);
		t->h[t->nh++] = (struct t_host){ sqlite3_column_int64(st, 0),
						 sqlite3_column_int64(st, 2), dupcol(t, st, 1) };
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
		 "pid,coalesce(ppid,0),start,coalesce(fork_ts,first_ts),exit_ts,"
		 "coalesce(exit_code,-1),coalesce(signal,0),coalesce(uid,-1),coalesce(euid,-1),comm "
		 "FROM processes%s", proc_filter);
	if ((err = db_prepare(db, &st, sql)))
		return err;
	sqlite3_bind_text(st, 1, container, -1, SQLITE_STATIC);
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

static void tree_free(struct tree *t)
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

static void put_time(FILE *f, int64_t wall)
{
	/* consecutive lines mostly share the second: format it once */
	static int64_t last_sec = INT64_MIN;
	static char sec_text[TIMEFMT_LEN];
	int64_t sec = wall / 1000000000, ns = wall % 1000000000;

	if (ns < 0)
		ns += 1000000000, sec--;
	if (sec != last_sec) {
		timefmt_rfc3339(sec_text, sec * 1000000000);
		sec_text[strcspn(sec_text, ".")] = 0;
		last_sec = sec;
	}
	fprintf(f, "%s.%09lldZ", sec_text, (long long)ns);
}

static void put_exit(FILE *f, const struct t_proc *p)
{
	if (!p->has_exit)
		return;
	if (p->signal)
		fprintf(f, " [killed by signal %lld]", (long long)p->signal);
	else
		fprintf(f, " [exit %lld]", (long long)p->exit_code);
}

static void put_argv_text(FILE *f, const char *s, int wide)
{
	char buf[ARGV_TEXT_MAX * 2 + 8];
	size_t len = s ? strlen(s) : 0, need, n;

	if (!s)
		return;
	if (wide) {
		term_write_strn(f, s, len);
		return;
	}
	/* only the start can be shown: escape no more than that (every byte
	 * shows as at least one, so the first MAX + 1 bytes, plus room to
	 * finish a UTF-8 sequence, are all that can reach the screen) */
	n = len < ARGV_TEXT_MAX + 4 ? len : ARGV_TEXT_MAX + 4;
	need = term_escape(buf, ARGV_TEXT_MAX + 1, s, n);
	if (n < len && need <= ARGV_TEXT_MAX)
		need = ARGV_TEXT_MAX + 1;
	fputs(buf, f);
	if (need > ARGV_TEXT_MAX)
		fputs("\xe2\x80\xa6", f); /* ellipsis */
}

static void indent(FILE *f, size_t depth)
{
	if (depth > INDENT_MAX) {
		fprintf(f, "%*s[depth %zu] ", INDENT_MAX * 2, "", depth);
		return;
	}
	fprintf(f, "%*s", (int)depth * 2, "");
}

static void print_exec_line(FILE *f, const struct t_exec *e, int64_t b2w, int wide)
{
	fputs(e->snapshot ? "| running " : "| exec ", f);
	put_time(f, e->ts + b2w);
	putc(' ', f);
	term_write_str(f, e->filename);
	putc(' ', f);
	put_argv_text(f, e->cmdline, wide);
	if (e->ret)
		fprintf(f, " [failed: %d]", e->ret);
	putc('\n', f);
}

static void print_conn_line(FILE *f, const struct t_conn *c, int64_t b2w)
{
	fputs("-> ", f);
	put_time(f, c->ts + b2w);
	putc(' ', f);
	if (c->family == 6)
		putc('[', f);
	term_write_str(f, c->daddr);
	fprintf(f, "%s:%d from port %d %s", c->family == 6 ? "]" : "", c->dport, c->sport,
		c->state ? c->state : "");
	if (c->verdict) {
		fputs(" [packet: ", f);
		term_write_str(f, c->verdict);
		putc(']', f);
	}
	putc('\n', f);
}

/* "! TIME family op object detail [failed: ret]": what the process did,
 * in v_activity's words, every recorded string escaped. */
static void print_act_line(FILE *f, const struct t_act *a, int64_t b2w)
{
	fputs("! ", f);
	put_time(f, a->ts + b2w);
	putc(' ', f);
	term_write_str(f, a->family);
	putc(' ', f);
	term_write_str(f, a->op);
	if (a->object && a->object[0]) {
		putc(' ', f);
		term_write_str(f, a->object);
	}
	if (a->detail && a->detail[0]) {
		putc(' ', f);
		term_write_str(f, a->detail);
	}
	if (a->has_ret && a->ret < 0)
		fprintf(f, " [failed: %d]", a->ret);
	putc('\n', f);
}

static void print_text(FILE *f, const struct tree *t, const struct t_proc *p, size_t depth, int wide)
{
	const struct t_exec *cur = NULL;

	for (size_t i = 0; i < p->exec_n; i++)
		if (!t->e[p->exec_i + i].ret)
			cur = &t->e[p->exec_i + i];
	indent(f, depth);
	if (p->ancestor)
		fputs("^ ", f);
	put_time(f, p->first_ts + p->b2w);
	fprintf(f, " %lld uid=%lld", (long long)p->pid, (long long)p->uid);
	if (p->euid != p->uid)
		fprintf(f, " euid=%lld", (long long)p->euid);
	putc(' ', f);
	if (cur && cur->filename && cur->filename[0]) {
		term_write_str(f, cur->filename);
		putc(' ', f);
		put_argv_text(f, cur->cmdline, wide);
	} else {
		putc('(', f);
		term_write_str(f, p->comm);
		putc(')', f);
	}
	put_exit(f, p);
	putc('\n', f);
	if (p->ancestor)
		return; /* context for --pid: one line each */
	/* exec history when there is more than the one image shown; a process
	 * that did nothing of 1.2's families shows its images, then its
	 * connections (as before); otherwise every line in time order */
	size_t ne = p->exec_n > 1 || !cur ? p->exec_n : 0, ie = 0, ic = 0, ia = 0;
	while (ie < ne || ic < p->conn_n || ia < p->act_n) {
		const struct t_exec *e = ie < ne ? &t->e[p->exec_i + ie] : NULL;
		const struct t_conn *c = ic < p->conn_n ? &t->c[p->conn_i + ic] : NULL;
		const struct t_act *a = ia < p->act_n ? &t->acts[p->act_i + ia] : NULL;
		int64_t et = e ? e->ts : INT64_MAX, at = a ? a->ts : INT64_MAX;
		int64_t ct = c && (p->act_n || !e) ? c->ts : INT64_MAX;
		indent(f, depth + 1);
		if (e && et <= ct && et <= at)
			print_exec_line(f, e, p->b2w, wide), ie++;
		else if (c && ct <= at)
			print_conn_line(f, c, p->b2w), ic++;
		else
			print_act_line(f, a, p->b2w), ia++;
	}
}

static void print_json(FILE *f, const struct tree *t, const struct t_proc *p, size_t depth)
{
	char b[TIMEFMT_LEN];

	fputs("{\"host\":", f);
	json_write_str(f, p->host);
	fputs(",\"container\":", f);
	json_write_str(f, p->cshort ? p->cshort : "host");
	fputs(",\"runtime\":", f);
	json_write_str(f, p->runtime);
	fputs(",\"pod_uid\":", f);
	json_write_str(f, p->pod);
	if (p->ctr) {
		static const char *const k[] = { "name", "image", "pod_name", "pod_namespace", "container_name" };
		const char *v[] = { p->ctr->name, p->ctr->image, p->ctr->pod_name, p->ctr->pod_ns, p->ctr->kname };
		for (int i = 0; i < 5; i++)
			if (v[i]) {
				fprintf(f, ",\"%s\":", k[i]);
				json_write_str(f, v[i]);
			}
	}
	fprintf(f, ",\"depth\":%zu,%s\"proc_id\":%lld,\"parent_id\":", depth,
		p->ancestor ? "\"ancestor\":true," : "", (long long)p->proc_id);
	if (p->parent_id)
		fprintf(f, "%lld", (long long)p->parent_id);
	else
		fputs("null", f);
	fprintf(f, ",\"pid\":%lld,\"ppid\":%lld,\"start\":%lld,\"ts\":%lld,\"time\":\"%s\",\"uid\":%lld,\"euid\":%lld,\"comm\":",
		(long long)p->pid, (long long)p->ppid, (long long)p->start, (long long)p->first_ts,
		timefmt_rfc3339(b, p->first_ts + p->b2w), (long long)p->uid, (long long)p->euid);
	json_write_str(f, p->comm);
	if (p->has_exit)
		fprintf(f, ",\"%s\":%lld,\"exit_time\":\"%s\"", p->signal ? "signal" : "exit_code",
			(long long)(p->signal ? p->signal : p->exit_code), timefmt_rfc3339(b, p->exit_ts + p->b2w));
	fputs(",\"execs\":[", f);
	for (size_t i = 0; i < p->exec_n; i++) {
		const struct t_exec *e = &t->e[p->exec_i + i];
		fprintf(f, "%s{\"ts\":%lld,\"time\":\"%s\",\"kind\":\"%s\",\"ret\":%d,\"filename\":",
			i ? "," : "", (long long)e->ts, timefmt_rfc3339(b, e->ts + p->b2w),
			e->snapshot ? "snapshot" : "exec", e->ret);
		json_write_str(f, e->filename);
		/* stored argv is JSON written by exray's own escaper */
		fprintf(f, ",\"argv\":%s}", e->argv_json ? e->argv_json : "[]");
	}
	fputs("],\"connections\":[", f);
	for (size_t i = 0; i < p->conn_n; i++) {
		const struct t_conn *c = &t->c[p->conn_i + i];
		fprintf(f, "%s{\"ts\":%lld,\"time\":\"%s\",\"family\":%d,\"daddr\":", i ? "," : "",
			(long long)c->ts, timefmt_rfc3339(b, c->ts + p->b2w), c->family);
		json_write_str(f, c->daddr);
		fprintf(f, ",\"dport\":%d,\"sport\":%d,\"state\":", c->dport, c->sport);
		json_write_str(f, c->state);
		if (c->verdict) {
			fputs(",\"verdict\":", f);
			json_write_str(f, c->verdict);
		}
		putc('}', f);
	}
	fputs("],\"activity\":[", f);
	for (size_t i = 0; i < p->act_n; i++) {
		const struct t_act *a = &t->acts[p->act_i + i];
		fprintf(f, "%s{\"ts\":%lld,\"time\":\"%s\",\"family\":", i ? "," : "",
			(long long)a->ts, timefmt_rfc3339(b, a->ts + p->b2w));
		json_write_str(f, a->family);
		fputs(",\"op\":", f);
		json_write_str(f, a->op);
		if (a->has_ret)
			fprintf(f, ",\"ret\":%d", a->ret);
		fputs(",\"object\":", f);
		json_write_str(f, a->object);
		fputs(",\"detail\":", f);
		json_write_str(f, a->detail);
		putc('}', f);
	}
	fputs("]}\n", f);
}

static int in_window(const struct t_proc *p, const struct tree_opts *o)
{
	int64_t start = p->first_ts + p->b2w;
	int64_t end = p->has_exit ? p->exit_ts + p->b2w : INT64_MAX;

	return start <= o->until && end >= o->since;
}

static int container_match(const struct t_proc *p, const struct tree_opts *o)
{
	size_t n;

	if (!o->container)
		return 1;
	if (!strcmp(o->container, "host"))
		return p->container_id == 0;
	n = strlen(o->container);
	return p->cshort && (!strncmp(p->cshort, o->container, n) ||
			     (p->cid_full && !strncmp(p->cid_full, o->container, n)));
}

struct root {
	size_t i;
	int64_t host_id, container_id, ts;
};

static int cmp_root(const void *a, const void *b)
{
	const struct root *x = a, *y = b;

	if (x->host_id != y->host_id)
		return x->host_id < y->host_id ? -1 : 1;
	if (x->container_id != y->container_id)
		return x->container_id < y->container_id ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

static void group_header(FILE *f, const struct t_proc *p, int json, long long pid)
{
	if (json)
		return;
	fputs("== host ", f);
	term_write_str(f, p->host);
	if (!p->container_id) {
		fputs(": host processes", f);
	} else {
		fputs(": container ", f);
		term_write_str(f, p->cshort);
		if (p->ctr && p->ctr->name) {
			fputs(" \"", f);
			term_write_str(f, p->ctr->name);
			putc('"', f);
		}
		putc(' ', f);
		term_write_str(f, p->runtime);
		if (p->ctr && p->ctr->image) {
			fputs(" image ", f);
			term_write_str(f, p->ctr->image);
		}
		if (p->ctr && p->ctr->pod_name) {
			fputs(" pod ", f);
			if (p->ctr->pod_ns) {
				term_write_str(f, p->ctr->pod_ns);
				putc('/', f);
			}
			term_write_str(f, p->ctr->pod_name);
			if (p->ctr->kname) {
				putc('/', f);
				term_write_str(f, p->ctr->kname);
			}
		}
		if (p->pod) {
			fputs(p->ctr && p->ctr->pod_name ? " uid " : " pod ", f);
			term_write_str(f, p->pod);
		}
	}
	if (pid >= 0)
		fprintf(f, ": pid %lld, its ancestors (^) first", pid);
	putc('\n', f);
}

static void link_child(struct tree *t, size_t *tail, size_t parent, size_t child)
{
	if (tail[parent])
		t->p[tail[parent] - 1].next_sibling = child + 1;
	else
		t->p[parent].first_child = child + 1;
	tail[parent] = child + 1;
}

/* Index + 1 of the loaded parent of p, 0 if none. */
static size_t parent_of(const struct tree *t, const struct xmap *idx, const struct t_proc *p)
{
	uint64_t *v = p->parent_id ? xmap_get(idx, p->parent_id, 0, 0) : NULL;

	return v && &t->p[*v - 1] != p ? *v : 0;
}

long long tree_print(sqlite3 *db, const struct tree_opts *o, FILE *out)
{
	struct tree t = { 0 };
	struct xmap idx = { 0 }, cidx = { 0 }, hidx = { 0 };
	struct root *roots = NULL;
	struct { size_t i, depth; } *stack = NULL;
	size_t *tail = NULL, *chain = NULL, nroots = 0;
	long long printed = 0;
	int err, created;
	uint64_t *v;

	/* --pid shows ancestors, which may live in other containers */
	if ((err = load(db, &t, o->pid < 0 ? o->container : NULL)))
		goto cleanup;
	err = -ENOMEM;
	if (!(roots = calloc(t.np + 1, sizeof(*roots))) || !(stack = calloc(t.np + 1, sizeof(*stack))) ||
	    !(tail = calloc(t.np + 1, sizeof(*tail))) || !(chain = calloc(t.np + 1, sizeof(*chain))))
		goto cleanup;
	for (size_t k = 0; k < t.nh; k++)
		if (!(v = xmap_put(&hidx, t.h[k].id, 0, 0, &created)))
			goto cleanup;
		else
			*v = k + 1;
	for (size_t k = 0; k < t.nct; k++)
		if (!(v = xmap_put(&cidx, t.ct[k].id, 0, 0, &created)))
			goto cleanup;
		else
			*v = k + 1;
	for (size_t i = 0; i < t.np; i++) {
		struct t_proc *p = &t.p[i];
		if (!(v = xmap_put(&idx, p->proc_id, 0, 0, &created)))
			goto cleanup;
		*v = i + 1;
		if ((v = xmap_get(&hidx, p->host_id, 0, 0)))
			p->host = t.h[*v - 1].name, p->b2w = t.h[*v - 1].b2w;
		if (p->container_id && (v = xmap_get(&cidx, p->container_id, 0, 0))) {
			const struct t_ctr *c = &t.ct[*v - 1];
			p->cshort = c->short_id;
			p->cid_full = c->cid;
			p->runtime = c->runtime;
			p->pod = c->pod;
			p->ctr = c;
		}
		p->shown = in_window(p, o) && container_match(p, o);
	}
	for (size_t k = 0; k < t.ne; k++)
		if ((v = xmap_get(&idx, t.e[k].proc_id, 0, 0)) && !t.p[*v - 1].exec_n++)
			t.p[*v - 1].exec_i = k;
	for (size_t k = 0; k < t.nc; k++)
		if ((v = xmap_get(&idx, t.c[k].proc_id, 0, 0)) && !t.p[*v - 1].conn_n++)
			t.p[*v - 1].conn_i = k;
	for (size_t k = 0; k < t.nacts; k++)
		if ((v = xmap_get(&idx, t.acts[k].proc_id, 0, 0)) && !t.p[*v - 1].act_n++)
			t.p[*v - 1].act_i = k;
	/*
	 * Link children in start order. Whole trees: a parent in another
	 * container (or filtered out, or never recorded) makes a root. --pid:
	 * the processes with that pid are the roots, their subtrees are linked
	 * whatever the container (a child that left for another cgroup is
	 * still theirs), and each is printed under its ancestors.
	 */
	for (size_t i = 0; i < t.np; i++) {
		struct t_proc *p = &t.p[i];
		size_t j = parent_of(&t, &idx, p);
		struct t_proc *par = j ? &t.p[j - 1] : NULL;
		if (!p->shown)
			continue;
		if (o->pid >= 0) {
			if (p->pid == o->pid)
				roots[nroots++] = (struct root){ i, p->host_id, p->container_id, p->first_ts };
			else if (par && par->shown)
				link_child(&t, tail, j - 1, i);
		} else if (par && par->shown && par->host_id == p->host_id &&
			   par->container_id == p->container_id) {
			link_child(&t, tail, j - 1, i);
		} else {
			roots[nroots++] = (struct root){ i, p->host_id, p->container_id, p->first_ts };
		}
	}
	qsort(roots, nroots, sizeof(*roots), cmp_root);
	for (size_t r = 0; r < nroots; r++) {
		size_t sp = 0, nchain = 0, base = 0;
		if (o->pid >= 0 || !r || roots[r].host_id != roots[r - 1].host_id ||
		    roots[r].container_id != roots[r - 1].container_id)
			group_header(out, &t.p[roots[r].i], o->json, o->pid);
		if (o->pid >= 0) {
			/* the ancestor chain, oldest first (bounded: a corrupt
			 * database may hold a parent cycle) */
			for (size_t j = parent_of(&t, &idx, &t.p[roots[r].i]); j && nchain < t.np;
			     j = parent_of(&t, &idx, &t.p[j - 1]))
				chain[nchain++] = j - 1;
			for (size_t k = nchain; k-- > 0;) {
				struct t_proc *a = &t.p[chain[k]];
				a->ancestor = 1;
				if (o->json)
					print_json(out, &t, a, nchain - 1 - k);
				else
					print_text(out, &t, a, nchain - 1 - k, o->wide);
				a->ancestor = 0;
			}
			base = nchain;
		}
		stack[sp].i = roots[r].i;
		stack[sp++].depth = base;
		while (sp) {
			size_t i = stack[sp - 1].i, d = stack[sp - 1].depth;
			struct t_proc *p = &t.p[i];
			sp--;
			if (o->json)
				print_json(out, &t, p, d);
			else
				print_text(out, &t, p, d, o->wide);
			printed++;
			/* guard against a parent cycle in a corrupt database */
			if (printed > (long long)t.np)
				break;
			if (d > base && p->next_sibling && sp < t.np) {
				stack[sp].i = p->next_sibling - 1;
				stack[sp++].depth = d;
			}
			if (p->first_child && sp < t.np) {
				stack[sp].i = p->first_child - 1;
				stack[sp++].depth = d + 1;
			}
		}
	}
	err = 0;
cleanup:
	free(roots);
	free(stack);
	free(tail);
	free(chain);
	xmap_free(&idx);
	xmap_free(&cidx);
	xmap_free(&hidx);
	tree_free(&t);
	return err ? err : printed;
}
