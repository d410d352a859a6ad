/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Test helper: case databases from segments, through the real ingest. */
#ifndef EXRAY_TEST_CASEFIX_H
#define EXRAY_TEST_CASEFIX_H

#include <sqlite3.h>
#include "ingest/ingest.h"

/* A fresh in-memory case database (the whole schema applied). */
sqlite3 *casefix_newdb(void);

/* Ingest the NULL-terminated paths in one run; each file must load. The
 * run's statistics are copied to *stats when not NULL. */
void casefix_ingest(sqlite3 *db, const char *const *paths, struct ingest_stats *stats);
/* The same, committing every `batch` records (at frame boundaries). */
void casefix_ingest_batch(sqlite3 *db, const char *const *paths, struct ingest_stats *stats,
			  unsigned long long batch);

/* The first column of the first row as an integer: -1 no row, -2 NULL. */
long long casefix_int(sqlite3 *db, const char *sql);

/* Every row of a query as "a|b|...;" (NULL as "NULL"), malloc'd. */
char *casefix_rows(sqlite3 *db, const char *sql);

#endif
