/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The report's summary: what the case holds (hosts, captures, records),
 * whether it is complete (kernel losses, damaged frames, open segments,
 * sequence gaps: stated, never implied), whether its seals were verified,
 * and the alerts counted by severity and rule.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "casedb/sealsum.h"
#include "render/report_page.h"

#define TRY(x)                          \
	do {                            \
		long long rc_ = (x);    \
		if (rc_ < 0) {          \
			err = (int)rc_; \
			goto out;       \
		}                       \
	} while (0)

static const char hosts_sql[] =
	"SELECT h.hostname AS host, h.boot_id AS boot, h.kernel_release AS kernel,"
	" count(DISTINCT s.capture_id) AS captures, count(s.segment_id) AS segments,"
	" sum(s.records) AS records, " RP_TIME_SQL("min(s.first_ts)", "h.boot_to_wall_ns") " AS first,"
	" " RP_TIME_SQL("max(s.last_ts)", "h.boot_to_wall_ns") " AS last"
	" FROM hosts h LEFT JOIN segments s USING (host_id)"
	" GROUP BY h.host_id ORDER BY h.hostname, min(s.first_ts)";

static const char captures_sql[] =
	"SELECT h.hostname AS host, substr(s.capture_id, 1, 12) AS capture,"
	" " RP_TIME_SQL("min(s.first_ts)", "h.boot_to_wall_ns") " AS first,"
	" " RP_TIME_SQL("max(s.last_ts)", "h.boot_to_wall_ns") " AS last,"
	" round((max(s.last_ts) - min(s.first_ts)) / 1e9, 3) AS seconds,"
	" count(*) AS segments, min(s.seq) || '-' || max(s.seq) AS seq,"
	" max(s.seq) - min(s.seq) + 1 - count(*) AS missing,"
	" count(*) - sum(s.complete) AS open, sum(s.records) AS records, sum(s.issues) AS damage,"
	" max(s.recorder_version) AS recorder, max(s.version) AS format"
	" FROM segments s JOIN hosts h USING (host_id)"
	" GROUP BY s.capture_id ORDER BY min(s.first_ts + h.boot_to_wall_ns)";

/* The completeness facts, one row. */
static const char complete_sql[] =
	"SELECT (SELECT coalesce(sum(count), 0) FROM losses) AS lost,"
	" (SELECT count(*) FROM segment_issues) AS damage,"
	" (SELECT coalesce(sum(length), 0) FROM segment_issues) AS damaged_bytes,"
	" (SELECT count(*) FROM segments WHERE complete = 0) AS open_segments,"
	" (SELECT coalesce(sum(n), 0) FROM (SELECT max(seq) - min(seq) + 1 - count(*) AS n"
	"  FROM segments GROUP BY capture_id)) AS missing_seq,"
	" (SELECT count(*) FROM (SELECT capture_id FROM segments GROUP BY capture_id"
	"  HAVING min(seq) > 0)) AS captures_without_start,"
	" (SELECT count(*) FROM segments) AS segments";

static const char losses_sql[] =
	"SELECT h.hostname AS host, l.lost_type AS type, sum(l.count) AS lost,"
	" " RP_TIME_SQL("min(l.ts)", "h.boot_to_wall_ns") " AS first,"
	" " RP_TIME_SQL("max(l.ts)", "h.boot_to_wall_ns") " AS last"
	" FROM losses l JOIN hosts h USING (host_id) GROUP BY l.host_id, l.lost_type ORDER BY 1, 3 DESC";

static const char damage_sql[] =
	"SELECT s.path AS segment, i.kind, i.file_offset AS offset, i.length AS bytes, i.detail"
	" FROM segment_issues i JOIN segments s USING (segment_id) ORDER BY s.path, i.file_offset";

static void scope_line(struct rp *r)
{
	const struct report_opts *o = r->o;

	fputs("<p class=\"scope\">Scope: ", r->f);
	if (!o->container)
		fputs("every container and the host processes", r->f);
	else if (!strcmp(o->container, "host"))
		fputs("host processes only", r->f);
	else {
		fputs("containers whose id starts with <code>", r->f);
		rp_text(r, o->container);
		fputs("</code>", r->f);
	}
	if (o->since != INT64_MIN || o->until != INT64_MAX) {
		fputs("; window ", r->f);
		if (o->since != INT64_MIN)
			rp_time(r, o->since);
		else
			fputs("start", r->f);
		fputs(" to ", r->f);
		if (o->until != INT64_MAX)
			rp_time(r, o->until);
		else
			fputs("end", r->f);
		fputs(" (processes alive in it, events inside it)", r->f);
	}
	fputs(". Hosts, captures and completeness below are those of the whole case.</p>\n", r->f);
}

