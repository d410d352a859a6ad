/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Ingest, through the real segment writer and reader: idempotence (the
 * same files again change nothing), incremental loads (a live segment that
 * grew adds only what is new), order independence (records, segments and
 * runs in any order give the same case), the merge of processes, every
 * family of what a process did (1.2) in its table, view and tree line, an
 * older case upgraded, and the dispatch of record types without a handler.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "casedb/db.h"
#include "casefix.h"
#include "render/tree.h"
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
static int frame_each; /* write_step: one frame per record */
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
	if (frame_each)
		assert_int_equal(exray_seg_flush(w), 0);
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

/* batch > 0: a frame per record and a commit every `batch` records, so
 * that batch boundaries fall everywhere (a process is written and
 * forgotten between its records, a result comes a batch after its
 * connect). */
static char *ingest_story(const size_t *order, size_t split, int reverse_files, int runs,
			  unsigned batch)
{
	char p1[160], p2[160], *got;
	sqlite3 *db = casefix_newdb();
	int n;

	frame_each = batch > 0;
	n = story_segments(order, split, p1, p2);
	frame_each = 0;
	const char *a[] = { reverse_files && n == 2 ? p2 : p1, n == 2 ? (reverse_files ? p1 : p2) : NULL,
			    NULL };

	if (runs == 2 && n == 2) {
		const char *x[] = { a[0], NULL }, *y[] = { a[1], NULL };
		casefix_ingest_batch(db, x, NULL, batch);
		casefix_ingest_batch(db, y, NULL, batch);
	} else {
		casefix_ingest_batch(db, a, NULL, batch);
	}
	got = canonical(db);
	db_close(db);
	return got;
}

/* The story's steps forward, backward, and every second step first. */
static void story_orders(size_t *fwd, size_t *rev, size_t *odd)
{
	size_t k = 0;

	for (size_t i = 0; i < NSTEPS; i++)
		fwd[i] = i, rev[i] = NSTEPS - 1 - i;
	for (size_t i = 0; i < NSTEPS; i += 2)
		odd[k++] = i;
	for (size_t i = 1; i < NSTEPS; i += 2)
		odd[k++] = i;
}

/* A run stopped (Ctrl-C) after its first file, with batches committed and
 * nothing of its end (links, results, indexes) done; then the same
 * ingest re-run. */
