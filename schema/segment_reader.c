// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Segment reader. Walks the file frame by frame; whatever does not decode is
 * recorded as an issue and skipped, and reading resumes at the next offset
 * where a whole, checksummed frame starts. Bytes with no valid frame after
 * them are the torn tail. Every read is bounds-checked against the file size.
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
#include "segment_format.h"

#define MAX_FILE_BYTES (4ull * 1024 * 1024 * 1024)
#define SKIPPABLE_MASK 0xFFFFFFF0u

struct exray_seg_reader {
	const unsigned char *buf;
	__u64 size;
	unsigned char *owned; /* buf when we read the file */
	__u64 pos;            /* next frame starts here */
	bool seen_frame, done;
	int fatal;
	char error[200];

	ZSTD_DCtx *dctx;
	unsigned char *frame; /* decoded records of the current frame */
	__u64 frame_cap, frame_len, frame_pos;
	__u64 frame_offset;   /* file offset of the current frame */
	__u32 rec_index;      /* index in frame of the next record */
	__u32 last_index;     /* index of the record last returned */
	__u64 frames;

	__u64 inflated;       /* bytes decompressed so far, trials included */
	bool over_budget;     /* EXRAY_SEG_INFLATE_BUDGET reached: stop */
	bool budget_said;
	__u64 budget_off;     /* where it was reached */

	bool have_header, have_footer, have_stats, minor_reported;
	__u64 skipped_records;       /* records of unknown types, skipped */
	unsigned major, minor;
	struct exray_seg_header header;
	struct exray_seg_stats footer, last_stats;

	/* seals */
	struct exray_seal_verifier *const *keys; /* the caller's, chosen by fingerprint */
	size_t n_keys;
	struct exray_seal_verifier *one_key;
	struct exray_seal_verifier *verifier;    /* the key of this segment, NULL: none */
	struct exray_seg_seals seals;
	__u64 frame_no;          /* intact frames before the current one */
	__u64 span_start;        /* what the next seal covers starts here */
	__u64 span_frame;        /* frame number of the frame there */
	__u64 expect_index;      /* key index the next seal must have */
	__u8 prev_seal[EXRAY_SEAL_BYTES];
	__u64 footer_end;        /* file offset after the footer frame, 0: none */
	const __u64 *want;       /* exray_seg_reader_find_seals */
	size_t n_want;
	__u8 (*found)[EXRAY_SEAL_BYTES];
	bool *hit;
	bool seals_started, seals_done;

	struct exray_seg_issue *issues;
	size_t n_issues, cap_issues;
	__u64 unknown_seen[1024]; /* bitmap of unknown record types reported */
};

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
static int add_issue(struct exray_seg_reader *r, enum exray_seg_issue_kind kind, __u64 offset,
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
	free(r->owned);
	free(r->issues);
	free(r);
}

/* ----------------------------------------------------------- frame checks */

enum frame_kind { FRAME_NONE, FRAME_META, FRAME_FOREIGN_SKIP, FRAME_DATA, FRAME_TOO_LARGE };

/*
 * Count n bytes about to be inflated against the file's budget. False (and
 * the reader stops, saying so once) when they do not fit: a crafted file
 * must not buy seconds of CPU with a few bytes per frame.
 */
static bool inflate_allowed(struct exray_seg_reader *r, __u64 off, __u64 n)
{
	if (!r->over_budget && r->inflated + n <= EXRAY_SEG_INFLATE_BUDGET(r->size)) {
		r->inflated += n;
		return true;
	}
	if (!r->over_budget) {
		r->over_budget = true;
		r->budget_off = off;
	}
	return false;
}

/* Once over budget, say so (after the issue that led there: file order). */
static int note_budget(struct exray_seg_reader *r)
{
	if (!r->over_budget || r->budget_said)
		return 0;
	r->budget_said = true;
	r->pos = r->size;
	return add_issue(r, EXRAY_ISSUE_BAD_FRAME, r->budget_off, r->size - r->budget_off,
			 "decompression budget (%llu MiB) exhausted at offset %llu: the file inflates "
			 "far more than a segment can; the rest is not read",
			 (unsigned long long)(EXRAY_SEG_INFLATE_BUDGET(r->size) >> 20),
			 (unsigned long long)r->budget_off);
}

/*
 * Decide what starts at `off`. Returns the kind and its total size in *size
 * for a frame that is whole and intact (metadata crc good; data frames fully
 * decoded with their checksum when `deep`), FRAME_TOO_LARGE for a whole data
 * frame that declares more content than any writer makes, FRAME_NONE
 * otherwise. Only the inflate budget changes.
 */
