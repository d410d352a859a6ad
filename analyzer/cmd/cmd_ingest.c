/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray ingest: load segments into the case database. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "casedb/db.h"
#include "ingest/ingest.h"
#include "text/counts.h"
#include "text/escape.h"
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
	"Ctrl-C (or SIGTERM) stops between frames: what was committed stays, the\n"
	"case is marked unfinished (every command says so) and re-running the\n"
	"same command resumes. On a terminal, stderr shows the progress: files,\n"
	"percentage, rate and time left.\n\n"
	"Exit: 0 loaded clean, 1 loaded but damage was found, 2 usage,\n"
	"3 a file or the database failed, 128+N stopped by signal N (130: Ctrl-C).\n";

/* Set by SIGINT/SIGTERM: ingest stops at the next frame boundary, and a
 * running SQLite statement (the index builds at the end) is interrupted. */
static volatile sig_atomic_t stop_signal;
static sqlite3 *running_db;

static void on_stop(int sig)
{
	stop_signal = sig;
	if (running_db)
		sqlite3_interrupt(running_db);
}

static void catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	/* no SA_RESTART: a read or open waiting on a slow file returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int interrupted(void)
{
	if (cli_stderr_is_tty())
		fputs("\r\033[K", stderr);
	cli_error("ingest interrupted; re-run to resume (the case is marked unfinished until then)");
	return 128 + stop_signal;
}

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
			if ((rc = cli_add_key("ingest", optarg, keys, &n_keys)))
				goto cleanup;
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
	running_db = db;
	catch_stop();
	if (ingest_unfinished(db)) {
		fputs("ingest: resuming: an earlier ingest into ", stderr);
		term_write_str(stderr, dbpath);
		fputs(" did not finish; this run links the whole case\n", stderr);
	}
	if ((err = ingest_begin(&in, db, cli_stderr_is_tty() ? stderr : NULL))) {
		cli_error("%s: %s", dbpath, db_error());
		rc = EXRAY_EXIT_FAILURE;
		goto cleanup;
	}
	ingest_set_keys(in, keys, n_keys);
	ingest_set_stop(in, &stop_signal);
	{
		unsigned long long total = 0;
		struct stat st;
		for (size_t i = 0; i < paths.n; i++)
			if (!stat(paths.v[i], &st) && S_ISREG(st.st_mode))
				total += (unsigned long long)st.st_size;
		ingest_set_total(in, total, paths.n);
	}
	for (size_t i = 0; i < paths.n; i++) {
		char msg[300];
		err = ingest_file(in, paths.v[i], msg, sizeof(msg));
		if (stop_signal) {
			rc = interrupted();
			goto cleanup;
		}
		if (!err)
			continue;
		if (cli_stderr_is_tty())
			fputs("\r\033[K", stderr);
		cli_error("%s: %s", paths.v[i], msg);
		rc = EXRAY_EXIT_FAILURE;
		if (err == -EIO) /* database failure: abandon the run */
			goto cleanup;
	}
	if ((err = ingest_finish(in))) {
		if (stop_signal) {
			rc = interrupted();
			goto cleanup;
		}
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
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	running_db = NULL;
	for (size_t i = 0; i < n_keys; i++)
		exray_seal_verifier_free(keys[i]);
	ingest_free(in);
	db_close(db);
	cli_paths_free(&paths);
	return rc;
}
