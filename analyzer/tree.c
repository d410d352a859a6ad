/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "db.h"
#include "escape.h"
#include "ingest_map.h"
#include "timefmt.h"
#include "tree.h"

#define ARGV_TEXT_MAX 120   /* argv shown in text mode without --wide */
#define INDENT_MAX 32       /* deeper levels show "[depth N]" instead */

struct t_exec {
	int64_t proc_id, ts;
	int ret, snapshot;
	char *filename, *cmdline, *argv_json;
};

struct t_conn {
	int64_t proc_id, ts;
	int family, sport, dport;
	char *saddr, *daddr, *state;
	char *verdict;  /* in-kernel verdict of its packet SYN, NULL: none seen */
};

struct t_proc {
	int64_t proc_id, host_id, parent_id, container_id, pid, ppid, start, first_ts, exit_ts;
	int64_t uid, euid, exit_code;
	int has_exit, shown;
	char *comm;
	size_t exec_i, exec_n, conn_i, conn_n;
	size_t first_child, next_sibling; /* index + 1, 0 = none */
	int64_t b2w;
	const char *host, *cshort, *cid_full, *runtime, *pod;
};

struct t_ctr {
	int64_t id;
	char *short_id, *cid, *runtime, *pod;
};

struct t_host {
	int64_t id, b2w;
	char *name;
};

struct tree {
	struct t_proc *p;
	size_t np;
	struct t_exec *e;
	size_t ne;
	struct t_conn *c;
	size_t nc;
	struct t_ctr *ct;
	size_t nct;
	struct t_host *h;
	size_t nh;
};

static char *dupcol(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);
	char *d;

	if (!s)
		return NULL;
	if ((d = malloc(n + 1))) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
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

static int load(sqlite3 *db, struct tree *t)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int err = 0, rc;

	if ((err = db_prepare(db, &st, "SELECT host_id,hostname,boot_to_wall_ns FROM hosts")))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		GROW(t->h, t->nh, cap);
		t->h[t->nh++] = (struct t_host){ sqlite3_column_int64(st, 0),
						 sqlite3_column_int64(st, 2), dupcol(st, 1) };
	}
	sqlite3_finalize(st);
	cap = 0;
	if ((err = db_prepare(db, &st, "SELECT container_id,short_id,cid,runtime,pod_uid FROM containers")))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		GROW(t->ct, t->nct, cap);
		t->ct[t->nct++] = (struct t_ctr){ sqlite3_column_int64(st, 0), dupcol(st, 1),
						  dupcol(st, 2), dupcol(st, 3), dupcol(st, 4) };
	}
	sqlite3_finalize(st);
	cap = 0;
	if ((err = db_prepare(db, &st,
			      "SELECT proc_id,host_id,coalesce(parent_id,0),coalesce(container_id,0),"
			      "pid,coalesce(ppid,0),start,coalesce(fork_ts,first_ts),exit_ts,"
			      "coalesce(exit_code,0),coalesce(uid,-1),coalesce(euid,-1),comm "
			      "FROM processes ORDER BY host_id, coalesce(fork_ts,first_ts), proc_id")))
		return err;
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
		p->uid = sqlite3_column_int64(st, 10);
		p->euid = sqlite3_column_int64(st, 11);
		p->comm = dupcol(st, 12);
	}
	sqlite3_finalize(st);
	cap = 0;
	if ((err = db_prepare(db, &st, "SELECT proc_id,ts,ret,kind='snapshot',filename,cmdline,argv "
				       "FROM execs ORDER BY proc_id, ts, exec_id")))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		GROW(t->e, t->ne, cap);
		t->e[t->ne++] = (struct t_exec){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
						 sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
						 dupcol(st, 4), dupcol(st, 5), dupcol(st, 6) };
	}
	sqlite3_finalize(st);
	cap = 0;
	if ((err = db_prepare(db, &st, "SELECT proc_id,ts,family,coalesce(sport,0),dport,saddr,daddr,state,"
				       "(SELECT s.verdict FROM syns s WHERE s.conn_id=connections.conn_id"
				       " ORDER BY s.ts LIMIT 1) "
				       "FROM connections ORDER BY proc_id, ts, conn_id")))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		GROW(t->c, t->nc, cap);
		t->c[t->nc++] = (struct t_conn){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
						 sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
						 sqlite3_column_int(st, 4), dupcol(st, 5), dupcol(st, 6),
						 dupcol(st, 7), dupcol(st, 8) };
	}
	st = NULL;
	(void)rc;
