/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The report's process trees, one per container (and per host for its own
 * processes), as nested <details>: each process folds open to its execs and
 * connections, then its children. A big case lists at most
 * caps.procs_per_group processes per container (caps.procs_total in all)
 * in tree order, plus always every process a listed alert names and its
 * ancestors, which are unfolded; each cut says how many processes were
 * left out under it and which command shows them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "render/report_page.h"

/* Deeper levels are shown flat with their depth: browsers cap nesting
 * (Chromium's parser at 512 elements) and nobody reads 500 indents. */
#define NEST_MAX 24

struct forest {
	struct rp_tproc *p;
	size_t np;
	struct xmap idx;       /* proc_id -> index + 1 */
	size_t *groot, *gtail; /* per group: first root, last root (index + 1) */
	size_t *order;         /* every process, depth first, group by group */
	size_t norder;
};

static int load(struct rp *r, struct forest *t)
{
	char *cond = rp_scope_proc(r, "p"), *sql;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int err, rc, created;
	uint64_t *v;

	sql = rp_sql("SELECT p.proc_id, p.host_id, coalesce(p.parent_id, 0), coalesce(p.container_id, 0),"
		     " p.pid, coalesce(p.ppid, 0), coalesce(p.fork_ts, p.first_ts), p.exit_ts,"
		     " coalesce(p.exit_status, 0), coalesce(p.uid, -1), coalesce(p.euid, -1),"
		     " coalesce(p.exec_id, 0), p.comm, h.boot_to_wall_ns"
		     " FROM processes p JOIN hosts h USING (host_id) WHERE %s"
		     " ORDER BY p.host_id, coalesce(p.container_id, 0), coalesce(p.fork_ts, p.first_ts), p.proc_id",
		     cond ? cond : "0");
	if (!cond || !sql) {
		err = -ENOMEM;
		goto out;
	}
	if ((err = rp_prepare(r, &st, sql)))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (t->np == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			void *n = realloc(t->p, nc * sizeof(*t->p));
			if (!n)
				goto oom;
			t->p = n;
			cap = nc;
		}
		struct rp_tproc *p = &t->p[t->np];
		memset(p, 0, sizeof(*p));
		p->proc_id = sqlite3_column_int64(st, 0);
		p->host_id = sqlite3_column_int64(st, 1);
		p->parent_id = sqlite3_column_int64(st, 2);
		p->container_id = sqlite3_column_int64(st, 3);
		p->pid = sqlite3_column_int64(st, 4);
		p->ppid = sqlite3_column_int64(st, 5);
		p->first_ts = sqlite3_column_int64(st, 6);
		p->has_exit = sqlite3_column_type(st, 7) != SQLITE_NULL;
		p->exit_ts = sqlite3_column_int64(st, 7);
		p->exit_code = sqlite3_column_int64(st, 8);
		p->uid = sqlite3_column_int64(st, 9);
		p->euid = sqlite3_column_int64(st, 10);
		p->exec_id = sqlite3_column_int64(st, 11);
		p->b2w = sqlite3_column_int64(st, 13);
		if (sqlite3_column_text(st, 12) && !(p->comm = strdup((const char *)sqlite3_column_text(st, 12))))
			goto oom;
		if (!(v = xmap_get(&r->gidx, (uint64_t)p->host_id, (uint64_t)p->container_id, 0))) {
			free(p->comm);
			continue; /* a container row missing: cannot be placed */
		}
		p->group = *v - 1;
		if (!(v = xmap_put(&t->idx, (uint64_t)p->proc_id, 0, 0, &created)))
			goto oom;
		*v = ++t->np;
	}
	if (rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(r->db));
		err = -EIO;
	}
	goto out;
oom:
	err = -ENOMEM;
out:
	sqlite3_finalize(st);
	sqlite3_free(cond);
	sqlite3_free(sql);
	return err;
}

