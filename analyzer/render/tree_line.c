/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The lines the tree prints for one process: text or JSON. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "text/escape.h"
#include "text/recfmt.h"
#include "text/timefmt.h"
#include "render/lines.h"
#include "render/tree_int.h"

static void indent(FILE *f, size_t depth)
{
	if (depth > INDENT_MAX) {
		fprintf(f, "%*s[depth %zu] ", INDENT_MAX * 2, "", depth);
		return;
	}
	fprintf(f, "%*s", (int)depth * 2, "");
}

/*
 * Failed PATH lookups: execvp() and friends try each directory of PATH in
 * turn, so one command line can leave a run of failed execs (ENOENT,
 * ENOTDIR, EACCES) of the same name and arguments, often followed by the
 * one that worked. Shown folded: one line per run.
 */
struct exec_item {
	const struct t_exec *e;  /* the exec shown (a run's success, or its first miss) */
	size_t misses;           /* failed lookups folded into it */
	const struct t_exec *run;/* the first of them */
};

static bool lookup_miss(const struct t_exec *e)
{
	return e->ret == -ENOENT || e->ret == -ENOTDIR || e->ret == -EACCES;
}

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "";
}

static bool same_command(const struct t_exec *a, const struct t_exec *b)
{
	return !a->snapshot && !b->snapshot && !strcmp(base_name(a->filename), base_name(b->filename)) &&
	       !strcmp(a->cmdline ? a->cmdline : "", b->cmdline ? b->cmdline : "");
}

/* The exec lines of p, lookups folded unless all; returns how many. */
static size_t exec_items(const struct tree *t, const struct t_proc *p, int all, struct exec_item *it)
{
	const struct t_exec *e = &t->e[p->exec_i];
	size_t n = 0;

	for (size_t i = 0; i < p->exec_n; i++) {
		size_t j = i;
		if (all || !lookup_miss(&e[i])) {
			it[n++] = (struct exec_item){ &e[i], 0, NULL };
			continue;
		}
		while (j + 1 < p->exec_n && lookup_miss(&e[j + 1]) && same_command(&e[i], &e[j + 1]))
			j++;
		if (j + 1 < p->exec_n && !e[j + 1].ret && same_command(&e[i], &e[j + 1])) {
			it[n++] = (struct exec_item){ &e[j + 1], j - i + 1, &e[i] }; /* found */
			i = j + 1;
		} else {
			it[n++] = (struct exec_item){ &e[i], j > i ? j - i + 1 : 0, &e[i] };
			i = j;
		}
	}
	return n;
}

/* " [failed: ENOENT in 3 PATH directories: /usr/local/sbin /usr/local/bin
 * /usr/sbin]" or " [after 2 PATH misses: ...]" */
static void print_misses(FILE *f, const struct exec_item *it)
{
	char eb[ERRNO_TEXT_LEN];
	size_t shown = it->misses < 8 ? it->misses : 8;

	if (it->e->ret)
		fprintf(f, " [failed: %s in %zu PATH directories:", errno_text(eb, it->e->ret), it->misses);
	else
		fprintf(f, " [after %zu PATH miss%s:", it->misses, it->misses == 1 ? "" : "es");
	for (size_t k = 0; k < shown; k++) {
		const char *fn = it->run[k].filename ? it->run[k].filename : "";
		putc(' ', f);
		term_write_strn(f, fn, (size_t)(base_name(fn) - fn));
	}
	fputs(it->misses > shown ? " ...]" : "]", f);
}

static void print_exec_line(FILE *f, const struct exec_item *it, int64_t b2w, int wide)
{
	const struct t_exec *e = it->e;

	fputs(e->snapshot ? "| running " : "| exec ", f);
	render_time(f, e->ts, b2w);
	putc(' ', f);
	term_write_str(f, e->filename);
	putc(' ', f);
	render_argv(f, e->cmdline, wide);
	if (it->misses)
		print_misses(f, it);
	else
		render_failed(f, e->ret);
	putc('\n', f);
}

