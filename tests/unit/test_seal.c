// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Sealed segments: a capture of several segments is written in memory with a
 * known verification key, then copies of it are tampered with in every way
 * issue 15 lists; each copy must fail with the first frame that does not
 * verify named, and the untouched capture must verify. A control forges the
 * same edits with the right key, to show the failures come from the seals
 * and not from a broken copy.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zstd.h>
#include "segment.h"
#include "segment_format.h"
#include "seal.h"

#define NSEG 3
#define NFR 4
#define SEAL_FRAME (EXRAY_META_PREFIX + sizeof(struct exray_seg_seal))

static const __u8 KEY[EXRAY_SEAL_KEY_BYTES] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

struct seg {
	unsigned char *data;
	size_t len;
	size_t frame_off[NFR], frame_end[NFR]; /* event frame i; its seal follows */
};

struct capture {
	struct seg seg[NSEG];
};

static void make_header(struct exray_seg_header *h, __u64 seq)
{
	memset(h, 0, sizeof(*h));
	h->seq = seq;
	h->boot_to_wall_ns = 1700000000000000000ll;
	memset(h->boot_id, 0xab, sizeof(h->boot_id));
	memset(h->capture_id, 0xcd, sizeof(h->capture_id));
	snprintf(h->host, sizeof(h->host), "sealhost");
	snprintf(h->recorder_version, sizeof(h->recorder_version), "test");
}

static void add_forks(struct exray_seg_writer *w, __u32 first)
{
	for (__u32 pid = first; pid < first + 3; pid++) {
		struct exray_fork fk = { .hdr = { EXRAY_REC_FORK, 0, sizeof(fk), 1000 + pid } };

		fk.task.pid = fk.task.tid = pid;
		fk.task.start = 77ull * pid;
		assert_int_equal(exray_seg_append(w, &fk, sizeof(fk)), 0);
	}
}

static void build_capture(struct capture *c)
{
	struct exray_sealer *s;

	assert_int_equal(exray_sealer_from_key(&s, KEY), 0);
	for (int q = 0; q < NSEG; q++) {
		struct exray_seg_membuf m;
		struct exray_seg_writer *w;
		struct exray_seg_header h;
		struct exray_seg_writer_opts o = { .sealer = s };
		struct seg *g = &c->seg[q];

		exray_seg_membuf_init(&m);
		make_header(&h, (__u64)q);
		assert_int_equal(exray_seg_writer_open_backend(&w, &m.be, &h, &o), 0);
		for (int f = 0; f < NFR; f++) {
			g->frame_off[f] = exray_seg_writer_file_bytes(w);
			add_forks(w, (__u32)(100 * q + 10 * f));
			assert_int_equal(exray_seg_frame_out(w), 0);
			g->frame_end[f] = exray_seg_writer_file_bytes(w) - SEAL_FRAME;
			if (f == 1)
				assert_int_equal(exray_seg_write_stats(w, 5), 0);
		}
		assert_int_equal(exray_seg_writer_close(w, 6), 0);
		g->data = m.data;
		g->len = m.len;
	}
	exray_sealer_free(s);
}

static void free_capture(struct capture *c)
{
	for (int q = 0; q < NSEG; q++)
		free(c->seg[q].data);
}

static void copy_capture(struct capture *dst, const struct capture *src)
{
	*dst = *src;
	for (int q = 0; q < NSEG; q++) {
		dst->seg[q].data = malloc(src->seg[q].len + 1);
		memcpy(dst->seg[q].data, src->seg[q].data, src->seg[q].len);
	}
}

/* Replace [at, at + old) of g with n bytes of p. */
static void splice(struct seg *g, size_t at, size_t old, const void *p, size_t n)
{
	unsigned char *d = malloc(g->len - old + n + 1);

	memcpy(d, g->data, at);
	memcpy(d + at, p, n);
	memcpy(d + at + n, g->data + at + old, g->len - at - old);
	free(g->data);
	g->data = d;
	g->len = g->len - old + n;
}

