/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Ingest: segments -> case DB. The hot path does no SELECT per record:
 * process keys, cgroup->container and socket->connection live in hash maps;
 * process rows are merged in memory and written once per batch with merge
 * expressions, so the order in which records (or segments, or runs) arrive
 * never changes the result. A batch commits only at a frame boundary, with
 * the segment_frames rows of its frames, so an interrupted ingest resumes
 * exactly where it stopped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ingest/containers.h"
#include "casedb/db.h"
#include "casedb/embedded.h"
#include "text/escape.h"
#include "ingest/ingest.h"
#include "text/recfmt.h"
#include "ingest/xmap.h"
#include "text/timefmt.h"

#define BATCH_RECORDS 200000

enum {
	S_HOST_GET, S_HOST_INS, S_HOST_B2W, S_HOST_NS, S_SEG_GET, S_SEG_INS, S_SEG_UPD, S_FRAMES_GET,
	S_FRAME_INS, S_ISSUE_DEL, S_ISSUE_INS, S_CG_INS, S_CT_GET, S_CT_INS, S_PROC_GET,
	S_PROC_PUT, S_PROC_MERGE, S_EXEC_INS, S_CONN_INS, S_CONN_RES, S_SYN_INS, S_LOSS_INS, S_COUNT
};

static const char *const sql_text[S_COUNT] = {
	[S_HOST_GET] = "SELECT host_id FROM hosts WHERE hostname=?1 AND boot_id=?2",
	[S_HOST_INS] = "INSERT INTO hosts(hostname,boot_id,kernel_release,boot_to_wall_ns) "
		       "VALUES(?1,?2,?3,?4)",
	[S_HOST_B2W] = "UPDATE hosts SET boot_to_wall_ns=?2 WHERE host_id=?1",
	[S_HOST_NS] = "UPDATE hosts SET host_pidns=?2,host_mntns=?3,host_netns=?4,"
		      "host_ns_recorded=1 WHERE host_id=?1",
	[S_SEG_GET] = "SELECT segment_id,file_size,complete,host_id FROM segments "
		      "WHERE capture_id=?1 AND seq=?2",
	[S_SEG_INS] = "INSERT INTO segments(host_id,capture_id,seq,path,file_size) "
		      "VALUES(?1,?2,?3,?4,0)",
	[S_SEG_UPD] = "UPDATE segments SET path=?2, file_size=?3,"
		      " frames=(SELECT count(*) FROM segment_frames WHERE segment_id=?1),"
		      " records=records+?4, first_ts=min(coalesce(first_ts,?5),?5),"
		      " last_ts=max(coalesce(last_ts,?6),?6), complete=max(complete,?7),"
		      " version=?8, recorder_version=?9, argv_max=?10, boot_to_wall_ns=?11,"
		      " issues=?12, ingested_at=?13 WHERE segment_id=?1",
	[S_FRAMES_GET] = "SELECT frame_offset FROM segment_frames WHERE segment_id=?1",
	[S_FRAME_INS] = "INSERT OR IGNORE INTO segment_frames VALUES(?1,?2,?3)",
	[S_ISSUE_DEL] = "DELETE FROM segment_issues WHERE segment_id=?1",
	[S_ISSUE_INS] = "INSERT INTO segment_issues(segment_id,kind,file_offset,length,detail) "
			"VALUES(?1,?2,?3,?4,?5)",
	[S_CG_INS] = "INSERT INTO cgroups(host_id,cgroup_id,path,truncated,container_id,ts) "
		     "VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT DO NOTHING",
	[S_CT_GET] = "SELECT container_id FROM containers WHERE host_id=?1 AND cid=?2",
	[S_CT_INS] = "INSERT INTO containers(host_id,runtime,cid,short_id,pod_uid,cgroup_path)"
		     " VALUES(?1,?2,?3,substr(?3,1,12),?4,?5)",
	[S_PROC_GET] = "SELECT proc_id FROM processes WHERE host_id=?1 AND pid=?2 AND start=?3",
	/* a process first seen in this run: its whole merged row, written
	 * once per batch it changed in (REPLACE: again in a later batch) */
	[S_PROC_PUT] = "INSERT OR REPLACE INTO processes(proc_id,host_id,pid,start,ppid,pstart,"
		       "parent_id,parent_ts,first_ts,last_ts,fork_ts,exit_ts,exit_code,uid,gid,"
		       "euid,egid,cgroup_id,container_id,pidns,mntns,netns,vpid,comm,ident_ts,"
		       "exec_id,flags) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
		       "?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27)",
	/* Every SET expression sees the row as it was: a record wins a column
	 * group when its ts says so, whatever order the records came in. */
	[S_PROC_MERGE] =
		"UPDATE processes SET"
		" first_ts=min(coalesce(first_ts,?2),?2), last_ts=max(coalesce(last_ts,?3),?3),"
		" fork_ts=coalesce(fork_ts,?4), exit_ts=coalesce(?5,exit_ts),"
		" exit_code=coalesce(?6,exit_code),"
		" ppid=CASE WHEN parent_ts IS NULL OR ?9<parent_ts THEN ?7 ELSE ppid END,"
		" pstart=CASE WHEN parent_ts IS NULL OR ?9<parent_ts THEN ?8 ELSE pstart END,"
		" parent_ts=min(coalesce(parent_ts,?9),?9),"
		" uid=CASE WHEN ident_ts IS NULL OR ?10>=ident_ts THEN ?11 ELSE uid END,"
		" gid=CASE WHEN ident_ts IS NULL OR ?10>=ident_ts THEN ?12 ELSE gid END,"
		" euid=CASE WHEN ident_ts IS NULL OR ?10>=ident_ts THEN ?13 ELSE euid END,"
		" egid=CASE WHEN ident_ts IS NULL OR ?10>=ident_ts THEN ?14 ELSE egid END,"
		" cgroup_id=CASE WHEN ident_ts IS NULL OR ?10>=ident_ts THEN ?15 ELSE cgroup_id END,"
		" pidns=CASE WHEN ident_ts IS NULL OR ?10>=ident_ts THEN ?16 ELSE pidns END,"
		" mntns=CASE WHEN ident_ts IS NULL OR ?10>=ident_ts THEN ?17 ELSE mntns END,"
		" netns=CASE WHEN ident_ts IS NULL OR ?10>=ident_ts THEN ?18 ELSE netns END,"
		" vpid=CASE WHEN ident_ts IS NULL OR ?10>=ident_ts THEN ?19 ELSE vpid END,"
		" comm=CASE WHEN ident_ts IS NULL OR ?10>=ident_ts THEN ?20 ELSE comm END,"
		" ident_ts=max(coalesce(ident_ts,?10),?10), flags=flags|?21"
		" WHERE proc_id=?1",
	[S_EXEC_INS] = "INSERT INTO execs(proc_id,host_id,pid,start,ts,kind,tid,ret,filename,"
		       "argv,cmdline,argv_truncated,filename_truncated,uid,gid,euid,egid,ppid,"
		       "cgroup_id,container_id,pidns,mntns,netns,vpid,comm,segment_id) VALUES("
		       "?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,"
		       "?21,?22,?23,?24,?25,?26)",
	[S_CONN_INS] = "INSERT INTO connections(proc_id,host_id,pid,start,tid,ts,uid,euid,"
		       "cgroup_id,container_id,netns,comm,family,saddr,sport,daddr,dport,sock,"
		       "segment_id,conn_id,exec_id,state,result_ts) VALUES(?1,?2,?3,?4,?5,?6,?7,"
		       "?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)",
	[S_CONN_RES] = "UPDATE connections SET sport=CASE WHEN ?2 THEN ?2 ELSE sport END,"
		       " state=?3, result_ts=?4 WHERE conn_id=?1",
	[S_SYN_INS] = "INSERT INTO syns(host_id,ts,cgroup_id,container_id,ifindex,family,saddr,"
		      "sport,daddr,dport,verdict,segment_id) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,"
		      "?10,?11,?12)",
	[S_LOSS_INS] = "INSERT INTO losses(host_id,segment_id,ts,cpu,lost_type,count) "
		       "VALUES(?1,?2,?3,?4,?5,?6)",
};

