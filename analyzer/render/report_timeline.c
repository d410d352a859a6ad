/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The report's timeline: execs, connections and alerts counted in equal
 * time bins, one lane each, drawn as inline SVG (no script, no library).
 * The whole case is one layer; each of the busiest containers is another,
 * shown instead when its radio button is checked (CSS :checked, so the
 * filter works with scripts forbidden). Heights are logarithmic, scaled to
 * each lane's largest bin, so a lone exec still shows beside a storm.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "text/timefmt.h"
#include "render/report_page.h"

#define NBINS 260
#define SVG_W 1200
#define LEFT 110
#define PLOT_W 1040 /* NBINS * 4 */
#define LANE_H 44
#define LANE_GAP 10
#define TOP 8
#define AXIS_H 34

enum { L_EXEC, L_CONN, L_FILE, L_ALERT, NLANES };
static const char *const lane_name[NLANES] = { "execs", "connections", "file events", "alerts" };

/* FROM and WHERE of each lane; %s: the scope of alias x. */
static const char *const lane_from[NLANES] = {
	"execs x JOIN hosts h USING (host_id) WHERE x.kind = 'exec' AND %s",
	"connections x JOIN hosts h USING (host_id) WHERE %s",
	"file_events x JOIN hosts h USING (host_id) WHERE %s",
	"alerts x JOIN hosts h USING (host_id) WHERE %s",
};

/* The file lane exists once ingest has the table (format 1.2 cases). */
static int lane_on(const struct rp *r, int l)
{
	return l != L_FILE || r->has_files;
}

static int lane_y(const struct rp *r, int l)
{
	int k = 0;

	for (int i = 0; i < l; i++)
		k += lane_on(r, i);
	return TOP + k * (LANE_H + LANE_GAP);
}

struct bins {
	long long *n;  /* [(group + 1) * NLANES + lane][bin]; group -1 = all */
	unsigned char *rank; /* alerts: most severe per bin, same layout */
};

#define AT(b, g, l, i) ((((size_t)(g) + 1) * NLANES + (l)) * NBINS + (i))

static int range(struct rp *r, const char *cond, int64_t *t0, int64_t *t1)
{
	char *sql = NULL;
	sqlite3_stmt *st = NULL;
	int err, any = 0;

	for (int l = 0; l < NLANES; l++) {
		if (!lane_on(r, l))
			continue;
		char *from = rp_sql(lane_from[l], cond);
		sql = rp_sql("SELECT min(x.ts + h.boot_to_wall_ns), max(x.ts + h.boot_to_wall_ns) FROM %s", from);
		sqlite3_free(from);
		if ((err = rp_prepare(r, &st, sql)))
			goto out;
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			int64_t a = sqlite3_column_int64(st, 0), b = sqlite3_column_int64(st, 1);
			if (!any || a < *t0)
				*t0 = a;
			if (!any || b > *t1)
				*t1 = b;
			any = 1;
		}
		sqlite3_finalize(st);
		st = NULL;
		sqlite3_free(sql);
		sql = NULL;
	}
	err = any;
out:
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return err;
}

static int count(struct rp *r, const char *cond, struct bins *b, int64_t t0, int64_t width)
{
	sqlite3_stmt *st = NULL;
	int err = 0;

	for (int l = 0; l < NLANES && !err; l++) {
		if (!lane_on(r, l))
			continue;
		char *from = rp_sql(lane_from[l], cond);
		char *sql = rp_sql("SELECT x.host_id, coalesce(x.container_id, 0),"
				   " (x.ts + h.boot_to_wall_ns - %lld) / %lld, count(*), %s FROM %s"
				   " GROUP BY 1, 2, 3", (long long)t0, (long long)width,
				   l == L_ALERT ? "max(" RP_RANK_SQL("x") ")" : "0", from);
		sqlite3_free(from);
		if (!(err = rp_prepare(r, &st, sql))) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				uint64_t *v = xmap_get(&r->gidx, (uint64_t)sqlite3_column_int64(st, 0),
						       (uint64_t)sqlite3_column_int64(st, 1), 0);
				long long i = sqlite3_column_int64(st, 2), n = sqlite3_column_int64(st, 3);
				int rank = sqlite3_column_int(st, 4);
				if (!v || i < 0 || i >= NBINS)
					continue;
				/* the whole case's layer, and the group's */
				size_t k[2] = { AT(b, -1, l, i), AT(b, *v - 1, l, i) };
				for (int j = 0; j < 2; j++) {
					b->n[k[j]] += n;
					if (rank > b->rank[k[j]])
						b->rank[k[j]] = (unsigned char)rank;
				}
				r->g[*v - 1].events += n;
			}
			sqlite3_finalize(st);
			st = NULL;
		}
		sqlite3_free(sql);
	}
	return err;
}

