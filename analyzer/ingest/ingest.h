/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Loading segments into the case database: idempotent (frames already
 * loaded are skipped), incremental (a grown segment adds its new frames),
 * one transaction per batch of whole frames, process rows merged in memory
 * and written once per batch.
 */
#ifndef EXRAY_INGEST_H
#define EXRAY_INGEST_H

#include <signal.h>
#include <stdio.h>
#include <sqlite3.h>
#include "segment.h"

struct ingest_stats {
	unsigned long long files, files_unchanged, files_failed;
	unsigned long long frames_new, records_new, records_seen;
	unsigned long long by_type[EXRAY_TYPE_SLOTS];
	unsigned long long lost[EXRAY_TYPE_SLOTS];    /* loss records' counts, by lost type */
	unsigned long long issues;        /* damage found (all files read) */
	unsigned long long hosts_new;
	unsigned long long duplicates;    /* events two overlapping captures both held: one kept */
};

struct ingest;

/*
 * Start an ingest run on an open case DB. progress: a stream for a
 * self-overwriting progress line (NULL: none). Returns 0 or -errno
 * (db_error() says why).
 */
int ingest_begin(struct ingest **out, sqlite3 *db, FILE *progress);

/* Check every segment's seals with the key its header names among keys
 * (the caller's array, kept until ingest_free); without, seal_status says
 * 'unchecked'. */
void ingest_set_keys(struct ingest *in, struct exray_seal_verifier *const *keys, size_t n);

/*
 * Load one segment file. Damage is not an error (recorded in
 * segment_issues, counted in stats). Returns 0, or -errno for a file that
 * cannot be read (errmsg filled) or a DB failure (-EIO, errmsg filled);
 * after a DB failure the run must be abandoned (ingest_free).
 */
int ingest_file(struct ingest *in, const char *path, char *errmsg, size_t errlen);

/* Link what this run loaded (parents, images, containers, results),
 * commit and build indexes. 0 or -EIO (db_error()). */
int ingest_finish(struct ingest *in);

/* Commit every `records` records (at the next frame boundary) instead of
 * every 200,000: tests use tiny batches to cross batch boundaries. 0: the
 * default. */
void ingest_set_batch(struct ingest *in, unsigned long long records);

/* Stop at the next frame boundary once *stop is non-zero (a signal
 * handler sets it): ingest_file returns -EINTR; what was committed stays,
 * marked unfinished (ingest_unfinished) until a later run finishes. */
void ingest_set_stop(struct ingest *in, volatile sig_atomic_t *stop);

/* The run's size, for the progress line's percentage and ETA. */
void ingest_set_total(struct ingest *in, unsigned long long bytes, size_t files);

/* Whether an ingest into db did not finish (a row in ingest_unfinished);
 * 0 for a case from before that table too. */
int ingest_unfinished(sqlite3 *db);

const struct ingest_stats *ingest_get_stats(const struct ingest *in);
/* Roll back whatever is uncommitted and free. Accepts NULL. */
void ingest_free(struct ingest *in);

#endif
