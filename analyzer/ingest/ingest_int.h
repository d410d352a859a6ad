/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Inside ingest: the run's state, shared by its parts and by nothing else.
 *   ingest.c     the driver: files, frames, batches, transactions, progress
 *   segrows.c    the host, segment, frame and issue rows of each file
 *   handlers.c   the dispatch table: record type -> handler and statements
 *   rec_*.c      the per-record handlers, one file per group of types
 *   procmerge.c  the process merge: one row per process, whatever the order
 *   linking.c    the end-of-run linking SQL
 */
#ifndef EXRAY_INGEST_INT_H
#define EXRAY_INGEST_INT_H

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <sqlite3.h>
#include "ingest/ingest.h"
#include "ingest/pmap.h"
#include "ingest/xmap.h"

#define BATCH_RECORDS 200000

/* Statements a handler prepares at the start of a run (handlers.c). */
#define HANDLER_STMTS 3

/* processes.flags */
#define PF_FORK 1
#define PF_SNAPSHOT 2
#define PF_EXEC 4
#define PF_EXIT 8
#define PF_KTHREAD 16

/*
 * A process touched by this run. One created by this run (!old) has its
 * whole state here, parent, image and container included, and is written
 * with one REPLACE per batch; a process already in the database (old) is
 * merged into its row with the merge statement and re-linked in SQL at the
 * end.
 */
