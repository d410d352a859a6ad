/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "casedb/db.h"
#include "detect/detect.h"
#include "casedb/embedded.h"

void exray_rule_free(struct exray_rule *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->severity);
	free(r->description);
	free(r->technique);
	free(r->sql);
	free(r->source);
	memset(r, 0, sizeof(*r));
}

static char *strndup_trim(const char *b, const char *e)
{
	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return strndup(b, (size_t)(e - b));
}

int exray_rule_parse(struct exray_rule *r, const char *source, const char *text,
		     char *err, size_t errlen)
{
	const char *line = text;

	memset(r, 0, sizeof(*r));
	while (*line) {
		const char *nl = strchr(line, '\n'), *e = nl ? nl : line + strlen(line), *c = line, *colon;
		char **slot = NULL;

		while (c < e && (*c == ' ' || *c == '\t'))
			c++;
		if (c == e || *c == '\r') {
			line = nl ? nl + 1 : e;
			continue;
		}
		if (e - c < 2 || c[0] != '-' || c[1] != '-')
			break; /* end of the header block */
		c += 2;
		colon = memchr(c, ':', (size_t)(e - c));
		if (colon) {
			const char *k = c;
			while (k < colon && (*k == ' ' || *k == '\t'))
				k++;
			if (colon - k == 2 && !memcmp(k, "id", 2))
				slot = &r->id;
			else if (colon - k == 8 && !memcmp(k, "severity", 8))
				slot = &r->severity;
			else if (colon - k == 11 && !memcmp(k, "description", 11))
				slot = &r->description;
			else if (colon - k == 9 && !memcmp(k, "technique", 9))
				slot = &r->technique;
			if (slot && !*slot && !(*slot = strndup_trim(colon + 1, e)))
				goto nomem;
		}
		line = nl ? nl + 1 : e;
	}
	if (!r->id || !*r->id || !r->severity || !r->description) {
		snprintf(err, errlen, "%s: rule header lacks '-- %s:'", source,
			 !r->id || !*r->id ? "id" : !r->severity ? "severity" : "description");
		exray_rule_free(r);
		return -EINVAL;
	}
	for (const char *c = r->id; *c; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_')) {
			snprintf(err, errlen, "%s: rule id may hold only a-z, 0-9, '-' and '_'", source);
			exray_rule_free(r);
			return -EINVAL;
		}
	}
	if (strcmp(r->severity, "low") && strcmp(r->severity, "medium") && strcmp(r->severity, "high") &&
	    strcmp(r->severity, "critical")) {
		snprintf(err, errlen, "%s: severity must be low, medium, high or critical", source);
		exray_rule_free(r);
		return -EINVAL;
	}
	if (!(r->sql = strdup(text)) || !(r->source = strdup(source)))
		goto nomem;
	return 0;
nomem:
	exray_rule_free(r);
	snprintf(err, errlen, "%s: out of memory", source);
	return -ENOMEM;
}

static int ruleset_add(struct exray_ruleset *rs, struct exray_rule *r)
{
	struct exray_rule *nv;

	for (size_t i = 0; i < rs->n; i++) {
		if (!strcmp(rs->v[i].id, r->id)) {
			exray_rule_free(&rs->v[i]);
			rs->v[i] = *r;
			return 0;
		}
	}
	if (!(nv = realloc(rs->v, (rs->n + 1) * sizeof(*nv))))
		return -ENOMEM;
	rs->v = nv;
	rs->v[rs->n++] = *r;
	return 0;
}