struct verdict {
	bool ok;
	bool keyed;
	int seg;           /* segment (by position given) that failed */
	__u64 offset;      /* first frame that does not verify */
	char detail[256];
};

/* What `exray verify --key` decides, on segments in memory given in any
 * order: every segment's seals, then the links in sequence order. */
static struct verdict verify(struct capture *c, int n, const __u8 *key)
{
	struct exray_seal_verifier *v = NULL;
	struct exray_seg_reader *r[NSEG + 2];
	struct verdict vd = { .ok = true };
	int order[NSEG + 2];

	if (key)
		assert_int_equal(exray_seal_verifier_new(&v, key), 0);
	for (int q = 0; q < n; q++) {
		const struct exray_rec_hdr *h;
		const struct exray_seg_seals *ss;

		assert_int_equal(exray_seg_reader_open_mem(&r[q], c->seg[q].data, c->seg[q].len), 0);
		exray_seg_reader_set_verifier(r[q], v);
		while (exray_seg_next(r[q], &h) == 1)
			;
		ss = exray_seg_reader_seals(r[q]);
		vd.keyed = ss->keyed;
		if (vd.ok && (!ss->sealed || ss->failed)) {
			vd.ok = false;
			vd.seg = q;
			vd.offset = ss->fail_offset;
			snprintf(vd.detail, sizeof(vd.detail), "%s", ss->sealed ? ss->detail : "not sealed");
		}
		order[q] = q;
	}
	/* sequence order, then the links */
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && exray_seg_reader_header(r[order[k]])->seq <
					   exray_seg_reader_header(r[order[k - 1]])->seq; k--) {
			int t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	for (int i = 1; vd.ok && i < n; i++) {
		const struct exray_seg_header *a = exray_seg_reader_header(r[order[i - 1]]);
		const struct exray_seg_header *b = exray_seg_reader_header(r[order[i]]);

		if (b->seq != a->seq + 1) {
			vd.ok = false;
			snprintf(vd.detail, sizeof(vd.detail), "seq %llu follows %llu",
				 (unsigned long long)b->seq, (unsigned long long)a->seq);
		} else if (!exray_seg_seals_link(exray_seg_reader_seals(r[order[i - 1]]), b, vd.detail,
						 sizeof(vd.detail))) {
			vd.ok = false;
		}
		if (!vd.ok)
			vd.seg = order[i];
	}
	if (vd.ok && n && exray_seg_reader_header(r[order[0]])->seq != 0) {
		vd.ok = false;
		snprintf(vd.detail, sizeof(vd.detail), "first segment missing");
	}
	for (int q = 0; q < n; q++)
		exray_seg_reader_free(r[q]);
	exray_seal_verifier_free(v);
	return vd;
}

#define EXPECT_FAIL(c, n, seg_, off_, words)                                                    \
	do {                                                                                    \
		struct verdict vd_ = verify((c), (n), KEY);                                     \
		if (vd_.ok)                                                                     \
			fail_msg("%s: verified, must fail", (words));                           \
		assert_int_equal(vd_.seg, (seg_));                                              \
		if ((long long)(off_) >= 0 && vd_.offset != (__u64)(off_))                      \
			fail_msg("%s: fails at %llu (%s), expected %llu", (words),              \
				 (unsigned long long)vd_.offset, vd_.detail,                   \
				 (unsigned long long)(off_));                                   \
		if (!strstr(vd_.detail, (words)))                                               \
			fail_msg("'%s' not in '%s'", (words), vd_.detail);                      \
	} while (0)

/* A frame's records recompressed after an edit: a valid zstd frame with a
 * correct content checksum, different bytes. */
static size_t recompressed(const struct seg *g, int f, unsigned char *out, size_t cap)
{
	unsigned char raw[4096];
	size_t n = ZSTD_decompress(raw, sizeof(raw), g->data + g->frame_off[f],
				   g->frame_end[f] - g->frame_off[f]);
	ZSTD_CCtx *c = ZSTD_createCCtx();

	assert_false(ZSTD_isError(n));
	((struct exray_fork *)raw)->task.pid = 31337; /* hide a process */
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1);
	n = ZSTD_compress2(c, out, cap, raw, n);
	ZSTD_freeCCtx(c);
	assert_false(ZSTD_isError(n));
	return n;
}