static size_t parent_of(const struct forest *t, const struct rp_tproc *p)
{
	uint64_t *v = p->parent_id ? xmap_get(&t->idx, (uint64_t)p->parent_id, 0, 0) : NULL;

	return v && &t->p[*v - 1] != p ? (size_t)*v : 0;
}

/* Children in start order under their parent in the same group; the rest
 * are the group's roots. Then the depth-first order of every group. */
static int link(struct rp *r, struct forest *t)
{
	size_t *tail = calloc(t->np + 1, sizeof(*tail)), *stack = calloc(t->np + 1, sizeof(*stack));
	int err = -ENOMEM;

	t->groot = calloc(r->ng + 1, sizeof(*t->groot));
	t->gtail = calloc(r->ng + 1, sizeof(*t->gtail));
	t->order = calloc(t->np + 1, sizeof(*t->order));
	if (!tail || !stack || !t->groot || !t->gtail || !t->order)
		goto out;
	for (size_t i = 0; i < t->np; i++) {
		struct rp_tproc *p = &t->p[i];
		size_t j = parent_of(t, p);
		if (j && t->p[j - 1].group == p->group) {
			if (tail[j - 1])
				t->p[tail[j - 1] - 1].next_sibling = i + 1;
			else
				t->p[j - 1].first_child = i + 1;
			tail[j - 1] = i + 1;
			t->p[j - 1].nchildren++;
		} else {
			if (t->gtail[p->group])
				t->p[t->gtail[p->group] - 1].next_sibling = i + 1;
			else
				t->groot[p->group] = i + 1;
			t->gtail[p->group] = i + 1;
		}
	}
	for (size_t g = 0; g < r->ng; g++) {
		size_t sp = 0;
		for (size_t i = t->groot[g]; i; i = t->p[i - 1].next_sibling) {
			stack[sp++] = i - 1;
			while (sp) {
				size_t k = stack[--sp];
				t->order[t->norder++] = k;
				/* children pushed last-first so they pop in order
				 * (each process is pushed once: sp stays <= np) */
				size_t n = 0, at = 0;
				for (size_t c = t->p[k].first_child; c; c = t->p[c - 1].next_sibling)
					n++;
				if (n > t->np - sp)
					n = t->np - sp;
				for (size_t c = t->p[k].first_child; c && at < n; c = t->p[c - 1].next_sibling)
					stack[sp + n - 1 - at++] = c - 1;
				sp += n;
			}
		}
	}
	/* subtree sizes: children come after their parent in that order */
	for (size_t o = t->norder; o-- > 0;) {
		struct rp_tproc *p = &t->p[t->order[o]];
		size_t j = parent_of(t, p);
		p->subtree++;
		if (j && t->p[j - 1].group == p->group)
			t->p[j - 1].subtree += p->subtree;
	}
	err = 0;
out:
	free(tail);
	free(stack);
	return err;
}

/* What is listed: every process a listed alert names and its ancestors
 * (unfolded), then processes in tree order while the budgets last, never
 * one whose parent is not listed. */
static void choose(struct rp *r, struct forest *t)
{
	const struct report_caps *caps = &r->o->caps;
	size_t total = caps->procs_total, *left = calloc(r->ng + 1, sizeof(*left));

	for (size_t i = 0; i < r->must.cap; i++) {
		uint64_t *v;
		if (!r->must.slots[i].used || !(v = xmap_get(&t->idx, r->must.slots[i].key.a, 0, 0)))
			continue;
		/* listed with its ancestors; unfolded (the process and its
		 * ancestors) only for the alerts shown first: each unfolded
		 * process costs the browser layout time */
		int open = r->must.slots[i].val >= 2;
		t->p[*v - 1].open |= open;
		size_t steps = 0;
		for (size_t j = parent_of(t, &t->p[*v - 1]); j && steps++ < t->np; j = parent_of(t, &t->p[j - 1])) {
			if (t->p[j - 1].must && (t->p[j - 1].open || !open))
				break;
			t->p[j - 1].must = 1;
			t->p[j - 1].open |= open;
		}
		t->p[*v - 1].must = 1;
	}
	for (size_t g = 0; left && g < r->ng; g++)
		left[g] = caps->procs_per_group;
	for (size_t o = 0; o < t->norder; o++) {
		struct rp_tproc *p = &t->p[t->order[o]];
		size_t j = parent_of(t, p);
		int parent_shown = !j || t->p[j - 1].group != p->group || t->p[j - 1].shown;
		if (p->must) {
			p->shown = 1;
		} else if (parent_shown && total && left && left[p->group]) {
			p->shown = 1;
			total--;
			left[p->group]--;
		}
	}
	free(left);
}