/* A bin edge as text: the date only when the span covers days, the
 * milliseconds only when it covers seconds. */
static void clock_text(char *out, size_t sz, int64_t wall, int64_t span)
{
	char b[TIMEFMT_LEN];

	timefmt_rfc3339(b, wall); /* YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ */
	if (span > 86400000000000LL)
		snprintf(out, sz, "%.10s %.5s", b, b + 11);
	else if (span > 20000000000LL)
		snprintf(out, sz, "%.8s", b + 11);
	else
		snprintf(out, sz, "%.12s", b + 11);
}

static void layer(struct rp *r, const struct bins *b, long long g, int64_t t0, int64_t width)
{
	int64_t span = width * NBINS;

	if (g < 0)
		fputs("<g class=\"g gall\">", r->f);
	else
		fprintf(r->f, "<g class=\"g g%lld\">", g);
	for (int l = 0; l < NLANES; l++) {
		long long max = 0;
		int y0 = lane_y(r, l);
		if (!lane_on(r, l))
			continue;
		for (int i = 0; i < NBINS; i++)
			if (b->n[AT(b, g, l, i)] > max)
				max = b->n[AT(b, g, l, i)];
		fprintf(r->f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">max %lld</text>", SVG_W - 4,
			y0 + 12, max);
		for (int i = 0; i < NBINS && max; i++) {
			size_t k = AT(b, g, l, i);
			long long n = b->n[k];
			char from[32], to[32];
			if (!n)
				continue;
			double h = LANE_H * log1p((double)n) / log1p((double)max);
			if (h < 2)
				h = 2;
			clock_text(from, sizeof(from), t0 + width * i, span);
			clock_text(to, sizeof(to), t0 + width * (i + 1), span);
			fprintf(r->f, "<rect class=\"%c%d\" x=\"%d\" y=\"%.1f\" width=\"3.4\" height=\"%.1f\">"
				"<title>%s to %s: %lld %s</title></rect>",
				l == L_ALERT ? 's' : 'b', l == L_ALERT ? b->rank[k] : l, LEFT + i * PLOT_W / NBINS,
				y0 + LANE_H - h, h, from, to, n, lane_name[l]);
		}
	}
	fputs("</g>\n", r->f);
}

static void svg(struct rp *r, const struct bins *b, int64_t t0, int64_t width)
{
	int h = lane_y(r, NLANES) + AXIS_H, axis = h - AXIS_H + 4;
	int64_t span = width * NBINS;

	fprintf(r->f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\""
		" aria-label=\"events over time\">\n", SVG_W, h);
	for (int l = 0; l < NLANES; l++) {
		int y0 = lane_y(r, l);
		if (!lane_on(r, l))
			continue;
		fprintf(r->f, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
			"<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
			LEFT, y0, PLOT_W, LANE_H, LEFT - 8, y0 + LANE_H / 2 + 4, lane_name[l]);
	}
	for (int t = 0; t <= 5; t++) {
		char c[32];
		int x = LEFT + t * PLOT_W / 5;
		clock_text(c, sizeof(c), t0 + span / 5 * t, span);
		fprintf(r->f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
			"<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">%s</text>\n", x, TOP, x, axis,
			x, axis + 14, t == 0 ? "start" : t == 5 ? "end" : "middle", c);
	}
	layer(r, b, -1, t0, width);
	for (size_t g = 0; g < r->ng; g++)
		if (r->g[g].filter >= 0)
			layer(r, b, (long long)g, t0, width);
	fputs("</svg>\n", r->f);
}