static char *ingest_interrupted(const size_t *order, size_t split, unsigned batch, int *marked)
{
	char p1[160], p2[160], msg[256], *got;
	volatile sig_atomic_t stop = 0;
	sqlite3 *db = casefix_newdb();
	struct ingest *in;

	frame_each = 1;
	assert_int_equal(story_segments(order, split, p1, p2), 2);
	frame_each = 0;
	const char *a[] = { p1, p2, NULL };
	assert_int_equal(ingest_begin(&in, db, NULL), 0);
	ingest_set_batch(in, batch);
	ingest_set_stop(in, &stop);
	assert_int_equal(ingest_file(in, p1, msg, sizeof(msg)), 0);
	stop = 1;
	assert_int_equal(ingest_file(in, p2, msg, sizeof(msg)), -EINTR);
	ingest_free(in);
	*marked = ingest_unfinished(db);
	casefix_ingest_batch(db, a, NULL, batch);
	assert_int_equal(ingest_unfinished(db), 0);
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
	size_t fwd[NSTEPS], rev[NSTEPS], odd[NSTEPS];
	char *want, *got;

	story_orders(fwd, rev, odd);
	want = ingest_story(fwd, NSTEPS, 0, 1, 0);
	assert_non_null(strstr(want, "P|700|300|1|10|1|10|300|320|300|NULL|NULL|1000|77|" CID "|test|310|/bin/sh|5;"));
	struct { const size_t *order; size_t split; int reverse, runs; unsigned batch; } v[] = {
		{ rev, NSTEPS, 0, 1, 0 }, { odd, NSTEPS, 0, 1, 0 }, { fwd, NSTEPS / 2, 1, 1, 0 },
		{ fwd, NSTEPS / 2, 1, 2, 0 }, { rev, NSTEPS / 3, 0, 2, 0 },
		{ rev, 2 * NSTEPS / 3, 1, 2, 0 },
		/* a connect_result in an earlier run than its connect */
		{ odd, NSTEPS / 2, 1, 2, 0 }, { odd, NSTEPS / 2, 0, 2, 0 },
		/* batch boundaries everywhere */
		{ fwd, NSTEPS, 0, 1, 1 }, { rev, NSTEPS, 0, 1, 1 }, { odd, NSTEPS, 0, 1, 2 },
		{ fwd, NSTEPS / 2, 1, 1, 1 }, { odd, NSTEPS / 2, 0, 2, 3 }, { rev, NSTEPS / 3, 1, 2, 1 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		got = ingest_story(v[i].order, v[i].split, v[i].reverse, v[i].runs, v[i].batch);
		if (strcmp(got, want))
			fail_msg("variant %zu differs:\n%s\nwant:\n%s", i, got, want);
		free(got);
	}
	free(want);
}

/* An interrupted run is marked unfinished, and re-running the same
 * ingest gives the case an uninterrupted run gives. */
static void test_interrupted_resume(void **state)
{
	size_t fwd[NSTEPS], rev[NSTEPS], odd[NSTEPS];
	char *want, *got;
	int marked;

	story_orders(fwd, rev, odd);
	want = ingest_story(fwd, NSTEPS, 0, 1, 0);
	struct { const size_t *order; size_t split; unsigned batch; } v[] = {
		{ fwd, NSTEPS / 2, 1 }, { rev, NSTEPS / 2, 1 }, { odd, NSTEPS / 2, 2 },
		{ rev, 2 * NSTEPS / 3, 1 }, { odd, NSTEPS / 3, 1 }, { fwd, NSTEPS - 1, 1 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		got = ingest_interrupted(v[i].order, v[i].split, v[i].batch, &marked);
		assert_int_equal(marked, 1);
		if (strcmp(got, want))
			fail_msg("variant %zu differs after resuming:\n%s\nwant:\n%s", i, got, want);
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

/* A process's comm and credentials are its own (its exec, snapshot, fork
 * or main thread's), never those of the thread that connected or exited
 * last, whatever the order of records and runs (issue 18 item 12). */
static void test_thread_identity(void **state)
{
	char p1[160], p2[160];
	struct exray_task a = segfix_task(800, 1, 100, 10, 1), b = segfix_task(900, 1, 40, 10, 1);
	struct exray_task athr, bthr;
	struct exray_seg_writer *w = seg_open(12, 0, p1);

	strcpy(a.comm, "nginx");
	a.uid = a.euid = 0;
	athr = a;
	athr.tid = 801;
	athr.uid = athr.euid = 33;
	strcpy(athr.comm, "worker");
	bthr = b;
	bthr.tid = 901;
	strcpy(bthr.comm, "GC thread");
	strcpy(b.comm, "java");
	/* run 1: nginx's threads, java's thread only */
	assert_int_equal(segfix_connect(w, 120, &athr, 1, "192.0.2.1", 80), 0);
	assert_int_equal(segfix_exit(w, 130, &athr, 0), 0);
	assert_int_equal(segfix_connect(w, 200, &bthr, 2, "192.0.2.1", 80), 0);
	seg_close(w);
	/* run 2: the records of the processes themselves, older */
	w = seg_open(12, 1, p2);
	assert_int_equal(segfix_fork(w, 100, &a), 0);
	assert_int_equal(segfix_exec(w, EXRAY_REC_EXEC, 110, &a, 0, "/usr/sbin/nginx", ARGV_SH), 0);
	assert_int_equal(segfix_exec(w, EXRAY_REC_SNAPSHOT, 50, &b, 0, "/usr/bin/java", ARGV_SH), 0);
	seg_close(w);
	const char *one[] = { p1, NULL }, *two[] = { p2, NULL }, *both[] = { p2, p1, NULL };
	static const char want[] = "800|nginx|0|0|1;900|java|1000|1000|1;";
	for (int order = 0; order < 3; order++) {
		sqlite3 *db = casefix_newdb();
		if (order == 0) {
			casefix_ingest(db, one, NULL);
			char *r = casefix_rows(db, "SELECT pid, comm, uid, euid, ident_own FROM processes ORDER BY pid");
			/* only a thread's records so far: the best there is */
			assert_string_equal(r, "800|worker|33|33|0;900|GC thread|1000|1000|0;");
			free(r);
			casefix_ingest(db, two, NULL);
		} else if (order == 1) {
			casefix_ingest(db, two, NULL);
			casefix_ingest(db, one, NULL);
		} else {
			casefix_ingest(db, both, NULL);
		}
		char *r = casefix_rows(db, "SELECT pid, comm, uid, euid, ident_own FROM processes ORDER BY pid");
		if (strcmp(r, want))
			fail_msg("order %d: %s", order, r);
		free(r);
		/* the acting thread stays on its rows */
		assert_int_equal(casefix_int(db, "SELECT count(*) FROM connections WHERE comm IN"
						 " ('worker', 'GC thread') AND tid IN (801, 901)"), 2);
		db_close(db);
	}
}

/* What a process did (1.2), one family after another, by a process in a
 * docker container that execs a dropper through a relative path: each row
 * in its family's table, linked to the process, to the image running then
 * and to the container; failed attempts kept; the views and the tree show
 * them, escaped. */
static void write_acts(struct exray_seg_writer *w, const struct exray_task *sh,
		       const struct exray_task *victim)
{
	static const char *const argv[] = { "./x", NULL };
	struct exray_task t = *sh, thr = *sh;
	struct exray_exec_ext x = { .cap_effective = 0x1ff, .exe_ino = 1234,
				    .exe_dev = (8 << 20) | 1, .exe_flags = EXRAY_EXE_UPPER_LAYER,
				    .tty = (136 << 20) | 0 };

	thr.tid = sh->pid + 1;
	strcpy(thr.comm, "worker");
	assert_int_equal(segfix_fork(w, 1000, sh), 0);
	assert_int_equal(segfix_exec(w, EXRAY_REC_EXEC, 1010, sh, 0, "/bin/sh", ARGV_SH), 0);
	/* written as /bin/sh: linked to the sh image */
	struct exray_file wr = { .hdr = { .ts = 1020, .flags = EXRAY_F_FILE_SENSITIVE |
							      EXRAY_F_FILE_OTHER_MOUNT }, .task = t,
				 .op = EXRAY_FILE_WRITE, .open_flags = 01 };
	assert_int_equal(segfix_file(w, &wr, "/etc/passwd", NULL), 0);
	struct exray_file ch = { .hdr = { .ts = 1030, .flags = EXRAY_F_FILE_EXEC_BITS }, .task = thr,
				 .op = EXRAY_FILE_CHMOD, .mode = 04755 };
	assert_int_equal(segfix_file(w, &ch, "/tmp/x", NULL), 0);
	/* a refused mknod of /dev/mem's numbers */
	struct exray_file mk = { .hdr = { .ts = 1035, .flags = EXRAY_F_FILE_EXEC_BITS }, .task = t,
				 .op = EXRAY_FILE_CREATE, .ret = -1, .mode = 020666, .rdev = 1 << 20 | 1 };
	assert_int_equal(segfix_file(w, &mk, "/tmp/mem", NULL), 0);
	struct exray_file rn = { .hdr = { .ts = 1040 }, .task = t, .op = EXRAY_FILE_RENAME, .ret = -13 };
	assert_int_equal(segfix_file(w, &rn, "/tmp/x", "/usr/bin/\x1b[31mx"), 0);
	strcpy(t.comm, "x");
	assert_int_equal(segfix_exec_ext(w, EXRAY_REC_EXEC, 1100, &t, 0, "./x", argv, &x, "/tmp/x",
					 "/tmp"), 0);
	struct exray_priv pv = { .hdr = { .ts = 1200 }, .task = t, .op = EXRAY_PRIV_SETUID,
				 .old_ids = { 1000, 1000, 1000 }, .new_ids = { 0, 0, 0 },
				 .cap_effective_old = 0, .cap_effective = 0x1ff };
	assert_int_equal(segfix_priv(w, &pv), 0);
	struct exray_priv pf = { .hdr = { .ts = 1210 }, .task = t, .op = EXRAY_PRIV_SETRESGID,
				 .ret = -1, .old_ids = { 1000, 1000, 1000 }, .new_ids = { 1000, 1000, 1000 } };
	assert_int_equal(segfix_priv(w, &pf), 0);
	struct exray_ns ns = { .hdr = { .ts = 1300 }, .task = t, .op = EXRAY_NS_SETNS,
			       .nstypes = EXRAY_NSB_NET | EXRAY_NSB_MNT, .target_pid = 1,
			       .target_ns = 4026531840u };
	assert_int_equal(segfix_ns(w, &ns, "/proc/1/ns/net", NULL, NULL), 0);
	struct exray_ns mnt = { .hdr = { .ts = 1310 }, .task = t, .op = EXRAY_NS_MOUNT, .ret = -1 };
	assert_int_equal(segfix_ns(w, &mnt, "/mnt", "/dev/sda1", "ext4"), 0);
	struct exray_ptrace pt = { .hdr = { .ts = 1400 }, .task = t, .op = EXRAY_PTRACE_ATTACH,
				   .request = 16, .target_pid = victim->pid };
	assert_int_equal(segfix_ptrace(w, &pt), 0);
	assert_int_equal(segfix_connect(w, 1450, &t, 0xabc, "192.0.2.2", 4444), 0);
	struct exray_socket so = { .hdr = { .ts = 1500 }, .task = t, .op = EXRAY_SOCKET_DUP_STDIO,
				   .peer_family = EXRAY_FAMILY_V4, .dport = 4444, .family = 2,
				   .sock_type = 1, .fd = 0, .oldfd = 3, .sock = 0xabc,
				   .daddr = { 192, 0, 2, 2 } };
	assert_int_equal(segfix_socket(w, &so), 0);
	struct exray_socket raw = { .hdr = { .ts = 1510 }, .task = t, .op = EXRAY_SOCKET_RAW,
				    .family = 2, .sock_type = 3, .protocol = 6, .fd = 4, .ret = 4 };
	assert_int_equal(segfix_socket(w, &raw), 0);
	struct exray_memfd mf = { .hdr = { .ts = 1600 }, .task = t, .ret = 5, .mfd_flags = 1 };
	assert_int_equal(segfix_memfd(w, &mf, "payload"), 0);
	struct exray_bpf_cmd bc = { .hdr = { .ts = 1700 }, .task = t, .cmd = 5, .ret = -1,
				    .prog_type = 2, .insn_cnt = 12, .prog_name = "kprobe_x" };
	assert_int_equal(segfix_bpf(w, &bc), 0);
	struct exray_uring ur = { .hdr = { .ts = 1800 }, .task = t, .opcode = 18, .fd = -100 };
	assert_int_equal(segfix_uring(w, &ur, "/etc/shadow", NULL), 0);
	struct exray_uring uc = { .hdr = { .ts = 1810 }, .task = t, .opcode = 16, .fd = 6,
				  .family = EXRAY_FAMILY_V6, .dport = 443,
				  .daddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	assert_int_equal(segfix_uring(w, &uc, NULL, NULL), 0);
}

static void test_what_a_process_did(void **state)
{
	char p[160], *r, *buf = NULL;
	size_t len = 0;
	sqlite3 *db = casefix_newdb();
	struct exray_seg_writer *w = seg_open(10, 0, p);
	struct exray_task sh = segfix_task(300, 1, 1000, 10, 77), victim = segfix_task(400, 1, 500, 10, 1);
	struct ingest_stats st;

	assert_int_equal(segfix_fork(w, 500, &victim), 0);
	write_acts(w, &sh, &victim);
	assert_int_equal(segfix_cgroup(w, 1900, 77, "/system.slice/docker-" CID ".scope"), 0);
	seg_close(w);
	const char *a[] = { p, NULL };
	casefix_ingest(db, a, &st);
	assert_int_equal(st.issues, 0);

	/* one row per record, every one linked to the process and the image
	 * running then, and to the container named after the rows */
	r = casefix_rows(db, "SELECT family, op, a.ret, object, detail, e.filename, container"
			     " FROM v_activity a JOIN execs e USING (exec_id) ORDER BY a.ts");
	assert_string_equal(r,
		"file|write|0|/etc/passwd|(other mount)|/bin/sh|0123456789ab;"
		"file|chmod|0|/tmp/x|mode 4755 +x|/bin/sh|0123456789ab;"
		"file|create|-1|/tmp/mem|char device 1:1 mode 0666|/bin/sh|0123456789ab;"
		"file|rename|-13|/tmp/x|-> /usr/bin/\x1b[31mx|/bin/sh|0123456789ab;"
		"priv|setuid|0|uid 1000/1000/1000 -> 0/0/0|caps 0 -> 1ff|./x|0123456789ab;"
		"priv|setresgid|-1|gid 1000/1000/1000 -> 1000/1000/1000|NULL|./x|0123456789ab;"
		"ns|setns|0|/proc/1/ns/net|mnt,net|./x|0123456789ab;"
		"ns|mount|-1|/mnt|from /dev/sda1 type ext4|./x|0123456789ab;"
		"ptrace|attach|0|pid 400|NULL|./x|0123456789ab;"
		"socket|dup_stdio|0|fd 0 <- 3|peer 192.0.2.2:4444|./x|0123456789ab;"
		"socket|raw|4|inet type 3 proto 6|NULL|./x|0123456789ab;"
		"memfd|create|5|payload|NULL|./x|0123456789ab;"
		"bpf|prog_load|-1|kprobe_x|type 2, 12 insns|./x|0123456789ab;"
		"uring|openat|NULL|/etc/shadow|NULL|./x|0123456789ab;"
		"uring|connect|NULL|[2001:db8::1]:443|NULL|./x|0123456789ab;");
	free(r);
	assert_int_equal(casefix_int(db, "SELECT count(DISTINCT proc_id) FROM v_activity"), 1);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM v_activity a JOIN processes p USING (proc_id)"
					 " WHERE p.pid = 300 AND p.container_id = a.container_id"), 15);
	/* the acting thread is kept beside the process */
	r = casefix_rows(db, "SELECT tid, comm FROM file_events WHERE op = 'chmod'");
	assert_string_equal(r, "301|worker;");
	free(r);
	/* family columns */
	r = casefix_rows(db, "SELECT sensitive, exec_bits, mode, path2 IS NULL, rdev, other_mount"
			     " FROM file_events ORDER BY ts");
	assert_string_equal(r, "1|0|0|1|NULL|1;0|1|2541|1|NULL|0;0|1|8630|1|1048577|0;0|0|0|0|NULL|0;");
	free(r);
	assert_int_equal(casefix_int(db, "SELECT q.pid FROM ptrace_events t JOIN processes q"
					 " ON q.proc_id = t.target_proc_id"), 400);
	assert_int_equal(casefix_int(db, "SELECT k.dport FROM socket_events s JOIN connections k"
					 " USING (conn_id) WHERE s.op = 'dup_stdio'"), 4444);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM ns_events WHERE nstypes = 'mnt,net'"
					 " AND target_ns = 4026531840 AND target_pid = 1"), 1);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM v_uring_events WHERE op = 'connect'"
					 " AND daddr = '2001:db8::1' AND dport = 443 AND ret IS NULL"), 1);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM v_bpf_events WHERE ret = -1"
					 " AND filename = './x' AND exe = '/tmp/x' AND host = 'h1'"), 1);
	/* the exec extension */
	r = casefix_rows(db, "SELECT filename, exe, cwd, tty, exe_flags, cap_effective, exe_ino, exe_dev"
			     " FROM execs WHERE exe IS NOT NULL");
	assert_string_equal(r, "./x|/tmp/x|/tmp|142606336|4|511|1234|8388609;");
	free(r);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM execs WHERE exe IS NULL"), 1);

	/* the tree: one line each under the process, in time order */
	FILE *f = open_memstream(&buf, &len);
	struct tree_opts o = { .pid = 300, .since = INT64_MIN, .until = INT64_MAX };
	assert_int_equal(tree_print(db, &o, f), 1);
	fclose(f);
	char *l1 = strstr(buf, "| exec"), *l2 = strstr(buf, "! 2023-11-14T22:13:20.000001020Z file write /etc/passwd (other mount)\n"),
	     *l3 = strstr(buf, " file rename /tmp/x -> /usr/bin/\\x1b[31mx [failed: EACCES]\n"),
	     *l4 = strstr(buf, "| exec 2023-11-14T22:13:20.000001100Z ./x ./x\n"),
	     *l5 = strstr(buf, "-> 2023-11-14T22:13:20.000001450Z 192.0.2.2:4444"),
	     *l6 = strstr(buf, " socket dup_stdio fd 0 <- 3 peer 192.0.2.2:4444\n"),
	     *l7 = strstr(buf, " uring connect [2001:db8::1]:443\n");
	if (!l1 || !l2 || !l3 || !l4 || !l5 || !l6 || !l7)
		fail_msg("tree:\n%s", buf);
	assert_true(l1 < l2 && l2 < l3 && l3 < l4 && l4 < l5 && l5 < l6 && l6 < l7);
	assert_null(strchr(buf, '\x1b'));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	o.json = 1;
	assert_int_equal(tree_print(db, &o, f), 1);
	fclose(f);
	assert_non_null(strstr(buf, "\"activity\":[{\"ts\":1020,"));
	assert_non_null(strstr(buf, "\"family\":\"bpf\",\"op\":\"prog_load\",\"ret\":-1,"));
	free(buf);
	db_close(db);
}

