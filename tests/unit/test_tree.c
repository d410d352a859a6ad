/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Ingest and process-tree building from synthetic segments: pid reuse,
 * snapshot without fork, exit before exec, thread exec, out-of-order
 * records and segments, deep (10,000 levels) and wide trees, idempotent and
 * incremental ingest, torn segments, connection -> exec image.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "segfix.h"
#include "casedb/db.h"
#include "ingest/ingest.h"
#include "render/tree.h"

static char dir[64];
static int nseg;

static const char *const ARGV_SH[] = { "sh", "-c", "x", NULL };

static struct exray_seg_writer *seg_open(uint64_t seq, char *path_out)
{
	struct exray_seg_header h;
	char name[96];

	segfix_header(&h, "h1", 1, 7, seq);
	snprintf(name, sizeof(name), "s%03d.exray.zst", nseg++);
	if (path_out)
		snprintf(path_out, 160, "%s/%s", dir, name);
	struct exray_seg_writer *w = segfix_open(dir, name, &h);
	assert_non_null(w);
	return w;
}

static void seg_close(struct exray_seg_writer *w)
{
	assert_int_equal(exray_seg_writer_close(w, 1700000000000000000LL), 0);
}

static int ingest_paths(sqlite3 *db, const char *const *paths, unsigned long long *issues)
{
	struct ingest *in;
	char msg[256];
	int err = ingest_begin(&in, db, NULL);

	assert_int_equal(err, 0);
	for (; *paths; paths++)
		assert_int_equal(ingest_file(in, *paths, msg, sizeof(msg)), 0);
	assert_int_equal(ingest_finish(in), 0);
	if (issues)
		*issues = ingest_get_stats(in)->issues;
	ingest_free(in);
	return 0;
}

