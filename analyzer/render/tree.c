/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The process tree: which processes show, how they link, in what order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ingest/xmap.h"
#include "text/counts.h"
#include "text/escape.h"
#include "text/timefmt.h"
#include "render/tree.h"
#include "render/tree_int.h"

/* Alive in the --since/--until window: from its first record to its exit,
 * or, not seen exiting, to the end of its host's recording (it may live on,
 * but nothing after that is known). */
static int in_window(const struct t_proc *p, const struct tree_opts *o)
{
	int64_t start, end, last = p->has_exit ? p->exit_ts : p->host_last_ts;

	if (o->since == INT64_MIN && o->until == INT64_MAX)
		return 1;
	if (last < p->first_ts)
		last = p->first_ts;
	/* a time without a date is in no window */
	if (timefmt_wall((uint64_t)p->first_ts, p->b2w, &start))
		return 0;
	if (last == INT64_MAX || timefmt_wall((uint64_t)last, p->b2w, &end))
		end = INT64_MAX;
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
	size_t size;        /* processes in its subtree */
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

/* "host H: container ID "name" runtime image I pod P" */
static void group_name(FILE *f, const struct t_proc *p)
{
	fputs("host ", f);
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
}

static void group_header(FILE *f, const struct t_proc *p, int json, long long pid)
{
	if (json)
		return;
	fputs("== ", f);
	group_name(f, p);
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
	t->p[child].linked_parent = parent + 1;
}

static void unlink_child(struct tree *t, size_t *tail, size_t child)
{
	size_t par = t->p[child].linked_parent - 1, prev = 0;

	for (size_t c = t->p[par].first_child; c; prev = c, c = t->p[c - 1].next_sibling) {
		if (c - 1 != child)
			continue;
		if (prev)
			t->p[prev - 1].next_sibling = t->p[child].next_sibling;
		else
			t->p[par].first_child = t->p[child].next_sibling;
		if (tail[par] == child + 1)
			tail[par] = prev;
		break;
	}
	t->p[child].next_sibling = 0;
	t->p[child].linked_parent = 0;
}

enum { UNREACHED, REACHED, ON_PATH };

/* Mark what the walk from i reaches (stack: room for every process). */
static void mark_reached(struct tree *t, size_t i, unsigned char *state, size_t *stack)
{
	size_t sp = 0;

	if (state[i] == REACHED)
		return;
	state[i] = REACHED;
	stack[sp++] = i;
	while (sp) {
		const struct t_proc *p = &t->p[stack[--sp]];
		for (size_t c = p->first_child; c; c = t->p[c - 1].next_sibling)
			if (state[c - 1] != REACHED) {
				state[c - 1] = REACHED;
				stack[sp++] = c - 1;
			}
	}
}

/*
 * A parent cycle (A's parent is B, B's is A) can only come from crafted or
 * corrupt input, but must not make processes vanish: its members are all
 * listed under each other and under no root, so the walk would never reach
 * them. Every shown process still unreached leads up, through the
 * processes it is listed under, to such a cycle; the member met first is
 * cut from its parent and becomes a root marked [parent cycle]. Returns the
 * new number of roots.
 */
static size_t break_cycles(struct tree *t, size_t *tail, struct root *roots, size_t nroots,
			   unsigned char *state, size_t *stack)
{
	for (size_t r = 0; r < nroots; r++)
		mark_reached(t, roots[r].i, state, stack);
	for (size_t i = 0; i < t->np; i++) {
		size_t j = i;
		if (!t->p[i].shown || state[i] == REACHED)
			continue;
		while (state[j] != ON_PATH) {
			state[j] = ON_PATH;
			j = t->p[j].linked_parent - 1;
		}
		unlink_child(t, tail, j);
		t->p[j].cycle = 1;
		roots[nroots++] = (struct root){ j, t->p[j].host_id, t->p[j].container_id, t->p[j].first_ts, 0 };
		mark_reached(t, j, state, stack);
	}
	return nroots;
}

/* Index + 1 of the loaded parent of p, 0 if none. */
static size_t parent_of(const struct tree *t, const struct xmap *idx, const struct t_proc *p)
{
	uint64_t *v = p->parent_id ? xmap_get(idx, p->parent_id, 0, 0) : NULL;

	return v && &t->p[*v - 1] != p ? *v : 0;
}

/* Processes in i's subtree (stack: room for every process). */
static size_t subtree_size(const struct tree *t, size_t i, size_t *stack)
{
	size_t sp = 0, n = 0;

	stack[sp++] = i;
	while (sp && n <= t->np) {
		const struct t_proc *p = &t->p[stack[--sp]];
		n++;
		for (size_t c = p->first_child; c && sp < t->np; c = t->p[c - 1].next_sibling)
			stack[sp++] = c - 1;
	}
	return n;
}

static bool same_group(const struct tree_opts *o, const struct root *a, const struct root *b)
{
	return o->pid < 0 && a->host_id == b->host_id && a->container_id == b->container_id;
}

/* Processes of the group starting at root r. */
static size_t group_total(const struct tree_opts *o, const struct root *roots, size_t nroots, size_t r)
{
	size_t n = roots[r].size;

	for (size_t k = r + 1; k < nroots && same_group(o, &roots[r], &roots[k]); k++)
		n += roots[k].size;
	return n;
}

/* Before a tree some group of which is over the limit: every group with
 * its size, so that what is left out is known before it scrolls by. */
static void print_summary(FILE *f, const struct tree *t, const struct tree_opts *o,
			  const struct root *roots, size_t nroots)
{
	char a[COUNT_TEXT_LEN], b[COUNT_TEXT_LEN];
	size_t groups = 0, total = 0, over = 0;

	for (size_t r = 0; r < nroots; r++) {
		total += roots[r].size;
		if (r && same_group(o, &roots[r - 1], &roots[r]))
			continue;
		groups++;
		over += group_total(o, roots, nroots, r) > (size_t)o->limit;
	}
	if (!over)
		return;
	fprintf(f, "tree: %s processes in %s group%s; at most %lld shown per group (-n N for another "
		   "limit, --all for every one):\n", count_text(a, total), count_text(b, groups),
		groups == 1 ? "" : "s", o->limit);
	for (size_t r = 0; r < nroots; r++) {
		size_t n;
		if (r && same_group(o, &roots[r - 1], &roots[r]))
			continue;
		n = group_total(o, roots, nroots, r);
		fputs("  ", f);
		group_name(f, &t->p[roots[r].i]);
		fprintf(f, ": %s process%s%s\n", count_text(a, n), n == 1 ? "" : "es",
			n > (size_t)o->limit ? " (limited)" : "");
	}
}

long long tree_print(sqlite3 *db, const struct tree_opts *o, FILE *out)
{
	return tree_print_stats(db, o, out, NULL);
}

long long tree_print_stats(sqlite3 *db, const struct tree_opts *o, FILE *out, struct tree_stats *st)
{
	struct tree_stats stats = { 0 };
	long long gprinted = 0;
	size_t gtotal = 0;
	struct tree t = { 0 };
	struct xmap idx = { 0 }, cidx = { 0 }, hidx = { 0 };
	struct root *roots = NULL;
	struct { size_t i, depth; } *stack = NULL;
	size_t *tail = NULL, *chain = NULL, *walk = NULL, nroots = 0;
	unsigned char *state = NULL;
	long long printed = 0;
	int err, created;
	uint64_t *v;

	/* --pid shows ancestors, which may live in other containers */
	if ((err = tree_load(db, &t, o->pid < 0 ? o->container : NULL)))
		goto cleanup;
	err = -ENOMEM;
	if (!(roots = calloc(t.np + 1, sizeof(*roots))) || !(stack = calloc(t.np + 1, sizeof(*stack))) ||
	    !(tail = calloc(t.np + 1, sizeof(*tail))) || !(chain = calloc(t.np + 1, sizeof(*chain))) ||
	    !(walk = calloc(t.np + 1, sizeof(*walk))) || !(state = calloc(t.np + 1, 1)))
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
			p->host = t.h[*v - 1].name, p->b2w = t.h[*v - 1].b2w,
			p->host_last_ts = t.h[*v - 1].last_ts;
		if (p->container_id && (v = xmap_get(&cidx, p->container_id, 0, 0))) {
			const struct t_ctr *c = &t.ct[*v - 1];
			p->cshort = c->short_id;
			p->cid_full = c->cid;
			p->runtime = c->runtime;
			p->pod = c->pod;
			p->ctr = c;
		}
		p->shown = in_window(p, o) && container_match(p, o);
		/* kernel threads are noise in a responder's tree (--pid names
		 * its processes: they show whatever they are) */
		if (p->shown && p->kthread && !o->all && o->pid < 0) {
			p->shown = 0;
			stats.kthreads++;
		}
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
				roots[nroots++] = (struct root){ i, p->host_id, p->container_id, p->first_ts, 0 };
			else if (par && par->shown)
				link_child(&t, tail, j - 1, i);
		} else if (par && par->shown && par->host_id == p->host_id &&
			   par->container_id == p->container_id) {
			link_child(&t, tail, j - 1, i);
		} else {
			roots[nroots++] = (struct root){ i, p->host_id, p->container_id, p->first_ts, 0 };
		}
	}
	if (o->pid < 0)
		nroots = break_cycles(&t, tail, roots, nroots, state, walk);
	qsort(roots, nroots, sizeof(*roots), cmp_root);
	for (size_t r = 0; r < nroots; r++)
		roots[r].size = subtree_size(&t, roots[r].i, walk);
	if (o->limit > 0 && !o->json && o->pid < 0)
		print_summary(out, &t, o, roots, nroots);
	for (size_t r = 0; r < nroots; r++) {
		size_t sp = 0, nchain = 0, base = 0;
		if (!r || !same_group(o, &roots[r - 1], &roots[r])) {
			group_header(out, &t.p[roots[r].i], o->json, o->pid);
			gprinted = 0;
			gtotal = group_total(o, roots, nroots, r);
		}
		if (o->pid >= 0) {
			/* the ancestor chain, oldest first, each once (a
			 * corrupt database may hold a parent cycle) */
			state[roots[r].i] = ON_PATH;
			for (size_t j = parent_of(&t, &idx, &t.p[roots[r].i]); j && state[j - 1] != ON_PATH;
			     j = parent_of(&t, &idx, &t.p[j - 1])) {
				state[j - 1] = ON_PATH;
				chain[nchain++] = j - 1;
			}
			state[roots[r].i] = UNREACHED;
			for (size_t k = 0; k < nchain; k++)
				state[chain[k]] = UNREACHED;
			for (size_t k = nchain; k-- > 0;) {
				struct t_proc *a = &t.p[chain[k]];
				a->ancestor = 1;
				if (o->json)
					tree_line_json(out, &t, a, nchain - 1 - k);
				else if ((err = tree_line_text(out, &t, a, nchain - 1 - k, o->wide, o->all)))
					goto cleanup;
				a->ancestor = 0;
			}
			base = nchain;
		}
		stack[sp].i = roots[r].i;
		stack[sp++].depth = base;
		while (sp && !(o->limit > 0 && gprinted >= o->limit)) {
			size_t i = stack[sp - 1].i, d = stack[sp - 1].depth;
			struct t_proc *p = &t.p[i];
			sp--;
			gprinted++;
			if (o->json)
				tree_line_json(out, &t, p, d);
			else if ((err = tree_line_text(out, &t, p, d, o->wide, o->all)))
				goto cleanup;
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
		if ((r + 1 == nroots || !same_group(o, &roots[r], &roots[r + 1])) &&
		    gtotal > (size_t)gprinted) {
			char n[COUNT_TEXT_LEN];
			stats.over_limit += (long long)gtotal - gprinted;
			if (!o->json)
				fprintf(out, "  ... %s more process%s in this group (-n N for another limit, "
					     "--all for every one)\n", count_text(n, gtotal - (size_t)gprinted),
					gtotal - (size_t)gprinted == 1 ? "" : "es");
		}
	}
	stats.printed = printed;
	if (st)
		*st = stats;
	err = 0;
cleanup:
	free(roots);
	free(stack);
	free(tail);
	free(chain);
	free(walk);
	free(state);
	xmap_free(&idx);
	xmap_free(&cidx);
	xmap_free(&hidx);
	tree_free(&t);
	return err ? err : printed;
}

