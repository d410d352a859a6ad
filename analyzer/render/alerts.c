/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "render/alerts.h"
#include "render/lines.h"
#include "text/counts.h"
#include "text/escape.h"

/* The columns of exray_run_alerts_sql (detect.h). */
enum { A_RULE, A_SEVERITY, A_TIME, A_TS, A_HOST, A_CONTAINER, A_PID, A_START, A_EXEC_ID,
       A_CONN_ID, A_FILENAME, A_ARGV, A_DADDR, A_DPORT, A_MESSAGE, A_ALERT_ID, A_CNAME,
       A_CIMAGE, A_NCOLS };

#define COL(st, i) ((const char *)sqlite3_column_text((st), (i)))

static void json_line(FILE *out, sqlite3_stmt *st, sqlite3_stmt *valid)
{
	static const char *const names[A_NCOLS] = {
		"rule", "severity", "time", "ts", "host", "container", "pid", "start", "exec_id",
		"conn_id", "filename", "argv", "daddr", "dport", "message", NULL,
		"container_name", "container_image" };

	putc('{', out);
	for (int c = 0; c < A_NCOLS; c++) {
		if (!names[c])
			continue;
		fprintf(out, "%s\"%s\":", c ? "," : "", names[c]);
		if (sqlite3_column_type(st, c) == SQLITE_NULL) {
			fputs("null", out);
		} else if (sqlite3_column_type(st, c) == SQLITE_INTEGER) {
			fprintf(out, "%lld", sqlite3_column_int64(st, c));
		} else if (c == A_ARGV) {
			/* argv is stored as a JSON array by ingest; make sure. */
			int ok = 0;
			if (valid) {
				sqlite3_reset(valid);
				sqlite3_bind_text(valid, 1, COL(st, c), -1, SQLITE_STATIC);
				ok = sqlite3_step(valid) == SQLITE_ROW && sqlite3_column_int(valid, 0);
			}
			if (ok)
				fputs(COL(st, c), out);
			else
				json_write_str(out, COL(st, c));
		} else {
			json_write_str(out, COL(st, c));
		}
	}
	fputs("}\n", out);
}

static void text_line(FILE *out, sqlite3_stmt *st, bool wide)
{
	fprintf(out, "%s %-8s %s ", COL(st, A_TIME) ? COL(st, A_TIME) : "-", COL(st, A_SEVERITY),
		COL(st, A_RULE));
	term_write_str(out, COL(st, A_HOST));
	putc('/', out);
	term_write_str(out, COL(st, A_CONTAINER));
	if (COL(st, A_CNAME)) {
		putc('(', out);
		term_write_str(out, COL(st, A_CNAME));
		putc(')', out);
	}
	fputs(": ", out);
	render_text_cut(out, COL(st, A_MESSAGE), wide ? 0 : ALERTS_MESSAGE_MAX);
	putc('\n', out);
}

struct rule_count {
	char *rule;
	long long n, shown;
};

struct summary {
	struct rule_count *r;
	size_t n;
};

static void summary_free(struct summary *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->r[i].rule);
	free(s->r);
}

static struct rule_count *summary_rule(struct summary *s, const char *rule)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->r[i].rule, rule))
			return &s->r[i];
	return NULL;
}

