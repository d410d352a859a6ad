/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One process of the report's tree: its line (start, pid, user, image,
 * arguments, exit, alerts) and, unfolded, its facts, the alerts that name
 * it, its execs with every argument shown separately, and its connections
 * with the policy's and the packet view's verdicts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "text/escape.h"
#include "render/report_page.h"

#define SUMMARY_ARGV_BYTES 240 /* arguments shown on a process's line */

#define WINDOW_SQL(t) " AND " t ".ts + h.boot_to_wall_ns BETWEEN ?3 AND ?4"

static const char cur_sql[] = "SELECT filename, argv, cmdline FROM execs WHERE exec_id = ?1";
static const char execs_sql[] =
	"SELECT e.ts + h.boot_to_wall_ns, e.kind, e.ret, e.filename, e.argv, e.cmdline,"
	" e.argv_truncated, e.uid, e.euid FROM execs e JOIN hosts h USING (host_id)"
	" WHERE e.proc_id = ?1" WINDOW_SQL("e") " ORDER BY e.ts, e.exec_id LIMIT ?2";
static const char nexec_sql[] =
	"SELECT count(*) FROM execs e JOIN hosts h USING (host_id) WHERE e.proc_id = ?1 AND ?2 = ?2"
	WINDOW_SQL("e");
static const char conns_sql[] =
	"SELECT k.ts + h.boot_to_wall_ns, k.family, k.daddr, k.dport, k.saddr, coalesce(k.sport, 0),"
	" k.state, (SELECT s.verdict FROM syns s WHERE s.conn_id = k.conn_id ORDER BY s.ts LIMIT 1),"
	" CASE WHEN policy_loaded() THEN policy_allows(c.cid, c.pod_uid, c.cgroup_path, k.daddr, k.dport) END"
	" FROM connections k JOIN hosts h USING (host_id)"
	" LEFT JOIN containers c ON c.container_id = k.container_id"
	" WHERE k.proc_id = ?1" WINDOW_SQL("k") " ORDER BY k.ts, k.conn_id LIMIT ?2";
static const char nconn_sql[] =
	"SELECT count(*) FROM connections k JOIN hosts h USING (host_id) WHERE k.proc_id = ?1"
	" AND ?2 = ?2" WINDOW_SQL("k");

/* What else the process did (file, privilege, namespace, ptrace, socket,
 * memfd, bpf, io_uring), from ingest's union view of those families. */
static const char acts_sql[] =
	"SELECT a.wall_ns, a.family, a.op, a.ret, a.object, a.detail FROM v_activity a"
	" WHERE a.proc_id = ?1 AND a.wall_ns BETWEEN ?3 AND ?4 ORDER BY a.ts, a.family, a.event_id LIMIT ?2";
static const char nact_sql[] =
	"SELECT count(*) FROM v_activity a WHERE a.proc_id = ?1 AND ?2 = ?2 AND a.wall_ns BETWEEN ?3 AND ?4";

void rp_proc_finish(struct rp *r)
{
	sqlite3_finalize(r->st_acts);
	sqlite3_finalize(r->st_nact);
	r->st_acts = r->st_nact = NULL;
	sqlite3_finalize(r->st_cur);
	sqlite3_finalize(r->st_execs);
	sqlite3_finalize(r->st_conns);
	sqlite3_finalize(r->st_nexec);
	sqlite3_finalize(r->st_nconn);
	r->st_cur = r->st_execs = r->st_conns = r->st_nexec = r->st_nconn = NULL;
}

static int prepare_all(struct rp *r)
{
	int err;

	if (r->st_cur)
		return 0;
	if ((err = rp_prepare(r, &r->st_cur, cur_sql)) || (err = rp_prepare(r, &r->st_execs, execs_sql)) ||
	    (err = rp_prepare(r, &r->st_conns, conns_sql)) || (err = rp_prepare(r, &r->st_nexec, nexec_sql)) ||
	    (err = rp_prepare(r, &r->st_nconn, nconn_sql)) ||
	    (r->has_activity && ((err = rp_prepare(r, &r->st_acts, acts_sql)) ||
				 (err = rp_prepare(r, &r->st_nact, nact_sql)))))
		rp_proc_finish(r);
	return err;
}

