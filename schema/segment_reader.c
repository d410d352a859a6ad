// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Segment reader. Walks the file frame by frame; whatever does not decode is
 * recorded as an issue and skipped, and reading resumes at the next offset
 * where a whole, checksummed frame starts. Bytes with no valid frame after
 * them are the torn tail. Every read is bounds-checked against the file size.
 * Frame checks are in segment_frames.c, the seal chain in segment_seals.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_MAGIC_SKIPPABLE_* on older headers */
#include <zstd.h>
#include "segment.h"
#include "segment_columns.h"
#include "segment_format.h"
#include "segment_reader_int.h"

#define MAX_FILE_BYTES (4ull * 1024 * 1024 * 1024)

const char *exray_seg_issue_name(enum exray_seg_issue_kind kind)
{
	switch (kind) {
	case EXRAY_ISSUE_TORN_TAIL: return "torn_tail";
	case EXRAY_ISSUE_BAD_FRAME: return "bad_frame";
	case EXRAY_ISSUE_BAD_META: return "bad_meta";
	case EXRAY_ISSUE_GARBAGE: return "garbage";
	case EXRAY_ISSUE_BAD_RECORD: return "bad_record";
	case EXRAY_ISSUE_UNKNOWN_TYPE: return "unknown_type";
	case EXRAY_ISSUE_NEWER_MINOR: return "newer_minor";
	case EXRAY_ISSUE_NO_HEADER: return "no_header";
	case EXRAY_ISSUE_SKIPPED_TYPE: return "skipped_type";
	}
	return "unknown";
}

bool exray_seg_issue_is_damage(enum exray_seg_issue_kind kind)
{
	return kind != EXRAY_ISSUE_NEWER_MINOR && kind != EXRAY_ISSUE_SKIPPED_TYPE;
}

__u64 exray_seg_reader_skipped(const struct exray_seg_reader *r)
{
	return r->skipped_records;
}

__attribute__((format(printf, 5, 6)))
int seg_add_issue(struct exray_seg_reader *r, enum exray_seg_issue_kind kind, __u64 offset,
		     __u64 length, const char *fmt, ...)
{
	struct exray_seg_issue *is;
	va_list ap;

	if (r->n_issues == r->cap_issues) {
		size_t cap = r->cap_issues ? r->cap_issues * 2 : 8;
		void *p = realloc(r->issues, cap * sizeof(*r->issues));

		if (!p)
			return -ENOMEM;
		r->issues = p;
		r->cap_issues = cap;
	}
	is = &r->issues[r->n_issues++];
	is->kind = kind;
	is->offset = offset;
	is->length = length;
	va_start(ap, fmt);
	vsnprintf(is->detail, sizeof(is->detail), fmt, ap);
	va_end(ap);
	return 0;
}

int exray_seg_reader_open_mem(struct exray_seg_reader **out, const void *buf, size_t len)
{
	struct exray_seg_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->dctx = ZSTD_createDCtx();
	if (!r->dctx) {
		free(r);
		return -ENOMEM;
	}
	r->buf = buf;
	r->size = len;
	*out = r;
	return 0;
}

int exray_seg_reader_open(struct exray_seg_reader **out, const char *path)
{
	struct stat st;
	unsigned char *data = NULL;
	__u64 got = 0;
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto cleanup;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto cleanup;
	}
	if ((__u64)st.st_size > MAX_FILE_BYTES) {
		err = -EFBIG;
		goto cleanup;
	}
	data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!data) {
		err = -ENOMEM;
		goto cleanup;
	}
	/* a live segment may grow while we read: take what st_size promised */
	while (got < (__u64)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)(st.st_size - got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto cleanup;
		}
		if (n == 0)
			break;
		got += (__u64)n;
	}
	err = exray_seg_reader_open_mem(out, data, (size_t)got);
	if (err)
		goto cleanup;
	(*out)->owned = data;
	data = NULL;
cleanup:
	free(data);
	close(fd);
	return err;
}

void exray_seg_reader_free(struct exray_seg_reader *r)
{
	if (!r)
		return;
	ZSTD_freeDCtx(r->dctx);
	free(r->frame);
	free(r->spare);
	free(r->owned);
	free(r->issues);
	free(r);
}

/* ---------------------------------------------------------- frame handling */

static void copy_payload(void *dst, size_t dst_size, const unsigned char *src, __u32 len)
{
	memset(dst, 0, dst_size);
	memcpy(dst, src, len < dst_size ? len : dst_size);
}