/* The seal frame that follows event frame f, rewritten: key index
 * `key_index`, MAC made with key index `mac_index` (holding that key is
 * what an attacker who took the host when it was current has). */
static void reseal(struct seg *g, int f, __u64 key_index, __u64 mac_index)
{
	struct exray_seal_verifier *k;
	struct exray_seal_block b = { 0 };
	struct exray_seg_seal s;
	unsigned char *sf = g->data + g->frame_end[f];
	const unsigned char *prev = g->data + g->frame_off[f] - SEAL_FRAME;
	struct exray_seg_header h;

	memcpy(&h, g->data + EXRAY_META_PREFIX, sizeof(h));
	memcpy(&s, sf + EXRAY_META_PREFIX, sizeof(s));
	memcpy(b.capture_id, h.capture_id, 16);
	b.seq = h.seq;
	b.key_index = mac_index;
	b.seal_no = s.seal_no;
	b.flags = s.flags;
	b.boot_ns = s.boot_ns;
	b.span_offset = g->frame_off[f];
	b.span_len = g->frame_end[f] - g->frame_off[f];
	memcpy(b.prev_seal, prev + EXRAY_META_PREFIX + offsetof(struct exray_seg_seal, seal), 32);
	exray_seal_span_hash(g->data + b.span_offset, b.span_len, b.span_hash);
	assert_int_equal(exray_seal_verifier_new(&k, KEY), 0);
	assert_int_equal(exray_seal_verifier_mac(k, &b, s.seal), 0);
	exray_seal_verifier_free(k);
	s.key_index = key_index;
	exray_meta_encode(sf, EXRAY_META_SEAL, &s, sizeof(s));
}

static __u64 seal_index(const struct seg *g, int f)
{
	struct exray_seg_seal s;

	memcpy(&s, g->data + g->frame_end[f] + EXRAY_META_PREFIX, sizeof(s));
	return s.key_index;
}

/* Replace event frame f by an edited, recompressed one (its seal moves). */
static void edit_frame(struct seg *g, int f)
{
	unsigned char nf[4096];
	size_t n = recompressed(g, f, nf, sizeof(nf));
	long d = (long)n - (long)(g->frame_end[f] - g->frame_off[f]);

	splice(g, g->frame_off[f], g->frame_end[f] - g->frame_off[f], nf, n);
	g->frame_end[f] += d;
	for (int k = f + 1; k < NFR; k++)
		g->frame_off[k] += d, g->frame_end[k] += d;
}

/* ------------------------------------------------------------------ tests */

static struct capture base;

static int setup(void **state)
{
	build_capture(&base);
	return 0;
}

static int teardown(void **state)
{
	free_capture(&base);
	return 0;
}

static void test_untouched_verifies(void **state)
{
	struct verdict vd = verify(&base, NSEG, KEY);
	struct exray_seg_reader *r;
	const struct exray_rec_hdr *h;
	size_t recs = 0;

	if (!vd.ok)
		fail_msg("untouched capture: %s", vd.detail);
	assert_true(vd.keyed);
	/* without a key: the chain's shape, and it says the seals were not checked */
	vd = verify(&base, NSEG, NULL);
	assert_true(vd.ok);
	assert_false(vd.keyed);
	/* old readers see records and no damage; the seal frames are skipped */
	assert_int_equal(exray_seg_reader_open_mem(&r, base.seg[1].data, base.seg[1].len), 0);
	while (exray_seg_next(r, &h) == 1)
		recs++;
	assert_int_equal(recs, 3 * NFR);
	assert_int_equal(exray_seg_reader_issue_count(r), 0);
	assert_true(exray_seg_reader_seals(r)->final);
	/* header, 4 frames, stats after frame 1 (with frame 1's own seal first),
	 * footer: 7 seals */
	assert_int_equal(exray_seg_reader_seals(r)->seals, 7);
	assert_int_equal(exray_seg_reader_seals(r)->first_index, 7);
	exray_seg_reader_free(r);
}