void exray_ruleset_free(struct exray_ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		exray_rule_free(&rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

int exray_rules_add_builtin(struct exray_ruleset *rs, char *err, size_t errlen)
{
	static const char prefix[] = "analyzer/rules/";

	for (const struct exray_embedded *e = exray_embedded_files; e->path; e++) {
		struct exray_rule r;
		char source[256];
		size_t n = strlen(e->path);
		int ret;
		if (strncmp(e->path, prefix, sizeof(prefix) - 1) || n < 4 || strcmp(e->path + n - 4, ".sql"))
			continue;
		if (e->path[sizeof(prefix) - 1] == '_')
			continue; /* shared definitions, not a rule: see run_definitions() */
		snprintf(source, sizeof(source), "builtin:%s", e->path);
		if ((ret = exray_rule_parse(&r, source, e->data, err, errlen)))
			return ret;
		if ((ret = ruleset_add(rs, &r))) {
			exray_rule_free(&r);
			return ret;
		}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int exray_rules_add_dir(struct exray_ruleset *rs, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int ret = 0;

	if (!d) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open rules directory: %s", dir, strerror(-ret));
		return ret;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char **nn;
		if (len < 5 || strcmp(de->d_name + len - 4, ".sql") || de->d_name[0] == '.' || de->d_name[0] == '_')
			continue;
		if (!(nn = realloc(names, (n + 1) * sizeof(*nn))) || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			ret = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		names = nn;
		n++;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !ret; i++) {
		char path[4096];
		FILE *f;
		char *text = NULL;
		size_t len = 0;
		struct exray_rule r;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!(f = fopen(path, "r"))) {
			ret = -errno;
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-ret));
			break;
		}
		{
			FILE *m = open_memstream(&text, &len);
			char buf[8192];
			size_t got;
			while (m && (got = fread(buf, 1, sizeof(buf), f)) > 0)
				fwrite(buf, 1, got, m);
			if (ferror(f))
				ret = -EIO;
			if (m)
				fclose(m);
			else
				ret = -ENOMEM;
		}
		fclose(f);
		if (ret) {
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-ret));
			free(text);
			break;
		}
		if (strlen(text) != len) {
			snprintf(err, errlen, "%s: NUL byte in rule file", path);
			free(text);
			ret = -EINVAL;
			break;
		}
		ret = exray_rule_parse(&r, path, text, err, errlen);
		free(text);
		if (!ret && (ret = ruleset_add(rs, &r)))
			exray_rule_free(&r);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

/* Columns a rule returns, in the order they are bound to the INSERT. */
static const char *const rule_cols[] = {
	"ts", "host_id", "container_id", "proc_id", "pid", "start", "exec_id", "conn_id", "message",
};
#define NCOLS (sizeof(rule_cols) / sizeof(rule_cols[0]))

/* The statements that store a rule's rows: the alert (ins), its row id
 * when it was stored before (find), and this run's list (mark). */
struct alert_stmts {
	sqlite3_stmt *ins, *find, *mark;
};

/* Row id of the alert ins just stored or ignored as stored before; 0 when
 * it cannot be found. */
static sqlite3_int64 stored_alert_id(sqlite3 *db, struct alert_stmts *s, const char *rule_id, const char *key)
{
	sqlite3_int64 id = 0;

	if (sqlite3_changes(db) > 0)
		return sqlite3_last_insert_rowid(db);
	sqlite3_reset(s->find);
	sqlite3_bind_text(s->find, 1, rule_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->find, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s->find) == SQLITE_ROW)
		id = sqlite3_column_int64(s->find, 0);
	sqlite3_reset(s->find);
	return id;
}

static long run_one(sqlite3 *db, const struct exray_rule *r, struct alert_stmts *as, const char *now,
		    char *err, size_t errlen)
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
		char key[128];
		const char *k = NULL;
		sqlite3_stmt *ins = as->ins;
		sqlite3_int64 id;
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, r->severity, -1, SQLITE_STATIC);
		for (size_t i = 0; i < NCOLS; i++)
			sqlite3_bind_value(ins, (int)i + 3, sqlite3_column_value(st, map[i]));
		if (keycol >= 0 && sqlite3_column_type(st, keycol) != SQLITE_NULL)
			k = (const char *)sqlite3_column_text(st, keycol);
		if (!k) {
			snprintf(key, sizeof(key), "p%lld:e%lld:c%lld", sqlite3_column_int64(st, map[3]),
				 sqlite3_column_int64(st, map[6]), sqlite3_column_int64(st, map[7]));
			k = key;
		}
		sqlite3_bind_text(ins, 3 + NCOLS, k, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4 + NCOLS, now, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			break;
		if (!(id = stored_alert_id(db, as, r->id, k))) {
			snprintf(err, errlen, "rule %s (%s): alert %s neither stored nor found", r->id, r->source, k);
			sqlite3_finalize(st);
			return -EIO;
		}
		sqlite3_reset(as->mark);
		sqlite3_bind_int64(as->mark, 1, id);
		if (sqlite3_step(as->mark) != SQLITE_DONE)
			break;
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

/*
 * path_norm(PATH [, CWD]): PATH made absolute against CWD when relative
 * (and CWD is known) and normalised lexically: empty and "." components
 * dropped, ".." taking the previous one away (never above "/"). So
 * `./x` run in /tmp, `//tmp/x` and `/usr/../tmp/x` all compare as /tmp/x.
 * Rules use it where the recorder gave no resolved image (execs.exe, which
 * also resolves symlinks); a relative PATH without CWD stays relative.
 * NULL in, NULL out.
 */
char *exray_path_norm(const char *path, const char *cwd)
{
	size_t lp = strlen(path), lc = cwd ? strlen(cwd) : 0, nc = 0, n = 0;
	char *buf = malloc(lp + lc + 2), *out = NULL, *tok, *save = NULL;
	char **comp = NULL;
	int absolute;

	if (!buf)
		return NULL;
	if (path[0] != '/' && cwd)
		snprintf(buf, lp + lc + 2, "%s/%s", cwd, path);
	else
		memcpy(buf, path, lp + 1);
	absolute = buf[0] == '/';
	/* at most one component per two bytes; the output is never longer */
	if (!(comp = malloc((strlen(buf) / 2 + 2) * sizeof(*comp))) || !(out = malloc(strlen(buf) + 2)))
		goto done;
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..") && nc > 0 && strcmp(comp[nc - 1], ".."))
			nc--;
		else if (!strcmp(tok, "..") && absolute)
			continue; /* /.. is / */
		else
			comp[nc++] = tok;
	}
	for (size_t i = 0; i < nc; i++)
		n += (size_t)sprintf(out + n, "%s%s", (absolute || i) ? "/" : "", comp[i]);
	if (!n)
		strcpy(out, absolute ? "/" : ".");
done:
	free(comp);
	free(buf);
	return out;
}

