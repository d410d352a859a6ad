/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Ingest: segments -> case DB. The driver: files, frames, batches,
 * transactions, progress. The hot path does no SELECT per record: process
 * keys, cgroup->container and socket->connection live in hash maps;
 * process rows are merged in memory (procmerge.c) and written once per
 * batch. A batch commits only at a frame boundary, with the segment_frames
 * rows of its frames, so an interrupted ingest resumes exactly where it
 * stopped. Each record goes to its type's handler (handlers.c); what memory
 * could not settle is linked in SQL at the end (linking.c).
 */
#include <errno.h>
#include "casedb/db.h"
#include "casedb/embedded.h"
#include "ingest/ingest_int.h"
#include "text/recfmt.h"

/* SQLite page cache (KiB, negative): appending to an empty case, and
 * building or updating indexes. */
#define CACHE_APPEND "-32768"
#define CACHE_INDEX "-131072"

int ingest_dberr(struct ingest *in)
{
	db_set_error("%s", sqlite3_errmsg(in->db));
	return -EIO;
}

int ingest_step(struct ingest *in, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ingest_dberr(in);
	return 0;
}

int ingest_grow(void **arr, size_t n, size_t *cap, size_t size, size_t start)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : start;
	void *a = realloc(*arr, c * size);
	if (!a)
		return -ENOMEM;
	*arr = a;
	*cap = c;
	return 0;
}