static void test_wrong_key(void **state)
{
	__u8 other[EXRAY_SEAL_KEY_BYTES];

	memcpy(other, KEY, sizeof(other));
	other[31] ^= 1;
	struct verdict vd = verify(&base, NSEG, other);
	assert_false(vd.ok);
	assert_int_equal(vd.seg, 0);
	assert_int_equal(vd.offset, 0);
	assert_non_null(strstr(vd.detail, "wrong key"));
}

static void test_edited_frame(void **state)
{
	struct capture c;

	/* one bit in an event frame (its zstd checksum now fails too) */
	copy_capture(&c, &base);
	c.seg[1].data[c.seg[1].frame_off[2] + 20] ^= 4;
	EXPECT_FAIL(&c, NSEG, 1, c.seg[1].frame_off[2], "does not verify");
	free_capture(&c);

	/* recompressed after the edit: zstd -t is happy, the seal is not */
	copy_capture(&c, &base);
	edit_frame(&c.seg[1], 2);
	EXPECT_FAIL(&c, NSEG, 1, c.seg[1].frame_off[2], "does not verify");
	/* control: the same edit sealed with the right key verifies, so what
	 * fails above is the seal, not the copy; the chain then breaks at the
	 * next seal, which still names the old one */
	reseal(&c.seg[1], 2, seal_index(&c.seg[1], 2), seal_index(&c.seg[1], 2));
	struct verdict vd = verify(&c, NSEG, KEY);
	assert_false(vd.ok);
	if (vd.offset <= c.seg[1].frame_end[2])
		fail_msg("control forged with the verification key: %s", vd.detail);
	free_capture(&c);

	/* the header (its host name), with its CRC fixed */
	copy_capture(&c, &base);
	struct exray_seg_header h;
	memcpy(&h, c.seg[0].data + EXRAY_META_PREFIX, sizeof(h));
	h.host[0] = 'X';
	exray_meta_encode(c.seg[0].data, EXRAY_META_HEADER, &h, sizeof(h));
	EXPECT_FAIL(&c, NSEG, 0, 0, "does not verify");
	free_capture(&c);
}

/* journald CVE-2023-31439: an attacker who took the host later holds a later
 * key and reseals an old frame with it. */
static void test_resealed_with_later_key(void **state)
{
	struct capture c;
	__u64 later = seal_index(&base.seg[2], NFR - 1) + 1; /* the key current at the end */

	copy_capture(&c, &base);
	edit_frame(&c.seg[0], 1);
	reseal(&c.seg[0], 1, later, later); /* says so */
	EXPECT_FAIL(&c, NSEG, 0, c.seg[0].frame_off[1], "later key");
	free_capture(&c);

	copy_capture(&c, &base);
	edit_frame(&c.seg[0], 1);
	reseal(&c.seg[0], 1, seal_index(&c.seg[0], 1), later); /* lies about it */
	EXPECT_FAIL(&c, NSEG, 0, c.seg[0].frame_off[1], "does not verify");
	free_capture(&c);
}

