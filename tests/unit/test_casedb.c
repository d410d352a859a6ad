/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The case database file (analyzer/casedb/db.c): created 0600 whatever the
 * umask, an existing wider one reported, symlinks never followed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "casedb/db.h"

static char dir[64];

static int setup(void **state)
{
	strcpy(dir, "/tmp/exray-casedb-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static unsigned mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Created 0600 under any umask, and so are its WAL and shared-memory files. */
static void test_created_private(void **state)
{
	static const mode_t masks[] = { 0, 022, 0277 };
	char path[128], wal[140];

	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		sqlite3 *db;
		mode_t old = umask(masks[i]);

		snprintf(path, sizeof(path), "%s/case%zu.db", dir, i);
		assert_int_equal(db_open(&db, path, DB_OPEN_CREATE), 0);
		assert_int_equal(db_exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE t(x);"
					     "INSERT INTO t VALUES (1)"), 0);
		snprintf(wal, sizeof(wal), "%s-wal", path);
		assert_int_equal(mode_of(wal), 0600);
		db_close(db);
		umask(old);
		assert_int_equal(mode_of(path), 0600);
	}
}

/* An existing database keeps its mode (the analyst's choice), and
 * db_file_mode says what it is so commands can warn. */
static void test_existing_wider_reported(void **state)
{
	char path[128];
	unsigned mode = 0;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/wide.db", dir);
	assert_int_equal(db_open(&db, path, DB_OPEN_CREATE), 0);
	db_close(db);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(db_open(&db, path, DB_OPEN_CREATE), 0);
	db_close(db);
	assert_int_equal(db_file_mode(path, &mode), 0);
	assert_int_equal(mode, 0644);
	assert_int_equal(db_file_mode(":memory:", &mode), -ENOENT);
}

/* A symlink planted under the database's name is not followed. */
static void test_symlink_refused(void **state)
{
	char path[128], target[128];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/link.db", dir);
	snprintf(target, sizeof(target), "%s/elsewhere.db", dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_not_equal(db_open(&db, path, DB_OPEN_CREATE), 0);
	assert_int_equal(access(target, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_created_private),
		cmocka_unit_test(test_existing_wider_reported),
		cmocka_unit_test(test_symlink_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
