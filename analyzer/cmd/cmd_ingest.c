/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray ingest: load segments into the case database. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "casedb/db.h"
#include "ingest/ingest.h"
#include "text/counts.h"
#include "seal.h"

static const char ingest_help[] =
	"usage: exray ingest [OPTIONS] SEGMENT|DIR...\n"
	"Verify and load segments into the case database. Idempotent: frames\n"
	"already loaded are skipped, so re-running on the same files changes\n"
	"nothing and re-running on a live capture adds only what is new. Many\n"
	"hosts can share one database. Damaged frames are skipped, recorded in\n"
	"segment_issues and summarised; kernel losses go to the losses table.\n\n"
	"  -d, --db FILE  case database (default ./" EXRAY_DEFAULT_DB ", created if missing)\n"
	"  -k, --key FILE|HEX  check every seal with the capture's verification key\n"
	"                 (repeatable); segments.seal_status says what was found\n"
	"  -q, --quiet    no summary\n"
	"  -h, --help     this help\n\n"
	"Example:\n"
	"  exray ingest -d case.db /cases/web-1/ /cases/db-2/\n"
	"  exray ingest -d case.db --key host1.key /cases/host1/\n\n"
	"Exit: 0 loaded clean, 1 loaded but damage was found, 2 usage,\n"
	"3 a file or the database failed.\n";

static void print_summary(const struct ingest_stats *s)
{
	int any = 0;

	printf("ingested %llu file%s (%llu unchanged, %llu failed): %llu new records in %llu frames\n",
	       s->files, s->files == 1 ? "" : "s", s->files_unchanged, s->files_failed,
	       s->records_new, s->frames_new);
	printf("  by type:");
	for (unsigned t = 1; t < EXRAY_TYPE_SLOTS; t++)
		if (s->by_type[t]) {
			const char *n = exray_rec_type_name(t);
			printf("%s %s %llu", any ? "," : "", n ? n : "?", s->by_type[t]);
			any = 1;
		}
	printf("%s\n  lost in kernel:", any ? "" : " none");
	any = 0;
	for (unsigned t = 0; t < EXRAY_TYPE_SLOTS; t++)
		if (s->lost[t]) {
			const char *n = exray_rec_type_name(t);
			char cb[COUNT_TEXT_LEN];
			printf("%s %s %s", any ? "," : "", n ? n : "?", count_plain(cb, s->lost[t]));
			any = 1;
		}
	printf("%s\n  damage: %llu issue%s%s\n", any ? "" : " none", s->issues,
	       s->issues == 1 ? "" : "s",
	       s->issues ? " (see table segment_issues, or exray verify)" : "");
	if (s->duplicates)
		printf("  %llu duplicate event%s from overlapping captures skipped\n", s->duplicates,
		       s->duplicates == 1 ? "" : "s");
}

int cmd_ingest(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB, { "quiet", no_argument, 0, 'q' },
		{ "key", required_argument, 0, 'k' }, { 0 },
	};
	struct exray_seal_verifier *keys[CLI_MAX_KEYS];
	size_t n_keys = 0;
	const char *dbpath = EXRAY_DEFAULT_DB, *bad;
	struct cli_paths paths = { 0 };
	struct ingest *in = NULL;
	sqlite3 *db = NULL;
	int opt, err, quiet = 0, rc = EXRAY_EXIT_OK, seals_failed;

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:qk:", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(ingest_help, stdout); goto cleanup;
		case 'd': dbpath = optarg; break;
		case 'q': quiet = 1; break;
		case 'k':
			if (n_keys == CLI_MAX_KEYS) {
				rc = cli_usage_error("ingest", "at most 16 keys");
				goto cleanup;
			}
			if (cli_load_key(optarg, &keys[n_keys])) {
				rc = EXRAY_EXIT_USAGE;
				goto cleanup;
			}
			n_keys++;
			break;
		default: rc = cli_usage_error("ingest", "bad option"); goto cleanup;
		}
	}
	if (optind >= argc) {
		rc = cli_usage_error("ingest", "no segment files or directories given");
		goto cleanup;
	}
	if ((err = cli_expand_segments(argc - optind, argv + optind, &paths, &bad))) {
		cli_expand_error(bad, err);
		rc = EXRAY_EXIT_FAILURE;
		goto cleanup;
	}
	if ((rc = cli_open_db(&db, dbpath, DB_OPEN_CREATE)))
		goto cleanup;
	if ((err = ingest_begin(&in, db, cli_stderr_is_tty() ? stderr : NULL))) {
		cli_error("%s: %s", dbpath, db_error());
		rc = EXRAY_EXIT_FAILURE;
		goto cleanup;
	}
	ingest_set_keys(in, keys, n_keys);
	for (size_t i = 0; i < paths.n; i++) {
		char msg[300];
		if (!(err = ingest_file(in, paths.v[i], msg, sizeof(msg))))
			continue;
		if (cli_stderr_is_tty())
			fputs("\r\033[K", stderr);
		cli_error("%s: %s", paths.v[i], msg);
		rc = EXRAY_EXIT_FAILURE;
		if (err == -EIO) /* database failure: abandon the run */
			goto cleanup;
	}
	if ((err = ingest_finish(in))) {
		cli_error("%s: %s", dbpath, db_error());
		rc = EXRAY_EXIT_FAILURE;
		goto cleanup;
	}
	if (!quiet)
		print_summary(ingest_get_stats(in));
	seals_failed = cli_seal_summary(db, quiet ? NULL : stdout, "  seals: ");
	if (rc == EXRAY_EXIT_OK && (ingest_get_stats(in)->issues || seals_failed))
		rc = EXRAY_EXIT_PROBLEMS;
cleanup:
	for (size_t i = 0; i < n_keys; i++)
		exray_seal_verifier_free(keys[i]);
	ingest_free(in);
	db_close(db);
	cli_paths_free(&paths);
	return rc;
}
