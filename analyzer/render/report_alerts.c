/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The report's alerts: most severe first, then newest, each linking to the
 * process it names (which the tree then always lists, ancestors open). A
 * large case lists caps.alerts_shown rows, then up to caps.alerts_listed
 * behind a <details>, then says how many more and how to list them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "render/report_page.h"

#define ALERTS_FROM                                                              \
	" FROM alerts a JOIN hosts h USING (host_id)"                            \
	" LEFT JOIN containers c ON c.container_id = a.container_id WHERE %s"    \
	" ORDER BY " RP_RANK_SQL("a") " DESC, a.ts + h.boot_to_wall_ns DESC, a.alert_id DESC"

/* What the page shows, as `exray sql` prints it. */
static const char shown_sql[] =
	"SELECT a.severity, " RP_TIME_FMT("a.ts", "h.boot_to_wall_ns") " AS time, a.rule_id AS rule,"
	" h.hostname AS host, coalesce(%s, 'host') AS container, a.pid, a.message" ALERTS_FROM;

/* The same rows with what the page links by. */
static const char rows_sql[] =
	"SELECT a.alert_id, " RP_RANK_SQL("a") ", a.ts + h.boot_to_wall_ns, a.rule_id, h.hostname,"
	" coalesce(%s, 'host'), a.pid, a.proc_id, a.message" ALERTS_FROM;

/* Every process with alerts in scope (the tree's badges), and the count. */
int rp_alerts_load(struct rp *r)
{
	char *cond = rp_scope(r, "a", 1);
	char *sql = !cond ? NULL : rp_sql("SELECT a.proc_id, count(*), max(" RP_RANK_SQL("a") ") FROM alerts a"
			   " WHERE a.proc_id IS NOT NULL AND %s GROUP BY a.proc_id", cond);
	sqlite3_stmt *st = NULL;
	int err, created;
	uint64_t *v;

	if ((err = rp_prepare(r, &st, sql)))
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (r->npa == r->capa) {
			size_t cap = r->capa ? r->capa * 2 : 256;
			void *n = realloc(r->pa, cap * sizeof(*r->pa));
			if (!n)
				goto oom;
			r->pa = n;
			r->capa = cap;
		}
		if (!(v = xmap_put(&r->palerts, (uint64_t)sqlite3_column_int64(st, 0), 0, 0, &created)))
			goto oom;
		r->pa[r->npa] = (struct rp_proc_alerts){ sqlite3_column_int64(st, 1), sqlite3_column_int(st, 2) };
		*v = ++r->npa;
	}
	sqlite3_finalize(st);
	st = NULL;
	sqlite3_free(sql);
	/* alerts naming no process count too */
	sql = rp_sql("SELECT " RP_RANK_SQL("a") ", count(*) FROM alerts a WHERE %s GROUP BY 1", cond);
	if ((err = rp_prepare(r, &st, sql)))
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int k = sqlite3_column_int(st, 0);
		r->alerts_in_scope += sqlite3_column_int64(st, 1);
		if (k >= 0 && k <= 4)
			r->sev[k] += sqlite3_column_int64(st, 1);
	}
	goto out;
oom:
	err = -ENOMEM;
out:
	sqlite3_finalize(st);
	sqlite3_free(sql);
	sqlite3_free(cond);
	return err;
}

/* Remember a listed alert for its process (links back from the tree). */
static int add_ref(struct rp *r, int64_t proc_id, int64_t alert_id, int rank, const char *rule)
{
	int created;
	uint64_t *head, *must;
	struct rp_alert_ref *a = &r->la[r->nla];

	if (!(must = xmap_put(&r->must, (uint64_t)proc_id, 0, 0, &created)) ||
	    !(head = xmap_put(&r->lidx, (uint64_t)proc_id, 0, 0, &created)) ||
	    !(a->rule = strdup(rule ? rule : "")))
		return -ENOMEM;
	/* 2: named by an alert shown at once, so unfolded with its ancestors */
	if (*must < 2)
		*must = r->nla < r->o->caps.alerts_shown ? 2 : 1;
	a->alert_id = alert_id;
	a->rank = rank;
	/* rows arrive most severe first: append to keep that order */
	a->next = 0;
	if (!*head) {
		*head = r->nla + 1;
	} else {
		size_t i = *head;
		while (r->la[i - 1].next)
			i = r->la[i - 1].next;
		r->la[i - 1].next = r->nla + 1;
	}
	r->nla++;
	return 0;
}