static void test_dropped_inserted_reordered_frames(void **state)
{
	struct capture c;
	struct seg *g;
	unsigned char *pair;
	size_t plen;

	/* dropped: an event frame and its seal */
	copy_capture(&c, &base);
	g = &c.seg[1];
	splice(g, g->frame_off[1], g->frame_end[1] + SEAL_FRAME - g->frame_off[1], "", 0);
	EXPECT_FAIL(&c, NSEG, 1, g->frame_off[1], "seal number");
	free_capture(&c);

	/* dropped: an event frame, its seal kept */
	copy_capture(&c, &base);
	g = &c.seg[1];
	splice(g, g->frame_off[3], g->frame_end[3] - g->frame_off[3], "", 0);
	EXPECT_FAIL(&c, NSEG, 1, g->frame_off[3], "does not verify");
	free_capture(&c);

	/* duplicated: frame 0 and its seal again after itself */
	copy_capture(&c, &base);
	g = &c.seg[2];
	plen = g->frame_end[0] + SEAL_FRAME - g->frame_off[0];
	pair = malloc(plen);
	memcpy(pair, g->data + g->frame_off[0], plen);
	splice(g, g->frame_off[0] + plen, 0, pair, plen);
	EXPECT_FAIL(&c, NSEG, 2, g->frame_off[0] + plen, "seal number");
	free_capture(&c);

	/* inserted: frame 0 of segment 2 with its seal, into segment 1 */
	copy_capture(&c, &base);
	splice(&c.seg[1], c.seg[1].frame_off[3], 0, pair, plen);
	EXPECT_FAIL(&c, NSEG, 1, c.seg[1].frame_off[3], "seal number");
	free_capture(&c);
	free(pair);

	/* reordered: frames 2 and 3 (each with its seal) swapped */
	copy_capture(&c, &base);
	g = &c.seg[0];
	size_t a = g->frame_off[2], mid = g->frame_off[3], end = g->frame_end[3] + SEAL_FRAME;
	unsigned char *tmp = malloc(end - a);
	memcpy(tmp, g->data + mid, end - mid);
	memcpy(tmp + (end - mid), g->data + a, mid - a);
	memcpy(g->data + a, tmp, end - a);
	free(tmp);
	EXPECT_FAIL(&c, NSEG, 0, a, "seal number");
	free_capture(&c);
}

static void test_segments_deleted_reordered_truncated(void **state)
{
	struct capture c;
	struct verdict vd;

	/* a middle segment deleted */
	copy_capture(&c, &base);
	struct seg keep = c.seg[1];
	c.seg[1] = c.seg[2];
	c.seg[2] = keep;
	vd = verify(&c, NSEG - 1, KEY);
	assert_false(vd.ok);
	assert_int_equal(vd.seg, 1);
	free_capture(&c);

	/* the files given in another order: seq decides, nothing is wrong */
	copy_capture(&c, &base);
	keep = c.seg[0];
	c.seg[0] = c.seg[2];
	c.seg[2] = keep;
	vd = verify(&c, NSEG, KEY);
	assert_true(vd.ok);
	/* but segments renumbered to reorder them (header CRCs fixed) fail */
	for (int q = 0; q < NSEG; q += 2) {
		struct exray_seg_header h;

		memcpy(&h, c.seg[q].data + EXRAY_META_PREFIX, sizeof(h));
		h.seq = 2 - h.seq;
		exray_meta_encode(c.seg[q].data, EXRAY_META_HEADER, &h, sizeof(h));
	}
	vd = verify(&c, NSEG, KEY);
	assert_false(vd.ok);
	assert_int_equal(vd.offset, 0);
	free_capture(&c);

	/* a finished segment cut short: before its footer (the next header
	 * names a final seal it does not have), and just before its final seal */
	copy_capture(&c, &base);
	c.seg[1].len = c.seg[1].frame_end[NFR - 1] + SEAL_FRAME;
	EXPECT_FAIL(&c, NSEG, 2, -1, "no final seal");
	c.seg[1].len = base.seg[1].len - SEAL_FRAME;
	EXPECT_FAIL(&c, NSEG, 1, -1, "footer is not sealed");
	free_capture(&c);

	/* the newest segment cut short reads as a recorder stopped abruptly:
	 * its seals verify up to the cut, the rest is reported unsealed */
	copy_capture(&c, &base);
	c.seg[2].len = c.seg[2].frame_end[2] + SEAL_FRAME + 7;
	vd = verify(&c, NSEG, KEY);
	assert_true(vd.ok);
	free_capture(&c);
}

/* A full disk at a seal frame: the seal is kept (its key is gone) and
 * written by the next call; the result verifies. Idle ticks seal too. */
