// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sqlite-ceiling: the practical ceiling for `exray ingest` on this machine.
 * Reads the same segments and inserts one row per record into one bare
 * table (no indexes, no trees, no joins), in one transaction with one
 * prepared statement, with the same pragmas exray ingest uses. With --csv it
 * writes the same rows as CSV instead, for the sqlite3 CLI's `.import`.
 *
 *   sqlite-ceiling --db FILE SEG|DIR...     insert; prints JSON with timings
 *   sqlite-ceiling --csv FILE SEG|DIR...    write CSV (header line first)
 *
 * Exit 0, 2 usage, 3 failure.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "segment.h"
#include "seglist.h"

#define NCOLS 22
static const char *const cols[NCOLS] = {
	"type", "ts", "pid", "tid", "ppid", "start", "pstart", "cgroup_id", "uid", "euid",
	"comm", "filename", "argv", "ret", "exit_code", "family", "saddr", "sport", "daddr",
	"dport", "sock", "path",
};

/* One record as column values: ints and texts, NULL where absent. */
struct row {
	int has[NCOLS];
	int64_t i[NCOLS];
	const char *s[NCOLS];
	char addr[2][INET6_ADDRSTRLEN];
	char argv[EXRAY_ARGV_MAX_LIMIT + 1];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_i(struct row *r, int c, int64_t v)
{
	r->has[c] = 1;
	r->i[c] = v;
}

static void set_s(struct row *r, int c, const char *v)
{
	r->has[c] = v != NULL;
	r->s[c] = v;
}

static void set_task(struct row *r, const struct exray_task *t, char *comm)
{
	set_i(r, 2, t->pid);
	set_i(r, 3, t->tid);
	set_i(r, 4, t->ppid);
	set_i(r, 5, (int64_t)t->start);
	set_i(r, 6, (int64_t)t->pstart);
	set_i(r, 7, (int64_t)t->cgroup_id);
	set_i(r, 8, t->uid);
	set_i(r, 9, t->euid);
	memcpy(comm, t->comm, EXRAY_COMM_LEN);
	comm[EXRAY_COMM_LEN] = 0;
	set_s(r, 10, comm);
}

static void set_addr(struct row *r, int c, int k, __u8 family, const __u8 *a)
{
	inet_ntop(family == EXRAY_FAMILY_V6 ? AF_INET6 : AF_INET, a, r->addr[k], sizeof(r->addr[k]));
	set_s(r, c, r->addr[k]);
}

/* Fill r from rec; argv joined with spaces (as exray's cmdline column). */
static void to_row(const struct exray_rec_hdr *h, struct row *r)
{
	static char comm[EXRAY_COMM_LEN + 1];

	memset(r->has, 0, sizeof(r->has));
	set_i(r, 0, h->type);
	set_i(r, 1, (int64_t)h->ts);
	switch (h->type) {
	case EXRAY_REC_EXEC:
	case EXRAY_REC_SNAPSHOT: {
		const struct exray_exec *e = (const void *)h;
		size_t alen = 0;
		const char *a = exray_exec_argv(e, &alen);

		set_task(r, &e->task, comm);
		set_s(r, 11, exray_exec_filename(e));
		if (a) {
			memcpy(r->argv, a, alen);
			for (size_t k = 0; k + 1 < alen; k++)
				if (!r->argv[k])
					r->argv[k] = ' ';
			r->argv[alen ? alen - 1 : 0] = 0;
			set_s(r, 12, r->argv);
		}
		set_i(r, 13, e->ret);
		break;
	}
	case EXRAY_REC_FORK:
		set_task(r, &((const struct exray_fork *)h)->task, comm);
		break;
	case EXRAY_REC_EXIT:
		set_task(r, &((const struct exray_exit *)h)->task, comm);
		set_i(r, 14, ((const struct exray_exit *)h)->exit_code);
		break;
	case EXRAY_REC_CONNECT: {
		const struct exray_connect *k = (const void *)h;

		set_task(r, &k->task, comm);
		set_i(r, 15, k->family);
		set_addr(r, 16, 0, k->family, k->saddr);
		set_i(r, 17, k->sport);
		set_addr(r, 18, 1, k->family, k->daddr);
		set_i(r, 19, k->dport);
		set_i(r, 20, (int64_t)k->sock);
		break;
	}
	case EXRAY_REC_CONNECT_RESULT: {
		const struct exray_connect_result *k = (const void *)h;

		set_i(r, 17, k->sport);
		set_i(r, 20, (int64_t)k->sock);
		break;
	}
	case EXRAY_REC_CGROUP:
		set_i(r, 7, (int64_t)((const struct exray_cgroup *)h)->cgroup_id);
		set_s(r, 21, exray_cgroup_path((const void *)h));
		break;
	}
}

static void csv_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_row(FILE *f, const struct row *r)
{
	for (int c = 0; c < NCOLS; c++) {
		if (c)
			fputc(',', f);
		if (!r->has[c])
			continue;
		if (c == 10 || c == 11 || c == 12 || c == 16 || c == 18 || c == 21)
			csv_str(f, r->s[c]);
		else
			fprintf(f, "%" PRId64, r->i[c]);
	}
	fputc('\n', f);
}

static int bind_row(sqlite3_stmt *st, const struct row *r)
{
	for (int c = 0; c < NCOLS; c++) {
		int rc = !r->has[c] ? sqlite3_bind_null(st, c + 1)
			 : (c == 10 || c == 11 || c == 12 || c == 16 || c == 18 || c == 21)
				 ? sqlite3_bind_text(st, c + 1, r->s[c], -1, SQLITE_STATIC)
				 : sqlite3_bind_int64(st, c + 1, r->i[c]);

		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "csv", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dbpath = NULL, *csvpath = NULL, *bad = NULL;
	struct row *row = malloc(sizeof(*row));
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	FILE *csv = NULL;
	char **files = NULL, sql[1024];
	long nfiles;
	uint64_t rows = 0;
	double t0, t1;
	int opt;

	while ((opt = getopt_long(argc, argv, "d:c:h", lo, NULL)) != -1) {
		if (opt == 'd')
			dbpath = optarg;
		else if (opt == 'c')
			csvpath = optarg;
		else
			goto usage;
	}
	if (!row || optind >= argc || !dbpath == !csvpath)
		goto usage;
	nfiles = seglist_expand(argv + optind, argc - optind, &files, &bad);
	if (nfiles < 0) {
		fprintf(stderr, "sqlite-ceiling: %s: %s\n", bad ? bad : "", strerror((int)-nfiles));
		return 3;
	}
	if (csvpath) {
		csv = fopen(csvpath, "w");
		if (!csv) {
			fprintf(stderr, "sqlite-ceiling: %s: %m\n", csvpath);
			return 3;
		}
		for (int c = 0; c < NCOLS; c++)
			fprintf(csv, "%s%s", c ? "," : "", cols[c]);
		fputc('\n', csv);
	} else {
		size_t o = (size_t)snprintf(sql, sizeof(sql), "CREATE TABLE events (");

		for (int c = 0; c < NCOLS; c++)
			o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s%s %s", c ? ", " : "", cols[c],
					      c == 10 || c == 11 || c == 12 || c == 16 || c == 18 || c == 21
						      ? "TEXT" : "INTEGER");
		snprintf(sql + o, sizeof(sql) - o, ")");
		if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
		    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
				     "PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY", NULL, NULL, NULL) ||
		    sqlite3_exec(db, sql, NULL, NULL, NULL) ||
		    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) ||
		    sqlite3_prepare_v2(db,
				       "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
				       -1, &st, NULL)) {
			fprintf(stderr, "sqlite-ceiling: %s: %s\n", dbpath, sqlite3_errmsg(db));
			return 3;
		}
	}
	t0 = now_s();
	for (long i = 0; i < nfiles; i++) {
		struct exray_seg_reader *r;
		const struct exray_rec_hdr *h;
		int rc;

		if (exray_seg_reader_open(&r, files[i])) {
			fprintf(stderr, "sqlite-ceiling: %s: cannot read\n", files[i]);
			return 3;
		}
		while ((rc = exray_seg_next(r, &h)) > 0) {
			to_row(h, row);
			rows++;
			if (csv) {
				csv_row(csv, row);
				continue;
			}
			if (bind_row(st, row) || sqlite3_step(st) != SQLITE_DONE || sqlite3_reset(st)) {
				fprintf(stderr, "sqlite-ceiling: %s: %s\n", dbpath, sqlite3_errmsg(db));
				return 3;
			}
		}
		exray_seg_reader_free(r);
		if (rc < 0) {
			fprintf(stderr, "sqlite-ceiling: %s: unreadable\n", files[i]);
			return 3;
		}
	}
	if (db && (sqlite3_finalize(st) || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL))) {
		fprintf(stderr, "sqlite-ceiling: %s: %s\n", dbpath, sqlite3_errmsg(db));
		return 3;
	}
	if (csv && fclose(csv)) {
		fprintf(stderr, "sqlite-ceiling: %s: %m\n", csvpath);
		return 3;
	}
	t1 = now_s();
	sqlite3_close(db);
	printf("{\"rows\":%" PRIu64 ",\"seconds\":%.3f,\"rows_per_s\":%.0f}\n", rows, t1 - t0,
	       (double)rows / (t1 - t0));
	seglist_free(files, nfiles);
	free(row);
	return 0;
usage:
	fprintf(stderr, "usage: sqlite-ceiling --db FILE | --csv FILE  SEG|DIR...\n");
	return 2;
}
