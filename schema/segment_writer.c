// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Segment writer: batches records, compresses each batch into one zstd frame
 * with a content checksum, and frames metadata as skippable frames. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include "segment.h"
#include "segment_format.h"

#define DEFAULT_FRAME_BYTES (256u * 1024)

struct exray_seg_writer {
	int fd;
	int err;              /* sticky error, 0 while healthy */
	__u64 file_bytes;     /* bytes of whole frames written */
	size_t frame_bytes;   /* compress when the batch reaches this */
	unsigned char *batch; /* records waiting for the next frame */
	size_t batch_len, batch_cap;
	unsigned char *out;   /* compressed frame */
	size_t out_cap;
	ZSTD_CCtx *cctx;
	struct exray_seg_stats stats;
	__u64 batch_records_by_type[EXRAY_TYPE_SLOTS];
	__u64 batch_records;
	bool footer_written;  /* the segment is finished: nothing may follow */
};

/* Write all of buf. On a short or failed write, cut the file back to the last
 * whole frame so that a reader never sees half a frame followed by more. */
static int write_frame(struct exray_seg_writer *w, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t left = len;

	if (w->err)
		return w->err;
	while (left) {
		ssize_t n = write(w->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? -errno : -EIO;

			if (ftruncate(w->fd, (off_t)w->file_bytes) == 0 &&
			    lseek(w->fd, (off_t)w->file_bytes, SEEK_SET) >= 0 &&
			    (err == -ENOSPC || err == -EDQUOT))
				return err; /* recoverable: free space, flush again */
			w->err = err;
			return err;
		}
		p += n;
		left -= (size_t)n;
	}
	w->file_bytes += len;
	return 0;
}

static int write_meta(struct exray_seg_writer *w, enum exray_meta_type type, const void *payload,
		      __u32 len)
{
	unsigned char *frame = malloc(EXRAY_META_PREFIX + len);
	int err;

	if (!frame)
		return -ENOMEM;
	exray_meta_encode(frame, type, payload, len);
	err = write_frame(w, frame, EXRAY_META_PREFIX + len);
	free(frame);
	return err;
}

int exray_seg_writer_open(struct exray_seg_writer **out, int dirfd, const char *name,
			  const struct exray_seg_header *hdr,
			  const struct exray_seg_writer_opts *opts)
{
	struct exray_seg_writer *w;
	int err;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = -1;
	w->frame_bytes = opts && opts->frame_bytes ? opts->frame_bytes : DEFAULT_FRAME_BYTES;
	if (w->frame_bytes > EXRAY_SEG_MAX_FRAME_BYTES)
		w->frame_bytes = EXRAY_SEG_MAX_FRAME_BYTES;
	/* room for one more record of the largest kind past the threshold */
	w->batch_cap = w->frame_bytes + EXRAY_EXEC_MAX_SIZE;
	w->batch = malloc(w->batch_cap);
	w->out_cap = ZSTD_compressBound(w->batch_cap);
	w->out = malloc(w->out_cap);
	w->cctx = ZSTD_createCCtx();
	if (!w->batch || !w->out || !w->cctx) {
		err = -ENOMEM;
		goto cleanup;
	}
	if (ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel,
						opts && opts->level ? opts->level : 3)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1))) {
		err = -EINVAL;
		goto cleanup;
	}

	w->fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		err = -errno;
		goto cleanup;
	}
	err = write_meta(w, EXRAY_META_HEADER, hdr, sizeof(*hdr));
	if (err)
		goto cleanup;
	*out = w;
	return 0;

cleanup:
	if (w->fd >= 0) {
		/* a half-made segment helps nobody: remove what we created */
		close(w->fd);
		unlinkat(dirfd, name, 0);
		w->fd = -1;
	}
	exray_seg_writer_abort(w);
	return err;
}

