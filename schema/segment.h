/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Segment files: the codec shared by exray-record (writer) and exray (reader).
 * SEGMENT.md is the format specification; this is its implementation.
 *
 * Conventions: functions return 0 (or a count) on success and a negative
 * errno on failure; destroy functions accept NULL; nothing here prints or
 * exits. Strings in metadata are NUL-padded fixed fields.
 */
#ifndef EXRAY_SEGMENT_H
#define EXRAY_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include "exray_events.h"
#include "seal.h"

#define EXRAY_SEG_VERSION_MAJOR 1
#define EXRAY_SEG_VERSION_MINOR 5

/* zstd skippable frame magic used for exray metadata (0x184D2A50 | 0xE). */
#define EXRAY_SEG_SKIPPABLE_MAGIC 0x184D2A5Eu
/* First 4 bytes of every metadata payload: "EXRM". */
#define EXRAY_SEG_META_MAGIC 0x4D525845u

enum exray_meta_type {
	EXRAY_META_HEADER = 1, /* struct exray_seg_header, first frame */
	EXRAY_META_STATS = 2,  /* struct exray_seg_stats, periodic */
	EXRAY_META_FOOTER = 3, /* struct exray_seg_stats, last frame but its seal */
	EXRAY_META_SEAL = 4,   /* 1.3: struct exray_seg_seal, after every other frame */
	/* 5..: reserved; readers skip unknown types */
};

#define EXRAY_SEG_HOST_LEN 128
#define EXRAY_SEG_RELEASE_LEN 128
#define EXRAY_SEG_VERSION_LEN 64

/* Header: who recorded this segment, where, and how to turn boot time into
 * wall-clock time. */
struct exray_seg_header {
	__u64 seq;               /* segment sequence number within the capture */
	__u64 created_boot_ns;   /* CLOCK_BOOTTIME when the segment was opened */
	__s64 boot_to_wall_ns;   /* wall (UTC ns since epoch) = boot ns + this */
	__u8 boot_id[16];        /* /proc/sys/kernel/random/boot_id, binary */
	__u8 capture_id[16];     /* random per recorder run: seq is per capture */
	char host[EXRAY_SEG_HOST_LEN];
	char kernel_release[EXRAY_SEG_RELEASE_LEN];
	char recorder_version[EXRAY_SEG_VERSION_LEN];
	__u32 argv_max;          /* --argv-max in force */
	__u32 flags;             /* EXRAY_SEG_HDR_* (1.3; zero before) */
	/* 1.1: the recorder's own namespace inodes, i.e. the host's: how a
	 * container process that entered them (nsenter) is told apart. 0 in
	 * 1.0 files: unknown. */
	__u32 host_pidns;
	__u32 host_mntns;
	__u32 host_netns;
	__u32 reserved;
	/* 1.3: the seal chain (SEGMENT.md "Seals"); zero when not sealed */
	__u8 seal_fp[EXRAY_SEAL_FP_BYTES]; /* fingerprint of the verification key */
	__u64 prev_key_index;    /* key index of the previous segment's final seal */
	__u8 prev_seal[EXRAY_SEAL_BYTES];  /* that seal; zero in segment 0 */
};
EXRAY_ASSERT_SIZE(struct exray_seg_header, 456);
EXRAY_ASSERT_OFF(struct exray_seg_header, seal_fp, 400);
EXRAY_ASSERT_OFF(struct exray_seg_header, prev_seal, 424);
#define EXRAY_SEG_HDR_SEALED 0x1u  /* every frame is followed by a seal */
/* A header payload shorter than version 1.0's is damaged; fields after it
 * read as 0 from 1.0 files. */
#define EXRAY_SEG_HEADER_MIN_SIZE 384

/* Stats and footer: cumulative counts for this segment at the time written. */
struct exray_seg_stats {
	__u64 boot_ns;           /* CLOCK_BOOTTIME when written */
	__s64 boot_to_wall_ns;   /* re-sampled offset (clock steps, NTP) */
	__u64 frames;            /* event frames written before this one */
	__u64 records;           /* records written before this one */
	__u64 bytes_raw;         /* uncompressed record bytes */
	__u64 records_by_type[16];  /* index: enum exray_rec_type (types 0..15) */
	__u64 lost_by_type[16];     /* kernel-side losses reported so far */
	/* 1.2: the same for types 16..31 (0 in files of 1.1 and before); use
	 * exray_stats_records()/exray_stats_lost() rather than the arrays */
	__u64 records_by_type_hi[16];
	__u64 lost_by_type_hi[16];
};
EXRAY_ASSERT_SIZE(struct exray_seg_stats, 552);
/* A stats payload shorter than version 1.0's is damaged. */
#define EXRAY_SEG_STATS_MIN_SIZE 296

