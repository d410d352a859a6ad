/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The rows that say where records came from: the host boot of a segment's
 * header, the segment itself (keyed by capture id and sequence, never by
 * file name), the frames already loaded (what makes ingest idempotent and
 * incremental) and the damage the reader found.
 */
#include <errno.h>
#include "casedb/db.h"
#include "ingest/ingest_int.h"
#include "text/recfmt.h"
#include "text/timefmt.h"

static const char *const seg_sql[S_COUNT] = {
	[S_HOST_GET] = "SELECT host_id FROM hosts WHERE hostname=?1 AND boot_id=?2",
	[S_HOST_INS] = "INSERT INTO hosts(hostname,boot_id,kernel_release,boot_to_wall_ns) "
		       "VALUES(?1,?2,?3,?4)",
	[S_HOST_B2W] = "UPDATE hosts SET boot_to_wall_ns=?2 WHERE host_id=?1",
	[S_HOST_NS] = "UPDATE hosts SET host_pidns=?2,host_mntns=?3,host_netns=?4,"
		      "host_ns_recorded=1 WHERE host_id=?1",
	[S_SEG_GET] = "SELECT segment_id,file_size,complete,host_id,seal_status FROM segments "
		      "WHERE capture_id=?1 AND seq=?2",
	[S_SEG_INS] = "INSERT INTO segments(host_id,capture_id,seq,path,file_size) "
		      "VALUES(?1,?2,?3,?4,0)",
	[S_SEG_UPD] = "UPDATE segments SET path=?2, file_size=?3,"
		      " frames=(SELECT count(*) FROM segment_frames WHERE segment_id=?1),"
		      " records=records+?4, first_ts=min(coalesce(first_ts,?5),?5),"
		      " last_ts=max(coalesce(last_ts,?6),?6), complete=max(complete,?7),"
		      " version=?8, recorder_version=?9, argv_max=?10, boot_to_wall_ns=?11,"
		      " issues=?12, ingested_at=?13, seal_status=?14, seal_key_fp=?15,"
		      " seal_count=?16, seal_detail=?17, seal_prev=?18, seal_end=?19"
		      " WHERE segment_id=?1",
	[S_FRAMES_GET] = "SELECT frame_offset FROM segment_frames WHERE segment_id=?1",
	[S_FRAME_INS] = "INSERT OR IGNORE INTO segment_frames VALUES(?1,?2,?3)",
	[S_ISSUE_DEL] = "DELETE FROM segment_issues WHERE segment_id=?1",
	[S_ISSUE_INS] = "INSERT INTO segment_issues(segment_id,kind,file_offset,length,detail) "
			"VALUES(?1,?2,?3,?4,?5)",
};

int segrows_prepare(struct ingest *in)
{
	for (int i = S_HOST_GET; i <= S_ISSUE_INS; i++)
		if (db_prepare(in->db, &in->st[i], seg_sql[i]))
			return -EIO;
	return 0;
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
	return ingest_step(in, st);
}

int host_row(struct ingest *in, const struct exray_seg_header *h, __s64 b2w)
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
		if ((err = ingest_step(in, st)))
			return err;
		return host_namespaces(in, h);
	}
	sqlite3_reset(st);
	st = in->st[S_HOST_INS];
	bind_fixed(st, 1, h->host, sizeof(h->host));
	sqlite3_bind_text(st, 2, boot, -1, SQLITE_TRANSIENT);
	bind_fixed(st, 3, h->kernel_release, sizeof(h->kernel_release));
	sqlite3_bind_int64(st, 4, b2w);
	if ((err = ingest_step(in, st)))
		return err;
	in->host_id = sqlite3_last_insert_rowid(in->db);
	in->stats.hosts_new++;
	return host_namespaces(in, h);
}

/* Find or create the segment row; *unchanged when the same complete file was
 * ingested before (nothing to read). Loads the frames already ingested. */
