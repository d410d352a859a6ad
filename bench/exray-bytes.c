// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exray-bytes: where the bytes of a capture go, and what another frame
 * layout or zstd level would make of the same records (issue 19).
 *
 *   exray-bytes [-l LEVEL] [-r REPS] SEG|DIR...
 *
 * Reads every record with the segment reader (any format version), keeps
 * the capture's own frame boundaries, and writes the records again through
 * the segment writer (in memory, unsealed) twice: rows (format 1.3 frames)
 * and columns (1.4), at LEVEL (default 3). Prints one JSON object: records,
 * the files' bytes and their frames (event frames, metadata and seals),
 * raw bytes and records per type, and for each layout the event frames'
 * bytes, bytes/record and the writer's CPU ns/record (thread CPU time,
 * the least of REPS runs, default 5). Exit 0, 2 on usage error, 3 if a
 * file cannot be read.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "segment.h"
#include "seglist.h"

struct capture {
	unsigned char *recs; /* every record, concatenated */
	size_t len, cap, count;
	size_t *frame_end;   /* byte offset in recs where each frame ends */
	size_t frames, frames_cap;
	uint64_t file_bytes, by_type[EXRAY_REC_TYPE_MAX], raw_by_type[EXRAY_REC_TYPE_MAX];
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	void *n;

	if (need <= *cap)
		return 0;
	n = realloc(*p, (need * 2) * elem);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = need * 2;
	return 0;
}

static int end_frame(struct capture *c)
{
	if (c->len == (c->frames ? c->frame_end[c->frames - 1] : 0))
		return 0; /* nothing since the last boundary */
	if (grow((void **)&c->frame_end, &c->frames_cap, c->frames + 1, sizeof(size_t)))
		return -ENOMEM;
	c->frame_end[c->frames++] = c->len;
	return 0;
}

static int load(struct capture *c, const char *path)
{
	struct exray_seg_reader *r;
	const struct exray_rec_hdr *h;
	__u64 frame = ~0ull, off;
	__u32 idx;
	int rc, err = exray_seg_reader_open(&r, path);

	if (err) {
		fprintf(stderr, "exray-bytes: %s: %s\n", path, strerror(-err));
		return err;
	}
	while ((rc = exray_seg_next(r, &h)) > 0) {
		exray_seg_reader_record_pos(r, &off, &idx);
		if (off != frame && (err = end_frame(c)))
			break;
		frame = off;
		if ((err = grow((void **)&c->recs, &c->cap, c->len + h->len, 1)))
			break;
		memcpy(c->recs + c->len, h, h->len);
		c->len += h->len;
		c->count++;
		if (h->type < EXRAY_REC_TYPE_MAX) {
			c->by_type[h->type]++;
			c->raw_by_type[h->type] += h->len;
		}
	}
	if (!err)
		err = end_frame(c); /* a segment ends a frame */
	if (rc < 0 && !err) {
		fprintf(stderr, "exray-bytes: %s: %s\n", path, exray_seg_reader_error(r));
		err = rc;
	}
	c->file_bytes += exray_seg_reader_file_size(r);
	exray_seg_reader_free(r);
	return err;
}

static double thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Write the capture again in `columns` layout; its event frames' bytes
 * (the file less its header and footer) and the writer's CPU ns. */
static int rewrite(const struct capture *c, bool columns, int level, uint64_t *bytes, double *ns)
{
	struct exray_seg_writer_opts opts = { .columns = columns, .level = level,
					      .frame_bytes = 16u << 20 }; /* the capture's frames */
	struct exray_seg_header hdr = { 0 };
	struct exray_seg_membuf mem;
	struct exray_seg_writer *w;
	uint64_t before;
	size_t off = 0;
	double t0;
	int err;

	exray_seg_membuf_init(&mem);
	err = exray_seg_writer_open_backend(&w, &mem.be, &hdr, &opts);
	if (err)
		return err;
	/* twice: the second pass is timed, with the writer's buffers and
	 * zstd's tables warm, as in a recorder that has run a while */
	for (int pass = 0; pass < 2 && !err; pass++) {
		before = exray_seg_writer_file_bytes(w);
		t0 = thread_cpu_ns();
		off = 0;
		for (size_t f = 0; f < c->frames && !err; f++) {
			while (off < c->frame_end[f] && !err) {
				const struct exray_rec_hdr *h = (const void *)(c->recs + off);

				err = exray_seg_append(w, h, h->len);
				off += h->len;
			}
			if (!err)
				err = exray_seg_frame_out(w);
		}
		*ns = thread_cpu_ns() - t0;
		*bytes = exray_seg_writer_file_bytes(w) - before;
	}
	exray_seg_writer_abort(w);
	exray_seg_membuf_release(&mem);
	return err;
}

static void usage(FILE *to)
{
	fprintf(to, "Usage: exray-bytes [-l LEVEL] [-r REPS] SEG|DIR...\n"
		    "Example: exray-bytes -l 3 /var/lib/exray/capture\n");
}

int main(int argc, char **argv)
{
	struct capture c;
	int opt, level = 3, reps = 5;
	const char *bad = NULL;
	char **files = NULL;
	long n;

	memset(&c, 0, sizeof(c));
	while ((opt = getopt(argc, argv, "l:r:h")) != -1) {
		if (opt == 'l')
			level = atoi(optarg);
		else if (opt == 'r' && atoi(optarg) > 0)
			reps = atoi(optarg);
		else {
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	n = seglist_expand(argv + optind, argc - optind, &files, &bad);
	if (n < 0) {
		fprintf(stderr, "exray-bytes: %s: %s\n", bad ? bad : argv[optind], strerror((int)-n));
		return 3;
	}
	for (long i = 0; i < n; i++)
		if (load(&c, files[i])) {
			seglist_free(files, n);
			return 3;
		}
	seglist_free(files, n);
	if (!c.count) {
		fprintf(stderr, "exray-bytes: no records\n");
		return 3;
	}
	printf("{\"records\":%zu,\"file_bytes\":%" PRIu64 ",\"bytes_per_record\":%.2f,"
	       "\"frames\":%zu,\"raw_bytes\":%zu,\"level\":%d,\"types\":{",
	       c.count, c.file_bytes, (double)c.file_bytes / c.count, c.frames, c.len, level);
	for (unsigned t = 1, first = 1; t < EXRAY_REC_TYPE_MAX; t++) {
		if (!c.by_type[t])
			continue;
		printf("%s\"%s\":{\"records\":%" PRIu64 ",\"raw_bytes\":%" PRIu64 "}", first ? "" : ",",
		       exray_rec_type_name(t), c.by_type[t], c.raw_by_type[t]);
		first = 0;
	}
	printf("}");
	for (int columns = 0; columns < 2; columns++) {
		uint64_t bytes = 0;
		double best = 0;

		for (int r = 0; r < reps; r++) {
			double ns;
			int err = rewrite(&c, columns, level, &bytes, &ns);

			if (err) {
				fprintf(stderr, "exray-bytes: rewrite: %s\n", strerror(-err));
				return 3;
			}
			if (!r || ns < best)
				best = ns;
		}
		printf(",\"%s\":{\"event_bytes\":%" PRIu64 ",\"bytes_per_record\":%.2f,"
		       "\"writer_ns_per_record\":%.0f}",
		       columns ? "columns" : "rows", bytes, (double)bytes / c.count, best / c.count);
	}
	printf("}\n");
	free(c.recs);
	free(c.frame_end);
	return 0;
}