/* 1.5 file records: a unix connect (abstract names), a file opened by
 * handle, a cgroup control file, a file outside the mount namespace; the
 * extension is read only when flagged and whole. */
static void test_escape_file_events(void **state)
{
	char p[160], *r;
	sqlite3 *db = casefix_newdb();
	struct exray_seg_writer *w = seg_open(13, 0, p);
	struct exray_task t = segfix_task(300, 1, 1000, 10, 77);
	struct ingest_stats st;

	(void)state;
	struct exray_file cn = { .hdr = { .ts = 100, .flags = EXRAY_F_PATH_ABSTRACT | EXRAY_F_PATH2_ABSTRACT },
				 .task = t, .op = EXRAY_FILE_CONNECT };
	assert_int_equal(segfix_file(w, &cn, "@dbus@x", "@dbus@x"), 0);
	struct exray_file rs = { .hdr = { .ts = 110 }, .task = t, .op = EXRAY_FILE_CONNECT, .ret = -13 };
	assert_int_equal(segfix_file(w, &rs, "/run/containerd/containerd.sock", NULL), 0);
	struct exray_file bh = { .hdr = { .ts = 120 }, .task = t, .op = EXRAY_FILE_OPEN_BY_HANDLE,
				 .ret = 5, .open_flags = 0200000 };
	struct exray_file_ext hx = { .fs_magic = 0xef53, .handle_type = 1, .handle_bytes = 8,
				     .handle = { 2, 0, 0, 0, 7, 0, 0, 0 } };
	assert_int_equal(segfix_file_ext(w, &bh, "/", "/host-etc", &hx, 0), 0);
	struct exray_file cg = { .hdr = { .ts = 130, .flags = EXRAY_F_FILE_SENSITIVE }, .task = t,
				 .op = EXRAY_FILE_TRUNCATE, .ret = 3 };
	struct exray_file_ext cx = { .cgroup_id = 1, .fs_magic = 0x63677270 };
	assert_int_equal(segfix_file_ext(w, &cg, "/tmp/cg/cgroup.procs", NULL, &cx, 0), 0);
	struct exray_file ou = { .hdr = { .ts = 140, .flags = EXRAY_F_FILE_OUTSIDE_MNTNS }, .task = t,
				 .op = EXRAY_FILE_READ, .ret = 4, .open_flags = 010000000 };
	assert_int_equal(segfix_file(w, &ou, "/memfd:runc_cloned:/proc/self/exe", NULL), 0);
	/* flagged, but cut short: no extension read */
	struct exray_file cut = { .hdr = { .ts = 150 }, .task = t, .op = EXRAY_FILE_NAME_TO_HANDLE };
	assert_int_equal(segfix_file_ext(w, &cut, "/etc/hostname", NULL, &hx, 16), 0);
	seg_close(w);
	const char *a[] = { p, NULL };
	casefix_ingest(db, a, &st);
	r = casefix_rows(db, "SELECT op, ret, path, path2, outside_mntns, cgroup_target, fs_magic,"
			     " handle_type, handle_bytes, handle FROM file_events ORDER BY ts");
	assert_string_equal(r,
		"connect|0|@dbus@x|@dbus@x|0|NULL|NULL|NULL|NULL|NULL;"
		"connect|-13|/run/containerd/containerd.sock|NULL|0|NULL|NULL|NULL|NULL|NULL;"
		"open_by_handle|5|/|/host-etc|0|NULL|61267|1|8|0200000007000000;"
		"truncate|3|/tmp/cg/cgroup.procs|NULL|0|1|1667723888|NULL|NULL|NULL;"
		"read|4|/memfd:runc_cloned:/proc/self/exe|NULL|1|NULL|NULL|NULL|NULL|NULL;"
		"name_to_handle|0|/etc/hostname|NULL|0|NULL|NULL|NULL|NULL|NULL;");
	free(r);
	r = casefix_rows(db, "SELECT detail FROM v_activity WHERE family = 'file' ORDER BY ts");
	assert_string_equal(r, "-> @dbus@x;;handle type 1 0200000007000000 via /host-etc;cgroup 1;"
			       "(outside its mount namespace);;");
	free(r);
	db_close(db);
}