static void tree_cmd(struct rp *r, const struct rp_group *g, long long pid)
{
	fputs("<code>exray tree -w -d ", r->f);
	rp_text(r, r->o->dbpath);
	if (pid >= 0) {
		fprintf(r->f, " -p %lld", pid);
	} else {
		fputs(" -c ", r->f);
		rp_text(r, g->container_id ? g->cid : "host");
	}
	/* the same window as the page (@N: ns since the epoch) */
	if (r->o->since != INT64_MIN)
		fprintf(r->f, " --since @%lld", (long long)r->o->since);
	if (r->o->until != INT64_MAX)
		fprintf(r->f, " --until @%lld", (long long)r->o->until);
	fputs("</code>", r->f);
}

/* After the listed children of p (or of a group's top when p is NULL):
 * how many were left out, with their descendants. */
static void left_out(struct rp *r, const struct forest *t, size_t first, const struct rp_tproc *p,
		     const struct rp_group *g)
{
	size_t n = 0, sub = 0;

	for (size_t c = first; c; c = t->p[c - 1].next_sibling)
		if (!t->p[c - 1].shown)
			n++, sub += t->p[c - 1].subtree;
	if (!n)
		return;
	fprintf(r->f, "<p class=\"more\">%zu more %s (%zu processes with their descendants) not listed: ",
		n, p ? "child processes" : "processes at the top of this tree", sub);
	tree_cmd(r, g, p ? p->pid : -1);
	fputs("</p>\n", r->f);
}

static void group_head(struct rp *r, size_t gi, int open)
{
	const struct rp_group *g = &r->g[gi];

	fprintf(r->f, "<details class=\"grp\" id=\"g%zu\"%s><summary><h3>", gi, open ? " open" : "");
	if (g->container_id) {
		fputs("container ", r->f);
		rp_group_label(r, g);
		fputs(" <span class=\"rt\">", r->f);
		if (g->image) {
			fputs("image ", r->f);
			rp_text(r, g->image);
			fputs(", ", r->f);
		}
		if (g->pod_name) {
			fputs("pod ", r->f);
			if (g->pod_ns) {
				rp_text(r, g->pod_ns);
				fputs("/", r->f);
			}
			rp_text(r, g->pod_name);
			if (g->ctr_name) {
				fputs(" container ", r->f);
				rp_text(r, g->ctr_name);
			}
			fputs(", ", r->f);
		} else if (g->pod) {
			fputs("pod uid ", r->f);
			rp_text(r, g->pod);
			fputs(", ", r->f);
		}
		rp_text(r, g->runtime);
		fputs("</span> on ", r->f);
	} else {
		fputs("host processes of ", r->f);
	}
	rp_text(r, g->hostname);
	fputs(" <span class=\"cnt\">", r->f);
	rp_count(r, g->procs);
	fputs(" processes</span></h3></summary><div>\n", r->f);
	if (g->container_id) {
		fputs("<p class=\"facts\">id <span class=\"a\">", r->f);
		rp_text(r, g->cid);
		fputs("</span></p>\n", r->f);
	}
}