static void test_seal_waits_for_disk_space(void **state)
{
	struct exray_sealer *s;
	struct exray_seg_membuf m;
	struct exray_seg_writer *w;
	struct exray_seg_header h;
	struct exray_seg_writer_opts o;
	struct capture c = { 0 };
	struct verdict vd;
	size_t before;

	assert_int_equal(exray_sealer_from_key(&s, KEY), 0);
	o = (struct exray_seg_writer_opts){ .sealer = s };
	exray_seg_membuf_init(&m);
	make_header(&h, 0);
	assert_int_equal(exray_seg_writer_open_backend(&w, &m.be, &h, &o), 0);
	assert_int_equal(exray_seg_seal_tick(w), 0); /* just sealed: nothing */
	before = m.len;
	add_forks(w, 1);
	/* room for the event frame, not for its seal */
	m.space = m.len + 60;
	assert_int_equal(exray_seg_frame_out(w), -ENOSPC);
	m.space = 0;
	assert_int_equal(exray_seg_flush(w), 0);
	assert_true(m.len > before + SEAL_FRAME);
	usleep(510 * 1000);
	before = m.len;
	assert_int_equal(exray_seg_seal_tick(w), 0); /* idle: a seal of nothing */
	assert_int_equal(m.len, before + SEAL_FRAME);
	assert_int_equal(exray_seg_writer_close(w, 1), 0);
	exray_sealer_free(s);

	c.seg[0].data = m.data;
	c.seg[0].len = m.len;
	vd = verify(&c, 1, KEY);
	if (!vd.ok)
		fail_msg("%s", vd.detail);
	exray_seg_membuf_release(&m);
}

static void test_key_text(void **state)
{
	char text[512], hex[65];
	__u8 back[EXRAY_SEAL_KEY_BYTES], cap[16] = { 0xcd };

	assert_true(exray_seal_key_format(KEY, cap, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "off the recording host"));
	assert_int_equal(exray_seal_key_parse(text, back), 0);
	assert_memory_equal(back, KEY, sizeof(back));
	exray_seal_hex(KEY, sizeof(KEY), hex);
	memset(back, 0, sizeof(back));
	assert_int_equal(exray_seal_key_parse(hex, back), 0);
	assert_memory_equal(back, KEY, sizeof(back));
	assert_int_equal(exray_seal_key_parse("abc", back), -EINVAL);
	hex[10] = 'g';
	assert_int_equal(exray_seal_key_parse(hex, back), -EINVAL);
	assert_int_equal(exray_seal_key_format(KEY, cap, text, 40), -ENOSPC);
}

/* The verifier reaches any key index across epochs, backwards too, and
 * agrees with the sealer; implausible indexes are refused. */
static void test_schedule(void **state)
{
	struct exray_sealer *s;
	struct exray_seal_verifier *v;
	struct exray_seal_block b = { 0 };
	__u8 seal[32], want[32], at[3][32];
	const __u64 probe[3] = { 3, EXRAY_SEAL_EPOCH - 1, EXRAY_SEAL_EPOCH + 2 };
	int k = 0;

	assert_int_equal(exray_sealer_from_key(&s, KEY), 0);
	assert_int_equal(exray_seal_verifier_new(&v, KEY), 0);
	for (__u64 i = 0; i <= EXRAY_SEAL_EPOCH + 2; i++) {
		b.span_len = i;
		exray_sealer_seal(s, &b, seal);
		assert_int_equal(b.key_index, i);
		if (k < 3 && i == probe[k])
			memcpy(at[k++], seal, 32);
	}
	for (int p = 2; p >= 0; p--) { /* backwards: the verifier rewinds */
		memset(&b, 0, sizeof(b));
		b.span_len = b.key_index = probe[p];
		/* prev_seal: what the sealer chained in */
		struct exray_sealer *s2;
		__u8 tmp[32];
		assert_int_equal(exray_sealer_from_key(&s2, KEY), 0);
		for (__u64 i = 0; i < probe[p]; i++) {
			struct exray_seal_block x = { .span_len = i };
			exray_sealer_seal(s2, &x, tmp);
		}
		if (probe[p])
			memcpy(b.prev_seal, tmp, 32);
		exray_sealer_free(s2);
		assert_int_equal(exray_seal_verifier_mac(v, &b, want), 0);
		assert_memory_equal(want, at[p], 32);
	}
	b.key_index = EXRAY_SEAL_MAX_INDEX + 1;
	assert_int_equal(exray_seal_verifier_mac(v, &b, want), -ERANGE);
	exray_seal_verifier_free(v);
	exray_sealer_free(s);
}