static long long q(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -2 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static sqlite3 *newdb(void)
{
	sqlite3 *db;

	assert_int_equal(db_open(&db, ":memory:", DB_OPEN_CREATE), 0);
	return db;
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/exray-tree-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_merge_cases(void **state)
{
	char path[160];
	struct exray_seg_writer *w = seg_open(0, path);
	sqlite3 *db = newdb();
	/* pid reuse: two processes with pid 500, distinct starts */
	struct exray_task a = segfix_task(500, 1, 1000, 10, 1), b = segfix_task(500, 1, 5000, 10, 1);
	struct exray_task ca = segfix_task(501, 500, 1100, 1000, 1), cb = segfix_task(502, 500, 5100, 5000, 1);
	/* snapshot then exec, no fork */
	struct exray_task s = segfix_task(600, 1, 50, 10, 1);
	/* exit recorded before the exec (another CPU) */
	struct exray_task x = segfix_task(700, 1, 2000, 10, 1);
	/* thread exec */
	struct exray_task th = segfix_task(800, 1, 3000, 10, 1);
	struct exray_task init = segfix_task(1, 0, 10, 0, 1);

	th.tid = 801;
	assert_int_equal(segfix_exec(w, EXRAY_REC_SNAPSHOT, 60, &init, 0, "/sbin/init", NULL), 0);
	segfix_fork(w, 1000, &a);
	segfix_exec(w, EXRAY_REC_EXEC, 1010, &a, 0, "/bin/a", ARGV_SH);
	segfix_fork(w, 1100, &ca);
	segfix_exit(w, 1200, &a, 0);
	segfix_fork(w, 5000, &b);
	segfix_exec(w, EXRAY_REC_EXEC, 5010, &b, 0, "/bin/b", ARGV_SH);
	segfix_fork(w, 5100, &cb);
	segfix_exec(w, EXRAY_REC_SNAPSHOT, 70, &s, 0, "/bin/old", ARGV_SH);
	segfix_connect(w, 80, &s, 42, "192.0.2.1", 80);            /* before its exec */
	segfix_exec(w, EXRAY_REC_EXEC, 90, &s, 0, "/bin/new", ARGV_SH);
	segfix_connect(w, 95, &s, 43, "192.0.2.2", 81);            /* after */
	segfix_result(w, 96, 43, 33333, EXRAY_TCP_CLOSE);
	segfix_exit(w, 2100, &x, 9);                               /* killed, before exec */
	segfix_exec(w, EXRAY_REC_EXEC, 2050, &x, 0, "/bin/x", ARGV_SH);
	segfix_fork(w, 2000, &x);
	segfix_exec(w, EXRAY_REC_EXEC, 3010, &th, 0, "/bin/th", ARGV_SH);
	seg_close(w);

	const char *paths[] = { path, NULL };
	ingest_paths(db, paths, NULL);
	assert_int_equal(q(db, "SELECT count(*) FROM processes WHERE pid=500"), 2);
	assert_int_equal(q(db, "SELECT p.start FROM processes c JOIN processes p ON p.proc_id=c.parent_id WHERE c.pid=501"), 1000);
	assert_int_equal(q(db, "SELECT p.start FROM processes c JOIN processes p ON p.proc_id=c.parent_id WHERE c.pid=502"), 5000);
	assert_int_equal(q(db, "SELECT count(*) FROM processes WHERE pid=600"), 1);
	assert_int_equal(q(db, "SELECT flags & 6 FROM processes WHERE pid=600"), 6);
	assert_int_equal(q(db, "SELECT e.ts FROM processes p JOIN execs e ON e.exec_id=p.exec_id WHERE p.pid=600"), 90);
	/* connection -> image then */
	assert_int_equal(q(db, "SELECT e.kind='snapshot' FROM connections k JOIN execs e USING (exec_id) WHERE k.sock=42"), 1);
	assert_int_equal(q(db, "SELECT e.ts FROM connections k JOIN execs e ON e.exec_id=k.exec_id WHERE k.sock=43"), 90);
	assert_int_equal(q(db, "SELECT sport FROM connections WHERE sock=43"), 33333);
	assert_int_equal(q(db, "SELECT state='failed' FROM connections WHERE sock=43"), 1);
	/* exit before exec */
	assert_int_equal(q(db, "SELECT exit_ts FROM processes WHERE pid=700"), 2100);
	/* raw status 9: killed by SIGKILL, no exit code */
	assert_int_equal(q(db, "SELECT exit_status FROM processes WHERE pid=700"), 9);
	assert_int_equal(q(db, "SELECT signal FROM processes WHERE pid=700"), 9);
	assert_int_equal(q(db, "SELECT exit_code IS NULL FROM processes WHERE pid=700"), 1);
	assert_int_equal(q(db, "SELECT fork_ts FROM processes WHERE pid=700"), 2000);
	assert_int_equal(q(db, "SELECT first_ts FROM processes WHERE pid=700"), 2000);
	assert_int_equal(q(db, "SELECT e.filename='/bin/x' FROM processes p JOIN execs e ON e.exec_id=p.exec_id WHERE p.pid=700"), 1);
	/* thread exec */
	assert_int_equal(q(db, "SELECT count(*) FROM processes WHERE pid=800"), 1);
	assert_int_equal(q(db, "SELECT tid FROM execs WHERE pid=800"), 801);
	/* tree: one root per host group, everything printed */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct tree_opts o = { .pid = -1, .since = INT64_MIN, .until = INT64_MAX };
	assert_int_equal(tree_print(db, &o, f), q(db, "SELECT count(*) FROM processes"));
	fclose(f);
	assert_non_null(strstr(buf, "[killed by signal 9]"));
	free(buf);
	db_close(db);
}

static void test_out_of_order_segments(void **state)
{
	char p1[160], p2[160];
	sqlite3 *db = newdb();
	struct exray_task par = segfix_task(900, 1, 100, 10, 1), kid = segfix_task(901, 900, 200, 100, 1);
	struct exray_seg_writer *w = seg_open(1, p1);

	segfix_fork(w, 200, &kid);
	seg_close(w);
	w = seg_open(0, p2);
	segfix_fork(w, 100, &par);
	seg_close(w);
	const char *a[] = { p1, NULL }, *b[] = { p2, NULL };
	ingest_paths(db, a, NULL);
	assert_int_equal(q(db, "SELECT parent_id IS NULL FROM processes WHERE pid=901"), 1);
	ingest_paths(db, b, NULL);
	assert_int_equal(q(db, "SELECT p.pid FROM processes c JOIN processes p ON p.proc_id=c.parent_id WHERE c.pid=901"), 900);
	db_close(db);
}

static void check_tree_count(sqlite3 *db, long long n, int json, const char *needle)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct tree_opts o = { .pid = -1, .since = INT64_MIN, .until = INT64_MAX, .json = json };

	assert_int_equal(tree_print(db, &o, f), n);
	fclose(f);
	if (needle)
		assert_non_null(strstr(buf, needle));
	free(buf);
}

static void test_deep_and_wide(void **state)
{
	char p[160];
	sqlite3 *db = newdb();
	struct exray_seg_writer *w = seg_open(0, p);
	const int deep = 10000, wide = 3000;

	for (int i = 0; i < deep; i++) {
		struct exray_task t = segfix_task(10000 + i, i ? 10000 + i - 1 : 1, 1000 + i,
						  i ? 1000 + i - 1 : 10, 1);
		assert_int_equal(segfix_fork(w, 1000 + i, &t), 0);
	}
	for (int i = 0; i < wide; i++) {
		struct exray_task t = segfix_task(40000 + i, 10000, 50000 + i, 1000, 1);
		assert_int_equal(segfix_fork(w, 50000 + i, &t), 0);
	}
	seg_close(w);
	const char *a[] = { p, NULL };
	ingest_paths(db, a, NULL);
	check_tree_count(db, deep + wide, 0, "[depth 9999]");
	check_tree_count(db, deep + wide, 1, "\"depth\":9999,");
	db_close(db);
}

static long long total_rows(sqlite3 *db)
{
	return q(db, "SELECT (SELECT count(*) FROM processes)+(SELECT count(*) FROM execs)*1000"
		     "+(SELECT count(*) FROM connections)*1000000+(SELECT sum(records) FROM segments)*1000000000");
}

static void test_idempotent_incremental_torn(void **state)
{
	char p[160], grown[200], torn[200], cmd[600];
	sqlite3 *db = newdb();
	struct exray_seg_writer *w = seg_open(0, p);
	unsigned long long issues = 0;

	for (int i = 0; i < 200; i++) {
		struct exray_task t = segfix_task(20000 + i, 1, 100 + i, 10, 1);
		segfix_fork(w, 100 + i, &t);
		segfix_exec(w, EXRAY_REC_EXEC, 100 + i, &t, 0, "/bin/true", ARGV_SH);
		segfix_connect(w, 101 + i, &t, 1000 + i, "198.51.100.1", 443);
		if (i == 99) {
			/* a live copy: first half only, no footer */
			assert_int_equal(exray_seg_flush(w), 0);
			snprintf(grown, sizeof(grown), "%s/live.bin", dir);
			snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", p, grown);
			assert_int_equal(system(cmd), 0);
		}
	}
	seg_close(w);
	const char *live[] = { grown, NULL }, *full[] = { p, NULL };
	ingest_paths(db, live, NULL);
	assert_int_equal(q(db, "SELECT count(*) FROM processes"), 100);
	ingest_paths(db, full, NULL);
	assert_int_equal(q(db, "SELECT count(*) FROM processes"), 200);
	assert_int_equal(q(db, "SELECT count(*) FROM execs"), 200);
	assert_int_equal(q(db, "SELECT count(*) FROM connections"), 200);
	long long before = total_rows(db);
	ingest_paths(db, full, NULL);
	ingest_paths(db, live, NULL);
	assert_int_equal(total_rows(db), before);

	/* torn: cut the file in the middle of its last frame */
	sqlite3 *db2 = newdb();
	snprintf(torn, sizeof(torn), "%s/torn.bin", dir);
	snprintf(cmd, sizeof(cmd), "head -c $(( $(stat -c %%s '%s') - 40 )) '%s' > '%s'", p, p, torn);
	assert_int_equal(system(cmd), 0);
	const char *t[] = { torn, NULL };
	ingest_paths(db2, t, &issues);
	assert_true(issues >= 1);
	assert_true(q(db2, "SELECT count(*) FROM processes") >= 100);
	assert_true(q(db2, "SELECT count(*) FROM segment_issues") >= 1);
	db_close(db2);
	db_close(db);
}

/* exray tree --pid N: the ancestor chain (marked, one line each) down to
 * each process with pid N, then its subtree; nothing else. */
static void test_pid_ancestors(void **state)
{
	char p[160], *buf = NULL;
	size_t len = 0;
	sqlite3 *db = newdb();
	struct exray_seg_writer *w = seg_open(0, p);
	struct exray_task init = segfix_task(1, 0, 10, 0, 1), a = segfix_task(70, 1, 100, 10, 1),
			  b = segfix_task(71, 70, 200, 100, 1), n = segfix_task(72, 71, 300, 200, 1),
			  kid = segfix_task(73, 72, 400, 300, 1), other = segfix_task(80, 1, 500, 10, 1);

	segfix_exec(w, EXRAY_REC_SNAPSHOT, 50, &init, 0, "/sbin/init", NULL);
	segfix_fork(w, 100, &a);
	segfix_exec(w, EXRAY_REC_EXEC, 110, &a, 0, "/usr/bin/sshd", ARGV_SH);
	segfix_connect(w, 120, &a, 7, "192.0.2.9", 22);
	segfix_fork(w, 200, &b);
	segfix_fork(w, 300, &n);
	segfix_exec(w, EXRAY_REC_EXEC, 310, &n, 0, "/bin/target", ARGV_SH);
	segfix_fork(w, 400, &kid);
	segfix_exec(w, EXRAY_REC_EXEC, 410, &kid, 0, "/bin/kid", ARGV_SH);
	segfix_fork(w, 500, &other);
	segfix_exec(w, EXRAY_REC_EXEC, 510, &other, 0, "/bin/other", ARGV_SH);
	seg_close(w);
	const char *paths[] = { p, NULL };
	ingest_paths(db, paths, NULL);

	FILE *f = open_memstream(&buf, &len);
	struct tree_opts o = { .pid = 72, .since = INT64_MIN, .until = INT64_MAX };
	assert_int_equal(tree_print(db, &o, f), 2); /* 72 and its child */
	fclose(f);
	char *i1 = strstr(buf, "^ "), *ia = strstr(buf, "/usr/bin/sshd"), *in = strstr(buf, "/bin/target"),
	     *ik = strstr(buf, "/bin/kid");
	assert_non_null(i1);
	assert_non_null(ia);
	assert_non_null(in);
	assert_non_null(ik);
	assert_true(i1 < ia && ia < in && in < ik);
	assert_null(strstr(buf, "/bin/other"));
	assert_null(strstr(buf, "192.0.2.9")); /* an ancestor is one line */
	assert_non_null(strstr(buf, "  ^ ")); /* ancestors indented by depth */
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	o.json = 1;
	assert_int_equal(tree_print(db, &o, f), 2);
	fclose(f);
	assert_non_null(strstr(buf, "\"depth\":0,\"ancestor\":true,"));
	assert_non_null(strstr(buf, "\"depth\":3,\"proc_id\""));  /* 72 under 1, 70, 71 */
	assert_non_null(strstr(buf, "\"depth\":4,\"proc_id\""));  /* its child */
	free(buf);
	db_close(db);
}

/* The rows of a query, "a|b|...;" each, for exact comparisons. */
static char *rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int c = 0; c < sqlite3_column_count(st); c++)
			fprintf(f, "%s%s", sqlite3_column_text(st, c) ? (const char *)sqlite3_column_text(st, c) : "NULL",
				c + 1 < sqlite3_column_count(st) ? "|" : ";");
	sqlite3_finalize(st);
	fclose(f);
	return buf;
}

