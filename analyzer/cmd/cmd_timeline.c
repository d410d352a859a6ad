/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray timeline: every event of a container or process in time order. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "casedb/ctrsel.h"
#include "casedb/db.h"
#include "render/timeline.h"
#include "text/timefmt.h"

#define TIMELINE_DEFAULT_LIMIT 1000 /* events in text output */

static const char timeline_help[] =
	"usage: exray timeline [OPTIONS] [SEGMENT|DIR...]\n"
	"Every event of the case, of one container or of one process, in time\n"
	"order (UTC): execs (and images running at capture start), forks, exits,\n"
	"connects, and what processes did (file, priv, ns, ptrace, socket, memfd,\n"
	"bpf, uring). --since/--until filter on when each event happened. With\n"
	"segments, they are first ingested: into the database named by -d if\n"
	"given, else into a temporary in-memory one.\n\n"
	"  -c, --container C       only container C: an id prefix, a name, an\n"
	"                          image, a pod; or 'host'\n"
	"  -p, --pid N             only processes with pid N\n"
	"      --since TIME        only events at or after TIME\n"
	"      --until TIME        only events at or before TIME\n"
	"                          (TIME: RFC 3339, e.g. 2024-05-01T12:00:00Z)\n"
	"  -t, --type LIST         only these event types, comma-separated (also\n"
	"                          --types): " TIMELINE_TYPES "\n"
	"  -j, --json              one JSON object per event\n"
	"  -w, --wide              do not shorten long argv\n"
	"  -n, --limit N           at most N events, the rest counted (default\n"
	"                          1000 in text, none in JSON)\n"
	"      --all               every event\n"
	"  -d, --db FILE           case database (default ./" EXRAY_DEFAULT_DB ")\n"
	"  -h, --help              this help\n\n"
	"Examples:\n"
	"  exray timeline -d case.db -c payments-web --since 2024-05-01T12:00:00Z\n"
	"  exray timeline -d case.db -p 4242 -t exec,connect,file\n\n"
	"Exit: 0 ok, 1 no event matched (stderr says why), 2 usage (or -c matches\n"
	"no or several containers), 3 database failure.\n";

/* Say why nothing matched. */
static void why_empty(sqlite3 *db, const struct timeline_opts *o)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (o->pid >= 0 && !db_prepare(db, &st, "SELECT count(*) FROM processes WHERE pid = ?1")) {
		sqlite3_bind_int64(st, 1, o->pid);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (n == 0) {
			cli_error("no process %lld in this case", o->pid);
			return;
		}
	}
	if (o->since != INT64_MIN || o->until != INT64_MAX)
		cli_error("no event in that time window%s", o->types ? " of those types" : "");
	else
		cli_error("no event matches%s", o->types ? " (of those types)" : "");
}

int cmd_timeline(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB,
		CLI_LONGOPTS_PROCESS_SELECT,
		{ "type", required_argument, 0, 't' },
		{ "types", required_argument, 0, 't' },
		CLI_LONGOPTS_LISTING,
		{ 0 },
	};
	struct timeline_opts o = { .pid = -1, .since = INT64_MIN, .until = INT64_MAX, .limit = -1 };
	const char *dbpath = NULL, *bad;
	char *cid = NULL, *types = NULL, why[4096];
	sqlite3 *db = NULL;
	long long n, printed;
	uint64_t v;
	int opt, rc, err, all = 0;

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:c:p:t:jwn:", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(timeline_help, stdout); free(types); return EXRAY_EXIT_OK;
		case 'd': dbpath = optarg; break;
		case 'c': o.container = optarg; break;
		case 'p':
			if (cli_parse_u64(optarg, &v) || v > UINT32_MAX)
				goto bad_arg;
			o.pid = (long long)v;
			break;
		case 'S':
		case 'U':
			if (timefmt_parse(optarg, opt == 'S' ? &o.since : &o.until)) {
				free(types);
				return cli_usage_error("timeline", "bad time '%s' (RFC 3339 expected)", optarg);
			}
			break;
		case 't':
			free(types);
			if (!(types = timeline_types(optarg, &bad))) {
				if (!bad) {
					cli_error("out of memory");
					return EXRAY_EXIT_FAILURE;
				}
				return cli_usage_error("timeline", "unknown event type in '%s' (types: %s)", bad,
						       TIMELINE_TYPES);
			}
			break;
		case 'j': o.json = 1; break;
		case 'w': o.wide = 1; break;
		case 'n':
			if (cli_parse_u64(optarg, &v) || v > INT64_MAX)
				goto bad_arg;
			o.limit = (long long)v;
			break;
		case 'A': all = 1; break;
		default: free(types); return cli_usage_error("timeline", "bad option");
		}
	}
	o.types = types;
	if (o.limit < 0)
		o.limit = all || o.json ? 0 : TIMELINE_DEFAULT_LIMIT;
	if ((rc = cli_open_case(&db, &dbpath, argc - optind, argv + optind, DB_OPEN_READONLY)))
		goto out;
	if (o.container && (err = ctrsel_resolve(db, o.container, &cid, why, sizeof(why)))) {
		rc = cli_container_error("timeline", dbpath, err, why);
		goto out;
	}
	o.container = cid;
	n = timeline_print(db, &o, stdout, &printed);
	if (n < 0) {
		cli_error("%s: %s", dbpath, n == -ENOMEM ? "out of memory" : db_error());
		rc = EXRAY_EXIT_FAILURE;
	} else if (!n) {
		why_empty(db, &o);
		rc = EXRAY_EXIT_PROBLEMS;
	} else {
		if (o.json && n > printed)
			fprintf(stderr, "timeline: %lld event%s left out by --limit\n", n - printed,
				n - printed == 1 ? "" : "s");
		cli_completeness(db, "timeline", "events may be missing", false);
		rc = EXRAY_EXIT_OK;
	}
out:
	free(cid);
	free(types);
	db_close(db);
	return rc;
bad_arg:
	free(types);
	return cli_usage_error("timeline", "bad number '%s'", optarg);
}