static void row(struct rp *r, sqlite3_stmt *st)
{
	int64_t id = sqlite3_column_int64(st, 0);
	int rank = sqlite3_column_int(st, 1);
	const char *sev = rp_severity_name(rank);

	fprintf(r->f, "<tr id=\"a%lld\"><td><span class=\"sev %s\">%s</span></td><td>", (long long)id, sev, sev);
	rp_time(r, sqlite3_column_int64(st, 2));
	fputs("</td><td>", r->f);
	rp_text(r, (const char *)sqlite3_column_text(st, 3));
	fputs("</td><td>", r->f);
	rp_text(r, (const char *)sqlite3_column_text(st, 4));
	fputs(" / ", r->f);
	rp_text(r, (const char *)sqlite3_column_text(st, 5));
	fputs("</td><td>", r->f);
	if (sqlite3_column_type(st, 7) != SQLITE_NULL)
		fprintf(r->f, "<a href=\"#p%lld\">pid %lld</a>", (long long)sqlite3_column_int64(st, 7),
			(long long)sqlite3_column_int64(st, 6));
	else
		fputs("-", r->f);
	fputs("</td><td class=\"msg\">", r->f);
	rp_text(r, (const char *)sqlite3_column_text(st, 8));
	fputs("</td></tr>\n", r->f);
}

static const char thead[] =
	"<table class=\"alerts\"><thead><tr><th>severity</th><th>time</th><th>rule</th>"
	"<th>host / container</th><th>process</th><th>message</th></tr></thead><tbody>\n";

int rp_alerts(struct rp *r)
{
	const struct report_caps *caps = &r->o->caps;
	char *cond = rp_scope(r, "a", 1), *sql = NULL, *shown = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int err, rc;

	if (!cond)
		return -ENOMEM;
	fputs("<section id=\"alerts\"><h2>Alerts</h2>\n<p>Most severe first, then newest. ", r->f);
	sql = rp_sql(rows_sql, r->ctr_label, cond);
	shown = rp_sql(shown_sql, r->ctr_label, cond);
	if (!sql || !shown || !(r->la = calloc(caps->alerts_listed + 1, sizeof(*r->la)))) {
		err = -ENOMEM;
		goto out;
	}
	if ((err = rp_figure(r, "Alerts", shown)) || (err = rp_prepare(r, &st, sql)))
		goto out;
	fputs("</p>\n", r->f);
	if (!r->alerts_in_scope) {
		fputs("<p>None in scope (alerts are written by <code>exray check</code>; see the summary).</p>\n", r->f);
		goto done;
	}
	fputs(thead, r->f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < caps->alerts_listed) {
		if (n == caps->alerts_shown) {
			fputs("</tbody></table>\n<details class=\"more\"><summary>", r->f);
			rp_count(r, r->alerts_in_scope - (long long)n < (long long)(caps->alerts_listed - n)
					    ? r->alerts_in_scope - (long long)n
					    : (long long)(caps->alerts_listed - n));
			fputs(" more alerts</summary><div>\n", r->f);
			fputs(thead, r->f);
		}
		row(r, st);
		if (sqlite3_column_type(st, 7) != SQLITE_NULL &&
		    (err = add_ref(r, sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 0),
				   sqlite3_column_int(st, 1), (const char *)sqlite3_column_text(st, 3))))
			goto out;
		n++;
	}
	fputs("</tbody></table>\n", r->f);
	if (n > caps->alerts_shown)
		fputs("</div></details>\n", r->f);
	if (rc == SQLITE_ROW) {
		fputs("<p class=\"more\">", r->f);
		rp_count(r, r->alerts_in_scope - (long long)n);
		fputs(" more alerts not listed here (counted in the summary): <code>", r->f);
		rp_sql_command(r, shown);
		fputs("</code></p>\n", r->f);
	} else if (rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(r->db));
		err = -EIO;
		goto out;
	}
done:
	fputs("</section>\n", r->f);
	err = 0;
out:
	sqlite3_finalize(st);
	sqlite3_free(cond);
	sqlite3_free(sql);
	sqlite3_free(shown);
	return err;
}