static int handle_meta(struct exray_seg_reader *r, __u64 off, bool first)
{
	const unsigned char *p = r->buf + off;
	unsigned type = get_le16(p + 12), major = p[14], minor = p[15];
	__u32 len = get_le32(p + 16);
	const unsigned char *payload = p + EXRAY_META_PREFIX;

	if (type == EXRAY_META_HEADER) {
		if (!first)
			return seg_add_issue(r, EXRAY_ISSUE_BAD_META, off, 0,
					 "header frame at offset %llu is not the first frame; ignored",
					 (unsigned long long)off);
		r->major = major;
		r->minor = minor;
		if (major > EXRAY_SEG_VERSION_MAJOR) {
			snprintf(r->error, sizeof(r->error),
				 "segment format %u.%u is newer than this exray reads (%u.x): upgrade exray",
				 major, minor, EXRAY_SEG_VERSION_MAJOR);
			return r->fatal = -EPROTONOSUPPORT;
		}
		if (len < EXRAY_SEG_HEADER_MIN_SIZE)
			return seg_add_issue(r, EXRAY_ISSUE_BAD_META, off, 0,
					 "header frame at offset %llu is too short (%u bytes)",
					 (unsigned long long)off, len);
		copy_payload(&r->header, sizeof(r->header), payload, len);
		r->have_header = true;
		if (major == EXRAY_SEG_VERSION_MAJOR && minor > EXRAY_SEG_VERSION_MINOR)
			return seg_add_issue(r, EXRAY_ISSUE_NEWER_MINOR, off, 0,
					 "written by format %u.%u, this exray reads %u.%u: newer fields and records are skipped",
					 major, minor, EXRAY_SEG_VERSION_MAJOR,
					 EXRAY_SEG_VERSION_MINOR);
		return 0;
	}
	if (type == EXRAY_META_STATS || type == EXRAY_META_FOOTER) {
		if (len < EXRAY_SEG_STATS_MIN_SIZE)
			return seg_add_issue(r, EXRAY_ISSUE_BAD_META, off, 0,
					 "stats frame at offset %llu is too short (%u bytes)",
					 (unsigned long long)off, len);
		copy_payload(&r->last_stats, sizeof(r->last_stats), payload, len);
		r->have_stats = true;
		if (type == EXRAY_META_FOOTER) {
			r->footer = r->last_stats;
			r->have_footer = true;
		}
	}
	if (type == EXRAY_META_FOOTER)
		r->footer_end = off + EXRAY_META_PREFIX + len;
	if (type == EXRAY_META_SEAL)
		seg_check_seal(r, off, payload, len);
	/* other types: reserved for later minor versions, skipped */
	return 0;
}

/* Make *buf hold at least need bytes (its contents need not survive). */
static int grow_buffer(unsigned char **buf, __u64 *cap, __u64 need)
{
	void *nb;

	if (need <= *cap)
		return 0;
	nb = realloc(*buf, need);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap = need;
	return 0;
}

/*
 * A columns frame (1.4) just inflated into r->frame: decode it into records
 * and make them the frame. The checksum was good, so a frame that does not
 * decode was written so: its records are lost, said once, frame_len 0.
 */
static int load_columns(struct exray_seg_reader *r, __u64 off, __u64 content)
{
	const char *why;
	unsigned char *t;
	__u64 tcap;
	int err;

	r->frame_len = 0;
	if (grow_buffer(&r->spare, &r->spare_cap, content))
		return -ENOMEM;
	err = exray_columns_decode(r->frame, content, r->spare, &why);
	if (err == -EINVAL)
		return seg_add_issue(r, EXRAY_ISSUE_BAD_RECORD, off, 0,
				 "frame at offset %llu: %s; its records (%llu bytes) skipped",
				 (unsigned long long)off, why, (unsigned long long)content);
	if (err)
		return err;
	t = r->frame, tcap = r->frame_cap;
	r->frame = r->spare, r->frame_cap = r->spare_cap;
	r->spare = t, r->spare_cap = tcap;
	r->frame_len = content - sizeof(struct exray_rec_hdr);
	return 0;
}

