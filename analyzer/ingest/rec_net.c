/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Handlers of network records: connect (kept in memory until the end of
 * its batch, so that its result, which follows within milliseconds, is
 * merged before the row is written), connect_result, and packet SYNs.
 */
#include <errno.h>
#include "ingest/ingest_int.h"
#include "text/recfmt.h"

void bind_addr(sqlite3_stmt *st, int i, __u8 family, const __u8 addr[16])
{
	char a[ADDR_TEXT_LEN];

	sqlite3_bind_text(st, i, addr_text(a, family, addr), -1, SQLITE_TRANSIENT);
}

static int on_connect(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_connect *k = (const void *)h;
	const struct exray_task *t = &k->task;
	int err, created;
	struct proc *p = proc_touch(in, t, k->hdr.ts, 0, &err);
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
	c->exec_id = proc_image_at(p, k->hdr.ts);
	if (!(sv = xmap_put(&in->socks, in->host_id, k->sock, 0, &created)))
		return -ENOMEM;
	*sv = c->conn_id;
	return 0;
}

static int on_result(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_connect_result *r = (const void *)h;
	sqlite3_stmt *st = in->rec_st[EXRAY_REC_CONNECT_RESULT][0];
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
	return ingest_step(in, st);
}

/* Insert the connections of the batch, with their results merged. */
int flush_conns(struct ingest *in)
{
	sqlite3_stmt *st = in->rec_st[EXRAY_REC_CONNECT][0];
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
		if ((err = ingest_step(in, st)))
			return err;
	}
	in->n_pc = 0;
	in->pc_base = in->next_conn_id;
	return 0;
}

static int on_syn(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_syn *s = (const void *)h;
	sqlite3_stmt *st = in->rec_st[EXRAY_REC_SYN][0];

	sqlite3_bind_int64(st, 1, in->host_id);
	sqlite3_bind_int64(st, 2, s->hdr.ts);
	sqlite3_bind_int64(st, 3, s->cgroup_id);
	bind_id(st, 4, cg_container(in, in->host_id, s->cgroup_id));
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
	return ingest_step(in, st);
}

const struct rec_handler handler_connect = { on_connect, {
	"INSERT INTO connections(proc_id,host_id,pid,start,tid,ts,uid,euid,cgroup_id,"
	"container_id,netns,comm,family,saddr,sport,daddr,dport,sock,segment_id,conn_id,"
	"exec_id,state,result_ts) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
	"?15,?16,?17,?18,?19,?20,?21,?22,?23)" } };
const struct rec_handler handler_connect_result = { on_result, {
	"UPDATE connections SET sport=CASE WHEN ?2 THEN ?2 ELSE sport END,"
	" state=?3, result_ts=?4 WHERE conn_id=?1" } };
const struct rec_handler handler_syn = { on_syn, {
	"INSERT INTO syns(host_id,ts,cgroup_id,container_id,ifindex,family,saddr,sport,daddr,"
	"dport,verdict,segment_id) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)" } };
