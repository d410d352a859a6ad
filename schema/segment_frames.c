// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Segment reader, frame checks: what starts at an offset (a whole, intact
 * metadata or data frame, or nothing), what damage is called and where
 * reading resumes after it, and the inflate budget that bounds what a
 * crafted file can cost.
 */
#include <stdlib.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_MAGIC_SKIPPABLE_* on older headers */
#include <zstd.h>
#include "segment_format.h"
#include "segment_reader_int.h"

#define SKIPPABLE_MASK 0xFFFFFFF0u

/*
 * Count n bytes about to be inflated against the file's budget. False (and
 * the reader stops, saying so once) when they do not fit: a crafted file
 * must not buy seconds of CPU with a few bytes per frame.
 */
bool seg_inflate_allowed(struct exray_seg_reader *r, __u64 off, __u64 n)
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
int seg_note_budget(struct exray_seg_reader *r)
{
	if (!r->over_budget || r->budget_said)
		return 0;
	r->budget_said = true;
	r->pos = r->size;
	return seg_add_issue(r, EXRAY_ISSUE_BAD_FRAME, r->budget_off, r->size - r->budget_off,
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
enum frame_kind seg_probe_frame(struct exray_seg_reader *r, __u64 off, __u64 *size, bool deep)
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

			if (!seg_inflate_allowed(r, off, content))
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
		kind = seg_probe_frame(r, off, &size, true);
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
int seg_skip_damage(struct exray_seg_reader *r, __u64 off, bool whole,
		       enum exray_seg_issue_kind kind, const char *what)
{
	__u64 next = resync(r, off + 1);
	int err;

	if (next == r->size && !whole)
		err = seg_add_issue(r, EXRAY_ISSUE_TORN_TAIL, off, next - off,
				"file ends inside a frame: %llu bytes at offset %llu are incomplete",
				(unsigned long long)(next - off), (unsigned long long)off);
	else
		err = seg_add_issue(r, kind, off, next - off, "%s at offset %llu; skipped %llu bytes",
				what, (unsigned long long)off, (unsigned long long)(next - off));
	r->pos = next;
	return err;
}

/* Does the frame at off claim a size that lies within the file? */
bool seg_frame_is_whole(struct exray_seg_reader *r, __u64 off)
{
	const unsigned char *p = r->buf + off;
	__u64 left = r->size - off;

	if (left < 8)
		return false;
	if (get_le32(p) == ZSTD_MAGICNUMBER)
		return !ZSTD_isError(ZSTD_findFrameCompressedSize(p, (size_t)left));
	return get_le32(p + 4) <= left - 8;
}