/* One sentence per fact, so completeness is stated, never implied. */
static int completeness(struct rp *r)
{
	sqlite3_stmt *st = NULL;
	int err;
	long long lost, dmg, dbytes, open, miss, nostart, segs;

	if ((err = rp_prepare(r, &st, complete_sql)))
		return err;
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_set_error("%s", sqlite3_errmsg(r->db));
		sqlite3_finalize(st);
		return -EIO;
	}
	lost = sqlite3_column_int64(st, 0);
	dmg = sqlite3_column_int64(st, 1);
	dbytes = sqlite3_column_int64(st, 2);
	open = sqlite3_column_int64(st, 3);
	miss = sqlite3_column_int64(st, 4);
	nostart = sqlite3_column_int64(st, 5);
	segs = sqlite3_column_int64(st, 6);
	sqlite3_finalize(st);

	int whole = !lost && !dmg && !miss && !nostart && segs;
	fprintf(r->f, "<div class=\"verdict %s\"><p><b>%s</b>", whole ? "ok" : "bad",
		whole ? "Complete as recorded." : "Incomplete: the case misses events.");
	if ((err = rp_figure(r, "Completeness facts", complete_sql)))
		return err;
	fputs("</p><ul>", r->f);
	fputs("<li>Kernel losses: ", r->f);
	if (lost) {
		rp_count(r, lost);
		fputs(" events the kernel could not queue (counted, not recovered; by type below).", r->f);
	} else {
		fputs("none: every event the kernel produced was recorded.", r->f);
	}
	fputs("</li><li>Damaged frames: ", r->f);
	if (dmg) {
		rp_count(r, dmg);
		fputs(" places, ", r->f);
		rp_count(r, dbytes);
		fputs(" bytes skipped by the reader (listed below); what was intact was loaded.", r->f);
	} else {
		fputs("none found at ingest.", r->f);
	}
	fputs("</li><li>Segments: ", r->f);
	rp_count(r, segs);
	if (open) {
		fputs(", of which ", r->f);
		rp_count(r, open);
		fputs(" without footer (recorder still running, killed, or copied early: the last flush window may be missing).", r->f);
	} else if (segs) {
		fputs(", every one closed with its footer.", r->f);
	} else {
		fputs(": nothing ingested.", r->f);
	}
	fputs("</li><li>Sequence: ", r->f);
	if (miss || nostart) {
		if (miss) {
			rp_count(r, miss);
			fputs(" segments missing inside a capture's sequence. ", r->f);
		}
		if (nostart) {
			rp_count(r, nostart);
			fputs(" captures start after sequence 0: their first segments were deleted (--max-total) or not copied.", r->f);
		}
	} else {
		fputs("no gap: every capture's segments are all here from sequence 0.", r->f);
	}
	fputs("</li><li>Events after a capture's last segment cannot be known from the files alone.</li></ul></div>\n", r->f);
	return 0;
}

static void seal_count(struct rp *r, long long n, const char *what)
{
	fputs("<li>", r->f);
	rp_count(r, n);
	fprintf(r->f, " segment%s %s", n == 1 ? "" : "s", what);
}

/* The verdict on the case's seals, before the table of every segment. */
static void seal_verdict(struct rp *r, const struct seal_summary *s)
{
	bool ok = s->segments && s->verified == s->segments;

	fprintf(r->f, "<div class=\"verdict %s\"><p><b>%s</b></p><ul>", ok ? "ok" : "bad",
		s->failed ? "Seals FAILED: the evidence was changed after it was sealed, or a key is wrong."
		: s->unchecked ? "Sealed, not verified: segments were ingested without their key."
		: ok ? "Verified: every segment's seals were checked with its key."
		: "Not sealed: frames carry checksums, which catch accidents, not a root attacker on the"
		  " recorded host who rewrote them.");
	if (s->verified) {
		seal_count(r, s->verified, "verified, with key");
		fputs(s->n_keys == 1 ? " " : "s ", r->f);
		for (size_t i = 0; i < s->n_keys && i < SEALSUM_MAX_KEYS; i++) {
			fputs(i ? ", <code>" : "<code>", r->f);
			rp_text(r, s->keys[i]);
			fputs("</code>", r->f);
		}
		if (s->n_keys > SEALSUM_MAX_KEYS)
			fputs(", ...", r->f);
		fputs(" (fingerprint).</li>", r->f);
	}
	if (s->failed) {
		seal_count(r, s->failed, "FAILED: the first frame that does not verify, and why, is in"
			   " seal_detail below (<code>exray verify --key KEY</code> names it too).</li>");
	}
	if (s->unchecked)
		seal_count(r, s->unchecked, "sealed but not checked: <code>exray ingest --key KEY</code>"
			   " checks them.</li>");
	if (s->unsealed)
		seal_count(r, s->unsealed, "not sealed (format before 1.3, or <code>exray-record"
			   " --no-seal</code>).</li>");
	fputs("<li>The newest segments deleted entirely cannot be told from the files alone; a copy of"
	      " the recorder's <code>--seal-log</code> kept off the host can"
	      " (<code>exray verify --seal-log</code>).</li></ul></div>\n", r->f);
}

