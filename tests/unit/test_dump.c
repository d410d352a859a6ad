/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * exray dump and verify on synthetic segments: a segment header whose host
 * name fills its fixed-size field (no NUL) prints that name and nothing
 * after it; record types of a newer minor version are skipped, not damage.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "segfix.h"
#include "segment_format.h"
#include "cmd/cli.h"
#include "cmd/commands.h"

/* Run an exray command (argv[0] its name) with stdout captured into buf. */
static int run_cmd(int (*fn)(int, char **), char **argv, char *buf, size_t len)
{
	char out[] = "/tmp/exray-test-dump-XXXXXX";
	int fd = mkstemp(out), saved = dup(STDOUT_FILENO), rc, argc = 0;
	ssize_t n;

	while (argv[argc])
		argc++;
	assert_true(fd >= 0 && saved >= 0);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	rc = fn(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = pread(fd, buf, len - 1, 0);
	assert_true(n >= 0);
	buf[n] = 0;
	close(fd);
	unlink(out);
	return rc;
}

static int run_dump(const char *path, char *buf, size_t len)
{
	char *argv[] = { "dump", (char *)path, NULL };

	return run_cmd(cmd_dump, argv, buf, len);
}

static void test_full_host_field(void **state)
{
	char dir[] = "/tmp/exray-test-dump-dir-XXXXXX", path[128], buf[8192], want[160];
	struct exray_seg_header h;
	struct exray_seg_writer *w;
	struct exray_task t = segfix_task(10, 1, 100, 50, 0);

	(void)state;
	assert_non_null(mkdtemp(dir));
	segfix_header(&h, "x", 1, 2, 0);
	memset(h.host, 'h', sizeof(h.host)); /* full: no NUL */
	assert_non_null(w = segfix_open(dir, "s.exray.zst", &h));
	assert_int_equal(segfix_fork(w, 1000, &t), 0);
	assert_int_equal(exray_seg_writer_close(w, 1700000000000000000LL), 0);
	snprintf(path, sizeof(path), "%s/s.exray.zst", dir);

	assert_int_equal(run_dump(path, buf, sizeof(buf)), EXRAY_EXIT_OK);
	snprintf(want, sizeof(want), "\"host\":\"%.*s\",", (int)sizeof(h.host), h.host);
	assert_non_null(strstr(buf, want));

	unlink(path);
	rmdir(dir);
}

/* Rewrite the version of a segment's header frame (first frame) in place. */
static void set_header_version(const char *path, unsigned minor)
{
	FILE *f = fopen(path, "r+b");
	unsigned char b[EXRAY_META_PREFIX + sizeof(struct exray_seg_header)];

	assert_non_null(f);
	assert_int_equal(fread(b, 1, sizeof(b), f), sizeof(b));
	b[15] = (unsigned char)minor;
	put_le32(b + 20, exray_meta_crc(b, b + EXRAY_META_PREFIX, get_le32(b + 16)));
	rewind(f);
	assert_int_equal(fwrite(b, 1, sizeof(b), f), sizeof(b));
	fclose(f);
}

/*
 * A record type from a newer minor version (a crafted 1.9 segment) is
 * skipped whole, said once, and is not damage: verify and dump exit 0 and
 * every known record is read. The same record in a file of this version
 * is damage (exit 1).
 */
static void test_newer_minor_unknown_type(void **state)
{
	char dir[] = "/tmp/exray-test-dump-dir-XXXXXX", path[128], buf[16384];
	struct exray_seg_header h;
	struct exray_seg_writer *w;
	struct exray_task t = segfix_task(10, 1, 100, 50, 0);
	struct {
		struct exray_rec_hdr hdr;
		__u64 payload;
	} future = { { 29, 0, 24, 1500 }, 42 };
	char *verify[] = { "verify", path, NULL };

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int newer = 1; newer >= 0; newer--) {
		segfix_header(&h, "x", 1, 2, 0);
		assert_non_null(w = segfix_open(dir, "s.exray.zst", &h));
		assert_int_equal(segfix_fork(w, 1000, &t), 0);
		assert_int_equal(exray_seg_append(w, &future, sizeof(future)), 0);
		assert_int_equal(exray_seg_append(w, &future, sizeof(future)), 0);
		assert_int_equal(segfix_fork(w, 2000, &t), 0);
		assert_int_equal(exray_seg_writer_close(w, 1700000000000000000LL), 0);
		snprintf(path, sizeof(path), "%s/s.exray.zst", dir);
		if (newer)
			set_header_version(path, 9);

		assert_int_equal(run_cmd(cmd_verify, verify, buf, sizeof(buf)),
				 newer ? EXRAY_EXIT_OK : EXRAY_EXIT_PROBLEMS);
		if (newer) {
			assert_non_null(strstr(buf, "ok, 2 records"));
			assert_non_null(strstr(buf, "2 records of types newer than this exray skipped"));
			assert_null(strstr(buf, "DAMAGED"));
		} else {
			assert_non_null(strstr(buf, "DAMAGED: unknown_type"));
		}
		assert_int_equal(run_dump(path, buf, sizeof(buf)),
				 newer ? EXRAY_EXIT_OK : EXRAY_EXIT_PROBLEMS);
		assert_non_null(strstr(buf, "\"ts\":1000,"));
		assert_non_null(strstr(buf, "\"ts\":2000,"));
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_host_field),
		cmocka_unit_test(test_newer_minor_unknown_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