static enum frame_kind probe_frame(struct exray_seg_reader *r, __u64 off, __u64 *size, bool deep)
{
	const unsigned char *p = r->buf + off;
	__u64 left = r->size - off;
	__u32 magic;

	if (left < 8)
		return FRAME_NONE;
	magic = get_le32(p);
	if ((magic & SKIPPABLE_MASK) == ZSTD_MAGIC_SKIPPABLE_START) {
		__u64 fsize = get_le32(p + 4);

		if (fsize > left - 8)
			return FRAME_NONE;
		*size = 8 + fsize;
		if (magic != EXRAY_SEG_SKIPPABLE_MAGIC)
			return FRAME_FOREIGN_SKIP;
		if (fsize < 16 || get_le32(p + 8) != EXRAY_SEG_META_MAGIC ||
		    get_le32(p + 16) != fsize - 16 ||
		    get_le32(p + 20) != exray_meta_crc(p, p + EXRAY_META_PREFIX, (__u32)(fsize - 16)))
			return FRAME_NONE;
		return FRAME_META;
	}
	if (magic == ZSTD_MAGICNUMBER) {
		size_t csize = ZSTD_findFrameCompressedSize(p, (size_t)left);
		unsigned long long content;

		if (ZSTD_isError(csize))
			return FRAME_NONE;
		content = ZSTD_getFrameContentSize(p, csize);
		if (content == ZSTD_CONTENTSIZE_UNKNOWN || content == ZSTD_CONTENTSIZE_ERROR)
			return FRAME_NONE;
		*size = csize;
		if (content > EXRAY_SEG_MAX_FRAME_CONTENT)
			return FRAME_TOO_LARGE;
		if (deep) {
			/* only used while resynchronising after damage */
			void *tmp;
			size_t n;

			if (!inflate_allowed(r, off, content))
				return FRAME_NONE;
			tmp = malloc(content ? content : 1);
			if (!tmp)
				return FRAME_NONE;
			n = ZSTD_decompressDCtx(r->dctx, tmp, content, p, csize);
			free(tmp);
			if (ZSTD_isError(n) || n != content)
				return FRAME_NONE;
		}
		return FRAME_DATA;
	}
	return FRAME_NONE;
}

/* The next offset after `from` where a whole intact frame starts, or the file
 * size if there is none. */
static __u64 resync(struct exray_seg_reader *r, __u64 from)
{
	for (__u64 off = from; off + 8 <= r->size; off++) {
		__u32 magic = get_le32(r->buf + off);
		__u64 size;

		enum frame_kind kind;

		if (magic != ZSTD_MAGICNUMBER && magic != EXRAY_SEG_SKIPPABLE_MAGIC)
			continue;
		kind = probe_frame(r, off, &size, true);
		if (r->over_budget)
			break;
		if (kind != FRAME_NONE && kind != FRAME_TOO_LARGE)
			return off;
	}
	return r->size;
}

/*
 * Damage at `off`: record it and move past it. `whole` says the frame's own
 * size fits in the file (so it is damaged, not cut short). A frame cut short
 * with no intact frame after it is the torn tail; anything else is named by
 * `kind`, with the bytes skipped up to the next intact frame.
 */
static int skip_damage(struct exray_seg_reader *r, __u64 off, bool whole,
		       enum exray_seg_issue_kind kind, const char *what)
{
	__u64 next = resync(r, off + 1);
	int err;

	if (next == r->size && !whole)
		err = add_issue(r, EXRAY_ISSUE_TORN_TAIL, off, next - off,
				"file ends inside a frame: %llu bytes at offset %llu are incomplete",
				(unsigned long long)(next - off), (unsigned long long)off);
	else
		err = add_issue(r, kind, off, next - off, "%s at offset %llu; skipped %llu bytes",
				what, (unsigned long long)off, (unsigned long long)(next - off));
	r->pos = next;
	return err;
}

/* Does the frame at off claim a size that lies within the file? */
static bool frame_is_whole(struct exray_seg_reader *r, __u64 off)
{
	const unsigned char *p = r->buf + off;
	__u64 left = r->size - off;

	if (left < 8)
		return false;
	if (get_le32(p) == ZSTD_MAGICNUMBER)
		return !ZSTD_isError(ZSTD_findFrameCompressedSize(p, (size_t)left));
	return get_le32(p + 4) <= left - 8;
}

/* ---------------------------------------------------------- frame handling */

static void copy_payload(void *dst, size_t dst_size, const unsigned char *src, __u32 len)
{
	memset(dst, 0, dst_size);
	memcpy(dst, src, len < dst_size ? len : dst_size);
}

