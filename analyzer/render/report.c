/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The case report page: the sections (report_summary.c, report_timeline.c,
 * report_alerts.c, report_tree.c) are written into memory first, so that
 * the one style block, whose hash the Content-Security-Policy names, can
 * include what they generated (the timeline's container filters); then
 * head and body go out. No script, nothing fetched: default-src 'none'.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "casedb/ctrsel.h"
#include "casedb/db.h"
#include "text/html_escape.h"
#include "render/report_page.h"

const struct report_caps report_default_caps = {
	.alerts_shown = 100,
	.alerts_listed = 1000,
	.procs_per_group = 250,
	.procs_total = 12000,
	.rows_per_proc = 40,
	.table_rows = 200,
	.timeline_groups = 24,
};

static const char base_css[] =
	":root{--fg:#1d232b;--mut:#5b6570;--line:#d5dbe1;--soft:#f3f5f7;--acc:#0b5cad}\n"
	"body{font:14px/1.45 system-ui,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:var(--fg);"
	"background:#fff;margin:0 auto;max-width:1240px;padding:0 20px 40px}\n"
	"header{border-bottom:3px solid var(--fg);padding:16px 0 6px}h1{font-size:22px;margin:0 0 4px}\n"
	"h2{font-size:18px;border-bottom:1px solid var(--line);padding-bottom:3px;margin-top:30px}\n"
	"h3{font-size:15px;margin:16px 0 6px}nav a{margin-right:14px}a{color:var(--acc)}\n"
	"time,td.r,.tw td{white-space:nowrap}\n"
	/* summary tables flow side by side when they fit */
	".tw{display:inline-block;vertical-align:top;max-width:100%;overflow-x:auto;margin-right:18px}\n"
	".glance{font-size:15px;margin:8px 0}.glance b{font-size:17px}\n"
	"code,pre,time,.a,.img,.dst,.x{font-family:'DejaVu Sans Mono',ui-monospace,monospace;font-size:12.5px}\n"
	"pre{background:var(--soft);padding:8px;white-space:pre-wrap;word-break:break-all}\n"
	"table{border-collapse:collapse;margin:6px 0 14px;font-size:13px}\n"
	"caption{text-align:left;font-weight:600;padding:3px 0}\n"
	"th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}\n"
	"th{background:var(--soft)}td.r{text-align:right;font-variant-numeric:tabular-nums}td.n{color:var(--mut)}\n"
	".verdict{border-left:5px solid #8a939c;background:var(--soft);padding:4px 12px;margin:10px 0}\n"
	".verdict.ok{border-color:#2e7d32}.verdict.bad{border-color:#c62828}.verdict ul{margin:4px 0}\n"
	".sev{display:inline-block;padding:0 7px;border-radius:9px;color:#fff;font-size:12px;background:#757575;"
	"text-decoration:none}\n"
	".sev.critical{background:#6a1b9a}.sev.high{background:#c62828}.sev.medium{background:#d84315}"
	".sev.low{background:#1565c0}\n"
	".x{background:#ffe082;color:#000;border:1px dotted #9a7400;border-radius:2px;padding:0 1px}\n"
	".a{display:inline-block;border:1px solid #b3bec9;border-radius:3px;padding:0 3px;margin:0 3px 1px 0;"
	"white-space:pre-wrap;word-break:break-all;unicode-bidi:isolate;background:#fafbfc}\n"
	".a.e::after{content:'(empty)';color:var(--mut);font-style:italic}\n"
	".img{font-weight:600;unicode-bidi:isolate;word-break:break-all}.argv{unicode-bidi:isolate}\n"
	"details.p{margin-left:16px;border-left:1px dotted #aab4be;padding-left:6px}\n"
	/* a large case holds thousands of processes: lay out only what is
	 * on screen (what is off screen keeps a guessed height) */
	"details.p,details.grp{content-visibility:auto;contain-intrinsic-size:auto 24px}\n"
	"details.p>summary{cursor:pointer;padding:1px 0}details.p.hot>summary{background:#fdecea}\n"
	".pb{margin:2px 0 6px 18px}.facts{color:var(--mut);margin:2px 0}.palerts{margin:2px 0}\n"
	".palerts .sev{margin-right:4px}.more{color:var(--mut);font-style:italic}\n"
	".fig{font-size:11px;font-weight:400;margin-left:6px;color:var(--mut)}.depth{background:var(--soft);font-size:11px}\n"
	".ex{font-size:12px;color:#2e7d32}.ex.bad{color:#c62828}.note{color:var(--mut);font-size:12px;margin-left:4px}\n"
	".u.root{color:#b71c1c}.pid{font-variant-numeric:tabular-nums}.msg{word-break:break-word}\n"
	"details.grp{border:1px solid var(--line);border-radius:4px;margin:8px 0;padding:4px 8px}\n"
	"details.grp>summary{cursor:pointer}details.grp>summary h3{display:inline;margin:0}\n"
	".rt,.cnt{color:var(--mut);font-weight:400;font-size:13px}\n"
	".tl{position:relative}.tl input{position:absolute;opacity:0;width:1px;height:1px}\n"
	".tl label{display:inline-block;padding:1px 8px;border:1px solid var(--line);border-radius:10px;"
	"margin:2px;cursor:pointer;font-size:12px}\n"
	".tl input:checked+label{background:var(--fg);color:#fff}.tl input:focus+label{outline:2px solid var(--acc)}\n"
	".tl svg{display:block;width:100%;height:auto;border:1px solid var(--line);margin-top:6px}\n"
	".tl .g{display:none}.tl text{font:11px sans-serif;fill:#444}.tl .lane{fill:#f6f8fa}\n"
	".tl .b0{fill:#1565c0}.tl .b1{fill:#2e7d32}.tl .b2{fill:#8d6e63}\n"
	".tl .s4{fill:#6a1b9a}.tl .s3{fill:#c62828}.tl .s2{fill:#d84315}.tl .s1{fill:#1565c0}\n"
	"@media print{details.p,details.grp{break-inside:avoid}nav{display:none}}\n";

/* The groups of the trees and timeline: host processes of each host boot,
 * then each container, with their process counts in scope. */
static int load_groups(struct rp *r)
{
	const char *ident = ctrsel_identity_cols(r->db);
	char *sql = rp_sql("SELECT h.host_id, 0, h.hostname, NULL, NULL, NULL, NULL,"
			   " NULL, NULL, NULL, NULL, NULL FROM hosts h"
			   " UNION ALL SELECT c.host_id, c.container_id, h.hostname, c.short_id, c.cid, c.runtime,"
			   " c.pod_uid, %s FROM containers c JOIN hosts h USING (host_id) ORDER BY 1, 2", ident);
	sqlite3_stmt *st = NULL;
	char *cond = NULL, *count = NULL;
	size_t cap = 0;
	int err, created;
	uint64_t *v;

	r->ctr_label = !strncmp(ident, "c.name", 6) ? "coalesce(c.name, c.short_id)" : "c.short_id";
	err = rp_prepare(r, &st, sql);
	sqlite3_free(sql);
	if (err)
		return err;
	err = -ENOMEM;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (r->ng == cap) {
			size_t nc = cap ? cap * 2 : 32;
			void *n = realloc(r->g, nc * sizeof(*r->g));
			if (!n)
				goto out;
			r->g = n;
			cap = nc;
		}
		struct rp_group *g = &r->g[r->ng];
		memset(g, 0, sizeof(*g));
		g->host_id = sqlite3_column_int64(st, 0);
		g->container_id = sqlite3_column_int64(st, 1);
		g->filter = -1;
		r->ng++;
		char **d[10] = { &g->hostname, &g->short_id, &g->cid, &g->runtime, &g->pod,
				 &g->name, &g->image, &g->pod_name, &g->pod_ns, &g->ctr_name };
		for (int i = 0; i < 10; i++) {
			const char *s = (const char *)sqlite3_column_text(st, 2 + i);
			if (s && *s && !(*d[i] = strdup(s)))
				goto out;
		}
		if (!(v = xmap_put(&r->gidx, (uint64_t)g->host_id, (uint64_t)g->container_id, 0, &created)))
			goto out;
		*v = r->ng;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!(cond = rp_scope_proc(r, "p")) ||
	    !(count = rp_sql("SELECT p.host_id, coalesce(p.container_id, 0), count(*) FROM processes p"
			     " WHERE %s GROUP BY 1, 2", cond)))
		goto out;
	if ((err = rp_prepare(r, &st, count)))
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW)
		if ((v = xmap_get(&r->gidx, (uint64_t)sqlite3_column_int64(st, 0),
				  (uint64_t)sqlite3_column_int64(st, 1), 0)))
			r->g[*v - 1].procs = sqlite3_column_int64(st, 2);
	err = 0;
