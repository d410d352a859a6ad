// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Segment codec: round trips, torn tails at every byte, bit flips in every
 * frame, unknown types, versions, and the real zstd CLI on our files. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <zstd.h>
#include "segment.h"
#include "segment_format.h"

/* ------------------------------------------------------------- fixtures */

struct recbuf {
	unsigned char *data; /* concatenated records as written */
	size_t len, cap;
	size_t count;
};

static void recbuf_add(struct recbuf *b, const void *rec)
{
	const struct exray_rec_hdr *h = rec;

	if (b->len + h->len > b->cap) {
		b->cap = (b->len + h->len) * 2;
		b->data = realloc(b->data, b->cap);
		assert_non_null(b->data);
	}
	memcpy(b->data + b->len, rec, h->len);
	b->len += h->len;
	b->count++;
}

static void fill_task(struct exray_task *t, __u32 pid)
{
	memset(t, 0, sizeof(*t));
	t->pid = t->tid = pid;
	t->ppid = pid - 1;
	t->vpid = pid % 100;
	t->start = 1000000ull * pid;
	t->pstart = 1000000ull * (pid - 1);
	t->cgroup_id = 4242;
	t->uid = t->gid = 1000;
	t->pidns = t->mntns = t->netns = 4026531836u;
	snprintf(t->comm, sizeof(t->comm), "proc%u", pid);
}

/* An exec record with the given strings; argv is `argc` NUL-terminated
 * strings packed in `argv` of `argv_len` bytes. Caller frees. */
static struct exray_exec *make_exec(__u16 type, __u32 pid, const char *filename, const char *argv,
				    size_t argv_len)
{
	size_t fl = strlen(filename) + 1;
	size_t len = EXRAY_REC_ALIGN_UP(sizeof(struct exray_exec) + fl + argv_len);
	struct exray_exec *e = calloc(1, len);

	assert_non_null(e);
	e->hdr.type = type;
	e->hdr.len = (__u32)len;
	e->hdr.ts = 5000ull + pid;
	fill_task(&e->task, pid);
	e->filename_len = (__u16)fl;
	e->argv_len = (__u16)argv_len;
	memcpy(e + 1, filename, fl);
	memcpy((char *)(e + 1) + fl, argv, argv_len);
	return e;
}

static void make_header(struct exray_seg_header *h, __u64 seq)
{
	memset(h, 0, sizeof(*h));
	h->seq = seq;
	h->boot_to_wall_ns = 1700000000000000000ll;
	memset(h->boot_id, 0xab, sizeof(h->boot_id));
	memset(h->capture_id, 0xcd, sizeof(h->capture_id));
	snprintf(h->host, sizeof(h->host), "testhost");
	snprintf(h->kernel_release, sizeof(h->kernel_release), "6.18.0-test");
	snprintf(h->recorder_version, sizeof(h->recorder_version), "test");
	h->argv_max = EXRAY_ARGV_DEFAULT;
}

static char tmpdir[] = "/tmp/exray-test-segment-XXXXXX";
static int dirfd_ = -1;

static int setup_dir(void **state)
{
	assert_non_null(mkdtemp(tmpdir));
	dirfd_ = open(tmpdir, O_DIRECTORY | O_RDONLY);
	return dirfd_ < 0;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	close(dirfd_);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) != 0;
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
}

