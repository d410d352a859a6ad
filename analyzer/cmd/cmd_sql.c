/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray sql: run SQL against the case database, with exray's functions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "casedb/db.h"
#include "text/escape.h"
#include "policy/policy_eval.h"
#include "casedb/sqlfuncs.h"

static const char sql_help[] =
	"usage: exray sql [OPTIONS] QUERY|- [SEGMENT|DIR...]\n"
	"       exray sql [OPTIONS] --file FILE [SEGMENT|DIR...]\n"
	"Run SQL (one or more statements) against the case database, or against\n"
	"segments ingested first (into -d FILE if given, else a temporary\n"
	"in-memory case). QUERY '-' reads the SQL from stdin. exray's functions\n"
	"are available: cidr_contains(cidr, addr), inet_fmt(addr [, port]),\n"
	"policy_allows(container, pod_uid, cgroup_path, daddr, dport) (with\n"
	"--policy), policy_loaded(), basename(path); tables and views are in\n"
	"schema/SCHEMA.md.\n\n"
	"  -d, --db FILE      case database (default ./" EXRAY_DEFAULT_DB ")\n"
	"  -P, --policy FILE  load a policy for policy_allows()\n"
	"      --file FILE    read the SQL from FILE\n"
	"      --csv          CSV (RFC 4180, header row, CRLF)\n"
	"  -j, --json         JSON lines, one object per row (argv as an array)\n"
	"      --line         one value per line, 'column = value', a blank line\n"
	"                     between rows (what a table too wide for the\n"
	"                     terminal turns into)\n"
	"  -h, --help         this help\n\n"
	"Examples:\n"
	"  exray sql -d case.db \"SELECT time, container, filename, daddr, dport FROM v_connections\"\n"
	"  exray sql --file hunt.sql /cases/web-1/\n\n"
	"Every value is escaped: in the table and CSV control bytes show as \\n,\n"
	"\\t, \\xNN and a backslash as \\\\; JSON strings are always valid JSON. No\n"
	"value or column is ever cut: a table wider than the terminal is shown one\n"
	"value per line instead (--line), and stderr says so. A query that gives\n"
	"no rows says so on stderr.\n\n"
	"Exit: 0 done, 2 usage or an SQL error in QUERY, 3 the database or a\n"
	"file failed.\n";

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON, FMT_LINE };

/* Text of a value as shown in the table and CSV (NULL: NULL, malloc'd). */
static char *cell_text(sqlite3_stmt *st, int c)
{
	size_t need;
	char *out;
	const char *s;
	int len;

	switch (sqlite3_column_type(st, c)) {
	case SQLITE_NULL:
		return NULL;
	case SQLITE_BLOB: {
		const unsigned char *b = sqlite3_column_blob(st, c);
		len = sqlite3_column_bytes(st, c);
		if (!(out = malloc((size_t)len * 2 + 4)))
			return NULL;
		strcpy(out, "x'");
		for (int i = 0; i < len; i++)
			sprintf(out + 2 + 2 * i, "%02x", b[i]);
		strcat(out, "'");
		return out;
	}
	default:
		s = (const char *)sqlite3_column_text(st, c);
		len = sqlite3_column_bytes(st, c);
		need = term_escape(NULL, 0, s, (size_t)len) + 1;
		if (!(out = malloc(need)))
			return NULL;
		term_escape(out, need, s, (size_t)len);
		return out;
	}
}

/* Display width: code points (escaped text is printable; wide CJK counts 1). */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Print s padded to w columns (never cut: w is at least its width). */
static void put_cell(const char *s, size_t w, bool right)
{
	size_t sw = width(s);

	if (right)
		for (size_t i = sw; i < w; i++)
			putchar(' ');
	fputs(s, stdout);
	if (!right)
		for (size_t i = sw; i < w; i++)
			putchar(' ');
}

struct table {
	int ncol;
	char **names;
	size_t nrows, cap;
	char **cells;     /* nrows * ncol, NULL for SQL NULL */
	bool *numeric;    /* per column: every non-NULL value a number */
};

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * (size_t)t->ncol; i++)
		free(t->cells[i]);
	for (int c = 0; c < t->ncol; c++)
		free(t->names[c]);
	free(t->names);
	free(t->cells);
	free(t->numeric);
}