out:
	sqlite3_finalize(st);
	sqlite3_free(cond);
	sqlite3_free(count);
	return err;
}

static void header(struct rp *r)
{
	const struct report_opts *o = r->o;

	fputs("<header><h1>exray case report</h1><p class=\"facts\">Case database <code>", r->f);
	rp_text(r, o->dbpath);
	fputs("</code>", r->f);
	if (o->generated) {
		fputs(", written ", r->f);
		rp_text(r, o->generated);
	}
	fputs(" by exray. Everything in this file was recorded on the hosts named below and is shown"
	      " escaped; the page loads nothing and runs no script.</p>\n<nav><a href=\"#summary\">Summary</a>"
	      "<a href=\"#timeline\">Timeline</a><a href=\"#alerts\">Alerts</a><a href=\"#tree\">Process trees</a>"
	      "<a href=\"#policy\">Policy</a><a href=\"#reproduce\">Reproduce</a></nav></header>\n", r->f);
}

static void policy(struct rp *r)
{
	const struct report_opts *o = r->o;

	fputs("<section id=\"policy\"><h2>Policy</h2>\n", r->f);
	if (!o->policy_path) {
		fputs("<p>No policy was given to the report (<code>exray report --policy FILE</code>), so"
		      " connections are not judged here. The alerts are those <code>exray check</code>"
		      " stored; the case database does not record which policy it applied.</p>\n", r->f);
	} else {
		unsigned char h[crypto_hash_sha256_BYTES];
		char hex[2 * sizeof(h) + 1];
		size_t len = strlen(o->policy_text);
		crypto_hash_sha256(h, (const unsigned char *)o->policy_text, len);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		fputs("<p>Policy <code>", r->f);
		rp_text(r, o->policy_path);
		fprintf(r->f, "</code> (%zu bytes, SHA-256 <code>%s</code>) judges every connection in the"
			" trees (column <i>policy</i>). The stored alerts come from <code>exray check</code>;"
			" to reproduce them with this policy: <code>", len, hex);
		fputs("exray check -d ", r->f);
		rp_text(r, o->dbpath);
		fputs(" --policy ", r->f);
		rp_text(r, o->policy_path);
		fputs("</code></p>\n<pre class=\"policy\">", r->f);
		html_pre_strn(r->f, o->policy_text, len);
		fputs("</pre>\n", r->f);
	}
	fputs("</section>\n", r->f);
}