/* ------------------------------------------------------------------ seals */

__attribute__((format(printf, 2, 3)))
static void seal_fail(struct exray_seg_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->seals.failed)
		return;
	r->seals.failed = true;
	r->seals.fail_offset = r->span_start;
	r->seals.fail_frame = r->span_frame;
	va_start(ap, fmt);
	vsnprintf(r->seals.detail, sizeof(r->seals.detail), fmt, ap);
	va_end(ap);
}

/* Where the chain of this segment starts, from its header. */
static bool seals_start(struct exray_seg_reader *r)
{
	char want[2 * EXRAY_SEAL_FP_BYTES + 1], have[2 * EXRAY_SEAL_FP_BYTES + 1];

	if (r->seals_started)
		return true;
	if (!r->have_header) {
		seal_fail(r, "no intact header: the seals cannot be checked");
		return false;
	}
	r->seals_started = true;
	r->seals.first_index = r->expect_index =
		r->header.seq ? r->header.prev_key_index + 1 : 0;
	memcpy(r->prev_seal, r->header.prev_seal, sizeof(r->prev_seal));
	if (!r->n_keys)
		return true;
	for (size_t i = 0; i < r->n_keys && !r->verifier; i++)
		if (!memcmp(r->header.seal_fp, exray_seal_verifier_fp(r->keys[i]), EXRAY_SEAL_FP_BYTES))
			r->verifier = r->keys[i];
	if (!r->verifier) {
		r->verifier = r->keys[0];
		exray_seal_hex(r->header.seal_fp, EXRAY_SEAL_FP_BYTES, have);
		exray_seal_hex(exray_seal_verifier_fp(r->keys[0]), EXRAY_SEAL_FP_BYTES, want);
		seal_fail(r, "sealed with key %.16s..., not with the key%s given (%.16s...): wrong key",
			  have, r->n_keys > 1 ? "s" : "", want);
		return false;
	}
	return true;
}

/* A seal the caller looks for (binary search: want is sorted). */
static void note_wanted(struct exray_seg_reader *r, __u64 index, const __u8 *seal)
{
	size_t lo = 0, hi = r->n_want;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->want[mid] < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < r->n_want && r->want[lo] == index; lo++) {
		memcpy(r->found[lo], seal, EXRAY_SEAL_BYTES);
		r->hit[lo] = true;
	}
}

void exray_seg_reader_find_seals(struct exray_seg_reader *r, const __u64 *want, size_t n,
				 __u8 (*found)[EXRAY_SEAL_BYTES], bool *hit)
{
	r->want = want;
	r->n_want = n;
	r->found = found;
	r->hit = hit;
}

/*
 * A seal frame at off: it must be the next one of the chain (its number in
 * the segment and its key index), and with a key, its seal must be the MAC
 * of everything since the previous seal frame, of its place and of the
 * previous seal.
 */
static void check_seal(struct exray_seg_reader *r, __u64 off, const unsigned char *payload,
		       __u32 len)
{
	struct exray_seg_seal s = { 0 };
	struct exray_seal_block b = { 0 };
	__u8 want[EXRAY_SEAL_BYTES];
	__u64 seal_end = off + EXRAY_META_PREFIX + len;

	memcpy(&s, payload, len < sizeof(s) ? len : sizeof(s));
	if (r->seals.failed)
		goto next;
	if (len < sizeof(s)) {
		seal_fail(r, "seal frame at offset %llu is too short", (unsigned long long)off);
		goto next;
	}
	if (!r->have_header || !(r->header.flags & EXRAY_SEG_HDR_SEALED)) {
		seal_fail(r, "seal frame at offset %llu in a segment whose header says it is not sealed",
			  (unsigned long long)off);
		goto next;
	}
	if (!seals_start(r))
		goto next;
	if (r->seals.final) {
		seal_fail(r, "frames after the final seal");
		goto next;
	}
	if (s.seal_no != r->seals.seals) {
		seal_fail(r, "seal number %u where %llu was expected: frames dropped, duplicated or moved",
			  s.seal_no, (unsigned long long)r->seals.seals);
		goto next;
	}
	if (s.key_index != r->expect_index) {
		seal_fail(r, "sealed with key %llu where key %llu was expected: resealed with a later key, "
			  "or frames dropped or inserted", (unsigned long long)s.key_index,
			  (unsigned long long)r->expect_index);
		goto next;
	}
	if ((s.flags & EXRAY_SEAL_F_FINAL) && r->footer_end != off) {
		seal_fail(r, "a final seal that does not follow the footer");
		goto next;
	}
	if (r->verifier) {
		memcpy(b.capture_id, r->header.capture_id, sizeof(b.capture_id));
		b.seq = r->header.seq;
		b.key_index = s.key_index;
		b.seal_no = s.seal_no;
		b.flags = s.flags;
		b.boot_ns = s.boot_ns;
		b.span_offset = r->span_start;
		b.span_len = off - r->span_start;
		memcpy(b.prev_seal, r->prev_seal, sizeof(b.prev_seal));
		exray_seal_span_hash(r->buf + r->span_start, b.span_len, b.span_hash);
		if (exray_seal_verifier_mac(r->verifier, &b, want)) {
			seal_fail(r, "key index %llu is implausible", (unsigned long long)s.key_index);
			goto next;
		}
		if (!exray_seal_equal(want, s.seal)) {
			seal_fail(r, "seal %u (offset %llu) does not verify: what it covers was changed, "
				  "or it was made with another key", s.seal_no, (unsigned long long)off);
			goto next;
		}
	}
	note_wanted(r, s.key_index, s.seal);
	r->seals.seals++;
	r->seals.last_index = s.key_index;
	r->seals.last_boot_ns = s.boot_ns;
	memcpy(r->seals.last_seal, s.seal, sizeof(s.seal));
	r->seals.final = s.flags & EXRAY_SEAL_F_FINAL;
	r->seals.sealed_bytes = seal_end;
	memcpy(r->prev_seal, s.seal, sizeof(s.seal));
	r->expect_index++;
next:
	r->span_start = seal_end;
	r->span_frame = r->frame_no + 1;
}

