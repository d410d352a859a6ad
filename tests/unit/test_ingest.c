/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Ingest, through the real segment writer and reader: idempotence (the
 * same files again change nothing), incremental loads (a live segment that
 * grew adds only what is new), order independence (records, segments and
 * runs in any order give the same case), the merge of processes, and the
 * dispatch of record types without a handler.
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
#include "casedb/db.h"
#include "casefix.h"
#include "segfix.h"

static char dir[64];
static int nseg;

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
static const char *const ARGV_SH[] = { "sh", "-c", "curl x", NULL };
static const char *const ARGV_CURL[] = { "curl", "-s", "http://192.0.2.7/", NULL };

static struct exray_seg_writer *seg_open(uint8_t capture, uint64_t seq, char path[160])
{
	struct exray_seg_header h;
	char name[64];
	struct exray_seg_writer *w;

	segfix_header(&h, "h1", 1, capture, seq);
	snprintf(name, sizeof(name), "s%03d.exray.zst", nseg++);
	snprintf(path, 160, "%s/%s", dir, name);
	w = segfix_open(dir, name, &h);
	assert_non_null(w);
	return w;
}

static void seg_close(struct exray_seg_writer *w)
{
	assert_int_equal(exray_seg_writer_close(w, 1700000000000000000LL), 0);
}

/* ------------------------------------------------------------ a story */

enum op { OP_SNAP, OP_FORK, OP_EXEC, OP_EXEC_FAIL, OP_EXIT, OP_CONNECT, OP_RESULT, OP_CGROUP };

struct step {
	enum op op;
	uint64_t ts;
	int who;           /* index in tasks[] */
	const char *file;  /* exec: filename; cgroup: path */
	uint64_t sock;     /* connect/result; cgroup: id */
};

/* init (pid 1, alive at start); sh (forked by init, execs curl, connects
 * twice); its child with a failed then a good exec; a reused pid; a
 * process alive at start that connects before its exec; a container
 * process whose cgroup record comes last. */
static struct exray_task tasks[6];
static const struct step story[] = {
	{ OP_SNAP, 50, 0, "/sbin/init", 0 },
	{ OP_SNAP, 55, 4, "/usr/sbin/old", 0 },
	{ OP_CONNECT, 60, 4, NULL, 9 },
	{ OP_EXEC, 70, 4, "/usr/sbin/new", 0 },
	{ OP_FORK, 100, 1, NULL, 0 },
	{ OP_EXEC, 110, 1, "/bin/sh", 0 },
	{ OP_FORK, 115, 2, NULL, 0 },
	{ OP_EXEC_FAIL, 116, 2, "/usr/local/bin/curl", 0 },
	{ OP_EXEC, 117, 2, "/usr/bin/curl", 0 },
	{ OP_CONNECT, 120, 1, NULL, 5 },
	{ OP_RESULT, 121, 1, NULL, 5 },
	{ OP_EXIT, 125, 2, NULL, 0 },
	{ OP_EXEC, 130, 1, "/usr/bin/curl", 0 },
	{ OP_CONNECT, 140, 1, NULL, 6 },
	{ OP_RESULT, 141, 1, NULL, 6 },
	{ OP_EXIT, 150, 1, NULL, 0 },
	{ OP_FORK, 200, 3, NULL, 0 },
	{ OP_EXIT, 210, 3, NULL, 0x9 },
	{ OP_FORK, 300, 5, NULL, 0 },
	{ OP_EXEC, 310, 5, "/bin/sh", 0 },
	{ OP_CONNECT, 320, 5, NULL, 11 },
	{ OP_RESULT, 322, 5, NULL, 11 },
	{ OP_CGROUP, 400, 5, "/docker/" CID, 77 },
};
#define NSTEPS (sizeof(story) / sizeof(story[0]))

static void story_tasks(void)
{
	tasks[0] = segfix_task(1, 0, 10, 0, 1);
	tasks[1] = segfix_task(500, 1, 100, 10, 1);
	tasks[2] = segfix_task(501, 500, 115, 100, 1);
	tasks[3] = segfix_task(501, 1, 200, 10, 1);   /* pid 501 again */
	tasks[4] = segfix_task(600, 1, 20, 10, 1);
	tasks[5] = segfix_task(700, 1, 300, 10, 77);
}