static unsigned char *slurp(const char *name, size_t *len)
{
	char path[256];
	struct stat st;
	unsigned char *buf;
	int fd;

	path_of(path, sizeof(path), name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc(st.st_size + 1);
	assert_int_equal(read(fd, buf, st.st_size), st.st_size);
	close(fd);
	*len = st.st_size;
	return buf;
}

/*
 * A segment of several frames: a few exec/connect/exit records per frame,
 * frames forced by exray_seg_frame_out, a stats frame in the middle and the
 * footer. frame_end[i] is the file offset where data frame i ends and
 * frame_recs[i] the number of records written up to and including it.
 */
#define NFRAMES 6
struct sample {
	struct recbuf recs;
	size_t frame_end[NFRAMES], frame_recs[NFRAMES];
	size_t frame_start[NFRAMES];
	size_t rec_off[NFRAMES]; /* byte offset in recs.data where frame i starts */
};

static void write_sample(const char *name, struct sample *s)
{
	struct exray_seg_writer *w;
	struct exray_seg_header hdr;

	memset(s, 0, sizeof(*s));
	make_header(&hdr, 7);
	assert_int_equal(exray_seg_writer_open(&w, dirfd_, name, &hdr, NULL), 0);
	for (int f = 0; f < NFRAMES; f++) {
		s->rec_off[f] = s->recs.len;
		s->frame_start[f] = exray_seg_writer_file_bytes(w);
		for (int i = 0; i < 3; i++) {
			__u32 pid = 100 + f * 10 + i;
			struct exray_exec *e = make_exec(EXRAY_REC_EXEC, pid, "/bin/sh", "sh\0-c\0id\0", 9);
			struct exray_exit x = { .hdr = { EXRAY_REC_EXIT, 0, sizeof(x), 9000 + pid } };

			fill_task(&x.task, pid);
			x.exit_code = (unsigned)i << 8;
			assert_int_equal(exray_seg_append(w, e, e->hdr.len), 0);
			assert_int_equal(exray_seg_append(w, &x, sizeof(x)), 0);
			recbuf_add(&s->recs, e);
			recbuf_add(&s->recs, &x);
			free(e);
		}
		assert_int_equal(exray_seg_frame_out(w), 0);
		s->frame_end[f] = exray_seg_writer_file_bytes(w);
		s->frame_recs[f] = s->recs.count;
		if (f == NFRAMES / 2)
			assert_int_equal(exray_seg_write_stats(w, 1), 0);
	}
	assert_int_equal(exray_seg_writer_close(w, 2), 0);
}

struct readout {
	struct recbuf recs;
	size_t issues[EXRAY_ISSUE_NO_HEADER + 1];
	size_t n_issues;
	int rc;
	bool footer;
};

static void read_all(const void *buf, size_t len, struct readout *o)
{
	struct exray_seg_reader *r;
	const struct exray_rec_hdr *h;
	int rc;

	memset(o, 0, sizeof(*o));
	assert_int_equal(exray_seg_reader_open_mem(&r, buf, len), 0);
	while ((rc = exray_seg_next(r, &h)) == 1) {
		assert_int_equal((uintptr_t)h % 8, 0);
		recbuf_add(&o->recs, h);
	}
	o->rc = rc;
	o->n_issues = exray_seg_reader_issue_count(r);
	for (size_t i = 0; i < o->n_issues; i++)
		o->issues[exray_seg_reader_issue(r, i)->kind]++;
	o->footer = exray_seg_reader_footer(r) != NULL;
	exray_seg_reader_free(r);
}

/* ------------------------------------------------------------------ tests */

/* A removed segment whose copy back fails part way (here the file size
 * limit, as a full disk would): the partial copy is kept, and its whole
 * frames read back. */
static void test_relocate_failure_keeps_partial_copy(void **state)
{
	struct exray_seg_writer *w;
	struct exray_seg_header hdr;
	struct rlimit old, lim;
	struct readout o;
	unsigned char *buf;
	size_t len;
	__u64 size;

	(void)state;
	make_header(&hdr, 7);
	assert_int_equal(exray_seg_writer_open(&w, dirfd_, "moved.exray.zst", &hdr, NULL), 0);
	for (int f = 0; f < 8; f++) {
		struct exray_exec *e = make_exec(EXRAY_REC_EXEC, 100 + f, "/bin/sh", "sh\0-c\0id\0", 9);

		assert_int_equal(exray_seg_append(w, e, e->hdr.len), 0);
		assert_int_equal(exray_seg_frame_out(w), 0);
		free(e);
	}
	size = exray_seg_writer_file_bytes(w);
	assert_int_equal(unlinkat(dirfd_, "moved.exray.zst", 0), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = size / 2;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(exray_seg_writer_relocate(w, dirfd_, "moved.exray.zst"), -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	buf = slurp("moved.exray.zst", &len);
	assert_int_equal(len, size / 2);
	read_all(buf, len, &o);
	assert_true(o.recs.count >= 1);
	free(buf);
	free(o.recs.data);
	exray_seg_writer_abort(w);
	unlinkat(dirfd_, "moved.exray.zst", 0);
}

static void test_roundtrip_every_type(void **state)
{
	struct exray_seg_writer *w;
	struct exray_seg_reader *r;
	struct exray_seg_header hdr;
	struct recbuf in = { 0 }, out = { 0 };
	const struct exray_rec_hdr *h;
	char path[256], *fname, *argv;
	int rc;

	make_header(&hdr, 1);
	assert_int_equal(exray_seg_writer_open(&w, dirfd_, "all.exray.zst", &hdr, NULL), 0);

	/* maximum-length filename and argv */
	fname = malloc(EXRAY_PATH_MAX);
	memset(fname, 'f', EXRAY_PATH_MAX - 1);
	fname[0] = '/';
	fname[EXRAY_PATH_MAX - 1] = '\0';
	argv = malloc(EXRAY_ARGV_MAX_LIMIT);
	for (size_t i = 0; i < EXRAY_ARGV_MAX_LIMIT; i++)
		argv[i] = (i % 97 == 96) ? '\0' : (char)('a' + i % 26);
	argv[EXRAY_ARGV_MAX_LIMIT - 1] = '\0';

	struct exray_exec *e1 = make_exec(EXRAY_REC_EXEC, 10, fname, argv, EXRAY_ARGV_MAX_LIMIT);
	e1->hdr.flags = EXRAY_F_ARGV_TRUNCATED;
	struct exray_exec *e2 = make_exec(EXRAY_REC_SNAPSHOT, 11, "/sbin/init", "init\0", 5);
	struct exray_exec *e3 = make_exec(EXRAY_REC_EXEC, 12, "/nonexistent", "x\0\x1b[31m\n\0", 10);
	e3->ret = -ENOENT;
	struct exray_fork fk = { .hdr = { EXRAY_REC_FORK, 0, sizeof(fk), 1 } };
	struct exray_exit ex = { .hdr = { EXRAY_REC_EXIT, 0, sizeof(ex), 2 }, .exit_code = 3 << 8 };
	struct exray_connect cn = { .hdr = { EXRAY_REC_CONNECT, 0, sizeof(cn), 3 },
				    .sock = 0xdeadbeef, .dport = 443, .family = EXRAY_FAMILY_V6 };
	struct exray_connect_result cr = { .hdr = { EXRAY_REC_CONNECT_RESULT, 0, sizeof(cr), 4 },
					   .sock = 0xdeadbeef, .sport = 40000,
					   .newstate = EXRAY_TCP_ESTABLISHED };
	struct exray_syn syn = { .hdr = { EXRAY_REC_SYN, 0, sizeof(syn), 5 }, .ifindex = 3,
				 .family = EXRAY_FAMILY_V4, .verdict = EXRAY_VERDICT_DENY,
				 .dport = 3333 };
	struct exray_loss loss = { .hdr = { EXRAY_REC_LOSS, 0, sizeof(loss), 6 },
				   .lost_type = EXRAY_REC_EXEC, .cpu = EXRAY_LOSS_ALL_CPUS, .count = 17 };
	const char *cgpath = "/system.slice/docker-0123456789abcdef.scope";
	size_t cglen = EXRAY_REC_ALIGN_UP(sizeof(struct exray_cgroup) + strlen(cgpath) + 1);
	struct exray_cgroup *cg = calloc(1, cglen);

	cg->hdr = (struct exray_rec_hdr){ EXRAY_REC_CGROUP, 0, (__u32)cglen, 7 };
	cg->cgroup_id = 4242;
	cg->path_len = (__u16)(strlen(cgpath) + 1);
	memcpy(cg + 1, cgpath, cg->path_len);
	fill_task(&fk.task, 13);
	fill_task(&ex.task, 14);
	fill_task(&cn.task, 15);
	memset(cn.daddr, 0x20, 16);
	syn.saddr[0] = 192;
	syn.daddr[0] = 203;

	const void *recs[] = { e1, e2, e3, &fk, &ex, &cn, &cr, &syn, &loss, cg };
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		const struct exray_rec_hdr *rh = recs[i];

		assert_int_equal(exray_seg_append(w, rh, rh->len), 0);
		recbuf_add(&in, rh);
	}
	exray_seg_writer_set_lost(w, EXRAY_REC_EXEC, 17);
	assert_int_equal(exray_seg_writer_close(w, 99), 0);

	path_of(path, sizeof(path), "all.exray.zst");
	assert_int_equal(exray_seg_reader_open(&r, path), 0);
	while ((rc = exray_seg_next(r, &h)) == 1) {
		recbuf_add(&out, h);
		if (h->type == EXRAY_REC_EXEC && ((const struct exray_exec *)h)->task.pid == 10) {
			size_t al;
			const char *a = exray_exec_argv((const void *)h, &al);

			assert_string_equal(exray_exec_filename((const void *)h), fname);
			assert_int_equal(al, EXRAY_ARGV_MAX_LIMIT);
			assert_memory_equal(a, argv, al);
		}
		if (h->type == EXRAY_REC_CGROUP)
			assert_string_equal(exray_cgroup_path((const void *)h), cgpath);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(exray_seg_reader_issue_count(r), 0);
	assert_int_equal(out.count, in.count);
	assert_int_equal(out.len, in.len);
	assert_memory_equal(out.data, in.data, in.len);

	const struct exray_seg_header *rh = exray_seg_reader_header(r);
	assert_non_null(rh);
	assert_string_equal(rh->host, "testhost");
	assert_int_equal(rh->seq, 1);
	const struct exray_seg_stats *ft = exray_seg_reader_footer(r);
	assert_non_null(ft);
	assert_int_equal(ft->records, in.count);
	assert_int_equal(ft->records_by_type[EXRAY_REC_EXEC], 2);
	assert_int_equal(ft->lost_by_type[EXRAY_REC_EXEC], 17);
	assert_int_equal(ft->boot_to_wall_ns, 99);
	unsigned maj, min;
	exray_seg_reader_version(r, &maj, &min);
	assert_int_equal(maj, EXRAY_SEG_VERSION_MAJOR);
	exray_seg_reader_free(r);

	free(e1), free(e2), free(e3), free(cg), free(fname), free(argv);
	free(in.data), free(out.data);
}

static void test_writer_rejects_bad_records(void **state)
{
	struct exray_seg_writer *w;
	struct exray_seg_header hdr;
	struct exray_loss l = { .hdr = { EXRAY_REC_LOSS, 0, sizeof(l) - 4, 0 } };

	make_header(&hdr, 1);
	assert_int_equal(exray_seg_writer_open(&w, dirfd_, "bad.exray.zst", &hdr, NULL), 0);
	assert_int_equal(exray_seg_append(w, &l, sizeof(l)), -EINVAL); /* len mismatch */
	assert_int_equal(exray_seg_append(w, &l, sizeof(l) - 4), -EINVAL); /* not aligned */
	l.hdr.len = 8;
	assert_int_equal(exray_seg_append(w, &l, 8), -EINVAL); /* shorter than a header */
	assert_int_equal(exray_seg_writer_close(w, 0), 0);
}

/* A footer written ahead of close is the only one; nothing may follow it. */
static void test_footer_before_close(void **state)
{
	struct exray_seg_writer *w;
	struct exray_seg_header hdr;
	struct exray_fork fk = { .hdr = { EXRAY_REC_FORK, 0, sizeof(fk), 1 } };
	struct readout o;
	unsigned char *buf;
	size_t len, footers = 0;

	make_header(&hdr, 1);
	assert_int_equal(exray_seg_writer_open(&w, dirfd_, "footer.exray.zst", &hdr, NULL), 0);
	assert_int_equal(exray_seg_append(w, &fk, sizeof(fk)), 0);
	assert_int_equal(exray_seg_write_footer(w, 5), 0);
	assert_int_equal(exray_seg_write_footer(w, 5), 0); /* idempotent */
	assert_int_equal(exray_seg_append(w, &fk, sizeof(fk)), -EINVAL);
	assert_int_equal(exray_seg_writer_close(w, 6), 0);
	buf = slurp("footer.exray.zst", &len);
	read_all(buf, len, &o);
	assert_int_equal(o.recs.count, 1);
	assert_int_equal(o.n_issues, 0);
	assert_true(o.footer);
	for (size_t i = 0; i + 16 <= len; i++)
		if (get_le32(buf + i) == EXRAY_SEG_SKIPPABLE_MAGIC &&
		    get_le32(buf + i + 8) == EXRAY_SEG_META_MAGIC &&
		    get_le16(buf + i + 12) == EXRAY_META_FOOTER)
			footers++;
	assert_int_equal(footers, 1);
	free(o.recs.data);
	free(buf);
}

static void test_file_safety(void **state)
{
	struct exray_seg_writer *w;
	struct exray_seg_header hdr;
	char path[256], target[256];
	struct stat st;

	make_header(&hdr, 1);
	assert_int_equal(exray_seg_writer_open(&w, dirfd_, "mode.exray.zst", &hdr, NULL), 0);
	assert_int_equal(exray_seg_writer_close(w, 0), 0);
	path_of(path, sizeof(path), "mode.exray.zst");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* never overwrite */
	assert_int_equal(exray_seg_writer_open(&w, dirfd_, "mode.exray.zst", &hdr, NULL), -EEXIST);
	assert_null(w);

	/* a symlink planted where the segment will go is not followed */
	path_of(target, sizeof(target), "victim");
	path_of(path, sizeof(path), "planted.exray.zst");
	assert_int_equal(symlink(target, path), 0);
	assert_true(exray_seg_writer_open(&w, dirfd_, "planted.exray.zst", &hdr, NULL) < 0);
	assert_int_equal(access(target, F_OK), -1);
}

static void test_truncated_at_every_offset(void **state)
{
	struct sample s;
	struct readout o;
	unsigned char *buf;
	size_t len;

	write_sample("torn.exray.zst", &s);
	buf = slurp("torn.exray.zst", &len);
	for (size_t cut = 0; cut <= len; cut++) {
		size_t whole = 0, bytes = 0;

		for (int f = 0; f < NFRAMES; f++)
			if (s.frame_end[f] <= cut) {
				whole = s.frame_recs[f];
				bytes = f + 1 < NFRAMES ? s.rec_off[f + 1] : s.recs.len;
			}
		read_all(buf, cut, &o);
		assert_int_equal(o.rc, 0);
		if (o.recs.count != whole)
			fail_msg("cut at %zu: %zu records, expected %zu", cut, o.recs.count, whole);
		assert_memory_equal(o.recs.data, s.recs.data, bytes);
		/* the only complaint allowed is the torn tail */
		if (o.n_issues != o.issues[EXRAY_ISSUE_TORN_TAIL] || o.n_issues > 1)
			fail_msg("cut at %zu: %zu issues, %zu torn tail", cut, o.n_issues,
				 o.issues[EXRAY_ISSUE_TORN_TAIL]);
		assert_int_equal(o.footer, cut == len);
		free(o.recs.data);
	}
	free(buf);
	free(s.recs.data);
}

static void test_bit_flip_in_each_frame(void **state)
{
	struct sample s;
	struct readout o;
	unsigned char *buf;
	size_t len;

	write_sample("flip.exray.zst", &s);
	buf = slurp("flip.exray.zst", &len);
	for (int f = 0; f < NFRAMES; f++) {
		size_t lo = s.frame_start[f], hi = s.frame_end[f];

		/* a flip in the header, the middle and the checksum at the end */
		size_t where[] = { lo + 5, lo + (hi - lo) / 2, hi - 1 };
		for (size_t k = 0; k < 3; k++) {
			size_t expect = s.recs.count - (s.frame_recs[f] - (f ? s.frame_recs[f - 1] : 0));

			buf[where[k]] ^= 0x10;
			read_all(buf, len, &o);
			buf[where[k]] ^= 0x10;
			assert_int_equal(o.rc, 0);
			if (o.recs.count != expect)
				fail_msg("frame %d flip at %zu: %zu records, expected %zu", f,
					 where[k], o.recs.count, expect);
			/* everything before and after the damaged frame is intact */
			assert_memory_equal(o.recs.data, s.recs.data, s.rec_off[f]);
			size_t after = f + 1 < NFRAMES ? s.rec_off[f + 1] : s.recs.len;
			assert_memory_equal(o.recs.data + s.rec_off[f], s.recs.data + after,
					    s.recs.len - after);
			assert_true(o.issues[EXRAY_ISSUE_BAD_FRAME] + o.issues[EXRAY_ISSUE_GARBAGE] >= 1);
			assert_true(o.footer);
			free(o.recs.data);
		}
	}
	/* damage in the last frame of the file is damage, not a torn tail:
	 * the footer, and a last data frame when there is no footer */
	buf[len - 10] ^= 1;
	read_all(buf, len, &o);
	buf[len - 10] ^= 1;
	assert_int_equal(o.recs.count, s.recs.count);
	assert_int_equal(o.issues[EXRAY_ISSUE_BAD_META], 1);
	assert_int_equal(o.issues[EXRAY_ISSUE_TORN_TAIL], 0);
	assert_false(o.footer);
	free(o.recs.data);
	size_t last = s.frame_end[NFRAMES - 1], mid = (s.frame_start[NFRAMES - 1] + last) / 2;
	buf[mid] ^= 1;
	read_all(buf, last, &o);
	buf[mid] ^= 1;
	assert_int_equal(o.recs.count, s.frame_recs[NFRAMES - 2]);
	assert_int_equal(o.issues[EXRAY_ISSUE_BAD_FRAME], 1);
	assert_int_equal(o.issues[EXRAY_ISSUE_TORN_TAIL], 0);
	free(o.recs.data);

	/* a flip in the header frame: reported, every record still read */
	buf[30] ^= 1;
	read_all(buf, len, &o);
	assert_int_equal(o.recs.count, s.recs.count);
	assert_true(o.issues[EXRAY_ISSUE_BAD_META] + o.issues[EXRAY_ISSUE_NO_HEADER] >= 1);
	free(o.recs.data);
	buf[30] ^= 1;
	free(buf);
	free(s.recs.data);
}

static void test_garbage_between_frames(void **state)
{
	struct sample s;
	struct readout o;
	unsigned char *buf, *junk;
	size_t len, at;

	write_sample("junk.exray.zst", &s);
	buf = slurp("junk.exray.zst", &len);
	at = s.frame_end[1];
	junk = malloc(len + 100);
	memcpy(junk, buf, at);
	for (int i = 0; i < 100; i++)
		junk[at + i] = (unsigned char)(i * 37 + 1);
	memcpy(junk + at + 100, buf + at, len - at);
	read_all(junk, len + 100, &o);
	assert_int_equal(o.recs.count, s.recs.count);
	assert_int_equal(o.n_issues, 1);
	assert_int_equal(o.issues[EXRAY_ISSUE_GARBAGE], 1);
	free(o.recs.data), free(junk), free(buf), free(s.recs.data);
}

/* Build a file by hand: header meta with a chosen version, then one frame. */
static unsigned char *file_with_version(unsigned major, unsigned minor, const void *records,
					size_t rec_len, size_t *len)
{
	struct exray_seg_header hdr;
	size_t cap = EXRAY_META_PREFIX + sizeof(hdr) + ZSTD_compressBound(rec_len);
	unsigned char *buf = malloc(cap);
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t n;

	make_header(&hdr, 1);
	exray_meta_encode(buf, EXRAY_META_HEADER, &hdr, sizeof(hdr));
	buf[14] = (unsigned char)major;
	buf[15] = (unsigned char)minor;
	put_le32(buf + 20, exray_meta_crc(buf, buf + EXRAY_META_PREFIX, sizeof(hdr)));
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	n = ZSTD_compress2(c, buf + EXRAY_META_PREFIX + sizeof(hdr), cap, records, rec_len);
	assert_false(ZSTD_isError(n));
	ZSTD_freeCCtx(c);
	*len = EXRAY_META_PREFIX + sizeof(hdr) + n;
	return buf;
}

static void test_versions(void **state)
{
	struct exray_fork fk = { .hdr = { EXRAY_REC_FORK, 0, sizeof(fk), 1 } };
	struct exray_seg_reader *r;
	const struct exray_rec_hdr *h;
	struct readout o;
	unsigned char *buf;
	size_t len;

	/* a newer major version is refused, with a message that says so */
	buf = file_with_version(EXRAY_SEG_VERSION_MAJOR + 1, 0, &fk, sizeof(fk), &len);
	assert_int_equal(exray_seg_reader_open_mem(&r, buf, len), 0);
	assert_int_equal(exray_seg_next(r, &h), -EPROTONOSUPPORT);
	assert_non_null(strstr(exray_seg_reader_error(r), "newer"));
	exray_seg_reader_free(r);
	free(buf);

	/* a newer minor version is read, and reported once */
	buf = file_with_version(EXRAY_SEG_VERSION_MAJOR, EXRAY_SEG_VERSION_MINOR + 1, &fk,
				sizeof(fk), &len);
	read_all(buf, len, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.recs.count, 1);
	assert_int_equal(o.issues[EXRAY_ISSUE_NEWER_MINOR], 1);
	assert_int_equal(o.n_issues, 1);
	free(o.recs.data);
	free(buf);
}

/* A version 1.0 file (384-byte header, before the host namespaces) reads
 * with no issue and the newer fields as 0; a shorter header is damage. */
static void test_v1_0_header(void **state)
{
	struct exray_fork fk = { .hdr = { EXRAY_REC_FORK, 0, sizeof(fk), 1 } };
	struct exray_seg_header hdr;
	unsigned char buf[1024];
	struct exray_seg_reader *r;
	const struct exray_rec_hdr *h;
	size_t n;

	for (int shorter = 0; shorter < 2; shorter++) {
		__u32 len = EXRAY_SEG_HEADER_MIN_SIZE - (__u32)shorter * 8;
		ZSTD_CCtx *c = ZSTD_createCCtx();

		make_header(&hdr, 3);
		hdr.host_pidns = 77; /* beyond 1.0: must not be read */
		exray_meta_encode(buf, EXRAY_META_HEADER, &hdr, len);
		buf[15] = 0;
		put_le32(buf + 20, exray_meta_crc(buf, buf + EXRAY_META_PREFIX, len));
		ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
		n = ZSTD_compress2(c, buf + EXRAY_META_PREFIX + len, sizeof(buf) - 400, &fk, sizeof(fk));
		ZSTD_freeCCtx(c);
		assert_int_equal(exray_seg_reader_open_mem(&r, buf, EXRAY_META_PREFIX + len + n), 0);
		assert_int_equal(exray_seg_next(r, &h), 1);
		if (!shorter) {
			assert_non_null(exray_seg_reader_header(r));
			assert_int_equal(exray_seg_reader_header(r)->seq, 3);
			assert_int_equal(exray_seg_reader_header(r)->host_pidns, 0);
			assert_int_equal(exray_seg_reader_issue_count(r), 0);
		} else {
			assert_null(exray_seg_reader_header(r));
			assert_int_equal(exray_seg_reader_issue(r, 0)->kind, EXRAY_ISSUE_BAD_META);
		}
		exray_seg_reader_free(r);
	}
}

static void test_unknown_types_skipped(void **state)
{
	unsigned char recs[4 * 104 + 64] = { 0 };
	struct exray_rec_hdr *u;
	struct exray_fork fk = { .hdr = { EXRAY_REC_FORK, 0, sizeof(fk), 1 } };
	struct readout o;
	unsigned char *buf;
	size_t len, off = 0;

	/* fork, unknown(200, 64 bytes), fork, unknown(200), unknown(201), fork */
	memcpy(recs + off, &fk, sizeof(fk)), off += sizeof(fk);
	u = (void *)(recs + off), u->type = 200, u->len = 24, off += 24;
	memcpy(recs + off, &fk, sizeof(fk)), off += sizeof(fk);
	u = (void *)(recs + off), u->type = 200, u->len = 16, off += 16;
	u = (void *)(recs + off), u->type = 201, u->len = 24, off += 24;
	memcpy(recs + off, &fk, sizeof(fk)), off += sizeof(fk);
	buf = file_with_version(EXRAY_SEG_VERSION_MAJOR, EXRAY_SEG_VERSION_MINOR, recs, off, &len);
	read_all(buf, len, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.recs.count, 3);
	assert_int_equal(o.issues[EXRAY_ISSUE_UNKNOWN_TYPE], 2); /* once per type */
	free(o.recs.data);
	free(buf);

	/* a known type shorter than its struct, and an exec whose strings
	 * overrun it, are skipped as malformed; the rest is read */
	off = 0;
	memset(recs, 0, sizeof(recs));
	u = (void *)(recs + off), u->type = EXRAY_REC_EXIT, u->len = 32, off += 32;
	struct exray_exec *e = (void *)(recs + off);
	e->hdr = (struct exray_rec_hdr){ EXRAY_REC_EXEC, 0, 120, 0 };
	e->filename_len = 100; /* runs past the record */
	off += 120;
	memcpy(recs + off, &fk, sizeof(fk)), off += sizeof(fk);
	buf = file_with_version(EXRAY_SEG_VERSION_MAJOR, EXRAY_SEG_VERSION_MINOR, recs, off, &len);
	read_all(buf, len, &o);
	assert_int_equal(o.recs.count, 1);
	assert_int_equal(o.issues[EXRAY_ISSUE_BAD_RECORD], 2);
	free(o.recs.data);
	free(buf);
}

static void test_record_positions(void **state)
{
	struct sample s;
	struct exray_seg_reader *r;
	const struct exray_rec_hdr *h;
	unsigned char *buf;
	size_t len, n = 0;
	__u64 off;
	__u32 idx;

	write_sample("pos.exray.zst", &s);
	buf = slurp("pos.exray.zst", &len);
	assert_int_equal(exray_seg_reader_open_mem(&r, buf, len), 0);
	while (exray_seg_next(r, &h) == 1) {
		int f = (int)(n / 6);

		exray_seg_reader_record_pos(r, &off, &idx);
		assert_int_equal(off, s.frame_start[f]);
		assert_int_equal(idx, n % 6);
		n++;
	}
	assert_int_equal(exray_seg_reader_frames(r), NFRAMES);
	exray_seg_reader_free(r);
	free(buf);
	free(s.recs.data);
}

static void test_zstd_cli_reads_segments(void **state)
{
	struct sample s;
	char path[256], cmd[640], out[300];
	unsigned char *got;
	size_t len;

	write_sample("cli.exray.zst", &s);
	path_of(path, sizeof(path), "cli.exray.zst");
	snprintf(cmd, sizeof(cmd), "zstd -q -t '%s'", path);
	assert_int_equal(system(cmd), 0);
	snprintf(out, sizeof(out), "%s/cli.raw", tmpdir);
	snprintf(cmd, sizeof(cmd), "zstdcat '%s' > '%s'", path, out);
	assert_int_equal(system(cmd), 0);
	got = slurp("cli.raw", &len);
	assert_int_equal(len, s.recs.len);
	assert_memory_equal(got, s.recs.data, len);
	free(got);

	/* and zstd -t notices a flipped bit */
	got = slurp("cli.exray.zst", &len);
	got[s.frame_start[2] + (s.frame_end[2] - s.frame_start[2]) / 2] ^= 4;
	snprintf(out, sizeof(out), "%s/cli-bad.exray.zst", tmpdir);
	FILE *f = fopen(out, "w");
	fwrite(got, 1, len, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "zstd -q -t '%s' 2>/dev/null", out);
	assert_int_not_equal(system(cmd), 0);
	free(got);
	free(s.recs.data);
}

/*
 * Disk failures through the memory backend (STYLE.md habit 9): a short
 * write then ENOSPC cuts the file back to its last whole frame, keeps the
 * batch and succeeds once space is freed; EIO is sticky.
 */
static void test_backend_disk_errors(void **state)
{
	struct exray_seg_membuf m;
	struct exray_seg_writer *w;
	struct exray_seg_header hdr;
	struct readout o;
	size_t whole;

	exray_seg_membuf_init(&m);
	make_header(&hdr, 1);
	assert_int_equal(exray_seg_writer_open_backend(&w, &m.be, &hdr, NULL), 0);
	for (__u32 pid = 100; pid < 110; pid++) {
		struct exray_exit x = { .hdr = { EXRAY_REC_EXIT, 0, sizeof(x), pid } };

		fill_task(&x.task, pid);
		assert_int_equal(exray_seg_append(w, &x, sizeof(x)), 0);
		if (pid == 104)
			assert_int_equal(exray_seg_frame_out(w), 0);
	}
	whole = m.len;
	m.space = m.len + 10; /* the frame gets 10 bytes in, then the disk is full */
	assert_int_equal(exray_seg_frame_out(w), -ENOSPC);
	assert_int_equal(m.len, whole);
	assert_int_equal(exray_seg_writer_file_bytes(w), whole);
	assert_true(m.truncates >= 1);
	assert_true(exray_seg_writer_pending(w) > 0);
	/* still full: retryable, nothing sticks */
	assert_int_equal(exray_seg_flush(w), -ENOSPC);
	m.space = 0;
	assert_int_equal(exray_seg_flush(w), 0);
	assert_true(m.syncs >= 1);
	assert_int_equal(exray_seg_writer_close(w, 1), 0);
	assert_true(m.closed);
	read_all(m.data, m.len, &o);
	assert_int_equal(o.recs.count, 10);
	assert_int_equal(o.n_issues, 0);
	assert_true(o.footer);
	free(o.recs.data);
	exray_seg_membuf_release(&m);

	/* EIO: the file is cut back, and every later call fails with it */
	exray_seg_membuf_init(&m);
	assert_int_equal(exray_seg_writer_open_backend(&w, &m.be, &hdr, NULL), 0);
	struct exray_fork fk = { .hdr = { EXRAY_REC_FORK, 0, sizeof(fk), 1 } };
	assert_int_equal(exray_seg_append(w, &fk, sizeof(fk)), 0);
	assert_int_equal(exray_seg_frame_out(w), 0);
	whole = m.len;
	assert_int_equal(exray_seg_append(w, &fk, sizeof(fk)), 0);
	m.fail = -EIO;
	assert_int_equal(exray_seg_flush(w), -EIO);
	m.fail = 0;
	assert_int_equal(m.len, whole);
	assert_int_equal(exray_seg_append(w, &fk, sizeof(fk)), -EIO);
	assert_int_equal(exray_seg_flush(w), -EIO);
	assert_int_equal(exray_seg_writer_close(w, 1), -EIO);
	read_all(m.data, m.len, &o);
	assert_int_equal(o.recs.count, 1);
	assert_int_equal(o.n_issues, 0);
	assert_false(o.footer);
	free(o.recs.data);
	exray_seg_membuf_release(&m);
}

/* A header followed by zstd frames of `content` zero bytes each (a few
 * hundred bytes apiece), `n` times; with bad_checksum, each frame's last
 * byte is flipped so no frame is intact and the reader resynchronises
 * after every one. */
static unsigned char *bomb_file(size_t content, int n, bool bad_checksum, size_t *len)
{
	struct exray_seg_header hdr;
	unsigned char *zeros = calloc(1, content), *frame, *buf;
	size_t fcap = ZSTD_compressBound(content), flen;
	ZSTD_CCtx *c = ZSTD_createCCtx();

	frame = malloc(fcap);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	flen = ZSTD_compress2(c, frame, fcap, zeros, content);
	assert_false(ZSTD_isError(flen));
	if (bad_checksum)
		frame[flen - 1] ^= 1;
	buf = malloc(EXRAY_META_PREFIX + sizeof(hdr) + (size_t)n * flen);
	make_header(&hdr, 1);
	exray_meta_encode(buf, EXRAY_META_HEADER, &hdr, sizeof(hdr));
	*len = EXRAY_META_PREFIX + sizeof(hdr);
	for (int i = 0; i < n; i++, *len += flen)
		memcpy(buf + *len, frame, flen);
	ZSTD_freeCCtx(c);
	free(zeros);
	free(frame);
	return buf;
}

/* Issue 18 item 10: a frame declaring more than any writer makes is named
 * as such, not as a damaged frame. */
static void test_frame_too_large(void **state)
{
	struct exray_seg_reader *r;
	const struct exray_rec_hdr *h;
	unsigned char *buf;
	size_t len;

	buf = bomb_file(EXRAY_SEG_MAX_FRAME_CONTENT + 8, 1, false, &len);
	assert_int_equal(exray_seg_reader_open_mem(&r, buf, len), 0);
	assert_int_equal(exray_seg_next(r, &h), 0);
	assert_int_equal(exray_seg_reader_issue_count(r), 1);
	assert_int_equal(exray_seg_reader_issue(r, 0)->kind, EXRAY_ISSUE_BAD_FRAME);
	assert_non_null(strstr(exray_seg_reader_issue(r, 0)->detail, "frame too large"));
	assert_null(strstr(exray_seg_reader_issue(r, 0)->detail, "damaged"));
	assert_int_equal(exray_seg_reader_inflated(r), 0);
	exray_seg_reader_free(r);
	free(buf);
}

/*
 * Issue 18 item 11: ~100 KB of frames that each inflate 16 MiB of zeros and
 * fail their checksum. Every one is a resync candidate; without a budget
 * the reader inflated each twice (gigabytes, seconds of CPU). It now stops
 * at the per-file budget and says so.
 */
static void test_inflate_budget(void **state)
{
	struct exray_seg_reader *r;
	const struct exray_rec_hdr *h;
	unsigned char *buf;
	size_t len, i;
	bool said = false;

	buf = bomb_file(EXRAY_SEG_MAX_FRAME_BYTES, 1, true, &len);
	free(buf);
	/* as many frames as fit in 100 KB */
	buf = bomb_file(EXRAY_SEG_MAX_FRAME_BYTES, (int)(100000 / (len - 424)), true, &len);
	assert_true(len > 90000);
	assert_int_equal(exray_seg_reader_open_mem(&r, buf, len), 0);
	assert_int_equal(exray_seg_next(r, &h), 0);
	assert_true(exray_seg_reader_inflated(r) <= EXRAY_SEG_INFLATE_BUDGET(len));
	for (i = 0; i < exray_seg_reader_issue_count(r); i++)
		said |= strstr(exray_seg_reader_issue(r, i)->detail, "budget") != NULL;
	assert_true(said);
	exray_seg_reader_free(r);
	free(buf);

	/* a real segment, damaged in every frame, stays well inside it */
	struct sample s;
	write_sample("budget.exray.zst", &s);
	buf = slurp("budget.exray.zst", &len);
	for (int f = 0; f < NFRAMES; f++)
		buf[s.frame_end[f] - 1] ^= 1;
	assert_int_equal(exray_seg_reader_open_mem(&r, buf, len), 0);
	while (exray_seg_next(r, &h) == 1)
		;
	for (i = 0; i < exray_seg_reader_issue_count(r); i++)
		assert_null(strstr(exray_seg_reader_issue(r, i)->detail, "budget"));
	assert_true(exray_seg_reader_footer(r) != NULL);
	exray_seg_reader_free(r);
	free(buf);
	free(s.recs.data);
}

static void test_reader_open_errors(void **state)
{
	struct exray_seg_reader *r;
	struct readout o;

	assert_int_equal(exray_seg_reader_open(&r, "/nonexistent/x.exray.zst"), -ENOENT);
	assert_int_equal(exray_seg_reader_open(&r, tmpdir), -EISDIR);
	read_all("", 0, &o);
	assert_int_equal(o.recs.count, 0);
	assert_int_equal(o.issues[EXRAY_ISSUE_TORN_TAIL], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_every_type),
		cmocka_unit_test(test_writer_rejects_bad_records),
		cmocka_unit_test(test_footer_before_close),
		cmocka_unit_test(test_file_safety),
		cmocka_unit_test(test_truncated_at_every_offset),
		cmocka_unit_test(test_bit_flip_in_each_frame),
		cmocka_unit_test(test_garbage_between_frames),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_v1_0_header),
		cmocka_unit_test(test_unknown_types_skipped),
		cmocka_unit_test(test_record_positions),
		cmocka_unit_test(test_zstd_cli_reads_segments),
		cmocka_unit_test(test_reader_open_errors),
		cmocka_unit_test(test_frame_too_large),
		cmocka_unit_test(test_backend_disk_errors),
		cmocka_unit_test(test_inflate_budget),
		cmocka_unit_test(test_relocate_failure_keeps_partial_copy),
	};

	return cmocka_run_group_tests_name("segment", tests, setup_dir, teardown_dir);
}
