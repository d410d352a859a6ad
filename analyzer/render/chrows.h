/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The case database's tables as flat JSON rows (ClickHouse's JSONEachRow)
 * for schema/clickhouse.sql: one table per call, row ids replaced by the
 * stable keys that mean the same thing in every case database (host boot,
 * process key, exec ts), plus day, wall_ns and time. Streams row by row.
 */
#ifndef EXRAY_CHROWS_H
#define EXRAY_CHROWS_H

#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

/* The table names, NULL-terminated, in load order. */
extern const char *const chrows_tables[];

/*
 * Write every row of table (one of chrows_tables) that passes the filters
 * (container: id prefix or "host", NULL for all; a wall-ns window; tables
 * without a time or a container are not filtered by it) to out. Returns
 * the number of rows, -ENOENT for an unknown table, or -EIO (db_error()).
 */
long long chrows_export(sqlite3 *db, const char *table, const char *container, int64_t since,
			int64_t until, FILE *out);

#endif /* EXRAY_CHROWS_H */