static void write_step(struct exray_seg_writer *w, const struct step *s)
{
	struct exray_task t = tasks[s->who];
	const char *const *argv = s->file && strstr(s->file, "curl") ? ARGV_CURL : ARGV_SH;
	int err = 0;

	if (s->op == OP_EXEC && strstr(s->file, "curl"))
		strcpy(t.comm, "curl");
	switch (s->op) {
	case OP_SNAP: err = segfix_exec(w, EXRAY_REC_SNAPSHOT, s->ts, &t, 0, s->file, argv); break;
	case OP_FORK: err = segfix_fork(w, s->ts, &t); break;
	case OP_EXEC: err = segfix_exec(w, EXRAY_REC_EXEC, s->ts, &t, 0, s->file, argv); break;
	case OP_EXEC_FAIL: err = segfix_exec(w, EXRAY_REC_EXEC, s->ts, &t, -2, s->file, argv); break;
	case OP_EXIT: err = segfix_exit(w, s->ts, &t, (uint32_t)s->sock); break;
	case OP_CONNECT: err = segfix_connect(w, s->ts, &t, s->sock, "192.0.2.7", 80); break;
	case OP_RESULT: err = segfix_result(w, s->ts, s->sock, 40000 + s->ts, EXRAY_TCP_ESTABLISHED); break;
	case OP_CGROUP: err = segfix_cgroup(w, s->ts, s->sock, s->file); break;
	}
	assert_int_equal(err, 0);
}

/* The story's steps in `order` (indexes), the first `split` into one
 * segment and the rest into a second (split == NSTEPS: one segment). */
static int story_segments(const size_t *order, size_t split, char p1[160], char p2[160])
{
	struct exray_seg_writer *w = seg_open(7, 0, p1);

	for (size_t i = 0; i < NSTEPS; i++) {
		if (i == split) {
			seg_close(w);
			w = seg_open(7, 1, p2);
		}
		write_step(w, &story[order[i]]);
	}
	seg_close(w);
	return split < NSTEPS ? 2 : 1;
}

/* The case as its natural keys say it, without row ids (which depend on
 * the order rows were written in). */
static char *canonical(sqlite3 *db)
{
	static const char sql[] =
		"SELECT 'P', p.pid, p.start, p.ppid, p.pstart, q.pid, q.start, p.first_ts, p.last_ts,"
		" p.fork_ts, p.exit_ts, p.exit_code, p.uid, p.cgroup_id, c.cid, p.comm, e.ts,"
		" e.filename, p.flags"
		" FROM processes p LEFT JOIN processes q ON q.proc_id = p.parent_id"
		" LEFT JOIN execs e ON e.exec_id = p.exec_id"
		" LEFT JOIN containers c ON c.container_id = p.container_id"
		" UNION ALL SELECT 'E', e.pid, e.start, e.ts, e.kind, e.ret, e.filename, e.cmdline,"
		" e.argv, e.comm, c.cid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
		" FROM execs e LEFT JOIN containers c ON c.container_id = e.container_id"
		" UNION ALL SELECT 'C', k.pid, k.start, k.ts, k.daddr, k.dport, k.sport, k.state,"
		" k.result_ts, e.ts, e.filename, c.cid, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
		" FROM connections k LEFT JOIN execs e ON e.exec_id = k.exec_id"
		" LEFT JOIN containers c ON c.container_id = k.container_id"
		" ORDER BY 1, 2, 3, 4";

	return casefix_rows(db, sql);
}

