/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Overlapping captures: two recorders on the same boot at once see every
 * event twice. The same event is recognised by the same host boot and
 * process (pid, start), the same type and content (thread, image, address,
 * path, ...) and a time within DUP_WINDOW_NS: each recorder stamps the
 * event itself and keys its socket ids with a secret of its own, so
 * neither ts nor sock agree exactly between two captures. Of such a pair
 * the row loaded first is kept and the row of this run dropped, whatever
 * pointed at it (process image, connection image, SYN, stdio socket,
 * alert) pointing at the kept one; a connection kept without its result
 * takes its duplicate's. A snapshot that only repeats an image another
 * capture saw executed is dropped whichever came first. Nothing happens
 * unless a host of this run has two captures whose segments overlap in
 * time, so a single capture costs one small query.
 */
#include <errno.h>
#include <stdio.h>
#include "casedb/db.h"
#include "ingest/ingest_int.h"

/*
 * Two recorders' programs on the same tracepoint run one after the other
 * in the same call: their timestamps differ by microseconds (measured:
 * tests/integration/overlap.sh). A millisecond leaves room for a loaded
 * machine while keeping apart the repeats of one thread, which a second
 * capture would also have to have lost for them to be merged.
 */
#define DUP_WINDOW_NS 1000000
#define STR_(x) #x
#define STR(x) STR_(x)
#define NEAR "a.ts BETWEEN b.ts-" STR(DUP_WINDOW_NS) " AND b.ts+" STR(DUP_WINDOW_NS)

/* A row b of this run (id above the case's at the start) repeats a row a
 * loaded before it, from another capture of the same host boot. */
struct dup_rule {
	const char *table, *id;
	int slot;          /* index in in->dup_last: the highest id before the run */
	const char *same;  /* a and b are the same event */
};

static const struct dup_rule rules[] = {
	{ "execs", "exec_id", DUP_EXECS,
	  "a.proc_id=b.proc_id AND a.kind=b.kind AND a.ret=b.ret AND a.filename IS b.filename"
	  " AND a.argv IS b.argv AND (b.kind='snapshot' OR (a.tid IS b.tid AND " NEAR "))" },
	{ "connections", "conn_id", DUP_CONNS,
	  "a.proc_id=b.proc_id AND " NEAR " AND a.tid IS b.tid AND a.family=b.family"
	  " AND a.daddr=b.daddr AND a.dport=b.dport"
	  " AND (a.sport=b.sport OR coalesce(a.sport,0)=0 OR coalesce(b.sport,0)=0)" },
	{ "syns", "syn_id", DUP_SYNS,
	  "a.host_id=b.host_id AND " NEAR " AND a.ifindex IS b.ifindex AND a.family=b.family"
	  " AND a.saddr IS b.saddr AND a.sport IS b.sport AND a.daddr IS b.daddr"
	  " AND a.dport IS b.dport" },
#define ACT(T, slot, content)                                                              \
	{ T, "event_id", slot,                                                             \
	  "a.proc_id=b.proc_id AND " NEAR " AND a.tid IS b.tid AND a.op=b.op"            \
	  " AND a.ret IS b.ret AND " content }
	ACT("file_events", DUP_ACTS + 0, "a.path IS b.path AND a.path2 IS b.path2"),
	ACT("priv_events", DUP_ACTS + 1, "a.new_real IS b.new_real AND a.new_effective IS"
	    " b.new_effective AND a.cap_effective IS b.cap_effective"),
	ACT("ns_events", DUP_ACTS + 2, "a.target IS b.target AND a.nstypes IS b.nstypes"),
	ACT("ptrace_events", DUP_ACTS + 3, "a.target_pid IS b.target_pid AND a.request IS b.request"),
	ACT("socket_events", DUP_ACTS + 4, "a.fd IS b.fd AND a.oldfd IS b.oldfd"),
	ACT("memfd_events", DUP_ACTS + 5, "a.name IS b.name"),
	ACT("bpf_events", DUP_ACTS + 6, "a.cmd IS b.cmd AND a.prog_name IS b.prog_name"),
	ACT("uring_events", DUP_ACTS + 7, "a.opcode IS b.opcode AND a.user_data IS b.user_data"),
#undef ACT
};