/* The commands behind the page, and every figure's SQL. */
static int reproduce(struct rp *r)
{
	const struct report_opts *o = r->o;
	sqlite3_stmt *st = NULL;
	int err;

	fputs("<section id=\"reproduce\"><h2>Reproduce</h2>\n<p>This page:</p><pre>", r->f);
	rp_text(r, o->command);
	fputs("</pre>\n<p>The case database from the segments (the paths they were ingested from):</p><pre>"
	      "exray ingest -d ", r->f);
	rp_text(r, o->dbpath);
	if ((err = rp_prepare(r, &st, "SELECT DISTINCT path FROM segments ORDER BY capture_id, seq")))
		return err;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *w = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&w, &len);
		if (!m)
			break;
		report_shell_word(m, (const char *)sqlite3_column_text(st, 0));
		fclose(m);
		fputs(" \\\n    ", r->f);
		rp_textn(r, w, len);
		free(w);
	}
	sqlite3_finalize(st);
	fputs("</pre>\n<p>The alerts and the trees:</p><pre>exray check -d ", r->f);
	rp_text(r, o->dbpath);
	if (o->policy_path) {
		fputs(" --policy ", r->f);
		rp_text(r, o->policy_path);
	}
	fputs("\nexray tree -w -d ", r->f);
	rp_text(r, o->dbpath);
	if (o->container) {
		fputs(" -c ", r->f);
		rp_text(r, o->container);
	}
	fputs("</pre>\n<p>Every figure (links <span class=\"fig\">SQL F<i>n</i></span> above point here):</p>\n", r->f);
	for (size_t i = 0; i < r->nfig; i++) {
		fprintf(r->f, "<h3 id=\"f%zu\">F%zu: ", i + 1, i + 1);
		rp_text(r, r->fig[i].title);
		fputs("</h3><pre>", r->f);
		rp_sql_command(r, r->fig[i].sql);
		fputs("</pre>\n", r->f);
	}
	fputs("</section>\n", r->f);
	return 0;
}

