// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include "casedb/db.h"
#include "casedb/sealsum.h"

static int fail(sqlite3 *db, sqlite3_stmt *st)
{
	db_set_error("%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return -EIO;
}

int seal_summary_read(sqlite3 *db, struct seal_summary *s)
{
	static const char *const names[] = { "verified", "failed", "unchecked", "unsealed" };
	long long *counts[] = { &s->verified, &s->failed, &s->unchecked, &s->unsealed };
	sqlite3_stmt *st = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('segments')"
				   " WHERE name = 'seal_status'", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		return fail(db, st);
	s->recorded = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (!s->recorded)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT seal_status, count(*) FROM segments GROUP BY 1", -1, &st,
			       NULL) != SQLITE_OK)
		return fail(db, st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(st, 0);
		long long n = sqlite3_column_int64(st, 1);

		s->segments += n;
		for (size_t i = 0; status && i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(status, names[i]))
				*counts[i] = n;
	}
	if (rc != SQLITE_DONE)
		return fail(db, st);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT DISTINCT seal_key_fp FROM segments"
				   " WHERE seal_key_fp IS NOT NULL ORDER BY 1", -1, &st, NULL) != SQLITE_OK)
		return fail(db, st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *fp = (const char *)sqlite3_column_text(st, 0);

		if (fp && s->n_keys < SEALSUM_MAX_KEYS) {
			strncpy(s->keys[s->n_keys], fp, sizeof(s->keys[0]) - 1);
			s->keys[s->n_keys][sizeof(s->keys[0]) - 1] = '\0';
		}
		s->n_keys++;
	}
	if (rc != SQLITE_DONE)
		return fail(db, st);
	sqlite3_finalize(st);
	return 0;
}
