/*
 * Recorder unit tests (options, argv handling, cgroup replay, output
 * directory checks, rotation and the --max-total cap with the real segment
 * codec), plus the capture checker that tests/integration/recorder.sh runs:
 * with EXRAY_REC_DIR and EXRAY_REC_EXPECT set, it decodes every segment of
 * a real capture and checks each expected fact field by field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../recorder/record.h"

/* ------------------------------------------------------------ options */

static void test_parse_size_duration(void **state)
{
	__u64 v;

	assert_int_equal(rec_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(rec_parse_size("10M", &v), 0);
	assert_int_equal(v, 10ull << 20);
	assert_int_equal(rec_parse_size("1G", &v), 0);
	assert_int_equal(v, 1ull << 30);
	assert_int_equal(rec_parse_size("1X", &v), -EINVAL);
	assert_int_equal(rec_parse_size("-1", &v), -EINVAL);
	assert_int_equal(rec_parse_size("", &v), -EINVAL);
	assert_int_equal(rec_parse_size("99999999999999999999", &v), -EINVAL);
	assert_int_equal(rec_parse_size("17179869184G", &v), -EINVAL);
	assert_int_equal(rec_parse_duration_ms("3", &v), 0);
	assert_int_equal(v, 3000);
	assert_int_equal(rec_parse_duration_ms("250ms", &v), 0);
	assert_int_equal(v, 250);
	assert_int_equal(rec_parse_duration_ms("2m", &v), 0);
	assert_int_equal(v, 120000);
	assert_int_equal(rec_parse_duration_ms("1h", &v), 0);
	assert_int_equal(v, 3600000);
	assert_int_equal(rec_parse_duration_ms("1d", &v), -EINVAL);
}

static void test_parse_events(void **state)
{
	__u32 m;

	assert_int_equal(rec_parse_events("exec,connect", &m), 0);
	assert_int_equal(m, EXRAY_EV_EXEC | EXRAY_EV_CONNECT);
	assert_int_equal(rec_parse_events("all", &m), 0);
	assert_int_equal(m, EXRAY_EV_ALL);
	assert_int_equal(rec_parse_events("exec,bogus", &m), -EINVAL);
	assert_int_equal(rec_parse_events("execs", &m), -EINVAL);
	assert_int_equal(rec_parse_events("", &m), -EINVAL);
}

static int parse(struct rec_opts *o, char *err, ...)
{
	char *argv[32] = { "exray-record" };
	int argc = 1;
	va_list ap;

	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	rec_opts_defaults(o);
	return rec_opts_parse(o, argc, argv, err, 256);
}

static void test_opts(void **state)
{
	struct rec_opts o;
	char err[256];

	assert_int_equal(parse(&o, err, NULL), 0);
	assert_string_equal(o.output, EXRAY_DEFAULT_OUTPUT);
	assert_int_equal(o.flush_ms, 1000);
	assert_int_equal(o.argv_max, EXRAY_ARGV_DEFAULT);
	assert_int_equal(parse(&o, err, "-o", "/x", "--flush-interval", "200ms", "--segment-size",
			       "1M", "--segment-age", "10m", "--max-total", "1G", "--duration", "5",
			       "--argv-max", "256", "--ring-size", "1M", "--events", "exec,fork",
			       "-v", NULL),
			 0);
	assert_string_equal(o.output, "/x");
	assert_int_equal(o.flush_ms, 200);
	assert_int_equal(o.segment_size, 1 << 20);
	assert_int_equal(o.segment_age_ms, 600000);
	assert_int_equal(o.max_total, 1 << 30);
	assert_int_equal(o.duration_ms, 5000);
	assert_int_equal(o.argv_max, 256);
	assert_int_equal(o.ring_size, 1 << 20);
	assert_int_equal(o.events, EXRAY_EV_EXEC | EXRAY_EV_FORK);
	assert_true(o.verbose);

	/* table of bad command lines, each with its message */
	static const struct {
		const char *a, *b, *msg;
	} bad[] = {
		{ "--ring-size", "3000", "power of two" },
		{ "--argv-max", "0", "--argv-max" },
		{ "--argv-max", "40000", "--argv-max" },
		{ "--flush-interval", "0", "--flush-interval" },
		{ "--events", "nope", "--events" },
		{ "--segment-size", "10", "--segment-size" },
		{ "--bogus", NULL, "unknown option" },
		{ "stray", NULL, "unexpected argument" },
		{ "-o", NULL, "needs a value" },
		/* one meaning per short option across both tools: -d is exray's --db */
		{ "-d", "5", "use --duration" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&o, err, bad[i].a, bad[i].b, NULL), -EINVAL);
		assert_non_null(strstr(err, bad[i].msg));
	}
	assert_int_equal(parse(&o, err, "--version", NULL), 0);
	assert_true(o.version);

	/* issue 18 item 1: a cap below two segments is refused, or makes
	 * segments smaller when their size was not chosen */
	assert_int_equal(parse(&o, err, "--max-total", "100K", "--segment-size", "64K", NULL),
			 -EINVAL);
	assert_non_null(strstr(err, "below two segments"));
	assert_int_equal(parse(&o, err, "--max-total", "100K", NULL), 0);
	assert_int_equal(o.segment_size, 25600);
	assert_true(o.segment_size_forced);
	assert_int_equal(parse(&o, err, "--max-total", "10K", NULL), -EINVAL);
	assert_int_equal(parse(&o, err, "--max-total", "1G", "--segment-size", "64M", NULL), 0);
	assert_false(o.segment_size_forced);
	/* sealing options */
	assert_int_equal(parse(&o, err, "--seal-log", "fd:7", "--seal-key", "/k", NULL), 0);
	assert_int_equal(o.seal_log_fd, 7);
	assert_string_equal(o.seal_key, "/k");
	assert_int_equal(parse(&o, err, "--seal-log", "fd:x", NULL), -EINVAL);
	assert_int_equal(parse(&o, err, "--no-seal", "--seal-key", "/k", NULL), -EINVAL);
}