/* One value per line, "name = value", names right-aligned, a blank line
 * between rows (sqlite3 -line): nothing is cut however wide. */
static void table_print_lines(const struct table *t)
{
	size_t nw = 0;

	for (int c = 0; c < t->ncol; c++)
		if (width(t->names[c]) > nw)
			nw = width(t->names[c]);
	for (size_t r = 0; r < t->nrows; r++) {
		if (r)
			putchar('\n');
		for (int c = 0; c < t->ncol; c++) {
			const char *s = t->cells[r * (size_t)t->ncol + (size_t)c];
			put_cell(t->names[c], nw, true);
			fputs(" = ", stdout);
			fputs(s ? s : "NULL", stdout);
			putchar('\n');
		}
	}
}

/* The columns of the terminal on stdout, 0 when it is not one. */
static size_t terminal_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws))
		return ws.ws_col;
	return 0;
}

/* A table, every value whole; on a terminal too narrow for it, one value
 * per line instead (said on stderr): never a column dropped or cut. */
static void table_print(const struct table *t, bool lines)
{
	size_t *w = calloc((size_t)t->ncol, sizeof(*w)), total = 0, term = terminal_width();

	if (!w)
		return;
	for (int c = 0; c < t->ncol; c++) {
		w[c] = width(t->names[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			const char *s = t->cells[r * (size_t)t->ncol + (size_t)c];
			size_t sw = s ? width(s) : 4;
			if (sw > w[c])
				w[c] = sw;
		}
		total += w[c] + (c ? 2 : 0);
	}
	if (!lines && term && total > term && t->nrows) {
		fprintf(stderr, "sql: %zu columns wider than the terminal (%zu > %zu): one value per line\n",
			(size_t)t->ncol, total, term);
		lines = true;
	}
	if (lines) {
		table_print_lines(t);
		free(w);
		return;
	}
	for (int c = 0; c < t->ncol; c++) {
		if (c)
			fputs("  ", stdout);
		put_cell(t->names[c], w[c], t->numeric[c] && t->nrows);
	}
	putchar('\n');
	for (int c = 0; c < t->ncol; c++) {
		if (c)
			fputs("  ", stdout);
		for (size_t i = 0; i < w[c]; i++)
			putchar('-');
	}
	putchar('\n');
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncol; c++) {
			const char *s = t->cells[r * (size_t)t->ncol + (size_t)c];
			if (c)
				fputs("  ", stdout);
			put_cell(s ? s : "NULL", w[c], t->numeric[c]);
		}
		putchar('\n');
	}
	free(w);
}

static void csv_field(const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

/*
 * Columns of the case schema that hold a JSON array (execs.argv): --json
 * writes their values as arrays, not as strings holding JSON. Known by the
 * column a result comes from, never guessed from the text (a recorded comm
 * could look like an array).
 */
static const char *const json_array_columns[][2] = { { "execs", "argv" } };

static bool is_json_array_column(sqlite3_stmt *st, int c)
{
	const char *t = sqlite3_column_table_name(st, c), *n = sqlite3_column_origin_name(st, c);

	for (size_t i = 0; t && n && i < sizeof(json_array_columns) / sizeof(json_array_columns[0]); i++)
		if (!strcmp(t, json_array_columns[i][0]) && !strcmp(n, json_array_columns[i][1]))
			return true;
	return false;
}

/* An array column's text as the array itself, if it is one (it always is
 * when exray wrote it; a hand-edited value stays a string). */
static bool json_array_value(sqlite3_stmt *v, sqlite3_stmt *st, int c)
{
	bool ok;

	sqlite3_reset(v);
	sqlite3_bind_value(v, 1, sqlite3_column_value(st, c));
	ok = sqlite3_step(v) == SQLITE_ROW && sqlite3_column_int(v, 0);
	if (ok)
		fwrite(sqlite3_column_text(st, c), 1, (size_t)sqlite3_column_bytes(st, c), stdout);
	return ok;
}

static void json_value(sqlite3_stmt *st, int c)
{
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_NULL:
		fputs("null", stdout);
		break;
	case SQLITE_INTEGER:
		printf("%lld", sqlite3_column_int64(st, c));
		break;
	case SQLITE_FLOAT: {
		double d = sqlite3_column_double(st, c);
		if (d != d || d - d != 0) /* NaN, inf: not JSON numbers */
			fputs("null", stdout);
		else
			printf("%.17g", d);
		break;
	}
	case SQLITE_BLOB: {
		char *t = cell_text(st, c);
		json_write_str(stdout, t);
		free(t);
		break;
	}
	default:
		json_write_strn(stdout, (const char *)sqlite3_column_text(st, c), (size_t)sqlite3_column_bytes(st, c));
	}
}