/* At the end of the file: a finished segment ends with its final seal, an
 * unfinished one may have an unsealed tail (the recorder stopped). */
static void seals_finish(struct exray_seg_reader *r)
{
	if (r->seals_done)
		return;
	r->seals_done = true;
	r->seals.sealed = r->have_header && (r->header.flags & EXRAY_SEG_HDR_SEALED);
	r->seals.keyed = r->n_keys > 0;
	if (!r->seals.sealed || r->seals.failed)
		return;
	if (!seals_start(r))
		return;
	if (r->seals.final) {
		if (r->size > r->span_start)
			seal_fail(r, "%llu bytes after the final seal",
				  (unsigned long long)(r->size - r->span_start));
		return;
	}
	if (r->footer_end) {
		seal_fail(r, "the footer is not sealed: the segment was cut after its footer");
		return;
	}
	r->seals.unsealed_tail = r->size - r->seals.sealed_bytes;
}

bool exray_seg_seals_link(const struct exray_seg_seals *a, const struct exray_seg_header *b,
			  char *why, size_t len)
{
	if (!a->final) {
		snprintf(why, len, "the previous segment (seq %llu) has no final seal: it was cut "
			 "short, yet this later segment exists", (unsigned long long)b->seq - 1);
		return false;
	}
	if (b->prev_key_index != a->last_index || !exray_seal_equal(b->prev_seal, a->last_seal)) {
		snprintf(why, len, "the header does not name the final seal of segment seq %llu: "
			 "a segment was removed, replaced or inserted", (unsigned long long)b->seq - 1);
		return false;
	}
	return true;
}

void exray_seg_reader_set_verifier(struct exray_seg_reader *r, struct exray_seal_verifier *v)
{
	r->one_key = v;
	exray_seg_reader_set_verifiers(r, &r->one_key, v ? 1 : 0);
}

void exray_seg_reader_set_verifiers(struct exray_seg_reader *r,
				    struct exray_seal_verifier *const *keys, size_t n)
{
	r->keys = keys;
	r->n_keys = n;
}

const struct exray_seal_verifier *exray_seg_reader_verifier(const struct exray_seg_reader *r)
{
	return r->verifier;
}

const struct exray_seg_seals *exray_seg_reader_seals(const struct exray_seg_reader *r)
{
	return &r->seals;
}

const unsigned char *exray_seg_reader_bytes(const struct exray_seg_reader *r, __u64 *len)
{
	*len = r->size;
	return r->buf;
}

