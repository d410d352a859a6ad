/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The process merge: one row per (host, pid, start), merged in memory from
 * every record that names the process and written once per batch with
 * merge expressions, so the order in which records (or segments, or runs)
 * arrive never changes the result. The parent comes from the earliest
 * record, the identity from the latest.
 */
#include <errno.h>
#include "casedb/db.h"
#include "ingest/ingest_int.h"

static const char *const proc_sql[S_COUNT] = {
	[S_PROC_GET] = "SELECT proc_id FROM processes WHERE host_id=?1 AND pid=?2 AND start=?3",
	/* a process first seen in this run: its whole merged row, written
	 * once per batch it changed in (REPLACE: again in a later batch) */
	[S_PROC_PUT] = "INSERT OR REPLACE INTO processes(proc_id,host_id,pid,start,ppid,pstart,"
		       "parent_id,parent_ts,first_ts,last_ts,fork_ts,exit_ts,exit_status,uid,gid,"
		       "euid,egid,cgroup_id,container_id,pidns,mntns,netns,vpid,comm,ident_ts,"
		       "exec_id,flags,ident_own) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
		       "?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28)",
	/* Every SET expression sees the row as it was: a record wins a column
	 * group when its ts says so, whatever order the records came in. The
	 * identity group goes to the process's own records (?22 = 1) before
	 * another thread's, then to the latest. */
	[S_PROC_MERGE] =
		"UPDATE processes SET"
		" first_ts=min(coalesce(first_ts,?2),?2), last_ts=max(coalesce(last_ts,?3),?3),"
		" fork_ts=coalesce(fork_ts,?4), exit_ts=coalesce(?5,exit_ts),"
		" exit_status=coalesce(?6,exit_status),"
		" ppid=CASE WHEN parent_ts IS NULL OR ?9<parent_ts THEN ?7 ELSE ppid END,"
		" pstart=CASE WHEN parent_ts IS NULL OR ?9<parent_ts THEN ?8 ELSE pstart END,"
		" parent_ts=min(coalesce(parent_ts,?9),?9),"
		" uid=CASE WHEN ident_ts IS NULL OR ?22>ident_own OR (?22=ident_own AND ?10>=ident_ts) THEN ?11 ELSE uid END,"
		" gid=CASE WHEN ident_ts IS NULL OR ?22>ident_own OR (?22=ident_own AND ?10>=ident_ts) THEN ?12 ELSE gid END,"
		" euid=CASE WHEN ident_ts IS NULL OR ?22>ident_own OR (?22=ident_own AND ?10>=ident_ts) THEN ?13 ELSE euid END,"
		" egid=CASE WHEN ident_ts IS NULL OR ?22>ident_own OR (?22=ident_own AND ?10>=ident_ts) THEN ?14 ELSE egid END,"
		" cgroup_id=CASE WHEN ident_ts IS NULL OR ?22>ident_own OR (?22=ident_own AND ?10>=ident_ts) THEN ?15 ELSE cgroup_id END,"
		" pidns=CASE WHEN ident_ts IS NULL OR ?22>ident_own OR (?22=ident_own AND ?10>=ident_ts) THEN ?16 ELSE pidns END,"
		" mntns=CASE WHEN ident_ts IS NULL OR ?22>ident_own OR (?22=ident_own AND ?10>=ident_ts) THEN ?17 ELSE mntns END,"
		" netns=CASE WHEN ident_ts IS NULL OR ?22>ident_own OR (?22=ident_own AND ?10>=ident_ts) THEN ?18 ELSE netns END,"
		" vpid=CASE WHEN ident_ts IS NULL OR ?22>ident_own OR (?22=ident_own AND ?10>=ident_ts) THEN ?19 ELSE vpid END,"
		" comm=CASE WHEN ident_ts IS NULL OR ?22>ident_own OR (?22=ident_own AND ?10>=ident_ts) THEN ?20 ELSE comm END,"
		" ident_ts=CASE WHEN ident_ts IS NULL OR ?22>ident_own OR (?22=ident_own AND ?10>=ident_ts)"
		"  THEN ?10 ELSE ident_ts END, ident_own=max(ident_own,?22), flags=flags|?21"
		" WHERE proc_id=?1",
};

int procmerge_prepare(struct ingest *in)
{
	for (int i = S_PROC_GET; i <= S_PROC_MERGE; i++)
		if (db_prepare(in->db, &in->st[i], proc_sql[i]))
			return -EIO;
	return 0;
}

/* A map value: the process was written and forgotten (procs_evict). */
#define PROC_EVICTED (1ull << 63)