#define CLOSE ((size_t)1 << (sizeof(size_t) * 8 - 1))

static int render(struct rp *r, struct forest *t)
{
	size_t *stack = calloc(2 * t->np + 2, sizeof(*stack)), *depth = calloc(2 * t->np + 2, sizeof(*depth));
	int err = -ENOMEM;

	if (!stack || !depth)
		goto out;
	for (size_t gi = 0; gi < r->ng; gi++) {
		size_t listed = 0, hot = 0, open = 0;
		if (!t->groot[gi])
			continue;
		for (size_t o = 0; o < t->norder; o++)
			if (t->p[t->order[o]].group == gi && t->p[t->order[o]].shown)
				listed++, hot += t->p[t->order[o]].must, open += t->p[t->order[o]].open;
		group_head(r, gi, open || r->ng <= 4);
		fprintf(r->f, "<p>%zu of ", listed);
		rp_count(r, r->g[gi].procs);
		fputs(" processes listed", r->f);
		if (hot)
			fputs("; those that the listed alerts name are marked, and those of the alerts shown"
			      " first unfolded with their ancestors", r->f);
		fputs(". The whole tree: ", r->f);
		tree_cmd(r, &r->g[gi], -1);
		fputs("</p>\n", r->f);
		for (size_t root = t->groot[gi]; root; root = t->p[root - 1].next_sibling) {
			size_t sp = 0;
			if (!t->p[root - 1].shown)
				continue;
			stack[sp] = root - 1;
			depth[sp++] = 0;
			while (sp) {
				size_t e = stack[--sp], d = depth[sp];
				struct rp_tproc *p = &t->p[e & ~CLOSE];
				if (e & CLOSE) {
					left_out(r, t, p->first_child, p, &r->g[gi]);
					fputs("</div></details>\n", r->f);
					continue;
				}
				if ((err = rp_proc(r, p, d >= NEST_MAX ? d : 0)))
					goto out;
				if (d < NEST_MAX) {
					stack[sp] = e | CLOSE;
					depth[sp++] = d;
				} else {
					/* too deep to nest: children follow as siblings */
					left_out(r, t, p->first_child, p, &r->g[gi]);
					fputs("</div></details>\n", r->f);
				}
				size_t n = 0, at = 0;
				for (size_t c = p->first_child; c; c = t->p[c - 1].next_sibling)
					n += t->p[c - 1].shown;
				for (size_t c = p->first_child; c; c = t->p[c - 1].next_sibling)
					if (t->p[c - 1].shown) {
						stack[sp + n - 1 - at] = c - 1;
						depth[sp + n - 1 - at++] = d + 1;
					}
				sp += n;
			}
		}
		left_out(r, t, t->groot[gi], NULL, &r->g[gi]);
		fputs("</div></details>\n", r->f);
	}
	err = 0;
out:
	free(stack);
	free(depth);
	return err;
}

int rp_tree(struct rp *r)
{
	struct forest t = { 0 };
	int err;

	fputs("<section id=\"tree\"><h2>Process trees</h2>\n<p>One tree per container and per host;"
	      " a container's tree starts at its first process (whose parent ran outside it). Each line:"
	      " start time, pid, user, the image running and its arguments (one box each: what is inside"
	      " a box is one argument, escapes are <span class=\"x\">marked</span>), exit. Unfold a"
	      " process for its execs and connections.</p>\n", r->f);
	if ((err = load(r, &t)) || (err = link(r, &t)))
		goto out;
	choose(r, &t);
	if (!t.np)
		fputs("<p>No process in scope.</p>\n", r->f);
	err = render(r, &t);
	rp_proc_finish(r);
out:
	fputs("</section>\n", r->f);
	for (size_t i = 0; i < t.np; i++)
		free(t.p[i].comm);
	free(t.p);
	free(t.groot);
	free(t.gtail);
	free(t.order);
	xmap_free(&t.idx);
	return err;
}