cleanup:
	sqlite3_finalize(st);
	return err;
}

static void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->np; i++)
		free(t->p[i].comm);
	for (size_t i = 0; i < t->ne; i++) {
		free(t->e[i].filename);
		free(t->e[i].cmdline);
		free(t->e[i].argv_json);
	}
	for (size_t i = 0; i < t->nc; i++) {
		free(t->c[i].saddr);
		free(t->c[i].daddr);
		free(t->c[i].state);
		free(t->c[i].verdict);
	}
	for (size_t i = 0; i < t->nct; i++) {
		free(t->ct[i].short_id);
		free(t->ct[i].cid);
		free(t->ct[i].runtime);
		free(t->ct[i].pod);
	}
	for (size_t i = 0; i < t->nh; i++)
		free(t->h[i].name);
	free(t->p);
	free(t->e);
	free(t->c);
	free(t->ct);
	free(t->h);
}

static void put_time(FILE *f, int64_t wall)
{
	char b[TIMEFMT_LEN];

	fputs(timefmt_rfc3339(b, wall), f);
}

static void put_exit(FILE *f, const struct t_proc *p)
{
	if (!p->has_exit)
		return;
	if ((p->exit_code & 0x7f) == 0)
		fprintf(f, " [exit %lld]", (long long)((p->exit_code >> 8) & 0xff));
	else
		fprintf(f, " [killed by signal %lld]", (long long)(p->exit_code & 0x7f));
}

