/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd/cli.h"
#include "casedb/completeness.h"
#include "casedb/db.h"
#include "casedb/policy_cover.h"
#include "casedb/sealsum.h"
#include "ingest/ingest.h"
#include "text/escape.h"
#include "seal.h"

void cli_getopt_reset(void)
{
	optind = 0; /* glibc: 0 re-initialises, also the scan state */
	opterr = 1;
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	fputs(prefix, stderr);
	term_write_strn(stderr, buf, n);
	putc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("exray: ", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("exray: warning: ", fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "exray %s: ", cmd);
	va_start(ap, fmt);
	vmsg(prefix, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'exray %s --help'.\n", cmd);
	return EXRAY_EXIT_USAGE;
}

static int paths_push(struct cli_paths *p, const char *s)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		char **v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	if (!(p->v[p->n] = strdup(s)))
		return -ENOMEM;
	p->n++;
	return 0;
}

static int is_segment_name(const char *name)
{
	size_t n = strlen(name), sl = strlen(EXRAY_SEG_SUFFIX);

	return name[0] != '.' && n > sl && !strcmp(name + n - sl, EXRAY_SEG_SUFFIX);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int expand_dir(const char *dir, struct cli_paths *out)
{
	struct cli_paths names = { 0 };
	struct dirent *de;
	int err = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!is_segment_name(de->d_name))
			continue;
		if ((err = paths_push(&names, de->d_name)))
			goto cleanup;
	}
	if (!names.n) {
		err = -ENODATA;
		goto cleanup;
	}
	qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		char *full;
		size_t dl = strlen(dir);
		if (asprintf(&full, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
			     names.v[i]) < 0) {
			err = -ENOMEM;
			goto cleanup;
		}
		err = paths_push(out, full);
		free(full);
		if (err)
			goto cleanup;
	}
cleanup:
	closedir(d);
	cli_paths_free(&names);
	return err;
}

int cli_expand_segments(int argc, char **argv, struct cli_paths *out, const char **bad)
{
	struct stat st;
	int err;

	for (int i = 0; i < argc; i++) {
		*bad = argv[i];
		if (stat(argv[i], &st))
			err = -errno;
		else if (S_ISDIR(st.st_mode))
			err = expand_dir(argv[i], out);
		else
			err = paths_push(out, argv[i]);
		if (err) {
			cli_paths_free(out); /* callers return at once */
			return err;
		}
	}
	*bad = NULL;
	return 0;
}