static void test_usage_documents_every_option(void **state)
{
	static const char *const names[] = { "--output", "--flush-interval", "--segment-size",
					      "--segment-age", "--max-total", "--duration",
					      "--argv-max", "--ring-size", "--events", "--level",
					      "--no-iter", "--verbose", "--help", "--version",
					      "Exit codes", "Example" };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	rec_usage(f);
	fclose(f);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_non_null(strstr(text, names[i]));
	free(text);
}

/* ------------------------------------------------------------- argv */

static void test_cmdline_to_argv(void **state)
{
	char out[16];
	bool t;

	assert_int_equal(rec_cmdline_to_argv("ab\0c\0", 5, out, sizeof(out), &t), 5);
	assert_false(t);
	assert_memory_equal(out, "ab\0c\0", 5);
	/* rewritten argument area without a final NUL */
	assert_int_equal(rec_cmdline_to_argv("abc", 3, out, sizeof(out), &t), 4);
	assert_false(t);
	assert_memory_equal(out, "abc\0", 4);
	/* cut: last byte becomes the NUL, flagged */
	assert_int_equal(rec_cmdline_to_argv("abcdef\0", 7, out, 4, &t), 4);
	assert_true(t);
	assert_memory_equal(out, "abc\0", 4);
	assert_int_equal(rec_cmdline_to_argv("", 0, out, 4, &t), 0);
	assert_false(t);
}

/* ---------------------------------------------------------- cgroups */

static struct exray_cgroup *mk_cgroup(__u64 id, const char *path)
{
	size_t plen = strlen(path) + 1, len = EXRAY_REC_ALIGN_UP(sizeof(struct exray_cgroup) + plen);
	struct exray_cgroup *c = calloc(1, len);

	c->hdr.type = EXRAY_REC_CGROUP;
	c->hdr.len = len;
	c->cgroup_id = id;
	c->path_len = plen;
	memcpy(c + 1, path, plen);
	return c;
}

static int collect(void *ctx, const void *rec, size_t len)
{
	char *s = ctx;
	const struct exray_cgroup *c = rec;

	sprintf(s + strlen(s), "%llu=%s;", (unsigned long long)c->cgroup_id, (const char *)(c + 1));
	return 0;
}

static void test_cgroups_replay(void **state)
{
	struct rec_cgroups *cg;
	struct exray_cgroup *a = mk_cgroup(7, "/a"), *b = mk_cgroup(9, "/b/c"), *a2 = mk_cgroup(7, "/a2");
	char out[256] = "";

	assert_int_equal(rec_cgroups_new(&cg), 0);
	assert_int_equal(rec_cgroups_add(cg, a), 0);
	assert_int_equal(rec_cgroups_add(cg, b), 0);
	assert_int_equal(rec_cgroups_add(cg, a2), 0); /* same id: replaced */
	assert_int_equal(rec_cgroups_count(cg), 2);
	assert_int_equal(rec_cgroups_replay(cg, collect, out), 0);
	assert_string_equal(out, "7=/a2;9=/b/c;");
	a->hdr.type = EXRAY_REC_EXEC;
	assert_int_equal(rec_cgroups_add(cg, a), -EINVAL);
	rec_cgroups_free(cg);
	rec_cgroups_free(NULL);
	free(a);
	free(b);
	free(a2);
}

/* ---------------------------------------------------------- output */

static char tmpdir[256];