struct proc {
	sqlite3_int64 proc_id, host_id;
	sqlite3_int64 img_id;       /* latest successful exec/snapshot by ts (0: none) */
	__u64 first_ts, last_ts, fork_ts, exit_ts, parent_ts, ident_ts, img_ts, max_linked_ts;
	__u32 exit_code, flags;
	unsigned has_fork : 1, has_exit : 1, dirty : 1, old : 1, relink : 1, has_linked : 1;
	unsigned ident_own : 1;     /* p->t came from the process's own record */
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

/* A connect_result whose connect is not in this run's memory. */
struct pending_result {
	sqlite3_int64 host_id;
	__u64 sock, ts;
	__u16 sport;
	__u8 state;
};

/* Tables whose rows two overlapping captures both hold (dedupe.c). */
enum { DUP_EXECS, DUP_CONNS, DUP_SYNS, DUP_ACTS, DUP_SLOTS = DUP_ACTS + 8 };
extern const char *const dedupe_tables[DUP_SLOTS];

/* Statements of the driver (segrows.c) and of the process merge. */
enum {
	S_HOST_GET, S_HOST_INS, S_HOST_B2W, S_HOST_NS, S_SEG_GET, S_SEG_INS, S_SEG_UPD,
	S_FRAMES_GET, S_FRAME_INS, S_ISSUE_DEL, S_ISSUE_INS, S_PROC_GET, S_PROC_PUT,
	S_PROC_MERGE, S_COUNT
};

struct ingest {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	sqlite3_stmt *rec_st[EXRAY_TYPE_SLOTS][HANDLER_STMTS]; /* handlers.c */
	FILE *progress;
	struct ingest_stats stats;
	struct pmap procs;          /* (host, pid, start) -> index + 1 in pv, or
	                               PROC_EVICTED | proc_id (procmerge.c) */
	struct proc *pv;            /* the processes a batch may still change */
	size_t pn, pcap;
	sqlite3_int64 *gone_touched; /* evicted processes that the end links in SQL */
	size_t n_gone_touched, cap_gone_touched;
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
	unsigned long long txn_records, batch_records;
	int in_txn;
	int fresh;                  /* the case was empty at the start of the run */
	int fix_all_cg;             /* `missed` incomplete (no memory): re-attribute all */
	int resume;                 /* an earlier run did not finish: link the whole case */
	volatile sig_atomic_t *stop; /* ingest_set_stop: non-zero stops at a frame boundary */
	unsigned long long bytes_total, bytes_done; /* ingest_set_total; files done so far */
	__u64 frame_off;            /* offset of the frame being read in the current file */
	size_t files_total;
	char *sbuf;                 /* scratch for argv texts */
	size_t scap;
	struct timespec last_progress, started;
	sqlite3_int64 dup_last[DUP_SLOTS]; /* highest row id of each table before the run */
	struct xmap run_segs;       /* segment ids this run loaded records from */
	struct exray_seal_verifier *const *keys; /* ingest_set_keys */
	size_t n_keys;
	/* per file */
	sqlite3_int64 host_id, segment_id;
	const char *path;
	size_t file_i;
};

/* ------------------------------------------------------------ helpers */

/* runstate.c: the unfinished mark (at the start; deleted in the last
 * transaction) and the progress line. */
int run_mark_unfinished(struct ingest *in);
int run_mark_finished(struct ingest *in);
void run_progress(struct ingest *in, int force);
/* linking.c: this batch's unplaced connect results into pending_results,
 * so that they survive an interrupted run. */
int pending_flush(struct ingest *in);

/* Record SQLite's message for db_error(); -EIO. */
int ingest_dberr(struct ingest *in);
/* Step a write statement to completion and reset it. 0 or -EIO. */
int ingest_step(struct ingest *in, sqlite3_stmt *st);
/* Make room for one more element: GROW_ONE(arr, n, cap, first_cap). */
int ingest_grow(void **arr, size_t n, size_t *cap, size_t size, size_t start);
#define GROW_ONE(arr, n, cap, start) \
	ingest_grow((void **)&(arr), (n), &(cap), sizeof(*(arr)), (start))

/*
 * Text bound without a copy: every caller binds bytes of the record, of the
 * segment header, of the file name or of this run's memory, all of which
 * stay put until the statement is stepped and reset (ingest_step). Text
 * built in a local buffer is bound SQLITE_TRANSIENT instead (bind_addr).
 */
static inline void bind_text(sqlite3_stmt *st, int i, const char *s, size_t n)
{
	sqlite3_bind_text(st, i, s, (int)n, SQLITE_STATIC);
}

static inline void bind_cstr(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* A NUL-padded fixed-size field. */
static inline void bind_fixed(sqlite3_stmt *st, int i, const char *s, size_t max)
{
	bind_text(st, i, s, strnlen(s, max));
}

/* A row id, NULL for 0. */
static inline void bind_id(sqlite3_stmt *st, int i, sqlite3_int64 id)
{
	if (id)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

/* A recorded address as text (copied). */
void bind_addr(sqlite3_stmt *st, int i, __u8 family, const __u8 addr[16]);

/* container_id of a cgroup as known now (0: host or unknown); an unknown
 * non-zero cgroup counts as a miss, fixed at the end if its record comes. */
sqlite3_int64 cg_container(struct ingest *in, sqlite3_int64 host_id, __u64 cgroup_id);

/* ------------------------------------------------------------ the parts */

/* A record type's handler and the statements it writes with, prepared at
 * the start of a run into in->rec_st[type][0..]. */
struct rec_handler {
	int (*fn)(struct ingest *in, const struct exray_rec_hdr *h);
	const char *sql[HANDLER_STMTS];
};
extern const struct rec_handler handler_exec, handler_snapshot, handler_fork, handler_exit; /* rec_process.c */
extern const struct rec_handler handler_connect, handler_connect_result, handler_syn;   /* rec_net.c */
extern const struct rec_handler handler_cgroup, handler_loss;                       /* rec_meta.c */
extern const struct rec_handler handler_container;                                  /* rec_container.c */
extern const struct rec_handler handler_file, handler_priv, handler_ns, handler_ptrace,
	handler_socket, handler_memfd, handler_bpf, handler_uring;                  /* rec_acts.c */

/* handlers.c: prepare (finalize) every handler's statements; handle one
 * record. 0 or -errno. */
int handlers_prepare(struct ingest *in);
void handlers_finalize(struct ingest *in);
int handle_record(struct ingest *in, const struct exray_rec_hdr *h);

/* rec_net.c: the batch's connections, with their results merged. */
int flush_conns(struct ingest *in);
/* rec_meta.c: the case's cgroup -> container map. */
int load_cgroups(struct ingest *in);

/* procmerge.c */
int procmerge_prepare(struct ingest *in);
/* The process of t, created or merged with a record of ts. own: the record
 * carries the process's own identity (exec, snapshot, fork); other records
 * count as its own only from the main thread. NULL: -errno in *err. */
struct proc *proc_touch(struct ingest *in, const struct exray_task *t, __u64 ts, int own,
			int *err);
int flush_procs(struct ingest *in);
/* After a batch's commit: forget the exited processes it wrote (their key
 * keeps their proc_id), so memory holds the live ones only. -ENOMEM. */
int procs_evict(struct ingest *in);
/* Whether the end of the run links process p in SQL (temp.touched). */
int proc_needs_link(const struct proc *p);
/* The image p was running at ts (a row of connections or of what a
 * process did is written then), if this run's records settle it; 0 marks
 * p for linking in SQL at the end. */
sqlite3_int64 proc_image_at(struct proc *p, __u64 ts);

/* segrows.c */
int segrows_prepare(struct ingest *in);
int host_row(struct ingest *in, const struct exray_seg_header *h, __s64 b2w);
int segment_row(struct ingest *in, const struct exray_seg_header *h, __u64 size,
		struct xmap *done, int *unchanged);
int frame_done(struct ingest *in, __u64 off, __u64 records);
int finish_segment(struct ingest *in, struct exray_seg_reader *r, __u64 new_records,
		   __u64 first_ts, __u64 last_ts);
/* Segments whose header does not name the previous segment's final seal:
 * seal_status 'failed'. */
int seal_links(struct ingest *in);

/* linking.c: parents, images, containers, results of what the run loaded. */
int link_run(struct ingest *in);
/* dedupe.c: drop what overlapping captures both recorded (temp.run_segments
 * filled); counts them in stats.duplicates. */
int dedupe_run(struct ingest *in);

#endif