/* Per-type counters of a stats frame, any type below EXRAY_TYPE_SLOTS. */
static inline __u64 *exray_stats_records_slot(struct exray_seg_stats *s, unsigned type)
{
	return type < 16 ? &s->records_by_type[type]
	       : type < EXRAY_TYPE_SLOTS ? &s->records_by_type_hi[type - 16] : NULL;
}
static inline __u64 *exray_stats_lost_slot(struct exray_seg_stats *s, unsigned type)
{
	return type < 16 ? &s->lost_by_type[type]
	       : type < EXRAY_TYPE_SLOTS ? &s->lost_by_type_hi[type - 16] : NULL;
}
static inline __u64 exray_stats_records(const struct exray_seg_stats *s, unsigned type)
{
	return exray_stats_records_slot((struct exray_seg_stats *)s, type)
		       ? *exray_stats_records_slot((struct exray_seg_stats *)s, type) : 0;
}
static inline __u64 exray_stats_lost(const struct exray_seg_stats *s, unsigned type)
{
	return exray_stats_lost_slot((struct exray_seg_stats *)s, type)
		       ? *exray_stats_lost_slot((struct exray_seg_stats *)s, type) : 0;
}

/* Seal frame payload (type 4, 1.3). */
struct exray_seg_seal {
	__u64 key_index;         /* the key that made it: its number in the capture */
	__u64 boot_ns;           /* when sealed */
	__u32 seal_no;           /* its number in the segment, from 0 */
	__u32 flags;             /* EXRAY_SEAL_F_* */
	__u8 seal[EXRAY_SEAL_BYTES];  /* keyed BLAKE2b of struct exray_seal_block */
};
EXRAY_ASSERT_SIZE(struct exray_seg_seal, 56);

/* ---------------------------------------------------------------- writer */

struct exray_seg_writer;

struct exray_seg_writer_opts {
	size_t frame_bytes;     /* compress a frame when this much is batched;
	                           0 = 256 KiB */
	int level;              /* zstd level; 0 = 3 */
	bool columns;           /* event frames in the columns layout (1.4:
	                           smaller; zstdcat shows columns, not records) */
	struct exray_sealer *sealer; /* seal every frame with it (it outlives the
	                                writer: the chain runs across segments);
	                                NULL: not sealed */
};

/*
 * Where a writer's bytes go (redis rio style): a file, or memory for tests.
 * write returns the bytes taken (a short write is allowed) or -errno;
 * truncate cuts back to len bytes and writes go on from there; sync makes
 * what was written durable (all: metadata too); close releases the backend.
 */
struct exray_seg_backend {
	ssize_t (*write)(struct exray_seg_backend *b, const void *buf, size_t len);
	int (*truncate)(struct exray_seg_backend *b, __u64 len);
	int (*sync)(struct exray_seg_backend *b, bool all);
	int (*close)(struct exray_seg_backend *b);
};

/*
 * The memory backend, with the disk failures a test needs: once `space`
 * bytes are held (0: no limit) a write takes what still fits and the next
 * one fails with -ENOSPC, as a full disk does; `fail` (e.g. -EIO), when
 * set, fails every write with it. The caller owns it (close only marks it).
 */
struct exray_seg_membuf {
	struct exray_seg_backend be;
	unsigned char *data;
	size_t len, cap;
	size_t space;
	int fail;
	unsigned writes, truncates, syncs;
	bool closed;
};
void exray_seg_membuf_init(struct exray_seg_membuf *m);
void exray_seg_membuf_release(struct exray_seg_membuf *m);

/* Write a segment through a backend: the header first. The writer owns the
 * backend from here on, also when this fails. */
int exray_seg_writer_open_backend(struct exray_seg_writer **out, struct exray_seg_backend *be,
				  const struct exray_seg_header *hdr,
				  const struct exray_seg_writer_opts *opts);

/*
 * Create `name` in the directory `dirfd` (O_CREAT|O_EXCL|O_NOFOLLOW, mode
 * 0600) and write the header frame. hdr->seq, host etc. are the caller's.
 * Returns 0 and *out, or -errno (-EEXIST if the name exists, -ELOOP for a
 * symlink planted there).
 */