int segment_row(struct ingest *in, const struct exray_seg_header *h, __u64 size,
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
		/* ... unless its seals can now be checked with a key given */
		*unchanged = (__u64)sqlite3_column_int64(st, 1) == size &&
			     sqlite3_column_int(st, 2) &&
			     sqlite3_column_int64(st, 3) == in->host_id &&
			     !(in->n_keys && sqlite3_column_type(st, 4) == SQLITE_TEXT &&
			       !strcmp((const char *)sqlite3_column_text(st, 4), "unchecked"));
		sqlite3_reset(st);
	} else {
		sqlite3_reset(st);
		st = in->st[S_SEG_INS];
		sqlite3_bind_int64(st, 1, in->host_id);
		sqlite3_bind_text(st, 2, cap, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, h->seq);
		bind_cstr(st, 4, in->path);
		if ((err = ingest_step(in, st)))
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

int frame_done(struct ingest *in, __u64 off, __u64 records)
{
	sqlite3_stmt *st = in->st[S_FRAME_INS];

	sqlite3_bind_int64(st, 1, in->segment_id);
	sqlite3_bind_int64(st, 2, off);
	sqlite3_bind_int64(st, 3, records);
	in->stats.frames_new++;
	return ingest_step(in, st);
}

/* "KEYINDEX:SEAL" in hex. */
static void bind_seal(sqlite3_stmt *st, int i, bool have, __u64 index, const __u8 *seal)
{
	char buf[24 + 2 * EXRAY_SEAL_BYTES + 1], hex[2 * EXRAY_SEAL_BYTES + 1];

	if (!have) {
		sqlite3_bind_null(st, i);
		return;
	}
	exray_seal_hex(seal, EXRAY_SEAL_BYTES, hex);
	snprintf(buf, sizeof(buf), "%llu:%s", (unsigned long long)index, hex);
	sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
}

/* What the seals showed (schema.sql, segments.seal_*). */
static void bind_seals(sqlite3_stmt *st, struct exray_seg_reader *r)
{
	const struct exray_seg_seals *ss = exray_seg_reader_seals(r);
	const struct exray_seg_header *h = exray_seg_reader_header(r);
	const struct exray_seal_verifier *v = exray_seg_reader_verifier(r);
	char fp[2 * EXRAY_SEAL_FP_BYTES + 1], detail[260];

	sqlite3_bind_text(st, 14, !ss->sealed ? "unsealed" : ss->failed ? "failed"
				  : ss->keyed ? "verified" : "unchecked", -1, SQLITE_STATIC);
	if (v && ss->sealed) {
		exray_seal_hex(exray_seal_verifier_fp(v), EXRAY_SEAL_FP_BYTES, fp);
		sqlite3_bind_text(st, 15, fp, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, 15);
	}
	sqlite3_bind_int64(st, 16, ss->seals);
	if (ss->failed)
		snprintf(detail, sizeof(detail), "frame %llu (offset %llu): %s",
			 (unsigned long long)ss->fail_frame, (unsigned long long)ss->fail_offset,
			 ss->detail);
	else if (ss->unsealed_tail)
		snprintf(detail, sizeof(detail), "%llu bytes after the last seal (the recorder stopped "
			 "before sealing them)", (unsigned long long)ss->unsealed_tail);
	else
		detail[0] = 0;
	if (detail[0])
		sqlite3_bind_text(st, 17, detail, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 17);
	bind_seal(st, 18, ss->sealed && h->seq, h->prev_key_index, h->prev_seal);
	bind_seal(st, 19, ss->sealed && ss->final && !ss->failed, ss->last_index, ss->last_seal);
}

/* Recomputed over the whole case at every run: a link judged before a
 * segment arrived (or was re-ingested) is judged again. */
#define LINK_BROKEN "the header does not name the final seal of segment seq "
int seal_links(struct ingest *in)
{
	return db_exec(in->db,
		"UPDATE segments SET seal_detail = NULL, seal_status ="
		" CASE WHEN seal_key_fp IS NULL THEN 'unchecked' ELSE 'verified' END"
		" WHERE seal_status = 'failed' AND seal_detail LIKE '%" LINK_BROKEN "%';"
		"UPDATE segments SET seal_status = 'failed', seal_detail = 'frame 0 (offset 0): "
		LINK_BROKEN "' || (seq - 1) || ' (a segment was removed, replaced or inserted, or "
		"that one was cut short)'"
		" WHERE seal_status IN ('verified', 'unchecked') AND seq > 0 AND EXISTS"
		" (SELECT 1 FROM segments p WHERE p.capture_id = segments.capture_id"
		"  AND p.seq = segments.seq - 1 AND p.seal_status IN ('verified', 'unchecked')"
		"  AND p.seal_end IS NOT segments.seal_prev)");
}

int finish_segment(struct ingest *in, struct exray_seg_reader *r, __u64 new_records,
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
	if ((err = ingest_step(in, st)))
		return err;
	for (size_t i = 0; i < exray_seg_reader_issue_count(r); i++) {
		const struct exray_seg_issue *is = exray_seg_reader_issue(r, i);
		st = in->st[S_ISSUE_INS];
		sqlite3_bind_int64(st, 1, in->segment_id);
		sqlite3_bind_text(st, 2, exray_seg_issue_name(is->kind), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, is->offset);
		sqlite3_bind_int64(st, 4, is->length);
		bind_fixed(st, 5, is->detail, sizeof(is->detail));
		if ((err = ingest_step(in, st)))
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
	bind_seals(st, r);
	return ingest_step(in, st);
}