static char *ingest_story(const size_t *order, size_t split, int reverse_files, int runs)
{
	char p1[160], p2[160], *got;
	sqlite3 *db = casefix_newdb();
	int n = story_segments(order, split, p1, p2);
	const char *a[] = { reverse_files && n == 2 ? p2 : p1, n == 2 ? (reverse_files ? p1 : p2) : NULL,
			    NULL };

	if (runs == 2 && n == 2) {
		const char *x[] = { a[0], NULL }, *y[] = { a[1], NULL };
		casefix_ingest(db, x, NULL);
		casefix_ingest(db, y, NULL);
	} else {
		casefix_ingest(db, a, NULL);
	}
	got = canonical(db);
	db_close(db);
	return got;
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/exray-ingest-XXXXXX");
	assert_non_null(mkdtemp(dir));
	story_tasks();
	return 0;
}

static int teardown(void **state)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* ------------------------------------------------------------ tests */

/* The same case whatever the order of records within a segment, of the
 * segments within a run, and of the runs. */
static void test_order_independence(void **state)
{
	size_t fwd[NSTEPS], rev[NSTEPS], odd[NSTEPS], k = 0;
	char *want, *got;

	for (size_t i = 0; i < NSTEPS; i++)
		fwd[i] = i, rev[i] = NSTEPS - 1 - i;
	/* every second step first, then the others */
	for (size_t i = 0; i < NSTEPS; i += 2)
		odd[k++] = i;
	for (size_t i = 1; i < NSTEPS; i += 2)
		odd[k++] = i;
	want = ingest_story(fwd, NSTEPS, 0, 1);
	assert_non_null(strstr(want, "P|700|300|1|10|1|10|300|320|300|NULL|NULL|1000|77|" CID "|test|310|/bin/sh|5;"));
	struct { const size_t *order; size_t split; int reverse, runs; } v[] = {
		{ rev, NSTEPS, 0, 1 }, { odd, NSTEPS, 0, 1 }, { fwd, NSTEPS / 2, 1, 1 },
		{ fwd, NSTEPS / 2, 1, 2 }, { rev, NSTEPS / 3, 0, 2 },
		{ rev, 2 * NSTEPS / 3, 1, 2 },
		/* not yet: a connect_result in an earlier run than its connect */
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		got = ingest_story(v[i].order, v[i].split, v[i].reverse, v[i].runs);
		if (strcmp(got, want))
			fail_msg("variant %zu differs:\n%s\nwant:\n%s", i, got, want);
		free(got);
	}
	free(want);
}

/* The merge: one row per (host, pid, start) from snapshot, fork, exec,
 * exit and connect records; the parent from the earliest record, the
 * image from the latest successful exec, a reused pid a second process. */
static void test_process_merge(void **state)
{
	size_t fwd[NSTEPS];
	char p1[160], p2[160];
	sqlite3 *db = casefix_newdb();

	for (size_t i = 0; i < NSTEPS; i++)
		fwd[i] = i;
	story_segments(fwd, NSTEPS, p1, p2);
	const char *a[] = { p1, NULL };
	casefix_ingest(db, a, NULL);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM processes"), 6);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM processes WHERE pid = 501"), 2);
	/* sh: forked, two images, exited; its current image is curl */
	char *r = casefix_rows(db, "SELECT p.flags, p.fork_ts, p.exit_ts, p.first_ts, p.last_ts,"
				   " e.filename, q.pid FROM processes p JOIN execs e ON e.exec_id = p.exec_id"
				   " JOIN processes q ON q.proc_id = p.parent_id WHERE p.pid = 500");
	assert_string_equal(r, "13|100|150|100|150|/usr/bin/curl|1;");
	free(r);
	/* the child: a failed exec does not change the image */
	assert_int_equal(casefix_int(db, "SELECT e.ts FROM processes p JOIN execs e ON e.exec_id = p.exec_id"
					 " WHERE p.pid = 501 AND p.start = 115"), 117);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM execs WHERE pid = 501 AND ret = -2"), 1);
	/* the reused pid: its own parent (init), killed by signal 9 */
	assert_int_equal(casefix_int(db, "SELECT signal FROM processes WHERE pid = 501 AND start = 200"), 9);
	assert_int_equal(casefix_int(db, "SELECT q.pid FROM processes p JOIN processes q ON q.proc_id ="
					 " p.parent_id WHERE p.pid = 501 AND p.start = 200"), 1);
	/* connections take the image running then: the snapshot before the
	 * exec, sh before curl, curl after */
	r = casefix_rows(db, "SELECT k.sock, e.filename, k.sport, k.state FROM connections k"
			     " JOIN execs e ON e.exec_id = k.exec_id ORDER BY k.ts");
	assert_string_equal(r, "9|/usr/sbin/old|0|syn_sent;5|/bin/sh|40121|established;"
			       "6|/usr/bin/curl|40141|established;11|/bin/sh|40322|established;");
	free(r);
	/* a cgroup record after the rows using it still names their container */
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM connections k JOIN containers c"
					 " USING (container_id) WHERE k.pid = 700 AND c.cid = '" CID "'"), 1);
	db_close(db);
}

