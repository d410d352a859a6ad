/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "casedb/db.h"
#include "casedb/embedded.h"
#include "casedb/sqlfuncs.h"

#define DB_MAX_HOOKS 16

static db_hook_fn hooks[DB_MAX_HOOKS];
static unsigned n_hooks;
static __thread char last_error[512];

void db_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

const char *db_error(void)
{
	return last_error[0] ? last_error : "unknown database error";
}

int db_add_hook(db_hook_fn fn)
{
	for (unsigned i = 0; i < n_hooks; i++)
		if (hooks[i] == fn)
			return 0;
	if (n_hooks == DB_MAX_HOOKS)
		return -ENOSPC;
	hooks[n_hooks++] = fn;
	return 0;
}

int db_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		db_set_error("%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

int db_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
		db_set_error("%s", sqlite3_errmsg(db));
		*st = NULL;
		return -EIO;
	}
	return 0;
}

/* Schema changes that the idempotent schema.sql cannot make by itself: a
 * view whose definition changed must be dropped first (CREATE VIEW IF NOT
 * EXISTS keeps the old one). Applied to a database older than `before`. */
static const struct {
	int before;
	const char *done;  /* NULL, or a query giving 1 when the change is made */
	const char *sql;
} upgrades[] = {
	/* 1.1: v_ancestry walks from the filtered process, not the whole case */
	{ 101, NULL, "DROP VIEW IF EXISTS v_ancestry" },
	/* 1.2: processes.exit_code is the exit code (signal beside it), the raw
	 * wait status keeps its values as exit_status; v_processes shows both */
	{ 102, "SELECT count(*) FROM pragma_table_info('processes') WHERE name = 'exit_status'",
	       "ALTER TABLE processes RENAME COLUMN exit_code TO exit_status;"
	       "ALTER TABLE processes ADD COLUMN exit_code INTEGER GENERATED ALWAYS AS"
	       " (CASE WHEN exit_status & 127 = 0 THEN (exit_status >> 8) & 255 END) VIRTUAL;"
	       "ALTER TABLE processes ADD COLUMN signal INTEGER GENERATED ALWAYS AS"
	       " (CASE WHEN exit_status & 127 <> 0 THEN exit_status & 127 END) VIRTUAL;"
	       "DROP VIEW IF EXISTS v_processes" },
	/* 1.3: container identity (issue 14): columns of containers, shown
	 * by the views */
	{ 103, "SELECT count(*) FROM pragma_table_info('containers') WHERE name = 'image'",
	       "ALTER TABLE containers ADD COLUMN name TEXT;"
	       "ALTER TABLE containers ADD COLUMN image TEXT;"
	       "ALTER TABLE containers ADD COLUMN image_digest TEXT;"
	       "ALTER TABLE containers ADD COLUMN pod_name TEXT;"
	       "ALTER TABLE containers ADD COLUMN pod_namespace TEXT;"
	       "ALTER TABLE containers ADD COLUMN container_name TEXT;"
	       "ALTER TABLE containers ADD COLUMN labels TEXT;"
	       "ALTER TABLE containers ADD COLUMN sources TEXT;"
	       "DROP VIEW IF EXISTS v_processes; DROP VIEW IF EXISTS v_execs;"
	       "DROP VIEW IF EXISTS v_connections" },
	/* 1.4: execs gain the image the kernel really ran; processes say
	 * whose identity they hold; the views showing them are redefined.
	 * The tables of what a process did are new: the schema makes them. */
	{ 104, "SELECT count(*) FROM pragma_table_info('execs') WHERE name = 'exe'",
	       "ALTER TABLE execs ADD COLUMN exe TEXT;"
	       "ALTER TABLE execs ADD COLUMN cwd TEXT;"
	       "ALTER TABLE execs ADD COLUMN tty INTEGER;"
	       "ALTER TABLE execs ADD COLUMN exe_flags INTEGER;"
	       "ALTER TABLE execs ADD COLUMN cap_effective INTEGER;"
	       "ALTER TABLE execs ADD COLUMN exe_ino INTEGER;"
	       "ALTER TABLE execs ADD COLUMN exe_dev INTEGER;"
	       "ALTER TABLE processes ADD COLUMN ident_own INTEGER NOT NULL DEFAULT 1;"
	       "DROP VIEW IF EXISTS v_execs" },
	/* 1.5: the views' times are text/timefmt.c's (truncated, range
	 * checked); v_processes shows the real start and already_running */
	{ 105, NULL,
	       "DROP VIEW IF EXISTS v_processes; DROP VIEW IF EXISTS v_execs;"
	       "DROP VIEW IF EXISTS v_connections; DROP VIEW IF EXISTS v_raw_syns;"
	       "DROP VIEW IF EXISTS v_syns; DROP VIEW IF EXISTS v_containers;"
	       "DROP VIEW IF EXISTS v_activity; DROP VIEW IF EXISTS v_file_events;"
	       "DROP VIEW IF EXISTS v_priv_events; DROP VIEW IF EXISTS v_ns_events;"
	       "DROP VIEW IF EXISTS v_ptrace_events; DROP VIEW IF EXISTS v_socket_events;"
	       "DROP VIEW IF EXISTS v_memfd_events; DROP VIEW IF EXISTS v_bpf_events;"
	       "DROP VIEW IF EXISTS v_uring_events" },
	/* 1.6: sealed evidence (issue 15): what ingest found of each segment's
	 * seals */
	{ 106, "SELECT count(*) FROM pragma_table_info('segments') WHERE name = 'seal_status'",
	       "ALTER TABLE segments ADD COLUMN seal_status TEXT;"
	       "ALTER TABLE segments ADD COLUMN seal_key_fp TEXT;"
	       "ALTER TABLE segments ADD COLUMN seal_count INTEGER;"
	       "ALTER TABLE segments ADD COLUMN seal_detail TEXT;"
	       "ALTER TABLE segments ADD COLUMN seal_prev TEXT;"
	       "ALTER TABLE segments ADD COLUMN seal_end TEXT" },
	/* 1.7: a device node's number and whether a file was on another
	 * mount (a host path bound into a container); a case from before
	 * 1.4 has no file_events yet: the schema makes it whole */
	{ 107, "SELECT count(*) = 0 OR sum(name = 'rdev') FROM pragma_table_info('file_events')",
	       "ALTER TABLE file_events ADD COLUMN rdev INTEGER;"
	       "ALTER TABLE file_events ADD COLUMN other_mount INTEGER NOT NULL DEFAULT 0;"
	       "DROP VIEW IF EXISTS v_file_events; DROP VIEW IF EXISTS v_activity" },
	/* 1.8: how a container reaches outside itself: files outside its
	 * mount namespace, cgroup control files, file handles */
	{ 108, "SELECT count(*) = 0 OR sum(name = 'outside_mntns') FROM pragma_table_info('file_events')",
	       "ALTER TABLE file_events ADD COLUMN outside_mntns INTEGER NOT NULL DEFAULT 0;"
	       "ALTER TABLE file_events ADD COLUMN cgroup_target INTEGER;"
	       "ALTER TABLE file_events ADD COLUMN fs_magic INTEGER;"
	       "ALTER TABLE file_events ADD COLUMN handle_type INTEGER;"
	       "ALTER TABLE file_events ADD COLUMN handle_bytes INTEGER;"
	       "ALTER TABLE file_events ADD COLUMN handle TEXT;"
	       "DROP VIEW IF EXISTS v_file_events; DROP VIEW IF EXISTS v_activity" },
};