static void rp_free(struct rp *r)
{
	for (size_t i = 0; i < r->ng; i++) {
		free(r->g[i].hostname);
		free(r->g[i].short_id);
		free(r->g[i].cid);
		free(r->g[i].runtime);
		free(r->g[i].pod);
		free(r->g[i].name);
		free(r->g[i].image);
		free(r->g[i].pod_name);
		free(r->g[i].pod_ns);
		free(r->g[i].ctr_name);
	}
	free(r->g);
	for (size_t i = 0; i < r->nla; i++)
		free(r->la[i].rule);
	free(r->la);
	for (size_t i = 0; i < r->nfig; i++) {
		free(r->fig[i].title);
		free(r->fig[i].sql);
	}
	free(r->fig);
	free(r->pa);
	free(r->extra_css);
	xmap_free(&r->gidx);
	xmap_free(&r->must);
	xmap_free(&r->palerts);
	xmap_free(&r->lidx);
}

/* Tables of the newer event families exist only in cases of schema 1.2
 * on; the report reads older cases as they are (read-only). */
static int has_object(sqlite3 *db, const char *type, const char *name)
{
	sqlite3_stmt *st = NULL;
	int yes = 0;

	if (!db_prepare(db, &st, "SELECT 1 FROM sqlite_master WHERE type = ?1 AND name = ?2")) {
		sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		yes = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return yes;
}

/* The page title: the hosts, escaped. */
static void title(FILE *out, sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int n = 0;

	fputs("<title>exray case report: ", out);
	if (!db_prepare(db, &st, "SELECT DISTINCT hostname FROM hosts ORDER BY 1 LIMIT 4"))
		while (sqlite3_step(st) == SQLITE_ROW) {
			fputs(n++ ? ", " : "", out);
			/* a title holds text only: escapes without markup */
			html_attr_str(out, (const char *)sqlite3_column_text(st, 0));
		}
	sqlite3_finalize(st);
	fputs("</title>\n", out);
}

int report_write(sqlite3 *db, const struct report_opts *o, FILE *out)
{
	struct rp r = { .db = db, .o = o };
	char *body = NULL, *css = NULL;
	size_t blen = 0, clen = 0;
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	int err;

	if (sodium_init() < 0)
		return -EIO;
	if (!(r.f = open_memstream(&body, &blen)))
		return -ENOMEM;
	if ((err = load_groups(&r)))
		goto out;
	r.has_files = has_object(db, "table", "file_events");
	r.has_activity = has_object(db, "view", "v_activity");
	header(&r);
	if ((err = rp_alerts_load(&r)) || (err = rp_summary(&r)) || (err = rp_timeline(&r)) ||
	    (err = rp_alerts(&r)) || (err = rp_tree(&r)))
		goto out;
	policy(&r);
	if ((err = reproduce(&r)))
		goto out;
	fputs("<footer class=\"facts\"><p>exray report. Times are UTC. Strings recorded on the host are"
	      " escaped: <span class=\"x\">\\xNN</span> is a byte that is not UTF-8 or a control character,"
	      " <span class=\"x\">\\u{XXXX}</span> a character that would reorder or hide text.</p></footer>\n",
	      r.f);
	if (fflush(r.f) || ferror(r.f)) {
		err = -ENOMEM;
		goto out;
	}
	/* the style block and its hash, which the policy names */
	if (asprintf(&css, "%s%s", base_css, r.extra_css ? r.extra_css : "") < 0) {
		css = NULL;
		err = -ENOMEM;
		goto out;
	}
	clen = strlen(css);
	crypto_hash_sha256(h, (const unsigned char *)css, clen);
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-%s';"
		" base-uri 'none'; form-action 'none'\">\n"
		"<meta name=\"referrer\" content=\"no-referrer\">\n"
		"<meta name=\"generator\" content=\"exray report\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", b64);
	title(out, db);
	fprintf(out, "<style>%s</style>\n</head><body>\n", css);
	fclose(r.f);
	r.f = NULL;
	fwrite(body, 1, blen, out);
	fputs("</body></html>\n", out);
	err = ferror(out) ? -EIO : 0;
out:
	if (r.f)
		fclose(r.f);
	free(body);
	free(css);
	rp_free(&r);
	return err;
}