/* Seal verification: a verdict, then the segments table's seal columns,
 * once ingest records them (schema 1.4); before, the case says plainly it
 * has none. */
static int seals(struct rp *r)
{
	struct seal_summary s;
	sqlite3_stmt *st = NULL;
	char *cols = NULL, *sql;
	size_t len = 0;
	FILE *m;
	int err;

	if ((err = seal_summary_read(r->db, &s)))
		return err;
	fputs("<h3 id=\"seals\">Seals</h3>\n", r->f);
	if (!s.recorded) {
		fputs("<p class=\"verdict bad\"><b>Not sealed / not verified.</b> This case database records"
		      " no seal verification: its frames carry checksums, which catch accidents, not a"
		      " root attacker on the recorded host who rewrote them.</p>\n", r->f);
		return 0;
	}
	seal_verdict(r, &s);
	if (!(m = open_memstream(&cols, &len)))
		return -ENOMEM;
	if ((err = rp_prepare(r, &st, "SELECT name FROM pragma_table_info('segments')"
				      " WHERE name LIKE 'seal%' OR name LIKE '%verif%' ORDER BY cid"))) {
		fclose(m);
		free(cols);
		return err;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(m, ", s.\"%s\"", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	fclose(m);
	sql = rp_sql("SELECT s.path AS segment%s FROM segments s ORDER BY s.capture_id, s.seq", cols);
	long long rows = rp_table(r, "Seal verification per segment", sql, r->o->caps.table_rows);
	sqlite3_free(sql);
	free(cols);
	return rows < 0 ? (int)rows : 0;
}

static int records(struct rp *r)
{
	char *cp = rp_scope_proc(r, "p"), *ce = rp_scope(r, "e", 1), *ck = rp_scope(r, "k", 1),
	     *cs = rp_scope(r, "s", 1), *ca = rp_scope(r, "a", 1), *sql = NULL;
	int err = -ENOMEM;

	if (!cp || !ce || !ck || !cs || !ca)
		goto out;
	sql = rp_sql("SELECT 'processes' AS what, count(*) AS n FROM processes p WHERE %s"
		     " UNION ALL SELECT 'execs', count(*) FROM execs e WHERE e.kind = 'exec' AND e.ret = 0 AND %s"
		     " UNION ALL SELECT 'failed execs', count(*) FROM execs e WHERE e.ret <> 0 AND %s"
		     " UNION ALL SELECT 'processes alive at capture start (snapshot)', count(*) FROM execs e"
		     "  WHERE e.kind = 'snapshot' AND %s"
		     " UNION ALL SELECT 'connections', count(*) FROM connections k WHERE %s"
		     " UNION ALL SELECT 'connections established', count(*) FROM connections k"
		     "  WHERE k.state = 'established' AND %s"
		     " UNION ALL SELECT 'packet SYNs (TC view)', count(*) FROM syns s WHERE %s"
		     " UNION ALL SELECT 'alerts', count(*) FROM alerts a WHERE %s",
		     cp, ce, ce, ce, ck, ck, cs, ca);
	long long n = rp_table(r, "Records in scope", sql, 32);
	err = n < 0 ? (int)n : 0;
out:
	sqlite3_free(cp);
	sqlite3_free(ce);
	sqlite3_free(ck);
	sqlite3_free(cs);
	sqlite3_free(ca);
	sqlite3_free(sql);
	return err;
}

/* The newer event families, counted by what was done (cases of 1.2 on). */
static int activity(struct rp *r)
{
	char *c = rp_scope(r, "a", 0), *sql = NULL;
	long long n;

	if (!r->has_activity)
		return 0;
	if (!c || !(sql = rp_sql("SELECT a.family, a.op, count(*) AS events, sum(a.ret < 0) AS failed,"
				 " count(DISTINCT a.proc_id) AS processes FROM v_activity a"
				 " WHERE %s AND a.wall_ns BETWEEN %lld AND %lld GROUP BY 1, 2 ORDER BY 1, 3 DESC",
				 c, (long long)r->o->since, (long long)r->o->until))) {
		sqlite3_free(c);
		return -ENOMEM;
	}
	n = rp_table(r, "File and other activity in scope", sql, r->o->caps.table_rows);
	sqlite3_free(c);
	sqlite3_free(sql);
	return n < 0 ? (int)n : 0;
}

static int alert_counts(struct rp *r)
{
	char *ca = rp_scope(r, "a", 1), *s1 = NULL, *s2 = NULL;
	int err = -ENOMEM;

	if (!ca)
		return -ENOMEM;
	fputs("<h3 id=\"alert-counts\">Alerts by severity and rule</h3>\n", r->f);
	if (!r->alerts_in_scope) {
		fputs("<p class=\"verdict\">No alert in scope. Alerts are written by <code>exray check</code>:"
		      " if it has not run on this database, run <code>", r->f);
		fputs("exray check -d ", r->f);
		rp_text(r, r->o->dbpath);
		fputs(" --policy FILE</code> and write the report again.</p>\n", r->f);
		sqlite3_free(ca);
		return 0;
	}
	s1 = rp_sql("SELECT a.severity, count(*) AS alerts, count(DISTINCT a.rule_id) AS rules,"
		    " count(DISTINCT a.proc_id) AS processes FROM alerts a WHERE %s"
		    " GROUP BY a.severity ORDER BY " RP_RANK_SQL("a") " DESC", ca);
	s2 = rp_sql("SELECT a.rule_id AS rule, a.severity, count(*) AS alerts,"
		    " count(DISTINCT a.proc_id) AS processes,"
		    " " RP_TIME_FMT("min(a.ts)", "h.boot_to_wall_ns") " AS first,"
		    " " RP_TIME_FMT("max(a.ts)", "h.boot_to_wall_ns") " AS last"
		    " FROM alerts a JOIN hosts h USING (host_id) WHERE %s"
		    " GROUP BY a.rule_id ORDER BY " RP_RANK_SQL("a") " DESC, count(*) DESC", ca);
	if (!s1 || !s2)
		goto out;
	err = 0;
	TRY(rp_table(r, "Alerts by severity", s1, 8));
	TRY(rp_table(r, "Alerts by rule", s2, r->o->caps.table_rows));
out:
	sqlite3_free(ca);
	sqlite3_free(s1);
	sqlite3_free(s2);
	return err;
}

/* One line of the numbers a reader wants first. */
static void glance(struct rp *r)
{
	long long procs = 0, containers = 0;

	for (size_t i = 0; i < r->ng; i++) {
		procs += r->g[i].procs;
		containers += r->g[i].container_id && r->g[i].procs;
	}
	fputs("<p class=\"glance\"><b>", r->f);
	rp_count(r, r->alerts_in_scope);
	fprintf(r->f, "</b> alert%s", r->alerts_in_scope == 1 ? "" : "s");
	for (int k = 4; k >= 1; k--)
		if (r->sev[k]) {
			fprintf(r->f, " <span class=\"sev %s\">", rp_severity_name(k));
			rp_count(r, r->sev[k]);
			fprintf(r->f, " %s</span>", rp_severity_name(k));
		}
	fputs(" &middot; <b>", r->f);
	rp_count(r, procs);
	fputs("</b> processes in <b>", r->f);
	rp_count(r, containers);
	fprintf(r->f, "</b> container%s and the host</p>\n", containers == 1 ? "" : "s");
}

int rp_summary(struct rp *r)
{
	int err = 0;

	fputs("<section id=\"summary\"><h2>Summary</h2>\n", r->f);
	glance(r);
	scope_line(r);
	TRY(completeness(r));
	TRY(rp_table(r, "Hosts (one row per boot)", hosts_sql, r->o->caps.table_rows));
	TRY(rp_table(r, "Capture windows", captures_sql, r->o->caps.table_rows));
	TRY(records(r));
	TRY(activity(r));
	fputs("<h3 id=\"losses\">Kernel losses and damage</h3>\n", r->f);
	TRY(rp_table(r, "Kernel losses by type", losses_sql, r->o->caps.table_rows));
	TRY(rp_table(r, "Damaged places skipped by the reader", damage_sql, r->o->caps.table_rows));
	TRY(seals(r));
	TRY(alert_counts(r));
out:
	fputs("</section>\n", r->f);
	return err;
}
