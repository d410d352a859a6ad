/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Flat rows for ClickHouse (chrows.h): one query per table, written by name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "render/alert_uid.h"
#include "render/chrows.h"
#include "text/jsonw.h"

/* The host boot of a row (alias h) and the time columns of its ts. */
#define HOST_COLS "h.hostname AS host, h.boot_id AS boot_id"
#define TIME_COLS(ts)                                                                     \
	"date((" ts " + h.boot_to_wall_ns) / 1000000000, 'unixepoch') AS day, "            \
	ts " + h.boot_to_wall_ns AS wall_ns, "                                              \
	"strftime('%Y-%m-%dT%H:%M:%fZ', (" ts " + h.boot_to_wall_ns) / 1e9, 'unixepoch') AS time"
#define IN_WINDOW(ts) " (" ts " + h.boot_to_wall_ns) BETWEEN ?1 AND ?2 "
#define IN_CONTAINER(col)                                                                 \
	" (?3 IS NULL OR (?3 = 'host' AND " col " IS NULL) OR " col " IN "                  \
	"(SELECT container_id FROM containers WHERE substr(cid, 1, length(?3)) = ?3)) "

/*
 * A table of what processes did (file_events, ...): the acting process by
 * its key, the image then by exec_ts (0: not known), the family's columns
 * from ret on, extra joins (alias x is the row).
 */
#define ACT_SQL(table, cols, joins)                                                       \
	"SELECT " HOST_COLS ", x.pid, x.start, COALESCE(x.tid, 0) AS tid, x.ts,"            \
	" COALESCE(e.ts, 0) AS exec_ts, x.uid, x.euid, x.cgroup_id, c.cid, x.comm, x.op, " cols \
	", x.rec_flags, " TIME_COLS("x.ts")                                                    \
	" FROM " table " x JOIN hosts h USING (host_id)"                                        \
	" LEFT JOIN containers c ON c.container_id = x.container_id"                           \
	" LEFT JOIN execs e ON e.exec_id = x.exec_id" joins                                    \
	" WHERE" IN_WINDOW("x.ts") "AND" IN_CONTAINER("x.container_id") "ORDER BY x.event_id"

struct chtable {
	const char *name, *sql;
};