static void put_argv_text(FILE *f, const char *s, int wide)
{
	char buf[ARGV_TEXT_MAX * 2 + 8];
	size_t len = s ? strlen(s) : 0, need;

	if (!s)
		return;
	if (wide) {
		term_write_strn(f, s, len);
		return;
	}
	need = term_escape(buf, ARGV_TEXT_MAX + 1, s, len);
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

static void print_text(FILE *f, const struct tree *t, const struct t_proc *p, size_t depth, int wide)
{
	const struct t_exec *cur = NULL;

	for (size_t i = 0; i < p->exec_n; i++)
		if (!t->e[p->exec_i + i].ret)
			cur = &t->e[p->exec_i + i];
	indent(f, depth);
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
	/* exec history when there is more than the one image shown */
	for (size_t i = 0; i < p->exec_n && (p->exec_n > 1 || !cur); i++) {
		const struct t_exec *e = &t->e[p->exec_i + i];
		indent(f, depth + 1);
		fputs(e->snapshot ? "| running " : "| exec ", f);
		put_time(f, e->ts + p->b2w);
		putc(' ', f);
		term_write_str(f, e->filename);
		putc(' ', f);
		put_argv_text(f, e->cmdline, wide);
		if (e->ret)
			fprintf(f, " [failed: %d]", e->ret);
		putc('\n', f);
	}
	for (size_t i = 0; i < p->conn_n; i++) {
		const struct t_conn *c = &t->c[p->conn_i + i];
		indent(f, depth + 1);
		fputs("-> ", f);
		put_time(f, c->ts + p->b2w);
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
	fprintf(f, ",\"depth\":%zu,\"proc_id\":%lld,\"parent_id\":", depth, (long long)p->proc_id);
	if (p->parent_id)
		fprintf(f, "%lld", (long long)p->parent_id);
	else
		fputs("null", f);
	fprintf(f, ",\"pid\":%lld,\"ppid\":%lld,\"start\":%lld,\"ts\":%lld,\"time\":\"%s\",\"uid\":%lld,\"euid\":%lld,\"comm\":",
		(long long)p->pid, (long long)p->ppid, (long long)p->start, (long long)p->first_ts,
		timefmt_rfc3339(b, p->first_ts + p->b2w), (long long)p->uid, (long long)p->euid);
	json_write_str(f, p->comm);
	if (p->has_exit)
		fprintf(f, ",\"exit_code\":%lld,\"exit_time\":\"%s\"", (long long)p->exit_code,
			timefmt_rfc3339(b, p->exit_ts + p->b2w));
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

static void group_header(FILE *f, const struct t_proc *p, int json)
{
	if (json)
		return;
	fputs("== host ", f);
	term_write_str(f, p->host);
	if (!p->container_id) {
		fputs(": host processes\n", f);
		return;
	}
	fputs(": container ", f);
	term_write_str(f, p->cshort);
	putc(' ', f);
	term_write_str(f, p->runtime);
	if (p->pod) {
		fputs(" pod ", f);
		term_write_str(f, p->pod);
	}
	putc('\n', f);
}

long long tree_print(sqlite3 *db, const struct tree_opts *o, FILE *out)
{
	struct tree t = { 0 };
	struct xmap idx = { 0 };
	struct root *roots = NULL;
	struct { size_t i, depth; } *stack = NULL;
	size_t *tail = NULL, nroots = 0;
	long long printed = 0;
	int err, created;

	if ((err = load(db, &t)))
		goto cleanup;
	err = -ENOMEM;
	if (!(roots = calloc(t.np + 1, sizeof(*roots))) || !(stack = calloc(t.np + 1, sizeof(*stack))) ||
	    !(tail = calloc(t.np + 1, sizeof(*tail))))
		goto cleanup;
	for (size_t i = 0; i < t.np; i++) {
		struct t_proc *p = &t.p[i];
		uint64_t *v = xmap_put(&idx, p->proc_id, 0, 0, &created);
		if (!v)
			goto cleanup;
		*v = i + 1;
		for (size_t k = 0; k < t.nh; k++)
			if (t.h[k].id == p->host_id)
				p->host = t.h[k].name, p->b2w = t.h[k].b2w;
		for (size_t k = 0; k < t.nct && p->container_id; k++)
			if (t.ct[k].id == p->container_id) {
				p->cshort = t.ct[k].short_id;
				p->cid_full = t.ct[k].cid;
				p->runtime = t.ct[k].runtime;
				p->pod = t.ct[k].pod;
			}
		p->shown = in_window(p, o) && container_match(p, o);
	}
	for (size_t k = 0; k < t.ne; k++) {
		uint64_t *v = xmap_get(&idx, t.e[k].proc_id, 0, 0);
		if (v && !t.p[*v - 1].exec_n++)
			t.p[*v - 1].exec_i = k;
	}
	for (size_t k = 0; k < t.nc; k++) {
		uint64_t *v = xmap_get(&idx, t.c[k].proc_id, 0, 0);
		if (v && !t.p[*v - 1].conn_n++)
			t.p[*v - 1].conn_i = k;
	}
	/* link children in start order; a parent in another container (or
	 * filtered out, or never recorded) makes a root */
	for (size_t i = 0; i < t.np; i++) {
		struct t_proc *p = &t.p[i];
		uint64_t *v = p->parent_id ? xmap_get(&idx, p->parent_id, 0, 0) : NULL;
		struct t_proc *par = v ? &t.p[*v - 1] : NULL;
		if (!p->shown)
			continue;
		if (par && par != p && par->shown && par->host_id == p->host_id &&
		    par->container_id == p->container_id && o->pid < 0) {
			size_t j = *v - 1;
			if (tail[j])
				t.p[tail[j] - 1].next_sibling = i + 1;
			else
				par->first_child = i + 1;
			tail[j] = i + 1;
		} else if (o->pid < 0 || p->pid == o->pid) {
			roots[nroots++] = (struct root){ i, p->host_id, p->container_id, p->first_ts };
		}
	}
	if (o->pid >= 0) {
		/* subtrees of the matching processes: link the rest normally */
		for (size_t i = 0; i < t.np; i++) {
			struct t_proc *p = &t.p[i];
			uint64_t *v = p->parent_id ? xmap_get(&idx, p->parent_id, 0, 0) : NULL;
			if (!v || !p->shown || p->pid == o->pid || *v - 1 == i)
				continue;
			size_t j = *v - 1;
			if (tail[j])
				t.p[tail[j] - 1].next_sibling = i + 1;
			else
				t.p[j].first_child = i + 1;
			tail[j] = i + 1;
		}
	}
	qsort(roots, nroots, sizeof(*roots), cmp_root);
	for (size_t r = 0; r < nroots; r++) {
		size_t sp = 0;
		if (!r || roots[r].host_id != roots[r - 1].host_id ||
		    roots[r].container_id != roots[r - 1].container_id)
			group_header(out, &t.p[roots[r].i], o->json);
		stack[sp].i = roots[r].i;
		stack[sp++].depth = 0;
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
			if (d && p->next_sibling && sp < t.np) {
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
	xmap_free(&idx);
	tree_free(&t);
	return err ? err : printed;
}
