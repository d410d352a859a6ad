/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Handlers of the records about the capture rather than a process: cgroup
 * (its path, and the container the path names) and loss (what the kernel
 * could not deliver).
 */
#include <errno.h>
#include "casedb/db.h"
#include "containers.h"
#include "ingest/ingest_int.h"
#include "text/counts.h"

int load_cgroups(struct ingest *in)
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
	return rc == SQLITE_DONE ? 0 : ingest_dberr(in);
}

/* container_id of a cgroup as known now (0: host or unknown); an unknown
 * non-zero cgroup counts as a miss, fixed at the end if its record comes. */
sqlite3_int64 cg_container(struct ingest *in, sqlite3_int64 host_id, __u64 cgroup_id)
{
	uint64_t *v = xmap_get(&in->cgroups, host_id, cgroup_id, 0);
	int created;

	/* remembered, not fatal: the first fix-up pass then covers it anyway */
	if (!v && cgroup_id && !xmap_put(&in->missed, host_id, cgroup_id, 0, &created))
		in->fix_all_cg = 1;
	return v ? (sqlite3_int64)*v : 0;
}

static int container_row(struct ingest *in, const struct container_ref *c, const char *path,
			 sqlite3_int64 *id)
{
	sqlite3_stmt *st = in->rec_st[EXRAY_REC_CGROUP][1];
	int err;

	sqlite3_bind_int64(st, 1, in->host_id);
	sqlite3_bind_text(st, 2, c->id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	st = in->rec_st[EXRAY_REC_CGROUP][2];
	sqlite3_bind_int64(st, 1, in->host_id);
	sqlite3_bind_text(st, 2, c->runtime, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->id, -1, SQLITE_TRANSIENT);
	if (c->pod_uid[0])
		sqlite3_bind_text(st, 4, c->pod_uid, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 4);
	bind_cstr(st, 5, path);
	if ((err = ingest_step(in, st)))
		return err;
	*id = sqlite3_last_insert_rowid(in->db);
	return 0;
}

static int on_cgroup(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_cgroup *cg = (const void *)h;
	sqlite3_stmt *st = in->rec_st[EXRAY_REC_CGROUP][0];
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
	if ((err = ingest_step(in, st)))
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

static int on_loss(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_loss *l = (const void *)h;
	sqlite3_stmt *st = in->rec_st[EXRAY_REC_LOSS][0];

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
		in->stats.lost[l->lost_type] = count_add(in->stats.lost[l->lost_type], l->count);
	return ingest_step(in, st);
}

const struct rec_handler handler_cgroup = { on_cgroup, {
	"INSERT INTO cgroups(host_id,cgroup_id,path,truncated,container_id,ts)"
	" VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT DO NOTHING",
	"SELECT container_id FROM containers WHERE host_id=?1 AND cid=?2",
	"INSERT INTO containers(host_id,runtime,cid,short_id,pod_uid,cgroup_path)"
	" VALUES(?1,?2,?3,substr(?3,1,12),?4,?5)" } };
const struct rec_handler handler_loss = { on_loss, {
	"INSERT INTO losses(host_id,segment_id,ts,cpu,lost_type,count) VALUES(?1,?2,?3,?4,?5,?6)" } };