static void bind_rows(struct rp *r, sqlite3_stmt *st, int64_t proc_id, size_t limit)
{
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, proc_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	sqlite3_bind_int64(st, 3, r->o->since);
	sqlite3_bind_int64(st, 4, r->o->until);
}

/* ----------------------------------------------------------------- argv */

/* Decode the JSON string at *p (after its opening quote) into out (UTF-8),
 * moving *p past the closing quote. 0, or -EINVAL on malformed input. */
static int json_string(const char **p, char *out, size_t *outlen)
{
	const char *s = *p;
	size_t n = 0;

	while (*s && *s != '"') {
		unsigned cp;
		if (*s != '\\') {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case '"': case '\\': case '/': cp = (unsigned char)*s; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'u': {
			char hex[5] = { 0 };
			if (strlen(s + 1) < 4)
				return -EINVAL;
			memcpy(hex, s + 1, 4);
			cp = (unsigned)strtoul(hex, NULL, 16);
			s += 4;
			/* a lone surrogate cannot be written as UTF-8 */
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			break;
		}
		default: return -EINVAL;
		}
		s++;
		if (cp < 0x80) {
			out[n++] = (char)cp;
		} else if (cp < 0x800) {
			out[n++] = (char)(0xc0 | cp >> 6);
			out[n++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[n++] = (char)(0xe0 | cp >> 12);
			out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	if (*s != '"')
		return -EINVAL;
	*p = s + 1;
	*outlen = n;
	return 0;
}

/*
 * The recorded bytes of one argument. The stored JSON argv replaced each
 * byte that is not UTF-8 by U+FFFD; cmdline holds the bytes as recorded,
 * joined by spaces (so ambiguous alone). Walking both recovers each
 * argument's exact bytes: *pos advances in cmdline. 0 if they agree.
 */
static int raw_arg(const char *dec, size_t dlen, const char *cmd, size_t clen, size_t *pos)
{
	size_t i = 0, at = *pos;

	while (i < dlen) {
		unsigned cp;
		size_t k = utf8_decode((const unsigned char *)dec + i, dlen - i, &cp);
		if (!k)
			return -EINVAL;
		if (cp == 0xfffd && !(clen - at >= 3 && !memcmp(cmd + at, "\xef\xbf\xbd", 3))) {
			unsigned c2;
			/* one invalid byte of the record */
			if (at >= clen || utf8_decode((const unsigned char *)cmd + at, clen - at, &c2))
				return -EINVAL;
			at++;
		} else {
			if (clen - at < k || memcmp(cmd + at, dec + i, k))
				return -EINVAL;
			at += k;
		}
		i += k;
	}
	*pos = at;
	return 0;
}

/* One argument: in a box of its own, or shell-quoted (a process's line:
 * plain text, which a browser lays out far faster than thousands of boxes). */
static void put_arg(struct rp *r, const char *s, size_t n, int boxes, int first)
{
	if (boxes) {
		fputs(n ? "<span class=\"a\">" : "<span class=\"a e\">", r->f);
		rp_textn(r, s, n);
		fputs("</span>", r->f);
		return;
	}
	if (!first)
		putc(' ', r->f);
	if (n && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-") >= n) {
		rp_textn(r, s, n);
		return;
	}
	fputs("&#39;", r->f);
	for (size_t i = 0, run = 0; i <= n; i++)
		if (i == n || s[i] == '\'') {
			rp_textn(r, s + run, i - run);
			if (i < n)
				fputs("&#39;\\&#39;&#39;", r->f);
			run = i + 1;
		}
	fputs("&#39;", r->f);
}

void rp_argv(struct rp *r, const char *argv_json, const char *cmdline, size_t max_bytes)
{
	int boxes = max_bytes == (size_t)-1;
	const char *p = argv_json;
	size_t clen = cmdline ? strlen(cmdline) : 0, pos = 0, shown = 0, nargs = 0, left = 0;
	char *dec = malloc((argv_json ? strlen(argv_json) : 0) + 1);
	int exact = 1;

	fputs(boxes ? "<span class=\"argv\">" : "<span class=\"argv sh\">", r->f);
	if (!dec || !p || *p != '[') {
		/* no argv (a snapshot of a kernel thread): the cmdline as is */
		if (cmdline)
			put_arg(r, cmdline, clen, boxes, 1);
		goto out;
	}
	p++;
	while (*p == ' ' || *p == ',')
		p++;
	while (*p == '"') {
		size_t dlen, start = pos;
		p++;
		if (json_string(&p, dec, &dlen))
			break;
		if (exact && raw_arg(dec, dlen, cmdline ? cmdline : "", clen, &pos))
			exact = 0;
		nargs++;
		if (shown >= max_bytes) {
			left++;
		} else if (exact) {
			put_arg(r, cmdline + start, pos - start, boxes, nargs == 1);
			shown += pos - start + 1;
		} else {
			put_arg(r, dec, dlen, boxes, nargs == 1);
			shown += dlen + 1;
		}
		if (exact && pos < clen) {
			if (cmdline[pos] == ' ')
				pos++;
			else
				exact = 0;
		}
		while (*p == ' ' || *p == ',')
			p++;
	}
	if (left)
		fprintf(r->f, " <span class=\"more\">\xe2\x80\xa6 %zu more arguments</span>", left);
	if (!exact)
		fputs("<span class=\"note\">(bytes that are not UTF-8 shown as U+FFFD)</span>", r->f);
out:
	fputs("</span>", r->f);
	free(dec);
}

/* ---------------------------------------------------------------- parts */

static void put_exit(struct rp *r, const struct rp_tproc *p)
{
	if (!p->has_exit)
		return;
	if ((p->exit_code & 0x7f) == 0)
		fprintf(r->f, " <span class=\"ex%s\">exit %lld</span>", (p->exit_code >> 8) & 0xff ? " bad" : "",
			(long long)((p->exit_code >> 8) & 0xff));
	else
		fprintf(r->f, " <span class=\"ex bad\">killed by signal %lld</span>",
			(long long)(p->exit_code & 0x7f));
}

static void summary_line(struct rp *r, const struct rp_tproc *p, size_t flat_depth)
{
	sqlite3_stmt *st = r->st_cur;
	uint64_t *v = xmap_get(&r->palerts, (uint64_t)p->proc_id, 0, 0);

	fputs("<summary>", r->f);
	if (flat_depth)
		fprintf(r->f, "<span class=\"depth\">depth %zu</span> ", flat_depth);
	rp_time(r, p->first_ts + p->b2w);
	fprintf(r->f, " <b class=\"pid\">%lld</b> <span class=\"u%s\">uid %lld", (long long)p->pid,
		p->uid == 0 ? " root" : "", (long long)p->uid);
	if (p->euid != p->uid)
		fprintf(r->f, " euid %lld", (long long)p->euid);
	fputs("</span> ", r->f);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, p->exec_id);
	if (p->exec_id && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
	    sqlite3_column_bytes(st, 0)) {
		fputs("<span class=\"img\">", r->f);
		rp_text(r, (const char *)sqlite3_column_text(st, 0));
		fputs("</span> ", r->f);
		rp_argv(r, (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
			SUMMARY_ARGV_BYTES);
	} else {
		fputs("<span class=\"img\">(", r->f);
		rp_text(r, p->comm);
		fputs(")</span>", r->f);
	}
	put_exit(r, p);
	if (v) {
		const struct rp_proc_alerts *a = &r->pa[*v - 1];
		fprintf(r->f, " <span class=\"sev %s\">%lld alert%s</span>", rp_severity_name(a->max_rank),
			a->n, a->n == 1 ? "" : "s");
	}
	fputs("</summary>\n", r->f);
}

static void facts(struct rp *r, const struct rp_tproc *p)
{
	const struct rp_group *g = &r->g[p->group];
	uint64_t *v = xmap_get(&r->lidx, (uint64_t)p->proc_id, 0, 0);

	fprintf(r->f, "<p class=\"facts\">pid %lld, parent pid %lld, host ", (long long)p->pid, (long long)p->ppid);
	rp_text(r, g->hostname);
	if (g->container_id) {
		fputs(", container ", r->f);
		rp_group_label(r, g);
	}
	fputs(", comm <span class=\"a\">", r->f);
	rp_text(r, p->comm);
	fputs("</span>, started ", r->f);
	rp_time(r, p->first_ts + p->b2w);
	if (p->has_exit) {
		fputs(", ended ", r->f);
		rp_time(r, p->exit_ts + p->b2w);
	} else {
		fputs(", not seen exiting", r->f);
	}
	fprintf(r->f, ". <code>exray tree -d ");
	rp_text(r, r->o->dbpath);
	fprintf(r->f, " -p %lld</code></p>\n", (long long)p->pid);
	if (v) {
		fputs("<p class=\"palerts\">Alerts:", r->f);
		for (size_t i = *v; i; i = r->la[i - 1].next) {
			const struct rp_alert_ref *a = &r->la[i - 1];
			fprintf(r->f, " <a class=\"sev %s\" href=\"#a%lld\">", rp_severity_name(a->rank),
				(long long)a->alert_id);
			rp_text(r, a->rule);
			fputs("</a>", r->f);
		}
		fputs("</p>\n", r->f);
	}
}

/* "N more: command" under a capped table. */
static void rows_left(struct rp *r, sqlite3_stmt *count, const struct rp_tproc *p, size_t shown,
		      const char *what)
{
	bind_rows(r, count, p->proc_id, 0);
	if (sqlite3_step(count) != SQLITE_ROW)
		return;
	fprintf(r->f, "<p class=\"more\">%lld more %s of this process not listed: <code>exray tree -w -d ",
		(long long)sqlite3_column_int64(count, 0) - (long long)shown, what);
	rp_text(r, r->o->dbpath);
	fprintf(r->f, " -p %lld</code></p>\n", (long long)p->pid);
}

static int execs(struct rp *r, const struct rp_tproc *p)
{
	sqlite3_stmt *st = r->st_execs;
	size_t n = 0, cap = r->o->caps.rows_per_proc;
	int rc;

	bind_rows(r, st, p->proc_id, cap + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			rows_left(r, r->st_nexec, p, n, "execs");
			break;
		}
		if (!n++)
			fputs("<table class=\"execs\"><thead><tr><th>time</th><th>exec</th><th>path</th>"
			      "<th>arguments, one box each</th><th>uid</th></tr></thead><tbody>\n", r->f);
		int ret = sqlite3_column_int(st, 2);
		fputs("<tr><td>", r->f);
		rp_time(r, sqlite3_column_int64(st, 0));
		fputs("</td><td>", r->f);
		rp_text(r, (const char *)sqlite3_column_text(st, 1));
		if (ret)
			fprintf(r->f, " <span class=\"ex bad\">failed %d</span>", ret);
		fputs("</td><td class=\"img\">", r->f);
		rp_text(r, (const char *)sqlite3_column_text(st, 3));
		fputs("</td><td>", r->f);
		rp_argv(r, (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
			(size_t)-1);
		if (sqlite3_column_int(st, 6))
			fputs(" <span class=\"note\">(truncated by the recorder)</span>", r->f);
		fprintf(r->f, "</td><td class=\"r\">%lld", (long long)sqlite3_column_int64(st, 7));
		if (sqlite3_column_int64(st, 8) != sqlite3_column_int64(st, 7))
			fprintf(r->f, " euid %lld", (long long)sqlite3_column_int64(st, 8));
		fputs("</td></tr>\n", r->f);
	}
	if (n)
		fputs("</tbody></table>\n", r->f);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(r->db));
		return -EIO;
	}
	return 0;
}

static int conns(struct rp *r, const struct rp_tproc *p)
{
	sqlite3_stmt *st = r->st_conns;
	size_t n = 0, cap = r->o->caps.rows_per_proc;
	int rc;

	bind_rows(r, st, p->proc_id, cap + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			rows_left(r, r->st_nconn, p, n, "connections");
			break;
		}
		if (!n++)
			fprintf(r->f, "<table class=\"conn\"><thead><tr><th>time</th><th>connected to</th>"
				"<th>from</th><th>state</th><th>policy</th><th>packet view</th></tr></thead><tbody>\n");
		int v6 = sqlite3_column_int(st, 1) == 6;
		fputs("<tr><td>", r->f);
		rp_time(r, sqlite3_column_int64(st, 0));
		fputs("</td><td class=\"dst\">", r->f);
		fputs(v6 ? "[" : "", r->f);
		rp_text(r, (const char *)sqlite3_column_text(st, 2));
		fprintf(r->f, "%s:%d</td><td>", v6 ? "]" : "", sqlite3_column_int(st, 3));
		rp_text(r, (const char *)sqlite3_column_text(st, 4));
		fprintf(r->f, " port %d</td><td>", sqlite3_column_int(st, 5));
		rp_text(r, (const char *)sqlite3_column_text(st, 6));
		fputs("</td><td>", r->f);
		if (sqlite3_column_type(st, 8) == SQLITE_NULL)
			fputs(r->o->policy_loaded ? "?" : "-", r->f);
		else
			fputs(sqlite3_column_int(st, 8) ? "allowed" : "<span class=\"sev high\">not allowed</span>", r->f);
		fputs("</td><td>", r->f);
		rp_text(r, sqlite3_column_text(st, 7) ? (const char *)sqlite3_column_text(st, 7) : "-");
		fputs("</td></tr>\n", r->f);
	}
	if (n)
		fputs("</tbody></table>\n", r->f);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(r->db));
		return -EIO;
	}
	return 0;
}

