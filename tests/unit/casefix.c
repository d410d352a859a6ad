/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "casedb/db.h"
#include "casefix.h"

sqlite3 *casefix_newdb(void)
{
	sqlite3 *db;

	assert_int_equal(db_open(&db, ":memory:", DB_OPEN_CREATE), 0);
	return db;
}

void casefix_ingest(sqlite3 *db, const char *const *paths, struct ingest_stats *stats)
{
	casefix_ingest_batch(db, paths, stats, 0);
}

void casefix_ingest_batch(sqlite3 *db, const char *const *paths, struct ingest_stats *stats,
			  unsigned long long batch)
{
	struct ingest *in;
	char msg[256];

	assert_int_equal(ingest_begin(&in, db, NULL), 0);
	ingest_set_batch(in, batch);
	for (; *paths; paths++)
		if (ingest_file(in, *paths, msg, sizeof(msg)))
			fail_msg("ingest %s: %s", *paths, msg);
	assert_int_equal(ingest_finish(in), 0);
	if (stats)
		*stats = *ingest_get_stats(in);
	ingest_free(in);
}

long long casefix_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -2 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

char *casefix_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		int n = sqlite3_column_count(st);
		for (int c = 0; c < n; c++) {
			const unsigned char *s = sqlite3_column_text(st, c);
			fprintf(f, "%s%s", s ? (const char *)s : "NULL", c + 1 < n ? "|" : ";");
		}
	}
	sqlite3_finalize(st);
	fclose(f);
	return buf;
}