const char *const dedupe_tables[DUP_SLOTS] = {
	[DUP_EXECS] = "execs", [DUP_CONNS] = "connections", [DUP_SYNS] = "syns",
	[DUP_ACTS + 0] = "file_events", [DUP_ACTS + 1] = "priv_events",
	[DUP_ACTS + 2] = "ns_events", [DUP_ACTS + 3] = "ptrace_events",
	[DUP_ACTS + 4] = "socket_events", [DUP_ACTS + 5] = "memfd_events",
	[DUP_ACTS + 6] = "bpf_events", [DUP_ACTS + 7] = "uring_events",
};

/* Hosts of this run with two captures whose segments overlap in time. */
static const char overlap_sql[] =
	"CREATE TEMP TABLE IF NOT EXISTS overlap_hosts(host_id INTEGER PRIMARY KEY);"
	"DELETE FROM temp.overlap_hosts;"
	"CREATE TEMP TABLE IF NOT EXISTS dups(tab TEXT, id INTEGER, keep INTEGER,"
	" PRIMARY KEY (tab, id)) WITHOUT ROWID;"
	"DELETE FROM temp.dups;"
	"INSERT OR IGNORE INTO temp.overlap_hosts SELECT a.host_id FROM segments a"
	" JOIN segments b ON b.host_id=a.host_id AND b.capture_id<>a.capture_id"
	"  AND a.first_ts<=b.last_ts AND b.first_ts<=a.last_ts"
	" WHERE a.segment_id IN (SELECT segment_id FROM temp.run_segments);";

static int run_sql(struct ingest *in, const char *sql, sqlite3_int64 last, long long *changes)
{
	sqlite3_stmt *st;
	int err;

	if (db_prepare(in->db, &st, sql))
		return -EIO;
	if (sqlite3_bind_parameter_count(st))
		sqlite3_bind_int64(st, 1, last);
	err = ingest_step(in, st);
	if (changes)
		*changes = sqlite3_changes(in->db);
	sqlite3_finalize(st);
	return err;
}

/* Find the duplicates of one rule into temp.dups, keep = the first row
 * loaded of those it repeats (SQLite allows no outer column in a
 * subquery's ORDER BY, so not the nearest). */
static int find_dups(struct ingest *in, const struct dup_rule *r)
{
	char sql[2048];

	snprintf(sql, sizeof(sql),
		 "INSERT OR IGNORE INTO temp.dups SELECT '%s', id, keep FROM ("
		 " SELECT b.%s AS id, (SELECT a.%s FROM %s a JOIN segments sa USING (segment_id)"
		 "  WHERE a.%s<b.%s AND sa.capture_id<>sb.capture_id AND %s"
		 "  ORDER BY a.%s LIMIT 1) AS keep"
		 " FROM %s b JOIN segments sb USING (segment_id)"
		 " WHERE b.%s>?1 AND sb.host_id IN (SELECT host_id FROM temp.overlap_hosts))"
		 " WHERE keep IS NOT NULL",
		 r->table, r->id, r->id, r->table, r->id, r->id, r->same, r->id, r->table, r->id);
	return run_sql(in, sql, in->dup_last[r->slot], NULL);
}

/* Snapshots that repeat an image another capture saw executed, either of
 * them loaded in this run: the exec is the event, the snapshot goes. */
