/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The case report's shared helpers: escaped output, times, SQL tables,
 * figures and the commands that reproduce them (render/report_page.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "text/html_escape.h"
#include "text/timefmt.h"
#include "render/report_page.h"

const char *rp_severity_name(int rank)
{
	static const char *const names[] = { "none", "low", "medium", "high", "critical" };

	return rank >= 0 && rank <= 4 ? names[rank] : "none";
}

void rp_text(struct rp *r, const char *s)
{
	html_text_str(r->f, s);
}

void rp_textn(struct rp *r, const char *s, size_t n)
{
	html_text_strn(r->f, s, n);
}

void rp_attr(struct rp *r, const char *s)
{
	html_attr_str(r->f, s);
}

void rp_time(struct rp *r, int64_t wall_ns)
{
	char b[TIMEFMT_LEN];

	timefmt_rfc3339(b, wall_ns);
	/* milliseconds: the report is for reading; SQL has the ns */
	char *dot = strchr(b, '.');
	if (dot && strlen(dot) > 4)
		strcpy(dot + 4, "Z");
	fprintf(r->f, "<time>%s</time>", b);
}

void rp_count(struct rp *r, long long n)
{
	char b[32], out[48];
	int len = snprintf(b, sizeof(b), "%lld", n < 0 ? -n : n), k = 0;

	if (n < 0)
		out[k++] = '-';
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = b[i];
	}
	out[k] = 0;
	fputs(out, r->f);
}

char *rp_sql(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	return s;
}

int rp_prepare(struct rp *r, sqlite3_stmt **st, const char *sql)
{
	return sql ? db_prepare(r->db, st, sql) : -ENOMEM;
}

int rp_figure(struct rp *r, const char *title, const char *sql)
{
	if (r->nfig == r->capfig) {
		size_t cap = r->capfig ? r->capfig * 2 : 32;
		struct rp_figure *n = realloc(r->fig, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		r->fig = n;
		r->capfig = cap;
	}
	struct rp_figure *fg = &r->fig[r->nfig];
	if (!(fg->title = strdup(title)) || !(fg->sql = strdup(sql))) {
		free(fg->title);
		return -ENOMEM;
	}
	r->nfig++;
	fprintf(r->f, " <a class=\"fig\" href=\"#f%zu\">SQL F%zu</a>", r->nfig, r->nfig);
	return 0;
}

void report_shell_word(FILE *f, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_./:=@%+,-") == strlen(s)) {
		fputs(s, f);
		return;
	}
	putc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			putc(*s, f);
	putc('\'', f);
}

void rp_sql_command(struct rp *r, const char *sql)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	fputs("exray sql -d ", m);
	report_shell_word(m, r->o->dbpath);
	if (r->o->policy_path && strstr(sql, "policy_allows(")) {
		fputs(" --policy ", m);
		report_shell_word(m, r->o->policy_path);
	}
	putc(' ', m);
	report_shell_word(m, sql);
	fclose(m);
	html_text_strn(r->f, buf, len);
	free(buf);
}

static void cell(struct rp *r, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		fputs("<td class=\"n\">-</td>", r->f);
		break;
	case SQLITE_INTEGER:
		fputs("<td class=\"r\">", r->f);
		rp_count(r, sqlite3_column_int64(st, i));
		fputs("</td>", r->f);
		break;
	default:
		fputs("<td>", r->f);
		rp_textn(r, (const char *)sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i));
		fputs("</td>", r->f);
	}
}

long long rp_table(struct rp *r, const char *title, const char *sql, size_t max_rows)
{
	sqlite3_stmt *st = NULL;
	long long n = 0, total;
	int err, rc, cols;

	if ((err = rp_prepare(r, &st, sql)))
		return err;
	cols = sqlite3_column_count(st);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		fputs("<p class=\"empty\"><b>", r->f);
		rp_text(r, title);
		fputs("</b>: none.", r->f);
		err = rp_figure(r, title, sql);
		fputs("</p>\n", r->f);
		goto out;
	}
	fputs("<div class=\"tw\"><table><caption>", r->f);
	rp_text(r, title);
	if ((err = rp_figure(r, title, sql)))
		goto out;
	fputs("</caption><thead><tr>", r->f);
	for (int i = 0; i < cols; i++) {
		fputs("<th>", r->f);
		rp_text(r, sqlite3_column_name(st, i));
		fputs("</th>", r->f);
	}
	fputs("</tr></thead><tbody>\n", r->f);
	for (; rc == SQLITE_ROW && (size_t)n < max_rows; rc = sqlite3_step(st)) {
		fputs("<tr>", r->f);
		for (int i = 0; i < cols; i++)
			cell(r, st, i);
		fputs("</tr>\n", r->f);
		n++;
	}
	fputs("</tbody></table></div>\n", r->f);
	if (rc == SQLITE_ROW) { /* more than max_rows: say how many more */
		sqlite3_finalize(st);
		st = NULL;
		char *count = rp_sql("SELECT count(*) FROM (%s)", sql);
		if ((err = rp_prepare(r, &st, count)) == 0 && sqlite3_step(st) == SQLITE_ROW) {
			total = sqlite3_column_int64(st, 0);
			fputs("<p class=\"more\">", r->f);
			rp_count(r, total - n);
			fputs(" more rows not listed: <code>", r->f);
			rp_sql_command(r, sql);
			fputs("</code></p>\n", r->f);
		}
		sqlite3_free(count);
		if (err)
			goto out;
	} else if (rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(r->db));
		err = -EIO;
		goto out;
	}
	err = 0;
out:
	sqlite3_finalize(st);
	return err ? err : n;
}

static char *container_cond(struct rp *r, const char *a)
{
	const char *c = r->o->container;

	if (!c)
		return rp_sql("1");
	if (!strcmp(c, "host"))
		return rp_sql("%s.container_id IS NULL", a);
	return rp_sql("%s.container_id IN (SELECT container_id FROM containers"
		      " WHERE substr(cid, 1, %d) = %Q OR substr(short_id, 1, %d) = %Q)",
		      a, (int)strlen(c), c, (int)strlen(c), c);
}

#define B2W_SQL "(SELECT boot_to_wall_ns FROM hosts WHERE host_id = %s.host_id)"

char *rp_scope(struct rp *r, const char *a, int time)
{
	char *c = container_cond(r, a), *s;

	if (!c || !time || (r->o->since == INT64_MIN && r->o->until == INT64_MAX))
		return c;
	s = rp_sql("%s AND %s.ts + " B2W_SQL " BETWEEN %lld AND %lld", c, a, a,
		   (long long)r->o->since, (long long)r->o->until);
	sqlite3_free(c);
	return s;
}

char *rp_scope_proc(struct rp *r, const char *a)
{
	char *c = container_cond(r, a), *s;

	if (!c || (r->o->since == INT64_MIN && r->o->until == INT64_MAX))
		return c;
	s = rp_sql("%s AND coalesce(%s.fork_ts, %s.first_ts) + " B2W_SQL " <= %lld"
		   " AND (%s.exit_ts IS NULL OR %s.exit_ts + " B2W_SQL " >= %lld)",
		   c, a, a, a, (long long)r->o->until, a, a, a, (long long)r->o->since);
	sqlite3_free(c);
	return s;
}

void rp_group_label(struct rp *r, const struct rp_group *g)
{
	if (!g->container_id) {
		fputs("host ", r->f);
		rp_text(r, g->hostname);
	} else {
		rp_text(r, g->name ? g->name : g->short_id);
	}
}