static void assert_rows(sqlite3 *db, const char *sql, const char *want)
{
	char *got = rows(db, sql);

	assert_string_equal(got, want);
	free(got);
}

/* v_ancestry: the ancestors of a process are exactly its parent chain,
 * depth 1 = parent, whichever side the query filters on; a process with no
 * recorded parent has none. */
#define ANC_SQL(where)                                                                             \
	"SELECT x.pid, y.pid, a.depth FROM v_ancestry a JOIN processes x ON x.proc_id = a.proc_id " \
	"JOIN processes y ON y.proc_id = a.ancestor_id WHERE " where " ORDER BY x.pid, a.depth"

static void test_ancestry_view(void **state)
{
	char p[160], sql[512], want[128], file[160];
	sqlite3 *db;
	struct exray_seg_writer *w = seg_open(0, p);
	struct exray_task init = segfix_task(1, 0, 10, 0, 1), a = segfix_task(70, 1, 100, 10, 1),
			  b = segfix_task(71, 70, 200, 100, 1), n = segfix_task(72, 71, 300, 200, 1),
			  kid = segfix_task(73, 72, 400, 300, 1), other = segfix_task(80, 1, 500, 10, 1);
	const int deep = 3000;

	/* a schema 1.0 database, whose v_ancestry was another view: opening
	 * it read-write replaces the view */
	snprintf(file, sizeof(file), "%s/anc.db", dir);
	assert_int_equal(db_open(&db, file, DB_OPEN_CREATE), 0);
	assert_int_equal(db_exec(db, "DROP VIEW v_ancestry; CREATE VIEW v_ancestry AS SELECT 1 AS proc_id, "
				     "2 AS ancestor_id, 3 AS depth; PRAGMA user_version = 100"), 0);
	db_close(db);
	assert_int_equal(db_open(&db, file, 0), 0);
	assert_int_equal(q(db, "PRAGMA user_version"), DB_SCHEMA_VERSION);

	segfix_exec(w, EXRAY_REC_SNAPSHOT, 50, &init, 0, "/sbin/init", NULL);
	segfix_fork(w, 100, &a);
	segfix_fork(w, 200, &b);
	segfix_fork(w, 300, &n);
	segfix_fork(w, 400, &kid);
	segfix_fork(w, 500, &other);
	/* a chain of `deep` processes under `other` */
	for (int i = 0; i < deep; i++) {
		struct exray_task t = segfix_task(1000 + i, i ? 1000 + i - 1 : 80, 1000 + i, i ? 1000 + i - 1 : 500, 1);
		assert_int_equal(segfix_fork(w, 1000 + i, &t), 0);
	}
	seg_close(w);
	const char *paths[] = { p, NULL };
	ingest_paths(db, paths, NULL);

	assert_rows(db, ANC_SQL("x.pid = 73"), "73|72|1;73|71|2;73|70|3;73|1|4;");
	assert_rows(db, ANC_SQL("x.pid = 70"), "70|1|1;");
	assert_rows(db, ANC_SQL("x.pid = 1"), "");
	assert_rows(db, ANC_SQL("y.pid = 70"), "71|70|1;72|70|2;73|70|3;");
	assert_rows(db, ANC_SQL("a.proc_id IN (SELECT proc_id FROM processes WHERE pid < 1000)"),
		    "70|1|1;71|70|1;71|1|2;72|71|1;72|70|2;72|1|3;73|72|1;73|71|2;73|70|3;73|1|4;80|1|1;");
	/* the deepest process: one row per level, ancestor pid = its pid - depth
	 * along the chain, then `other` and init */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*), min(depth), max(depth), count(DISTINCT ancestor_id), "
		 "sum(y.pid = %d - a.depth) FROM v_ancestry a JOIN processes y ON y.proc_id = a.ancestor_id "
		 "WHERE a.proc_id = (SELECT proc_id FROM processes WHERE pid = %d)",
		 1000 + deep - 1, 1000 + deep - 1);
	snprintf(want, sizeof(want), "%d|1|%d|%d|%d;", deep + 1, deep + 1, deep + 1, deep - 1);
	assert_rows(db, sql, want);
	assert_rows(db, ANC_SQL("x.pid = 1000 + 2999 AND a.depth > 2999"), "3999|80|3000;3999|1|3001;");
	db_close(db);
}