/* The table: each rule, most severe first, with its count and time span. */
static int print_summary(sqlite3 *db, const char *sql, long long total, FILE *out, struct summary *s)
{
	char *q = sqlite3_mprintf(
		"SELECT rule_id, severity, count(*), min(time), max(time) FROM (%s) GROUP BY rule_id"
		" ORDER BY CASE max(severity) WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium'"
		" THEN 2 WHEN 'low' THEN 1 ELSE 0 END DESC, count(*) DESC, rule_id", sql);
	sqlite3_stmt *st = NULL;
	char a[COUNT_TEXT_LEN];
	size_t cap = 0;
	int rc, err;

	if (!q)
		return -ENOMEM;
	err = db_prepare(db, &st, q);
	sqlite3_free(q);
	if (err)
		return err;
	fprintf(out, "%s alerts; by rule, then the first %d of each (--all lists every alert):\n",
		count_text(a, (uint64_t)total), ALERTS_EXAMPLES);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *rule = COL(st, 0) ? COL(st, 0) : "?";
		if (s->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *nr = realloc(s->r, ncap * sizeof(*s->r));
			if (!nr) {
				err = -ENOMEM;
				break;
			}
			s->r = nr;
			cap = ncap;
		}
		if (!(s->r[s->n].rule = strdup(rule))) {
			err = -ENOMEM;
			break;
		}
		s->r[s->n].n = sqlite3_column_int64(st, 2);
		s->r[s->n++].shown = 0;
		fprintf(out, "  %-8s %-32s %9s  %s .. %s\n", COL(st, 1) ? COL(st, 1) : "-", rule,
			count_text(a, (uint64_t)sqlite3_column_int64(st, 2)), COL(st, 3) ? COL(st, 3) : "-",
			COL(st, 4) ? COL(st, 4) : "-");
	}
	if (!err && rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(db));
		err = -EIO;
	}
	sqlite3_finalize(st);
	return err;
}

static long long count_alerts(sqlite3 *db, const char *sql)
{
	char *q = sqlite3_mprintf("SELECT count(*) FROM (%s)", sql);
	sqlite3_stmt *st = NULL;
	long long n = -ENOMEM;

	if (!q)
		return n;
	if ((n = db_prepare(db, &st, q)) == 0) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			n = sqlite3_column_int64(st, 0);
		} else {
			db_set_error("%s", sqlite3_errmsg(db));
			n = -EIO;
		}
	}
	sqlite3_finalize(st);
	sqlite3_free(q);
	return n;
}

long long alerts_print(sqlite3 *db, const char *sql, const struct alerts_opts *o, FILE *out,
		       long long *shown)
{
	struct summary sum = { 0 };
	sqlite3_stmt *st = NULL, *valid = NULL;
	long long total, lines = 0;
	bool summary;
	char a[COUNT_TEXT_LEN];
	int rc, err;

	*shown = 0;
	if ((total = count_alerts(db, sql)) < 0)
		return total;
	summary = !o->json && !o->all && total > ALERTS_LIST_MAX;
	if (summary && (err = print_summary(db, sql, total, out, &sum)))
		goto out;
	if ((err = db_prepare(db, &st, sql)))
		goto out;
	/* prepared once, not once per alert (a third of check's time on 1M records) */
	if (o->json && (err = db_prepare(db, &valid, "SELECT json_valid(?1) AND json_type(?1) = 'array'")))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rule_count *r = summary ? summary_rule(&sum, COL(st, A_RULE) ? COL(st, A_RULE) : "?") : NULL;
		if (summary && (!r || r->shown >= ALERTS_EXAMPLES))
			continue;
		if (o->limit > 0 && lines >= o->limit)
			break;
		if (r)
			r->shown++;
		lines++;
		if (o->json)
			json_line(out, st, valid);
		else
			text_line(out, st, o->wide);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_set_error("%s", sqlite3_errmsg(db));
		err = -EIO;
		goto out;
	}
	for (size_t i = 0; i < sum.n; i++)
		if (sum.r[i].n > sum.r[i].shown)
			fprintf(out, "  ... %s more %s alert%s\n", count_text(a, (uint64_t)(sum.r[i].n - sum.r[i].shown)),
				sum.r[i].rule, sum.r[i].n - sum.r[i].shown == 1 ? "" : "s");
	if (!summary && !o->json && total > lines)
		fprintf(out, "  ... %s more alert%s (-n N for another limit, --all for every one)\n",
			count_text(a, (uint64_t)(total - lines)), total - lines == 1 ? "" : "s");
	*shown = lines;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(valid);
	summary_free(&sum);
	return err ? err : total;
}
