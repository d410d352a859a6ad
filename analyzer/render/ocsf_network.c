/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Network Activity (4001): every outbound TCP connect as Open (established,
 * or no result recorded) or Refuse (the socket left SYN_SENT for CLOSE: a
 * reset or a timeout), the connecting process as actor; every packet SYN of
 * the packet view as Traffic, with its in-kernel verdict.
 */
#include <string.h>
#include "render/ocsf_int.h"

enum { OPEN = 1, REFUSE = 5, TRAFFIC = 6 };

static const char connections_sql[] =
	"SELECT k.host_id, k.ts, k.tid, k.family, k.saddr, k.sport, k.daddr, k.dport, k.state, "
	OCSF_PROC_COLS("k", "p", "e", "c")
	" FROM connections k JOIN hosts h ON h.host_id = k.host_id"
	" JOIN processes p ON p.proc_id = k.proc_id"
	" LEFT JOIN execs e ON e.exec_id = k.exec_id"
	" LEFT JOIN containers c ON c.container_id = k.container_id"
	" WHERE k.ts + h.boot_to_wall_ns BETWEEN ?1 AND ?2 AND " OCSF_CONTAINER_FILTER("k.container_id")
	" ORDER BY k.conn_id";
enum { K_HOST, K_TS, K_TID, K_FAMILY, K_SADDR, K_SPORT, K_DADDR, K_DPORT, K_STATE, K_PROC };

int ocsf_write_connections(struct ocsf_ctx *c)
{
	sqlite3_stmt *st = NULL;
	int r, err;

	if ((err = ocsf_prepare(c, &st, connections_sql)))
		return err;
	while ((r = ocsf_step(c, st)) > 0) {
		const struct ocsf_host *h = ocsf_host(c, sqlite3_column_int64(st, K_HOST));
		int64_t ts = sqlite3_column_int64(st, K_TS);
		const char *state = ocsf_col_text(st, K_STATE) ? ocsf_col_text(st, K_STATE) : "syn_sent";
		bool refused = !strcmp(state, "failed"), established = !strcmp(state, "established");
		int family = (int)ocsf_col_int(st, K_FAMILY, 4);
		struct ocsf_proc p;
		char uid[OCSF_UID_LEN];

		ocsf_proc_from_row(st, K_PROC, h, &p);
		p.tid = ocsf_col_int(st, K_TID, -1);
		ocsf_event_uid(uid, h, "connect", p.pid, p.start, ts);
		ocsf_begin(c, OCSF_NETWORK_ACTIVITY, refused ? REFUSE : OPEN, refused ? "Refuse" : "Open", 1, h,
			   ts + (h ? h->b2w : 0), uid, "connect");
		jw_int(&c->w, "status_id", established ? 1 : refused ? 2 : 0);
		jw_str(&c->w, "status", established ? "Success" : refused ? "Failure" : "Unknown");
		if (!established && !refused)
			jw_str(&c->w, "status_detail", "no result recorded (still in SYN_SENT)");
		ocsf_write_endpoint(c, "src_endpoint", ocsf_col_text(st, K_SADDR), ocsf_col_int(st, K_SPORT, 0), NULL);
		ocsf_write_endpoint(c, "dst_endpoint", ocsf_col_text(st, K_DADDR), ocsf_col_int(st, K_DPORT, 0), NULL);
		ocsf_write_tcp_out(c, family, ocsf_col_text(st, K_DADDR));
		jw_bool(&c->w, "is_src_dst_assignment_known", true);
		jw_obj(&c->w, "actor");
		ocsf_write_process(c, "process", &p, true);
		jw_end(&c->w);
		jw_end(&c->w);
		c->n->network++;
	}
	sqlite3_finalize(st);
	return r;
}

/*
 * A SYN seen leaving an interface. When the socket-level connect it belongs
 * to is known (conn_id), its process is the actor; a SYN without one was
 * built on a raw socket (or its connect not recorded) and has none: its
 * container comes from the sending socket's cgroup (on src_endpoint).
 */
static const char syns_sql[] =
	"SELECT s.host_id, s.ts, s.family, s.saddr, s.sport, s.daddr, s.dport, s.verdict, s.ifindex,"
	" s.cgroup_id, sc.cid, sc.runtime, sc.pod_uid, sc.name, sc.image, sc.image_digest, k.tid, "
	OCSF_PROC_COLS("k", "p", "e", "c")
	" FROM syns s JOIN hosts h ON h.host_id = s.host_id"
	" LEFT JOIN containers sc ON sc.container_id = s.container_id"
	" LEFT JOIN connections k ON k.conn_id = s.conn_id"
	" LEFT JOIN processes p ON p.proc_id = k.proc_id"
	" LEFT JOIN execs e ON e.exec_id = k.exec_id"
	" LEFT JOIN containers c ON c.container_id = k.container_id"
	" WHERE s.ts + h.boot_to_wall_ns BETWEEN ?1 AND ?2 AND " OCSF_CONTAINER_FILTER("s.container_id")
	" ORDER BY s.syn_id";
