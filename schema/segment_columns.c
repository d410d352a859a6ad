// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The columns layout of an event frame (SEGMENT.md, "Columns frames", 1.4):
 * the frame's records rearranged so that the same field of successive
 * records lies side by side before zstd sees it (a pid next to pids, a
 * timestamp delta next to deltas), which zstd compresses 10-20 % better
 * than whole records one after another (the larger the frame, the better). A pure permutation plus
 * timestamp deltas: decoding gives back the records byte for byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "segment_columns.h"

/* The fixed part of each type as of layout 1 (the struct sizes of format
 * 1.4). Pinned here, not taken from exray_events.h: a struct that grows in
 * a later version must not change how layout 1 is split. 0: header only. */
static const __u16 fixed_v1[] = {
	[EXRAY_REC_EXEC] = 112, [EXRAY_REC_FORK] = 104, [EXRAY_REC_EXIT] = 112,
	[EXRAY_REC_CONNECT] = 152, [EXRAY_REC_SYN] = 72, [EXRAY_REC_SNAPSHOT] = 112,
	[EXRAY_REC_CGROUP] = 32, [EXRAY_REC_LOSS] = 32, [EXRAY_REC_CONNECT_RESULT] = 32,
	[EXRAY_REC_FILE] = 136, [EXRAY_REC_PRIV] = 160, [EXRAY_REC_NS] = 144,
	[EXRAY_REC_PTRACE] = 144, [EXRAY_REC_SOCKET] = 152, [EXRAY_REC_MEMFD] = 120,
	[EXRAY_REC_BPF] = 136, [EXRAY_REC_URING] = 144, [EXRAY_REC_CONTAINER] = 32,
};

#define TASK_END 104u

/* The task block's columns: (offset in the record, width). The 8-byte
 * fields (start, pstart, cgroup id, comm) stay whole so a value repeated
 * by the next record is one long zstd match. */
static const struct { __u8 off, width; } task_cols[] = {
	{ 16, 4 }, { 20, 4 }, { 24, 4 }, { 28, 4 }, { 32, 8 }, { 40, 8 }, { 48, 8 },
	{ 56, 4 }, { 60, 4 }, { 64, 4 }, { 68, 4 }, { 72, 4 }, { 76, 4 }, { 80, 4 },
	{ 84, 4 }, { 88, 8 }, { 96, 8 },
};

static bool has_task(__u16 type, __u32 len)
{
	switch (type) {
	case EXRAY_REC_EXEC: case EXRAY_REC_FORK: case EXRAY_REC_EXIT: case EXRAY_REC_CONNECT:
	case EXRAY_REC_SNAPSHOT: case EXRAY_REC_FILE: case EXRAY_REC_PRIV: case EXRAY_REC_NS:
	case EXRAY_REC_PTRACE: case EXRAY_REC_SOCKET: case EXRAY_REC_MEMFD: case EXRAY_REC_BPF:
	case EXRAY_REC_URING:
		return len >= TASK_END;
	}
	return false;
}

/* Where a record's columned part ends: the rest (strings) is its tail. */
static __u32 fixed_end(__u16 type, __u32 len)
{
	__u32 f = type < sizeof(fixed_v1) / sizeof(fixed_v1[0]) ? fixed_v1[type] : 0;

	if (f < sizeof(struct exray_rec_hdr))
		f = sizeof(struct exray_rec_hdr);
	return f < len ? f : len;
}

struct rec_ref {
	__u32 off, len;
	__u32 rest, fixed; /* per-type columns: [rest, fixed); tail: [fixed, len) */
	__u16 type;
	bool task;
};

static void ref_init(struct rec_ref *r, __u32 off, __u32 len, __u16 type)
{
	*r = (struct rec_ref){ off, len, 0, fixed_end(type, len), type, has_task(type, len) };
	r->rest = r->task ? TASK_END : sizeof(struct exray_rec_hdr);
}