static void fn_path_norm(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *p = (const char *)sqlite3_value_text(argv[0]);
	const char *cwd = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : NULL;
	char *r;

	if (!p) {
		sqlite3_result_null(ctx);
		return;
	}
	if (!(r = exray_path_norm(p, cwd && *cwd ? cwd : NULL))) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text(ctx, r, -1, free);
}

static double clock_s(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static FILE *timing_out;
static void timing_line(double since[2], long rows, const char *what);

/* With --timing, a statement of the definitions that took at least this
 * much CPU gets its own line, named by its start. */
#define DEF_TIMING_MIN_CPU 0.005

/*
 * The built-in files named analyzer/rules/_*.sql are not rules: they create
 * TEMP views the rules share (a program's name from its image or argv[0],
 * the container entrypoint's process chain, ...), so that one definition
 * serves every rule and a user's --rules too. Run before any rule, one
 * statement at a time so that --timing can say which one costs.
 */
static int run_definitions(sqlite3 *db, char *err, size_t errlen)
{
	static const char prefix[] = "analyzer/rules/_";

	for (const struct exray_embedded *e = exray_embedded_files; e->path; e++) {
		const char *sql = e->data;
		if (strncmp(e->path, prefix, sizeof(prefix) - 1))
			continue;
		while (sql && *sql) {
			sqlite3_stmt *st = NULL;
			const char *tail = NULL;
			double t[2] = { clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_PROCESS_CPUTIME_ID) };
			int rc = sqlite3_prepare_v2(db, sql, -1, &st, &tail);
			if (rc == SQLITE_OK && st)
				while ((rc = sqlite3_step(st)) == SQLITE_ROW)
					;
			if (rc != SQLITE_OK && rc != SQLITE_DONE) {
				snprintf(err, errlen, "%s: %s", e->path, sqlite3_errmsg(db));
				sqlite3_finalize(st);
				return -EIO;
			}
			if (st && timing_out) {
				char what[64];
				const char *s = sqlite3_sql(st);
				size_t n;
				for (s += strspn(s, " \t\r\n"); s[0] == '-' && s[1] == '-'; s += strspn(s, " \t\r\n"))
					s += strcspn(s, "\n"); /* the comments before it */
				n = strcspn(s, "\n(");
				snprintf(what, sizeof(what), "(definitions: %.*s)", (int)(n > 44 ? 44 : n), s);
				if (clock_s(CLOCK_PROCESS_CPUTIME_ID) - t[1] >= DEF_TIMING_MIN_CPU)
					timing_line(t, -1, what);
			}
			sqlite3_finalize(st);
			sql = tail;
		}
	}
	return 0;
}

/* Bytes of the case mapped for reading (SQLite caps it at its own
 * maximum, 2 GB on Debian); KiB of page cache for the temp tables. */
#define RULES_MMAP "8589934592"
#define RULES_TEMP_CACHE "-524288"

void exray_rules_set_timing(FILE *out)
{
	timing_out = out;
}