int exray_seg_append(struct exray_seg_writer *w, const void *rec, size_t len)
{
	const struct exray_rec_hdr *h = rec;
	int err;

	if (w->err)
		return w->err;
	if (len < sizeof(*h) || len != h->len || len % EXRAY_REC_ALIGN ||
	    len > EXRAY_EXEC_MAX_SIZE || w->footer_written)
		return -EINVAL;
	if (w->batch_len + len > w->batch_cap) {
		err = exray_seg_frame_out(w);
		if (err)
			return err;
	}
	memcpy(w->batch + w->batch_len, rec, len);
	w->batch_len += len;
	w->batch_records++;
	if (h->type < EXRAY_TYPE_SLOTS)
		w->batch_records_by_type[h->type]++;
	if (w->batch_len >= w->frame_bytes)
		return exray_seg_frame_out(w);
	return 0;
}

/* Compress the batch into one frame and write it; the batch is kept when the
 * write fails, so nothing accepted is dropped by a full disk. */
int exray_seg_frame_out(struct exray_seg_writer *w)
{
	size_t n;
	int err;

	if (w->err)
		return w->err;
	if (!w->batch_len)
		return 0;
	n = ZSTD_compress2(w->cctx, w->out, w->out_cap, w->batch, w->batch_len);
	if (ZSTD_isError(n))
		return w->err = -EIO;
	err = write_frame(w, w->out, n);
	if (err)
		return err;
	w->stats.frames++;
	w->stats.records += w->batch_records;
	w->stats.bytes_raw += w->batch_len;
	for (unsigned t = 0; t < EXRAY_TYPE_SLOTS; t++)
		*exray_stats_records_slot(&w->stats, t) += w->batch_records_by_type[t];
	memset(w->batch_records_by_type, 0, sizeof(w->batch_records_by_type));
	w->batch_records = 0;
	w->batch_len = 0;
	return 0;
}

int exray_seg_flush(struct exray_seg_writer *w)
{
	int err = exray_seg_frame_out(w);

	if (err)
		return err;
	/* the flush interval is the promise of what a power loss can cost */
	if (fdatasync(w->fd) && errno != EINVAL)
		return w->err = -errno;
	return 0;
}

static int write_stats(struct exray_seg_writer *w, enum exray_meta_type type, __s64 boot_to_wall)
{
	int err = exray_seg_frame_out(w);

	if (err)
		return err;
	w->stats.boot_ns = exray_boottime_ns();
	w->stats.boot_to_wall_ns = boot_to_wall;
	return write_meta(w, type, &w->stats, sizeof(w->stats));
}

int exray_seg_write_stats(struct exray_seg_writer *w, __s64 boot_to_wall_ns)
{
	return write_stats(w, EXRAY_META_STATS, boot_to_wall_ns);
}

int exray_seg_write_footer(struct exray_seg_writer *w, __s64 boot_to_wall_ns)
{
	int err;

	if (w->footer_written)
		return 0;
	err = write_stats(w, EXRAY_META_FOOTER, boot_to_wall_ns);
	if (!err)
		w->footer_written = true;
	return err;
}

int exray_seg_writer_close(struct exray_seg_writer *w, __s64 boot_to_wall_ns)
{
	int err;

	if (!w)
		return 0;
	err = exray_seg_write_footer(w, boot_to_wall_ns);
	if (!err && fsync(w->fd))
		err = -errno;
	if (close(w->fd) && !err)
		err = -errno;
	w->fd = -1;
	exray_seg_writer_abort(w);
	return err;
}

void exray_seg_writer_abort(struct exray_seg_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	ZSTD_freeCCtx(w->cctx);
	free(w->batch);
	free(w->out);
	free(w);
}

const struct exray_seg_stats *exray_seg_writer_stats(const struct exray_seg_writer *w)
{
	return &w->stats;
}

__u64 exray_seg_writer_file_bytes(const struct exray_seg_writer *w)
{
	return w->file_bytes;
}

size_t exray_seg_writer_pending(const struct exray_seg_writer *w)
{
	return w->batch_len;
}

void exray_seg_writer_set_lost(struct exray_seg_writer *w, unsigned type, __u64 total)
{
	__u64 *slot = exray_stats_lost_slot(&w->stats, type);

	if (slot)
		*slot = total;
}
