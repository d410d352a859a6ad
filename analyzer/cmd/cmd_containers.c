/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray containers: every container of the case with its identity, first
 * and last activity, process count and alert count (view v_containers). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "casedb/ctrsel.h"
#include "casedb/db.h"
#include "text/escape.h"

static const char containers_help[] =
	"usage: exray containers [OPTIONS] [SEGMENT|DIR...]\n"
	"Every container of the case database: short id, name, runtime, image,\n"
	"Kubernetes pod (namespace/pod/container), first and last activity (UTC),\n"
	"processes and alerts (alerts as stored by the last `exray check`).\n"
	"Any of the id, name, image or pod works as `-c` of other commands. With\n"
	"segments, they are first ingested: into the database named by -d if\n"
	"given, else into a temporary in-memory one.\n\n"
	"  -j, --json      one JSON object per container (with labels and the\n"
	"                  files the identity was read from)\n"
	"  -d, --db FILE   case database (default ./" EXRAY_DEFAULT_DB ")\n"
	"  -h, --help      this help\n\n"
	"Example: exray containers -d case.db\n\n"
	"Exit: 0 ok, 1 no containers, 2 usage, 3 database failure.\n";

/* Columns of the query, by index. */
enum { C_HOST, C_SHORT, C_CID, C_RUNTIME, C_NAME, C_IMAGE, C_DIGEST, C_PODNS, C_POD, C_KNAME,
       C_PODUID, C_FIRST, C_LAST, C_PROCS, C_ALERTS, C_LABELS, C_SOURCES, C_CGPATH, C_N };

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void put_json(sqlite3_stmt *st)
{
	static const char *const names[C_N] = {
		"host", "container", "cid", "runtime", "name", "image", "image_digest", "pod_namespace",
		"pod_name", "container_name", "pod_uid", "first_time", "last_time", "processes",
		"alerts", "labels", "sources", "cgroup_path",
	};

	putchar('{');
	for (int i = 0; i < C_N; i++) {
		printf("%s\"%s\":", i ? "," : "", names[i]);
		if (sqlite3_column_type(st, i) == SQLITE_NULL)
			fputs("null", stdout);
		else if (i == C_PROCS || i == C_ALERTS)
			printf("%lld", sqlite3_column_int64(st, i));
		else if (i == C_LABELS || i == C_SOURCES)
			fputs(col(st, i), stdout); /* JSON written by exray's ingest */
		else
			json_write_str(stdout, col(st, i));
	}
	fputs("}\n", stdout);
}

/* A text cell: the value escaped, or "-". */
static void cell(const char *s, int width)
{
	char buf[512];
	size_t n;

	if (!s || !*s)
		s = "-";
	n = term_escape(buf, sizeof(buf), s, strlen(s));
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	printf("%-*s ", width, buf);
}

static void put_text(sqlite3_stmt *st)
{
	char pod[600] = "";

	if (col(st, C_POD))
		snprintf(pod, sizeof(pod), "%s%s%s%s%s", col(st, C_PODNS) ? col(st, C_PODNS) : "",
			 col(st, C_PODNS) ? "/" : "", col(st, C_POD), col(st, C_KNAME) ? "/" : "",
			 col(st, C_KNAME) ? col(st, C_KNAME) : "");
	else if (col(st, C_PODUID))
		snprintf(pod, sizeof(pod), "uid:%s", col(st, C_PODUID));
	cell(col(st, C_HOST), 10);
	cell(col(st, C_SHORT), 12);
	cell(col(st, C_NAME), 20);
	cell(col(st, C_RUNTIME), 10);
	cell(col(st, C_IMAGE), 28);
	cell(pod, 24);
	cell(col(st, C_FIRST), 24);
	cell(col(st, C_LAST), 24);
	printf("%9lld %6lld\n", sqlite3_column_int64(st, C_PROCS), sqlite3_column_int64(st, C_ALERTS));
}

int cmd_containers(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB, { "json", no_argument, 0, 'j' }, { 0 },
	};
	const char *dbpath = NULL;
	char sql[512];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int opt, json = 0, rc, n = 0;

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:j", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(containers_help, stdout); return EXRAY_EXIT_OK;
		case 'd': dbpath = optarg; break;
		case 'j': json = 1; break;
		default: return cli_usage_error("containers", "bad option");
		}
	}
	if ((rc = cli_open_case(&db, &dbpath, argc - optind, argv + optind, DB_OPEN_READONLY)))
		return rc;
	/* v_containers came with schema 1.2; read-only opens do not upgrade */
	if (!strncmp(ctrsel_identity_cols(db), "NULL", 4)) {
		cli_error("%s: case database older than schema 1.2 (no container identity): "
			  "`exray ingest` upgrades it", dbpath);
		db_close(db);
		return EXRAY_EXIT_FAILURE;
	}
	snprintf(sql, sizeof(sql),
		 "SELECT host, short_id, cid, runtime, name, image, image_digest, pod_namespace,"
		 " pod_name, container_name, pod_uid, first_time, last_time, processes, alerts,"
		 " labels, sources, cgroup_path FROM v_containers ORDER BY host, first_ts, cid");
	if (db_prepare(db, &st, sql)) {
		cli_error("%s: %s", dbpath, db_error());
		db_close(db);
		return EXRAY_EXIT_FAILURE;
	}
	if (!json)
		printf("%-10s %-12s %-20s %-10s %-28s %-24s %-24s %-24s %9s %6s\n", "HOST", "CONTAINER",
		       "NAME", "RUNTIME", "IMAGE", "POD", "FIRST", "LAST", "PROCESSES", "ALERTS");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (json)
			put_json(st);
		else
			put_text(st);
	}
	if (rc != SQLITE_DONE)
		cli_error("%s: %s", dbpath, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	db_close(db);
	if (rc != SQLITE_DONE)
		return EXRAY_EXIT_FAILURE;
	if (!n)
		cli_error("no containers in this case: every process recorded ran on the host");
	else if (!json)
		fprintf(stderr, "containers: %d\n", n);
	return n ? EXRAY_EXIT_OK : EXRAY_EXIT_PROBLEMS;
}