static int setup_tmp(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/exray-test-recorder.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_output_dir_checks(void **state)
{
	char path[300], err[512];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/new", tmpdir);
	fd = rec_output_dir_open(path, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);

	snprintf(path, sizeof(path), "%s/open", tmpdir);
	mkdir(path, 0700);
	chmod(path, 0777);
	assert_int_equal(rec_output_dir_open(path, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "writable by group or others"));

	snprintf(path, sizeof(path), "%s/link", tmpdir);
	assert_int_equal(symlink("new", path), 0);
	assert_int_equal(rec_output_dir_open(path, err, sizeof(err)), -ELOOP);
}

static struct exray_exec *mk_exec(__u32 pid, __u64 cgid)
{
	struct exray_exec *e = calloc(1, 1024);

	e->hdr.type = EXRAY_REC_EXEC;
	e->hdr.len = 1024;
	e->task.pid = pid;
	e->task.cgroup_id = cgid;
	e->filename_len = 2;
	memcpy(e + 1, "/", 2);
	/* incompressible payload so sizes grow predictably */
	for (int i = 0; i < 1024 - (int)sizeof(*e) - 2; i++)
		((unsigned char *)(e + 1))[2 + i] = rand();
	e->argv_len = 1024 - sizeof(*e) - 2;
	((char *)e)[1023] = 0; /* the last argument's NUL */
	return e;
}

/* Segments in dir, in name order; returns the count. */
static int list_segments(const char *dir, char names[][300], int max)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), k = 0;

	for (int i = 0; i < n; i++) {
		const char *s = ents[i]->d_name;
		size_t l = strlen(s);

		if (l > 10 && strcmp(s + l - 10, ".exray.zst") == 0 && k < max)
			snprintf(names[k++], 300, "%s/%s", dir, s);
		free(ents[i]);
	}
	free(ents);
	return k;
}

/* The sequence number of a segment file name (...-NNNNNN.exray.zst). */
static unsigned long long seg_seq(const char *name)
{
	const char *dash = strrchr(name, '-');
	unsigned long long seq;
	char rest[16];

	assert_non_null(dash);
	assert_int_equal(sscanf(dash, "-%llu%15s", &seq, rest), 2);
	assert_string_equal(rest, ".exray.zst");
	return seq;
}

