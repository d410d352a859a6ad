// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Columns frames (format 1.4): byte-identical round trips of every kind of
 * record (short, unknown, with strings), through the writer and reader too;
 * a broken columns frame is named and skipped, every byte flipped decodes or
 * is refused (never read out of bounds: run under SANITIZE=1); every
 * committed fixture's records read back the same from columns frames. */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zstd.h>
#include "segment.h"
#include "segment_columns.h"

struct buf {
	unsigned char data[65536];
	size_t len;
	size_t count;
};

static void add(struct buf *b, __u16 type, __u16 flags, __u32 len, __u64 ts, unsigned seed)
{
	struct exray_rec_hdr *h = (void *)(b->data + b->len);

	assert_true(b->len + len <= sizeof(b->data));
	for (__u32 i = sizeof(*h); i < len; i++) /* fields that vary and repeat */
		b->data[b->len + i] = (unsigned char)(i % 24 < 8 ? seed * 7 + i : i / 24);
	*h = (struct exray_rec_hdr){ type, flags, len, ts };
	b->len += len;
	b->count++;
}

/* A mix of every known type at its size and longer (strings), short known
 * records (no task block), unknown types, and timestamps going backwards. */
static void sample(struct buf *b)
{
	static const __u16 sizes[] = { 0, 112, 104, 112, 152, 72, 112, 32, 32, 32,
				       136, 160, 144, 144, 152, 120, 136, 144, 32 };
	unsigned seed = 1;

	memset(b, 0, sizeof(*b));
	for (int round = 0; round < 3; round++)
		for (__u16 t = 1; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
			add(b, t, round, sizes[t], 1000000ull * seed, seed), seed++;
			add(b, t, 0, sizes[t] + 8 * (seed % 5), 1000000ull * seed - 77, seed), seed++;
		}
	add(b, EXRAY_REC_EXIT, 0, 32, 5, seed++);          /* too short for a task */
	add(b, EXRAY_REC_FORK, 0, 16, 4, seed++);          /* header only */
	add(b, 200, 9, 24, ~0ull, seed++);                 /* unknown type */
	add(b, 40000, 0, 16, 0, seed++);
	add(b, EXRAY_REC_EXEC, 0, 400, 3, seed++);
}

static unsigned char *put(unsigned char *p, const void *field, size_t width)
{
	memcpy(p, field, width);
	return p + width;
}

/* The layout itself, built here by hand from SEGMENT.md ("Columns frames")
 * for a fork, a connect_result and an exit: the encoder must make exactly
 * these bytes (a change of column order or width breaks old files). */