int exray_seg_writer_open(struct exray_seg_writer **out, int dirfd, const char *name,
			  const struct exray_seg_header *hdr,
			  const struct exray_seg_writer_opts *opts);

/*
 * Append one record (hdr.len bytes at rec; len must equal rec->len and be a
 * multiple of 8). Batched; when the batch reaches frame_bytes it is
 * compressed and written as a frame. Returns 0 or -errno (-EINVAL for a bad
 * record; -ENOSPC/-EDQUOT from a full disk; -EIO ...).
 *
 * Disk errors: the file is first cut back to its last whole frame, so it
 * stays readable. -ENOSPC and -EDQUOT are recoverable: the batch is kept (a
 * record that did not fit is not taken: the return says so), and a later
 * flush after freeing space writes it. Any other write error is sticky:
 * every later call returns it.
 */
int exray_seg_append(struct exray_seg_writer *w, const void *rec, size_t len);

/* Compress and write whatever is batched as one frame (nothing if empty),
 * without syncing. */
int exray_seg_frame_out(struct exray_seg_writer *w);

/* exray_seg_frame_out, then fdatasync: what a crash or power loss can cost
 * ends here. */
int exray_seg_flush(struct exray_seg_writer *w);

/*
 * Sealing writers: evolve the key and write a seal covering what was written
 * since the last one (usually nothing), unless a seal was made in the last
 * half second. Call at least once a second: the key must not stay the same
 * for longer, even when no event comes. exray_seg_flush does it too.
 */
int exray_seg_seal_tick(struct exray_seg_writer *w);

/* Bytes of records batched and not yet written. */
size_t exray_seg_writer_pending(const struct exray_seg_writer *w);

/* Flush, then write a stats metadata frame. */
int exray_seg_write_stats(struct exray_seg_writer *w, __s64 boot_to_wall_ns);

/*
 * Flush and write the footer (and its seal) without closing: on -ENOSPC/-EDQUOT the file is
 * cut back to its last whole frame and this may be called again after
 * freeing space. Once it succeeded, appending is refused (-EINVAL) and
 * exray_seg_writer_close adds no second footer.
 */
int exray_seg_write_footer(struct exray_seg_writer *w, __s64 boot_to_wall_ns);

/*
 * Flush, write the footer (unless written already), fsync and close. Frees w
 * in every case. Returns 0 or the first -errno seen during the writer's life.
 */
int exray_seg_writer_close(struct exray_seg_writer *w, __s64 boot_to_wall_ns);

/* File writers: has the segment been unlinked while open (nobody can read
 * it any more)? */
bool exray_seg_writer_unlinked(const struct exray_seg_writer *w);
/*
 * File writers: put the segment back as `name` in dirfd (a new file, O_EXCL,
 * 0600) with every byte written so far, and go on writing there. For a
 * segment unlinked, or whose directory was removed, while it was written.
 * Returns 0 or -errno (-EOPNOTSUPP for other backends); the old file stays
 * in use on failure, and what was copied stays as `name` (whole frames, then
 * a torn tail), never removed.
 */
int exray_seg_writer_relocate(struct exray_seg_writer *w, int dirfd, const char *name);

/* Close the fd without flushing or footer (as a crash would). Frees w. */
void exray_seg_writer_abort(struct exray_seg_writer *w);

/* Counts of what is written so far (batched records not included), and the
 * file's size in whole frames. */
const struct exray_seg_stats *exray_seg_writer_stats(const struct exray_seg_writer *w);
__u64 exray_seg_writer_file_bytes(const struct exray_seg_writer *w);

/* Report kernel losses so they appear in stats/footer (cumulative values). */
void exray_seg_writer_set_lost(struct exray_seg_writer *w, unsigned type, __u64 total);

/* ---------------------------------------------------------------- reader */

enum exray_seg_issue_kind {
	EXRAY_ISSUE_TORN_TAIL = 1,   /* file ends inside a frame */
	EXRAY_ISSUE_BAD_FRAME,       /* zstd frame fails to decode or checksum */
	EXRAY_ISSUE_BAD_META,        /* metadata frame with bad crc or size */
	EXRAY_ISSUE_GARBAGE,         /* bytes that are no frame, skipped */
	EXRAY_ISSUE_BAD_RECORD,      /* record with impossible length in a frame */
	EXRAY_ISSUE_UNKNOWN_TYPE,    /* record type this reader does not know */
	EXRAY_ISSUE_NEWER_MINOR,     /* written by a newer minor version */
	EXRAY_ISSUE_NO_HEADER,       /* first frame is not a valid header */
	EXRAY_ISSUE_SKIPPED_TYPE,    /* record type of a newer minor version, skipped
	                                whole as SEGMENT.md says: not damage */
};

