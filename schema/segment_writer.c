// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Segment writer: batches records, compresses each batch into one zstd frame
 * with a content checksum, frames metadata as skippable frames and, when
 * sealing, follows every frame with a seal frame. Bytes go through a backend
 * (a file, or memory for tests) so every disk failure can be tested. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include "segment.h"
#include "segment_columns.h"
#include "segment_format.h"

#define DEFAULT_FRAME_BYTES (256u * 1024)
/* An idle tick seals only when nothing was sealed for this long, so a
 * once-a-second caller evolves the key about once a second. */
#define SEAL_TICK_NS 500000000ull
#define SEAL_FRAME_BYTES (EXRAY_META_PREFIX + sizeof(struct exray_seg_seal))

struct exray_seg_writer {
	struct exray_seg_backend *be;
	int err;              /* sticky error, 0 while healthy */
	__u64 file_bytes;     /* bytes of whole frames written */
	size_t frame_bytes;   /* compress when the batch reaches this */
	unsigned char *batch; /* records waiting for the next frame */
	size_t batch_len, batch_cap;
	unsigned char *out;   /* compressed frame */
	size_t out_cap;
	unsigned char *cols;  /* the batch in the columns layout (NULL: rows) */
	ZSTD_CCtx *cctx;
	struct exray_seg_stats stats;
	__u64 batch_records_by_type[EXRAY_TYPE_SLOTS];
	__u64 batch_records;
	bool footer_written;  /* the segment is finished: nothing may follow */

	/* sealing (NULL sealer: off) */
	struct exray_sealer *sealer;
	struct exray_seal_hasher *span;   /* hash of the frames since the last seal */
	__u64 span_start;     /* file offset where they start */
	__u32 seal_no;        /* seals written in this segment */
	__u64 last_seal_ns;
	__u8 capture_id[16];
	__u64 seq;
	/* a seal computed but not yet on disk (full disk): written before
	 * anything else, never recomputed (its key is gone) */
	unsigned char pending[SEAL_FRAME_BYTES];
	bool have_pending;
};

/* ------------------------------------------------------------- backends */

struct file_backend {
	struct exray_seg_backend be;
	int fd;
};

