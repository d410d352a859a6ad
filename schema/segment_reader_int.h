/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Internal to the segment reader, which is three files by job:
 * segment_reader.c (opening, the frame-by-frame reading loop, records),
 * segment_frames.c (what starts at an offset, damage and resynchronising,
 * the inflate budget) and segment_seals.c (checking the seal chain). The
 * contract is segment.h; this is only the state they share.
 */
#ifndef EXRAY_SEGMENT_READER_INT_H
#define EXRAY_SEGMENT_READER_INT_H

#include <zstd.h>
#include "segment.h"

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
	unsigned char *spare; /* a columns frame's records are decoded here,
	                         then swapped with frame (no fresh pages per frame) */
	__u64 spare_cap;
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

/* ----------------------------------------------- segment_reader.c */

/* Record an issue (file order). 0, or -ENOMEM. */
__attribute__((format(printf, 5, 6)))
int seg_add_issue(struct exray_seg_reader *r, enum exray_seg_issue_kind kind, __u64 offset,
		  __u64 length, const char *fmt, ...);

/* ----------------------------------------------- segment_frames.c */

enum frame_kind { FRAME_NONE, FRAME_META, FRAME_FOREIGN_SKIP, FRAME_DATA, FRAME_TOO_LARGE };

/* Count n bytes about to be inflated at off against the file's budget;
 * false once over it. */
bool seg_inflate_allowed(struct exray_seg_reader *r, __u64 off, __u64 n);
/* Once over budget: say so (once) and stop reading. 0, or -ENOMEM. */
int seg_note_budget(struct exray_seg_reader *r);
/* What starts at off, and its size when whole and intact. */
enum frame_kind seg_probe_frame(struct exray_seg_reader *r, __u64 off, __u64 *size, bool deep);
/* Record damage at off and move r->pos to the next intact frame. */
int seg_skip_damage(struct exray_seg_reader *r, __u64 off, bool whole,
		    enum exray_seg_issue_kind kind, const char *what);
/* Does the frame at off claim a size that lies within the file? */
bool seg_frame_is_whole(struct exray_seg_reader *r, __u64 off);

/* ------------------------------------------------- segment_seals.c */

/* A seal frame (its payload, len bytes) at off. */
void seg_check_seal(struct exray_seg_reader *r, __u64 off, const unsigned char *payload,
		    __u32 len);
/* At the end of the file: the verdict on the segment's seals. */
void seg_seals_finish(struct exray_seg_reader *r);

#endif