static const struct chtable chtables[] = {
	{ "hosts",
	  "SELECT hostname AS host, boot_id, date(boot_to_wall_ns / 1000000000, 'unixepoch') AS day,"
	  " kernel_release, boot_to_wall_ns, host_pidns, host_mntns, host_netns, host_ns_recorded"
	  " FROM hosts h ORDER BY host_id" },
	{ "containers",
	  "SELECT " HOST_COLS ", date(h.boot_to_wall_ns / 1000000000, 'unixepoch') AS day,"
	  " c.cid, c.short_id, c.runtime, c.pod_uid, c.cgroup_path, c.pidns, c.mntns, c.name, c.image,"
	  " c.image_digest, c.pod_name, c.pod_namespace, c.container_name, c.labels"
	  " FROM containers c JOIN hosts h USING (host_id)"
	  " WHERE" IN_CONTAINER("c.container_id") "ORDER BY c.container_id" },
	/* a process is in the window when its lifetime overlaps it */
	{ "processes",
	  "SELECT " HOST_COLS ", p.pid, p.start, p.ppid, p.pstart, p.first_ts, p.last_ts, p.fork_ts,"
	  " p.exit_ts, p.exit_code, p.signal, p.exit_status, p.uid, p.gid, p.euid, p.egid, p.cgroup_id,"
	  " c.cid, p.pidns, p.mntns, p.netns, p.vpid, p.comm, e.ts AS exec_ts, p.flags, " TIME_COLS("p.first_ts")
	  " FROM processes p JOIN hosts h USING (host_id)"
	  " LEFT JOIN containers c ON c.container_id = p.container_id"
	  " LEFT JOIN execs e ON e.exec_id = p.exec_id"
	  " WHERE p.first_ts + h.boot_to_wall_ns <= ?2"
	  " AND COALESCE(p.exit_ts, p.last_ts) + h.boot_to_wall_ns >= ?1"
	  " AND" IN_CONTAINER("p.container_id") "ORDER BY p.proc_id" },
	/* argv as stored is exray's own JSON array; anything else becomes one */
	{ "execs",
	  "SELECT " HOST_COLS ", e.pid, e.start, e.ts, e.kind, e.tid, e.ret, e.filename,"
	  " CASE WHEN json_valid(e.argv) AND json_type(e.argv) = 'array' THEN e.argv"
	  " ELSE json_array(e.argv) END AS argv,"
	  " e.cmdline, e.argv_truncated, e.uid, e.gid, e.euid, e.egid, e.ppid, e.cgroup_id, c.cid,"
	  " e.pidns, e.mntns, e.netns, e.vpid, e.comm, e.filename_truncated, e.exe, e.cwd, e.tty, e.exe_flags,"
	  " e.cap_effective, e.exe_ino, e.exe_dev, " TIME_COLS("e.ts")
	  " FROM execs e JOIN hosts h USING (host_id)"
	  " LEFT JOIN containers c ON c.container_id = e.container_id"
	  " WHERE" IN_WINDOW("e.ts") "AND" IN_CONTAINER("e.container_id") "ORDER BY e.exec_id" },
	{ "connections",
	  "SELECT " HOST_COLS ", k.pid, k.start, COALESCE(k.tid, 0) AS tid, k.ts,"
	  " COALESCE(e.ts, 0) AS exec_ts, k.uid, k.euid, k.cgroup_id, c.cid, k.netns, k.comm, k.family,"
	  " k.saddr, COALESCE(k.sport, 0) AS sport, k.daddr, k.dport, k.state, k.result_ts,"
	  " COALESCE(k.result_ts, k.ts) AS version, " TIME_COLS("k.ts")
	  " FROM connections k JOIN hosts h USING (host_id)"
	  " LEFT JOIN containers c ON c.container_id = k.container_id"
	  " LEFT JOIN execs e ON e.exec_id = k.exec_id"
	  " WHERE" IN_WINDOW("k.ts") "AND" IN_CONTAINER("k.container_id") "ORDER BY k.conn_id" },
	{ "syns",
	  "SELECT " HOST_COLS ", s.ts, COALESCE(s.cgroup_id, 0) AS cgroup_id, c.cid,"
	  " COALESCE(s.ifindex, 0) AS ifindex, s.family, s.saddr, COALESCE(s.sport, 0) AS sport, s.daddr,"
	  " COALESCE(s.dport, 0) AS dport, s.verdict, k.pid AS conn_pid, k.start AS conn_start,"
	  " k.ts AS conn_ts, " TIME_COLS("s.ts")
	  " FROM syns s JOIN hosts h USING (host_id)"
	  " LEFT JOIN containers c ON c.container_id = s.container_id"
	  " LEFT JOIN connections k ON k.conn_id = s.conn_id"
	  " WHERE" IN_WINDOW("s.ts") "AND" IN_CONTAINER("s.container_id") "ORDER BY s.syn_id" },
	/* losses are the host's: no container filter */
	{ "losses",
	  "SELECT " HOST_COLS ", l.ts, l.cpu, l.lost_type, l.count, " TIME_COLS("l.ts")
	  " FROM losses l JOIN hosts h USING (host_id)"
	  " WHERE" IN_WINDOW("l.ts") "ORDER BY l.loss_id" },
	/* what processes did, one table per family (ACT_SQL) */
	{ "file_events",
	  ACT_SQL("file_events", "x.ret, x.path, x.path2, x.open_flags, x.mode, x.owner_uid, x.owner_gid,"
		  " x.sensitive, x.exec_bits, x.path_unresolved, x.rdev, x.other_mount, x.outside_mntns,"
		  " x.cgroup_target, x.fs_magic, x.handle_type, x.handle_bytes, x.handle", "") },
	{ "priv_events",
	  ACT_SQL("priv_events", "x.ret, x.old_real, x.old_effective, x.old_saved, x.new_real,"
		  " x.new_effective, x.new_saved, x.cap_effective_old, x.cap_effective, x.cap_permitted", "") },
	{ "ns_events",
	  ACT_SQL("ns_events", "x.ret, x.nstypes, x.call_flags, x.target_pid, x.target_ns, x.target,"
		  " x.source, x.fstype, x.pidns, x.mntns, x.netns", "") },
	/* the target's key as linked (by its key, else the pid's latest process) */
	{ "ptrace_events",
	  ACT_SQL("ptrace_events", "x.ret, x.request, x.target_pid, x.target_start,"
		  " t.start AS target_proc_start, x.addr",
		  " LEFT JOIN processes t ON t.proc_id = x.target_proc_id") },
	/* the connect of the socket, by its own process key and ts */
	{ "socket_events",
	  ACT_SQL("socket_events", "x.ret, x.family, x.sock_type, x.protocol, x.fd, x.oldfd, x.sock,"
		  " k.pid AS conn_pid, k.start AS conn_start, k.ts AS conn_ts, x.peer_family, x.daddr,"
		  " x.dport", " LEFT JOIN connections k ON k.conn_id = x.conn_id") },
	{ "memfd_events", ACT_SQL("memfd_events", "x.ret, x.name, x.mfd_flags", "") },
	{ "bpf_events", ACT_SQL("bpf_events", "x.ret, x.cmd, x.prog_type, x.insn_cnt, x.prog_name", "") },
	{ "uring_events",
	  ACT_SQL("uring_events", "x.ret, x.opcode, x.fd, x.user_data, x.path, x.path2, x.family, x.daddr,"
		  " x.dport", "") },
	{ "alerts",
	  "SELECT COALESCE(h.hostname, '') AS host, COALESCE(h.boot_id, '') AS boot_id, "
	  ALERT_UID_SQL " AS uid, a.rule_id, a.severity, COALESCE(a.ts, 0) AS ts, c.cid, a.pid, a.start,"
	  " x.ts AS exec_ts, k.ts AS conn_ts, a.message, " TIME_COLS("COALESCE(a.ts, 0)")
	  ALERT_FROM
	  " LEFT JOIN containers c ON c.container_id = a.container_id"
	  " WHERE COALESCE(a.ts + h.boot_to_wall_ns, 0) BETWEEN ?1 AND ?2"
	  " AND" IN_CONTAINER("a.container_id") "ORDER BY a.alert_id" },
};