static int load_data_frame(struct exray_seg_reader *r, __u64 off, __u64 csize)
{
	const unsigned char *p = r->buf + off;
	unsigned long long content = ZSTD_getFrameContentSize(p, csize);
	size_t n;

	if (!seg_inflate_allowed(r, off, content))
		return seg_note_budget(r);
	if (grow_buffer(&r->frame, &r->frame_cap, content))
		return -ENOMEM;
	n = ZSTD_decompressDCtx(r->dctx, r->frame, content, p, csize);
	if (ZSTD_isError(n) || n != content)
		return seg_skip_damage(r, off, true, EXRAY_ISSUE_BAD_FRAME,
				   ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame");
	r->pos = off + csize;
	if (exray_columns_is(r->frame, content)) {
		int err = load_columns(r, off, content);

		if (err || !r->frame_len)
			return err;
		content = r->frame_len;
	}
	r->frame_len = content;
	r->frame_pos = 0;
	r->frame_offset = off;
	r->rec_index = 0;
	r->frames++;
	return 0;
}

/* The first intact frame must be the header; say so once if it is not. */
static int check_first_frame(struct exray_seg_reader *r, __u64 off, enum frame_kind kind)
{
	if (r->seen_frame)
		return 0;
	r->seen_frame = true;
	if (kind == FRAME_META && get_le16(r->buf + off + 12) == EXRAY_META_HEADER && off == 0)
		return 0;
	return seg_add_issue(r, EXRAY_ISSUE_NO_HEADER, off, 0,
			 "the file does not start with an exray header frame");
}

/* Decode frames until records are available or the file ends. */
static int next_frame(struct exray_seg_reader *r)
{
	if (!r->size && !r->seen_frame && !r->n_issues)
		return seg_add_issue(r, EXRAY_ISSUE_TORN_TAIL, 0, 0, "empty file: no header");
	while (r->pos < r->size && !r->fatal) {
		__u64 off = r->pos, size = 0;
		enum frame_kind kind = seg_probe_frame(r, off, &size, false);
		bool first = !r->seen_frame;
		int err = 0;

		if (kind != FRAME_NONE)
			err = check_first_frame(r, off, kind);
		if (err)
			return err;
		switch (kind) {
		case FRAME_META:
			err = handle_meta(r, off, first);
			r->pos = off + size;
			r->frame_no++;
			break;
		case FRAME_FOREIGN_SKIP:
			r->pos = off + size;
			r->frame_no++;
			break;
		case FRAME_DATA:
			err = load_data_frame(r, off, size);
			if (!err && r->frame_len) {
				r->frame_no++;
				return 0;
			}
			break;
		case FRAME_TOO_LARGE: {
			char what[120];

			snprintf(what, sizeof(what),
				 "frame too large (%llu bytes of content, limit %llu)",
				 (unsigned long long)ZSTD_getFrameContentSize(r->buf + off, size),
				 (unsigned long long)EXRAY_SEG_MAX_FRAME_CONTENT);
			err = seg_skip_damage(r, off, true, EXRAY_ISSUE_BAD_FRAME, what);
			break;
		}
		case FRAME_NONE: {
			__u32 magic = r->size - off >= 4 ? get_le32(r->buf + off) : 0;
			bool whole = seg_frame_is_whole(r, off);

			if (magic == ZSTD_MAGICNUMBER)
				err = seg_skip_damage(r, off, whole, EXRAY_ISSUE_BAD_FRAME,
						  "damaged zstd frame");
			else if (magic == EXRAY_SEG_SKIPPABLE_MAGIC)
				err = seg_skip_damage(r, off, whole, EXRAY_ISSUE_BAD_META,
						  "damaged metadata frame");
			else
				err = seg_skip_damage(r, off, false, EXRAY_ISSUE_GARBAGE,
						  "bytes that are no frame");
			break;
		}
		}
		if (!err)
			err = seg_note_budget(r);
		if (err)
			return err;
	}
	return r->fatal;
}

size_t exray_rec_min_len(unsigned type)
{
	switch (type) {
	case EXRAY_REC_EXEC:
	case EXRAY_REC_SNAPSHOT: return sizeof(struct exray_exec);
	case EXRAY_REC_FORK: return sizeof(struct exray_fork);
	case EXRAY_REC_EXIT: return sizeof(struct exray_exit);
	case EXRAY_REC_CONNECT: return sizeof(struct exray_connect);
	case EXRAY_REC_SYN: return sizeof(struct exray_syn);
	case EXRAY_REC_CGROUP: return sizeof(struct exray_cgroup);
	case EXRAY_REC_LOSS: return sizeof(struct exray_loss);
	case EXRAY_REC_CONNECT_RESULT: return sizeof(struct exray_connect_result);
	case EXRAY_REC_FILE: return sizeof(struct exray_file);
	case EXRAY_REC_PRIV: return sizeof(struct exray_priv);
	case EXRAY_REC_NS: return sizeof(struct exray_ns);
	case EXRAY_REC_PTRACE: return sizeof(struct exray_ptrace);
	case EXRAY_REC_SOCKET: return sizeof(struct exray_socket);
	case EXRAY_REC_MEMFD: return sizeof(struct exray_memfd);
	case EXRAY_REC_BPF: return sizeof(struct exray_bpf_cmd);
	case EXRAY_REC_URING: return sizeof(struct exray_uring);
	case EXRAY_REC_CONTAINER: return sizeof(struct exray_container);
	}
	return 0;
}

int exray_seg_next(struct exray_seg_reader *r, const struct exray_rec_hdr **rec)
{
	int err;

	*rec = NULL;
	if (r->fatal)
		return r->fatal;
	for (;;) {
		const struct exray_rec_hdr *h;
		__u64 left = r->frame_len - r->frame_pos;
		size_t min;

		if (!left) {
			if (r->done)
				return 0;
			r->frame_len = r->frame_pos = 0;
			err = next_frame(r);
			if (err)
				return err;
			if (!r->frame_len) {
				r->done = true;
				seg_seals_finish(r);
				return 0;
			}
			continue;
		}
		h = (const void *)(r->frame + r->frame_pos);
		if (left < sizeof(*h) || h->len < sizeof(*h) || h->len > left ||
		    h->len % EXRAY_REC_ALIGN) {
			/* checksum was good, so the writer produced this: the
			 * rest of the frame cannot be framed any more */
			err = seg_add_issue(r, EXRAY_ISSUE_BAD_RECORD, r->frame_offset, 0,
					"frame at offset %llu: record %u has impossible length %u; rest of frame (%llu bytes) skipped",
					(unsigned long long)r->frame_offset, r->rec_index,
					left < sizeof(*h) ? 0 : h->len, (unsigned long long)left);
			r->frame_pos = r->frame_len;
			if (err)
				return err;
			continue;
		}
		r->frame_pos += h->len;
		r->last_index = r->rec_index++;
		min = exray_rec_min_len(h->type);
		if (!min) {
			__u16 t = h->type;

			/* A newer minor version may add types (SEGMENT.md): skip
			 * them whole, say so once per type, and count them. From
			 * a writer of this version or older, an unknown type is
			 * damage. */
			bool newer = r->major == EXRAY_SEG_VERSION_MAJOR &&
				     r->minor > EXRAY_SEG_VERSION_MINOR;

			r->skipped_records++;
			if (!(r->unknown_seen[t / 64] & (1ull << (t % 64)))) {
				r->unknown_seen[t / 64] |= 1ull << (t % 64);
				if (newer)
					err = seg_add_issue(r, EXRAY_ISSUE_SKIPPED_TYPE, r->frame_offset, 0,
							"record type %u of format %u.%u is unknown to this exray (%u.%u); such records are skipped",
							t, r->major, r->minor, EXRAY_SEG_VERSION_MAJOR,
							EXRAY_SEG_VERSION_MINOR);
				else
					err = seg_add_issue(r, EXRAY_ISSUE_UNKNOWN_TYPE, r->frame_offset, 0,
							"record type %u is not part of format %u.%u; such records are skipped",
							t, r->major, r->minor);
				if (err)
					return err;
			}
			continue;
		}
		if (h->len < min || !exray_rec_strings_sound(h)) {
			err = seg_add_issue(r, EXRAY_ISSUE_BAD_RECORD, r->frame_offset, 0,
					"frame at offset %llu: record %u (%s) is malformed; skipped",
					(unsigned long long)r->frame_offset, r->last_index,
					exray_rec_type_name(h->type));
			if (err)
				return err;
			continue;
		}
		*rec = h;
		return 1;
	}
}

const struct exray_seg_header *exray_seg_reader_header(const struct exray_seg_reader *r)
{
	return r->have_header ? &r->header : NULL;
}

const struct exray_seg_stats *exray_seg_reader_footer(const struct exray_seg_reader *r)
{
	return r->have_footer ? &r->footer : NULL;
}

const struct exray_seg_stats *exray_seg_reader_last_stats(const struct exray_seg_reader *r)
{
	return r->have_stats ? &r->last_stats : NULL;
}

void exray_seg_reader_version(const struct exray_seg_reader *r, unsigned *major, unsigned *minor)
{
	*major = r->major;
	*minor = r->minor;
}

size_t exray_seg_reader_issue_count(const struct exray_seg_reader *r)
{
	return r->n_issues;
}

const struct exray_seg_issue *exray_seg_reader_issue(const struct exray_seg_reader *r, size_t i)
{
	return i < r->n_issues ? &r->issues[i] : NULL;
}

void exray_seg_reader_record_pos(const struct exray_seg_reader *r, __u64 *frame_offset,
				 __u32 *index)
{
	*frame_offset = r->frame_offset;
	*index = r->last_index;
}

__u64 exray_seg_reader_inflated(const struct exray_seg_reader *r)
{
	return r->inflated;
}

__u64 exray_seg_reader_frames(const struct exray_seg_reader *r)
{
	return r->frames;
}

__u64 exray_seg_reader_file_size(const struct exray_seg_reader *r)
{
	return r->size;
}

const char *exray_seg_reader_error(const struct exray_seg_reader *r)
{
	return r->error[0] ? r->error : "no error";
}