static ssize_t file_write(struct exray_seg_backend *b, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = write(((struct file_backend *)b)->fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static int file_truncate(struct exray_seg_backend *b, __u64 len)
{
	int fd = ((struct file_backend *)b)->fd;

	if (ftruncate(fd, (off_t)len) || lseek(fd, (off_t)len, SEEK_SET) < 0)
		return -errno;
	return 0;
}

static int file_sync(struct exray_seg_backend *b, bool all)
{
	int fd = ((struct file_backend *)b)->fd;

	/* EINVAL: a file that cannot be synced (a pipe, some special files) */
	if ((all ? fsync(fd) : fdatasync(fd)) && errno != EINVAL)
		return -errno;
	return 0;
}

static int file_close(struct exray_seg_backend *b)
{
	struct file_backend *f = (struct file_backend *)b;
	int err = f->fd >= 0 && close(f->fd) ? -errno : 0;

	free(f);
	return err;
}

static ssize_t mem_write(struct exray_seg_backend *b, const void *buf, size_t len)
{
	struct exray_seg_membuf *m = (struct exray_seg_membuf *)b;

	m->writes++;
	if (m->fail)
		return m->fail;
	if (m->space && m->len >= m->space)
		return -ENOSPC;
	if (m->space && len > m->space - m->len)
		len = m->space - m->len; /* a short write, as a disk filling up gives */
	if (m->len + len > m->cap) {
		size_t cap = (m->len + len) * 2;
		void *p = realloc(m->data, cap);

		if (!p)
			return -ENOMEM;
		m->data = p;
		m->cap = cap;
	}
	memcpy(m->data + m->len, buf, len);
	m->len += len;
	return (ssize_t)len;
}

static int mem_truncate(struct exray_seg_backend *b, __u64 len)
{
	struct exray_seg_membuf *m = (struct exray_seg_membuf *)b;

	m->truncates++;
	if (len < m->len)
		m->len = len;
	return 0;
}

static int mem_sync(struct exray_seg_backend *b, bool all)
{
	((struct exray_seg_membuf *)b)->syncs++;
	return 0;
}

static int mem_close(struct exray_seg_backend *b)
{
	((struct exray_seg_membuf *)b)->closed = true;
	return 0;
}

void exray_seg_membuf_init(struct exray_seg_membuf *m)
{
	memset(m, 0, sizeof(*m));
	m->be = (struct exray_seg_backend){ mem_write, mem_truncate, mem_sync, mem_close };
}

void exray_seg_membuf_release(struct exray_seg_membuf *m)
{
	free(m->data);
	m->data = NULL;
	m->len = m->cap = 0;
}

/* ---------------------------------------------------------------- frames */

/* Write all of buf. On a short or failed write, cut the file back to the last
 * whole frame so that a reader never sees half a frame followed by more. */
static int write_all(struct exray_seg_writer *w, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t left = len;

	if (w->err)
		return w->err;
	while (left) {
		ssize_t n = w->be->write(w->be, p, left);

		if (n <= 0) {
			int err = n < 0 ? (int)n : -EIO;

			if (w->be->truncate(w->be, w->file_bytes) == 0 &&
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

/* The pending seal frame, if any: once on disk, a new span starts. */
static int write_pending(struct exray_seg_writer *w)
{
	int err;

	if (!w->have_pending)
		return w->err;
	err = write_all(w, w->pending, sizeof(w->pending));
	if (err)
		return err;
	w->have_pending = false;
	w->span_start = w->file_bytes;
	w->seal_no++;
	return 0;
}

/* A frame of the segment (anything but a seal): after any pending seal, and
 * into the span the next seal covers. */
static int write_frame(struct exray_seg_writer *w, const void *buf, size_t len)
{
	int err = write_pending(w);

	if (!err)
		err = write_all(w, buf, len);
	if (!err && w->sealer)
		exray_seal_hasher_add(w->span, buf, len);
	return err;
}

/*
 * Seal every byte written since the last seal: the key is used and erased
 * here, so the seal frame is kept until it is on disk (a full disk retries
 * it, never a new seal for the same bytes).
 */
static int seal(struct exray_seg_writer *w, __u32 flags)
{
	struct exray_seal_block b = { 0 };
	struct exray_seg_seal s = { 0 };

	if (!w->sealer || w->err)
		return w->err;
	memcpy(b.capture_id, w->capture_id, sizeof(b.capture_id));
	b.seq = w->seq;
	b.seal_no = w->seal_no;
	b.flags = flags;
	b.boot_ns = exray_boottime_ns();
	b.span_offset = w->span_start;
	b.span_len = w->file_bytes - w->span_start;
	exray_seal_hasher_final(w->span, b.span_hash);
	exray_sealer_seal(w->sealer, &b, s.seal);
	s.key_index = b.key_index;
	s.boot_ns = b.boot_ns;
	s.seal_no = b.seal_no;
	s.flags = flags;
	exray_meta_encode(w->pending, EXRAY_META_SEAL, &s, sizeof(s));
	w->have_pending = true;
	w->last_seal_ns = b.boot_ns;
	return write_pending(w);
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

/* --------------------------------------------------------------- writer */

int exray_seg_writer_open_backend(struct exray_seg_writer **out, struct exray_seg_backend *be,
				  const struct exray_seg_header *hdr,
				  const struct exray_seg_writer_opts *opts)
{
	struct exray_seg_header h = *hdr;
	struct exray_seg_writer *w;
	int err;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w) {
		be->close(be);
		return -ENOMEM;
	}
	w->be = be;
	w->frame_bytes = opts && opts->frame_bytes ? opts->frame_bytes : DEFAULT_FRAME_BYTES;
	/* minus the columns marker: a frame's content stays within the limit */
	if (w->frame_bytes > EXRAY_SEG_MAX_FRAME_BYTES - sizeof(struct exray_rec_hdr))
		w->frame_bytes = EXRAY_SEG_MAX_FRAME_BYTES - sizeof(struct exray_rec_hdr);
	/* room for one more record of the largest kind past the threshold */
	w->batch_cap = w->frame_bytes + EXRAY_EXEC_MAX_SIZE;
	w->batch = malloc(w->batch_cap);
	w->out_cap = ZSTD_compressBound(w->batch_cap + sizeof(struct exray_rec_hdr));
	w->out = malloc(w->out_cap);
	w->cctx = ZSTD_createCCtx();
	if (opts && opts->columns)
		w->cols = malloc(w->batch_cap + sizeof(struct exray_rec_hdr));
	if (!w->batch || !w->out || !w->cctx || (opts && opts->columns && !w->cols)) {
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

	/* the chain: this segment starts where the sealer's last seal left it */
	h.flags &= ~EXRAY_SEG_HDR_SEALED;
	memset(h.seal_fp, 0, sizeof(h.seal_fp));
	memset(h.prev_seal, 0, sizeof(h.prev_seal));
	h.prev_key_index = 0;
	if (opts && opts->sealer) {
		w->sealer = opts->sealer;
		err = exray_seal_hasher_new(&w->span);
		if (err)
			goto cleanup;
		h.flags |= EXRAY_SEG_HDR_SEALED;
		memcpy(h.seal_fp, exray_sealer_fp(w->sealer), sizeof(h.seal_fp));
		exray_sealer_last(w->sealer, &h.prev_key_index, h.prev_seal);
		memcpy(w->capture_id, h.capture_id, sizeof(w->capture_id));
		w->seq = h.seq;
	}
	err = write_meta(w, EXRAY_META_HEADER, &h, sizeof(h));
	if (err)
		goto cleanup;
	/* a seal that waits for disk space is written by the next call */
	err = seal(w, 0);
	if (err && err != -ENOSPC && err != -EDQUOT)
		goto cleanup;
	*out = w;
	return 0;

cleanup:
	exray_seg_writer_abort(w);
	return err;
}

int exray_seg_writer_open(struct exray_seg_writer **out, int dirfd, const char *name,
			  const struct exray_seg_header *hdr,
			  const struct exray_seg_writer_opts *opts)
{
	struct file_backend *f = calloc(1, sizeof(*f));
	int err;

	*out = NULL;
	if (!f)
		return -ENOMEM;
	f->be = (struct exray_seg_backend){ file_write, file_truncate, file_sync, file_close };
	/* O_RDWR: a segment unlinked while open can be copied back
	 * (exray_seg_writer_relocate) */
	f->fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (f->fd < 0) {
		err = -errno;
		free(f);
		return err;
	}
	err = exray_seg_writer_open_backend(out, &f->be, hdr, opts);
	if (err) /* a half-made segment helps nobody: remove what we created */
		unlinkat(dirfd, name, 0);
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

/* Compress the batch into one frame and write it, then its seal; the batch
 * is kept when the frame's write fails, so nothing accepted is dropped by a
 * full disk. */
int exray_seg_frame_out(struct exray_seg_writer *w)
{
	const unsigned char *content = w->batch;
	size_t n, content_len = w->batch_len;
	int err = write_pending(w);

	if (err)
		return err;
	if (!w->batch_len)
		return 0;
	if (w->cols) {
		err = exray_columns_encode(w->batch, w->batch_len, w->cols);
		if (err)
			return err; /* -ENOMEM: the batch is kept */
		content = w->cols;
		content_len += sizeof(struct exray_rec_hdr);
	}
	n = ZSTD_compress2(w->cctx, w->out, w->out_cap, content, content_len);
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
	return seal(w, 0);
}

int exray_seg_seal_tick(struct exray_seg_writer *w)
{
	int err = write_pending(w);

	if (err || !w->sealer || w->footer_written ||
	    exray_boottime_ns() - w->last_seal_ns < SEAL_TICK_NS)
		return err;
	return seal(w, 0);
}

int exray_seg_flush(struct exray_seg_writer *w)
{
	int err = exray_seg_frame_out(w);

	if (!err)
		err = exray_seg_seal_tick(w);
	if (err)
		return err;
	/* the flush interval is the promise of what a power loss can cost */
	err = w->be->sync(w->be, false);
	if (err)
		w->err = err;
	return err;
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
	int err = write_stats(w, EXRAY_META_STATS, boot_to_wall_ns);

	return err ? err : seal(w, 0);
}

int exray_seg_write_footer(struct exray_seg_writer *w, __s64 boot_to_wall_ns)
{
	int err;

	if (w->footer_written)
		return write_pending(w); /* the final seal, if the disk was full */
	err = write_stats(w, EXRAY_META_FOOTER, boot_to_wall_ns);
	if (err)
		return err;
	w->footer_written = true;
	return seal(w, EXRAY_SEAL_F_FINAL);
}

int exray_seg_writer_close(struct exray_seg_writer *w, __s64 boot_to_wall_ns)
{
	int err, cerr;

	if (!w)
		return 0;
	err = exray_seg_write_footer(w, boot_to_wall_ns);
	if (!err)
		err = w->be->sync(w->be, true);
	if (!err)
		err = w->err;
	cerr = w->be->close(w->be);
	if (!err)
		err = cerr;
	w->be = NULL;
	exray_seg_writer_abort(w);
	return err;
}

bool exray_seg_writer_unlinked(const struct exray_seg_writer *w)
{
	struct stat st;

	return w->be && w->be->write == file_write &&
	       fstat(((struct file_backend *)w->be)->fd, &st) == 0 && st.st_nlink == 0;
}

/* Copy the first len bytes of fd to nfd. */
static int copy_prefix(int fd, int nfd, __u64 len)
{
	char buf[65536];
	__u64 off = 0;

	while (off < len) {
		size_t want = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		ssize_t n = pread(fd, buf, want, (off_t)off), m;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		for (ssize_t done = 0; done < n; done += m) {
			m = write(nfd, buf + done, (size_t)(n - done));
			if (m < 0 && errno == EINTR) {
				m = 0;
				continue;
			}
			if (m <= 0)
				return m < 0 ? -errno : -EIO;
		}
		off += (__u64)n;
	}
	return 0;
}

int exray_seg_writer_relocate(struct exray_seg_writer *w, int dirfd, const char *name)
{
	struct file_backend *f = (struct file_backend *)w->be;
	int nfd, err;

	if (!w->be || w->be->write != file_write)
		return -EOPNOTSUPP;
	nfd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (nfd < 0)
		return -errno;
	err = copy_prefix(f->fd, nfd, w->file_bytes);
	if (!err && fsync(nfd))
		err = -errno;
	if (err) {
		/* keep the partial copy: its whole frames are the only part of
		 * the removed segment that outlives this process */
		fsync(nfd);
		close(nfd);
		return err;
	}
	close(f->fd);
	f->fd = nfd;
	return 0;
}

void exray_seg_writer_abort(struct exray_seg_writer *w)
{
	if (!w)
		return;
	if (w->be)
		w->be->close(w->be);
	exray_seal_hasher_free(w->span);
	ZSTD_freeCCtx(w->cctx);
	free(w->batch);
	free(w->out);
	free(w->cols);
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
