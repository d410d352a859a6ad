/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every `exray` command shares: exit codes, one-line error messages,
 * expansion of segment arguments, number and time parsing.
 */
#ifndef EXRAY_CLI_H
#define EXRAY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <getopt.h>
#include <sqlite3.h>

/*
 * Exit codes of every exray command (README.md, docs/analyzer.md). Named EXRAY_EXIT_* because
 * <stdlib.h> already defines EXIT_FAILURE as 1.
 */
enum exray_exit_code {
	EXRAY_EXIT_OK = 0,       /* success, clean */
	EXRAY_EXIT_PROBLEMS = 1, /* ran fine and found problems (damage, alert mismatch) */
	EXRAY_EXIT_USAGE = 2,    /* bad command line */
	EXRAY_EXIT_FAILURE = 3,  /* could not do the job: I/O, DB, newer format */
};

#define EXRAY_DEFAULT_DB "exray.db"
#define EXRAY_SEG_SUFFIX ".exray.zst"

/* getopt_long entries every command accepts; the short options are "hd:". */
#define CLI_LONGOPT_HELP { "help", no_argument, 0, 'h' }
#define CLI_LONGOPT_DB { "db", required_argument, 0, 'd' }
/* Which processes (tree, timeline): "c:p:" and 'S', 'U' for the times. */
#define CLI_LONGOPTS_PROCESS_SELECT                                                   \
	{ "container", required_argument, 0, 'c' }, { "pid", required_argument, 0, 'p' }, \
	{ "since", required_argument, 0, 'S' }, { "until", required_argument, 0, 'U' }
/* How a listing is shown (tree, timeline): "jwn:" and 'A' for --all. */
#define CLI_LONGOPTS_LISTING                                                           \
	{ "json", no_argument, 0, 'j' }, { "wide", no_argument, 0, 'w' },                 \
	{ "limit", required_argument, 0, 'n' }, { "all", no_argument, 0, 'A' }

/*
 * Reset getopt before a command parses its arguments (argv[0] is the
 * command name), so commands can run more than once in one process (tests).
 */
void cli_getopt_reset(void);

/* "exray: MESSAGE\n" on stderr; the formatted message is terminal-escaped
 * as a whole, so file names and other hostile strings can go into it. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "exray CMD: MESSAGE" and a hint to use --help on stderr; returns
 * EXRAY_EXIT_USAGE so a command can `return cli_usage_error(...)`. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Open the case database (flags: casedb/db.h), saying on stderr, one line
 * each, why it cannot be opened (missing: "run exray ingest first") and
 * what is wrong with one that opens (readable by group or others). Returns
 * 0, or EXRAY_EXIT_FAILURE with *db NULL.
 */
int cli_open_db(sqlite3 **db, const char *path, int flags);

/* Warn on stderr when an ingest into the case did not finish
 * (ingest_unfinished): its conclusions may miss links (cli_open_db does). */
void cli_warn_unfinished(sqlite3 *db, const char *path);

/*
 * The case a reading command works on: the database *dbpath (NULL: the
 * default ./exray.db), or, with segment arguments (files or directories),
 * those segments ingested first: into *dbpath if one was named, else into a
 * temporary in-memory database (*dbpath is then ":memory:"). flags
 * (casedb/db.h) apply to a database opened without segments. Errors are
 * printed. Returns 0 or an exit code.
 */
int cli_open_case(sqlite3 **db, const char **dbpath, int nseg, char **segs, int flags);

/*
 * Say on stderr, where a command draws conclusions, what the case misses
 * (casedb/completeness.h): one line per fact, "CMD: incomplete: FACT:
 * CONSEQUENCE" (e.g. "check: incomplete: 17,234 exec events lost in the
 * kernel, reported between T1 and T2: alerts may be missing"); with
 * say_whole, one "CMD: complete: ..." line when nothing is missing.
 * Returns 0, or -errno when the case could not be read (said too).
 */
int cli_completeness(sqlite3 *db, const char *cmd, const char *consequence, bool say_whole);

/*
 * Warn on stderr about each section of policy p that applies to no process
 * of the case ("CMD: warning: policy section [container 3f2a] (FILE:LINE)
 * applies to no process in this case"): a mistyped id allows nothing.
 */
struct exray_policy;
void cli_policy_coverage(sqlite3 *db, const char *cmd, const struct exray_policy *p);

/* Segment paths to read, in order. */
struct cli_paths {
	char **v;
	size_t n, cap;
};

/*
 * Expand command-line arguments: a directory stands for the *.exray.zst
 * files directly inside it, in name order (i.e. capture and sequence
 * order); any other argument is taken as a file, whatever its name. Returns
 * 0, or -errno with *bad pointing at the argument that failed (-ENOENT for
 * a missing path, -ENOTDIR..., -ENODATA for a directory without segments);
 * on error *out is freed (empty).
 */
int cli_expand_segments(int argc, char **argv, struct cli_paths *out, const char **bad);
/* The one-line message for a cli_expand_segments failure. */
void cli_expand_error(const char *bad, int err);
void cli_paths_free(struct cli_paths *p);

/* Decimal (or 0x hex) unsigned number, whole string. 0 or -EINVAL/-ERANGE. */
int cli_parse_u64(const char *s, uint64_t *out);

/* The message and exit code for a failed ctrsel_resolve() (casedb/ctrsel.h)
 * of `-c`: usage (2) for no or several matches, with the candidates one per
 * line; failure (3) otherwise. */
int cli_container_error(const char *cmd, const char *dbpath, int err, const char *why);

/* True when stderr is a terminal (progress lines are shown then only). */
bool cli_stderr_is_tty(void);

/* --key FILE|HEX: a capture's verification key (a key file as exray-record
 * --seal-key writes it, or its 64 hex digits). 0, or -EINVAL/-errno with
 * one line on stderr. */
struct exray_seal_verifier;
int cli_load_key(const char *arg, struct exray_seal_verifier **v);
#define CLI_MAX_KEYS 16
/* One more --key into keys[CLI_MAX_KEYS] (*n of them loaded): 0, or the exit
 * code (usage) after one line on stderr. */
int cli_add_key(const char *cmd, const char *arg, struct exray_seal_verifier **keys, size_t *n);
/* One line on the case's seals (segments.seal_status: verified, FAILED,
 * unchecked, unsealed) to f after prefix (f NULL: silent); returns 1 when
 * any segment's seals failed, else 0. */
int cli_seal_summary(sqlite3 *db, FILE *f, const char *prefix);

#endif /* EXRAY_CLI_H */