/* A segment of capture `capture` with write_acts' records, into path p. */
static void acts_segment(uint8_t capture, char p[160])
{
	struct exray_seg_writer *w = seg_open(capture, 0, p);
	struct exray_task sh = segfix_task(300, 1, 1000, 10, 77), victim = segfix_task(400, 1, 500, 10, 1);

	assert_int_equal(segfix_fork(w, 500, &victim), 0);
	write_acts(w, &sh, &victim);
	seg_close(w);
}

/* Table's definition (casefix_rows) with everything from tail up to its
 * closing parenthesis cut: the table as an older schema made it (SQLite
 * cannot always DROP COLUMN). Free it. */
static char *def_without_tail(sqlite3 *db, const char *table, const char *tail)
{
	char q[128];

	snprintf(q, sizeof(q), "SELECT sql FROM sqlite_master WHERE name = '%s'", table);
	char *def = casefix_rows(db, q);
	char *cut = strstr(def, tail), *end = strrchr(def, ')');

	assert_non_null(cut);
	memmove(cut, end, strlen(end) + 1);
	*strrchr(def, ';') = 0;
	return def;
}

/* A case of schema 1.3 (user_version 103) opened by this exray: execs and
 * processes gain their columns, the new tables appear, and it ingests 1.2
 * records. */