/* Run one prepared statement, printing its rows. 0 or -EIO. */
static int run_stmt(sqlite3 *db, sqlite3_stmt *st, enum fmt fmt)
{
	struct table t = { 0 };
	int rc, ncol = sqlite3_column_count(st), err = 0;
	bool *array_col = NULL;
	sqlite3_stmt *valid = NULL;

	if (fmt == FMT_JSON && ncol) {
		if (!(array_col = calloc((size_t)ncol, sizeof(*array_col))))
			return -ENOMEM;
		for (int c = 0; c < ncol; c++)
			array_col[c] = is_json_array_column(st, c);
		if ((err = db_prepare(db, &valid, "SELECT json_valid(?1) AND json_type(?1) = 'array'"))) {
			free(array_col);
			return err;
		}
	}

	if (fmt == FMT_CSV && ncol) {
		for (int c = 0; c < ncol; c++) {
			char *n = NULL;
			const char *name = sqlite3_column_name(st, c);
			size_t need = term_escape(NULL, 0, name, strlen(name)) + 1;
			if ((n = malloc(need)))
				term_escape(n, need, name, strlen(name));
			if (c)
				putchar(',');
			csv_field(n);
			free(n);
		}
		fputs("\r\n", stdout);
	}
	if ((fmt == FMT_TABLE || fmt == FMT_LINE) && ncol) {
		t.ncol = ncol;
		t.names = calloc((size_t)ncol, sizeof(*t.names));
		t.numeric = calloc((size_t)ncol, sizeof(*t.numeric));
		if (!t.names || !t.numeric) {
			table_free(&t);
			return -ENOMEM;
		}
		for (int c = 0; c < ncol; c++) {
			const char *name = sqlite3_column_name(st, c);
			size_t need = term_escape(NULL, 0, name, strlen(name)) + 1;
			if ((t.names[c] = malloc(need)))
				term_escape(t.names[c], need, name, strlen(name));
			else
				t.names[c] = strdup("?");
			t.numeric[c] = true;
		}
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fmt == FMT_JSON) {
			putchar('{');
			for (int c = 0; c < ncol; c++) {
				if (c)
					putchar(',');
				json_write_str(stdout, sqlite3_column_name(st, c));
				putchar(':');
				if (!array_col[c] || sqlite3_column_type(st, c) != SQLITE_TEXT ||
				    !json_array_value(valid, st, c))
					json_value(st, c);
			}
			fputs("}\n", stdout);
		} else if (fmt == FMT_CSV) {
			for (int c = 0; c < ncol; c++) {
				char *s = cell_text(st, c);
				if (c)
					putchar(',');
				csv_field(s);
				free(s);
			}
			fputs("\r\n", stdout);
		} else {
			if (t.nrows == t.cap) {
				size_t ncap = t.cap ? t.cap * 2 : 64;
				char **nc = realloc(t.cells, ncap * (size_t)ncol * sizeof(*nc));
				if (!nc) {
					err = -ENOMEM;
					break;
				}
				t.cells = nc;
				t.cap = ncap;
			}
			for (int c = 0; c < ncol; c++) {
				int type = sqlite3_column_type(st, c);
				t.cells[t.nrows * (size_t)ncol + (size_t)c] = cell_text(st, c);
				if (type != SQLITE_NULL && type != SQLITE_INTEGER && type != SQLITE_FLOAT)
					t.numeric[c] = false;
			}
			t.nrows++;
		}
	}
	if (!err && rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(db));
		err = -EIO;
	}
	if ((fmt == FMT_TABLE || fmt == FMT_LINE) && ncol && !err) {
		table_print(&t, fmt == FMT_LINE);
		if (!t.nrows)
			fputs("sql: no rows\n", stderr);
	}
	table_free(&t);
	free(array_col);
	sqlite3_finalize(valid);
	return err;
}