/* SEGMENT.md's worked example, byte for byte: if this fails, the spec and
 * the code disagree. */
static void test_worked_example(void **state)
{
	static const char fp_hex[] = "ac56a3738aff957c31123d7667461864";
	static const char seal0_hex[] =
		"0e89b384a7a249122d538363c6551f0aa0d6fc185c018514f18835740b98172c";
	static const char seal1_hex[] =
		"979b2be1580caddfc710e71de4fb5b74f25add6ebaa4c61e712566a59a38ff14";
	static const unsigned char frame[80] = {
		0x5e, 0x2a, 0x4d, 0x18, 0x48, 0x00, 0x00, 0x00, 0x45, 0x58, 0x52, 0x4d, 0x04, 0x00, 0x01, 0x05,
		0x38, 0x00, 0x00, 0x00, 0x7b, 0xe2, 0x3f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0xca, 0x9a, 0x3b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x0e, 0x89, 0xb3, 0x84, 0xa7, 0xa2, 0x49, 0x12, 0x2d, 0x53, 0x83, 0x63, 0xc6, 0x55, 0x1f, 0x0a,
		0xa0, 0xd6, 0xfc, 0x18, 0x5c, 0x01, 0x85, 0x14, 0xf1, 0x88, 0x35, 0x74, 0x0b, 0x98, 0x17, 0x2c,
	};
	struct exray_sealer *s;
	struct exray_seal_block b = { 0 };
	struct exray_seg_seal sf = { 0 };
	__u8 seal[32];
	char hex[65];
	unsigned char got[80];

	assert_int_equal(exray_sealer_from_key(&s, KEY), 0);
	exray_seal_hex(exray_sealer_fp(s), 16, hex);
	assert_string_equal(hex, fp_hex);
	memset(b.capture_id, 0xcd, 16);
	b.boot_ns = 1000000000ull;
	b.span_len = 3;
	exray_seal_span_hash("abc", 3, b.span_hash);
	exray_sealer_seal(s, &b, seal);
	exray_seal_hex(seal, 32, hex);
	assert_string_equal(hex, seal0_hex);
	sf.boot_ns = b.boot_ns;
	memcpy(sf.seal, seal, 32);
	exray_meta_encode(got, EXRAY_META_SEAL, &sf, sizeof(sf));
	assert_memory_equal(got, frame, sizeof(frame));

	memset(&b, 0, sizeof(b));
	memset(b.capture_id, 0xcd, 16);
	b.seal_no = 1;
	b.boot_ns = 2000000000ull;
	b.span_offset = 83;
	exray_seal_span_hash("", 0, b.span_hash);
	exray_sealer_seal(s, &b, seal);
	assert_int_equal(b.key_index, 1);
	exray_seal_hex(seal, 32, hex);
	assert_string_equal(hex, seal1_hex);
	exray_sealer_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untouched_verifies),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_edited_frame),
		cmocka_unit_test(test_resealed_with_later_key),
		cmocka_unit_test(test_dropped_inserted_reordered_frames),
		cmocka_unit_test(test_segments_deleted_reordered_truncated),
		cmocka_unit_test(test_seal_waits_for_disk_space),
		cmocka_unit_test(test_key_text),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_worked_example),
	};

	return cmocka_run_group_tests_name("seal", tests, setup, teardown);
}
