/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process Activity (1007): exec and fork as Launch (launch_type Exec,
 * Fork), exit as Terminate, a process alive when recording started as
 * Other "Snapshot". The actor is the parent process with its ancestry; for
 * an exit, the exiting process itself (OCSF's reflexive terminate: who sent
 * a killing signal is not recorded).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include "render/ocsf_int.h"

enum { LAUNCH = 1, TERMINATE = 2 };

/* The parent's image at the moment of the event: its latest successful
 * exec (or snapshot) at or before it (ix_execs_proc answers it). */
#define PARENT_IMAGE_AT(ts)                                                                     \
	"LEFT JOIN execs qe ON qe.exec_id = (SELECT x.exec_id FROM execs x WHERE x.proc_id = q.proc_id" \
	" AND x.ret = 0 AND x.ts <= " ts " ORDER BY x.ts DESC, x.exec_id DESC LIMIT 1)"

/* Columns after the event's own: the subject, then the actor (parent). */
#define SUBJECT_AND_PARENT(SUBJ_P, SUBJ_V, SUBJ_E, SUBJ_C)                       \
	OCSF_PROC_COLS(SUBJ_P, SUBJ_V, SUBJ_E, SUBJ_C) ", " OCSF_PROC_COLS("q", "q", "qe", "qc")

static const char execs_sql[] =
	"SELECT e.host_id, e.ts, e.kind, e.ret, e.tid, e.ppid, "
	SUBJECT_AND_PARENT("e", "p", "e", "c")
	" FROM execs e JOIN hosts h ON h.host_id = e.host_id"
	" JOIN processes p ON p.proc_id = e.proc_id"
	" LEFT JOIN containers c ON c.container_id = e.container_id"
	" LEFT JOIN processes q ON q.proc_id = p.parent_id"
	" LEFT JOIN containers qc ON qc.container_id = q.container_id "
	PARENT_IMAGE_AT("e.ts")
	" WHERE e.ts + h.boot_to_wall_ns BETWEEN ?1 AND ?2 AND " OCSF_CONTAINER_FILTER("e.container_id")
	" ORDER BY e.exec_id";
enum { X_HOST, X_TS, X_KIND, X_RET, X_TID, X_PPID, X_SUBJ, X_PARENT = X_SUBJ + OCSF_PROC_NCOLS };

/* The actor: the parent as recorded, or only its pid when it was not. */
static void write_parent_actor(struct ocsf_ctx *c, sqlite3_stmt *st, int col, int64_t ppid,
			       const struct ocsf_host *h)
{
	struct ocsf_proc q;

	ocsf_proc_from_row(st, col, h, &q);
	if (q.pid < 0) {
		memset(&q, 0, sizeof(q));
		q.h = h, q.pid = ppid, q.start = q.uid = q.vpid = q.tid = -1;
	}
	jw_obj(&c->w, "actor");
	ocsf_write_process(c, "process", &q, true);
	jw_end(&c->w);
}

int ocsf_write_execs(struct ocsf_ctx *c)
{
	sqlite3_stmt *st = NULL;
	int r, err;

	if ((err = ocsf_prepare(c, &st, execs_sql)))
		return err;
	while ((r = ocsf_step(c, st)) > 0) {
		const struct ocsf_host *h = ocsf_host(c, sqlite3_column_int64(st, X_HOST));
		int64_t ts = sqlite3_column_int64(st, X_TS), ret = ocsf_col_int(st, X_RET, 0);
		bool snapshot = !strcmp(ocsf_col_text(st, X_KIND) ? ocsf_col_text(st, X_KIND) : "", "snapshot");
		struct ocsf_proc p;
		char uid[OCSF_UID_LEN], ebuf[24];
		const char *detail;

		ocsf_proc_from_row(st, X_SUBJ, h, &p);
		p.tid = ocsf_col_int(st, X_TID, -1);
		ocsf_event_uid(uid, h, snapshot ? "snapshot" : "exec", p.pid, p.start, ts);
		ocsf_begin(c, OCSF_PROCESS_ACTIVITY, snapshot ? OCSF_ACTIVITY_OTHER : LAUNCH,
			   snapshot ? "Snapshot" : "Launch", 1, h, ts + (h ? h->b2w : 0), uid,
			   snapshot ? "snapshot" : "exec");
		if (snapshot) {
			jw_str(&c->w, "message", "running when recording started");
		} else {
			jw_int(&c->w, "launch_type_id", 3);
			jw_str(&c->w, "launch_type", "Exec");
		}
		if (ret < 0) {
			jw_int(&c->w, "status_id", 2);
			jw_str(&c->w, "status", "Failure");
			jw_str(&c->w, "status_code", ocsf_errno_name(ret, ebuf, &detail));
			jw_str(&c->w, "status_detail", detail);
		} else {
			jw_int(&c->w, "status_id", 1);
			jw_str(&c->w, "status", "Success");
		}
		ocsf_write_process(c, "process", &p, false);
		write_parent_actor(c, st, X_PARENT, ocsf_col_int(st, X_PPID, 0), h);
		jw_end(&c->w);
		c->n->process++;
	}
	sqlite3_finalize(st);
	return r;
}

