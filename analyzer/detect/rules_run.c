/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Running the rules: the shared definitions, each rule's query, and the
 * storing of its rows as alerts. On a case file and a machine with two
 * CPUs, a second thread runs rules as well, on a read-only connection of
 * its own; the one writer (the caller's connection) stores every rule's
 * rows, in rule order, so that the alerts and their row ids are those of
 * a run on one thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "casedb/db.h"
#include "casedb/embedded.h"
#include "detect/detect.h"

/* Columns a rule returns, in the order they are bound to the INSERT. */
static const char *const rule_cols[] = {
	"ts", "host_id", "container_id", "proc_id", "pid", "start", "exec_id", "conn_id", "message",
};
#define NCOLS (sizeof(rule_cols) / sizeof(rule_cols[0]))
#define NCELLS (NCOLS + 1) /* and the alert's key, as text */

/* One value of a rule's row, read from its statement or from a buffer. */
struct cell {
	int type; /* SQLITE_INTEGER ... SQLITE_NULL */
	sqlite3_int64 i;
	double d;
	const void *p; /* text (NUL-terminated) or blob */
	int n;
};

/* The statements that store a rule's rows: the alert (ins), its row id
 * when it was stored before (find), and this run's list (mark). */
struct alert_stmts {
	sqlite3_stmt *ins, *find, *mark;
};

/* What storing a rule's rows needs. */
struct store_ctx {
	sqlite3 *db;
	struct alert_stmts *as;
	const struct exray_rule *r;
	const char *now;
	char *err;
	size_t errlen;
};

static double clock_s(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static FILE *timing_out;
static int rule_threads; /* 0: two when the machine has two CPUs */

void exray_rules_set_timing(FILE *out)
{
	timing_out = out;
}

void exray_rules_set_threads(int n)
{
	rule_threads = n;
}

static void timing_print(double wall, double cpu, long rows, const char *what)
{
	if (!timing_out)
		return;
	fprintf(timing_out, "check: %8.3f s  cpu %8.3f s  ", wall, cpu);
	if (rows >= 0)
		fprintf(timing_out, "%8ld  %s\n", rows, what);
	else
		fprintf(timing_out, "%8s  %s\n", "", what);
}

/* Wall and CPU seconds (of this thread, or of the process) since *since,
 * for --timing; *since becomes now. */
static void timing_line(double since[2], clockid_t cpu_clock, long rows, const char *what)
{
	double wall = clock_s(CLOCK_MONOTONIC), cpu = clock_s(cpu_clock);

	timing_print(wall - since[0], cpu - since[1], rows, what);
	since[0] = wall;
	since[1] = cpu;
}

static void bind_cell(sqlite3_stmt *st, int i, const struct cell *c)
{
	switch (c->type) {
	case SQLITE_INTEGER: sqlite3_bind_int64(st, i, c->i); break;
	case SQLITE_FLOAT: sqlite3_bind_double(st, i, c->d); break;
	case SQLITE_TEXT: sqlite3_bind_text(st, i, c->p, c->n, SQLITE_STATIC); break;
	case SQLITE_BLOB: sqlite3_bind_blob(st, i, c->p, c->n, SQLITE_STATIC); break;
	default: sqlite3_bind_null(st, i); break;
	}
}

/* Row id of the alert ins just stored or ignored as stored before; 0 when
 * it cannot be found. */
static sqlite3_int64 stored_alert_id(sqlite3 *db, struct alert_stmts *s, const char *rule_id, const struct cell *key)
{
	sqlite3_int64 id = 0;

	if (sqlite3_changes(db) > 0)
		return sqlite3_last_insert_rowid(db);
	sqlite3_reset(s->find);
	sqlite3_bind_text(s->find, 1, rule_id, -1, SQLITE_STATIC);
	bind_cell(s->find, 2, key);
	if (sqlite3_step(s->find) == SQLITE_ROW)
		id = sqlite3_column_int64(s->find, 0);
	sqlite3_reset(s->find);
	return id;
}

/* Store one row of a rule as an alert and list it in run_alerts. */
static int store_row(void *ctx, const struct cell *c)
{
	struct store_ctx *s = ctx;
	sqlite3_stmt *ins = s->as->ins;
	sqlite3_int64 id;

	sqlite3_reset(ins);
	sqlite3_bind_text(ins, 1, s->r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, s->r->severity, -1, SQLITE_STATIC);
	for (size_t i = 0; i < NCELLS; i++)
		bind_cell(ins, (int)i + 3, &c[i]);
	sqlite3_bind_text(ins, 4 + NCOLS, s->now, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		snprintf(s->err, s->errlen, "rule %s (%s): %s", s->r->id, s->r->source, sqlite3_errmsg(s->db));
		return -EIO;
	}
	if (!(id = stored_alert_id(s->db, s->as, s->r->id, &c[NCOLS]))) {
		snprintf(s->err, s->errlen, "rule %s (%s): alert %s neither stored nor found", s->r->id, s->r->source,
			 (const char *)c[NCOLS].p);
		return -EIO;
	}
	sqlite3_reset(s->as->mark);
	sqlite3_bind_int64(s->as->mark, 1, id);
	if (sqlite3_step(s->as->mark) != SQLITE_DONE) {
		snprintf(s->err, s->errlen, "rule %s (%s): %s", s->r->id, s->r->source, sqlite3_errmsg(s->db));
		return -EIO;
	}
	return 0;
}

/* A rule's rows kept (type byte, then 8 bytes of number or a 4-byte length
 * and the bytes with a NUL) until the writer stores them, and how the
 * rule went. */
struct rule_out {
	char *buf;
	size_t len, cap;
	long rows;
	int taken;  /* a thread runs it (under par.mu) */
	int done;   /* the rule has run (under par.mu) */
	int direct; /* its rows were stored as they came */
	int worker; /* the second thread ran it */
	int failed;
	double wall, cpu;
	char err[512];
};

static int buf_put(struct rule_out *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 65536;
		char *nb;
		while (cap < o->len + n)
			cap *= 2;
		if (!(nb = realloc(o->buf, cap)))
			return -ENOMEM;
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

static int buffer_row(void *ctx, const struct cell *c)
{
	struct rule_out *o = ctx;

	for (size_t i = 0; i < NCELLS; i++) {
		unsigned char t = (unsigned char)c[i].type;
		uint32_t n = (uint32_t)c[i].n;
		int r = buf_put(o, &t, 1);
		if (!r && t == SQLITE_INTEGER)
			r = buf_put(o, &c[i].i, sizeof(c[i].i));
		else if (!r && t == SQLITE_FLOAT)
			r = buf_put(o, &c[i].d, sizeof(c[i].d));
		else if (!r && (t == SQLITE_TEXT || t == SQLITE_BLOB) && !(r = buf_put(o, &n, sizeof(n))) &&
			 !(r = buf_put(o, c[i].p, n)))
			r = buf_put(o, "", 1); /* text stays NUL-terminated */
		if (r)
			return r;
	}
	return 0;
}

/* Store the rows buffer_row kept. */
static int store_buffered(struct store_ctx *s, const struct rule_out *o)
{
	const char *p = o->buf, *end = o->buf + o->len;
	struct cell c[NCELLS];
	int r;

	while (p < end) {
		for (size_t i = 0; i < NCELLS; i++) {
			uint32_t n;
			memset(&c[i], 0, sizeof(c[i]));
			c[i].type = (unsigned char)*p++;
			if (c[i].type == SQLITE_INTEGER) {
				memcpy(&c[i].i, p, sizeof(c[i].i));
				p += sizeof(c[i].i);
			} else if (c[i].type == SQLITE_FLOAT) {
				memcpy(&c[i].d, p, sizeof(c[i].d));
				p += sizeof(c[i].d);
			} else if (c[i].type == SQLITE_TEXT || c[i].type == SQLITE_BLOB) {
				memcpy(&n, p, sizeof(n));
				c[i].p = p + sizeof(n);
				c[i].n = (int)n;
				p += sizeof(n) + n + 1;
			}
		}
		if ((r = store_row(s, c)))
			return r;
	}
	return 0;
}

/* Run a rule's query and hand each row (its columns and its key) to sink.
 * Returns the number of rows or -EIO with "rule ID (SOURCE): what" in err
 * (a rule that fails to compile or lacks a column stops the run). */
static long read_rule(sqlite3 *db, const struct exray_rule *r, int (*sink)(void *, const struct cell *),
		      void *ctx, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int map[NCOLS], keycol = -1, rc;
	long rows = 0;
	const char *tail;

	if (sqlite3_prepare_v2(db, r->sql, -1, &st, &tail) != SQLITE_OK) {
		snprintf(err, errlen, "rule %s (%s): %s", r->id, r->source, sqlite3_errmsg(db));
		return -EIO;
	}
	if (!st) {
		snprintf(err, errlen, "rule %s (%s): no SQL statement", r->id, r->source);
		return -EIO;
	}
	for (size_t i = 0; i < NCOLS; i++) {
		map[i] = -1;
		for (int c = 0; c < sqlite3_column_count(st); c++)
			if (!strcmp(sqlite3_column_name(st, c), rule_cols[i]))
				map[i] = c;
		if (map[i] < 0) {
			snprintf(err, errlen, "rule %s (%s): the query returns no column '%s'", r->id, r->source,
				 rule_cols[i]);
			sqlite3_finalize(st);
			return -EIO;
		}
	}
	for (int c = 0; c < sqlite3_column_count(st); c++)
		if (!strcmp(sqlite3_column_name(st, c), "key"))
			keycol = c;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cell c[NCELLS];
		char key[128];
		const char *k = NULL;
		for (size_t i = 0; i < NCOLS; i++) {
			memset(&c[i], 0, sizeof(c[i]));
			switch ((c[i].type = sqlite3_column_type(st, map[i]))) {
			case SQLITE_INTEGER: c[i].i = sqlite3_column_int64(st, map[i]); break;
			case SQLITE_FLOAT: c[i].d = sqlite3_column_double(st, map[i]); break;
			case SQLITE_TEXT: c[i].p = sqlite3_column_text(st, map[i]); break;
			case SQLITE_BLOB: c[i].p = sqlite3_column_blob(st, map[i]); break;
			}
			c[i].n = sqlite3_column_bytes(st, map[i]);
			if ((c[i].type == SQLITE_TEXT || c[i].type == SQLITE_BLOB) && !c[i].p && c[i].n) {
				snprintf(err, errlen, "rule %s (%s): out of memory", r->id, r->source);
				sqlite3_finalize(st);
				return -EIO;
			}
		}
		if (keycol >= 0 && sqlite3_column_type(st, keycol) != SQLITE_NULL)
			k = (const char *)sqlite3_column_text(st, keycol);
		if (!k) {
			snprintf(key, sizeof(key), "p%lld:e%lld:c%lld", sqlite3_column_int64(st, map[3]),
				 sqlite3_column_int64(st, map[6]), sqlite3_column_int64(st, map[7]));
			k = key;
		}
		c[NCOLS] = (struct cell){ .type = SQLITE_TEXT, .p = k, .n = (int)strlen(k) };
		if (sink(ctx, c)) {
			if (sink == buffer_row) /* (store_row says what failed) */
				snprintf(err, errlen, "rule %s (%s): out of memory keeping its rows", r->id, r->source);
			sqlite3_finalize(st);
			return -EIO;
		}
		rows++;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "rule %s (%s): %s", r->id, r->source, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -EIO;
	}
	sqlite3_finalize(st);
	return rows;
}

/* With --timing, a statement of the definitions that took at least this
 * much CPU gets its own line, named by its start. */
#define DEF_TIMING_MIN_CPU 0.005

enum defs_mode {
	DEFS_TIMED, /* all, with --timing lines (the writer's thread) */
	DEFS_VIEWS, /* the views, the tables left out (the worker: they come from the writer) */
};

/* A statement's text after the comments before it. */
static const char *statement_start(const char *s)
{
	for (s += strspn(s, " \t\r\n"); s[0] == '-' && s[1] == '-'; s += strspn(s, " \t\r\n"))
		s += strcspn(s, "\n");
	return s;
}

/* Drop the TEMP tables named rx_*. */
static int drop_rx_tables(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char *sql = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT group_concat(format('DROP TABLE temp.\"%w\";', name), '')"
				   " FROM temp.sqlite_master WHERE type = 'table' AND name GLOB 'rx_*'",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -EIO;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		sql = sqlite3_mprintf("%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	rc = sql ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_OK;
	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -EIO;
	}
	return 0;
}

/* What fills a table: the worker's copy of the definitions skips it. */
static int fills_table(const char *sql)
{
	const char *s = statement_start(sql);

	return !strncmp(s, "INSERT ", 7) || !strncmp(s, "CREATE INDEX ", 13);
}

/*
 * The built-in files named analyzer/rules/_*.sql are not rules: they create
 * TEMP views the rules share (a program's name from its image or argv[0],
 * the container entrypoint's process chain, ...), so that one definition
 * serves every rule and a user's --rules too. Run before any rule, one
 * statement at a time so that --timing can say which one costs (timed:
 * the caller's thread only).
 */
static int run_definitions(sqlite3 *db, enum defs_mode mode, char *err, size_t errlen)
{
	static const char prefix[] = "analyzer/rules/_";

	for (const struct exray_embedded *e = exray_embedded_files; e->path; e++) {
		const char *sql = e->data;
		if (strncmp(e->path, prefix, sizeof(prefix) - 1))
			continue;
		while (sql && *sql) {
			sqlite3_stmt *st = NULL;
			const char *tail = NULL;
			double t[2] = { clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_THREAD_CPUTIME_ID) };
			int rc = sqlite3_prepare_v2(db, sql, -1, &st, &tail);
			if (rc == SQLITE_OK && st && mode == DEFS_VIEWS && fills_table(sqlite3_sql(st)))
				rc = SQLITE_DONE; /* the tables come from the writer's image */
			else if (rc == SQLITE_OK && st)
				while ((rc = sqlite3_step(st)) == SQLITE_ROW)
					;
			if (rc != SQLITE_OK && rc != SQLITE_DONE) {
				snprintf(err, errlen, "%s: %s", e->path, sqlite3_errmsg(db));
				sqlite3_finalize(st);
				return -EIO;
			}
			if (st && mode == DEFS_TIMED && timing_out) {
				char what[64];
				const char *s = statement_start(sqlite3_sql(st));
				size_t n = strcspn(s, "\n(");
				snprintf(what, sizeof(what), "(definitions: %.*s)", (int)(n > 44 ? 44 : n), s);
				if (clock_s(CLOCK_THREAD_CPUTIME_ID) - t[1] >= DEF_TIMING_MIN_CPU)
					timing_line(t, CLOCK_THREAD_CPUTIME_ID, -1, what);
			}
			sqlite3_finalize(st);
			sql = tail;
		}
	}
	/* (created empty so that what fills them compiled: a rule that reads
	 * them must not compile until they hold the writer's rows) */
	return mode == DEFS_VIEWS ? drop_rx_tables(db, err, errlen) : 0;
}

/* Bytes of the case mapped for reading (SQLite caps it at its own
 * maximum, 2 GB on Debian); KiB of page cache for the temp tables. */
#define RULES_MMAP "8589934592"
#define RULES_TEMP_CACHE "-524288"

/* What a connection that runs rules needs besides db_open's functions. */
static int rules_connection(sqlite3 *db, char *err, size_t errlen)
{
	/* Rules read the whole case many times over: through a memory map
	 * rather than a 2 MB page cache, and the shared definitions' temp
	 * tables stay in memory (temp_store cannot change now: it would
	 * drop the temp views a baseline made). */
	sqlite3_exec(db, "PRAGMA mmap_size=" RULES_MMAP "; PRAGMA temp.cache_size=" RULES_TEMP_CACHE,
		     NULL, NULL, NULL);
	if (sqlite3_create_function(db, "path_norm", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    exray_fn_path_norm, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "path_norm", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    exray_fn_path_norm, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "path_norm: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	if (exray_entry_walk_register(db)) {
		snprintf(err, errlen, "rx_entry_walk: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	return 0;
}

/* The rules shared by the writer's thread and the worker: each takes the
 * next rule not yet taken. */
struct par {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const struct exray_ruleset *rs;
	struct rule_out *out;
	const char *path;
	int stop;     /* the writer failed: take no more */
	sqlite3 *wdb; /* the worker's connection while it runs rules */
	/* the writer's TEMP database (the definitions' tables) once computed */
	unsigned char *image;
	sqlite3_int64 image_size;
	int image_state; /* 0: not yet, 1: ready, -1: none will come */
};

/* Take rule i, or with i == SIZE_MAX the first rule not yet taken. */
static int take_rule(struct par *p, size_t *i, size_t want)
{
	int ok = 0;

	pthread_mutex_lock(&p->mu);
	for (size_t k = want == SIZE_MAX ? 0 : want; !p->stop && k < p->rs->n && !ok; k++) {
		if (!p->out[k].taken)
			ok = p->out[k].taken = 1, *i = k;
		if (want != SIZE_MAX)
			break;
	}
	pthread_mutex_unlock(&p->mu);
	return ok;
}

/* Publish the writer's definitions to the worker (image NULL: none). */
static void publish_image(struct par *p, unsigned char *image, sqlite3_int64 size)
{
	pthread_mutex_lock(&p->mu);
	p->image = image;
	p->image_size = size;
	p->image_state = image ? 1 : -1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* The writer's definitions' tables in the worker's connection: its TEMP
 * image attached read-only as rxdefs, each table behind a TEMP view of its
 * name (the definitions' views name them temp.X; the planner flattens such
 * a view and uses the tables' indexes). The image holds the writer's TEMP
 * views as well, which SQLite will not load in an attached schema (such a
 * view may not name another database): writable_schema lets it pass over
 * them (the worker has its own); the connection and the image are
 * read-only. */
static int use_image(sqlite3 *db, struct par *p)
{
	sqlite3_stmt *st = NULL;
	int rc;

	pthread_mutex_lock(&p->mu);
	while (!p->image_state && !p->stop)
		pthread_cond_wait(&p->cv, &p->mu);
	rc = p->image_state > 0 && !p->stop;
	pthread_mutex_unlock(&p->mu);
	if (!rc || sqlite3_exec(db, "PRAGMA writable_schema=ON; ATTACH ':memory:' AS rxdefs", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_deserialize(db, "rxdefs", p->image, p->image_size, p->image_size,
				SQLITE_DESERIALIZE_READONLY) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT name FROM rxdefs.sqlite_master WHERE type = 'table' AND name GLOB 'rx_*'",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *sql = sqlite3_mprintf("CREATE TEMP VIEW \"%w\" AS SELECT * FROM rxdefs.\"%w\"",
					    sqlite3_column_text(st, 0), sqlite3_column_text(st, 0));
		if (!sql || sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			rc = SQLITE_ERROR;
		sqlite3_free(sql);
		if (rc == SQLITE_ERROR)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static void rule_done(struct par *p, size_t i, long n, double since[2])
{
	struct rule_out *o = &p->out[i];

	pthread_mutex_lock(&p->mu);
	o->wall = clock_s(CLOCK_MONOTONIC) - since[0];
	o->cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - since[1];
	o->failed = n < 0;
	o->rows = n < 0 ? 0 : n;
	o->done = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void worker_rule(sqlite3 *db, struct par *p, size_t i)
{
	double t[2] = { clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_THREAD_CPUTIME_ID) };
	struct rule_out *o = &p->out[i];

	o->worker = 1;
	rule_done(p, i, read_rule(db, &p->rs->v[i], buffer_row, o, o->err, sizeof(o->err)), t);
}

/* Whether rule i compiles on db (the worker's, before the definitions'
 * tables are there: a rule that reads them does not). */
static int compiles(sqlite3 *db, const struct exray_rule *r)
{
	sqlite3_stmt *st = NULL;
	int ok = sqlite3_prepare_v2(db, r->sql, -1, &st, NULL) == SQLITE_OK && st;

	sqlite3_finalize(st);
	return ok;
}

/* The worker: its own read-only connection (the case is in WAL mode: it
 * reads the committed case while the writer stores alerts) with the
 * definitions' views. While the writer computes the definitions' tables,
 * it runs the rules that need none of them; then it takes the writer's
 * tables (TEMP tables belong to a connection: a copy of the writer's TEMP
 * database) and runs rules until none is left. Rows wait in memory for the
 * writer. When it cannot start, the writer's thread runs every rule. */
static void *rule_worker(void *arg)
{
	struct par *p = arg;
	sqlite3 *db = NULL;
	char err[512];
	size_t i;

	if (db_open(&db, p->path, DB_OPEN_READONLY) || rules_connection(db, err, sizeof(err)) ||
	    run_definitions(db, DEFS_VIEWS, err, sizeof(err))) {
		db_close(db);
		return NULL;
	}
	pthread_mutex_lock(&p->mu);
	p->wdb = db;
	pthread_mutex_unlock(&p->mu);
	for (size_t k = 0; k < p->rs->n; k++)
		if (compiles(db, &p->rs->v[k]) && take_rule(p, &i, k))
			worker_rule(db, p, i);
	if (!use_image(db, p))
		while (take_rule(p, &i, SIZE_MAX))
			worker_rule(db, p, i);
	pthread_mutex_lock(&p->mu);
	p->wdb = NULL;
	pthread_mutex_unlock(&p->mu);
	db_close(db);
	return NULL;
}

/* Two threads when asked, or when the machine has two CPUs, on a case file
 * in WAL mode with no uncommitted change and no TEMP objects but the
 * definitions' and run_alerts (a baseline's views belong to this
 * connection alone). */
static const char *parallel_path(sqlite3 *db, const struct exray_ruleset *rs)
{
	const char *path = sqlite3_db_filename(db, "main");
	int threads = rule_threads ? rule_threads : sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
	sqlite3_stmt *st = NULL;
	int others = 1;

	if (threads < 2 || rs->n < 2 || !path || !*path || !sqlite3_get_autocommit(db))
		return NULL;
	/* (a reader beside the writer: WAL, as ingest makes a case; in a
	 * rollback journal the writer could not spill its cache) */
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM temp.sqlite_master WHERE name NOT GLOB 'rx_*'"
				   " AND name NOT GLOB 'sqlite_*' AND name <> 'run_alerts')"
				   " + ((SELECT journal_mode FROM pragma_journal_mode) <> 'wal')",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		others = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return others ? NULL : path;
}

/* Run the rules on the writer's thread, with the worker when there is one:
 * store each rule's rows in rule order, the next one as it comes. */
static long run_rules(struct par *p, struct store_ctx *s)
{
	const struct exray_ruleset *rs = p->rs;
	size_t stored = 0, i;
	long total = 0;

	while (stored < rs->n) {
		struct rule_out *o = &p->out[stored];
		int done;
		pthread_mutex_lock(&p->mu);
		done = o->done;
		pthread_mutex_unlock(&p->mu);
		if (done) {
			s->r = &rs->v[stored];
			if (o->failed) {
				if (o->err[0]) /* else store_row said what failed */
					snprintf(s->err, s->errlen, "%s", o->err);
				return -EIO;
			}
			if (!o->direct && store_buffered(s, o))
				return -EIO;
			if (timing_out) {
				char what[160];
				snprintf(what, sizeof(what), "%s%s", rs->v[stored].id, o->worker ? "  (2nd thread)" : "");
				timing_print(o->wall, o->cpu, o->rows, what);
			}
			total += o->rows;
			free(o->buf);
			o->buf = NULL;
			stored++;
		} else if (take_rule(p, &i, SIZE_MAX)) {
			double t[2] = { clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_THREAD_CPUTIME_ID) };
			long n;
			s->r = &rs->v[i];
			if ((p->out[i].direct = i == stored))
				n = read_rule(s->db, s->r, store_row, s, p->out[i].err, sizeof(p->out[i].err));
			else
				n = read_rule(s->db, s->r, buffer_row, &p->out[i], p->out[i].err,
					      sizeof(p->out[i].err));
			rule_done(p, i, n, t);
		} else {
			/* every rule is taken: wait for the worker's */
			pthread_mutex_lock(&p->mu);
			while (!o->done)
				pthread_cond_wait(&p->cv, &p->mu);
			pthread_mutex_unlock(&p->mu);
		}
	}
	return total;
}

long exray_rules_run(sqlite3 *db, const struct exray_ruleset *rs, char *err, size_t errlen)
{
	double t0[2] = { clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_PROCESS_CPUTIME_ID) };
	double t1[2] = { t0[0], clock_s(CLOCK_THREAD_CPUTIME_ID) };
	struct alert_stmts as = { NULL, NULL, NULL };
	struct par p = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .rs = rs };
	struct store_ctx s = { db, &as, NULL, NULL, err, errlen };
	pthread_t worker;
	int have_worker = 0;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	long r = 0;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	s.now = now;
	if (!(p.out = calloc(rs->n ? rs->n : 1, sizeof(*p.out)))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if ((r = rules_connection(db, err, errlen)) < 0)
		goto out;
	/* run_alerts lists this run's alerts by row id, stored now or before:
	 * an integer key, appended in order, costs less than a second
	 * (rule_id, key) index (a rule may find 670k alerts at 10M) */
	if (sqlite3_exec(db, "DROP TABLE IF EXISTS temp.run_alerts; "
			     "CREATE TEMP TABLE run_alerts (alert_id INTEGER PRIMARY KEY)",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO alerts (rule_id, severity, ts, host_id, container_id, "
				   "proc_id, pid, start, exec_id, conn_id, message, key, created_at) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
			       -1, &as.ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT alert_id FROM alerts WHERE rule_id = ?1 AND key = ?2", -1, &as.find,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO temp.run_alerts VALUES (?1)", -1, &as.mark,
			       NULL) != SQLITE_OK) {
		snprintf(err, errlen, "alerts: %s", sqlite3_errmsg(db));
		r = -EIO;
		goto out;
	}
	/* the worker computes its definitions while this thread computes its own */
	if ((p.path = parallel_path(db, rs)))
		have_worker = !pthread_create(&worker, NULL, rule_worker, &p);
	if (have_worker && timing_out)
		fprintf(timing_out, "check: rules on 2 threads\n");
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "alerts: %s", sqlite3_errmsg(db));
		r = -EIO;
		goto out;
	}
	if ((r = run_definitions(db, DEFS_TIMED, err, errlen)) < 0)
		goto out;
	if (have_worker) {
		sqlite3_int64 size = 0;
		unsigned char *image = sqlite3_serialize(db, "temp", &size, 0);
		publish_image(&p, image, size);
	}
	timing_line(t1, CLOCK_THREAD_CPUTIME_ID, -1, "(shared definitions)");
	if ((r = run_rules(&p, &s)) < 0)
		goto out;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "alerts: %s", sqlite3_errmsg(db));
		r = -EIO;
	}
	if (r >= 0)
		timing_line(t0, CLOCK_PROCESS_CPUTIME_ID, r, "(all rules, alerts stored)");
out:
	if (have_worker) {
		pthread_mutex_lock(&p.mu);
		p.stop = 1;
		if (p.wdb)
			sqlite3_interrupt(p.wdb); /* a failed run need not wait for its rule */
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		pthread_join(worker, NULL);
		sqlite3_free(p.image);
	}
	if (r < 0 && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	for (size_t i = 0; i < rs->n; i++)
		free(p.out[i].buf);
	free(p.out);
	sqlite3_finalize(as.ins);
	sqlite3_finalize(as.find);
	sqlite3_finalize(as.mark);
	return r;
}
