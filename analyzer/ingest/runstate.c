/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The state of an ingest run that people and later runs see: the
 * progress line (files, percentage of the bytes, rate, ETA) and the mark
 * of a run that has not finished (ingest_unfinished), so that an
 * interrupted run is said by every command until one finishes the case.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include "casedb/db.h"
#include "ingest/ingest_int.h"
#include "text/counts.h"
#include "text/timefmt.h"

void ingest_set_stop(struct ingest *in, volatile sig_atomic_t *stop)
{
	in->stop = stop;
}

void ingest_set_total(struct ingest *in, unsigned long long bytes, size_t files)
{
	in->bytes_total = bytes;
	in->files_total = files;
}

int ingest_unfinished(sqlite3 *db)
{
	sqlite3_stmt *st;
	int n = 0;

	/* a case from before the table has none: prepare fails, quietly */
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM ingest_unfinished LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return 0;
	n = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return n;
}

/*
 * At the start of a run: an unfinished earlier run makes this one link the
 * whole case and deduplicate from where that run started; otherwise this
 * run is marked unfinished (committed now, before any batch) until
 * run_mark_finished.
 */
int run_mark_unfinished(struct ingest *in)
{
	sqlite3_stmt *sel = NULL, *ins = NULL;
	char now[TIMEFMT_LEN];
	int err, rc;

	if ((err = db_prepare(in->db, &sel, "SELECT tab, last_rowid FROM ingest_unfinished")))
		return err;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *tab = (const char *)sqlite3_column_text(sel, 0);
		in->resume = 1;
		for (int t = 0; t < DUP_SLOTS; t++)
			if (tab && !strcmp(tab, dedupe_tables[t]) && sqlite3_column_int64(sel, 1) < in->dup_last[t])
				in->dup_last[t] = sqlite3_column_int64(sel, 1);
	}
	sqlite3_finalize(sel);
	if (rc != SQLITE_DONE)
		return ingest_dberr(in);
	if (in->resume)
		return 0;
	timefmt_rfc3339_digits(now, (int64_t)time(NULL) * 1000000000, 0);
	if ((err = db_prepare(in->db, &ins, "INSERT OR REPLACE INTO ingest_unfinished VALUES(?1, ?2, ?3)")))
		return err;
	for (int t = 0; t < DUP_SLOTS && !err; t++) {
		sqlite3_bind_text(ins, 1, dedupe_tables[t], -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, in->dup_last[t]);
		sqlite3_bind_text(ins, 3, now, -1, SQLITE_STATIC);
		err = ingest_step(in, ins);
	}
	sqlite3_finalize(ins);
	return err;
}

/* In the run's last transaction: the case is whole again. */
int run_mark_finished(struct ingest *in)
{
	return db_exec(in->db, "DELETE FROM ingest_unfinished");
}

/* "1:02:03", "4:05" or "17s" */
static void duration_text(char *buf, size_t len, double s)
{
	unsigned long long t = s < 0 ? 0 : s > 359999 ? 359999 : (unsigned long long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%llu:%02llu:%02llu", t / 3600, t / 60 % 60, t % 60);
	else if (t >= 60)
		snprintf(buf, len, "%llu:%02llu", t / 60, t % 60);
	else
		snprintf(buf, len, "%llus", t);
}

/* The self-overwriting progress line, at most 5 times a second (force:
 * now). With the run's size known: the percentage of its bytes read and
 * the time left at the rate so far. */
void run_progress(struct ingest *in, int force)
{
	unsigned long long done = in->bytes_done + in->frame_off;
	char rec[COUNT_TEXT_LEN], rate[COUNT_TEXT_LEN], eta[32];
	struct timespec now;
	double el;

	if (!in->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && (now.tv_sec - in->last_progress.tv_sec) * 1000000000LL +
				      (now.tv_nsec - in->last_progress.tv_nsec) < 200000000LL)
		return;
	in->last_progress = now;
	el = (now.tv_sec - in->started.tv_sec) + (now.tv_nsec - in->started.tv_nsec) / 1e9;
	count_text(rec, in->stats.records_seen);
	count_text(rate, el > 0 ? (uint64_t)(in->stats.records_seen / el) : 0);
	if (!in->bytes_total) {
		fprintf(in->progress, "\r\033[Kingest: file %zu, %s records, %s records/s", in->file_i, rec, rate);
	} else {
		if (done > in->bytes_total)
			done = in->bytes_total;
		if (done && el > 0)
			duration_text(eta, sizeof(eta), el * (double)(in->bytes_total - done) / (double)done);
		else
			snprintf(eta, sizeof(eta), "?");
		fprintf(in->progress, "\r\033[Kingest: file %zu of %zu, %.0f%% of %.1f MiB, %s records, "
				      "%s records/s, ETA %s", in->file_i, in->files_total,
			100.0 * (double)done / (double)in->bytes_total, in->bytes_total / 1048576.0, rec, rate, eta);
	}
	fflush(in->progress);
}