void cli_paths_free(struct cli_paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

bool cli_stderr_is_tty(void)
{
	return isatty(STDERR_FILENO);
}

void cli_expand_error(const char *bad, int err)
{
	cli_error("%s: %s", bad, err == -ENODATA ? "no *.exray.zst segments in directory"
						 : strerror(-err));
}

int cli_open_db(sqlite3 **db, const char *path, int flags)
{
	unsigned mode;
	int err = db_open(db, path, flags);

	if (err) {
		cli_error("%s: %s", path, err == -ENOENT && !(flags & DB_OPEN_CREATE)
						 ? "no such case database (run exray ingest first)"
						 : db_error());
		return EXRAY_EXIT_FAILURE;
	}
	if (!db_file_mode(path, &mode) && (mode & 077))
		cli_warn("%s is open to group or others (mode %04o) and holds recorded argv and "
			 "paths: chmod 600 it", path, mode);
	if (!(flags & DB_OPEN_CREATE)) /* loading segments into it finishes it */
		cli_warn_unfinished(*db, path);
	return 0;
}

void cli_warn_unfinished(sqlite3 *db, const char *path)
{
	if (ingest_unfinished(db))
		cli_warn("%s: an ingest did not finish (interrupted?): links between its rows, "
			 "duplicates and indexes may be missing; re-run the same exray ingest to "
			 "finish it", path);
}

int cli_container_error(const char *cmd, const char *dbpath, int err, const char *why)
{
	if (err == -ENOENT || err == -EEXIST) {
		/* why is escaped piece by piece already: its newlines are the list's */
		fprintf(stderr, "exray %s: -c %s\nTry 'exray %s --help'.\n", cmd, why, cmd);
		return EXRAY_EXIT_USAGE;
	}
	cli_error("%s: %s", dbpath, err == -ENOMEM ? "out of memory" : db_error());
	return EXRAY_EXIT_FAILURE;
}

/* Load segments into db, quietly (the reading command reports the case's
 * completeness itself). 0 or an exit code. */
static int ingest_quietly(sqlite3 *db, const struct cli_paths *paths)
{
	struct ingest *in = NULL;
	int rc = EXRAY_EXIT_OK;

	if (ingest_begin(&in, db, NULL)) {
		cli_error("ingest: %s", db_error());
		return EXRAY_EXIT_FAILURE;
	}
	for (size_t i = 0; i < paths->n && !rc; i++) {
		char msg[300];
		if (ingest_file(in, paths->v[i], msg, sizeof(msg))) {
			cli_error("%s: %s", paths->v[i], msg);
			rc = EXRAY_EXIT_FAILURE;
		}
	}
	if (!rc && ingest_finish(in)) {
		cli_error("ingest: %s", db_error());
		rc = EXRAY_EXIT_FAILURE;
	}
	ingest_free(in);
	return rc;
}

int cli_open_case(sqlite3 **db, const char **dbpath, int nseg, char **segs, int flags)
{
	struct cli_paths paths = { 0 };
	const char *bad;
	int err, rc;

	*db = NULL;
	if (nseg > 0 && (err = cli_expand_segments(nseg, segs, &paths, &bad))) {
		cli_expand_error(bad, err);
		return EXRAY_EXIT_FAILURE;
	}
	if (!*dbpath)
		*dbpath = paths.n ? ":memory:" : EXRAY_DEFAULT_DB;
	rc = cli_open_db(db, *dbpath, paths.n ? DB_OPEN_CREATE : flags);
	if (!rc && paths.n && (rc = ingest_quietly(*db, &paths))) {
		db_close(*db);
		*db = NULL;
	}
	cli_paths_free(&paths);
	return rc;
}

int cli_add_key(const char *cmd, const char *arg, struct exray_seal_verifier **keys, size_t *n)
{
	if (*n == CLI_MAX_KEYS)
		return cli_usage_error(cmd, "at most %d keys", CLI_MAX_KEYS);
	if (cli_load_key(arg, &keys[*n]))
		return EXRAY_EXIT_USAGE;
	(*n)++;
	return 0;
}

/* --key: a key file, or the key itself in hex. */
int cli_load_key(const char *arg, struct exray_seal_verifier **v)
{
	__u8 key[EXRAY_SEAL_KEY_BYTES];
	char text[1024];
	int fd, err;
	ssize_t n;

	if (exray_seal_key_parse(arg, key) == 0)
		goto have;
	fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_error("--key %s: neither 64 hex digits nor a readable file: %s", arg,
			  strerror(errno));
		return -EINVAL;
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = 0;
	if (exray_seal_key_parse(text, key)) {
		exray_seal_wipe(text, sizeof(text));
		cli_error("--key %s: no verification key in it (64 hex digits expected)", arg);
		return -EINVAL;
	}
	exray_seal_wipe(text, sizeof(text));
have:
	err = exray_seal_verifier_new(v, key);
	exray_seal_wipe(key, sizeof(key));
	if (err)
		cli_error("--key: %s", strerror(-err));
	return err;
}

/* One line on the seals of the whole case (casedb/sealsum.h) to f (NULL:
 * none); returns whether any segment failed. */
int cli_seal_summary(sqlite3 *db, FILE *f, const char *prefix)
{
	struct seal_summary s;

	if (seal_summary_read(db, &s) || !s.recorded)
		return 0;
	if (f)
		fprintf(f, "%s%lld segment%s verified, %lld FAILED, %lld unchecked (no --key), "
			"%lld unsealed%s\n", prefix, s.verified, s.verified == 1 ? "" : "s", s.failed,
			s.unchecked, s.unsealed,
			s.failed ? " (see segments.seal_detail, or exray verify --key)" : "");
	return s.failed > 0;
}

int cli_completeness(sqlite3 *db, const char *cmd, const char *consequence, bool say_whole)
{
	struct completeness c;
	char line[1024];
	int err = completeness_read(db, &c);

	if (err) {
		cli_warn("cannot tell whether the case is complete: %s",
			 err == -ENOMEM ? "out of memory" : db_error());
		completeness_free(&c);
		return err;
	}
	for (size_t i = 0; i < completeness_count(&c); i++) {
		completeness_sentence(&c, i, line, sizeof(line));
		fprintf(stderr, "%s: incomplete: ", cmd);
		term_write_str(stderr, line); /* host names are recorded strings */
		fprintf(stderr, ": %s\n", consequence);
	}
	if (say_whole && completeness_whole(&c))
		fprintf(stderr, "%s: complete: no events lost in the kernel, no damaged or missing "
				"segments\n", cmd);
	completeness_free(&c);
	return 0;
}

void cli_policy_coverage(sqlite3 *db, const char *cmd, const struct exray_policy *p)
{
	bool *used = p->nsections ? calloc(p->nsections, sizeof(*used)) : NULL;
	int err;

	if (!used)
		return;
	if ((err = policy_sections_used(db, p, used))) {
		cli_warn("cannot tell which policy sections apply to the case: %s",
			 err == -ENOMEM ? "out of memory" : db_error());
		free(used);
		return;
	}
	for (size_t i = 0; i < p->nsections; i++) {
		const struct exray_policy_section *s = &p->sections[i];
		if (used[i] || s->scope == EXRAY_POLICY_ALL)
			continue;
		fprintf(stderr, "%s: warning: policy section [%s", cmd, exray_policy_scope_name(s->scope));
		if (s->arg) {
			putc(' ', stderr);
			term_write_str(stderr, s->arg);
		}
		fputs("] (", stderr);
		term_write_str(stderr, s->file ? s->file : "?");
		fprintf(stderr, ":%u) applies to no process in this case: it allows nothing here\n", s->line);
	}
	free(used);
}
