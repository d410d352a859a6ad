/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray sql: run SQL against the case database, with exray's functions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "casedb/db.h"
#include "text/escape.h"
#include "policy/policy_eval.h"
#include "casedb/sqlfuncs.h"

static const char sql_help[] =
	"usage: exray sql [OPTIONS] QUERY\n"
	"Run SQL (one or more statements) against the case database. exray's\n"
	"functions are available: cidr_contains(cidr, addr), inet_fmt(addr [, port]),\n"
	"policy_allows(container, pod_uid, cgroup_path, daddr, dport) (with\n"
	"--policy), policy_loaded(), basename(path); tables and views are in\n"
	"schema/SCHEMA.md.\n\n"
	"  -d, --db FILE      case database (default ./" EXRAY_DEFAULT_DB ")\n"
	"  -P, --policy FILE  load a policy for policy_allows()\n"
	"      --csv          CSV (RFC 4180, header row, CRLF)\n"
	"  -j, --json         JSON lines, one object per row (argv as an array)\n"
	"  -h, --help         this help\n\n"
	"Example:\n"
	"  exray sql -d case.db \"SELECT time, container, filename, daddr, dport FROM v_connections\"\n\n"
	"Every value is escaped: in the table and CSV control bytes show as \\n,\n"
	"\\t, \\xNN and a backslash as \\\\; JSON strings are always valid JSON. The\n"
	"table is cut to the terminal's width when stdout is a terminal.\n\n"
	"Exit: 0 done, 2 usage or an SQL error in QUERY, 3 the database failed.\n";

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON };

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

/* Print s padded/cut to w columns; cut text ends with '~'. */
static void put_cell(const char *s, size_t w, bool right)
{
	size_t sw = width(s), shown = 0;

	if (sw > w) {
		for (const char *c = s; *c; c++) {
			if (((unsigned char)*c & 0xc0) != 0x80) {
				if (shown + 1 >= w)
					break;
				shown++;
			}
			putchar(*c);
		}
		/* finish a UTF-8 sequence already started (none: cut at starts) */
		if (w)
			putchar('~'), shown++;
		for (; shown < w; shown++)
			putchar(' ');
		return;
	}
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

static void table_print(const struct table *t)
{
	size_t *w = calloc((size_t)t->ncol, sizeof(*w)), total = 0, term = 0;
	struct winsize ws;

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
	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		term = ws.ws_col;
	/* Too wide for the terminal: shrink the widest column, one step at a
	 * time, down to 8 columns each. */
	while (term && total > term) {
		int widest = 0;
		for (int c = 1; c < t->ncol; c++)
			if (w[c] > w[widest])
				widest = c;
		if (w[widest] <= 8)
			break;
		w[widest]--;
		total--;
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
	if (fmt == FMT_TABLE && ncol) {
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
	if (fmt == FMT_TABLE && ncol && !err)
		table_print(&t);
	table_free(&t);
	free(array_col);
	sqlite3_finalize(valid);
	return err;
}

int cmd_sql(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB,
		{ "policy", required_argument, 0, 'P' },
		{ "csv", no_argument, 0, 'C' },
		{ "json", no_argument, 0, 'j' },
		{ 0 },
	};
	const char *dbpath = EXRAY_DEFAULT_DB, *policy_path = NULL, *sql, *tail;
	enum fmt fmt = FMT_TABLE;
	struct exray_policy_eval *pe = NULL;
	sqlite3 *db = NULL;
	int opt, r, rc = EXRAY_EXIT_OK, printed = 0;
	char err[1024];

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:P:j", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(sql_help, stdout); return EXRAY_EXIT_OK;
		case 'd': dbpath = optarg; break;
		case 'P': policy_path = optarg; break;
		case 'C': fmt = FMT_CSV; break;
		case 'j': fmt = FMT_JSON; break;
		default: return cli_usage_error("sql", "bad option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("sql", optind >= argc ? "no QUERY given" : "give the QUERY as one argument (quote it)");
	sql = argv[optind];
	if (policy_path) {
		if ((r = exray_policy_eval_load(&pe, policy_path, err, sizeof(err)))) {
			cli_error("%s", err);
			return r == -EINVAL || r == -ELOOP ? EXRAY_EXIT_USAGE : EXRAY_EXIT_FAILURE;
		}
		exray_sqlfuncs_set_policy(pe);
	}
	if ((rc = cli_open_db(&db, dbpath, 0)))
		goto out;
	while (sql && *sql) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK) {
			cli_error("SQL error: %s", sqlite3_errmsg(db));
			rc = EXRAY_EXIT_USAGE;
			goto out;
		}
		if (!st) /* whitespace or a comment */
			break;
		if (fmt == FMT_TABLE && printed && sqlite3_column_count(st))
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
	db_close(db);
	exray_sqlfuncs_set_policy(NULL);
	exray_policy_eval_free(pe);
	return rc;
}