/* Wall and CPU seconds since *since, for --timing; *since becomes now. */
static void timing_line(double since[2], long rows, const char *what)
{
	double wall = clock_s(CLOCK_MONOTONIC), cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID);

	if (timing_out) {
		fprintf(timing_out, "check: %8.3f s  cpu %8.3f s  ", wall - since[0], cpu - since[1]);
		if (rows >= 0)
			fprintf(timing_out, "%8ld  %s\n", rows, what);
		else
			fprintf(timing_out, "%8s  %s\n", "", what);
	}
	since[0] = wall;
	since[1] = cpu;
}

long exray_rules_run(sqlite3 *db, const struct exray_ruleset *rs, char *err, size_t errlen)
{
	double t0[2] = { clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_PROCESS_CPUTIME_ID) };
	double t1[2] = { t0[0], t0[1] };
	struct alert_stmts as = { NULL, NULL, NULL };
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	long total = 0, r = 0;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* Rules read the whole case many times over: through a memory map
	 * rather than a 2 MB page cache, and the shared definitions' temp
	 * tables stay in memory (temp_store cannot change now: it would
	 * drop the temp views a baseline made). */
	sqlite3_exec(db, "PRAGMA mmap_size=" RULES_MMAP "; PRAGMA temp.cache_size=" RULES_TEMP_CACHE,
		     NULL, NULL, NULL);
	/* run_alerts lists this run's alerts by row id, stored now or before:
	 * an integer key, appended in order, costs less than a second
	 * (rule_id, key) index (a rule may find 670k alerts at 10M) */
	if (sqlite3_exec(db, "DROP TABLE IF EXISTS temp.run_alerts; "
			     "CREATE TEMP TABLE run_alerts (alert_id INTEGER PRIMARY KEY); BEGIN",
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
	if (sqlite3_create_function(db, "path_norm", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_path_norm, NULL,
				    NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "path_norm", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_path_norm, NULL,
				    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "path_norm: %s", sqlite3_errmsg(db));
		r = -EIO;
		goto out;
	}
	if ((r = run_definitions(db, err, errlen)) < 0)
		goto out;
	timing_line(t1, -1, "(shared definitions)");
	for (size_t i = 0; i < rs->n; i++) {
		r = run_one(db, &rs->v[i], &as, now, err, errlen);
		if (r < 0)
			goto out;
		timing_line(t1, r, rs->v[i].id);
		total += r;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "alerts: %s", sqlite3_errmsg(db));
		r = -EIO;
	}
	timing_line(t0, total, "(all rules, alerts stored)");
out:
	if (r < 0 && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(as.ins);
	sqlite3_finalize(as.find);
	sqlite3_finalize(as.mark);
	return r < 0 ? r : total;
}

const char exray_run_alerts_sql[] =
	"SELECT a.rule_id, a.severity,"
	" wall_time(a.ts, h.boot_to_wall_ns, 3) AS time,"
	" a.ts, h.hostname AS host, COALESCE(c.short_id, 'host') AS container,"
	" a.pid, a.start, a.exec_id, a.conn_id,"
	" COALESCE(e.filename, pe.filename) AS filename, COALESCE(e.argv, pe.argv) AS argv,"
	" COALESCE(k.daddr, sy.daddr) AS daddr, COALESCE(k.dport, sy.dport) AS dport, a.message, a.alert_id,"
	" c.name AS container_name, c.image AS container_image"
	" FROM temp.run_alerts r"
	" JOIN alerts a ON a.alert_id = r.alert_id"
	" LEFT JOIN hosts h ON h.host_id = a.host_id"
	" LEFT JOIN containers c ON c.container_id = a.container_id"
	" LEFT JOIN connections k ON k.conn_id = a.conn_id"
	/* a key 's<syn_id>' names a packet SYN (raw-socket-syn): its destination */
	" LEFT JOIN syns sy ON a.conn_id IS NULL AND a.key GLOB 's[0-9]*'"
	"  AND sy.syn_id = CAST(substr(a.key, 2) AS INTEGER) AND sy.host_id = a.host_id"
	" LEFT JOIN execs e ON e.exec_id = COALESCE(a.exec_id, k.exec_id)"
	" LEFT JOIN processes p ON p.proc_id = a.proc_id"
	" LEFT JOIN execs pe ON pe.exec_id = p.exec_id"
	" ORDER BY a.ts, a.rule_id, a.alert_id";