static void test_upgrade_to_1_4(void **state)
{
	char file[160], p[160];
	sqlite3 *db;

	acts_segment(11, p);
	snprintf(file, sizeof(file), "%s/old.db", dir);
	/* schema 1.3: without what 1.4 added */
	assert_int_equal(db_open(&db, file, DB_OPEN_CREATE), 0);
	assert_int_equal(db_exec(db, "DROP VIEW v_execs; DROP VIEW v_activity; DROP VIEW v_file_events;"
				     "DROP VIEW v_priv_events; DROP VIEW v_ns_events; DROP VIEW v_ptrace_events;"
				     "DROP VIEW v_socket_events; DROP VIEW v_memfd_events;"
				     "DROP VIEW v_bpf_events; DROP VIEW v_uring_events;"
				     "DROP TABLE file_events; DROP TABLE uring_events;"
				     "ALTER TABLE execs DROP COLUMN exe; ALTER TABLE execs DROP COLUMN cwd;"
				     "ALTER TABLE execs DROP COLUMN tty; ALTER TABLE execs DROP COLUMN exe_flags;"
				     "ALTER TABLE execs DROP COLUMN cap_effective;"
				     "ALTER TABLE execs DROP COLUMN exe_ino; ALTER TABLE execs DROP COLUMN exe_dev;"
				     "CREATE VIEW v_execs AS SELECT exec_id FROM execs;"
				     "PRAGMA user_version = 103"), 0);
	/* processes without ident_own (SQLite cannot drop a table's last
	 * column when comments follow it): made again from its definition */
	char *def = def_without_tail(db, "processes", ",     -- records seen");
	assert_int_equal(db_exec(db, "DROP TABLE processes"), 0);
	assert_int_equal(db_exec(db, def), 0);
	free(def);
	db_close(db);
	if (db_open(&db, file, 0))
		fail_msg("upgrade: %s", db_error());
	assert_int_equal(casefix_int(db, "PRAGMA user_version"), DB_SCHEMA_VERSION);
	const char *a[] = { p, NULL };
	casefix_ingest(db, a, NULL);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM v_activity"), 15);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM v_execs WHERE exe = '/tmp/x'"), 1);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM processes WHERE ident_own = 1"), 2);
	db_close(db);
	/* and again: nothing left to upgrade */
	assert_int_equal(db_open(&db, file, 0), 0);
	db_close(db);
}

