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

/*
 * An exit record keeps the raw wait status; dump gives each key one
 * meaning: exit_code is the exit code (0-255), signal the signal that
 * ended the process instead, core_dumped when the status says so.
 */
static void test_exit_code_or_signal(void **state)
{
	char dir[] = "/tmp/exray-test-dump-dir-XXXXXX", path[128], buf[8192];
	struct exray_seg_header h;
	struct exray_seg_writer *w;
	struct exray_task t1 = segfix_task(11, 1, 100, 50, 0), t2 = segfix_task(12, 1, 110, 50, 0);
	struct exray_task t3 = segfix_task(13, 1, 120, 50, 0);
	char *l1, *l2, *l3;

	(void)state;
	assert_non_null(mkdtemp(dir));
	segfix_header(&h, "x", 1, 2, 0);
	assert_non_null(w = segfix_open(dir, "s.exray.zst", &h));
	assert_int_equal(segfix_exit(w, 1000, &t1, 3 << 8), 0);   /* exit(3) */
	assert_int_equal(segfix_exit(w, 1001, &t2, 9), 0);        /* SIGKILL */
	assert_int_equal(segfix_exit(w, 1002, &t3, 0x80 | 11), 0); /* SIGSEGV, core */
	assert_int_equal(exray_seg_writer_close(w, 1700000000000000000LL), 0);
	snprintf(path, sizeof(path), "%s/s.exray.zst", dir);

	assert_int_equal(run_dump(path, buf, sizeof(buf)), EXRAY_EXIT_OK);
	assert_non_null(l1 = strstr(buf, "\"pid\":11,"));
	assert_non_null(l2 = strstr(buf, "\"pid\":12,"));
	assert_non_null(l3 = strstr(buf, "\"pid\":13,"));
	*strchr(l1, '\n') = *strchr(l2, '\n') = *strchr(l3, '\n') = 0;
	assert_non_null(strstr(l1, "\"exit_code\":3"));
	assert_null(strstr(l1, "\"signal\""));
	assert_non_null(strstr(l2, "\"signal\":9"));
	assert_null(strstr(l2, "\"exit_code\""));
	assert_null(strstr(l2, "core_dumped"));
	assert_non_null(strstr(l3, "\"signal\":11"));
	assert_non_null(strstr(l3, "\"core_dumped\":true"));

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

/* The line of buf holding "type":"<type>", copied into line. */
static void line_of(const char *buf, const char *type, char *line, size_t len)
{
	char want[64];
	const char *p, *e;

	snprintf(want, sizeof(want), "{\"type\":\"%s\",", type);
	p = strstr(buf, want);
	assert_non_null(p);
	e = strchr(p, '\n');
	assert_non_null(e);
	assert_true((size_t)(e - p) < len);
	memcpy(line, p, e - p);
	line[e - p] = 0;
}

/* Every key of `keys` (fragments like "\"op\":\"write\"") is in the line. */
static void expect_keys(const char *buf, const char *type, const char *const *keys)
{
	char line[4096];

	line_of(buf, type, line, sizeof(line));
	for (const char *const *k = keys; *k; k++) {
		if (!strstr(line, *k))
			fail_msg("%s: missing %s in %s", type, *k, line);
	}
}

/*
 * One record of every 1.2 family and an exec with the extension, written
 * with the real writer, each dumped with the keys of docs/analyzer.md; hostile
 * strings (quotes, control bytes) come out escaped.
 */
static void test_families(void **state)
{
	char dir[] = "/tmp/exray-test-dump-dir-XXXXXX", path[128];
	static char buf[65536];
	struct exray_seg_header h;
	struct exray_seg_writer *w;
	struct exray_task t = segfix_task(10, 1, 100, 50, 0);
	const char *argv[] = { "/tmp/x", "-q", NULL };

	(void)state;
	assert_non_null(mkdtemp(dir));
	segfix_header(&h, "x", 1, 2, 0);
	assert_non_null(w = segfix_open(dir, "s.exray.zst", &h));

	struct exray_exec_ext x = { .cap_effective = 0x1ffffffffffULL, .exe_ino = 4242,
				    .exe_dev = (8u << 20) | 1, .tty = (136u << 20) | 3,
				    .exe_flags = EXRAY_EXE_MEMFD | EXRAY_EXE_UPPER_LAYER };
	assert_int_equal(segfix_exec_ext(w, EXRAY_REC_EXEC, 1000, &t, EXRAY_F_ARGV_UNREADABLE,
					 "/dev/fd/3", argv, &x, "/memfd:evil\"\x1b", "/tmp"), 0);

	struct exray_file f = { .hdr = { .ts = 1100, .flags = EXRAY_F_FILE_SENSITIVE |
							     EXRAY_F_PATH2_UNRESOLVED },
				.task = t, .op = EXRAY_FILE_RENAME, .ret = -13, .open_flags = 0,
				.mode = 0 };
	assert_int_equal(segfix_file(w, &f, "/etc/passwd", "rel/x"), 0);
	struct exray_file fc = { .hdr = { .ts = 1150, .flags = EXRAY_F_FILE_EXEC_BITS }, .task = t,
				 .op = EXRAY_FILE_CHOWN, .mode = 04755, .uid = 0,
				 .gid = 0xffffffffu };
	assert_int_equal(segfix_file(w, &fc, "/tmp/sh", NULL), 0);
	/* 1.5: a unix connect, a handle, a cgroup control file outside the mount namespace */
	struct exray_file fu = { .hdr = { .ts = 1160, .flags = EXRAY_F_PATH_ABSTRACT }, .task = t,
				 .op = EXRAY_FILE_CONNECT, .ret = -111 };
	assert_int_equal(segfix_file(w, &fu, "@x\001", NULL), 0);
	struct exray_file fh = { .hdr = { .ts = 1170 }, .task = t, .op = EXRAY_FILE_OPEN_BY_HANDLE,
				 .ret = 4 };
	struct exray_file_ext hx = { .fs_magic = 0xef53, .handle_type = 1, .handle_bytes = 8,
				     .handle = { 2, 0, 0, 0, 0xff } };
	assert_int_equal(segfix_file_ext(w, &fh, "/", "/mnt", &hx, 0), 0);
	struct exray_file fg = { .hdr = { .ts = 1180, .flags = EXRAY_F_FILE_OUTSIDE_MNTNS }, .task = t,
				 .op = EXRAY_FILE_WRITE, .ret = 3 };
	struct exray_file_ext gx = { .cgroup_id = 77, .fs_magic = 0x27e0eb };
	assert_int_equal(segfix_file_ext(w, &fg, "/cg/tasks", NULL, &gx, 0), 0);

	struct exray_priv pv = { .hdr = { .ts = 1200 }, .task = t, .op = EXRAY_PRIV_SETRESGID,
				 .old_ids = { 1000, 1000, 1000 }, .new_ids = { 0, 0, 0 },
				 .cap_effective = 0x3f };
	assert_int_equal(segfix_priv(w, &pv), 0);

	struct exray_ns ns = { .hdr = { .ts = 1300 }, .task = t, .op = EXRAY_NS_SETNS,
			       .nstypes = EXRAY_NSB_NET | EXRAY_NSB_MNT, .target_pid = 1,
			       .target_ns = 4026531840u, .flags = 0x40000000 };
	assert_int_equal(segfix_ns(w, &ns, "/proc/1/ns/net", NULL, NULL), 0);
	struct exray_ns mnt = { .hdr = { .ts = 1350 }, .task = t, .op = EXRAY_NS_MOUNT, .ret = -1 };
	assert_int_equal(segfix_ns(w, &mnt, "/mnt", "/dev/sda1", "ext4"), 0);

	struct exray_ptrace pt = { .hdr = { .ts = 1400 }, .task = t, .op = EXRAY_PTRACE_POKE,
				   .request = 5, .target_pid = 77, .target_start = 99,
				   .addr = 0x401000 };
	assert_int_equal(segfix_ptrace(w, &pt), 0);

	struct exray_socket so = { .hdr = { .ts = 1500 }, .task = t, .op = EXRAY_SOCKET_DUP_STDIO,
				   .peer_family = EXRAY_FAMILY_V4, .dport = 4444, .family = 2,
				   .sock_type = 1, .fd = 0, .oldfd = 3, .sock = 0xabc,
				   .daddr = { 192, 0, 2, 2 } };
	assert_int_equal(segfix_socket(w, &so), 0);

	struct exray_memfd mf = { .hdr = { .ts = 1600 }, .task = t, .ret = 3, .mfd_flags = 1 };
	assert_int_equal(segfix_memfd(w, &mf, "payload"), 0);

	struct exray_bpf_cmd bc = { .hdr = { .ts = 1700 }, .task = t, .cmd = 5, .ret = 7,
				    .prog_type = 2, .insn_cnt = 12, .prog_name = "kprobe_x" };
	assert_int_equal(segfix_bpf(w, &bc), 0);

	struct exray_uring ur = { .hdr = { .ts = 1800 }, .task = t, .opcode = 16,
				  .family = EXRAY_FAMILY_V6, .dport = 443, .fd = 5,
				  .user_data = 42, .daddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };
	assert_int_equal(segfix_uring(w, &ur, NULL, NULL), 0);
	struct exray_uring uo = { .hdr = { .ts = 1900 }, .task = t, .opcode = 35, .fd = -100 };
	assert_int_equal(segfix_uring(w, &uo, "/tmp/a", "/etc/cron.d/b"), 0);

	assert_int_equal(exray_seg_writer_close(w, 1700000000000000000LL), 0);
	snprintf(path, sizeof(path), "%s/s.exray.zst", dir);
	assert_int_equal(run_dump(path, buf, sizeof(buf)), EXRAY_EXIT_OK);

	expect_keys(buf, "exec", (const char *const[]){
		"\"filename\":\"/dev/fd/3\"", "\"argv\":[\"/tmp/x\",\"-q\"]",
		"\"argv_unreadable\":true", "\"tty\":true", "\"tty_dev\":\"136:3\"",
		"\"cwd\":\"/tmp\"", "\"exe\":\"/memfd:evil\\\"\\u001b\"",
		"\"exe_flags\":[\"memfd\",\"upper_layer\"]", "\"cap_effective\":\"000001ffffffffff\"",
		"\"exe_ino\":4242", "\"exe_dev\":\"8:1\"", NULL });
	expect_keys(buf, "file", (const char *const[]){
		"\"pid\":10,", "\"op\":\"rename\"", "\"ret\":-13", "\"path\":\"/etc/passwd\"",
		"\"path2\":\"rel/x\"", "\"flags\":0", "\"path2_unresolved\":true",
		"\"sensitive\":true", "\"exec_bits\":false", NULL });
	assert_non_null(strstr(buf, "\"op\":\"connect\",\"ret\":-111,\"path\":\"@x\\u0001\""));
	assert_non_null(strstr(buf, "\"path_abstract\":true"));
	assert_non_null(strstr(buf, "\"op\":\"open_by_handle\",\"ret\":4,\"path\":\"/\",\"path2\":\"/mnt\""));
	assert_non_null(strstr(buf, "\"fs_magic\":\"0xef53\",\"handle_type\":1,\"handle_bytes\":8,"
				    "\"handle\":\"02000000ff000000\""));
	assert_non_null(strstr(buf, "\"outside_mntns\":true,\"cgroup_target\":77,\"fs_magic\":\"0x27e0eb\""));
	assert_non_null(strstr(buf, "\"op\":\"chown\",\"ret\":0,\"path\":\"/tmp/sh\",\"flags\":0,"
				    "\"mode\":\"04755\",\"owner_uid\":0,\"owner_gid\":-1"));
	expect_keys(buf, "priv", (const char *const[]){
		"\"op\":\"setresgid\"", "\"old_gid\":[1000,1000,1000]", "\"new_gid\":[0,0,0]",
		"\"cap_effective\":\"000000000000003f\"", NULL });
	expect_keys(buf, "ns", (const char *const[]){
		"\"op\":\"setns\"", "\"nstype\":[\"mnt\",\"net\"]", "\"target\":\"/proc/1/ns/net\"",
		"\"target_pid\":1", "\"target_ns\":4026531840", NULL });
	assert_non_null(strstr(buf, "\"op\":\"mount\",\"ret\":-1,\"nstype\":[],\"flags\":0,"
				    "\"target\":\"/mnt\",\"source\":\"/dev/sda1\",\"fstype\":\"ext4\""));
	expect_keys(buf, "ptrace", (const char *const[]){
		"\"op\":\"poke\"", "\"target_pid\":77", "\"target_start\":99", "\"request\":5",
		"\"addr\":\"401000\"", NULL });
	expect_keys(buf, "socket", (const char *const[]){
		"\"op\":\"dup_stdio\"", "\"family\":2", "\"sock_type\":1", "\"fd\":0", "\"oldfd\":3",
		"\"sock\":\"abc\"", "\"peer_family\":4,\"daddr\":\"192.0.2.2\",\"dport\":4444", NULL });
	expect_keys(buf, "memfd", (const char *const[]){
		"\"op\":\"create\"", "\"ret\":3", "\"name\":\"payload\"", "\"flags\":1", NULL });
	expect_keys(buf, "bpf", (const char *const[]){
		"\"op\":\"prog_load\"", "\"ret\":7", "\"prog_type\":2", "\"insn_cnt\":12",
		"\"prog_name\":\"kprobe_x\"", NULL });
	expect_keys(buf, "uring", (const char *const[]){
		"\"op\":\"connect\"", "\"opcode\":16", "\"fd\":5", "\"path\":null",
		"\"family\":6,\"daddr\":\"2001:db8::2\",\"dport\":443", NULL });
	assert_non_null(strstr(buf, "\"op\":\"renameat\",\"opcode\":35,\"fd\":-100,\"user_data\":0,"
				    "\"path\":\"/tmp/a\",\"path2\":\"/etc/cron.d/b\""));

	/* -t selects the new families by name */
	char *argv_t[] = { "dump", "-t", "memfd,uring", path, NULL };
	assert_int_equal(run_cmd(cmd_dump, argv_t, buf, sizeof(buf)), EXRAY_EXIT_OK);
	assert_null(strstr(buf, "\"type\":\"file\""));
	assert_non_null(strstr(buf, "\"type\":\"memfd\""));
	assert_non_null(strstr(buf, "\"type\":\"uring\""));

	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_host_field),
		cmocka_unit_test(test_exit_code_or_signal),
		cmocka_unit_test(test_newer_minor_unknown_type),
		cmocka_unit_test(test_families),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