/* The same files again change nothing; a live copy (no footer) then the
 * whole file gives the case the whole file gives at once. */
static void test_idempotent_incremental(void **state)
{
	char p[160], live[200], cmd[420], *once, *inc, *again;
	sqlite3 *db = casefix_newdb(), *db2 = casefix_newdb();
	struct exray_seg_writer *w = seg_open(8, 0, p);
	struct ingest_stats st;

	for (size_t i = 0; i < NSTEPS; i++) {
		write_step(w, &story[i]);
		if (i == NSTEPS / 2) {
			assert_int_equal(exray_seg_flush(w), 0);
			snprintf(live, sizeof(live), "%s/live.bin", dir);
			snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", p, live);
			assert_int_equal(system(cmd), 0);
		}
	}
	seg_close(w);
	const char *full[] = { p, NULL }, *half[] = { live, NULL };
	casefix_ingest(db, full, &st);
	assert_int_equal(st.records_new, NSTEPS);
	once = canonical(db);
	casefix_ingest(db, full, &st);
	assert_int_equal(st.records_new, 0);
	assert_int_equal(st.files_unchanged, 1);
	casefix_ingest(db, half, &st);
	assert_int_equal(st.records_new, 0);
	again = canonical(db);
	assert_string_equal(again, once);
	assert_int_equal(casefix_int(db, "SELECT sum(records) FROM segment_frames"), NSTEPS);

	casefix_ingest(db2, half, &st);
	assert_int_equal(st.records_new, NSTEPS / 2 + 1);
	casefix_ingest(db2, full, &st);
	assert_int_equal(st.records_new, NSTEPS - (NSTEPS / 2 + 1));
	inc = canonical(db2);
	assert_string_equal(inc, once);
	free(once);
	free(inc);
	free(again);
	db_close(db);
	db_close(db2);
}

/* A type without a handler (container identity, for now) is counted and
 * skipped; the records around it load. */
static void test_unhandled_type(void **state)
{
	char p[160];
	sqlite3 *db = casefix_newdb();
	struct exray_seg_writer *w = seg_open(9, 0, p);
	struct exray_task t = segfix_task(42, 1, 100, 10, 1);
	struct { struct exray_container c; char kv[16]; } rec = { 0 };
	struct ingest_stats st;

	rec.c.hdr = (struct exray_rec_hdr){ EXRAY_REC_CONTAINER, 0, sizeof(rec), 105 };
	rec.c.cgroup_id = 77;
	rec.c.kv_len = 6;
	memcpy(rec.kv, "id\0x\0", 6);
	assert_int_equal(segfix_fork(w, 100, &t), 0);
	assert_int_equal(exray_seg_append(w, &rec, sizeof(rec)), 0);
	assert_int_equal(segfix_exit(w, 110, &t, 0), 0);
	seg_close(w);
	const char *a[] = { p, NULL };
	casefix_ingest(db, a, &st);
	assert_int_equal(st.records_new, 3);
	assert_int_equal(st.by_type[EXRAY_REC_CONTAINER], 1);
	assert_int_equal(st.issues, 0);
	assert_int_equal(casefix_int(db, "SELECT exit_ts FROM processes WHERE pid = 42"), 110);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_independence),
		cmocka_unit_test(test_process_merge),
		cmocka_unit_test(test_idempotent_incremental),
		cmocka_unit_test(test_unhandled_type),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