/* A case of schema 1.6 (file_events without rdev and other_mount) opened
 * by this exray: the columns are added, the views show them, and a device
 * node ingests with its number. */
static void test_upgrade_to_1_7(void **state)
{
	char file[160], p[160];
	sqlite3 *db;

	acts_segment(12, p);
	snprintf(file, sizeof(file), "%s/old16.db", dir);
	assert_int_equal(db_open(&db, file, DB_OPEN_CREATE), 0);
	char *def = def_without_tail(db, "file_events", ",  -- where it was recorded\n  rdev");
	assert_int_equal(db_exec(db, "DROP VIEW v_file_events; DROP VIEW v_activity; DROP TABLE file_events"), 0);
	assert_int_equal(db_exec(db, def), 0);
	free(def);
	assert_int_equal(db_exec(db, "PRAGMA user_version = 106"), 0);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM pragma_table_info('file_events')"
					 " WHERE name IN ('rdev', 'other_mount')"), 0);
	db_close(db);
	if (db_open(&db, file, 0))
		fail_msg("upgrade: %s", db_error());
	assert_int_equal(casefix_int(db, "PRAGMA user_version"), DB_SCHEMA_VERSION);
	const char *a[] = { p, NULL };
	casefix_ingest(db, a, NULL);
	assert_int_equal(casefix_int(db, "SELECT rdev FROM v_file_events WHERE path = '/tmp/mem'"),
			 1 << 20 | 1);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM v_activity WHERE detail LIKE '%other mount%'"), 1);
	/* and 1.8's columns, through the same steps */
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM pragma_table_info('file_events') WHERE name IN"
					 " ('outside_mntns', 'cgroup_target', 'fs_magic', 'handle_type',"
					 " 'handle_bytes', 'handle')"), 6);
	db_close(db);
}