/* Order by type, then frame order: the per-type sections. */
static int by_type(const void *a, const void *b)
{
	const struct rec_ref *x = *(const struct rec_ref *const *)a;
	const struct rec_ref *y = *(const struct rec_ref *const *)b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* sorted: recs by type, frame order within a type (stable). A counting
 * sort when every type is a small number (always, from a recorder). */
static int sort_refs(struct rec_ref *recs, size_t n, struct rec_ref ***sorted)
{
	size_t at[65] = { 0 };
	bool small = true;

	*sorted = malloc((n ? n : 1) * sizeof(**sorted));
	if (!*sorted)
		return -ENOMEM;
	for (size_t i = 0; i < n && small; i++)
		small = recs[i].type < 64;
	if (!small) {
		for (size_t i = 0; i < n; i++)
			(*sorted)[i] = &recs[i];
		qsort(*sorted, n, sizeof(**sorted), by_type);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		at[recs[i].type + 1]++;
	for (unsigned t = 1; t < 65; t++)
		at[t] += at[t - 1];
	for (size_t i = 0; i < n; i++)
		(*sorted)[at[recs[i].type]++] = &recs[i];
	return 0;
}

/*
 * Walk the layout in order: `enc` copies from records to the stream, else
 * back. Timestamps go as deltas from the previous record's (the first from
 * 0). `recs` in frame order, `sorted` the same by type. Inlined twice, so
 * each direction is a loop of fixed-size copies.
 */
static inline __attribute__((always_inline)) void
shuffle(unsigned char *rows, unsigned char *s, const struct rec_ref *recs,
	struct rec_ref *const *sorted, size_t n, const bool enc)
{
#define MOVE(rec_ptr, width)                           \
	do {                                           \
		if (enc)                               \
			memcpy(s, (rec_ptr), (width)); \
		else                                   \
			memcpy((rec_ptr), s, (width)); \
		s += (width);                          \
	} while (0)
	__u64 prev = 0;

	for (unsigned c = 0; c < 8; c += 4)
		for (size_t i = 0; i < n; i++)
			MOVE(rows + recs[i].off + c, 4);
	/* the timestamp deltas as eight columns of one byte each, lowest byte
	 * first: the high bytes of deltas between nearby events are alike */
	for (size_t i = 0; i < n; i++) {
		struct exray_rec_hdr *h = (void *)(rows + recs[i].off);
		__u64 d = 0;

		if (enc) {
			d = h->ts - prev;
			prev = h->ts;
			for (unsigned k = 0; k < 8; k++)
				s[k * n + i] = (unsigned char)(d >> (8 * k));
		} else {
			for (unsigned k = 0; k < 8; k++)
				d |= (__u64)s[k * n + i] << (8 * k);
			h->ts = prev += d;
		}
	}
	s += 8 * n;
	for (size_t k = 0; k < sizeof(task_cols) / sizeof(task_cols[0]); k++) {
		unsigned o = task_cols[k].off;

		if (task_cols[k].width == 4) {
			for (size_t i = 0; i < n; i++)
				if (recs[i].task)
					MOVE(rows + recs[i].off + o, 4);
		} else {
			for (size_t i = 0; i < n; i++)
				if (recs[i].task)
					MOVE(rows + recs[i].off + o, 8);
		}
	}
	for (size_t a = 0, b; a < n; a = b) {
		__u32 lowest = TASK_END, widest = 0;

		for (b = a; b < n && sorted[b]->type == sorted[a]->type; b++) {
			if (sorted[b]->rest < lowest)
				lowest = sorted[b]->rest;
			if (sorted[b]->fixed > widest)
				widest = sorted[b]->fixed;
		}
		for (__u32 c = lowest; c < widest; c += 4)
			for (size_t i = a; i < b; i++)
				if (c >= sorted[i]->rest && c < sorted[i]->fixed)
					MOVE(rows + sorted[i]->off + c, 4);
		for (size_t i = a; i < b; i++)
			MOVE(rows + sorted[i]->off + sorted[i]->fixed, sorted[i]->len - sorted[i]->fixed);
	}
#undef MOVE
}

int exray_columns_encode(const unsigned char *rows, size_t len, unsigned char *out)
{
	struct exray_rec_hdr marker = { .type = EXRAY_REC_COLUMNS, .flags = EXRAY_COLUMNS_LAYOUT };
	struct rec_ref *recs, **sorted = NULL;
	size_t n = 0;
	int err = -ENOMEM;

	if (len > UINT32_MAX - sizeof(marker) || len % EXRAY_REC_ALIGN)
		return -EINVAL;
	for (size_t off = 0; off < len; n++) {
		const struct exray_rec_hdr *h = (const void *)(rows + off);

		if (len - off < sizeof(*h) || h->len < sizeof(*h) || h->len > len - off ||
		    h->len % EXRAY_REC_ALIGN)
			return -EINVAL;
		off += h->len;
	}
	/* sized to the records, not the bytes: small enough for the heap,
	 * no fresh pages per frame */
	recs = malloc((n ? n : 1) * sizeof(*recs));
	if (!recs)
		goto out;
	for (size_t off = 0, i = 0; i < n; i++) {
		const struct exray_rec_hdr *h = (const void *)(rows + off);

		ref_init(&recs[i], (__u32)off, h->len, h->type);
		off += h->len;
	}
	err = sort_refs(recs, n, &sorted);
	if (err)
		goto out;
	marker.len = (__u32)(sizeof(marker) + len);
	marker.ts = n;
	memcpy(out, &marker, sizeof(marker));
	/* encoding only reads the records */
	shuffle((unsigned char *)rows, out + sizeof(marker), recs, sorted, n, true);
out:
	free(sorted);
	free(recs);
	return err;
}

bool exray_columns_is(const unsigned char *frame, size_t len)
{
	const struct exray_rec_hdr *h = (const void *)frame;

	return len >= sizeof(*h) && h->type == EXRAY_REC_COLUMNS;
}

int exray_columns_decode(const unsigned char *in, size_t len, unsigned char *rows,
			 const char **why)
{
	const struct exray_rec_hdr *marker = (const void *)in;
	const unsigned char *s = in + sizeof(*marker);
	size_t body = len - sizeof(*marker), n, off = 0;
	struct rec_ref *recs = NULL, **sorted = NULL;
	int err = -EINVAL;

	*why = "columns frame: bad marker";
	if (!exray_columns_is(in, len) || marker->len != len)
		return -EINVAL;
	*why = "columns frame: unknown layout";
	if (marker->flags != EXRAY_COLUMNS_LAYOUT)
		return -EINVAL;
	*why = "columns frame: record count does not fit";
	if (marker->ts > body / sizeof(struct exray_rec_hdr))
		return -EINVAL;
	n = (size_t)marker->ts;
	recs = malloc((n ? n : 1) * sizeof(*recs));
	if (!recs)
		return -ENOMEM;
	/* the header columns give every record's type and length: lay the
	 * records out, and the rest of the layout follows from them */
	*why = "columns frame: record lengths do not add up";
	for (size_t i = 0; i < n; i++) {
		__u32 tf, rl;

		memcpy(&tf, s + 4 * i, 4);
		memcpy(&rl, s + 4 * (n + i), 4);
		if (rl < sizeof(struct exray_rec_hdr) || rl % EXRAY_REC_ALIGN || rl > body - off)
			goto out;
		ref_init(&recs[i], (__u32)off, rl, (__u16)tf);
		off += rl;
	}
	if (off != body)
		goto out;
	err = sort_refs(recs, n, &sorted);
	if (err)
		goto out;
	/* decoding only reads the stream */
	shuffle(rows, (unsigned char *)s, recs, sorted, n, false);
	*why = NULL;
out:
	free(sorted);
	free(recs);
	return err;
}