/* Whether an issue is damage (a file that is not as written) rather than a
 * note about a newer writer: newer_minor and skipped_type are not. */
bool exray_seg_issue_is_damage(enum exray_seg_issue_kind kind);

struct exray_seg_issue {
	enum exray_seg_issue_kind kind;
	__u64 offset;      /* file offset where the problem starts */
	__u64 length;      /* bytes skipped (0 if none) */
	char detail[160];  /* one line, no newline */
};

/* Short stable name of an issue kind: "torn_tail", "bad_frame", ... */
const char *exray_seg_issue_name(enum exray_seg_issue_kind kind);

struct exray_seg_reader;

/*
 * Open a segment file (read into memory) or wrap a caller's buffer (not
 * copied; must outlive the reader). Does not parse yet. Returns 0 or -errno.
 */
int exray_seg_reader_open(struct exray_seg_reader **out, const char *path);
int exray_seg_reader_open_mem(struct exray_seg_reader **out, const void *buf, size_t len);
void exray_seg_reader_free(struct exray_seg_reader *r);

/*
 * Next record. Returns 1 and *rec (valid until the next call; 8-byte
 * aligned; rec->len bytes, at least sizeof(struct exray_rec_hdr)), 0 at the
 * end of the file, or a negative errno for what makes the file unreadable as
 * a whole: -EPROTONOSUPPORT for a newer major version (see
 * exray_seg_reader_error()), -ENOMEM. Damage is not an error: it is skipped,
 * recorded as an issue, and reading goes on with the next intact frame.
 * Records of types this reader does not know are skipped (and counted as an
 * issue once per type); records of known types shorter than their struct are
 * skipped as bad records.
 */
int exray_seg_next(struct exray_seg_reader *r, const struct exray_rec_hdr **rec);

/* After open: the header, or NULL if not (yet) read or damaged. Reading the
 * first record reads the header. */
const struct exray_seg_header *exray_seg_reader_header(const struct exray_seg_reader *r);
/* Footer, or NULL if none was seen (unfinished or torn segment). Complete
 * once exray_seg_next returned 0. */
const struct exray_seg_stats *exray_seg_reader_footer(const struct exray_seg_reader *r);
/* The most recent stats or footer frame seen, or NULL. */
const struct exray_seg_stats *exray_seg_reader_last_stats(const struct exray_seg_reader *r);
/* Version read from the header frame (0.0 if none). */
void exray_seg_reader_version(const struct exray_seg_reader *r, unsigned *major, unsigned *minor);
/* Issues found so far, in file order. */
size_t exray_seg_reader_issue_count(const struct exray_seg_reader *r);
const struct exray_seg_issue *exray_seg_reader_issue(const struct exray_seg_reader *r, size_t i);
/*
 * Where the record last returned by exray_seg_next sits: the file offset of
 * its frame and its index within that frame. Stable across copies of the
 * same segment (damage elsewhere does not shift it), so (capture, seq,
 * frame_offset, index) identifies an event for idempotent ingest.
 */
void exray_seg_reader_record_pos(const struct exray_seg_reader *r, __u64 *frame_offset,
				 __u32 *index);
/* Intact event frames decoded so far, and the file size. */
__u64 exray_seg_reader_frames(const struct exray_seg_reader *r);
__u64 exray_seg_reader_file_size(const struct exray_seg_reader *r);
/* Bytes decompressed so far, trial decompressions while resynchronising
 * included; bounded per file (SEGMENT.md, "Reading"). */
__u64 exray_seg_reader_inflated(const struct exray_seg_reader *r);
/* Records of types this reader does not know, skipped so far. */
__u64 exray_seg_reader_skipped(const struct exray_seg_reader *r);
/*
 * Seals (1.3). The reader always checks the chain's shape (seal numbers, key
 * indexes, the final seal after the footer, nothing after it); given the
 * verification key (a verifier, before the first exray_seg_next; it may be
 * shared by the readers of one capture), it checks every seal too. Checking
 * stops at the first failure, which names the first frame that does not
 * verify. Complete once exray_seg_next returned 0.
 */
