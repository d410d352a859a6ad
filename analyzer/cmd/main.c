/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray: the analyzer. Dispatches to one command per subcommand name. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include "cmd/cli.h"
#include "cmd/commands.h"

#ifndef EXRAY_VERSION
#define EXRAY_VERSION "0.1"
#endif

/* One line per command; a command's file defines its cmd_* function. */
static const struct exray_command commands[] = {
	/* COMMANDS-BEGIN */
	{ "ingest", cmd_ingest, "verify and load segments into the case database" },
	{ "info", cmd_info, "hosts, time range, counts by type, losses, damage" },
	{ "verify", cmd_verify, "check segment integrity; exit 1 if damaged" },
	{ "dump", cmd_dump, "print records as JSON lines" },
	{ "tree", cmd_tree, "process trees per container with connections" },
	{ "timeline", cmd_timeline, "every event of a container or process in time order" },
	{ "containers", cmd_containers, "every container: name, image, pod, activity, alerts" },
	{ "baseline", cmd_baseline, "learn what each workload does (check --baseline)" },
	{ "check", cmd_check, "apply a policy and the detection rules; print alerts" },
	{ "sql", cmd_sql, "run SQL against the case database" },
	{ "report", cmd_report, "the case as one self-contained HTML page" },
	{ "export", cmd_export, "the case as OCSF events or ClickHouse rows" },
	/* COMMANDS-END */
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: exray COMMAND [OPTIONS] [ARGS]\n\n"
		   "Offline analysis of exray-record segments.\n\ncommands:\n");
	for (const struct exray_command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nEvery command takes --help and -d/--db FILE (default ./%s).\n"
		   "Exit codes: 0 clean, 1 problems found, 2 usage error, 3 failure.\n\n"
		   "Example: load a capture, then see what ran and what it did\n"
		   "  exray ingest -d case.db /var/lib/exray/case1\n"
		   "  exray tree -d case.db && exray check -d case.db --policy site.policy\n",
		EXRAY_DEFAULT_DB);
}

int main(int argc, char **argv)
{
	/* no allocation statistics: they take one process-wide mutex per
	 * malloc, which check's two threads would contend for */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (argc < 2) {
		usage(stderr);
		return EXRAY_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXRAY_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("exray %s\n", EXRAY_VERSION);
		return EXRAY_EXIT_OK;
	}
	for (const struct exray_command *c = commands; c->name; c++) {
		if (strcmp(argv[1], c->name))
			continue;
		int rc = c->fn(argc - 1, argv + 1);
		/* stdout is the data: output lost (disk full, ...) is a failure */
		if ((fflush(stdout) || ferror(stdout)) && rc != EXRAY_EXIT_FAILURE) {
			cli_error("writing output: %s", strerror(errno));
			rc = EXRAY_EXIT_FAILURE;
		}
		return rc;
	}
	cli_error("unknown command '%s' (try 'exray --help')", argv[1]);
	return EXRAY_EXIT_USAGE;
}