static int acts(struct rp *r, const struct rp_tproc *p)
{
	sqlite3_stmt *st = r->st_acts;
	size_t n = 0, cap = r->o->caps.rows_per_proc;
	int rc;

	if (!st)
		return 0;
	bind_rows(r, st, p->proc_id, cap + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			rows_left(r, r->st_nact, p, n, "file and other events");
			break;
		}
		if (!n++)
			fputs("<table class=\"act\"><thead><tr><th>time</th><th>did</th><th>on</th>"
			      "<th>detail</th><th>result</th></tr></thead><tbody>\n", r->f);
		int ret = sqlite3_column_int(st, 3);
		fputs("<tr><td>", r->f);
		rp_time(r, sqlite3_column_int64(st, 0));
		fputs("</td><td>", r->f);
		rp_text(r, (const char *)sqlite3_column_text(st, 1));
		fputs(" ", r->f);
		rp_text(r, (const char *)sqlite3_column_text(st, 2));
		fputs("</td><td class=\"img\">", r->f);
		rp_text(r, (const char *)sqlite3_column_text(st, 4));
		fputs("</td><td>", r->f);
		rp_text(r, (const char *)sqlite3_column_text(st, 5));
		if (ret < 0)
			fprintf(r->f, "</td><td><span class=\"ex bad\">failed %d</span></td></tr>\n", ret);
		else
			fputs("</td><td>ok</td></tr>\n", r->f);
	}
	if (n)
		fputs("</tbody></table>\n", r->f);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(r->db));
		return -EIO;
	}
	return 0;
}

int rp_proc(struct rp *r, const struct rp_tproc *p, size_t flat_depth)
{
	int err;

	if ((err = prepare_all(r)))
		return err;
	fprintf(r->f, "<details class=\"p%s\" id=\"p%lld\"%s>",
		xmap_get(&r->palerts, (uint64_t)p->proc_id, 0, 0) ? " hot" : "", (long long)p->proc_id,
		p->open ? " open" : "");
	summary_line(r, p, flat_depth);
	/* one child under <details>: the browser re-slots a details' children
	 * on every append, quadratic on a process with thousands */
	fputs("<div><div class=\"pb\">", r->f);
	facts(r, p);
	if ((err = execs(r, p)) || (err = conns(r, p)) || (err = acts(r, p)))
		return err;
	fputs("</div>\n", r->f);
	return 0;
}
