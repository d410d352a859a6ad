/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The case database: open it, register exray's SQL functions (sqlfuncs.h:
 * cidr_contains, inet_fmt, policy_allows, ...), apply the embedded
 * schema/schema.sql, and run any registered hooks, on every connection, so
 * `ingest`, `tree`, `check` and `sql` all see the same functions.
 */
#ifndef EXRAY_DB_H
#define EXRAY_DB_H

#include <sqlite3.h>

/* PRAGMA user_version of the schema this binary writes. A database with a
 * higher major version (user_version / 100) is refused. */
#define DB_SCHEMA_VERSION 108

enum db_open_flags {
	DB_OPEN_CREATE = 1 << 0,   /* create the file if missing (ingest) */
	DB_OPEN_READONLY = 1 << 1, /* no writes; schema not applied (an older
				    * schema is upgraded first, read-write) */
	DB_OPEN_UPGRADED = 1 << 2, /* internal: the upgrade was tried */
};

/* A hook runs on every connection db_open makes, after the schema; it
 * returns 0 or a negative errno (which fails the open). */
typedef int (*db_hook_fn)(sqlite3 *db);

/* Register a hook (idempotent for the same function). Call before db_open,
 * e.g. at the start of a command. 0 or -ENOMEM/-ENOSPC. */
int db_add_hook(db_hook_fn fn);

/*
 * Open the case database at path (":memory:" works for tests): register
 * the SQL functions of sqlfuncs.h, apply the schema unless read-only, check
 * the version, run the hooks. A database it creates is 0600 whatever the
 * umask, and a symlink is never followed. Returns 0 and
 * *db, or -errno: -ENOENT when the file is missing and DB_OPEN_CREATE is
 * not set, -EPROTONOSUPPORT for a newer schema, -EIO for an SQLite error.
 * On failure db_error() says why in one line.
 */
int db_open(sqlite3 **db, const char *path, int flags);
void db_close(sqlite3 *db);

/* Permission bits of the database file at path (0 and *mode, or -errno;
 * -ENOENT for ":memory:"). db_open creates a database 0600; a caller warns
 * when an existing one is readable or writable by group or others. */
int db_file_mode(const char *path, unsigned *mode);

/* Run SQL (several statements allowed). 0 or -EIO; db_error() says why. */
int db_exec(sqlite3 *db, const char *sql);

/* Prepare one statement. 0 or -EIO; db_error() says why. */
int db_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql);

/* One line about the last failure of a db_* call in this thread. */
const char *db_error(void);

/* Record an error message for db_error() (used by modules building on db). */
void db_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* EXRAY_DB_H */
