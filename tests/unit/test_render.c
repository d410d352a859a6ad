/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the renderers show (issue 18): one time conversion everywhere, range
 * checked; processes alive at capture start with their real start time; a
 * parent cycle in crafted input shown, not lost; a --since after the
 * capture's end shows nothing; failed execs by errno name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "segfix.h"
#include "casedb/completeness.h"
#include "casedb/db.h"
#include "ingest/ingest.h"
#include "render/alerts.h"
#include "render/tree.h"
#include "text/counts.h"
#include "text/timefmt.h"
#include "cmd/commands.h"

static char dir[64];
static int nseg;
static const char *const ARGV_X[] = { "x", "--flag", NULL };

static int setup(void **state)
{
	strcpy(dir, "/tmp/exray-render-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* A segment of host h1 with boot-to-wall offset b2w; path_out gets its path. */
static struct exray_seg_writer *seg_open(int64_t b2w, char path_out[160])
{
	struct exray_seg_header h;
	char name[64];

	segfix_header(&h, "h1", 1, 7, 0);
	h.boot_to_wall_ns = b2w;
	snprintf(name, sizeof(name), "r%03d.exray.zst", nseg++);
	snprintf(path_out, 160, "%s/%s", dir, name);
	struct exray_seg_writer *w = segfix_open(dir, name, &h);
	assert_non_null(w);
	return w;
}

/* A fresh in-memory case holding the one segment at path. */
static sqlite3 *case_of(const char *path, struct exray_seg_writer *w, int64_t b2w)
{
	struct ingest *in;
	sqlite3 *db;
	char msg[256];

	assert_int_equal(exray_seg_writer_close(w, b2w), 0);
	assert_int_equal(db_open(&db, ":memory:", DB_OPEN_CREATE), 0);
	assert_int_equal(ingest_begin(&in, db, NULL), 0);
	assert_int_equal(ingest_file(in, path, msg, sizeof(msg)), 0);
	assert_int_equal(ingest_finish(in), 0);
	ingest_free(in);
	return db;
}

/* tree_print into a string (freed by the caller); *n gets its return. */
static char *tree_text(sqlite3 *db, struct tree_opts o, long long *n)
{
	FILE *f = tmpfile();
	char *out;
	long len;

	assert_non_null(f);
	*n = tree_print(db, &o, f);
	len = ftell(f);
	rewind(f);
	out = calloc(1, (size_t)len + 1);
	assert_non_null(out);
	assert_int_equal(fread(out, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return out;
}

static const char *q1(sqlite3 *db, const char *sql)
{
	static char out[256];
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, sizeof(out), "%s",
		 sqlite3_column_type(st, 0) == SQLITE_NULL ? "NULL" : (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

#define ALL { .pid = -1, .since = INT64_MIN, .until = INT64_MAX }

/* A (pid 10) and B (pid 11) name each other as parent: only crafted input
 * can, but neither they nor C under them may vanish from the tree. */
static void test_parent_cycle(void **state)
{
	char p[160];
	struct exray_seg_writer *w = seg_open(1700000000000000000LL, p);
	struct exray_task a = segfix_task(10, 11, 100, 200, 1), b = segfix_task(11, 10, 200, 100, 1),
			  c = segfix_task(12, 10, 300, 100, 1), init = segfix_task(1, 0, 5, 0, 1);
	long long n;

	segfix_exec(w, EXRAY_REC_SNAPSHOT, 1000, &init, 0, "/sbin/init", NULL);
	segfix_exec(w, EXRAY_REC_SNAPSHOT, 1000, &a, 0, "/bin/a", ARGV_X);
	segfix_exec(w, EXRAY_REC_SNAPSHOT, 1000, &b, 0, "/bin/b", ARGV_X);
	segfix_fork(w, 1100, &c);
	sqlite3 *db = case_of(p, w, 1700000000000000000LL);
	char *out = tree_text(db, (struct tree_opts)ALL, &n);

	assert_int_equal(n, 4);
	assert_non_null(strstr(out, "/bin/a"));
	assert_non_null(strstr(out, "/bin/b"));
	assert_non_null(strstr(out, " 12 uid="));
	char *mark = strstr(out, "[parent cycle]");
	assert_non_null(mark);
	assert_null(strstr(mark + 1, "[parent cycle]")); /* one cut per cycle */
	free(out);
	/* --pid: the ancestor chain of 12 lists each of the cycle once */
	struct tree_opts o = ALL;
	o.pid = 12;
	out = tree_text(db, o, &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "^ "));
	char *first = strstr(out, "/bin/b");
	assert_non_null(first);
	assert_null(strstr(first + 1, "/bin/b"));
	free(out);
	o = (struct tree_opts)ALL;
	o.json = 1;
	out = tree_text(db, o, &n);
	assert_non_null(strstr(out, "\"parent_cycle\":true"));
	free(out);
	db_close(db);
}

/* A process alive at capture start shows its real start (the kernel's
 * start_boottime), marked, in the tree and in v_processes. */
static void test_already_running(void **state)
{
	const int64_t b2w = 1700000000000000000LL;
	char p[160], want[TIMEFMT_LEN + 8];
	struct exray_seg_writer *w = seg_open(b2w, p);
	struct exray_task old = segfix_task(20, 1, 5000000000ULL, 5, 1),
			  young = segfix_task(21, 20, 9100000000ULL, 5000000000ULL, 1);
	long long n;

	segfix_exec(w, EXRAY_REC_SNAPSHOT, 9000000000ULL, &old, 0, "/usr/sbin/sshd", ARGV_X);
	segfix_fork(w, 9100000000ULL, &young);
	sqlite3 *db = case_of(p, w, b2w);
	char *out = tree_text(db, (struct tree_opts)ALL, &n);

	assert_int_equal(n, 2);
	char tb[TIMEFMT_LEN];
	snprintf(want, sizeof(want), "%s 20 uid=1000 [already running] ", timefmt_rfc3339(tb, b2w + 5000000000LL));
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "%s 21 uid=1000 (", timefmt_rfc3339(tb, b2w + 9100000000LL));
	assert_non_null(strstr(out, want));
	assert_int_equal(strstr(out, "[already running]") - out, strrchr(out, ']') - out - 16);
	free(out);
	assert_string_equal(q1(db, "SELECT group_concat(pid || ':' || already_running || ':' || time, ' ')"
				   " FROM (SELECT * FROM v_processes ORDER BY pid)"),
			    "20:1:2023-11-14T22:13:25.000Z 21:0:2023-11-14T22:13:29.100Z");
	struct tree_opts o = ALL;
	o.json = 1;
	out = tree_text(db, o, &n);
	assert_non_null(strstr(out, "\"already_running\":true"));
	free(out);
	db_close(db);
}

/* An offset that pushes times past 64 bits: no wrapped date anywhere, the
 * same "no date" in the tree, its JSON, the views and wall_time(). */
static void test_time_out_of_range(void **state)
{
	const int64_t b2w = INT64_MAX - 1000;
	char p[160];
	struct exray_seg_writer *w = seg_open(b2w, p);
	struct exray_task t = segfix_task(30, 1, 100000, 5, 1);
	long long n;

	segfix_fork(w, 100000, &t);
	segfix_exec(w, EXRAY_REC_EXEC, 100010, &t, -2, "/no/such", ARGV_X);
	sqlite3 *db = case_of(p, w, b2w);
	char *out = tree_text(db, (struct tree_opts)ALL, &n);

	assert_int_equal(n, 1);
	assert_non_null(strstr(out, TIMEFMT_OUT_OF_RANGE " 30 uid="));
	assert_null(strstr(out, "1677-")); /* a wrapped sum would land there */
	/* and the failed exec says why by name */
	assert_non_null(strstr(out, "[failed: ENOENT]"));
	free(out);
	struct tree_opts o = ALL;
	o.json = 1;
	out = tree_text(db, o, &n);
	assert_non_null(strstr(out, "\"time\":null"));
	assert_non_null(strstr(out, "\"error\":\"ENOENT\""));
	free(out);
	assert_string_equal(q1(db, "SELECT coalesce(time, 'NULL') || ' ' || coalesce(wall_ns, 'NULL') FROM v_execs"),
			    "NULL NULL");
	assert_string_equal(q1(db, "SELECT wall_time(ts, boot_to_wall_ns) FROM execs JOIN hosts USING (host_id)"),
			    "NULL");
	db_close(db);
}

/* Run an exray command with stdout captured (returned, malloc'd). */
static char *run_cmd(int (*fn)(int, char **), char **argv, int *rc)
{
	FILE *f = tmpfile();
	int saved = dup(STDOUT_FILENO), argc = 0;
	char *out;
	long len;

	while (argv[argc])
		argc++;
	fflush(stdout);
	dup2(fileno(f), STDOUT_FILENO);
	*rc = fn(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	len = lseek(fileno(f), 0, SEEK_END);
	out = calloc(1, (size_t)len + 1);
	assert_non_null(out);
	assert_int_equal(pread(fileno(f), out, (size_t)len, 0), len);
	fclose(f);
	return out;
}

/* run_cmd, stderr captured too (*err, malloc'd). */
static char *run_cmd2(int (*fn)(int, char **), char **argv, int *rc, char **err)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	long len;
	char *out;

	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	out = run_cmd(fn, argv, rc);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	len = lseek(fileno(f), 0, SEEK_END);
	*err = calloc(1, (size_t)len + 1);
	assert_non_null(*err);
	assert_int_equal(pread(fileno(f), *err, (size_t)len, 0), len);
	fclose(f);
	return out;
}

/* dump: the same conversion: a time without a date is null, never a
 * wrapped date; a normal one is the tree's text. */
static void test_dump_time(void **state)
{
	char p[160], q[160];
	struct exray_seg_writer *w = seg_open(INT64_MAX - 1000, p);
	struct exray_task t = segfix_task(50, 1, 100000, 5, 1);
	int rc;

	segfix_fork(w, 100000, &t);
	assert_int_equal(exray_seg_writer_close(w, INT64_MAX - 1000), 0);
	w = seg_open(1700000000000000000LL, q);
	segfix_fork(w, 100000, &t);
	assert_int_equal(exray_seg_writer_close(w, 1700000000000000000LL), 0);
	char *argv[] = { "dump", "-t", "fork", p, q, NULL };
	char *out = run_cmd(cmd_dump, argv, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "\"ts\":100000,\"time\":null,"));
	assert_non_null(strstr(out, "\"ts\":100000,\"time\":\"2023-11-14T22:13:20.000100000Z\","));
	assert_null(strstr(out, "1677-"));
	free(out);
}

/* Two loss counts near 2^64 add up to a saturated count, said as such,
 * not to the 3 a wrapping sum gives. */
static void test_loss_saturates(void **state)
{
	char p[160], cb[COUNT_TEXT_LEN];
	struct exray_seg_writer *w = seg_open(1700000000000000000LL, p);
	struct ingest *in;
	sqlite3 *db;
	int rc;

	segfix_loss(w, 1000, EXRAY_REC_EXEC, 0, UINT64_MAX - 10);
	segfix_loss(w, 2000, EXRAY_REC_EXEC, 1, 14);
	segfix_loss(w, 2000, EXRAY_REC_FORK, 1, 7);
	assert_int_equal(exray_seg_writer_close(w, 1700000000000000000LL), 0);
	char *argv[] = { "info", p, NULL };
	char *out = run_cmd(cmd_info, argv, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "lost: exec 18446744073709551615 (saturated), fork 7\n"));
	free(out);
	char *jargv[] = { "info", "--json", p, NULL };
	out = run_cmd(cmd_info, jargv, &rc);
	assert_non_null(strstr(out, "\"lost_saturated\":[\"exec\"]"));
	free(out);
	assert_int_equal(db_open(&db, ":memory:", DB_OPEN_CREATE), 0);
	assert_int_equal(ingest_begin(&in, db, NULL), 0);
	assert_int_equal(ingest_file(in, p, cb, sizeof(cb)), 0);
	assert_true(count_saturated(ingest_get_stats(in)->lost[EXRAY_REC_EXEC]));
	assert_int_equal(ingest_get_stats(in)->lost[EXRAY_REC_FORK], 7);
	ingest_free(in);
	db_close(db);
	assert_string_equal(count_text(cb, 17234), "17,234");
	assert_string_equal(count_text(cb, 999), "999");
	assert_string_equal(count_text(cb, COUNT_SATURATED),
			    "more than 18,446,744,073,709,551,614 (counter saturated)");
	assert_int_equal(count_add(UINT64_MAX - 10, 14), COUNT_SATURATED);
}

/* A segment of capture 9 and sequence seq (path in path_out). */
static struct exray_seg_writer *seg_open_seq(uint64_t seq, char path_out[160])
{
	struct exray_seg_header h;
	char name[64];

	segfix_header(&h, "h1", 1, 9, seq);
	snprintf(name, sizeof(name), "c%03d.exray.zst", nseg++);
	snprintf(path_out, 160, "%s/%s", dir, name);
	struct exray_seg_writer *w = segfix_open(dir, name, &h);
	assert_non_null(w);
	return w;
}

/* What a case misses, in one place: losses per type with when they were
 * reported (saturated when crafted), damage, a sequence gap, a capture
 * without its start; the sentences check, tree and the report print. */
static void test_completeness(void **state)
{
	char p0[160], p2[160], line[512];
	struct exray_task t = segfix_task(60, 1, 1000, 5, 1);
	struct completeness c;
	struct ingest *in;
	sqlite3 *db;

	struct exray_seg_writer *w = seg_open_seq(0, p0);
	segfix_fork(w, 1000000000, &t);
	segfix_loss(w, 1000000000, EXRAY_REC_EXEC, 0, 17000);
	segfix_loss(w, 3000000000ULL, EXRAY_REC_EXEC, 1, 234);
	segfix_loss(w, 3000000000ULL, EXRAY_REC_FORK, 1, UINT64_MAX - 1);
	segfix_loss(w, 3000000000ULL, EXRAY_REC_FORK, 0, 9);
	assert_int_equal(exray_seg_writer_close(w, 1700000000000000000LL), 0);
	w = seg_open_seq(2, p2); /* seq 1 is missing */
	segfix_fork(w, 4000000000ULL, &t);
	assert_int_equal(exray_seg_flush(w), 0);
	segfix_exit(w, 5000000000ULL, &t, 0);
	assert_int_equal(exray_seg_writer_close(w, 1700000000000000000LL), 0);
	struct stat sb;
	assert_int_equal(stat(p2, &sb), 0);
	assert_int_equal(truncate(p2, sb.st_size - 40), 0); /* torn: footer and the end of a frame */

	assert_int_equal(db_open(&db, ":memory:", DB_OPEN_CREATE), 0);
	assert_int_equal(ingest_begin(&in, db, NULL), 0);
	assert_int_equal(ingest_file(in, p0, line, sizeof(line)), 0);
	ingest_file(in, p2, line, sizeof(line));
	assert_int_equal(ingest_finish(in), 0);
	ingest_free(in);

	assert_int_equal(completeness_read(db, &c), 0);
	assert_false(completeness_whole(&c));
	assert_true(count_saturated(c.lost));
	assert_int_equal(c.n_loss, 2);
	assert_int_equal(completeness_count(&c), 4);
	completeness_sentence(&c, 0, line, sizeof(line)); /* most lost first */
	assert_string_equal(line, "more than 18,446,744,073,709,551,614 (counter saturated) fork events lost"
				  " in the kernel, reported at 2023-11-14T22:13:23Z");
	completeness_sentence(&c, 1, line, sizeof(line));
	assert_string_equal(line, "17,234 exec events lost in the kernel, reported between"
				  " 2023-11-14T22:13:21Z and 2023-11-14T22:13:23Z");
	completeness_sentence(&c, 2, line, sizeof(line));
	assert_non_null(strstr(line, "1 damaged place skipped in 1 segment ("));
	assert_non_null(strstr(line, "a torn tail: the recorder stopped mid-write): the events in it are missing"));
	completeness_sentence(&c, 3, line, sizeof(line));
	assert_string_equal(line, "1 segment is missing from the middle of a capture (sequence gaps):"
				  " the events in it are missing");
	completeness_free(&c);

	/* the same through check, tree and verify */
	int rc;
	char *argv[] = { "check", "-d", ":memory:", p0, p2, NULL };
	char *err = NULL, *out = run_cmd2(cmd_check, argv, &rc, &err);
	assert_non_null(strstr(err, "check: incomplete: 17,234 exec events lost in the kernel, reported between"
				    " 2023-11-14T22:13:21Z and 2023-11-14T22:13:23Z: alerts may be missing\n"));
	free(out);
	free(err);
	char *vargv[] = { "verify", p0, NULL };
	out = run_cmd(cmd_verify, vargv, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, ": ok, more than 18,446,744,073,709,551,614 (counter saturated) events lost in the kernel, "));
	free(out);
	db_close(db);
}

/* No floods: a group over --limit is summarised first and says how many
 * it left out; kernel threads are hidden unless --all. */
static void test_tree_limits(void **state)
{
	char p[160];
	struct exray_seg_writer *w = seg_open(1700000000000000000LL, p);
	struct exray_task root = segfix_task(100, 1, 1000, 5, 77), kt = segfix_task(3, 2, 50, 1, 0);
	struct tree_stats st;
	long long n;

	segfix_cgroup(w, 900, 77, "/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	segfix_fork(w, 1000, &root);
	for (int i = 1; i < 10; i++) {
		struct exray_task c = segfix_task(100 + i, 100, 1000 + i, 1000, 77);
		segfix_fork(w, 1000 + i, &c);
	}
	segfix_exec(w, EXRAY_REC_SNAPSHOT, 900, &kt, 0, "", NULL);
	sqlite3 *db = case_of(p, w, 1700000000000000000LL);
	assert_int_equal(db_exec(db, "UPDATE processes SET flags = flags | 16 WHERE pid = 3"), 0);
	struct tree_opts o = ALL;
	FILE *f = tmpfile();

	o.limit = 4;
	n = tree_print_stats(db, &o, f, &st);
	assert_int_equal(n, 4);
	assert_int_equal(st.over_limit, 6);
	assert_int_equal(st.kthreads, 1);
	fclose(f);
	char *out = tree_text(db, o, &n);
	assert_true(!strncmp(out, "tree: 10 processes in 1 group; at most 4 shown per group", 56));
	assert_non_null(strstr(out, "  host h1: container 0123456789ab docker: 10 processes (limited)\n"));
	assert_non_null(strstr(out, "  ... 6 more processes in this group"));
	assert_null(strstr(out, " 3 uid="));
	free(out);
	o.limit = 0;
	o.all = 1;
	out = tree_text(db, o, &n);
	assert_int_equal(n, 11); /* the kernel thread too */
	assert_null(strstr(out, "tree: "));
	free(out);
	db_close(db);
}

/* execvp's PATH lookup leaves failed execs of one name and argv: folded
 * into the exec that worked, or into one line when none did. */
static void test_path_lookups_folded(void **state)
{
	static const char *const ARGV_LS[] = { "ls", "-l", NULL };
	char p[160];
	struct exray_seg_writer *w = seg_open(1700000000000000000LL, p);
	struct exray_task a = segfix_task(200, 1, 1000, 5, 1), b = segfix_task(201, 1, 2000, 5, 1);
	long long n;

	segfix_fork(w, 1000, &a);
	segfix_exec(w, EXRAY_REC_EXEC, 1001, &a, -2, "/usr/local/sbin/ls", ARGV_LS);
	segfix_exec(w, EXRAY_REC_EXEC, 1002, &a, -2, "/usr/local/bin/ls", ARGV_LS);
	segfix_exec(w, EXRAY_REC_EXEC, 1003, &a, 0, "/usr/bin/ls", ARGV_LS);
	segfix_fork(w, 2000, &b);
	segfix_exec(w, EXRAY_REC_EXEC, 2001, &b, -2, "/usr/local/sbin/nosuch", ARGV_X);
	segfix_exec(w, EXRAY_REC_EXEC, 2002, &b, -13, "/usr/local/bin/nosuch", ARGV_X);
	segfix_exec(w, EXRAY_REC_EXEC, 2003, &b, -2, "/usr/bin/nosuch", ARGV_X);
	sqlite3 *db = case_of(p, w, 1700000000000000000LL);
	struct tree_opts o = ALL;
	char *out = tree_text(db, o, &n);

	assert_non_null(strstr(out, " 200 uid=1000 /usr/bin/ls ls -l [after 2 PATH misses: /usr/local/sbin/ /usr/local/bin/]\n"));
	assert_non_null(strstr(out, "| exec 2023-11-14T22:13:20.000002001Z /usr/local/sbin/nosuch x --flag"
				    " [failed: ENOENT in 3 PATH directories: /usr/local/sbin/ /usr/local/bin/ /usr/bin/]\n"));
	assert_null(strstr(out, "| exec 2023-11-14T22:13:20.000001001Z"));
	free(out);
	o.all = 1;
	out = tree_text(db, o, &n);
	assert_non_null(strstr(out, "| exec 2023-11-14T22:13:20.000001001Z /usr/local/sbin/ls ls -l [failed: ENOENT]\n"));
	assert_non_null(strstr(out, "| exec 2023-11-14T22:13:20.000002002Z /usr/local/bin/nosuch x --flag [failed: EACCES]\n"));
	free(out);
	db_close(db);
}

/* 50 alerts of three rules: a summary and three of each, not 50 lines;
 * --all every one; a limit cuts and says how many it left. */
static void test_alerts_summarised(void **state)
{
	static const char sql[] =
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)"
		" SELECT 'rule-' || (i % 3) AS rule_id, CASE i % 3 WHEN 0 THEN 'high' ELSE 'medium' END"
		" AS severity, printf('2024-01-01T00:00:%02dZ', i) AS time, i, 'h', 'c', i, 1, NULL, NULL, NULL, NULL, NULL,"
		" NULL, 'alert ' || i, i, NULL, NULL FROM n";
	struct alerts_opts o = { 0 };
	long long shown, total;
	sqlite3 *db;
	FILE *f = tmpfile();
	char buf[8192];
	size_t len;

	assert_int_equal(db_open(&db, ":memory:", DB_OPEN_CREATE), 0);
	total = alerts_print(db, sql, &o, f, &shown);
	assert_int_equal(total, 50);
	assert_int_equal(shown, 9);
	len = fread(buf, 1, sizeof(buf) - 1, (rewind(f), f));
	buf[len] = 0;
	assert_true(!strncmp(buf, "50 alerts; by rule", 18));
	assert_non_null(strstr(buf, "  high     rule-0                                  16  2024-01-01T00:00:03Z .. 2024-01-01T00:00:48Z\n"));
	assert_non_null(strstr(buf, "  ... 14 more rule-1 alerts\n"));
	fclose(f);
	f = tmpfile();
	o.all = true;
	assert_int_equal(alerts_print(db, sql, &o, f, &shown), 50);
	assert_int_equal(shown, 50);
	fclose(f);
	f = tmpfile();
	o.limit = 5;
	assert_int_equal(alerts_print(db, sql, &o, f, &shown), 50);
	assert_int_equal(shown, 5);
	len = fread(buf, 1, sizeof(buf) - 1, (rewind(f), f));
	buf[len] = 0;
	assert_non_null(strstr(buf, "  ... 45 more alerts (-n N for another limit, --all for every one)\n"));
	fclose(f);
	/* a long message (argv) is cut in text, whole with wide */
	static const char long_sql[] =
		"SELECT 'r', 'high', '2024-01-01T00:00:00Z', 1, 'h', 'c', 1, 1, NULL, NULL, NULL, NULL, NULL,"
		" NULL, 'run ' || replace(printf('%.1000c', 'x'), ' ', 'x') || ' END', 1, NULL, NULL";
	o = (struct alerts_opts){ 0 };
	f = tmpfile();
	assert_int_equal(alerts_print(db, long_sql, &o, f, &shown), 1);
	len = fread(buf, 1, sizeof(buf) - 1, (rewind(f), f));
	buf[len] = 0;
	assert_non_null(strstr(buf, "xxx\xe2\x80\xa6\n"));
	assert_null(strstr(buf, " END"));
	assert_true(len < 400);
	fclose(f);
	o.wide = true;
	f = tmpfile();
	assert_int_equal(alerts_print(db, long_sql, &o, f, &shown), 1);
	len = fread(buf, 1, sizeof(buf) - 1, (rewind(f), f));
	buf[len] = 0;
	assert_non_null(strstr(buf, "xxx END\n"));
	fclose(f);
	db_close(db);
}

/* The views' plain-SQL time is timefmt's, digit for digit (truncated to
 * the ms, floor for times before 1970, NULL out of range). */
static void test_views_match_timefmt(void **state)
{
	static const int64_t b2ws[] = { 0, 1700000000000000000LL, -1700000000000000000LL, INT64_MAX,
					INT64_MIN, 1763707721000000000LL };
	static const int64_t tss[] = { 0, 1, 999999, 999999999, 1000000000, 137810513, 86399999999999LL,
				       INT64_MAX, -1 /* a u64 above INT64_MAX as SQLite stores it */ };
	sqlite3 *db;
	sqlite3_stmt *st;
	int rows = 0;

	assert_int_equal(db_open(&db, ":memory:", DB_OPEN_CREATE), 0);
	for (size_t i = 0; i < sizeof(b2ws) / sizeof(b2ws[0]); i++) {
		char sql[256];
		snprintf(sql, sizeof(sql), "INSERT INTO hosts(host_id,hostname,boot_id,boot_to_wall_ns)"
					   " VALUES (%zu,'h%zu','b',%lld)", i + 1, i, (long long)b2ws[i]);
		assert_int_equal(db_exec(db, sql), 0);
		for (size_t k = 0; k < sizeof(tss) / sizeof(tss[0]); k++) {
			snprintf(sql, sizeof(sql), "INSERT INTO execs(proc_id,host_id,pid,start,ts,kind,ret)"
						   " VALUES (1,%zu,1,1,%lld,'exec',0)", i + 1, (long long)tss[k]);
			assert_int_equal(db_exec(db, sql), 0);
		}
	}
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT e.ts, h.boot_to_wall_ns, v.time, v.wall_ns,"
						" wall_time(e.ts, h.boot_to_wall_ns, 3)"
						" FROM v_execs v JOIN execs e USING (exec_id) JOIN hosts h ON h.host_id = e.host_id",
					 -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t wall;
		char want[TIMEFMT_LEN];
		const char *got = (const char *)sqlite3_column_text(st, 2), *fn = (const char *)sqlite3_column_text(st, 4);
		int ok = !timefmt_wall((uint64_t)sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), &wall);

		rows++;
		if (!ok) {
			assert_null(got);
			assert_null(fn);
			assert_int_equal(sqlite3_column_type(st, 3), SQLITE_NULL);
			continue;
		}
		timefmt_rfc3339_digits(want, wall, 3);
		assert_non_null(got);
		assert_string_equal(got, want);
		assert_string_equal(fn, want);
		assert_int_equal(sqlite3_column_int64(st, 3), wall);
	}
	sqlite3_finalize(st);
	assert_int_equal(rows, 54);
	db_close(db);
}