static sqlite3_int64 max_rowid(struct ingest *in, const char *table)
{
	char sql[96];
	sqlite3_stmt *st;
	sqlite3_int64 v = 0;

	snprintf(sql, sizeof(sql), "SELECT coalesce(max(rowid),0) FROM %s", table);
	if (sqlite3_prepare_v2(in->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return v;
}

static int txn_begin(struct ingest *in)
{
	if (in->in_txn)
		return 0;
	if (db_exec(in->db, "BEGIN"))
		return -EIO;
	in->in_txn = 1;
	return 0;
}

static int txn_commit(struct ingest *in)
{
	int err;

	if (!in->in_txn)
		return 0;
	if ((err = flush_conns(in)) || (err = flush_procs(in)) || (err = pending_flush(in)))
		return err;
	if (db_exec(in->db, "COMMIT"))
		return -EIO;
	in->in_txn = 0;
	in->txn_records = 0;
	/* Memory holds what later batches may change, not the whole run: a
	 * connect_result after its batch is resolved in SQL at the end (they
	 * come within milliseconds: a handful per batch), and an exited
	 * process's key keeps only its row id. */
	xmap_clear(&in->socks);
	return procs_evict(in);
}

int ingest_begin(struct ingest **out, sqlite3 *db, FILE *progress)
{
	struct ingest *in = calloc(1, sizeof(*in));
	int err = -ENOMEM;
	sqlite3_stmt *st;
	int empty = 1;

	*out = NULL;
	if (!in)
		return err;
	in->db = db;
	in->progress = progress;
	in->batch_records = BATCH_RECORDS;
	clock_gettime(CLOCK_MONOTONIC, &in->started);
	/* WAL + synchronous=NORMAL: a crash loses at most the last batches,
	 * never the database; the segments stay the source of truth. */
	if ((err = db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			       "PRAGMA cache_size=" CACHE_INDEX "; PRAGMA temp_store=MEMORY")))
		goto fail;
	/* First load into an empty case: secondary indexes are built once at
	 * the end instead of row by row. */
	if ((err = db_prepare(db, &st, "SELECT 1 FROM processes LIMIT 1")))
		goto fail;
	empty = sqlite3_step(st) != SQLITE_ROW;
	sqlite3_finalize(st);
	if (empty) {
		char **names = NULL;
		int rows, cols;
		char *msg = NULL;
		if (sqlite3_get_table(db, "SELECT name FROM sqlite_master WHERE type='index' "
					  "AND name LIKE 'ix\\_%' ESCAPE '\\'",
				      &names, &rows, &cols, &msg) == SQLITE_OK) {
			for (int i = 1; i <= rows; i++) {
				char sql[160];
				snprintf(sql, sizeof(sql), "DROP INDEX IF EXISTS \"%s\"", names[i]);
				db_exec(db, sql);
			}
		}
		sqlite3_free(msg);
		sqlite3_free_table(names);
	}
	if ((err = segrows_prepare(in)) || (err = procmerge_prepare(in)) ||
	    (err = handlers_prepare(in)))
		goto fail;
	if ((err = load_cgroups(in)))
		goto fail;
	in->fresh = empty;
	/* A first load only appends (no secondary index yet) and builds the
	 * indexes at the end: a small page cache does for both. */
	if (empty && (err = db_exec(db, "PRAGMA cache_size=" CACHE_APPEND)))
		goto fail;
	in->next_proc_id = max_rowid(in, "processes") + 1;
	in->next_conn_id = in->pc_base = max_rowid(in, "connections") + 1;
	for (int t = 0; t < DUP_SLOTS; t++)
		in->dup_last[t] = max_rowid(in, dedupe_tables[t]);
	if ((err = run_mark_unfinished(in)))
		goto fail;
	*out = in;
	return 0;
fail:
	ingest_free(in);
	return err;
}

int ingest_file(struct ingest *in, const char *path, char *errmsg, size_t errlen)
{
	struct exray_seg_reader *r = NULL;
	const struct exray_rec_hdr *rec;
	struct xmap done = { 0 };
	__u64 cur_off = 0, cur_n = 0, new_records = 0, first_ts = 0, last_ts = 0;
	int n, err, unchanged = 0, have_frame = 0, skip_frame = 0;

	in->path = path;
	in->file_i++;
	in->stats.files++;
	if ((err = exray_seg_reader_open(&r, path))) {
		snprintf(errmsg, errlen, "%s", strerror(-err));
		in->stats.files_failed++;
		return err;
	}
	exray_seg_reader_set_verifiers(r, in->keys, in->n_keys);
	if ((err = txn_begin(in)))
		goto dbfail;
	n = exray_seg_next(r, &rec);
	if (n < 0 || !exray_seg_reader_header(r)) {
		if (n < 0)
			snprintf(errmsg, errlen, "%s",
				 n == -EPROTONOSUPPORT ? exray_seg_reader_error(r) : strerror(-n));
		else
			snprintf(errmsg, errlen, "no readable segment header: cannot attribute "
						 "its records to a host");
		err = n < 0 ? n : -EBADMSG;
		in->stats.files_failed++;
		goto cleanup;
	}
	if ((err = host_row(in, exray_seg_reader_header(r), reader_boot_to_wall(r))) ||
	    (err = segment_row(in, exray_seg_reader_header(r), exray_seg_reader_file_size(r),
			       &done, &unchanged)))
		goto dbfail;
	if (unchanged) {
		in->stats.files_unchanged++;
		goto cleanup;
	}
	{
		int created;
		if (!xmap_put(&in->run_segs, in->segment_id, 0, 0, &created)) {
			err = -ENOMEM;
			goto dbfail;
		}
	}
	for (; n > 0; n = exray_seg_next(r, &rec)) {
		__u64 off;
		__u32 idx;
		in->stats.records_seen++;
		exray_seg_reader_record_pos(r, &off, &idx);
		if (!have_frame || off != cur_off) {
			if (have_frame && !skip_frame && (err = frame_done(in, cur_off, cur_n)))
				goto dbfail;
			/* batch boundary: only between frames */
			if (in->txn_records >= in->batch_records &&
			    ((err = txn_commit(in)) || (err = txn_begin(in))))
				goto dbfail;
			/* stop between frames: what is committed resumes exactly */
			if (in->stop && *in->stop) {
				snprintf(errmsg, errlen, "interrupted");
				err = -EINTR;
				goto cleanup;
			}
			have_frame = 1;
			cur_off = off;
			in->frame_off = off;
			cur_n = 0;
			skip_frame = xmap_get(&done, off, 0, 0) != NULL;
			run_progress(in, 0);
		}
		cur_n++;
		if (skip_frame)
			continue;
		if ((err = handle_record(in, rec)))
			goto dbfail;
		in->txn_records++;
		new_records++;
		in->stats.records_new++;
		if (rec->type < EXRAY_TYPE_SLOTS)
			in->stats.by_type[rec->type]++;
		if (!first_ts || rec->ts < first_ts)
			first_ts = rec->ts;
		if (rec->ts > last_ts)
			last_ts = rec->ts;
	}
	if (n < 0) {
		/* fatal mid-file (out of memory): keep what was loaded */
		snprintf(errmsg, errlen, "%s", strerror(-n));
		err = n;
		in->stats.files_failed++;
	}
	if (have_frame && !skip_frame) {
		int e2 = frame_done(in, cur_off, cur_n);
		if (e2) {
			err = e2;
			goto dbfail;
		}
	}
	{
		int e2 = finish_segment(in, r, new_records, first_ts, last_ts);
		if (e2) {
			err = e2;
			goto dbfail;
		}
	}
	goto cleanup;
dbfail:
	if (err == -ENOMEM)
		snprintf(errmsg, errlen, "out of memory");
	else
		snprintf(errmsg, errlen, "database: %s", db_error());
cleanup:
	if (r)
		in->bytes_done += exray_seg_reader_file_size(r);
	in->frame_off = 0;
	run_progress(in, 0);
	xmap_free(&done);
	exray_seg_reader_free(r);
	return err;
}

int ingest_finish(struct ingest *in)
{
	const struct exray_embedded *schema = exray_embedded_find("schema/schema.sql");
	int err;

	if (in->progress && in->file_i)
		fputs("\r\033[K", in->progress);
	if ((err = txn_begin(in)) || (err = flush_conns(in)) || (err = flush_procs(in)))
		return err;
	/* every row is written: the keys of the run's processes make room for
	 * the index builds, which SQLite's sorter runs on helper threads */
	pmap_free(&in->procs);
	xmap_free(&in->socks);
	/* A first load keeps its small page cache for the index builds and
	 * the linking: each build streams a table through the sorter, and a
	 * cache four times larger only made the process fault in fresh pages
	 * (1M records: index builds 35 % less CPU, peak RSS 166 -> 99 MB;
	 * bench/RESULTS.md, round three). A run into a case with indexes
	 * kept the large cache from the start. */
	if ((err = db_exec(in->db, "PRAGMA threads=2")))
		return err;
	/* indexes first: the linking below uses them */
	if (schema && (err = db_exec(in->db, schema->data)))
		return err;
	if ((err = link_run(in)) || (err = seal_links(in)) || (err = run_mark_finished(in)) ||
	    (err = txn_commit(in)))
		return err;
	/* statistics for the planner, from a bounded sample of each index */
	return db_exec(in->db, "PRAGMA analysis_limit=1000; PRAGMA optimize");
}

void ingest_set_batch(struct ingest *in, unsigned long long records)
{
	in->batch_records = records ? records : BATCH_RECORDS;
}

void ingest_set_keys(struct ingest *in, struct exray_seal_verifier *const *keys, size_t n)
{
	in->keys = keys;
	in->n_keys = n;
}

const struct ingest_stats *ingest_get_stats(const struct ingest *in)
{
	return &in->stats;
}

void ingest_free(struct ingest *in)
{
	if (!in)
		return;
	if (in->in_txn)
		db_exec(in->db, "ROLLBACK");
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(in->st[i]);
	handlers_finalize(in);
	pmap_free(&in->procs);
	free(in->gone_touched);
	xmap_free(&in->cgroups);
	xmap_free(&in->socks);
	xmap_free(&in->missed);
	xmap_free(&in->run_segs);
	free(in->pv);
	free(in->pending);
	free(in->pc);
	free(in->new_cg);
	free(in->sbuf);
	free(in);
}