static void test_layout_as_documented(void **state)
{
	struct exray_fork fk = { .hdr = { EXRAY_REC_FORK, 0, sizeof(fk), 0x100000005ull } };
	struct exray_connect_result cr = { .hdr = { EXRAY_REC_CONNECT_RESULT, 1, sizeof(cr), 0x100000009ull },
					   .sock = 0x1122334455667788ull, .sport = 4000, .newstate = 1 };
	struct exray_exit ex = { .hdr = { EXRAY_REC_EXIT, 0, sizeof(ex), 0x100000004ull },
				 .exit_code = 0x300 };
	unsigned char rows[sizeof(fk) + sizeof(cr) + sizeof(ex)], got[sizeof(rows) + 16],
		want[sizeof(rows) + 16], *p = want;
	const struct exray_task *tasks[] = { &fk.task, &ex.task };
	const struct exray_rec_hdr *hs[] = { &fk.hdr, &cr.hdr, &ex.hdr };
	static const unsigned char cols[][2] = { { 16, 4 }, { 20, 4 }, { 24, 4 }, { 28, 4 },
		{ 32, 8 }, { 40, 8 }, { 48, 8 }, { 56, 4 }, { 60, 4 }, { 64, 4 }, { 68, 4 },
		{ 72, 4 }, { 76, 4 }, { 80, 4 }, { 84, 4 }, { 88, 8 }, { 96, 8 } };
	struct exray_rec_hdr marker = { 255, 1, sizeof(want), 3 };
	__u64 prev = 0;
	const char *why;

	for (unsigned i = 0; i < 2; i++) {
		struct exray_task *t = (struct exray_task *)tasks[i];

		t->pid = 100 + i, t->tid = 200 + i, t->ppid = 300 + i, t->vpid = 400 + i;
		t->start = 0xa000000000ull + i, t->pstart = 0xb000000000ull + i;
		t->cgroup_id = 0xc0 + i, t->uid = 1 + i, t->gid = 2 + i, t->euid = 3 + i;
		t->egid = 4 + i, t->pidns = 5 + i, t->mntns = 6 + i, t->netns = 7 + i;
		snprintf(t->comm, sizeof(t->comm), "comm-number-%u", i);
	}
	memcpy(rows, &fk, sizeof(fk));
	memcpy(rows + sizeof(fk), &cr, sizeof(cr));
	memcpy(rows + sizeof(fk) + sizeof(cr), &ex, sizeof(ex));

	p = put(p, &marker, 16);
	for (unsigned c = 0; c < 8; c += 4)
		for (unsigned i = 0; i < 3; i++)
			p = put(p, (const unsigned char *)hs[i] + c, 4);
	__u64 d[3];
	for (unsigned i = 0; i < 3; i++)
		d[i] = hs[i]->ts - prev, prev = hs[i]->ts;
	for (unsigned byte = 0; byte < 8; byte++)
		for (unsigned i = 0; i < 3; i++)
			p = put(p, (const unsigned char *)&d[i] + byte, 1);
	for (unsigned k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		for (unsigned i = 0; i < 2; i++)
			p = put(p, (const unsigned char *)tasks[i] + cols[k][0] - 16, cols[k][1]);
	/* type 2 (fork): nothing past its task block; type 3 (exit): 104, 108;
	 * type 9 (connect_result): 16, 20, 24, 28 */
	p = put(p, (const unsigned char *)&ex + 104, 4);
	p = put(p, (const unsigned char *)&ex + 108, 4);
	for (unsigned c = 16; c < 32; c += 4)
		p = put(p, (const unsigned char *)&cr + c, 4);
	assert_int_equal(p - want, sizeof(want));

	assert_int_equal(exray_columns_encode(rows, sizeof(rows), got), 0);
	assert_memory_equal(got, want, sizeof(want));
	memset(rows, 0, sizeof(rows));
	assert_int_equal(exray_columns_decode(want, sizeof(want), rows, &why), 0);
	assert_memory_equal(rows, &fk, sizeof(fk));
	assert_memory_equal(rows + sizeof(fk), &cr, sizeof(cr));
	assert_memory_equal(rows + sizeof(fk) + sizeof(cr), &ex, sizeof(ex));
}

static void test_encode_decode_identical(void **state)
{
	struct buf b;
	unsigned char *enc, *dec;
	const char *why;

	sample(&b);
	enc = malloc(b.len + 16);
	dec = malloc(b.len);
	assert_int_equal(exray_columns_encode(b.data, b.len, enc), 0);
	assert_true(exray_columns_is(enc, b.len + 16));
	assert_int_equal(((struct exray_rec_hdr *)enc)->len, b.len + 16);
	assert_int_equal(((struct exray_rec_hdr *)enc)->ts, b.count);
	assert_memory_not_equal(enc + 16, b.data, b.len); /* really rearranged */
	assert_int_equal(exray_columns_decode(enc, b.len + 16, dec, &why), 0);
	assert_memory_equal(dec, b.data, b.len);

	/* not whole records: refused */
	assert_int_equal(exray_columns_encode(b.data, 24, enc), -EINVAL);
	/* no records: a marker alone */
	assert_int_equal(exray_columns_encode(b.data, 0, enc), 0);
	assert_int_equal(exray_columns_decode(enc, 16, dec, &why), 0);
	free(enc);
	free(dec);
}

static void test_corrupt_refused(void **state)
{
	struct buf b;
	struct exray_rec_hdr *m;
	unsigned char *enc, *bad, *dec;
	const char *why;
	size_t n;

	sample(&b);
	n = b.len + 16;
	enc = malloc(n), bad = malloc(n), dec = malloc(n);
	assert_int_equal(exray_columns_encode(b.data, b.len, enc), 0);
	m = (void *)bad;

	memcpy(bad, enc, n), m->len += 8;
	assert_int_equal(exray_columns_decode(bad, n, dec, &why), -EINVAL);
	assert_non_null(strstr(why, "marker"));
	memcpy(bad, enc, n), m->flags = 2;
	assert_int_equal(exray_columns_decode(bad, n, dec, &why), -EINVAL);
	assert_non_null(strstr(why, "layout"));
	memcpy(bad, enc, n), m->ts = n;
	assert_int_equal(exray_columns_decode(bad, n, dec, &why), -EINVAL);
	memcpy(bad, enc, n), m->ts -= 1;
	assert_int_equal(exray_columns_decode(bad, n, dec, &why), -EINVAL);
	assert_non_null(strstr(why, "add up"));
	memcpy(bad, enc, n), bad[16 + 4 * b.count] += 8; /* the first record's len */
	assert_int_equal(exray_columns_decode(bad, n, dec, &why), -EINVAL);

	/* every byte flipped: decoded or refused, never out of bounds; a
	 * flip outside the lengths' column still decodes to the same size */
	for (size_t i = 0; i < n; i++) {
		int rc;

		memcpy(bad, enc, n);
		bad[i] ^= 0x5a;
		rc = exray_columns_decode(bad, n, dec, &why);
		assert_true(rc == 0 || rc == -EINVAL);
		if (i >= 16 + 4 * b.count && i < 16 + 8 * b.count)
			continue;
		if (i >= 16 && i < 16 + 4 * b.count)
			continue; /* a type changed: a different split, maybe sound */
		if (i >= 16)
			assert_int_equal(rc, 0);
	}
	free(enc), free(bad), free(dec);
}

/* Write the sample in frames of 7 records (a stats frame after the third),
 * read it back: the records the reader returns, and its issue count. */
static void write_read(bool columns, struct buf *out, size_t *issues, __u64 *bytes_raw)
{
	struct exray_seg_writer_opts opts = { .columns = columns };
	struct exray_seg_membuf mem;
	struct exray_seg_writer *w;
	struct exray_seg_reader *r;
	struct exray_seg_header hdr = { .seq = 2 };
	const struct exray_rec_hdr *h;
	struct buf b;
	size_t off = 0;
	int rc;

	sample(&b);
	exray_seg_membuf_init(&mem);
	assert_int_equal(exray_seg_writer_open_backend(&w, &mem.be, &hdr, &opts), 0);
	for (size_t f = 0; off < b.len; f++) {
		for (int i = 0; i < 7 && off < b.len; i++) {
			const struct exray_rec_hdr *rh = (const void *)(b.data + off);

			assert_int_equal(exray_seg_append(w, rh, rh->len), 0);
			off += rh->len;
		}
		assert_int_equal(exray_seg_frame_out(w), 0);
		if (f == 2)
			assert_int_equal(exray_seg_write_stats(w, 1), 0);
	}
	assert_int_equal(exray_seg_writer_close(w, 2), 0);

	memset(out, 0, sizeof(*out));
	assert_int_equal(exray_seg_reader_open_mem(&r, mem.data, mem.len), 0);
	while ((rc = exray_seg_next(r, &h)) == 1) {
		memcpy(out->data + out->len, h, h->len);
		out->len += h->len;
		out->count++;
	}
	assert_int_equal(rc, 0);
	*issues = exray_seg_reader_issue_count(r);
	assert_non_null(exray_seg_reader_footer(r));
	*bytes_raw = exray_seg_reader_footer(r)->bytes_raw;
	exray_seg_reader_free(r);
	exray_seg_membuf_release(&mem);
}

/* Through the writer and reader, columns frames give exactly what row
 * frames give: the same records, the same issues (the sample's unknown
 * and malformed records), the same raw byte count. */
static void test_writer_reader_same_as_rows(void **state)
{
	static struct buf rows, cols;
	size_t ri, ci;
	__u64 rraw, craw;

	write_read(false, &rows, &ri, &rraw);
	write_read(true, &cols, &ci, &craw);
	assert_true(rows.count >= 60); /* the rest: malformed strings, unknown types */
	assert_int_equal(cols.count, rows.count);
	assert_int_equal(cols.len, rows.len);
	assert_memory_equal(cols.data, rows.data, rows.len);
	assert_int_equal(ci, ri);
	assert_int_equal(craw, rraw);
}

/* A columns frame whose content is sound zstd but not a sound layout (a
 * writer bug): named as a bad record, the frames after it still read. */
static void test_reader_names_broken_frame(void **state)
{
	struct buf b;
	unsigned char rec[104] = { 0 }, file[4096];
	struct exray_rec_hdr *fk = (void *)rec;
	unsigned char *enc;
	struct exray_seg_reader *r;
	const struct exray_rec_hdr *h;
	size_t n, len = 0;
	int got = 0;

	*fk = (struct exray_rec_hdr){ EXRAY_REC_FORK, 0, sizeof(rec), 9 };
	memset(&b, 0, sizeof(b));
	memcpy(b.data, rec, sizeof(rec));
	b.len = sizeof(rec);
	enc = malloc(b.len + 16);
	for (int f = 0; f < 3; f++) {
		assert_int_equal(exray_columns_encode(b.data, b.len, enc), 0);
		if (f == 1)
			((struct exray_rec_hdr *)enc)->flags = 7; /* unknown layout */
		n = ZSTD_compress(file + len, sizeof(file) - len, enc, b.len + 16, 3);
		assert_false(ZSTD_isError(n));
		len += n;
	}
	assert_int_equal(exray_seg_reader_open_mem(&r, file, len), 0);
	while (exray_seg_next(r, &h) == 1)
		got++;
	assert_int_equal(got, 2);
	bool named = false;
	for (size_t i = 0; i < exray_seg_reader_issue_count(r); i++)
		if (exray_seg_reader_issue(r, i)->kind == EXRAY_ISSUE_BAD_RECORD &&
		    strstr(exray_seg_reader_issue(r, i)->detail, "unknown layout"))
			named = true;
	assert_true(named);
	exray_seg_reader_free(r);
	free(enc);
}

/* Every committed fixture segment (real captures, row frames), its records
 * written again in columns frames at the fixture's own frame boundaries:
 * the reader gives back the same records, byte for byte, at the same frame
 * indexes. Run from the repository root, as run-tests.sh does. */
static void test_fixtures_through_columns(void **state)
{
	glob_t g;
	size_t files = 0, total = 0;

	assert_int_equal(glob("fixtures/*/segments/*.exray.zst", 0, NULL, &g), 0);
	for (size_t k = 0; k < g.gl_pathc; k++) {
		struct exray_seg_writer_opts opts = { .columns = true, .frame_bytes = 16u << 20 };
		struct exray_seg_header hdr = { 0 };
		struct exray_seg_membuf mem;
		struct exray_seg_reader *r, *r2;
		struct exray_seg_writer *w;
		const struct exray_rec_hdr *h, *h2;
		__u64 frame = ~0ull, off, off2;
		__u32 idx, idx2;

		assert_int_equal(exray_seg_reader_open(&r, g.gl_pathv[k]), 0);
		exray_seg_membuf_init(&mem);
		assert_int_equal(exray_seg_writer_open_backend(&w, &mem.be, &hdr, &opts), 0);
		while (exray_seg_next(r, &h) == 1) {
			exray_seg_reader_record_pos(r, &off, &idx);
			if (off != frame && frame != ~0ull)
				assert_int_equal(exray_seg_frame_out(w), 0);
			frame = off;
			assert_int_equal(exray_seg_append(w, h, h->len), 0);
		}
		assert_int_equal(exray_seg_writer_close(w, 0), 0);
		exray_seg_reader_free(r);

		/* again, side by side */
		assert_int_equal(exray_seg_reader_open(&r, g.gl_pathv[k]), 0);
		assert_int_equal(exray_seg_reader_open_mem(&r2, mem.data, mem.len), 0);
		while (exray_seg_next(r, &h) == 1) {
			assert_int_equal(exray_seg_next(r2, &h2), 1);
			assert_int_equal(h2->len, h->len);
			assert_memory_equal(h2, h, h->len);
			exray_seg_reader_record_pos(r, &off, &idx);
			exray_seg_reader_record_pos(r2, &off2, &idx2);
			assert_int_equal(idx2, idx);
			total++;
		}
		assert_int_equal(exray_seg_next(r2, &h2), 0);
		assert_int_equal(exray_seg_reader_issue_count(r2), 0);
		exray_seg_reader_free(r2);
		exray_seg_reader_free(r);
		exray_seg_membuf_release(&mem);
		files++;
	}
	globfree(&g);
	assert_true(files >= 10 && total > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_as_documented),
		cmocka_unit_test(test_encode_decode_identical),
		cmocka_unit_test(test_corrupt_refused),
		cmocka_unit_test(test_writer_reader_same_as_rows),
		cmocka_unit_test(test_reader_names_broken_frame),
		cmocka_unit_test(test_fixtures_through_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