static bool upgrade_done(sqlite3 *db, const char *query)
{
	sqlite3_stmt *st;
	bool done = false;

	if (query && sqlite3_prepare_v2(db, query, -1, &st, NULL) == SQLITE_OK) {
		done = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return done;
}

static int user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st;
	int err = db_prepare(db, &st, "PRAGMA user_version");

	if (err)
		return err;
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_set_error("%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -EIO;
	}
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/*
 * Create a missing case database 0600, whatever the umask: it holds argv,
 * paths and environment-derived data, like the segments it came from.
 * SQLite would create it 0644 & ~umask; its -wal, -shm and -journal files
 * take the database file's mode. An empty file is a valid database. A
 * symlink is never followed (O_NOFOLLOW here, SQLITE_OPEN_NOFOLLOW below).
 */
static int create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int err = 0;

	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	if (fchmod(fd, 0600)) /* a umask like 0277 would leave it 0400 */
		err = -errno;
	close(fd);
	return err;
}

int db_file_mode(const char *path, unsigned *mode)
{
	struct stat st;

	if (!strcmp(path, ":memory:") || !*path)
		return -ENOENT;
	if (stat(path, &st))
		return -errno;
	*mode = st.st_mode & 07777;
	return 0;
}

int db_open(sqlite3 **out, const char *path, int flags)
{
	sqlite3 *db = NULL;
	int oflags, err, v;
	const struct exray_embedded *schema;

	*out = NULL;
	last_error[0] = 0;
	if (!(flags & DB_OPEN_CREATE) && strcmp(path, ":memory:") && access(path, F_OK)) {
		err = -errno;
		db_set_error("%s", strerror(-err));
		return err;
	}
	if ((flags & DB_OPEN_CREATE) && !(flags & DB_OPEN_READONLY) && strcmp(path, ":memory:") &&
	    *path && (err = create_private(path))) {
		db_set_error("cannot create: %s", strerror(-err));
		return err;
	}
	oflags = (flags & DB_OPEN_READONLY) ? SQLITE_OPEN_READONLY
					    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	/* NOMUTEX: a connection is only ever used by one thread (check's
	 * second thread opens its own), so SQLite's per-call lock is pure
	 * cost (about 4 % of ingest's CPU at 1M records) */
	if (sqlite3_open_v2(path, &db, oflags | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		db_set_error("%s", db ? sqlite3_errmsg(db) : "out of memory");
		err = -EIO;
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 5000);
	/* exray's functions on every connection, whatever command opens it (issue 5):
	 * views and rules may use them, and `sql` or `tree` must see the same set. */
	if ((err = exray_sqlfuncs_register(db))) {
		db_set_error("registering SQL functions: %s", sqlite3_errmsg(db));
		goto fail;
	}
	if ((err = user_version(db, &v)))
		goto fail;
	if (v / 100 > DB_SCHEMA_VERSION / 100) {
		db_set_error("database schema version %d.%d is newer than this exray's %d.%d",
			     v / 100, v % 100, DB_SCHEMA_VERSION / 100, DB_SCHEMA_VERSION % 100);
		err = -EPROTONOSUPPORT;
		goto fail;
	}
	if ((flags & DB_OPEN_READONLY) && v && v < DB_SCHEMA_VERSION && !(flags & DB_OPEN_UPGRADED)) {
		/* an older schema is upgraded once, through a writable
		 * connection, so read-only commands see today's columns */
		sqlite3_close(db);
		db = NULL;
		if ((err = db_open(&db, path, (flags & ~DB_OPEN_READONLY) | DB_OPEN_UPGRADED))) {
			char why[200];
			snprintf(why, sizeof(why), "%s", db_error());
			db_set_error("schema %d.%d must be upgraded to %d.%d, which failed: %s", v / 100, v % 100,
				     DB_SCHEMA_VERSION / 100, DB_SCHEMA_VERSION % 100, why);
			goto fail;
		}
		sqlite3_close(db);
		return db_open(out, path, flags | DB_OPEN_UPGRADED);
	}
	if (!(flags & DB_OPEN_READONLY)) {
		if (!(schema = exray_embedded_find("schema/schema.sql"))) {
			db_set_error("schema/schema.sql is not compiled in");
			err = -ENOENT;
			goto fail;
		}
		if ((err = db_exec(db, "PRAGMA foreign_keys=OFF")))
			goto fail;
		for (size_t i = 0; i < sizeof(upgrades) / sizeof(upgrades[0]); i++)
			/* a new database (version 0) gets the current schema whole */
			if (v && v < upgrades[i].before && !upgrade_done(db, upgrades[i].done) &&
			    (err = db_exec(db, upgrades[i].sql)))
				goto fail;
		if ((err = db_exec(db, schema->data)))
			goto fail;
		if (v < DB_SCHEMA_VERSION) {
			char sql[64];
			snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", DB_SCHEMA_VERSION);
			if ((err = db_exec(db, sql)))
				goto fail;
		}
	}
	for (unsigned i = 0; i < n_hooks; i++) {
		if ((err = hooks[i](db))) {
			if (!last_error[0])
				db_set_error("registering SQL functions: %s", strerror(-err));
			goto fail;
		}
	}
	*out = db;
	return 0;
fail:
	sqlite3_close(db);
	return err;
}

void db_close(sqlite3 *db)
{
	sqlite3_close_v2(db);
}