#define PF_FORK 1
#define PF_SNAPSHOT 2
#define PF_EXEC 4
#define PF_EXIT 8
#define PF_KTHREAD 16

/*
 * A process touched by this run. One created by this run (!old) has its
 * whole state here, parent, image and container included, and is written
 * with one REPLACE per batch; a process already in the database (old) is
 * merged into its row with S_PROC_MERGE and re-linked in SQL at the end.
 */
struct proc {
	sqlite3_int64 proc_id;
	sqlite3_int64 img_id;       /* latest successful exec/snapshot by ts (0: none) */
	__u64 first_ts, last_ts, fork_ts, exit_ts, parent_ts, ident_ts, img_ts, max_conn_ts;
	__u32 exit_code, flags;
	unsigned has_fork : 1, has_exit : 1, dirty : 1, old : 1, relink : 1, has_conn : 1;
	struct exray_task t;        /* identity from the latest record */
	__u32 ppid;                 /* parent from the earliest record */
	__u64 pstart;
};

/* A connection waiting for the end of its batch, so that its result (which
 * follows within milliseconds) is merged in memory instead of an UPDATE. */
struct pconn {
	sqlite3_int64 conn_id, proc_id, host_id, segment_id, exec_id;
	__u64 ts, result_ts, sock, cgroup_id;
	__u32 pid, tid, uid, euid, netns;
	__u64 start;
	__u16 sport, dport;
	__u8 family, state, has_result;
	__u8 saddr[16], daddr[16];
	char comm[EXRAY_COMM_LEN];
};

/* A growable array: GROW_ONE(arr, n, cap, start) makes room for one more. */
static int grow_one(void **arr, size_t n, size_t *cap, size_t size, size_t start)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : start;
	void *a = realloc(*arr, c * size);
	if (!a)
		return -ENOMEM;
	*arr = a;
	*cap = c;
	return 0;
}
#define GROW_ONE(arr, n, cap, start) grow_one((void **)&(arr), (n), &(cap), sizeof(*(arr)), (start))

struct pending_result {
	sqlite3_int64 host_id;
	__u64 sock, ts;
	__u16 sport;
	__u8 state;
};

struct ingest {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	FILE *progress;
	struct ingest_stats stats;
	struct xmap procs;          /* (host, pid, start) -> index + 1 */
	struct proc *pv;
	size_t pn, pcap;
	struct xmap cgroups;        /* (host, cgroup id) -> container_id (0: host) */
	struct xmap socks;          /* (host, sock) -> conn_id */
	struct pending_result *pending;
	size_t n_pending, cap_pending;
	struct pconn *pc;           /* connections of the current batch */
	size_t n_pc, cap_pc;
	sqlite3_int64 next_proc_id, next_conn_id, pc_base; /* pc[i].conn_id == pc_base + i */
	struct xmap_key *new_cg;    /* cgroups that gained a container in this run */
	size_t n_new_cg, cap_new_cg;
	struct xmap missed;         /* cgroups some row was written without knowing */
	unsigned long long n_nocg;      /* processes of this run without a cgroup id */
	unsigned long long txn_records;
	int in_txn;
	int fresh;                  /* the case was empty at the start of the run */
	int fix_all_cg;             /* `missed` incomplete (no memory): re-attribute all */
	char *sbuf;                 /* scratch for argv texts */
	size_t scap;
	struct timespec last_progress, started;
	/* per file */
	sqlite3_int64 host_id, segment_id;
	const char *path;
	size_t file_i;
};

static int dberr(struct ingest *in)
{
	db_set_error("%s", sqlite3_errmsg(in->db));
	return -EIO;
}

/* Step a write statement to completion and reset it. */
static int step_done(struct ingest *in, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return dberr(in);
	return 0;
}

/*
 * Text bound without a copy: every caller binds bytes of the record, of the
 * segment header, of the file name or of this run's memory, all of which
 * stay put until the statement is stepped and reset (step_done). Text built
 * in a local buffer goes through bind_addr (copied) instead.
 */
static void bind_text(sqlite3_stmt *st, int i, const char *s, size_t n)
{
	sqlite3_bind_text(st, i, s, (int)n, SQLITE_STATIC);
}