/* Processes never seen exiting live to the end of the recording, not
 * forever: --since after the capture's end shows nothing. */
static void test_since_after_end(void **state)
{
	const int64_t b2w = 1700000000000000000LL;
	char p[160];
	struct exray_seg_writer *w = seg_open(b2w, p);
	struct exray_task t = segfix_task(40, 1, 1000, 5, 1), u = segfix_task(41, 1, 2000, 5, 1);
	long long n;

	segfix_fork(w, 1000, &t);
	segfix_fork(w, 2000, &u);
	segfix_exit(w, 3000, &u, 0);
	sqlite3 *db = case_of(p, w, b2w);
	struct tree_opts o = ALL;

	o.since = b2w + 5000;
	free(tree_text(db, o, &n));
	assert_int_equal(n, 0);
	o.since = b2w + 2500; /* 40 (no exit seen) was alive then; 41 too */
	free(tree_text(db, o, &n));
	assert_int_equal(n, 2);
	o.since = b2w + 3500; /* 41 had exited; 40 lives to the end (3000) */
	free(tree_text(db, o, &n));
	assert_int_equal(n, 0);
	o.since = b2w + 3000;
	free(tree_text(db, o, &n));
	assert_int_equal(n, 2);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parent_cycle),
		cmocka_unit_test(test_already_running),
		cmocka_unit_test(test_time_out_of_range),
		cmocka_unit_test(test_views_match_timefmt),
		cmocka_unit_test(test_since_after_end),
		cmocka_unit_test(test_dump_time),
		cmocka_unit_test(test_loss_saturates),
		cmocka_unit_test(test_completeness),
		cmocka_unit_test(test_tree_limits),
		cmocka_unit_test(test_path_lookups_folded),
		cmocka_unit_test(test_alerts_summarised),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
