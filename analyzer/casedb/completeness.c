/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/completeness.h"
#include "casedb/db.h"
#include "segment.h"
#include "text/counts.h"
#include "text/timefmt.h"

/* Loss records summed in C: SQL's sum() fails on a crafted count near 2^64,
 * and counts above INT64_MAX are stored negative (the u64 bit pattern). */
static const char loss_sql[] =
	"SELECT h.hostname, coalesce(l.lost_type, '?'), l.count, l.ts, h.boot_to_wall_ns"
	" FROM losses l JOIN hosts h USING (host_id)"
	" ORDER BY l.host_id, l.lost_type";

static const char facts_sql[] =
	"SELECT (SELECT count(*) FROM segments),"
	" (SELECT count(*) FROM segments WHERE complete = 0),"
	" (SELECT coalesce(sum(n), 0) FROM (SELECT max(seq) - min(seq) + 1 - count(*) AS n"
	"  FROM segments GROUP BY capture_id)),"
	" (SELECT count(*) FROM (SELECT 1 FROM segments GROUP BY capture_id HAVING min(seq) > 0)),"
	" (SELECT count(DISTINCT segment_id) FROM segment_issues WHERE kind = 'skipped_type'),"
	" (SELECT count(*) FROM hosts)";

static const char issues_sql[] = "SELECT kind, length, segment_id FROM segment_issues ORDER BY segment_id";

static bool kind_is_damage(const char *name, bool *torn)
{
	for (int k = EXRAY_ISSUE_TORN_TAIL; k <= EXRAY_ISSUE_SKIPPED_TYPE; k++) {
		if (strcmp(name, exray_seg_issue_name(k)))
			continue;
		*torn = k == EXRAY_ISSUE_TORN_TAIL;
		return exray_seg_issue_is_damage(k);
	}
	*torn = false;
	return true; /* a kind this exray does not know: say it, do not hide it */
}

static int step_error(sqlite3 *db)
{
	db_set_error("%s", sqlite3_errmsg(db));
	return -EIO;
}

static int read_losses(sqlite3 *db, struct completeness *c)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, err;

	if ((err = db_prepare(db, &st, loss_sql)))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *host = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);
		uint64_t n = (uint64_t)sqlite3_column_int64(st, 2);
		int64_t ts = sqlite3_column_int64(st, 3);
		struct completeness_loss *l = c->n_loss ? &c->loss[c->n_loss - 1] : NULL;

		if (!host || !type)
			continue;
		if (!l || strcmp(l->host, host) || strcmp(l->type, type)) {
			if (c->n_loss == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				void *nl = realloc(c->loss, ncap * sizeof(*c->loss));
				if (!nl) {
					err = -ENOMEM;
					break;
				}
				c->loss = nl;
				cap = ncap;
			}
			l = &c->loss[c->n_loss++];
			*l = (struct completeness_loss){ strdup(host), strdup(type), 0, ts, ts,
							 sqlite3_column_int64(st, 4) };
			if (!l->host || !l->type) {
				err = -ENOMEM;
				break;
			}
		}
		l->count = count_add(l->count, n);
		if (ts < l->first_ts)
			l->first_ts = ts;
		if (ts > l->last_ts)
			l->last_ts = ts;
		c->lost = count_add(c->lost, n);
	}
	if (!err && rc != SQLITE_DONE)
		err = step_error(db);
	sqlite3_finalize(st);
	return err;
}

static int cmp_loss(const void *a, const void *b)
{
	const struct completeness_loss *x = a, *y = b;
	int h = strcmp(x->host, y->host);

	if (h)
		return h;
	return x->count != y->count ? (x->count < y->count ? 1 : -1) : strcmp(x->type, y->type);
}

int completeness_read(sqlite3 *db, struct completeness *c)
{
	sqlite3_stmt *st = NULL;
	int64_t last_seg = -1;
	int err, rc;

	memset(c, 0, sizeof(*c));
	if ((err = read_losses(db, c)))
		return err;
	if (c->n_loss)
		qsort(c->loss, c->n_loss, sizeof(*c->loss), cmp_loss);
	if ((err = db_prepare(db, &st, facts_sql)))
		return err;
	if (sqlite3_step(st) != SQLITE_ROW) {
		err = step_error(db);
		sqlite3_finalize(st);
		return err;
	}
	c->segments = (uint64_t)sqlite3_column_int64(st, 0);
	c->open_segments = (uint64_t)sqlite3_column_int64(st, 1);
	c->missing_segments = (uint64_t)sqlite3_column_int64(st, 2);
	c->captures_without_start = (uint64_t)sqlite3_column_int64(st, 3);
	c->newer_type_segments = (uint64_t)sqlite3_column_int64(st, 4);
	c->hosts = (unsigned)sqlite3_column_int(st, 5);
	sqlite3_finalize(st);
	if ((err = db_prepare(db, &st, issues_sql)))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		bool torn;
		if (!kind || !kind_is_damage(kind, &torn))
			continue;
		c->damage++;
		c->torn_tails += torn;
		c->damaged_bytes = count_add(c->damaged_bytes, (uint64_t)sqlite3_column_int64(st, 1));
		if (sqlite3_column_int64(st, 2) != last_seg) {
			c->damaged_segments++;
			last_seg = sqlite3_column_int64(st, 2);
		}
	}
	if (rc != SQLITE_DONE)
		err = step_error(db);
	sqlite3_finalize(st);
	return err;
}

