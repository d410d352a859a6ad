/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The end of a run: what the records of the run could not settle in memory
 * is linked in SQL (parents recorded in an earlier run, processes already
 * in the case, connections whose image came out of order, rows whose
 * cgroup record came later, connect results of earlier connects, packet
 * SYNs to their connects, namespace grouping).
 */
#include <errno.h>
#include "casedb/db.h"
#include "ingest/ingest_int.h"
#include "text/recfmt.h"

/* The image a row's process ran at the row's ts: the latest successful
 * exec at or before it, else the snapshot. For the rows of touched
 * processes. */
#define IMG_FIX(T)                                                                     \
	"UPDATE " T " SET exec_id=coalesce("                                           \
	"  (SELECT e.exec_id FROM execs e WHERE e.proc_id=" T ".proc_id AND e.ret=0"   \
	"   AND e.ts<=" T ".ts ORDER BY e.ts DESC LIMIT 1),"                           \
	"  (SELECT e.exec_id FROM execs e WHERE e.proc_id=" T ".proc_id"               \
	"   AND e.kind='snapshot' ORDER BY e.ts LIMIT 1))"                             \
	" WHERE proc_id IN (SELECT proc_id FROM temp.touched);"
/* Every table of what a process did (rec_acts.c). */
#define FOR_ACT_TABLES(M)                                                              \
	M("file_events") M("priv_events") M("ns_events") M("ptrace_events")            \
	M("socket_events") M("memfd_events") M("bpf_events") M("uring_events")

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
	/* the image each connection's (and each act's) process ran then */
	IMG_FIX("connections") FOR_ACT_TABLES(IMG_FIX)
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
	" WHERE proc_id IS NULL AND conn_id IS NOT NULL;"
	/* a ptrace target by its key, else (start unknown) the process with
	 * that pid started last before the call; retried on every ingest */
	"UPDATE ptrace_events SET target_proc_id=CASE WHEN target_start IS NOT NULL"
	"  THEN (SELECT p.proc_id FROM processes p WHERE p.host_id=ptrace_events.host_id"
	"   AND p.pid=ptrace_events.target_pid AND p.start=ptrace_events.target_start)"
	"  ELSE (SELECT p.proc_id FROM processes p WHERE p.host_id=ptrace_events.host_id"
	"   AND p.pid=ptrace_events.target_pid AND p.start<=ptrace_events.ts"
	"   ORDER BY p.start DESC LIMIT 1) END"
	" WHERE target_proc_id IS NULL AND target_pid IS NOT NULL;"
	/* a socket duplicated onto stdio to its connect: same host and
	 * socket id, the latest connect at or before it */
	"UPDATE socket_events SET conn_id=(SELECT k.conn_id FROM connections k"
	"  WHERE k.host_id=socket_events.host_id AND k.sock=socket_events.sock"
	"  AND k.ts<=socket_events.ts ORDER BY k.ts DESC LIMIT 1)"
	" WHERE conn_id IS NULL AND sock IS NOT NULL;";

/* Rows written before the cgroup record that names their container (later
 * in the run, or in a later run): re-attributed. temp.new_cg holds the
 * cgroups that gained a container in this run. */
#define CG_FIX(T)                                                                     \
	"UPDATE " T " SET container_id=(SELECT g.container_id FROM cgroups g"         \
	"  WHERE g.host_id=" T ".host_id AND g.cgroup_id=" T ".cgroup_id)"            \
	" WHERE container_id IS NULL AND EXISTS (SELECT 1 FROM temp.new_cg n"         \
	"  WHERE n.host_id=" T ".host_id AND n.cgroup_id=" T ".cgroup_id);"
static const char cg_sql[] =
	CG_FIX("processes") CG_FIX("execs") CG_FIX("connections") CG_FIX("syns")
	FOR_ACT_TABLES(CG_FIX);

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
			return ingest_dberr(in);
		if (!st)
			break;
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return ingest_dberr(in);
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
			err = ingest_step(in, st);
		else
			sqlite3_clear_bindings(st);
	}
	sqlite3_finalize(st);
	return err;
}

