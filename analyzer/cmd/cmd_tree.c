/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray tree: process trees per container (or host) from the case DB. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include <stdlib.h>
#include "casedb/ctrsel.h"
#include "casedb/db.h"
#include "text/counts.h"
#include "text/timefmt.h"
#include "render/tree.h"

#define TREE_DEFAULT_LIMIT 200 /* processes per group in text output */

static const char tree_help[] =
	"usage: exray tree [OPTIONS] [SEGMENT|DIR...]\n"
	"Process trees per container (or host) from the case database: start\n"
	"time (UTC), pid, user, the exec'd path and argv, exit status, exec\n"
	"history, and under each process the connections it made (->). With\n"
	"segments, they are first ingested: into the database named by -d if\n"
	"given, else into a temporary in-memory one.\n\n"
	"  -c, --container C       only container C: an id prefix, a name, an\n"
	"                          image, a pod (POD, NAMESPACE/POD, POD/CONTAINER)\n"
	"                          matching exactly one container; or 'host'\n"
	"  -p, --pid N             processes with pid N: the chain of their\n"
	"                          ancestors (marked ^, any container) down to\n"
	"                          each, then its subtree\n"
	"      --since TIME        only processes alive at or after TIME\n"
	"      --until TIME        only processes started at or before TIME\n"
	"                          (TIME: RFC 3339, e.g. 2024-05-01T12:00:00Z)\n"
	"  -j, --json              one JSON object per process, in tree order\n"
	"                          (depth and parent_id give the structure)\n"
	"  -w, --wide              do not shorten long argv\n"
	"  -n, --limit N           at most N processes per group (per container,\n"
	"                          the host, or --pid process); the rest are\n"
	"                          counted. Default 200 in text, none in JSON\n"
	"      --all               every process: no limit, kernel threads\n"
	"                          (hidden by default), and failed PATH lookups\n"
	"                          one by one (folded into one line by default)\n"
	"  -d, --db FILE           case database (default ./" EXRAY_DEFAULT_DB ")\n"
	"  -h, --help              this help\n\n"
	"Examples:\n"
	"  exray tree -d case.db -c payments-web one container's tree\n"
	"  exray tree -d case.db -p 4242         how pid 4242 came to run, and what it did\n"
	"  exray tree /var/lib/exray/case1       straight from segments\n\n"
	"Exit: 0 ok, 1 nothing matched (stderr says why), 2 usage (or -c matches no\n"
	"or several containers), 3 database failure.\n";

/* One value of a one-row query with up to one text and one integer
 * parameter; -1 when it fails. */
static long long count_of(sqlite3 *db, const char *sql, const char *text, long long num)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (db_prepare(db, &st, sql))
		return -1;
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, num);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Say why the tree is empty: no such process, no such container, nothing
 * in the time window, or an empty case. */
static void why_empty(sqlite3 *db, const struct tree_opts *o)
{
	if (count_of(db, "SELECT count(*) FROM processes", NULL, 0) == 0) {
		cli_error("no processes in this case (nothing ingested?)");
		return;
	}
	if (o->pid >= 0 && count_of(db, "SELECT count(*) FROM processes WHERE pid=?2", NULL, o->pid) == 0) {
		cli_error("no process %lld in this case", o->pid);
		return;
	}
	if (o->since != INT64_MIN || o->until != INT64_MAX) {
		cli_error("no process%s%s alive in that time window", o->pid >= 0 ? " with that pid" : "",
			  o->container ? " of that container" : "");
		return;
	}
	cli_error("no process matches%s%s", o->pid >= 0 ? " that pid" : "",
		  o->container ? (o->pid >= 0 ? " in that container" : " that container") : "");
}

int cmd_tree(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB,
		CLI_LONGOPTS_PROCESS_SELECT,
		CLI_LONGOPTS_LISTING,
		{ 0 },
	};
	struct tree_opts o = { .pid = -1, .since = INT64_MIN, .until = INT64_MAX, .limit = -1 };
	struct tree_stats stats;
	const char *dbpath = NULL;
	sqlite3 *db = NULL;
	char *cid = NULL, why[4096], num[COUNT_TEXT_LEN];
	uint64_t v;
	long long n;
	int opt, rc, err;

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:c:p:jwn:", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(tree_help, stdout); return EXRAY_EXIT_OK;
		case 'd': dbpath = optarg; break;
		case 'c': o.container = optarg; break;
		case 'p':
			if (cli_parse_u64(optarg, &v) || v > UINT32_MAX)
				return cli_usage_error("tree", "bad pid '%s'", optarg);
			o.pid = (long long)v;
			break;
		case 'S':
			if (timefmt_parse(optarg, &o.since))
				return cli_usage_error("tree", "bad time '%s' (RFC 3339 expected)", optarg);
			break;
		case 'U':
			if (timefmt_parse(optarg, &o.until))
				return cli_usage_error("tree", "bad time '%s' (RFC 3339 expected)", optarg);
			break;
		case 'j': o.json = 1; break;
		case 'w': o.wide = 1; break;
		case 'n':
			if (cli_parse_u64(optarg, &v) || v > INT64_MAX)
				return cli_usage_error("tree", "bad limit '%s'", optarg);
			o.limit = (long long)v;
			break;
		case 'A': o.all = 1; break;
		default: return cli_usage_error("tree", "bad option");
		}
	}
	if ((rc = cli_open_case(&db, &dbpath, argc - optind, argv + optind, DB_OPEN_READONLY)))
		return rc;
	if (o.container && (err = ctrsel_resolve(db, o.container, &cid, why, sizeof(why)))) {
		rc = cli_container_error("tree", dbpath, err, why);
		db_close(db);
		return rc;
	}
	o.container = cid; /* the full id: exactly that container */
	if (o.limit < 0) /* people read text: a limit; scripts read JSON: everything */
		o.limit = o.all || o.json ? 0 : TREE_DEFAULT_LIMIT;
	n = tree_print_stats(db, &o, stdout, &stats);
	if (n >= 0 && stats.kthreads)
		fprintf(stderr, "tree: %s kernel thread%s hidden (--all shows them)\n",
			count_text(num, (uint64_t)stats.kthreads), stats.kthreads == 1 ? "" : "s");
	if (n >= 0 && stats.over_limit && o.json)
		fprintf(stderr, "tree: %s process%s left out by --limit\n",
			count_text(num, (uint64_t)stats.over_limit), stats.over_limit == 1 ? "" : "es");
	free(cid);
	if (n > 0)
		cli_completeness(db, "tree", "processes and events may be missing", false);
	if (n < 0)
		cli_error("%s: %s", dbpath, n == -ENOMEM ? "out of memory" : db_error());
	else if (!n)
		why_empty(db, &o);
	db_close(db);
	return n < 0 ? EXRAY_EXIT_FAILURE : n ? EXRAY_EXIT_OK : EXRAY_EXIT_PROBLEMS;
}
