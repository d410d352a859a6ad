/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * exray dump on synthetic segments: a segment header whose host name fills
 * its fixed-size field (no NUL) prints that name and nothing after it.
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
#include "cmd/cli.h"
#include "cmd/commands.h"

/* Run `exray dump PATH` with stdout captured into buf. */
static int run_dump(const char *path, char *buf, size_t len)
{
	char out[] = "/tmp/exray-test-dump-XXXXXX";
	char *argv[] = { "dump", (char *)path, NULL };
	int fd = mkstemp(out), saved = dup(STDOUT_FILENO), rc;
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	rc = cmd_dump(2, argv);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_host_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
