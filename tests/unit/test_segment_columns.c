// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Columns frames (format 1.4): byte-identical round trips of every kind of
 * record (short, unknown, with strings), through the writer and reader too;
 * a broken columns frame is named and skipped, every byte flipped decodes or
 * is refused (never read out of bounds: run under SANITIZE=1). */
#include <errno.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_decode_identical),
		cmocka_unit_test(test_corrupt_refused),
		cmocka_unit_test(test_writer_reader_same_as_rows),
		cmocka_unit_test(test_reader_names_broken_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