static void test_output_rotation_and_cap(void **state)
{
	struct rec_output_cfg cfg;
	struct rec_output *o;
	struct exray_cgroup *cg = mk_cgroup(4242, "/system.slice/docker-x.scope");
	char err[512], path[300], names[64][300];
	__u64 lost[EXRAY_LOSS_SLOTS] = { 0 };
	unsigned long long closed_bytes = 0;
	int fd, n;

	snprintf(path, sizeof(path), "%s/rot", tmpdir);
	fd = rec_output_dir_open(path, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(rec_output_cfg_init(&cfg, fd), 0);
	cfg.segment_size = 16 << 10;
	cfg.max_total = 64 << 10;
	cfg.level = 1;
	cfg.argv_max = 4096;
	assert_int_equal(rec_output_open(&o, &cfg), 0);
	assert_int_equal(rec_output_append(o, cg, cg->hdr.len), 0);
	lost[EXRAY_REC_EXEC] = 5;
	assert_int_equal(rec_output_set_lost(o, lost), 0);
	for (int i = 0; i < 400; i++) {
		struct exray_exec *e = mk_exec(100 + i, 4242);

		assert_int_equal(rec_output_append(o, e, e->hdr.len), 0);
		free(e);
		if (i % 10 == 9)
			assert_int_equal(rec_output_flush(o, i % 50 == 49), 0);
	}
	assert_int_equal(rec_output_close(o), 0);
	close(fd);

	n = list_segments(path, names, 64);
	assert_true(n >= 2);
	/* 400 KiB of incompressible records under a 64 KiB cap: the oldest
	 * went, and the newest survive with consecutive numbers */
	assert_true(n <= 6);
	for (int i = 0; i < n; i++) {
		unsigned long long seq = seg_seq(names[i]);
		struct stat st;

		assert_int_equal(stat(names[i], &st), 0);
		if (i == 0) /* the oldest were deleted: numbering does not start at 0 */
			assert_true(seq > 0);
		else        /* consecutive after the deleted ones */
			assert_int_equal(seq, seg_seq(names[i - 1]) + 1);
		/* the cap holds for the closed segments (checked at each rotation);
		 * the newest was open, and grew, after the last check */
		if (i < n - 1)
			closed_bytes += (unsigned long long)st.st_size;
	}
	assert_true(closed_bytes > 0);
	assert_true(closed_bytes <= cfg.max_total);
	for (int i = 0; i < n; i++) {
		struct exray_seg_reader *r;
		const struct exray_rec_hdr *h;
		const struct exray_seg_stats *foot;
		struct stat st;
		bool first = true;

		assert_int_equal(stat(names[i], &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		assert_int_equal(exray_seg_reader_open(&r, names[i]), 0);
		while (exray_seg_next(r, &h) == 1) {
			/* every segment starts with the cgroups known so far */
			if (first) {
				assert_int_equal(h->type, EXRAY_REC_CGROUP);
				assert_int_equal(((const struct exray_cgroup *)h)->cgroup_id, 4242);
				first = false;
			}
		}
		for (size_t k = 0; k < exray_seg_reader_issue_count(r); k++)
			printf("%s: %s\n", names[i], exray_seg_reader_issue(r, k)->detail);
		assert_int_equal(exray_seg_reader_issue_count(r), 0);
		foot = exray_seg_reader_footer(r);
		assert_non_null(foot);
		assert_int_equal(foot->lost_by_type[EXRAY_REC_EXEC], 5);
		assert_int_equal(exray_seg_reader_header(r)->argv_max, 4096);
		exray_seg_reader_free(r);
	}
	free(cg);
}

/* Issue 18 item 1: a cap smaller than one segment deleted the open segment
 * (a capture ended as an empty directory). The open segment and the newest
 * closed one now stay, whatever the cap. */
static void test_cap_keeps_newest_two(void **state)
{
	struct rec_output_cfg cfg;
	struct rec_output *o;
	char err[512], path[300], names[64][300], name[128];
	__u64 records, bytes, segments;
	int fd, n;

	snprintf(path, sizeof(path), "%s/tiny-cap", tmpdir);
	fd = rec_output_dir_open(path, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(rec_output_cfg_init(&cfg, fd), 0);
	cfg.segment_size = 8 << 10;
	cfg.max_total = 4 << 10; /* below one segment */
	cfg.level = 1;
	assert_int_equal(rec_output_open(&o, &cfg), 0);
	for (int i = 0; i < 300; i++) {
		struct exray_exec *e = mk_exec(100 + i, 4242);

		assert_int_equal(rec_output_append(o, e, e->hdr.len), 0);
		free(e);
		if (i % 10 == 9) {
			assert_int_equal(rec_output_flush(o, false), 0);
			rec_output_counts(o, &records, &bytes, &segments);
			rec_segment_name(&cfg, segments - 1, name, sizeof(name));
			assert_int_equal(faccessat(fd, name, F_OK, 0), 0); /* the open one */
			if (segments > 1) {
				rec_segment_name(&cfg, segments - 2, name, sizeof(name));
				assert_int_equal(faccessat(fd, name, F_OK, 0), 0);
			}
		}
	}
	rec_output_counts(o, &records, &bytes, &segments);
	assert_true(segments > 3);
	assert_int_equal(rec_output_close(o), 0);
	close(fd);
	n = list_segments(path, names, 64);
	assert_int_equal(n, 2);
	assert_int_equal(seg_seq(names[1]), segments - 1);
	assert_int_equal(seg_seq(names[0]), segments - 2);
}

/* Issue 18 item 2: the open segment unlinked, then the whole directory
 * removed, while recording: both noticed at the next flush, the segment put
 * back whole (and its seals still verify), close says so (-ESTALE). */
static void test_removed_while_recording(void **state)
{
	struct rec_output_cfg cfg;
	struct rec_output *o;
	struct exray_seal_verifier *v;
	__u8 vkey[EXRAY_SEAL_KEY_BYTES];
	char err[512], path[300], names[8][300], cmd[400];
	int fd, n;
	FILE *notes = tmpfile();

	snprintf(path, sizeof(path), "%s/removed", tmpdir);
	fd = rec_output_dir_open(path, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(rec_output_cfg_init(&cfg, fd), 0);
	cfg.segment_size = 1 << 20;
	cfg.level = 1;
	cfg.dir_path = path;
	cfg.notices = notes;
	cfg.seal_log_fd = -1;
	assert_int_equal(exray_sealer_new(&cfg.sealer, vkey), 0);
	assert_int_equal(rec_output_open(&o, &cfg), 0);
	for (int i = 0; i < 90; i++) {
		struct exray_exec *e = mk_exec(100 + i, 4242);

		assert_int_equal(rec_output_append(o, e, e->hdr.len), 0);
		free(e);
		if (i == 29) {
			assert_int_equal(rec_output_flush(o, false), 0);
			assert_int_equal(list_segments(path, names, 8), 1);
			assert_int_equal(unlink(names[0]), 0);
			assert_int_equal(rec_output_flush(o, false), 0);
			assert_int_equal(list_segments(path, names, 8), 1); /* back */
		}
		if (i == 59) {
			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
			assert_int_equal(system(cmd), 0);
			assert_int_equal(rec_output_tick(o), 0);
			assert_int_equal(list_segments(path, names, 8), 1);
		}
	}
	assert_int_equal(rec_output_close(o), -ESTALE);
	exray_sealer_free(cfg.sealer);
	close(fd);

	n = list_segments(path, names, 8);
	assert_int_equal(n, 1);
	struct exray_seg_reader *r;
	const struct exray_rec_hdr *h;
	size_t count = 0;
	assert_int_equal(exray_seal_verifier_new(&v, vkey), 0);
	assert_int_equal(exray_seg_reader_open(&r, names[0]), 0);
	exray_seg_reader_set_verifier(r, v);
	while (exray_seg_next(r, &h) == 1)
		count += h->type == EXRAY_REC_EXEC;
	assert_int_equal(count, 90);
	assert_int_equal(exray_seg_reader_issue_count(r), 0);
	if (exray_seg_reader_seals(r)->failed)
		fail_msg("%s", exray_seg_reader_seals(r)->detail);
	assert_true(exray_seg_reader_seals(r)->final);
	exray_seg_reader_free(r);
	exray_seal_verifier_free(v);
	/* a person is told, once per removal */
	char line[512];
	int said = 0;
	rewind(notes);
	while (fgets(line, sizeof(line), notes))
		said += strstr(line, "removed while recording") != NULL;
	assert_int_equal(said, 2);
	fclose(notes);
}

/* ------------------------------------------------ capture checker */

struct rec {
	char seg[300];
	const struct exray_rec_hdr *h;
};

static struct rec *recs;
static size_t nrecs;
static __u64 last_footer_lost; /* exec losses in the last segment's footer */
static int check_failures;

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			printf("check failed: ");                               \
			printf(__VA_ARGS__);                                    \
			printf("\n");                                           \
			check_failures++;                                       \
		}                                                               \
	} while (0)

static size_t unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;

	if (strcmp(s, "-") == 0)
		return 0;
	for (; s[0] && s[1] && n < max; s += 2)
		sscanf(s, "%2hhx", &out[n++]);
	return n;
}

static void load_capture(const char *dir, bool torn_ok)
{
	char names[256][300];
	int n = list_segments(dir, names, 256);

	CHECK(n > 0, "no segments in %s", dir);
	for (int i = 0; i < n; i++) {
		struct exray_seg_reader *r;
		const struct exray_rec_hdr *h;
		int ret;

		assert_int_equal(exray_seg_reader_open(&r, names[i]), 0);
		while ((ret = exray_seg_next(r, &h)) == 1) {
			void *copy = malloc(h->len);

			memcpy(copy, h, h->len);
			recs = realloc(recs, (nrecs + 1) * sizeof(*recs));
			memcpy(recs[nrecs].seg, names[i], sizeof(names[i]));
			recs[nrecs++].h = copy;
		}
		CHECK(ret == 0, "%s: reader error %d", names[i], ret);
		for (size_t k = 0; k < exray_seg_reader_issue_count(r); k++) {
			const struct exray_seg_issue *is = exray_seg_reader_issue(r, k);
			bool ok = torn_ok && is->kind == EXRAY_ISSUE_TORN_TAIL && i == n - 1;

			CHECK(ok, "%s: issue %s: %s", names[i], exray_seg_issue_name(is->kind), is->detail);
		}
		CHECK(exray_seg_reader_header(r) != NULL, "%s: no header", names[i]);
		if (!torn_ok)
			CHECK(exray_seg_reader_footer(r) != NULL, "%s: no footer", names[i]);
		if (exray_seg_reader_footer(r))
			last_footer_lost = exray_seg_reader_footer(r)->lost_by_type[EXRAY_REC_EXEC];
		exray_seg_reader_free(r);
	}
}

static const struct exray_task *task_of(const struct exray_rec_hdr *h)
{
	switch (h->type) {
	case EXRAY_REC_EXEC:
	case EXRAY_REC_SNAPSHOT:
	case EXRAY_REC_FORK:
	case EXRAY_REC_EXIT:
	case EXRAY_REC_CONNECT:
		return (const void *)(h + 1);
	}
	return NULL;
}

/* The n-th record of type with task pid (n from 0), or NULL. */
static const struct exray_rec_hdr *find(unsigned type, __u32 pid, int which)
{
	for (size_t i = 0; i < nrecs; i++) {
		const struct exray_task *t = task_of(recs[i].h);

		if (recs[i].h->type == type && t && t->pid == pid && which-- == 0)
			return recs[i].h;
	}
	return NULL;
}

static int count(unsigned type, __u32 pid)
{
	int n = 0;

	while (find(type, pid, n))
		n++;
	return n;
}

struct task_truth {
	__u32 pid, tid, ppid, uid, gid, euid, egid, vpid;
	unsigned long pidns, mntns, netns;
};
static struct task_truth truths[64];
static int ntruths;

static const struct task_truth *truth_of(__u32 pid)
{
	for (int i = 0; i < ntruths; i++)
		if (truths[i].pid == pid)
			return &truths[i];
	return NULL;
}

/* Compare with the truth of pid; vpid only when the record is pid's own. */
static void check_task(const char *what, const struct exray_task *t, __u32 pid)
{
	const struct task_truth *tt = truth_of(pid);

	if (!tt)
		return;
	CHECK(t->uid == tt->uid && t->gid == tt->gid && t->euid == tt->euid && t->egid == tt->egid,
	      "%s %u: ids %u/%u/%u/%u", what, pid, t->uid, t->gid, t->euid, t->egid);
	CHECK(t->pidns == tt->pidns && t->mntns == tt->mntns, "%s %u: pidns %u mntns %u", what, pid,
	      t->pidns, t->mntns);
	if (t->pid == pid)
		CHECK(t->vpid == tt->vpid, "%s %u: vpid %u", what, pid, t->vpid);
	CHECK(t->start != 0, "%s %u: start 0", what, pid);
}

static void expect_exec(__u32 pid, __u32 ppid, int ret, int trunc, const char *fhex, const char *ahex)
{
	static unsigned char fn[EXRAY_PATH_MAX], av[EXRAY_ARGV_MAX_LIMIT];
	size_t flen = unhex(fhex, fn, sizeof(fn)), alen = unhex(ahex, av, sizeof(av));
	const struct exray_exec *e = NULL;
	const struct exray_fork *f;

	/* the failed exec and the successful one of a pid are told by ret */
	for (int i = 0; (e = (const void *)find(EXRAY_REC_EXEC, pid, i)); i++)
		if (e->ret == ret)
			break;
	CHECK(e, "exec of pid %u with ret %d missing", pid, ret);
	if (!e)
		return;
	CHECK(e->task.tid == pid, "exec %u: tid %u", pid, e->task.tid);
	CHECK(e->task.ppid == ppid, "exec %u: ppid %u, expected %u", pid, e->task.ppid, ppid);
	CHECK(e->filename_len == flen && memcmp(e + 1, fn, flen) == 0, "exec %u: filename '%s'",
	      pid, exray_exec_filename(e));
	CHECK(e->argv_len == alen && memcmp((const char *)(e + 1) + e->filename_len, av, alen) == 0,
	      "exec %u: argv differs (%u bytes, expected %zu)", pid, e->argv_len, alen);
	CHECK(!!(e->hdr.flags & EXRAY_F_ARGV_TRUNCATED) == trunc, "exec %u: flags %#x", pid,
	      e->hdr.flags);
	check_task("exec", &e->task, pid);
	/* the process key is the same in fork, exec and exit */
	f = (const void *)find(EXRAY_REC_FORK, pid, 0);
	CHECK(f && f->task.start == e->task.start, "exec %u: start differs from its fork", pid);
	CHECK(f && f->task.pstart == e->task.pstart && e->task.pstart,
	      "exec %u: parent start differs", pid);
}

static void expect_fork(__u32 pid, __u32 ppid)
{
	const struct exray_fork *f = (const void *)find(EXRAY_REC_FORK, pid, 0);

	CHECK(f, "fork of pid %u missing", pid);
	if (!f)
		return;
	CHECK(count(EXRAY_REC_FORK, pid) == 1, "fork of %u recorded %d times", pid,
	      count(EXRAY_REC_FORK, pid));
	CHECK(f->task.ppid == ppid, "fork %u: ppid %u, expected %u", pid, f->task.ppid, ppid);
	CHECK(f->task.tid == pid, "fork %u: tid %u", pid, f->task.tid);
	check_task("fork", &f->task, ppid); /* the child starts with the parent's ids */
}

static void expect_exit(__u32 pid, __u32 status)
{
	const struct exray_exit *x = (const void *)find(EXRAY_REC_EXIT, pid, 0);
	const struct exray_fork *f = (const void *)find(EXRAY_REC_FORK, pid, 0);

	CHECK(x, "exit of pid %u missing", pid);
	if (!x)
		return;
	CHECK(count(EXRAY_REC_EXIT, pid) == 1, "exit of %u recorded %d times", pid,
	      count(EXRAY_REC_EXIT, pid));
	CHECK(x->exit_code == status, "exit %u: code %u, expected %u", pid, x->exit_code, status);
	CHECK(!f || f->task.start == x->task.start, "exit %u: start differs from fork", pid);
}

static void expect_connect(__u32 pid, __u32 tid, int fam, const char *dhex, int dport, int sport,
			   __u64 cgid)
{
	unsigned char daddr[16] = { 0 };
	const struct exray_connect *c = NULL;

	unhex(dhex, daddr, 16);
	for (size_t i = 0; i < nrecs; i++) {
		const struct exray_connect *x = (const void *)recs[i].h;

		if (x->hdr.type == EXRAY_REC_CONNECT && x->dport == dport && x->family == fam &&
		    memcmp(x->daddr, daddr, 16) == 0 && (!pid || x->task.pid == pid) &&
		    (!cgid || x->task.cgroup_id == cgid)) {
			c = x;
			break;
		}
	}
	CHECK(c, "connect of pid %u (cgroup %llu) to port %d family %d missing", pid,
	      (unsigned long long)cgid, dport, fam);
	if (!c)
		return;
	if (tid)
		CHECK(c->task.tid == tid, "connect %u: tid %u, expected %u", pid, c->task.tid, tid);
	CHECK(c->task.netns != 0, "connect %u: netns 0", pid);
	if (pid)
		check_task("connect", &c->task, pid);
	/* the source port arrives with the result record */
	for (size_t i = 0; i < nrecs; i++) {
		const struct exray_connect_result *r = (const void *)recs[i].h;

		if (r->hdr.type == EXRAY_REC_CONNECT_RESULT && r->sock == c->sock) {
			CHECK(r->newstate == EXRAY_TCP_ESTABLISHED, "connect %u: state %u", pid,
			      r->newstate);
			if (sport)
				CHECK(r->sport == sport, "connect %u: sport %u, expected %d", pid,
				      r->sport, sport);
			return;
		}
	}
	CHECK(0, "connect %u: no connect_result", pid);
}

static void expect_cgroup(__u64 id, const char *phex)
{
	char path[EXRAY_PATH_MAX] = "";
	bool found = false;

	unhex(phex, (unsigned char *)path, sizeof(path) - 1);
	for (size_t i = 0; i < nrecs; i++) {
		const struct exray_cgroup *c = (const void *)recs[i].h;

		if (c->hdr.type == EXRAY_REC_CGROUP && c->cgroup_id == id) {
			CHECK(strcmp(exray_cgroup_path(c), path) == 0, "cgroup %llu: path %s, expected %s",
			      (unsigned long long)id, exray_cgroup_path(c), path);
			found = true;
		}
	}
	CHECK(found, "cgroup record for %llu (%s) missing", (unsigned long long)id, path);
}

/* An exec in cgroup id whose filename is fname, with its pid namespace not
 * the host's. */
static void expect_cgroup_exec(__u64 id, const char *fhex, unsigned long hostpidns)
{
	char fn[EXRAY_PATH_MAX] = "";

	unhex(fhex, (unsigned char *)fn, sizeof(fn) - 1);
	for (size_t i = 0; i < nrecs; i++) {
		const struct exray_exec *e = (const void *)recs[i].h;

		if (e->hdr.type == EXRAY_REC_EXEC && e->task.cgroup_id == id && e->ret == 0 &&
		    strcmp(exray_exec_filename(e), fn) == 0) {
			CHECK(e->task.pidns != hostpidns, "container exec: host pid namespace");
			CHECK(e->task.vpid != e->task.pid, "container exec: vpid %u = pid",
			      e->task.vpid);
			return;
		}
	}
	CHECK(0, "exec of %s in cgroup %llu missing", fn, (unsigned long long)id);
}

static void expect_snapshot(__u32 pid, __u32 ppid, unsigned long long ticks, const char *comm)
{
	const struct exray_exec *s = (const void *)find(EXRAY_REC_SNAPSHOT, pid, 0);
	__u64 tick_ns = 1000000000ull / sysconf(_SC_CLK_TCK);
	__u64 approx = ticks * tick_ns;

	CHECK(s, "snapshot of pid %u missing", pid);
	if (!s)
		return;
	CHECK(s->task.ppid == ppid, "snapshot %u: ppid %u, expected %u", pid, s->task.ppid, ppid);
	CHECK(s->task.start + tick_ns >= approx && s->task.start <= approx + tick_ns,
	      "snapshot %u: start %llu vs /proc %llu", pid, (unsigned long long)s->task.start,
	      (unsigned long long)approx);
	CHECK(strncmp(s->task.comm, comm, EXRAY_COMM_LEN) == 0, "snapshot %u: comm %.16s", pid,
	      s->task.comm);
	CHECK(s->filename_len > 1, "snapshot %u: no exe path", pid);
	CHECK(s->argv_len > 0, "snapshot %u: no argv", pid);
	CHECK(s->task.pstart != 0, "snapshot %u: no parent start", pid);
}

static int count_marker(const char *marker)
{
	int n = 0;

	for (size_t k = 0; k < nrecs; k++) {
		const struct exray_exec *e = (const void *)recs[k].h;
		size_t alen;
		const char *av;

		if (e->hdr.type != EXRAY_REC_EXEC)
			continue;
		av = exray_exec_argv(e, &alen);
		if (av && memmem(av, alen, marker, strlen(marker)))
			n++;
	}
	return n;
}

/* Forced losses: n execs with marker were run while the consumer was
 * stopped; what is missing must be counted, and the footer agrees. */
static void check_losses(int n, const char *marker)
{
	__u64 lost = 0;
	int seen = count_marker(marker);

	for (size_t k = 0; k < nrecs; k++) {
		const struct exray_loss *l = (const void *)recs[k].h;

		if (l->hdr.type == EXRAY_REC_LOSS && l->lost_type == EXRAY_REC_EXEC)
			lost += l->count;
	}
	printf("losses: %d of %d marked execs recorded, %llu exec records lost\n", seen, n,
	       (unsigned long long)lost);
	CHECK(lost > 0, "no exec losses counted");
	CHECK(seen + lost >= (__u64)n, "%d recorded + %llu lost < %d run", seen,
	      (unsigned long long)lost, n);
	CHECK(last_footer_lost == lost, "footer says %llu exec lost, loss records %llu",
	      (unsigned long long)last_footer_lost, (unsigned long long)lost);
}

/* Every cgroup id a segment's records mention has its path in that segment. */
static void check_self_contained(void)
{
	for (size_t i = 0; i < nrecs; i++) {
		const struct exray_task *t = task_of(recs[i].h);
		bool found = false;

		if (!t || !t->cgroup_id)
			continue;
		for (size_t j = 0; j < nrecs && !found; j++) {
			const struct exray_cgroup *c = (const void *)recs[j].h;

			found = c->hdr.type == EXRAY_REC_CGROUP && c->cgroup_id == t->cgroup_id &&
				strcmp(recs[j].seg, recs[i].seg) == 0;
		}
		CHECK(found, "%s: cgroup %llu has no path in this segment", recs[i].seg,
		      (unsigned long long)t->cgroup_id);
		if (!found)
			break;
	}
}

static void test_capture(void **state)
{
	const char *dir = getenv("EXRAY_REC_DIR"), *exp = getenv("EXRAY_REC_EXPECT");
	const char *torn = getenv("EXRAY_REC_TORN_OK");
	static char line[1 << 17];
	int checked = 0;
	FILE *f;

	load_capture(dir, torn && *torn == '1');
	printf("capture: %zu records in %s\n", nrecs, dir);
	f = fopen(exp, "r");
	assert_non_null(f);
	/* task lines first: they are the truth other lines are checked with */
	while (fgets(line, sizeof(line), f)) {
		struct task_truth *t = &truths[ntruths];

		if (ntruths < 64 && sscanf(line, "task %u %u %u %u %u %u %u %lu %lu %lu %u", &t->pid,
					   &t->tid, &t->ppid, &t->uid, &t->gid, &t->euid, &t->egid,
					   &t->pidns, &t->mntns, &t->netns, &t->vpid) == 11)
			ntruths++;
	}
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		static char a[EXRAY_PATH_MAX * 2 + 2], b[sizeof(line)];
		unsigned u1, u2;
		int i1, i2, i3, i4;
		unsigned long long ull;
		unsigned long ul;

		line[strcspn(line, "\n")] = 0;
		checked++;
		if (sscanf(line, "exec %u %u %d %d %8193s %131071s", &u1, &u2, &i1, &i2, a, b) == 6)
			expect_exec(u1, u2, i1, i2, a, b);
		else if (sscanf(line, "fork %u %u", &u1, &u2) == 2)
			expect_fork(u1, u2);
		else if (sscanf(line, "exit %u %u", &u1, &u2) == 2)
			expect_exit(u1, u2);
		else if (sscanf(line, "connect %u %u %d %40s %d %d", &u1, &u2, &i1, a, &i3, &i4) == 6)
			expect_connect(u1, u2, i1, a, i3, i4, 0);
		else if (sscanf(line, "cgconnect %llu %d %40s %d", &ull, &i1, a, &i3) == 4)
			expect_connect(0, 0, i1, a, i3, 0, ull);
		else if (sscanf(line, "cgroup %llu %8193s", &ull, a) == 2)
			expect_cgroup(ull, a);
		else if (sscanf(line, "cgexec %llu %8193s %lu", &ull, a, &ul) == 3)
			expect_cgroup_exec(ull, a, ul);
		else if (sscanf(line, "snapshot-pid %u %u", &u1, &u2) == 2) {
			const struct exray_exec *e = (const void *)find(EXRAY_REC_SNAPSHOT, u1, 0);

			CHECK(e && e->task.ppid == u2, "snapshot of pid %u with parent %u missing", u1, u2);
		} else if (sscanf(line, "snapshot %u %u %llu %15s", &u1, &u2, &ull, a) == 4)
			expect_snapshot(u1, u2, ull, a);
		else if (sscanf(line, "absent %u", &u1) == 1) {
			for (size_t k = 0; k < nrecs; k++) {
				const struct exray_task *t = task_of(recs[k].h);

				CHECK(!t || t->pid != u1, "record of type %u from excluded pid %u",
				      recs[k].h->type, u1);
				if (t && t->pid == u1)
					break;
			}
		} else if (sscanf(line, "marker %d %255s", &i1, a) == 2) {
			int n = count_marker(a);

			CHECK(n >= i1, "marker %s: %d execs, expected at least %d", a, n, i1);
		} else if (sscanf(line, "lossexec %d %255s", &i1, a) == 2) {
			check_losses(i1, a);
		} else if (strcmp(line, "self-contained") == 0) {
			check_self_contained();
		} else if (sscanf(line, "task %u", &u1) == 1) {
			continue;
		} else if (*line) {
			CHECK(0, "unknown expectation: %.60s", line);
		}
	}
	fclose(f);
	printf("capture: %d expectations checked, %d failed\n", checked, check_failures);
	CHECK(checked > 0, "no expectations in %s", exp);
	for (size_t i = 0; i < nrecs; i++)
		free((void *)recs[i].h);
	free(recs);
	assert_int_equal(check_failures, 0);
}

int main(void)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_parse_size_duration),
		cmocka_unit_test(test_parse_events),
		cmocka_unit_test(test_opts),
		cmocka_unit_test(test_usage_documents_every_option),
		cmocka_unit_test(test_cmdline_to_argv),
		cmocka_unit_test(test_cgroups_replay),
		cmocka_unit_test(test_output_dir_checks),
		cmocka_unit_test(test_output_rotation_and_cap),
		cmocka_unit_test(test_cap_keeps_newest_two),
		cmocka_unit_test(test_removed_while_recording),
	};
	const struct CMUnitTest capture[] = {
		cmocka_unit_test(test_capture),
	};

	/* Run by tests/integration/recorder.sh on a real capture. */
	if (getenv("EXRAY_REC_DIR") && getenv("EXRAY_REC_EXPECT"))
		return cmocka_run_group_tests_name("recorder_capture", capture, NULL, NULL);
	return cmocka_run_group_tests_name("recorder", unit, setup_tmp, teardown_tmp);
}