/* Radio buttons before the SVG, and the CSS rule that shows the checked
 * one's layer. Most active groups first. */
static int filters(struct rp *r)
{
	size_t *ord = calloc(r->ng + 1, sizeof(*ord)), n = 0;
	char *css = NULL;
	size_t len = 0;
	FILE *m;

	if (!ord || !(m = open_memstream(&css, &len))) {
		free(ord);
		return -ENOMEM;
	}
	for (size_t g = 0; g < r->ng; g++)
		if (r->g[g].events)
			ord[n++] = g;
	/* selection by events, stable: a few dozen groups at most matter */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (r->g[ord[j]].events > r->g[ord[i]].events) {
				size_t t = ord[i];
				ord[i] = ord[j];
				ord[j] = t;
			}
	if (n > r->o->caps.timeline_groups)
		n = r->o->caps.timeline_groups;
	fputs("<input type=\"radio\" name=\"tlf\" id=\"tf-all\" checked><label for=\"tf-all\">all</label>", r->f);
	fputs("#tf-all:checked~svg .gall", m);
	for (size_t i = 0; i < n; i++) {
		struct rp_group *g = &r->g[ord[i]];
		g->filter = (int)i;
		fprintf(r->f, "<input type=\"radio\" name=\"tlf\" id=\"tf-%zu\"><label for=\"tf-%zu\">", ord[i], ord[i]);
		rp_group_label(r, g);
		fputs(" (", r->f);
		rp_count(r, g->events);
		fputs(")</label>", r->f);
		fprintf(m, ",#tf-%zu:checked~svg .g%zu", ord[i], ord[i]);
	}
	fputs("{display:inline}\n", m);
	fclose(m);
	free(ord);
	r->extra_css = css;
	return 0;
}

int rp_timeline(struct rp *r)
{
	char *cond = rp_scope(r, "x", 1);
	struct bins b = { 0 };
	int64_t t0 = 0, t1 = 0, width;
	int err;

	fputs("<section id=\"timeline\"><h2>Timeline</h2>\n", r->f);
	if (!cond) {
		err = -ENOMEM;
		goto out;
	}
	if ((err = range(r, cond, &t0, &t1)) <= 0) {
		if (!err)
			fputs("<p>No exec, connection, file event or alert in scope.</p>\n", r->f);
		goto out;
	}
	width = (t1 - t0) / NBINS + 1;
	b.n = calloc((r->ng + 1) * NLANES * NBINS, sizeof(*b.n));
	b.rank = calloc((r->ng + 1) * NLANES * NBINS, 1);
	if (!b.n || !b.rank) {
		err = -ENOMEM;
		goto out;
	}
	if ((err = count(r, cond, &b, t0, width)))
		goto out;
	fputs("<p>From ", r->f);
	rp_time(r, t0);
	fputs(" to ", r->f);
	rp_time(r, t1);
	fprintf(r->f, " in %d bins of %.3g s (execs exclude the processes already running at capture start)."
		" Bar heights are logarithmic, to each lane's largest bin (right); hover a bar for its"
		" count. Choose a container to see its activity alone:", NBINS, width / 1e9);
	char *fig = rp_sql("SELECT 'exec' AS lane, " RP_TIME_FMT("x.ts", "h.boot_to_wall_ns") " AS time,"
			   " coalesce((SELECT short_id FROM containers c WHERE c.container_id = x.container_id),"
			   " 'host') AS container FROM execs x JOIN hosts h USING (host_id)"
			   " WHERE x.kind = 'exec' AND %s ORDER BY x.ts", cond);
	err = fig ? rp_figure(r, "Timeline, exec lane (the others likewise from connections and alerts)", fig)
		  : -ENOMEM;
	sqlite3_free(fig);
	if (err)
		goto out;
	fputs("</p>\n<div class=\"tl\">", r->f);
	if ((err = filters(r)))
		goto out;
	svg(r, &b, t0, width);
	fputs("</div>\n", r->f);
	err = 0;
out:
	fputs("</section>\n", r->f);
	sqlite3_free(cond);
	free(b.n);
	free(b.rank);
	return err < 0 ? err : 0;
}