/* One capture's events, as a recorder stamps them (shift: its clock
 * reading, microseconds off another's; sock: its own keyed id). */
static void overlap_capture(uint8_t capture, uint64_t shift, uint64_t sock, int with_result,
			    int snapshot_q, char path[160])
{
	struct exray_seg_writer *w = seg_open(capture, 0, path);
	struct exray_task p = segfix_task(50, 1, 100, 10, 1), q = segfix_task(60, 1, 20, 10, 1);
	static const char *const argv_q[] = { "q", NULL };

	if (snapshot_q)
		assert_int_equal(segfix_exec(w, EXRAY_REC_SNAPSHOT, 90 + shift, &q, 0, "/bin/q", argv_q), 0);
	else
		assert_int_equal(segfix_exec(w, EXRAY_REC_EXEC, 30 + shift, &q, 0, "/bin/q", argv_q), 0);
	assert_int_equal(segfix_fork(w, 100 + shift, &p), 0);
	/* a shell's PATH lookup: the same failed exec twice, microseconds
	 * apart, two real events */
	assert_int_equal(segfix_exec(w, EXRAY_REC_EXEC, 200 + shift, &p, -2, "/usr/local/bin/x", ARGV_SH), 0);
	assert_int_equal(segfix_exec(w, EXRAY_REC_EXEC, 2200 + shift, &p, -2, "/usr/local/bin/x", ARGV_SH), 0);
	assert_int_equal(segfix_exec(w, EXRAY_REC_EXEC, 5000 + shift, &p, 0, "/usr/bin/x", ARGV_SH), 0);
	assert_int_equal(segfix_connect(w, 6000 + shift, &p, sock, "192.0.2.9", 443), 0);
	if (with_result)
		assert_int_equal(segfix_result(w, 6500 + shift, sock, 40001, EXRAY_TCP_ESTABLISHED), 0);
	struct exray_file f = { .hdr = { .ts = 7000 + shift }, .task = p, .op = EXRAY_FILE_WRITE };
	assert_int_equal(segfix_file(w, &f, "/etc/passwd", NULL), 0);
	assert_int_equal(segfix_exit(w, 9000 + shift, &p, 0), 0);
	seg_close(w);
}