void completeness_free(struct completeness *c)
{
	for (size_t i = 0; i < c->n_loss; i++) {
		free(c->loss[i].host);
		free(c->loss[i].type);
	}
	free(c->loss);
	memset(c, 0, sizeof(*c));
}

bool completeness_whole(const struct completeness *c)
{
	return !c->lost && !c->damage && !c->missing_segments && !c->captures_without_start &&
	       !c->newer_type_segments;
}

/* The facts after the losses, in this order. */
enum fact { F_DAMAGE, F_MISSING, F_NO_START, F_NEWER, F_COUNT };

static bool fact_present(const struct completeness *c, enum fact f)
{
	switch (f) {
	case F_DAMAGE: return c->damage;
	case F_MISSING: return c->missing_segments;
	case F_NO_START: return c->captures_without_start;
	case F_NEWER: return c->newer_type_segments;
	default: return false;
	}
}

size_t completeness_count(const struct completeness *c)
{
	size_t n = c->n_loss;

	for (int f = 0; f < F_COUNT; f++)
		n += fact_present(c, f);
	return n;
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void loss_sentence(const struct completeness *c, const struct completeness_loss *l, char *buf,
			  size_t len)
{
	char n[COUNT_TEXT_LEN], a[TIMEFMT_LEN], b[TIMEFMT_LEN];
	int64_t wa, wb;
	int at = 0;

	at = snprintf(buf, len, "%s %s event%s lost in the kernel", count_text(n, l->count), l->type,
		      l->count == 1 ? "" : "s");
	if (c->hosts > 1 && at >= 0 && (size_t)at < len)
		at += snprintf(buf + at, len - at, " on host %s", l->host);
	if (at < 0 || (size_t)at >= len)
		return;
	if (timefmt_wall((uint64_t)l->first_ts, l->b2w, &wa) || timefmt_wall((uint64_t)l->last_ts, l->b2w, &wb))
		return; /* no date: the count alone */
	timefmt_rfc3339_digits(a, wa, 0);
	timefmt_rfc3339_digits(b, wb, 0);
	if (!strcmp(a, b))
		snprintf(buf + at, len - at, ", reported at %s", a);
	else
		snprintf(buf + at, len - at, ", reported between %s and %s", a, b);
}

void completeness_sentence(const struct completeness *c, size_t i, char *buf, size_t len)
{
	char n[COUNT_TEXT_LEN], m[COUNT_TEXT_LEN], b[COUNT_TEXT_LEN];
	int f;

	if (!len)
		return;
	buf[0] = 0;
	if (i < c->n_loss) {
		loss_sentence(c, &c->loss[i], buf, len);
		return;
	}
	i -= c->n_loss;
	for (f = 0; f < F_COUNT; f++)
		if (fact_present(c, f) && !i--)
			break;
	switch (f) {
	case F_DAMAGE:
		snprintf(buf, len, "%s damaged place%s skipped in %s segment%s (%s bytes%s): the events in %s are missing (exray verify names %s)",
			 count_text(n, c->damage), plural(c->damage, "", "s"),
			 count_text(m, c->damaged_segments), plural(c->damaged_segments, "", "s"),
			 count_text(b, c->damaged_bytes),
			 c->torn_tails ? (c->torn_tails == c->damage ? ", a torn tail: the recorder stopped mid-write"
								      : ", torn tails among them")
				       : "",
			 plural(c->damage, "it", "them"), plural(c->damage, "it", "them"));
		break;
	case F_MISSING:
		snprintf(buf, len, "%s segment%s missing from the middle of a capture (sequence gaps): "
				   "the events in %s are missing",
			 count_text(n, c->missing_segments), plural(c->missing_segments, " is", "s are"),
			 plural(c->missing_segments, "it", "them"));
		break;
	case F_NO_START:
		snprintf(buf, len, "%s capture%s without %s first segment (deleted by --max-total, or not ingested): what came before is missing",
			 count_text(n, c->captures_without_start), plural(c->captures_without_start, " is", "s are"),
			 plural(c->captures_without_start, "its", "their"));
		break;
	case F_NEWER:
		snprintf(buf, len, "%s segment%s record types newer than this exray, skipped: upgrade exray to read them",
			 count_text(n, c->newer_type_segments), plural(c->newer_type_segments, " holds", "s hold"));
		break;
	default:
		break;
	}
}