/* A forked child runs its parent's image until it execs: the subject's
 * image columns are the parent's at fork time. */
static const char forks_sql[] =
	"SELECT p.host_id, p.fork_ts, p.ppid, "
	SUBJECT_AND_PARENT("p", "p", "qe", "c")
	" FROM processes p JOIN hosts h ON h.host_id = p.host_id"
	" LEFT JOIN containers c ON c.container_id = p.container_id"
	" LEFT JOIN processes q ON q.proc_id = p.parent_id"
	" LEFT JOIN containers qc ON qc.container_id = q.container_id "
	PARENT_IMAGE_AT("p.fork_ts")
	" WHERE p.fork_ts IS NOT NULL AND p.fork_ts + h.boot_to_wall_ns BETWEEN ?1 AND ?2"
	" AND " OCSF_CONTAINER_FILTER("p.container_id")
	" ORDER BY p.proc_id";
enum { F_HOST, F_TS, F_PPID, F_SUBJ, F_PARENT = F_SUBJ + OCSF_PROC_NCOLS };

int ocsf_write_forks(struct ocsf_ctx *c)
{
	sqlite3_stmt *st = NULL;
	int r, err;

	if ((err = ocsf_prepare(c, &st, forks_sql)))
		return err;
	while ((r = ocsf_step(c, st)) > 0) {
		const struct ocsf_host *h = ocsf_host(c, sqlite3_column_int64(st, F_HOST));
		int64_t ts = sqlite3_column_int64(st, F_TS);
		struct ocsf_proc p, q;
		char uid[OCSF_UID_LEN];

		ocsf_proc_from_row(st, F_SUBJ, h, &p);
		ocsf_proc_from_row(st, F_PARENT, h, &q);
		if (q.comm) /* the child's comm is its parent's until it execs */
			p.comm = q.comm;
		ocsf_event_uid(uid, h, "fork", p.pid, p.start, ts);
		ocsf_begin(c, OCSF_PROCESS_ACTIVITY, LAUNCH, "Launch", 1, h, ts + (h ? h->b2w : 0), uid, "fork");
		jw_int(&c->w, "launch_type_id", 2);
		jw_str(&c->w, "launch_type", "Fork");
		jw_int(&c->w, "status_id", 1);
		jw_str(&c->w, "status", "Success");
		ocsf_write_process(c, "process", &p, false);
		write_parent_actor(c, st, F_PARENT, ocsf_col_int(st, F_PPID, 0), h);
		jw_end(&c->w);
		c->n->process++;
	}
	sqlite3_finalize(st);
	return r;
}

static const char exits_sql[] =
	"SELECT p.host_id, p.exit_ts, p.exit_code, p.signal, "
	OCSF_PROC_COLS("p", "p", "e", "c")
	" FROM processes p JOIN hosts h ON h.host_id = p.host_id"
	" LEFT JOIN containers c ON c.container_id = p.container_id"
	" LEFT JOIN execs e ON e.exec_id = p.exec_id"
	" WHERE p.exit_ts IS NOT NULL AND p.exit_ts + h.boot_to_wall_ns BETWEEN ?1 AND ?2"
	" AND " OCSF_CONTAINER_FILTER("p.container_id")
	" ORDER BY p.proc_id";
enum { T_HOST, T_TS, T_CODE, T_SIGNAL, T_SUBJ };

int ocsf_write_exits(struct ocsf_ctx *c)
{
	sqlite3_stmt *st = NULL;
	int r, err;

	if ((err = ocsf_prepare(c, &st, exits_sql)))
		return err;
	while ((r = ocsf_step(c, st)) > 0) {
		const struct ocsf_host *h = ocsf_host(c, sqlite3_column_int64(st, T_HOST));
		int64_t ts = sqlite3_column_int64(st, T_TS), wall = ts + (h ? h->b2w : 0);
		int64_t code = ocsf_col_int(st, T_CODE, -1), sig = ocsf_col_int(st, T_SIGNAL, 0);
		struct ocsf_proc p;
		char uid[OCSF_UID_LEN], detail[64];

		ocsf_proc_from_row(st, T_SUBJ, h, &p);
		p.exit_wall = wall;
		ocsf_event_uid(uid, h, "exit", p.pid, p.start, ts);
		ocsf_begin(c, OCSF_PROCESS_ACTIVITY, TERMINATE, "Terminate", 1, h, wall, uid, "exit");
		if (sig > 0) {
			const char *name = sigabbrev_np((int)sig);
			snprintf(detail, sizeof(detail), "killed by signal %lld%s%s", (long long)sig,
				 name ? " SIG" : "", name ? name : "");
			jw_str(&c->w, "status_detail", detail);
			/* OCSF has no attribute for it: one meaning per field */
			jw_obj(&c->w, "unmapped");
			jw_int(&c->w, "signal", sig);
			jw_end(&c->w);
		} else if (code >= 0) {
			jw_int(&c->w, "exit_code", code);
		}
		ocsf_write_process(c, "process", &p, false);
		jw_obj(&c->w, "actor");
		ocsf_write_process(c, "process", &p, true);
		jw_end(&c->w);
		jw_end(&c->w);
		c->n->process++;
	}
	sqlite3_finalize(st);
	return r;
}