/* Two recorders on the same boot at once (issue 18 item 5): the same
 * events, stamped microseconds apart, socket ids keyed apart; one case of
 * both holds each once, whatever the order, and says how many it skipped.
 * A result only one capture saw goes to the connection kept; a snapshot
 * that repeats an image the other capture saw executed goes. */
static void test_overlapping_captures(void **state)
{
	char pa[160], pb[160], pc[160], *want = NULL;
	struct ingest_stats st;

	overlap_capture(20, 0, 0x1111, 0, 0, pa);          /* lost its result */
	overlap_capture(21, 3000, 0x2222, 1, 1, pb);       /* started later: snapshot of q */
	const char *one[] = { pa, NULL }, *b[] = { pb, NULL };
	for (int order = 0; order < 3; order++) {
		sqlite3 *db = casefix_newdb();
		const char *ab[] = { order == 2 ? pb : pa, order == 2 ? pa : pb, NULL };
		if (order == 1) {
			casefix_ingest(db, b, NULL);
			casefix_ingest(db, one, &st);
		} else {
			casefix_ingest(db, ab, &st);
		}
		assert_int_equal(st.duplicates, 6);
		char *r = casefix_rows(db, "SELECT (SELECT count(*) FROM execs),"
				       " (SELECT count(*) FROM execs WHERE ret = -2),"
				       " (SELECT group_concat(kind) FROM execs WHERE pid = 60),"
				       " (SELECT count(*) FROM processes),"
				       " (SELECT state || ' ' || sport FROM connections),"
				       " (SELECT count(*) FROM connections),"
				       " (SELECT count(*) FROM file_events),"
				       " (SELECT count(*) FROM execs e JOIN processes p USING (exec_id)),"
				       " (SELECT count(*) FROM file_events f JOIN execs e USING (exec_id)"
				       "  WHERE e.filename = '/usr/bin/x')");
		if (!want)
			want = strdup(r);
		assert_string_equal(r, "4|2|exec|2|established 40001|1|1|2|1;");
		assert_string_equal(r, want);
		free(r);
		db_close(db);
	}
	free(want);

	/* a second capture at another time is no duplicate, nor is the same
	 * capture loaded twice */
	overlap_capture(22, 1000000000000ull, 0x3333, 1, 0, pc);
	sqlite3 *db = casefix_newdb();
	const char *ac[] = { pa, pc, NULL };
	casefix_ingest(db, ac, &st);
	assert_int_equal(st.duplicates, 0);
	assert_int_equal(casefix_int(db, "SELECT count(*) FROM execs WHERE pid = 50"), 6);
	db_close(db);
}

/* Two hosts in one run: each process keeps its own host, whichever file
 * the batch that writes it ends in. */
static void test_two_hosts_one_run(void **state)
{
	char p1[160], p2[160], name[32];
	struct exray_seg_header h;
	struct exray_task a = segfix_task(10, 1, 100, 10, 1), b = segfix_task(20, 1, 200, 10, 1);
	sqlite3 *db = casefix_newdb();

	for (int i = 0; i < 2; i++) {
		segfix_header(&h, i ? "h2" : "h1", 30 + i, 30 + i, 0);
		snprintf(name, sizeof(name), "host%d.exray.zst", i);
		snprintf(i ? p2 : p1, 160, "%s/%s", dir, name);
		struct exray_seg_writer *w = segfix_open(dir, name, &h);
		assert_non_null(w);
		assert_int_equal(segfix_fork(w, 100, i ? &b : &a), 0);
		assert_int_equal(segfix_exec(w, EXRAY_REC_EXEC, 110, i ? &b : &a, 0, "/bin/sh", ARGV_SH), 0);
		seg_close(w);
	}
	const char *both[] = { p1, p2, NULL };
	casefix_ingest(db, both, NULL);
	char *r = casefix_rows(db, "SELECT h.hostname, p.pid, e.host_id = p.host_id FROM processes p"
			       " JOIN hosts h USING (host_id) JOIN execs e ON e.exec_id = p.exec_id ORDER BY p.pid");
	assert_string_equal(r, "h1|10|1;h2|20|1;");
	free(r);
	db_close(db);
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
		cmocka_unit_test(test_interrupted_resume),
		cmocka_unit_test(test_idempotent_incremental),
		cmocka_unit_test(test_thread_identity),
		cmocka_unit_test(test_what_a_process_did),
		cmocka_unit_test(test_escape_file_events),
		cmocka_unit_test(test_upgrade_to_1_4),
		cmocka_unit_test(test_upgrade_to_1_7),
		cmocka_unit_test(test_overlapping_captures),
		cmocka_unit_test(test_two_hosts_one_run),
		cmocka_unit_test(test_unhandled_type),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