/* A cgroup record that arrives after the rows using its id (later in the
 * same run, or in a later run) re-attributes them to the container. */
static void test_late_cgroup(void **state)
{
	static const char cid[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char p1[160], p2[160], path[128];
	sqlite3 *db = newdb(), *db2 = newdb();
	struct exray_task t = segfix_task(90, 1, 100, 10, 77), u = segfix_task(91, 1, 150, 10, 78);
	struct exray_seg_writer *w = seg_open(0, p1);

	snprintf(path, sizeof(path), "/docker/%s", cid);
	segfix_fork(w, 100, &t);
	segfix_exec(w, EXRAY_REC_EXEC, 110, &t, 0, "/bin/sh", ARGV_SH);
	segfix_connect(w, 120, &t, 9, "203.0.113.5", 443);
	segfix_fork(w, 150, &u);
	segfix_exec(w, EXRAY_REC_EXEC, 160, &u, 0, "/bin/sh", ARGV_SH);
	segfix_cgroup(w, 170, 78, "/docker/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
	seg_close(w);
	w = seg_open(1, p2);
	segfix_cgroup(w, 200, 77, path);
	seg_close(w);

	/* cgroup 77 in a later run */
	const char *a[] = { p1, NULL }, *b[] = { p2, NULL }, *both[] = { p1, p2, NULL };
	ingest_paths(db, a, NULL);
	assert_int_equal(q(db, "SELECT count(*) FROM processes WHERE pid=90 AND container_id IS NULL"), 1);
	/* cgroup 78 came later in the same run */
	assert_int_equal(q(db, "SELECT count(*) FROM processes p JOIN containers c USING (container_id)"
			       " WHERE p.pid=91 AND c.cid LIKE 'fedcba%'"), 1);
	assert_int_equal(q(db, "SELECT count(*) FROM execs e JOIN containers c USING (container_id)"
			       " WHERE e.pid=91 AND c.cid LIKE 'fedcba%'"), 1);
	ingest_paths(db, b, NULL);
	for (int i = 0; i < 2; i++) {
		sqlite3 *d = i ? db2 : db;
		if (i)
			ingest_paths(db2, both, NULL); /* one run, record in the 2nd file */
		assert_int_equal(q(d, "SELECT count(*) FROM processes p JOIN containers c USING (container_id)"
				      " WHERE p.pid=90 AND c.runtime='docker' AND c.cid LIKE '0123%'"), 1);
		assert_int_equal(q(d, "SELECT count(*) FROM execs e JOIN containers c USING (container_id)"
				      " WHERE e.pid=90 AND c.cid LIKE '0123%'"), 1);
		assert_int_equal(q(d, "SELECT count(*) FROM connections k JOIN containers c USING (container_id)"
				      " WHERE k.pid=90 AND c.cid LIKE '0123%'"), 1);
	}
	db_close(db);
	db_close(db2);
}

/*
 * Schema 1.2: processes.exit_code is the exit code and signal the signal
 * that ended the process; a 1.1 case (exit_code holding the raw wait
 * status) is migrated on its first open, also by a read-only command.
 */
static void test_exit_schema_upgrade(void **state)
{
	char path[160], file[128];
	struct exray_seg_writer *w = seg_open(0, path);
	struct exray_task a = segfix_task(40, 1, 100, 10, 1), b = segfix_task(41, 1, 110, 10, 1);
	sqlite3 *db;

	segfix_fork(w, 100, &a);
	segfix_fork(w, 110, &b);
	segfix_exit(w, 200, &a, 3 << 8);
	segfix_exit(w, 210, &b, 15);
	seg_close(w);
	snprintf(file, sizeof(file), "%s/old.db", dir);
	assert_int_equal(db_open(&db, file, DB_OPEN_CREATE), 0);
	const char *paths[] = { path, NULL };
	ingest_paths(db, paths, NULL);
	/* make it a 1.1 case: the raw status in exit_code, no signal column */
	assert_int_equal(db_exec(db, "DROP VIEW v_processes; ALTER TABLE processes DROP COLUMN signal;"
				     "ALTER TABLE processes DROP COLUMN exit_code;"
				     "ALTER TABLE processes RENAME COLUMN exit_status TO exit_code;"
				     "CREATE VIEW v_processes AS SELECT proc_id, exit_code FROM processes;"
				     "PRAGMA user_version = 101"), 0);
	assert_int_equal(q(db, "SELECT exit_code FROM processes WHERE pid = 41"), 15);
	db_close(db);

	assert_int_equal(db_open(&db, file, DB_OPEN_READONLY), 0);
	assert_int_equal(q(db, "PRAGMA user_version"), DB_SCHEMA_VERSION);
	assert_int_equal(q(db, "SELECT exit_code FROM processes WHERE pid = 40"), 3);
	assert_int_equal(q(db, "SELECT signal FROM processes WHERE pid = 40"), -2);
	assert_int_equal(q(db, "SELECT exit_code FROM processes WHERE pid = 41"), -2);
	assert_int_equal(q(db, "SELECT signal FROM v_processes WHERE pid = 41"), 15);
	assert_int_equal(q(db, "SELECT exit_status FROM processes WHERE pid = 41"), 15);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_cases),
		cmocka_unit_test(test_out_of_order_segments),
		cmocka_unit_test(test_deep_and_wide),
		cmocka_unit_test(test_idempotent_incremental_torn),
		cmocka_unit_test(test_pid_ancestors),
		cmocka_unit_test(test_ancestry_view),
		cmocka_unit_test(test_late_cgroup),
		cmocka_unit_test(test_exit_schema_upgrade),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