/* The processes in memory that need it, then those forgotten earlier. */
static void bind_touched(struct ingest *in, sqlite3_stmt *st, size_t i, int *skip)
{
	if (i >= in->pn) {
		sqlite3_bind_int64(st, 1, in->gone_touched[i - in->pn]);
		return;
	}
	*skip = !proc_needs_link(&in->pv[i]);
	sqlite3_bind_int64(st, 1, in->pv[i].proc_id);
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

int pending_flush(struct ingest *in)
{
	sqlite3_stmt *ins;
	int err = 0;

	if (!in->n_pending)
		return 0;
	if (db_prepare(in->db, &ins, "INSERT OR IGNORE INTO pending_results VALUES(?1,?2,?3,?4,?5)"))
		return -EIO;
	for (size_t i = 0; i < in->n_pending && !err; i++) {
		struct pending_result *p = &in->pending[i];
		sqlite3_bind_int64(ins, 1, p->host_id);
		sqlite3_bind_int64(ins, 2, (sqlite3_int64)p->sock);
		sqlite3_bind_int64(ins, 3, p->ts);
		sqlite3_bind_int(ins, 4, p->sport);
		sqlite3_bind_text(ins, 5, tcp_state_name(p->state), -1, SQLITE_STATIC);
		err = ingest_step(in, ins);
	}
	sqlite3_finalize(ins);
	if (!err)
		in->n_pending = 0;
	return err;
}

/*
 * connect_results whose connect was not in memory: this run's join those
 * that earlier runs could not place (pending_results); each goes to the
 * latest connect of its socket at or before it, in time order, and stays
 * pending while there is none, so a connect loaded by a later run still
 * gets its result.
 */
static int resolve_pending(struct ingest *in)
{
	sqlite3_stmt *sel = NULL, *upd = NULL, *del = NULL;
	int err = -EIO, rc = SQLITE_DONE;

	if (db_prepare(in->db, &sel, "SELECT host_id,sock,ts,sport,state FROM pending_results"
				     " ORDER BY ts") ||
	    db_prepare(in->db, &upd, "UPDATE connections SET sport=CASE WHEN ?4 THEN ?4 ELSE sport END,"
				     " state=?5, result_ts=?3 WHERE conn_id=(SELECT conn_id FROM"
				     " connections WHERE host_id=?1 AND sock=?2 AND ts<=?3"
				     " ORDER BY ts DESC LIMIT 1)") ||
	    db_prepare(in->db, &del, "DELETE FROM pending_results WHERE host_id=?1 AND sock=?2 AND ts=?3"))
		goto cleanup;
	err = pending_flush(in);
	/* rows are deleted behind the cursor: SQLite allows it (the rows
	 * ahead are unaffected) */
	while (!err && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
		for (int c = 0; c < 5; c++) {
			sqlite3_bind_value(upd, c + 1, sqlite3_column_value(sel, c));
			if (c < 3)
				sqlite3_bind_value(del, c + 1, sqlite3_column_value(sel, c));
		}
		if (!(err = ingest_step(in, upd)) && sqlite3_changes(in->db))
			err = ingest_step(in, del);
	}
	if (!err && rc != SQLITE_DONE)
		err = ingest_dberr(in);
cleanup:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	sqlite3_finalize(del);
	return err;
}

/* temp.run_segments: the segments this run loaded records from. */
static int fill_run_segments(struct ingest *in)
{
	sqlite3_stmt *st;
	int err = 0;

	if ((err = db_exec(in->db, "CREATE TEMP TABLE IF NOT EXISTS run_segments"
				   "(segment_id INTEGER PRIMARY KEY); DELETE FROM temp.run_segments")) ||
	    db_prepare(in->db, &st, "INSERT OR IGNORE INTO temp.run_segments VALUES(?1)"))
		return err ? err : -EIO;
	for (size_t i = 0; i < in->run_segs.cap && !err; i++)
		if (in->run_segs.slots[i].used) {
			sqlite3_bind_int64(st, 1, in->run_segs.slots[i].key.a);
			err = ingest_step(in, st);
		}
	sqlite3_finalize(st);
	return err;
}

int link_run(struct ingest *in)
{
	int err;

	if ((err = db_exec(in->db, "CREATE TEMP TABLE IF NOT EXISTS touched"
				   "(proc_id INTEGER PRIMARY KEY); DELETE FROM temp.touched;"
				   "CREATE TEMP TABLE IF NOT EXISTS new_cg(host_id INTEGER,"
				   " cgroup_id INTEGER, PRIMARY KEY (host_id, cgroup_id))"
				   " WITHOUT ROWID; DELETE FROM temp.new_cg")))
		return err;
	if ((err = fill_temp(in, "INSERT OR IGNORE INTO temp.touched VALUES(?1)",
			     in->pn + in->n_gone_touched, bind_touched)) ||
	    (err = fill_temp(in, "INSERT OR IGNORE INTO temp.new_cg VALUES(?1,?2)", in->n_new_cg,
			     bind_new_cg)))
		return err;
	/* after an unfinished run, whatever it touched is not known: all */
	if (in->resume && (err = db_exec(in->db,
			"INSERT OR IGNORE INTO temp.touched SELECT proc_id FROM processes;"
			"INSERT OR IGNORE INTO temp.new_cg SELECT host_id, cgroup_id FROM cgroups"
			" WHERE container_id IS NOT NULL")))
		return err;
	if ((err = fill_run_segments(in)) ||
	    (in->resume && (err = db_exec(in->db, "INSERT OR IGNORE INTO temp.run_segments"
						  " SELECT segment_id FROM segments"))) ||
	    (err = resolve_pending(in)) ||
	    (err = dedupe_run(in)) || (err = exec_all(in, link_sql)))
		return err;
	if (temp_count(in, "new_cg") && (err = exec_all(in, cg_sql)))
		return err;
	if ((in->n_nocg || in->resume) && (err = exec_all(in, ns_sql)))
		return err;
	return 0;
}