static const char snapshot_sql[] =
	"INSERT OR REPLACE INTO temp.dups SELECT 'execs', id, keep FROM ("
	" SELECT s.exec_id AS id, (SELECT e.exec_id FROM execs e JOIN segments se USING (segment_id)"
	"  WHERE e.proc_id=s.proc_id AND e.kind='exec' AND e.ret=0 AND e.filename IS s.filename"
	"  AND e.argv IS s.argv AND se.capture_id<>ss.capture_id AND (s.exec_id>?1 OR e.exec_id>?1)"
	"  ORDER BY e.ts DESC LIMIT 1) AS keep"
	" FROM execs s JOIN segments ss USING (segment_id)"
	" WHERE s.kind='snapshot' AND ss.host_id IN (SELECT host_id FROM temp.overlap_hosts))"
	" WHERE keep IS NOT NULL";

/* Whatever pointed at a dropped row points at the one kept; a kept
 * connection without a result takes its duplicate's. */
#define REPOINT(T, COL, TAB)                                                           \
	"UPDATE " T " SET " COL "=(SELECT keep FROM temp.dups WHERE tab='" TAB "'"      \
	" AND id=" T "." COL ") WHERE " COL " IN (SELECT id FROM temp.dups"               \
	" WHERE tab='" TAB "');"
static const char repoint_sql[] =
	/* a row kept may itself be a duplicate (three captures): follow */
	"UPDATE temp.dups SET keep=(SELECT d.keep FROM temp.dups d WHERE d.tab=dups.tab"
	" AND d.id=dups.keep) WHERE keep IN (SELECT id FROM temp.dups d WHERE d.tab=dups.tab);"
	"UPDATE temp.dups SET keep=(SELECT d.keep FROM temp.dups d WHERE d.tab=dups.tab"
	" AND d.id=dups.keep) WHERE keep IN (SELECT id FROM temp.dups d WHERE d.tab=dups.tab);"
	"UPDATE connections SET (sport, state, result_ts)=(SELECT"
	"  CASE WHEN coalesce(connections.sport,0)=0 THEN b.sport ELSE connections.sport END,"
	"  b.state, b.result_ts FROM temp.dups d JOIN connections b ON b.conn_id=d.id"
	"  WHERE d.tab='connections' AND d.keep=connections.conn_id AND b.state<>'syn_sent'"
	"  ORDER BY b.result_ts LIMIT 1)"
	" WHERE state='syn_sent' AND conn_id IN (SELECT d.keep FROM temp.dups d"
	"  JOIN connections b ON b.conn_id=d.id WHERE d.tab='connections' AND b.state<>'syn_sent');"
	REPOINT("processes", "exec_id", "execs") REPOINT("connections", "exec_id", "execs")
	REPOINT("alerts", "exec_id", "execs") REPOINT("syns", "conn_id", "connections")
	REPOINT("socket_events", "conn_id", "connections") REPOINT("alerts", "conn_id", "connections")
	REPOINT("file_events", "exec_id", "execs") REPOINT("priv_events", "exec_id", "execs")
	REPOINT("ns_events", "exec_id", "execs") REPOINT("ptrace_events", "exec_id", "execs")
	REPOINT("socket_events", "exec_id", "execs") REPOINT("memfd_events", "exec_id", "execs")
	REPOINT("bpf_events", "exec_id", "execs") REPOINT("uring_events", "exec_id", "execs");

int dedupe_run(struct ingest *in)
{
	char sql[256];
	sqlite3_stmt *st;
	long long n;
	int err;

	if ((err = db_exec(in->db, overlap_sql)))
		return err;
	if (db_prepare(in->db, &st, "SELECT 1 FROM temp.overlap_hosts"))
		return -EIO;
	n = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!n)
		return 0;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if ((err = find_dups(in, &rules[i])))
			return err;
	if ((err = run_sql(in, snapshot_sql, in->dup_last[DUP_EXECS], NULL)) ||
	    (err = db_exec(in->db, repoint_sql)))
		return err;
	for (int t = 0; t < DUP_SLOTS; t++) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE rowid IN (SELECT id FROM temp.dups"
			 " WHERE tab='%s')", dedupe_tables[t], dedupe_tables[t]);
		if ((err = run_sql(in, sql, 0, &n)))
			return err;
		in->stats.duplicates += n;
	}
	return 0;
}