static int handle_meta(struct exray_seg_reader *r, __u64 off, bool first)
{
	const unsigned char *p = r->buf + off;
	unsigned type = get_le16(p + 12), major = p[14], minor = p[15];
	__u32 len = get_le32(p + 16);
	const unsigned char *payload = p + EXRAY_META_PREFIX;

	if (type == EXRAY_META_HEADER) {
		if (!first)
			return add_issue(r, EXRAY_ISSUE_BAD_META, off, 0,
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
			return add_issue(r, EXRAY_ISSUE_BAD_META, off, 0,
					 "header frame at offset %llu is too short (%u bytes)",
					 (unsigned long long)off, len);
		copy_payload(&r->header, sizeof(r->header), payload, len);
		r->have_header = true;
		if (major == EXRAY_SEG_VERSION_MAJOR && minor > EXRAY_SEG_VERSION_MINOR)
			return add_issue(r, EXRAY_ISSUE_NEWER_MINOR, off, 0,
					 "written by format %u.%u, this exray reads %u.%u: newer fields and records are skipped",
					 major, minor, EXRAY_SEG_VERSION_MAJOR,
					 EXRAY_SEG_VERSION_MINOR);
		return 0;
	}
	if (type == EXRAY_META_STATS || type == EXRAY_META_FOOTER) {
		if (len < EXRAY_SEG_STATS_MIN_SIZE)
			return add_issue(r, EXRAY_ISSUE_BAD_META, off, 0,
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
		check_seal(r, off, payload, len);
	/* other types: reserved for later minor versions, skipped */
	return 0;
}

static int load_data_frame(struct exray_seg_reader *r, __u64 off, __u64 csize)
{
	const unsigned char *p = r->buf + off;
	unsigned long long content = ZSTD_getFrameContentSize(p, csize);
	size_t n;

	if (!inflate_allowed(r, off, content))
		return note_budget(r);
	if (content > r->frame_cap) {
		void *nb = realloc(r->frame, content);

		if (!nb)
			return -ENOMEM;
		r->frame = nb;
		r->frame_cap = content;
	}
	n = ZSTD_decompressDCtx(r->dctx, r->frame, content, p, csize);
	if (ZSTD_isError(n) || n != content)
		return skip_damage(r, off, true, EXRAY_ISSUE_BAD_FRAME,
				   ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame");
	r->frame_len = content;
	r->frame_pos = 0;
	r->frame_offset = off;
	r->rec_index = 0;
	r->frames++;
	r->pos = off + csize;
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
	return add_issue(r, EXRAY_ISSUE_NO_HEADER, off, 0,
			 "the file does not start with an exray header frame");
}

/* Decode frames until records are available or the file ends. */
static int next_frame(struct exray_seg_reader *r)
{
	if (!r->size && !r->seen_frame && !r->n_issues)
		return add_issue(r, EXRAY_ISSUE_TORN_TAIL, 0, 0, "empty file: no header");
	while (r->pos < r->size && !r->fatal) {
		__u64 off = r->pos, size = 0;
		enum frame_kind kind = probe_frame(r, off, &size, false);
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
			err = skip_damage(r, off, true, EXRAY_ISSUE_BAD_FRAME, what);
			break;
		}
		case FRAME_NONE: {
			__u32 magic = r->size - off >= 4 ? get_le32(r->buf + off) : 0;
			bool whole = frame_is_whole(r, off);

			if (magic == ZSTD_MAGICNUMBER)
				err = skip_damage(r, off, whole, EXRAY_ISSUE_BAD_FRAME,
						  "damaged zstd frame");
			else if (magic == EXRAY_SEG_SKIPPABLE_MAGIC)
				err = skip_damage(r, off, whole, EXRAY_ISSUE_BAD_META,
						  "damaged metadata frame");
			else
				err = skip_damage(r, off, false, EXRAY_ISSUE_GARBAGE,
						  "bytes that are no frame");
			break;
		}
		}
		if (!err)
			err = note_budget(r);
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
				seals_finish(r);
				return 0;
			}
			continue;
		}
		h = (const void *)(r->frame + r->frame_pos);
		if (left < sizeof(*h) || h->len < sizeof(*h) || h->len > left ||
		    h->len % EXRAY_REC_ALIGN) {
			/* checksum was good, so the writer produced this: the
			 * rest of the frame cannot be framed any more */
			err = add_issue(r, EXRAY_ISSUE_BAD_RECORD, r->frame_offset, 0,
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
					err = add_issue(r, EXRAY_ISSUE_SKIPPED_TYPE, r->frame_offset, 0,
							"record type %u of format %u.%u is unknown to this exray (%u.%u); such records are skipped",
							t, r->major, r->minor, EXRAY_SEG_VERSION_MAJOR,
							EXRAY_SEG_VERSION_MINOR);
				else
					err = add_issue(r, EXRAY_ISSUE_UNKNOWN_TYPE, r->frame_offset, 0,
							"record type %u is not part of format %u.%u; such records are skipped",
							t, r->major, r->minor);
				if (err)
					return err;
			}
			continue;
		}
		if (h->len < min || !exray_rec_strings_sound(h)) {
			err = add_issue(r, EXRAY_ISSUE_BAD_RECORD, r->frame_offset, 0,
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