struct proc *proc_touch(struct ingest *in, const struct exray_task *t, __u64 ts, int own,
			int *err)
{
	int created;
	uint64_t *v = pmap_put(&in->procs, in->host_id, t->pid, t->start, &created);
	struct proc *p;

	*err = -ENOMEM;
	if (!v)
		return NULL;
	if (!created && !(*v & PROC_EVICTED)) {
		p = &in->pv[*v - 1];
	} else if (!created) {
		/* a late record of a process written in an earlier batch: merged
		 * into its row like one of an earlier run */
		if (GROW_ONE(in->pv, in->pn, in->pcap, 4096))
			return NULL;
		p = &in->pv[in->pn];
		memset(p, 0, sizeof(*p));
		p->proc_id = (sqlite3_int64)(*v & ~PROC_EVICTED);
		p->host_id = in->host_id;
		p->old = 1;
		p->first_ts = p->last_ts = p->parent_ts = p->ident_ts = ts;
		p->t = *t;
		p->ident_own = own || t->tid == t->pid;
		p->ppid = t->ppid;
		p->pstart = t->pstart;
		*v = ++in->pn;
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
				*err = ingest_dberr(in);
				return NULL;
			}
		}
		p->host_id = in->host_id;
		if (!p->old)
			p->proc_id = in->next_proc_id++;
		if (!t->cgroup_id)
			in->n_nocg++;
		p->first_ts = p->last_ts = p->parent_ts = p->ident_ts = ts;
		p->t = *t;
		p->ident_own = own || t->tid == t->pid;
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
	/* the identity (comm, credentials, cgroup, namespaces) is the
	 * process's own: from its exec, snapshot or fork, or from its main
	 * thread; another thread's (a connect, an exit, what it did) only
	 * until one of those is seen */
	own = own || t->tid == t->pid;
	if (own > p->ident_own || (own == p->ident_own && ts >= p->ident_ts)) {
		p->ident_ts = ts;
		p->ident_own = own;
		p->t = *t;
	}
	p->dirty = 1;
	*err = 0;
	return p;
}

static int put_proc(struct ingest *in, struct proc *p)
{
	sqlite3_stmt *st = in->st[S_PROC_PUT];
	uint64_t *v = pmap_get(&in->procs, p->host_id, p->ppid, p->pstart);
	sqlite3_int64 parent = !v ? 0 : *v & PROC_EVICTED ? (sqlite3_int64)(*v & ~PROC_EVICTED)
						   : in->pv[*v - 1].proc_id;

	sqlite3_bind_int64(st, 1, p->proc_id);
	sqlite3_bind_int64(st, 2, p->host_id);
	sqlite3_bind_int64(st, 3, p->t.pid);
	sqlite3_bind_int64(st, 4, p->t.start);
	sqlite3_bind_int64(st, 5, p->ppid);
	sqlite3_bind_int64(st, 6, p->pstart);
	/* a parent not seen in this run is looked up in SQL at the end */
	bind_id(st, 7, parent != p->proc_id ? parent : 0);
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
	bind_id(st, 19, cg_container(in, p->host_id, p->t.cgroup_id));
	sqlite3_bind_int64(st, 20, p->t.pidns);
	sqlite3_bind_int64(st, 21, p->t.mntns);
	sqlite3_bind_int64(st, 22, p->t.netns);
	sqlite3_bind_int64(st, 23, p->t.vpid);
	bind_fixed(st, 24, p->t.comm, sizeof(p->t.comm));
	sqlite3_bind_int64(st, 25, p->ident_ts);
	bind_id(st, 26, p->img_id);
	sqlite3_bind_int64(st, 27, p->flags);
	sqlite3_bind_int(st, 28, p->ident_own);
	return ingest_step(in, st);
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
	sqlite3_bind_int(st, 22, p->ident_own);
	return ingest_step(in, st);
}

int flush_procs(struct ingest *in)
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

sqlite3_int64 proc_image_at(struct proc *p, __u64 ts)
{
	sqlite3_int64 id = 0;

	/* otherwise (image recorded later, or in another run) SQL decides at
	 * the end */
	if (p->img_id && p->img_ts <= ts && !p->old)
		id = p->img_id;
	else
		p->relink = 1;
	if (!p->has_linked || ts > p->max_linked_ts)
		p->max_linked_ts = ts;
	p->has_linked = 1;
	return id;
}

int proc_needs_link(const struct proc *p)
{
	return p->old || p->relink || !p->t.cgroup_id;
}

int procs_evict(struct ingest *in)
{
	size_t k = 0;

	if (!in->procs.cap) /* the run's end: the keys are gone */
		return 0;
	for (size_t i = 0; i < in->pn; i++) {
		struct proc *p = &in->pv[i];
		if (p->has_exit && !p->dirty) {
			if (proc_needs_link(p)) {
				if (GROW_ONE(in->gone_touched, in->n_gone_touched, in->cap_gone_touched, 1024))
					return -ENOMEM;
				in->gone_touched[in->n_gone_touched++] = p->proc_id;
			}
			*pmap_get(&in->procs, p->host_id, p->t.pid, p->t.start) = PROC_EVICTED | (uint64_t)p->proc_id;
			continue;
		}
		if (k != i)
			in->pv[k] = *p;
		*pmap_get(&in->procs, in->pv[k].host_id, p->t.pid, p->t.start) = k + 1;
		k++;
	}
	in->pn = k;
	return 0;
}