const char *const chrows_tables[] = {
	"hosts", "containers", "processes", "execs", "connections", "syns", "file_events", "priv_events",
	"ns_events", "ptrace_events", "socket_events", "memfd_events", "bpf_events", "uring_events",
	"losses", "alerts", NULL,
};

/* Columns whose text is already a JSON array (ClickHouse Array(String)). */
static bool raw_json_column(const char *name)
{
	return !strcmp(name, "argv");
}

long long chrows_export(sqlite3 *db, const char *table, const char *container, int64_t since,
			int64_t until, FILE *out)
{
	const struct chtable *t = NULL;
	sqlite3_stmt *st = NULL;
	struct jsonw w;
	long long n = 0;
	int rc, err, ncol;
	bool *raw;

	for (size_t i = 0; i < sizeof(chtables) / sizeof(chtables[0]); i++)
		if (!strcmp(chtables[i].name, table))
			t = &chtables[i];
	if (!t)
		return -ENOENT;
	if ((err = db_prepare(db, &st, t->sql)))
		return err;
	if (sqlite3_bind_parameter_count(st) >= 2) {
		sqlite3_bind_int64(st, 1, since);
		sqlite3_bind_int64(st, 2, until);
	}
	if (container && sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_text(st, 3, container, -1, SQLITE_STATIC);
	ncol = sqlite3_column_count(st);
	if (!(raw = calloc((size_t)ncol, sizeof(*raw)))) {
		sqlite3_finalize(st);
		return -ENOMEM;
	}
	for (int c = 0; c < ncol; c++)
		raw[c] = raw_json_column(sqlite3_column_name(st, c));
	jw_init(&w, out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		jw_obj(&w, NULL);
		for (int c = 0; c < ncol; c++) {
			const char *key = sqlite3_column_name(st, c);
			switch (sqlite3_column_type(st, c)) {
			case SQLITE_NULL: jw_raw(&w, key, "null"); break;
			case SQLITE_INTEGER: jw_int(&w, key, sqlite3_column_int64(st, c)); break;
			default:
				if (raw[c])
					jw_raw(&w, key, (const char *)sqlite3_column_text(st, c));
				else
					jw_strn(&w, key, (const char *)sqlite3_column_text(st, c),
						(size_t)sqlite3_column_bytes(st, c));
			}
		}
		jw_end(&w);
		n++;
	}
	if (rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(db));
		n = -EIO;
	}
	free(raw);
	sqlite3_finalize(st);
	return n;
}