/* All of f (the SQL of --file or stdin), NUL-terminated; NULL with errno. */
static char *read_all(FILE *f)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *nb;

	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (!(nb = realloc(buf, cap))) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

/* The SQL of --file FILE, of stdin ("-"), or the QUERY itself (copied). */
static char *query_text(const char *file, const char *arg)
{
	FILE *f;
	char *q;

	if (!file && strcmp(arg, "-"))
		return strdup(arg);
	if (!file)
		return read_all(stdin);
	if (!(f = fopen(file, "r")))
		return NULL;
	q = read_all(f);
	fclose(f);
	return q;
}

int cmd_sql(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB,
		{ "policy", required_argument, 0, 'P' },
		{ "file", required_argument, 0, 'F' },
		{ "csv", no_argument, 0, 'C' },
		{ "json", no_argument, 0, 'j' },
		{ "line", no_argument, 0, 'L' },
		{ 0 },
	};
	const char *dbpath = NULL, *policy_path = NULL, *file = NULL, *sql, *tail;
	enum fmt fmt = FMT_TABLE;
	struct exray_policy_eval *pe = NULL;
	sqlite3 *db = NULL;
	int opt, r, rc = EXRAY_EXIT_OK, printed = 0, nseg;
	char err[1024], *query = NULL, **segs;
	struct stat sb;

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:P:j", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(sql_help, stdout); return EXRAY_EXIT_OK;
		case 'd': dbpath = optarg; break;
		case 'P': policy_path = optarg; break;
		case 'F': file = optarg; break;
		case 'C': fmt = FMT_CSV; break;
		case 'j': fmt = FMT_JSON; break;
		case 'L': fmt = FMT_LINE; break;
		default: return cli_usage_error("sql", "bad option");
		}
	}
	if (!file && optind >= argc)
		return cli_usage_error("sql", "no QUERY given (or - for stdin, --file FILE)");
	segs = argv + optind + !file;
	nseg = argc - optind - !file;
	/* an unquoted query's words are not segments: say so, not "no such file" */
	for (int i = 0; i < nseg; i++)
		if (stat(segs[i], &sb))
			return cli_usage_error("sql", "'%s' is neither a segment nor a directory (give the QUERY "
					       "as one quoted argument)", segs[i]);
	if (!(query = query_text(file, argv[optind]))) {
		cli_error("%s: cannot read the query: %s", file ? file : "stdin", strerror(errno));
		return EXRAY_EXIT_FAILURE;
	}
	sql = query;
	if (policy_path) {
		if ((r = exray_policy_eval_load(&pe, policy_path, err, sizeof(err)))) {
			cli_error("%s", err);
			free(query);
			return r == -EINVAL || r == -ELOOP ? EXRAY_EXIT_USAGE : EXRAY_EXIT_FAILURE;
		}
		exray_sqlfuncs_set_policy(pe);
	}
	if ((rc = cli_open_case(&db, &dbpath, nseg, segs, 0)))
		goto out;
	if (pe)
		cli_policy_coverage(db, "sql", exray_policy_eval_policy(pe));
	while (sql && *sql) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK) {
			cli_error("SQL error: %s", sqlite3_errmsg(db));
			rc = EXRAY_EXIT_USAGE;
			goto out;
		}
		if (!st) /* whitespace or a comment */
			break;
		if ((fmt == FMT_TABLE || fmt == FMT_LINE) && printed && sqlite3_column_count(st))
			putchar('\n');
		r = run_stmt(db, st, fmt);
		printed |= sqlite3_column_count(st) > 0;
		sqlite3_finalize(st);
		if (r) {
			cli_error("SQL error: %s", r == -EIO ? db_error() : strerror(-r));
			rc = r == -EIO ? EXRAY_EXIT_USAGE : EXRAY_EXIT_FAILURE;
			goto out;
		}
		sql = tail;
	}
out:
	fflush(stdout);
	free(query);
	db_close(db);
	exray_sqlfuncs_set_policy(NULL);
	exray_policy_eval_free(pe);
	return rc;
}
