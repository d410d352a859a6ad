/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rx_entry (the container entrypoint's own work, analyzer/rules/_defs.sql),
 * which rx_entry_walk (analyzer/detect/entry_walk.c) fills: on a synthetic
 * case, the set it gives must be the one named here and the one the rule's
 * recursive query (kept in _defs.sql's comment) gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "casedb/db.h"
#include "casedb/sqlfuncs.h"
#include "detect/detect.h"

/*
 * Host 1; containers 1 and 2 (inits 10 and 15, started by host process 2).
 *  10 sh at 100, nginx at 550   11 (start 200) nginx    12 (300, of 11) sh
 *  13 (150) env                 14 (250, of 13) python   18 (600) child
 *  19 (120) failed exec of sh   21 (140, of 19)          24 (130) bash,
 *  which is also 10's parent (a loop)                    26 (130) busybox sh
 *  27 (200, of 26)              28 (130) argv[0] -bash   29 (200, of 28)
 *  15 snapshot runc at 50, tini at 400: 16 (300) before, 17 (500) after
 *  30, 31: each other's parent, in container 1, reached from no init
 *  3: vpid 1 on the host (not a container's init), 4 its child
 *  -5 (260, of 13) and 9223372036854775000 (140, of 10): row ids far
 *  from the others (a hand-made case may use any)
 */
static const char fixture[] =
	"INSERT INTO hosts (host_id, hostname, boot_id, boot_to_wall_ns, host_pidns, host_mntns)"
	" VALUES (1, 'h1', '00000000-0000-0000-0000-000000000001', 1700000000000000000, 100, 101);"
	"INSERT INTO containers (container_id, host_id, runtime, cid, short_id, cgroup_path) VALUES"
	" (1, 1, 'docker', 'c1', 'c1', '/c1'), (2, 1, 'docker', 'c2', 'c2', '/c2');"
	"INSERT INTO processes (proc_id, host_id, pid, start, container_id, vpid, parent_id) VALUES"
	" (2, 1, 2, 10, NULL, NULL, NULL), (3, 1, 3, 11, NULL, 1, NULL), (4, 1, 4, 200, NULL, NULL, 3),"
	" (10, 1, 10, 90, 1, 1, 24), (11, 1, 11, 200, 1, 11, 10), (12, 1, 12, 300, 1, 12, 11),"
	" (13, 1, 13, 150, 1, 13, 10), (14, 1, 14, 250, 1, 14, 13), (18, 1, 18, 600, 1, 18, 10),"
	" (19, 1, 19, 120, 1, 19, 10), (21, 1, 21, 140, 1, 21, 19), (24, 1, 24, 130, 1, 24, 10),"
	" (26, 1, 26, 130, 1, 26, 10), (27, 1, 27, 200, 1, 27, 26), (28, 1, 28, 130, 1, 28, 10),"
	" (29, 1, 29, 200, 1, 29, 28), (15, 1, 15, 40, 2, 1, 2), (16, 1, 16, 300, 2, 16, 15),"
	" (17, 1, 17, 500, 2, 17, 15), (30, 1, 30, 700, 1, 30, 31), (31, 1, 31, 710, 1, 31, 30),"
	" (-5, 1, 5, 260, 1, 5, 13), (9223372036854775000, 1, 6, 140, 1, 6, 10);"
	"INSERT INTO execs (exec_id, proc_id, host_id, pid, start, ts, kind, ret, filename, argv) VALUES"
	" (1, 10, 1, 10, 90, 100, 'exec', 0, '/bin/sh', '[\"sh\",\"/entry.sh\"]'),"
	" (2, 10, 1, 10, 90, 550, 'exec', 0, '/usr/sbin/nginx', '[\"nginx\"]'),"
	" (3, 11, 1, 11, 200, 210, 'exec', 0, '/usr/sbin/nginx', '[\"nginx\"]'),"
	" (4, 12, 1, 12, 300, 310, 'exec', 0, '/bin/sh', '[\"sh\"]'),"
	" (5, 13, 1, 13, 150, 160, 'exec', 0, '/usr/bin/env', '[\"env\",\"python3\"]'),"
	" (6, 14, 1, 14, 250, 260, 'exec', 0, '/usr/bin/python3', '[\"python3\"]'),"
	" (7, 19, 1, 19, 120, 130, 'exec', -2, '/bin/sh', '[\"sh\"]'),"
	" (8, 24, 1, 24, 130, 135, 'exec', 0, '/bin/bash', '[\"bash\"]'),"
	" (9, 26, 1, 26, 130, 135, 'exec', 0, '/bin/busybox', '[\"sh\",\"-c\",\"x\"]'),"
	" (10, 28, 1, 28, 130, 135, 'exec', 0, '/usr/local/bin/wrap', '[\"-bash\"]'),"
	" (11, 15, 1, 15, 40, 50, 'snapshot', 0, '/usr/bin/runc', '[\"runc\",\"init\"]'),"
	" (12, 15, 1, 15, 40, 400, 'exec', 0, '/sbin/tini', '[\"tini\",\"--\"]'),"
	" (13, 3, 1, 3, 11, 20, 'exec', 0, '/bin/sh', '[\"sh\"]'),"
	" (14, 30, 1, 30, 700, 705, 'exec', 0, '/bin/sh', '[\"sh\"]'),"
	" (15, 31, 1, 31, 710, 715, 'exec', 0, '/bin/sh', '[\"sh\"]');";

/* Each process of rx_entry as an alert keyed 'w<proc_id>', and each of the
 * rule's recursive query as one keyed 'q<proc_id>'. */
static const char walked[] =
	"-- id: entry-walked\n-- severity: low\n-- description: rx_entry\n"
	"SELECT 0 AS ts, 1 AS host_id, NULL AS container_id, proc_id, NULL AS pid, NULL AS start,"
	" NULL AS exec_id, NULL AS conn_id, 'w' AS message, 'w' || proc_id AS key FROM rx_entry\n";
static const char queried[] =
	"-- id: entry-queried\n-- severity: low\n-- description: the recursive query\n"
	"WITH RECURSIVE ep(proc_id) AS (\n"
	"  SELECT p.proc_id FROM processes p WHERE p.container_id IS NOT NULL AND p.vpid = 1\n"
	"  UNION\n"
	"  SELECT c.proc_id FROM ep JOIN processes c ON c.parent_id = ep.proc_id\n"
	"  WHERE (SELECT x.prog IN rx_runner OR x.ab IN rx_runner FROM rx_names x\n"
	"         WHERE x.proc_id = ep.proc_id AND x.ret = 0\n"
	"           AND (x.kind = 'exec' AND x.ts <= c.start OR x.kind = 'snapshot')\n"
	"         ORDER BY x.kind = 'exec' DESC, x.ts DESC, x.exec_id DESC LIMIT 1))\n"
	"SELECT 0 AS ts, 1 AS host_id, NULL AS container_id, proc_id, NULL AS pid, NULL AS start,"
	" NULL AS exec_id, NULL AS conn_id, 'q' AS message, 'q' || proc_id AS key FROM ep\n";

static const char *procs_of(sqlite3 *db, const char *rule)
{
	static char out[1024];
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(proc_id, ' ') FROM"
					    " (SELECT proc_id FROM alerts WHERE rule_id = ?1 ORDER BY proc_id)",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_finalize(st);
	return out;
}

static void test_entry_walk(void **state)
{
	struct exray_rule r[2];
	struct exray_ruleset rs = { 2, r };
	sqlite3 *db = NULL;
	char err[512], want[1024];

	(void)state;
	assert_int_equal(db_add_hook(exray_sqlfuncs_register), 0);
	if (db_open(&db, ":memory:", DB_OPEN_CREATE) || db_exec(db, fixture))
		fail_msg("setup: %s", db_error());
	assert_int_equal(exray_rule_parse(&r[0], "walked", walked, err, sizeof(err)), 0);
	assert_int_equal(exray_rule_parse(&r[1], "queried", queried, err, sizeof(err)), 0);
	if (exray_rules_run(db, &rs, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	snprintf(want, sizeof(want), "%s", procs_of(db, "entry-queried"));
	assert_string_equal(want, "-5 10 11 13 14 15 17 19 24 26 27 28 29 9223372036854775000");
	assert_string_equal(procs_of(db, "entry-walked"), want);
	exray_rule_free(&r[0]);
	exray_rule_free(&r[1]);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
