/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray baseline learn: what each workload did, into a baseline file that
 * `exray check --baseline` compares later captures with. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd/cli.h"
#include "cmd/outfile.h"
#include "cmd/commands.h"
#include "casedb/db.h"
#include "detect/baseline.h"
#include "text/escape.h"

static const char baseline_help[] =
	"usage: exray baseline learn -d CASE.db [-d CASE2.db...] -o FILE\n"
	"                            [--by image|name|pod-label KEY] [--merge OLD]\n"
	"Learn what each workload did in the case databases: executables run,\n"
	"parent -> child executables, destinations (address and port), users;\n"
	"write them as a readable text file, one [section] per workload key\n"
	"(docs/baselines.md). Learning from several cases (or --merge with an\n"
	"earlier baseline) takes the union. `exray check --baseline FILE`\n"
	"then reports what a workload does that it never did before.\n\n"
	"  -d, --db FILE          case database to learn from (repeatable)\n"
	"  -o, --output FILE      the baseline file to write (replaced whole)\n"
	"      --by image         workloads keyed by image (default)\n"
	"      --by name          ... by container name\n"
	"      --by pod-label KEY ... by the value of label KEY (e.g. app)\n"
	"      --merge OLD        start from baseline file OLD (may be FILE)\n"
	"  -h, --help             this help\n\n"
	"Example: exray baseline learn -d clean.db -o web.baseline --by image\n"
	"         exray check -d incident.db --baseline web.baseline\n\n"
	"Exit: 0 written, 1 no container had the key, 2 usage or an invalid\n"
	"--merge file, 3 a database or file failed.\n";

static int learn(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB,
		{ "output", required_argument, 0, 'o' },
		{ "by", required_argument, 0, 'b' },
		{ "merge", required_argument, 0, 'm' },
		{ 0 },
	};
	const char *dbs[64], *out = NULL, *merge = NULL, *label = NULL;
	enum bl_kind kind = BL_IMAGE;
	struct baseline bl = { 0 };
	size_t ndb = 0, items = 0;
	char err[1024], comment[256];
	struct outfile *of;
	int err_close;
	int opt, r, rc = EXRAY_EXIT_OK;
	FILE *f;

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:o:", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(baseline_help, stdout); return EXRAY_EXIT_OK;
		case 'd':
			if (ndb == sizeof(dbs) / sizeof(dbs[0]))
				return cli_usage_error("baseline", "too many -d");
			dbs[ndb++] = optarg;
			break;
		case 'o': out = optarg; break;
		case 'm': merge = optarg; break;
		case 'b':
			if (!strcmp(optarg, "image")) {
				kind = BL_IMAGE;
			} else if (!strcmp(optarg, "name")) {
				kind = BL_NAME;
			} else if (!strcmp(optarg, "pod-label")) {
				if (optind >= argc || !*argv[optind])
					return cli_usage_error("baseline", "--by pod-label needs the label KEY");
				kind = BL_LABEL;
				label = argv[optind++];
			} else {
				return cli_usage_error("baseline", "--by image, name or pod-label KEY, not '%s'", optarg);
			}
			break;
		default: return cli_usage_error("baseline", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("baseline", "unexpected argument '%s'", argv[optind]);
	if (!out)
		return cli_usage_error("baseline", "-o FILE is required");
	if (!ndb)
		dbs[ndb++] = EXRAY_DEFAULT_DB;
	if (merge && (r = baseline_load(&bl, merge, err, sizeof(err)))) {
		cli_error("%s", err);
		baseline_free(&bl);
		return r == -EINVAL ? EXRAY_EXIT_USAGE : EXRAY_EXIT_FAILURE;
	}
	for (size_t i = 0; i < ndb; i++) {
		sqlite3 *db;
		if (cli_open_db(&db, dbs[i], DB_OPEN_READONLY)) {
			baseline_free(&bl);
			return EXRAY_EXIT_FAILURE;
		}
		r = baseline_learn(db, kind, label, &bl);
		if (r) {
			cli_error("%s: %s", dbs[i], r == -ENOMEM ? "out of memory" : db_error());
			db_close(db);
			baseline_free(&bl);
			return EXRAY_EXIT_FAILURE;
		}
		db_close(db);
	}
	for (size_t i = 0; i < bl.n; i++)
		items += bl.w[i].n;
	snprintf(comment, sizeof(comment), "learned by workload %s%s%s from %zu case database%s",
		 baseline_kind_name(kind), label ? " " : "", label ? label : "", ndb, ndb == 1 ? "" : "s");
	/* written beside the target and renamed (a device or pipe in place): a
	 * failure leaves the old file */
	if ((r = outfile_open(&of, &f, out, true))) {
		cli_error("%s: cannot write: %s", out, strerror(-r));
		baseline_free(&bl);
		return EXRAY_EXIT_FAILURE;
	}
	r = baseline_write(f, &bl, comment);
	err_close = outfile_close(of, !r);
	r = r ? r : err_close;
	if (r) {
		cli_error("%s: cannot write: %s", out, strerror(-r));
		rc = EXRAY_EXIT_FAILURE;
	} else {
		fprintf(stderr, "baseline: %zu workload%s, %zu item%s written to ", bl.n, bl.n == 1 ? "" : "s",
			items, items == 1 ? "" : "s");
		term_write_str(stderr, out);
		fputc('\n', stderr);
		if (!bl.n)
			rc = EXRAY_EXIT_PROBLEMS;
	}
	baseline_free(&bl);
	return rc;
}

int cmd_baseline(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "learn"))
		return learn(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(baseline_help, stdout);
		return EXRAY_EXIT_OK;
	}
	return cli_usage_error("baseline", "a subcommand is needed: learn");
}