static void bind_cstr(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_fixed(sqlite3_stmt *st, int i, const char *s, size_t max)
{
	bind_text(st, i, s, strnlen(s, max));
}

static sqlite3_int64 max_rowid(struct ingest *in, const char *table)
{
	char sql[96];
	sqlite3_stmt *st;
	sqlite3_int64 v = 0;

	snprintf(sql, sizeof(sql), "SELECT coalesce(max(rowid),0) FROM %s", table);
	if (sqlite3_prepare_v2(in->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return v;
}

static int load_cgroups(struct ingest *in)
{
	sqlite3_stmt *st;
	int rc, created;

	if (db_prepare(in->db, &st, "SELECT host_id,cgroup_id,coalesce(container_id,0) FROM cgroups"))
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t *v = xmap_put(&in->cgroups, sqlite3_column_int64(st, 0),
				       sqlite3_column_int64(st, 1), 0, &created);
		if (!v) {
			sqlite3_finalize(st);
			return -ENOMEM;
		}
		*v = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : dberr(in);
}

static int txn_begin(struct ingest *in)
{
	if (in->in_txn)
		return 0;
	if (db_exec(in->db, "BEGIN"))
		return -EIO;
	in->in_txn = 1;
	return 0;
}

/* container_id of a cgroup as known now (0: host or unknown); an unknown
 * non-zero cgroup counts as a miss, fixed at the end if its record comes. */
static sqlite3_int64 cg_container(struct ingest *in, sqlite3_int64 host_id, __u64 cgroup_id)
{
	uint64_t *v = xmap_get(&in->cgroups, host_id, cgroup_id, 0);
	int created;

	/* remembered, not fatal: the first fix-up pass then covers it anyway */
	if (!v && cgroup_id && !xmap_put(&in->missed, host_id, cgroup_id, 0, &created))
		in->fix_all_cg = 1;
	return v ? (sqlite3_int64)*v : 0;
}

static void bind_id(sqlite3_stmt *st, int i, sqlite3_int64 id)
{
	if (id)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

static void bind_fixed(sqlite3_stmt *st, int i, const char *s, size_t max);

static int put_proc(struct ingest *in, struct proc *p)
{
	sqlite3_stmt *st = in->st[S_PROC_PUT];
	uint64_t *v = xmap_get(&in->procs, in->host_id, p->ppid, p->pstart);

	sqlite3_bind_int64(st, 1, p->proc_id);
	sqlite3_bind_int64(st, 2, in->host_id);
	sqlite3_bind_int64(st, 3, p->t.pid);
	sqlite3_bind_int64(st, 4, p->t.start);
	sqlite3_bind_int64(st, 5, p->ppid);
	sqlite3_bind_int64(st, 6, p->pstart);
	/* a parent not seen in this run is looked up in SQL at the end */
	bind_id(st, 7, v && in->pv[*v - 1].proc_id != p->proc_id ? in->pv[*v - 1].proc_id : 0);
	sqlite3_bind_int64(st, 8, p->parent_ts);
	sqlite3_bind_int64(st, 9, p->first_ts);
	sqlite3_bind_int64(st, 10, p->last_ts);
	if (p->has_fork)
		sqlite3_bind_int64(st, 11, p->fork_ts);
	else
		sqlite3_bind_null(st, 11);
	if (p->has_exit) {
		sqlite3_bind_int64(st, 12, p->exit_ts);
		sqlite3_bind_int64(st, 13, p->exit_code);
	} else {
		sqlite3_bind_null(st, 12);
		sqlite3_bind_null(st, 13);
	}
	sqlite3_bind_int64(st, 14, p->t.uid);
	sqlite3_bind_int64(st, 15, p->t.gid);
	sqlite3_bind_int64(st, 16, p->t.euid);
	sqlite3_bind_int64(st, 17, p->t.egid);
	sqlite3_bind_int64(st, 18, p->t.cgroup_id);
	bind_id(st, 19, cg_container(in, in->host_id, p->t.cgroup_id));
	sqlite3_bind_int64(st, 20, p->t.pidns);
	sqlite3_bind_int64(st, 21, p->t.mntns);
	sqlite3_bind_int64(st, 22, p->t.netns);
	sqlite3_bind_int64(st, 23, p->t.vpid);
	bind_fixed(st, 24, p->t.comm, sizeof(p->t.comm));
	sqlite3_bind_int64(st, 25, p->ident_ts);
	bind_id(st, 26, p->img_id);
	sqlite3_bind_int64(st, 27, p->flags);
	return step_done(in, st);
}

static int merge_proc(struct ingest *in, struct proc *p)
{
	sqlite3_stmt *st = in->st[S_PROC_MERGE];

	sqlite3_bind_int64(st, 1, p->proc_id);
	sqlite3_bind_int64(st, 2, p->first_ts);
	sqlite3_bind_int64(st, 3, p->last_ts);
	if (p->has_fork)
		sqlite3_bind_int64(st, 4, p->fork_ts);
	else
		sqlite3_bind_null(st, 4);
	if (p->has_exit) {
		sqlite3_bind_int64(st, 5, p->exit_ts);
		sqlite3_bind_int64(st, 6, p->exit_code);
	} else {
		sqlite3_bind_null(st, 5);
		sqlite3_bind_null(st, 6);
	}
	sqlite3_bind_int64(st, 7, p->ppid);
	sqlite3_bind_int64(st, 8, p->pstart);
	sqlite3_bind_int64(st, 9, p->parent_ts);
	sqlite3_bind_int64(st, 10, p->ident_ts);
	sqlite3_bind_int64(st, 11, p->t.uid);
	sqlite3_bind_int64(st, 12, p->t.gid);
	sqlite3_bind_int64(st, 13, p->t.euid);
	sqlite3_bind_int64(st, 14, p->t.egid);
	sqlite3_bind_int64(st, 15, p->t.cgroup_id);
	sqlite3_bind_int64(st, 16, p->t.pidns);
	sqlite3_bind_int64(st, 17, p->t.mntns);
	sqlite3_bind_int64(st, 18, p->t.netns);
	sqlite3_bind_int64(st, 19, p->t.vpid);
	bind_fixed(st, 20, p->t.comm, sizeof(p->t.comm));
	sqlite3_bind_int64(st, 21, p->flags);
	return step_done(in, st);
}

static int flush_procs(struct ingest *in)
{
	int err;

	for (size_t i = 0; i < in->pn; i++) {
		struct proc *p = &in->pv[i];
		if (!p->dirty)
			continue;
		if ((err = p->old ? merge_proc(in, p) : put_proc(in, p)))
			return err;
		p->dirty = 0;
	}
	return 0;
}

static void bind_addr(sqlite3_stmt *st, int i, __u8 family, const __u8 addr[16]);

/* Insert the connections of the batch, with their results merged. */
static int flush_conns(struct ingest *in)
{
	sqlite3_stmt *st = in->st[S_CONN_INS];
	int err;

	for (size_t i = 0; i < in->n_pc; i++) {
		const struct pconn *k = &in->pc[i];
		sqlite3_bind_int64(st, 1, k->proc_id);
		sqlite3_bind_int64(st, 2, k->host_id);
		sqlite3_bind_int64(st, 3, k->pid);
		sqlite3_bind_int64(st, 4, k->start);
		sqlite3_bind_int64(st, 5, k->tid);
		sqlite3_bind_int64(st, 6, k->ts);
		sqlite3_bind_int64(st, 7, k->uid);
		sqlite3_bind_int64(st, 8, k->euid);
		sqlite3_bind_int64(st, 9, k->cgroup_id);
		bind_id(st, 10, cg_container(in, k->host_id, k->cgroup_id));
		sqlite3_bind_int64(st, 11, k->netns);
		bind_fixed(st, 12, k->comm, sizeof(k->comm));
		sqlite3_bind_int(st, 13, k->family);
		bind_addr(st, 14, k->family, k->saddr);
		sqlite3_bind_int(st, 15, k->sport);
		bind_addr(st, 16, k->family, k->daddr);
		sqlite3_bind_int(st, 17, k->dport);
		sqlite3_bind_int64(st, 18, (sqlite3_int64)k->sock);
		sqlite3_bind_int64(st, 19, k->segment_id);
		sqlite3_bind_int64(st, 20, k->conn_id);
		bind_id(st, 21, k->exec_id);
		sqlite3_bind_text(st, 22, k->has_result ? tcp_state_name(k->state) : "syn_sent", -1,
				  SQLITE_STATIC);
		if (k->has_result)
			sqlite3_bind_int64(st, 23, k->result_ts);
		else
			sqlite3_bind_null(st, 23);
		if ((err = step_done(in, st)))
			return err;
	}
	in->n_pc = 0;
	in->pc_base = in->next_conn_id;
	return 0;
}

static int txn_commit(struct ingest *in)
{
	int err;

	if (!in->in_txn)
		return 0;
	if ((err = flush_conns(in)) || (err = flush_procs(in)))
		return err;
	if (db_exec(in->db, "COMMIT"))
		return -EIO;
	in->in_txn = 0;
	in->txn_records = 0;
	return 0;
}

int ingest_begin(struct ingest **out, sqlite3 *db, FILE *progress)
{
	struct ingest *in = calloc(1, sizeof(*in));
	int err = -ENOMEM;
	sqlite3_stmt *st;
	int empty = 1;

	*out = NULL;
	if (!in)
		return err;
	in->db = db;
	in->progress = progress;
	clock_gettime(CLOCK_MONOTONIC, &in->started);
	/* WAL + synchronous=NORMAL: a crash loses at most the last batches,
	 * never the database; the segments stay the source of truth. */
	if ((err = db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			       "PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY")))
		goto fail;
	/* First load into an empty case: secondary indexes are built once at
	 * the end instead of row by row. */
	if ((err = db_prepare(db, &st, "SELECT 1 FROM processes LIMIT 1")))
		goto fail;
	empty = sqlite3_step(st) != SQLITE_ROW;
	sqlite3_finalize(st);
	if (empty) {
		char **names = NULL;
		int rows, cols;
		char *msg = NULL;
		if (sqlite3_get_table(db, "SELECT name FROM sqlite_master WHERE type='index' "
					  "AND name LIKE 'ix\\_%' ESCAPE '\\'",
				      &names, &rows, &cols, &msg) == SQLITE_OK) {
			for (int i = 1; i <= rows; i++) {
				char sql[160];
				snprintf(sql, sizeof(sql), "DROP INDEX IF EXISTS \"%s\"", names[i]);
				db_exec(db, sql);
			}
		}
		sqlite3_free(msg);
		sqlite3_free_table(names);
	}
	for (int i = 0; i < S_COUNT; i++)
		if ((err = db_prepare(db, &in->st[i], sql_text[i])))
			goto fail;
	if ((err = load_cgroups(in)))
		goto fail;
	in->fresh = empty;
	in->next_proc_id = max_rowid(in, "processes") + 1;
	in->next_conn_id = in->pc_base = max_rowid(in, "connections") + 1;
	*out = in;
	return 0;
fail:
	ingest_free(in);
	return err;
}

/* ------------------------------------------------------------ per record */

static struct proc *proc_touch(struct ingest *in, const struct exray_task *t, __u64 ts, int *err)
{
	int created;
	uint64_t *v = xmap_put(&in->procs, in->host_id, t->pid, t->start, &created);
	struct proc *p;

	*err = -ENOMEM;
	if (!v)
		return NULL;
	if (!created) {
		p = &in->pv[*v - 1];
	} else {
		sqlite3_stmt *st = in->st[S_PROC_GET];
		if (GROW_ONE(in->pv, in->pn, in->pcap, 4096))
			return NULL;
		p = &in->pv[in->pn];
		memset(p, 0, sizeof(*p));
		/* in a case that was empty, every process is new: no lookup */
		if (!in->fresh) {
			sqlite3_bind_int64(st, 1, in->host_id);
			sqlite3_bind_int64(st, 2, t->pid);
			sqlite3_bind_int64(st, 3, t->start);
			int rc = sqlite3_step(st);
			if (rc == SQLITE_ROW) {
				p->proc_id = sqlite3_column_int64(st, 0);
				p->old = 1;
			}
			sqlite3_reset(st);
			if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
				*err = dberr(in);
				return NULL;
			}
		}
		if (!p->old)
			p->proc_id = in->next_proc_id++;
		if (!t->cgroup_id)
			in->n_nocg++;
		p->first_ts = p->last_ts = p->parent_ts = p->ident_ts = ts;
		p->t = *t;
		p->ppid = t->ppid;
		p->pstart = t->pstart;
		*v = ++in->pn;
	}
	if (ts < p->first_ts)
		p->first_ts = ts;
	if (ts > p->last_ts)
		p->last_ts = ts;
	if (ts < p->parent_ts) {
		p->parent_ts = ts;
		p->ppid = t->ppid;
		p->pstart = t->pstart;
	}
	if (ts >= p->ident_ts) {
		p->ident_ts = ts;
		p->t = *t;
	}
	p->dirty = 1;
	*err = 0;
	return p;
}

static void bind_container(struct ingest *in, sqlite3_stmt *st, int i, __u64 cgroup_id)
{
	bind_id(st, i, cg_container(in, in->host_id, cgroup_id));
}

static void bind_addr(sqlite3_stmt *st, int i, __u8 family, const __u8 addr[16])
{
	char a[ADDR_TEXT_LEN];

	sqlite3_bind_text(st, i, addr_text(a, family, addr), -1, SQLITE_TRANSIENT);
}

/* Room for n more bytes in the run's scratch buffer. */
static char *scratch(struct ingest *in, size_t n)
{
	if (n > in->scap) {
		size_t cap = n < 4096 ? 4096 : n * 2;
		char *b = realloc(in->sbuf, cap);
		if (!b)
			return NULL;
		in->sbuf = b;
		in->scap = cap;
	}
	return in->sbuf;
}

/*
 * An argv block (NUL-separated) as a JSON array (json, *jlen) and as the
 * arguments joined by spaces, bytes as recorded (cmd, *clen), both in the
 * scratch buffer. -ENOMEM.
 */
static int argv_texts(struct ingest *in, const char *argv, size_t len, char **json, size_t *jlen,
		      char **cmd, size_t *clen)
{
	/* JSON: 6 bytes per byte at worst, plus quotes, commas, brackets */
	char *b = scratch(in, 9 * len + 8), *d;
	size_t i = 0, n;

	if (!b)
		return -ENOMEM;
	d = b;
	*d++ = '[';
	while (i < len) {
		n = strnlen(argv + i, len - i);
		if (i)
			*d++ = ',';
		*d++ = '"';
		d += json_escape_into(d, argv + i, n);
		*d++ = '"';
		i += n + 1;
	}
	*d++ = ']';
	*json = b;
	*jlen = (size_t)(d - b);
	*cmd = d;
	if (len) /* argv is NULL when the record has none */
		memcpy(d, argv, len);
	while (len && !d[len - 1])
		len--;
	for (i = 0; i < len; i++)
		if (!d[i])
			d[i] = ' ';
	*clen = len;
	return 0;
}

static int on_exec(struct ingest *in, const struct exray_exec *e, int snapshot)
{
	sqlite3_stmt *st = in->st[S_EXEC_INS];
	const struct exray_task *t = &e->task;
	size_t alen = 0, clen = 0, jlen = 0;
	const char *argv = exray_exec_argv(e, &alen);
	char *json = NULL, *cmd = NULL;
	int err;
	struct proc *p = proc_touch(in, t, e->hdr.ts, &err);

	if (!p)
		return err;
	p->flags |= snapshot ? PF_SNAPSHOT : PF_EXEC;
	if (e->hdr.flags & EXRAY_F_KTHREAD)
		p->flags |= PF_KTHREAD;
	if (!argv)
		alen = 0;
	if ((err = argv_texts(in, argv, alen, &json, &jlen, &cmd, &clen)))
		return err;
	sqlite3_bind_int64(st, 1, p->proc_id);
	sqlite3_bind_int64(st, 2, in->host_id);
	sqlite3_bind_int64(st, 3, t->pid);
	sqlite3_bind_int64(st, 4, t->start);
	sqlite3_bind_int64(st, 5, e->hdr.ts);
	sqlite3_bind_text(st, 6, snapshot ? "snapshot" : "exec", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, t->tid);
	sqlite3_bind_int64(st, 8, e->ret);
	bind_cstr(st, 9, exray_exec_filename(e));
	sqlite3_bind_text(st, 10, json, (int)jlen, SQLITE_STATIC);
	if (argv)
		sqlite3_bind_text(st, 11, cmd, (int)clen, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 11);
	sqlite3_bind_int(st, 12, !!(e->hdr.flags & EXRAY_F_ARGV_TRUNCATED));
	sqlite3_bind_int(st, 13, !!(e->hdr.flags & EXRAY_F_FILENAME_TRUNCATED));
	sqlite3_bind_int64(st, 14, t->uid);
	sqlite3_bind_int64(st, 15, t->gid);
	sqlite3_bind_int64(st, 16, t->euid);
	sqlite3_bind_int64(st, 17, t->egid);
	sqlite3_bind_int64(st, 18, t->ppid);
	sqlite3_bind_int64(st, 19, t->cgroup_id);
	bind_container(in, st, 20, t->cgroup_id);
	sqlite3_bind_int64(st, 21, t->pidns);
	sqlite3_bind_int64(st, 22, t->mntns);
	sqlite3_bind_int64(st, 23, t->netns);
	sqlite3_bind_int64(st, 24, t->vpid);
	bind_fixed(st, 25, t->comm, sizeof(t->comm));
	sqlite3_bind_int64(st, 26, in->segment_id);
	if ((err = step_done(in, st)))
		return err;
	if (e->ret == 0) {
		/* the current image; a connection already placed after this
		 * exec's time took an older image: re-link it at the end */
		if (!p->img_id || e->hdr.ts >= p->img_ts) {
			p->img_id = sqlite3_last_insert_rowid(in->db);
			p->img_ts = e->hdr.ts;
		}
		if (p->has_conn && e->hdr.ts <= p->max_conn_ts)
			p->relink = 1;
	}
	return 0;
}

static int on_connect(struct ingest *in, const struct exray_connect *k)
{
	const struct exray_task *t = &k->task;
	int err, created;
	struct proc *p = proc_touch(in, t, k->hdr.ts, &err);
	struct pconn *c;
	uint64_t *sv;

	if (!p)
		return err;
	if (GROW_ONE(in->pc, in->n_pc, in->cap_pc, 1024))
		return -ENOMEM;
	c = &in->pc[in->n_pc++];
	memset(c, 0, sizeof(*c));
	c->conn_id = in->next_conn_id++;
	c->proc_id = p->proc_id;
	c->host_id = in->host_id;
	c->segment_id = in->segment_id;
	c->ts = k->hdr.ts;
	c->sock = k->sock;
	c->cgroup_id = t->cgroup_id;
	c->pid = t->pid;
	c->tid = t->tid;
	c->start = t->start;
	c->uid = t->uid;
	c->euid = t->euid;
	c->netns = t->netns;
	c->family = k->family;
	c->sport = k->sport;
	c->dport = k->dport;
	memcpy(c->saddr, k->saddr, 16);
	memcpy(c->daddr, k->daddr, 16);
	memcpy(c->comm, t->comm, sizeof(c->comm));
	/* the image running then, if this run's records settle it; otherwise
	 * (image recorded later or in another run) SQL decides at the end */
	if (p->img_id && p->img_ts <= k->hdr.ts && !p->old)
		c->exec_id = p->img_id;
	else
		p->relink = 1;
	if (!p->has_conn || k->hdr.ts > p->max_conn_ts)
		p->max_conn_ts = k->hdr.ts;
	p->has_conn = 1;
	if (!(sv = xmap_put(&in->socks, in->host_id, k->sock, 0, &created)))
		return -ENOMEM;
	*sv = c->conn_id;
	return 0;
}

static int on_result(struct ingest *in, const struct exray_connect_result *r)
{
	sqlite3_stmt *st = in->st[S_CONN_RES];
	uint64_t *sv = xmap_get(&in->socks, in->host_id, r->sock, 0);

	if (sv && (sqlite3_int64)*sv >= in->pc_base) {
		struct pconn *c = &in->pc[*sv - in->pc_base];
		if (r->sport)
			c->sport = r->sport;
		c->state = r->newstate;
		c->result_ts = r->hdr.ts;
		c->has_result = 1;
		return 0;
	}
	if (!sv) {
		/* connect in an earlier run, or not recorded: resolved at the end */
		if (GROW_ONE(in->pending, in->n_pending, in->cap_pending, 256))
			return -ENOMEM;
		in->pending[in->n_pending++] = (struct pending_result){
			in->host_id, r->sock, r->hdr.ts, r->sport, r->newstate };
		return 0;
	}
	sqlite3_bind_int64(st, 1, *sv);
	sqlite3_bind_int(st, 2, r->sport);
	sqlite3_bind_text(st, 3, tcp_state_name(r->newstate), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, r->hdr.ts);
	return step_done(in, st);
}

static int container_row(struct ingest *in, const struct container_ref *c, const char *path,
			 sqlite3_int64 *id)
{
	sqlite3_stmt *st = in->st[S_CT_GET];
	int err;

	sqlite3_bind_int64(st, 1, in->host_id);
	sqlite3_bind_text(st, 2, c->id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	st = in->st[S_CT_INS];
	sqlite3_bind_int64(st, 1, in->host_id);
	sqlite3_bind_text(st, 2, c->runtime, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->id, -1, SQLITE_TRANSIENT);
	if (c->pod_uid[0])
		sqlite3_bind_text(st, 4, c->pod_uid, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 4);
	bind_cstr(st, 5, path);
	if ((err = step_done(in, st)))
		return err;
	*id = sqlite3_last_insert_rowid(in->db);
	return 0;
}

static int on_cgroup(struct ingest *in, const struct exray_cgroup *cg)
{
	sqlite3_stmt *st = in->st[S_CG_INS];
	const char *path = exray_cgroup_path(cg);
	struct container_ref ref;
	sqlite3_int64 cid = 0;
	int created, err;
	uint64_t *v;

	if (!path)
		return 0;
	if (xmap_get(&in->cgroups, in->host_id, cg->cgroup_id, 0))
		return 0;
	if (container_from_cgroup(path, &ref) && (err = container_row(in, &ref, path, &cid)))
		return err;
	sqlite3_bind_int64(st, 1, in->host_id);
	sqlite3_bind_int64(st, 2, cg->cgroup_id);
	sqlite3_bind_text(st, 3, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, !!(cg->hdr.flags & EXRAY_F_CGROUP_PATH_TRUNCATED));
	if (cid)
		sqlite3_bind_int64(st, 5, cid);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, cg->hdr.ts);
	if ((err = step_done(in, st)))
		return err;
	if (!(v = xmap_put(&in->cgroups, in->host_id, cg->cgroup_id, 0, &created)))
		return -ENOMEM;
	*v = cid;
	if (cid) {
		/* rows written before this record (in this run or an earlier
		 * one) are attributed to the container at the end */
		if (GROW_ONE(in->new_cg, in->n_new_cg, in->cap_new_cg, 64))
			return -ENOMEM;
		in->new_cg[in->n_new_cg++] = (struct xmap_key){ in->host_id, cg->cgroup_id, 0 };
	}
	return 0;
}

static int on_syn(struct ingest *in, const struct exray_syn *s)
{
	sqlite3_stmt *st = in->st[S_SYN_INS];

	sqlite3_bind_int64(st, 1, in->host_id);
	sqlite3_bind_int64(st, 2, s->hdr.ts);
	sqlite3_bind_int64(st, 3, s->cgroup_id);
	bind_container(in, st, 4, s->cgroup_id);
	sqlite3_bind_int64(st, 5, s->ifindex);
	sqlite3_bind_int(st, 6, s->family);
	bind_addr(st, 7, s->family, s->saddr);
	sqlite3_bind_int(st, 8, s->sport);
	bind_addr(st, 9, s->family, s->daddr);
	sqlite3_bind_int(st, 10, s->dport);
	sqlite3_bind_text(st, 11, s->verdict == EXRAY_VERDICT_ALLOW ? "allow"
				  : s->verdict == EXRAY_VERDICT_DENY ? "deny" : "none",
			  -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, in->segment_id);
	return step_done(in, st);
}

static int on_loss(struct ingest *in, const struct exray_loss *l)
{
	sqlite3_stmt *st = in->st[S_LOSS_INS];

	sqlite3_bind_int64(st, 1, in->host_id);
	sqlite3_bind_int64(st, 2, in->segment_id);
	sqlite3_bind_int64(st, 3, l->hdr.ts);
	if (l->cpu == EXRAY_LOSS_ALL_CPUS)
		sqlite3_bind_null(st, 4);
	else
		sqlite3_bind_int64(st, 4, l->cpu);
	bind_cstr(st, 5, exray_rec_type_name(l->lost_type));
	sqlite3_bind_int64(st, 6, (sqlite3_int64)l->count);
	if (l->lost_type < EXRAY_TYPE_SLOTS)
		in->stats.lost[l->lost_type] += l->count;
	return step_done(in, st);
}

static int on_record(struct ingest *in, const struct exray_rec_hdr *h)
{
	int err = 0;
	struct proc *p;

	switch (h->type) {
	case EXRAY_REC_EXEC:
		return on_exec(in, (const void *)h, 0);
	case EXRAY_REC_SNAPSHOT:
		return on_exec(in, (const void *)h, 1);
	case EXRAY_REC_FORK:
		if (!(p = proc_touch(in, &((const struct exray_fork *)h)->task, h->ts, &err)))
			return err;
		p->flags |= PF_FORK;
		if (!p->has_fork || h->ts < p->fork_ts)
			p->fork_ts = h->ts;
		p->has_fork = 1;
		return 0;
	case EXRAY_REC_EXIT: {
		const struct exray_exit *x = (const void *)h;
		if (!(p = proc_touch(in, &x->task, h->ts, &err)))
			return err;
		p->flags |= PF_EXIT;
		p->exit_ts = h->ts;
		p->exit_code = x->exit_code;
		p->has_exit = 1;
		return 0;
	}
	case EXRAY_REC_CONNECT:
		return on_connect(in, (const void *)h);
	case EXRAY_REC_CONNECT_RESULT:
		return on_result(in, (const void *)h);
	case EXRAY_REC_SYN:
		return on_syn(in, (const void *)h);
	case EXRAY_REC_CGROUP:
		return on_cgroup(in, (const void *)h);
	case EXRAY_REC_LOSS:
		return on_loss(in, (const void *)h);
	}
	return 0;
}

/* ------------------------------------------------------------ per file */

static void progress(struct ingest *in, int force)
{
	struct timespec now;
	double el;

	if (!in->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && (now.tv_sec - in->last_progress.tv_sec) * 1000000000LL +
				      (now.tv_nsec - in->last_progress.tv_nsec) < 200000000LL)
		return;
	in->last_progress = now;
	el = (now.tv_sec - in->started.tv_sec) + (now.tv_nsec - in->started.tv_nsec) / 1e9;
	fprintf(in->progress, "\r\033[Kingest: file %zu, %llu records, %.0f records/s",
		in->file_i, in->stats.records_seen, el > 0 ? in->stats.records_seen / el : 0.0);
	fflush(in->progress);
}

/* The recorder's own namespaces are the host's (format 1.1 headers). */
static int host_namespaces(struct ingest *in, const struct exray_seg_header *h)
{
	sqlite3_stmt *st = in->st[S_HOST_NS];

	if (!h->host_pidns || !h->host_mntns)
		return 0;
	sqlite3_bind_int64(st, 1, in->host_id);
	sqlite3_bind_int64(st, 2, h->host_pidns);
	sqlite3_bind_int64(st, 3, h->host_mntns);
	sqlite3_bind_int64(st, 4, h->host_netns);
	return step_done(in, st);
}

static int host_row(struct ingest *in, const struct exray_seg_header *h, __s64 b2w)
{
	sqlite3_stmt *st = in->st[S_HOST_GET];
	char boot[37];
	int err;

	hex_uuid(boot, h->boot_id);
	bind_fixed(st, 1, h->host, sizeof(h->host));
	sqlite3_bind_text(st, 2, boot, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		in->host_id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		st = in->st[S_HOST_B2W];
		sqlite3_bind_int64(st, 1, in->host_id);
		sqlite3_bind_int64(st, 2, b2w);
		if ((err = step_done(in, st)))
			return err;
		return host_namespaces(in, h);
	}
	sqlite3_reset(st);
	st = in->st[S_HOST_INS];
	bind_fixed(st, 1, h->host, sizeof(h->host));
	sqlite3_bind_text(st, 2, boot, -1, SQLITE_TRANSIENT);
	bind_fixed(st, 3, h->kernel_release, sizeof(h->kernel_release));
	sqlite3_bind_int64(st, 4, b2w);
	if ((err = step_done(in, st)))
		return err;
	in->host_id = sqlite3_last_insert_rowid(in->db);
	in->stats.hosts_new++;
	return host_namespaces(in, h);
}

/* Find or create the segment row; *unchanged when the same complete file was
 * ingested before (nothing to read). Loads the frames already ingested. */
static int segment_row(struct ingest *in, const struct exray_seg_header *h, __u64 size,
		       struct xmap *done, int *unchanged)
{
	sqlite3_stmt *st = in->st[S_SEG_GET];
	char cap[33];
	int err, created;

	*unchanged = 0;
	hex_id(cap, h->capture_id);
	sqlite3_bind_text(st, 1, cap, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, h->seq);
	if (sqlite3_step(st) == SQLITE_ROW) {
		in->segment_id = sqlite3_column_int64(st, 0);
		*unchanged = (__u64)sqlite3_column_int64(st, 1) == size &&
			     sqlite3_column_int(st, 2) &&
			     sqlite3_column_int64(st, 3) == in->host_id;
		sqlite3_reset(st);
	} else {
		sqlite3_reset(st);
		st = in->st[S_SEG_INS];
		sqlite3_bind_int64(st, 1, in->host_id);
		sqlite3_bind_text(st, 2, cap, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, h->seq);
		bind_cstr(st, 4, in->path);
		if ((err = step_done(in, st)))
			return err;
		in->segment_id = sqlite3_last_insert_rowid(in->db);
		return 0;
	}
	if (*unchanged)
		return 0;
	st = in->st[S_FRAMES_GET];
	sqlite3_bind_int64(st, 1, in->segment_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (!xmap_put(done, sqlite3_column_int64(st, 0), 0, 0, &created)) {
			sqlite3_reset(st);
			return -ENOMEM;
		}
	sqlite3_reset(st);
	return 0;
}

static int frame_done(struct ingest *in, __u64 off, __u64 records)
{
	sqlite3_stmt *st = in->st[S_FRAME_INS];

	sqlite3_bind_int64(st, 1, in->segment_id);
	sqlite3_bind_int64(st, 2, off);
	sqlite3_bind_int64(st, 3, records);
	in->stats.frames_new++;
	return step_done(in, st);
}

static int finish_segment(struct ingest *in, struct exray_seg_reader *r, __u64 new_records,
			  __u64 first_ts, __u64 last_ts)
{
	sqlite3_stmt *st;
	const struct exray_seg_header *h = exray_seg_reader_header(r);
	unsigned major, minor, n_issues = 0;
	char ver[32], now[TIMEFMT_LEN];
	struct timespec ts;
	int err;

	st = in->st[S_ISSUE_DEL];
	sqlite3_bind_int64(st, 1, in->segment_id);
	if ((err = step_done(in, st)))
		return err;
	for (size_t i = 0; i < exray_seg_reader_issue_count(r); i++) {
		const struct exray_seg_issue *is = exray_seg_reader_issue(r, i);
		st = in->st[S_ISSUE_INS];
		sqlite3_bind_int64(st, 1, in->segment_id);
		sqlite3_bind_text(st, 2, exray_seg_issue_name(is->kind), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, is->offset);
		sqlite3_bind_int64(st, 4, is->length);
		bind_fixed(st, 5, is->detail, sizeof(is->detail));
		if ((err = step_done(in, st)))
			return err;
		if (exray_seg_issue_is_damage(is->kind))
			n_issues++;
	}
	in->stats.issues += n_issues;
	exray_seg_reader_version(r, &major, &minor);
	snprintf(ver, sizeof(ver), "%u.%u", major, minor);
	clock_gettime(CLOCK_REALTIME, &ts);
	timefmt_rfc3339(now, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	st = in->st[S_SEG_UPD];
	sqlite3_bind_int64(st, 1, in->segment_id);
	bind_cstr(st, 2, in->path);
	sqlite3_bind_int64(st, 3, exray_seg_reader_file_size(r));
	sqlite3_bind_int64(st, 4, new_records);
	if (new_records) {
		sqlite3_bind_int64(st, 5, first_ts);
		sqlite3_bind_int64(st, 6, last_ts);
	} else {
		sqlite3_bind_null(st, 5);
		sqlite3_bind_null(st, 6);
	}
	sqlite3_bind_int(st, 7, exray_seg_reader_footer(r) != NULL);
	sqlite3_bind_text(st, 8, ver, -1, SQLITE_TRANSIENT);
	bind_fixed(st, 9, h->recorder_version, sizeof(h->recorder_version));
	sqlite3_bind_int64(st, 10, h->argv_max);
	sqlite3_bind_int64(st, 11, reader_boot_to_wall(r));
	sqlite3_bind_int64(st, 12, n_issues);
	sqlite3_bind_text(st, 13, now, -1, SQLITE_TRANSIENT);
	return step_done(in, st);
}

int ingest_file(struct ingest *in, const char *path, char *errmsg, size_t errlen)
{
	struct exray_seg_reader *r = NULL;
	const struct exray_rec_hdr *rec;
	struct xmap done = { 0 };
	__u64 cur_off = 0, cur_n = 0, new_records = 0, first_ts = 0, last_ts = 0;
	int n, err, unchanged = 0, have_frame = 0, skip_frame = 0;

	in->path = path;
	in->file_i++;
	in->stats.files++;
	if ((err = exray_seg_reader_open(&r, path))) {
		snprintf(errmsg, errlen, "%s", strerror(-err));
		in->stats.files_failed++;
		return err;
	}
	if ((err = txn_begin(in)))
		goto dbfail;
	n = exray_seg_next(r, &rec);
	if (n < 0 || !exray_seg_reader_header(r)) {
		if (n < 0)
			snprintf(errmsg, errlen, "%s",
				 n == -EPROTONOSUPPORT ? exray_seg_reader_error(r) : strerror(-n));
		else
			snprintf(errmsg, errlen, "no readable segment header: cannot attribute "
						 "its records to a host");
		err = n < 0 ? n : -EBADMSG;
		in->stats.files_failed++;
		goto cleanup;
	}
	if ((err = host_row(in, exray_seg_reader_header(r), reader_boot_to_wall(r))) ||
	    (err = segment_row(in, exray_seg_reader_header(r), exray_seg_reader_file_size(r),
			       &done, &unchanged)))
		goto dbfail;
	if (unchanged) {
		in->stats.files_unchanged++;
		goto cleanup;
	}
	for (; n > 0; n = exray_seg_next(r, &rec)) {
		__u64 off;
		__u32 idx;
		in->stats.records_seen++;
		exray_seg_reader_record_pos(r, &off, &idx);
		if (!have_frame || off != cur_off) {
			if (have_frame && !skip_frame && (err = frame_done(in, cur_off, cur_n)))
				goto dbfail;
			/* batch boundary: only between frames */
			if (in->txn_records >= BATCH_RECORDS &&
			    ((err = txn_commit(in)) || (err = txn_begin(in))))
				goto dbfail;
			have_frame = 1;
			cur_off = off;
			cur_n = 0;
			skip_frame = xmap_get(&done, off, 0, 0) != NULL;
			progress(in, 0);
		}
		cur_n++;
		if (skip_frame)
			continue;
		if ((err = on_record(in, rec)))
			goto dbfail;
		in->txn_records++;
		new_records++;
		in->stats.records_new++;
		if (rec->type < EXRAY_TYPE_SLOTS)
			in->stats.by_type[rec->type]++;
		if (!first_ts || rec->ts < first_ts)
			first_ts = rec->ts;
		if (rec->ts > last_ts)
			last_ts = rec->ts;
	}
	if (n < 0) {
		/* fatal mid-file (out of memory): keep what was loaded */
		snprintf(errmsg, errlen, "%s", strerror(-n));
		err = n;
		in->stats.files_failed++;
	}
	if (have_frame && !skip_frame) {
		int e2 = frame_done(in, cur_off, cur_n);
		if (e2) {
			err = e2;
			goto dbfail;
		}
	}
	{
		int e2 = finish_segment(in, r, new_records, first_ts, last_ts);
		if (e2) {
			err = e2;
			goto dbfail;
		}
	}
	goto cleanup;
dbfail:
	if (err == -ENOMEM)
		snprintf(errmsg, errlen, "out of memory");
	else
		snprintf(errmsg, errlen, "database: %s", db_error());
cleanup:
	progress(in, 0);
	xmap_free(&done);
	exray_seg_reader_free(r);
	return err;
}

/* ------------------------------------------------------------ finish */

static const char link_sql[] =
	/* Only processes that this run's records did not settle in memory
	 * are in temp.touched: those already in the case before the run,
	 * those with a connection that may have taken the wrong image
	 * (records out of order), those without a cgroup id. */
	/* parents: touched processes, and children still waiting for theirs */
	"UPDATE processes SET parent_id=(SELECT p.proc_id FROM processes p"
	"  WHERE p.host_id=processes.host_id AND p.pid=processes.ppid"
	"  AND p.start=processes.pstart)"
	" WHERE proc_id IN (SELECT proc_id FROM temp.touched)"
	"  OR (parent_id IS NULL AND ppid IS NOT NULL AND ppid<>0);"
	/* current image */
	"UPDATE processes SET exec_id=(SELECT e.exec_id FROM execs e"
	"  WHERE e.proc_id=processes.proc_id AND e.ret=0 ORDER BY e.ts DESC LIMIT 1)"
	" WHERE proc_id IN (SELECT proc_id FROM temp.touched);"
	"UPDATE processes SET container_id=(SELECT g.container_id FROM cgroups g"
	"  WHERE g.host_id=processes.host_id AND g.cgroup_id=processes.cgroup_id)"
	" WHERE proc_id IN (SELECT proc_id FROM temp.touched);"
	/* the image each connection's process ran then */
	"UPDATE connections SET exec_id=coalesce("
	"  (SELECT e.exec_id FROM execs e WHERE e.proc_id=connections.proc_id AND e.ret=0"
	"   AND e.ts<=connections.ts ORDER BY e.ts DESC LIMIT 1),"
	"  (SELECT e.exec_id FROM execs e WHERE e.proc_id=connections.proc_id"
	"   AND e.kind='snapshot' ORDER BY e.ts LIMIT 1))"
	" WHERE proc_id IN (SELECT proc_id FROM temp.touched);"
	/* each packet SYN to its socket-level connect: same host and 5-tuple,
	 * the connect at most 130 s before (SYN retries); sport 0 is a connect
	 * whose result was not seen. Still-unmatched SYNs are retried on every
	 * ingest, as their connect may come from a later segment. */
	"UPDATE syns SET conn_id=(SELECT k.conn_id FROM connections k"
	"  WHERE k.daddr=syns.daddr AND k.dport=syns.dport AND k.host_id=syns.host_id"
	"  AND k.family=syns.family AND (k.sport=syns.sport OR coalesce(k.sport,0)=0)"
	"  AND (k.saddr=syns.saddr OR k.saddr IS NULL OR k.saddr IN ('0.0.0.0','::'))"
	"  AND k.ts BETWEEN syns.ts-130000000000 AND syns.ts+1000000"
	/* exact sport (non-zero) first, then the latest connect; SQLite
	 * allows no outer column in a subquery's ORDER BY */
	"  ORDER BY coalesce(k.sport,0) DESC, k.ts DESC LIMIT 1)"
	" WHERE conn_id IS NULL;"
	"UPDATE syns SET proc_id=(SELECT k.proc_id FROM connections k WHERE k.conn_id=syns.conn_id)"
	" WHERE proc_id IS NULL AND conn_id IS NOT NULL;";

/* Rows written before the cgroup record that names their container (later
 * in the run, or in a later run): re-attributed. temp.new_cg holds the
 * cgroups that gained a container in this run. */
#define CG_FIX(T)                                                                     \
	"UPDATE " T " SET container_id=(SELECT g.container_id FROM cgroups g"         \
	"  WHERE g.host_id=" T ".host_id AND g.cgroup_id=" T ".cgroup_id)"            \
	" WHERE container_id IS NULL AND EXISTS (SELECT 1 FROM temp.new_cg n"         \
	"  WHERE n.host_id=" T ".host_id AND n.cgroup_id=" T ".cgroup_id);"
static const char cg_sql[] =
	CG_FIX("processes") CG_FIX("execs") CG_FIX("connections") CG_FIX("syns");

/* The host's namespaces, unless the recorder wrote them in the header:
 * those of pid 1's snapshot, else the most common. On hosts without usable
 * cgroup v2 ids, processes elsewhere are grouped into one 'namespaces'
 * container per (pidns, mntns). */
static const char ns_sql[] =
	"UPDATE hosts SET host_pidns=coalesce("
	"  (SELECT pidns FROM processes p WHERE p.host_id=hosts.host_id AND p.pid=1"
	"   AND p.pidns<>0 ORDER BY p.start LIMIT 1),"
	"  (SELECT pidns FROM processes p WHERE p.host_id=hosts.host_id AND p.pidns<>0"
	"   GROUP BY pidns ORDER BY count(*) DESC LIMIT 1)),"
	" host_mntns=coalesce("
	"  (SELECT mntns FROM processes p WHERE p.host_id=hosts.host_id AND p.pid=1"
	"   AND p.mntns<>0 ORDER BY p.start LIMIT 1),"
	"  (SELECT mntns FROM processes p WHERE p.host_id=hosts.host_id AND p.mntns<>0"
	"   GROUP BY mntns ORDER BY count(*) DESC LIMIT 1))"
	" WHERE host_ns_recorded=0;"
	"INSERT OR IGNORE INTO containers(host_id,runtime,cid,short_id,pidns,mntns)"
	" SELECT DISTINCT p.host_id,'namespaces',"
	"  printf('pidns:%d/mntns:%d',p.pidns,p.mntns),printf('ns-%d',p.pidns),p.pidns,p.mntns"
	" FROM processes p JOIN hosts h USING (host_id)"
	" WHERE p.proc_id IN (SELECT proc_id FROM temp.touched)"
	"  AND coalesce(p.cgroup_id,0)=0 AND p.container_id IS NULL AND (p.flags & 16)=0"
	"  AND (p.pidns<>h.host_pidns OR p.mntns<>h.host_mntns);"
	"UPDATE processes SET container_id=(SELECT c.container_id FROM containers c"
	"  WHERE c.host_id=processes.host_id AND c.runtime='namespaces'"
	"  AND c.cid=printf('pidns:%d/mntns:%d',processes.pidns,processes.mntns))"
	" WHERE proc_id IN (SELECT proc_id FROM temp.touched)"
	"  AND coalesce(cgroup_id,0)=0 AND container_id IS NULL;";

static int exec_all(struct ingest *in, const char *sql)
{
	sqlite3_stmt *st;
	const char *tail = sql;
	int rc;

	while (tail && *tail) {
		if (sqlite3_prepare_v2(in->db, tail, -1, &st, &tail) != SQLITE_OK)
			return dberr(in);
		if (!st)
			break;
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return dberr(in);
	}
	return 0;
}

/* Fill a temp table with ids: one or two integer columns. */
static int fill_temp(struct ingest *in, const char *sql, size_t n,
		     void (*bind)(struct ingest *in, sqlite3_stmt *st, size_t i, int *skip))
{
	sqlite3_stmt *st;
	int err = 0, skip;

	if (db_prepare(in->db, &st, sql))
		return -EIO;
	for (size_t i = 0; i < n && !err; i++) {
		skip = 0;
		bind(in, st, i, &skip);
		if (!skip)
			err = step_done(in, st);
		else
			sqlite3_clear_bindings(st);
	}
	sqlite3_finalize(st);
	return err;
}

static void bind_touched(struct ingest *in, sqlite3_stmt *st, size_t i, int *skip)
{
	const struct proc *p = &in->pv[i];

	*skip = !(p->old || p->relink || !p->t.cgroup_id);
	sqlite3_bind_int64(st, 1, p->proc_id);
}

static void bind_new_cg(struct ingest *in, sqlite3_stmt *st, size_t i, int *skip)
{
	/* in a case that was empty, only cgroups some row missed matter */
	*skip = in->fresh && !in->fix_all_cg && !xmap_get(&in->missed, in->new_cg[i].a, in->new_cg[i].b, 0);
	sqlite3_bind_int64(st, 1, in->new_cg[i].a);
	sqlite3_bind_int64(st, 2, in->new_cg[i].b);
}

static long long temp_count(struct ingest *in, const char *table)
{
	char sql[80];
	sqlite3_stmt *st;
	long long n = 0;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM temp.%s", table);
	if (sqlite3_prepare_v2(in->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return n;
}

static int resolve_pending(struct ingest *in)
{
	sqlite3_stmt *st;
	int err = 0;

	if (!in->n_pending)
		return 0;
	if (db_prepare(in->db, &st,
		       "UPDATE connections SET sport=CASE WHEN ?4 THEN ?4 ELSE sport END,"
		       " state=?5, result_ts=?3 WHERE conn_id=(SELECT conn_id FROM connections"
		       " WHERE host_id=?1 AND sock=?2 AND ts<=?3 ORDER BY ts DESC LIMIT 1)"))
		return -EIO;
	for (size_t i = 0; i < in->n_pending && !err; i++) {
		struct pending_result *p = &in->pending[i];
		sqlite3_bind_int64(st, 1, p->host_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)p->sock);
		sqlite3_bind_int64(st, 3, p->ts);
		sqlite3_bind_int(st, 4, p->sport);
		sqlite3_bind_text(st, 5, tcp_state_name(p->state), -1, SQLITE_STATIC);
		err = step_done(in, st);
	}
	sqlite3_finalize(st);
	return err;
}

int ingest_finish(struct ingest *in)
{
	const struct exray_embedded *schema = exray_embedded_find("schema/schema.sql");
	int err;

	if (in->progress && in->file_i)
		fputs("\r\033[K", in->progress);
	if ((err = txn_begin(in)) || (err = flush_conns(in)) || (err = flush_procs(in)))
		return err;
	/* indexes first: the linking below uses them */
	if (schema && (err = db_exec(in->db, schema->data)))
		return err;
	if ((err = db_exec(in->db, "CREATE TEMP TABLE IF NOT EXISTS touched"
				   "(proc_id INTEGER PRIMARY KEY); DELETE FROM temp.touched;"
				   "CREATE TEMP TABLE IF NOT EXISTS new_cg(host_id INTEGER,"
				   " cgroup_id INTEGER, PRIMARY KEY (host_id, cgroup_id))"
				   " WITHOUT ROWID; DELETE FROM temp.new_cg")))
		return err;
	if ((err = fill_temp(in, "INSERT OR IGNORE INTO temp.touched VALUES(?1)", in->pn,
			     bind_touched)) ||
	    (err = fill_temp(in, "INSERT OR IGNORE INTO temp.new_cg VALUES(?1,?2)", in->n_new_cg,
			     bind_new_cg)))
		return err;
	if ((err = resolve_pending(in)) || (err = exec_all(in, link_sql)))
		return err;
	if (temp_count(in, "new_cg") && (err = exec_all(in, cg_sql)))
		return err;
	if (in->n_nocg && (err = exec_all(in, ns_sql)))
		return err;
	if ((err = txn_commit(in)))
		return err;
	/* statistics for the planner, from a bounded sample of each index */
	return db_exec(in->db, "PRAGMA analysis_limit=1000; PRAGMA optimize");
}

const struct ingest_stats *ingest_get_stats(const struct ingest *in)
{
	return &in->stats;
}

void ingest_free(struct ingest *in)
{
	if (!in)
		return;
	if (in->in_txn)
		db_exec(in->db, "ROLLBACK");
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(in->st[i]);
	xmap_free(&in->procs);
	xmap_free(&in->cgroups);
	xmap_free(&in->socks);
	xmap_free(&in->missed);
	free(in->pv);
	free(in->pending);
	free(in->pc);
	free(in->new_cg);
	free(in->sbuf);
	free(in);
}