static void print_conn_line(FILE *f, const struct t_conn *c, int64_t b2w)
{
	fputs("-> ", f);
	render_time(f, c->ts, b2w);
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

/* "! TIME family op object detail [failed: ENOENT]": what the process did,
 * in v_activity's words, every recorded string escaped. */
static void print_act_line(FILE *f, const struct t_act *a, int64_t b2w)
{
	fputs("! ", f);
	render_time(f, a->ts, b2w);
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
		render_failed(f, a->ret);
	putc('\n', f);
}

int tree_line_text(FILE *f, const struct tree *t, const struct t_proc *p, size_t depth, int wide,
		   int all)
{
	struct exec_item few[16], *items = few;
	const struct exec_item *cur = NULL;
	size_t nitems;

	if (p->exec_n > sizeof(few) / sizeof(few[0]) && !(items = calloc(p->exec_n, sizeof(*items))))
		return -ENOMEM;
	nitems = exec_items(t, p, all, items);
	for (size_t i = 0; i < nitems; i++)
		if (!items[i].e->ret)
			cur = &items[i];
	indent(f, depth);
	if (p->ancestor)
		fputs("^ ", f);
	render_time(f, p->first_ts, p->b2w);
	fprintf(f, " %lld uid=%lld", (long long)p->pid, (long long)p->uid);
	if (p->euid != p->uid)
		fprintf(f, " euid=%lld", (long long)p->euid);
	if (p->already_running)
		fputs(" [already running]", f);
	if (p->cycle)
		fputs(" [parent cycle]", f);
	putc(' ', f);
	if (cur && cur->e->filename && cur->e->filename[0]) {
		term_write_str(f, cur->e->filename);
		putc(' ', f);
		render_argv(f, cur->e->cmdline, wide);
		if (cur->misses && nitems == 1)
			print_misses(f, cur); /* no history below to say it */
	} else {
		putc('(', f);
		term_write_str(f, p->comm);
		putc(')', f);
	}
	if (p->has_exit)
		render_exit(f, p->exit_code, p->signal);
	putc('\n', f);
	if (p->ancestor)
		goto out; /* context for --pid: one line each */
	/* exec history when there is more than the one image shown; a process
	 * that did nothing of 1.2's families shows its images, then its
	 * connections (as before); otherwise every line in time order */
	size_t ne = nitems > 1 || !cur ? nitems : 0, ie = 0, ic = 0, ia = 0;
	while (ie < ne || ic < p->conn_n || ia < p->act_n) {
		const struct exec_item *e = ie < ne ? &items[ie] : NULL;
		const struct t_conn *c = ic < p->conn_n ? &t->c[p->conn_i + ic] : NULL;
		const struct t_act *a = ia < p->act_n ? &t->acts[p->act_i + ia] : NULL;
		int64_t et = e ? e->e->ts : INT64_MAX, at = a ? a->ts : INT64_MAX;
		int64_t ct = c && (p->act_n || !e) ? c->ts : INT64_MAX;
		indent(f, depth + 1);
		if (e && et <= ct && et <= at)
			print_exec_line(f, e, p->b2w, wide), ie++;
		else if (c && ct <= at)
			print_conn_line(f, c, p->b2w), ic++;
		else
			print_act_line(f, a, p->b2w), ia++;
	}
out:
	if (items != few)
		free(items);
	return 0;
}

void tree_line_json(FILE *f, const struct tree *t, const struct t_proc *p, size_t depth)
{

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
	fprintf(f, ",\"depth\":%zu,%s%s%s\"proc_id\":%lld,\"parent_id\":", depth,
		p->ancestor ? "\"ancestor\":true," : "",
		p->already_running ? "\"already_running\":true," : "",
		p->cycle ? "\"parent_cycle\":true," : "", (long long)p->proc_id);
	if (p->parent_id)
		fprintf(f, "%lld", (long long)p->parent_id);
	else
		fputs("null", f);
	fprintf(f, ",\"pid\":%lld,\"ppid\":%lld,\"start\":%lld,\"ts\":%lld,\"time\":",
		(long long)p->pid, (long long)p->ppid, (long long)p->start, (long long)p->first_ts);
	timefmt_boot_json(f, (uint64_t)p->first_ts, p->b2w);
	fprintf(f, ",\"uid\":%lld,\"euid\":%lld,\"comm\":", (long long)p->uid, (long long)p->euid);
	json_write_str(f, p->comm);
	if (p->has_exit) {
		fprintf(f, ",\"%s\":%lld,\"exit_time\":", p->signal ? "signal" : "exit_code",
			(long long)(p->signal ? p->signal : p->exit_code));
		timefmt_boot_json(f, (uint64_t)p->exit_ts, p->b2w);
	}
	fputs(",\"execs\":[", f);
	for (size_t i = 0; i < p->exec_n; i++) {
		const struct t_exec *e = &t->e[p->exec_i + i];
		fprintf(f, "%s{\"ts\":%lld,\"time\":", i ? "," : "", (long long)e->ts);
		timefmt_boot_json(f, (uint64_t)e->ts, p->b2w);
		fprintf(f, ",\"kind\":\"%s\",\"ret\":%d,\"filename\":", e->snapshot ? "snapshot" : "exec",
			e->ret);
		json_write_str(f, e->filename);
		if (e->ret) {
			char eb[ERRNO_TEXT_LEN];
			fputs(",\"error\":", f);
			json_write_str(f, errno_text(eb, e->ret));
		}
		/* stored argv is JSON written by exray's own escaper */
		fprintf(f, ",\"argv\":%s}", e->argv_json ? e->argv_json : "[]");
	}
	fputs("],\"connections\":[", f);
	for (size_t i = 0; i < p->conn_n; i++) {
		const struct t_conn *c = &t->c[p->conn_i + i];
		fprintf(f, "%s{\"ts\":%lld,\"time\":", i ? "," : "", (long long)c->ts);
		timefmt_boot_json(f, (uint64_t)c->ts, p->b2w);
		fprintf(f, ",\"family\":%d,\"daddr\":", c->family);
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
		fprintf(f, "%s{\"ts\":%lld,\"time\":", i ? "," : "", (long long)a->ts);
		timefmt_boot_json(f, (uint64_t)a->ts, p->b2w);
		fputs(",\"family\":", f);
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