enum { S_HOST, S_TS, S_FAMILY, S_SADDR, S_SPORT, S_DADDR, S_DPORT, S_VERDICT, S_IFINDEX, S_CGROUP,
       S_CID, S_RUNTIME, S_POD, S_CNAME, S_IMAGE, S_DIGEST, S_TID, S_PROC };

/* "BOOT:syn:ifindex:sport:ts:dport": a SYN has no process key of its own. */
void ocsf_syn_uid(char out[OCSF_UID_LEN], const struct ocsf_host *h, int64_t ifindex, int64_t sport,
		  int64_t ts, int64_t dport)
{
	snprintf(out, OCSF_UID_LEN, "%s:syn:%lld:%lld:%lld:%lld", h ? h->boot_id : "?", (long long)ifindex,
		 (long long)sport, (long long)ts, (long long)dport);
}

int ocsf_write_syns(struct ocsf_ctx *c)
{
	sqlite3_stmt *st = NULL;
	int r, err;

	if ((err = ocsf_prepare(c, &st, syns_sql)))
		return err;
	while ((r = ocsf_step(c, st)) > 0) {
		const struct ocsf_host *h = ocsf_host(c, sqlite3_column_int64(st, S_HOST));
		int64_t ts = sqlite3_column_int64(st, S_TS);
		const char *verdict = ocsf_col_text(st, S_VERDICT);
		struct ocsf_proc p, sender = { .h = h, .pid = -1 };
		char uid[OCSF_UID_LEN];

		ocsf_proc_from_row(st, S_PROC, h, &p);
		p.tid = ocsf_col_int(st, S_TID, -1);
		sender.cid = ocsf_col_text(st, S_CID);
		sender.runtime = ocsf_col_text(st, S_RUNTIME);
		sender.pod_uid = ocsf_col_text(st, S_POD);
		sender.cname = ocsf_col_text(st, S_CNAME);
		sender.image = ocsf_col_text(st, S_IMAGE);
		sender.image_digest = ocsf_col_text(st, S_DIGEST);
		ocsf_syn_uid(uid, h, ocsf_col_int(st, S_IFINDEX, 0), ocsf_col_int(st, S_SPORT, 0), ts,
			     ocsf_col_int(st, S_DPORT, 0));
		ocsf_begin(c, OCSF_NETWORK_ACTIVITY, TRAFFIC, "Traffic", 1, h, ts + (h ? h->b2w : 0), uid, "syn");
		jw_str(&c->w, "message", p.pid >= 0 ? "TCP SYN seen leaving an interface"
						    : "TCP SYN with no socket-level connect (raw socket?)");
		ocsf_write_endpoint(c, "src_endpoint", ocsf_col_text(st, S_SADDR), ocsf_col_int(st, S_SPORT, 0),
				    &sender);
		ocsf_write_endpoint(c, "dst_endpoint", ocsf_col_text(st, S_DADDR), ocsf_col_int(st, S_DPORT, 0), NULL);
		ocsf_write_tcp_out(c, (int)ocsf_col_int(st, S_FAMILY, 4), ocsf_col_text(st, S_DADDR));
		jw_bool(&c->w, "is_src_dst_assignment_known", true);
		jw_int(&c->w, "observation_point_id", 1);
		jw_str(&c->w, "observation_point", "Source");
		if (p.pid >= 0) {
			jw_obj(&c->w, "actor");
			ocsf_write_process(c, "process", &p, true);
			jw_end(&c->w);
		}
		/* the in-kernel allowlist verdict and where it was seen: no
		 * OCSF attribute means that (disposition is for enforcement) */
		jw_obj(&c->w, "unmapped");
		jw_str(&c->w, "verdict", verdict ? verdict : "none");
		jw_int(&c->w, "ifindex", ocsf_col_int(st, S_IFINDEX, 0));
		jw_int(&c->w, "cgroup_id", ocsf_col_int(st, S_CGROUP, 0));
		jw_end(&c->w);
		jw_end(&c->w);
		c->n->network++;
	}
	sqlite3_finalize(st);
	return r;
}