struct exray_seg_seals {
	bool sealed;             /* the header says every frame is sealed */
	bool keyed;              /* seals were checked with a key */
	bool failed;             /* a seal or link did not verify: see below */
	__u64 fail_offset;       /* the first frame that does not verify */
	__u64 fail_frame;        /* its number among the file's frames, from 0 */
	char detail[200];        /* why, one line */
	__u64 seals;             /* seal frames checked */
	__u64 first_index;       /* key index the segment's first seal must have */
	__u64 last_index;        /* key index of the last seal checked */
	__u8 last_seal[EXRAY_SEAL_BYTES];
	__u64 last_boot_ns;      /* when it was made */
	bool final;              /* ends with its final seal: a finished segment */
	__u64 sealed_bytes;      /* the file's prefix its seals cover */
	__u64 unsealed_tail;     /* bytes after the last seal (unfinished segment) */
};
void exray_seg_reader_set_verifier(struct exray_seg_reader *r, struct exray_seal_verifier *v);
/* Several keys (the caller's array, which must outlive the reader): the
 * segment is checked with the one whose fingerprint its header names (none
 * matching: a wrong key). */
void exray_seg_reader_set_verifiers(struct exray_seg_reader *r,
				    struct exray_seal_verifier *const *keys, size_t n);
/*
 * Seals to look for while reading (a copy kept elsewhere, exray-record
 * --seal-log): want[0..n) key indexes in ascending order; for each one this
 * segment holds and that passed the checks, hit[i] is set and found[i]
 * gets the seal. The arrays must outlive the reading.
 */
void exray_seg_reader_find_seals(struct exray_seg_reader *r, const __u64 *want, size_t n,
				 __u8 (*found)[EXRAY_SEAL_BYTES], bool *hit);
/* The key the seals were checked with (once the header was read), or NULL. */
const struct exray_seal_verifier *exray_seg_reader_verifier(const struct exray_seg_reader *r);
const struct exray_seg_seals *exray_seg_reader_seals(const struct exray_seg_reader *r);
/*
 * Does segment b (sequence number a's + 1, same capture) continue a's seal
 * chain? a must end with its final seal, and b's header must name it. False
 * with one line in why (for b) when not.
 */
bool exray_seg_seals_link(const struct exray_seg_seals *a, const struct exray_seg_header *b,
			  char *why, size_t len);
/* The file's bytes (read-only), for callers that check what seals cover. */
const unsigned char *exray_seg_reader_bytes(const struct exray_seg_reader *r, __u64 *len);

/* One line describing a fatal error returned by exray_seg_next. */
const char *exray_seg_reader_error(const struct exray_seg_reader *r);

/* ------------------------------------------------------- record helpers */

/* Bounds-checked views of variable-length records (NULL/0 if malformed):
 * pointers into the record; strings are guaranteed NUL-terminated within it. */
const char *exray_exec_filename(const struct exray_exec *e);
const char *exray_exec_argv(const struct exray_exec *e, size_t *len);
const char *exray_cgroup_path(const struct exray_cgroup *c);
/* String i (0-based, in the order of the type's _len fields) of an exec,
 * snapshot, cgroup, file, ns, memfd or uring record; NULL when absent or
 * malformed. */
const char *exray_rec_string(const struct exray_rec_hdr *h, unsigned i);
/* A file record's 1.5 extension (EXRAY_F_FILE_EXT), or NULL when it has
 * none or it does not fit in the record. */
const struct exray_file_ext *exray_file_ext(const struct exray_file *f);
/* The 1.2 exec extension, or NULL (no EXRAY_F_EXEC_EXT, or malformed);
 * *exe and *cwd (may be NULL pointers) point at its strings or are NULL. */
const struct exray_exec_ext *exray_exec_ext(const struct exray_exec *e, const char **exe,
					    const char **cwd);
/* A container record's key/value block (NUL-separated, alternating key and
 * value) and its length, or NULL. */
const char *exray_container_kv(const struct exray_container *c, size_t *len);
/* Every string of a record lies inside it and is NUL-terminated. */
bool exray_rec_strings_sound(const struct exray_rec_hdr *h);
/* Minimum valid length of a record type, 0 for an unknown type. */
size_t exray_rec_min_len(unsigned type);
/* "exec", "fork", ... (the dump names of docs/analyzer.md), NULL for an unknown type. */
const char *exray_rec_type_name(unsigned type);

#endif /* EXRAY_SEGMENT_H */
