/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Internal to the segment codec: the byte layout of metadata frames
 * (SEGMENT.md, "Metadata frames"), shared by writer and reader. */
#ifndef EXRAY_SEGMENT_FORMAT_H
#define EXRAY_SEGMENT_FORMAT_H

#include <string.h>
#include <time.h>
#include <zlib.h>
#include "segment.h"


/*
 * A metadata frame: zstd skippable frame header (magic, size) followed by
 * the exray prefix and the payload. All little-endian.
 *   0 u32 EXRAY_SEG_SKIPPABLE_MAGIC   4 u32 frame size (= 16 + payload length)
 *   8 u32 EXRAY_SEG_META_MAGIC       12 u16 type  14 u8 major  15 u8 minor
 *  16 u32 payload length             20 u32 crc32 of bytes 8..19 and payload
 *  24 payload
 */
#define EXRAY_META_PREFIX 24u

/*
 * The largest frame a writer makes: a batch is compressed once it reaches
 * its threshold (at most EXRAY_SEG_MAX_FRAME_BYTES), so it holds at most
 * that plus one more record of the largest kind. Readers refuse to inflate
 * anything bigger ("frame too large"): that is how a crafted frame of a few
 * bytes that claims gigabytes costs nothing.
 */
#define EXRAY_SEG_MAX_FRAME_BYTES (16u * 1024 * 1024)
#define EXRAY_SEG_MAX_FRAME_CONTENT ((__u64)EXRAY_SEG_MAX_FRAME_BYTES + EXRAY_EXEC_MAX_SIZE)
/*
 * What a reader inflates for one file at most, counting the trial
 * decompressions of resynchronisation: two largest frames plus 64 times
 * the file's size. Real segments expand 5-20 times, so only a crafted file
 * (frames that compress memset-like data, or many candidates after damage)
 * reaches it; then the rest of the file is skipped and said so.
 */
#define EXRAY_SEG_INFLATE_BUDGET(file_size) (2 * EXRAY_SEG_MAX_FRAME_CONTENT + 64 * (__u64)(file_size))

static inline void put_le16(unsigned char *p, __u16 v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void put_le32(unsigned char *p, __u32 v)
{
	put_le16(p, (__u16)v);
	put_le16(p + 2, (__u16)(v >> 16));
}

static inline __u16 get_le16(const unsigned char *p)
{
	return (__u16)(p[0] | p[1] << 8);
}

static inline __u32 get_le32(const unsigned char *p)
{
	return (__u32)get_le16(p) | (__u32)get_le16(p + 2) << 16;
}

static inline __u32 exray_meta_crc(const unsigned char *frame, const void *payload, __u32 len)
{
	uLong crc = crc32(0L, frame + 8, 12);

	return (__u32)crc32(crc, payload, len);
}

/* Fill frame[0 .. EXRAY_META_PREFIX + len) with a metadata frame. Payload
 * structs are written as they are in memory: exray only runs little-endian. */
static inline void exray_meta_encode(unsigned char *frame, unsigned type, const void *payload,
				     __u32 len)
{
	put_le32(frame, EXRAY_SEG_SKIPPABLE_MAGIC);
	put_le32(frame + 4, 16 + len);
	put_le32(frame + 8, EXRAY_SEG_META_MAGIC);
	put_le16(frame + 12, (__u16)type);
	frame[14] = EXRAY_SEG_VERSION_MAJOR;
	frame[15] = EXRAY_SEG_VERSION_MINOR;
	put_le32(frame + 16, len);
	memcpy(frame + EXRAY_META_PREFIX, payload, len);
	put_le32(frame + 20, exray_meta_crc(frame, payload, len));
}

static inline __u64 exray_boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "exray segment files are little-endian; big-endian hosts are not supported"
#endif


#endif
