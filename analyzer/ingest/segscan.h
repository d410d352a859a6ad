/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Read one segment whole and summarise it (verify and info). */
#ifndef EXRAY_SEGSCAN_H
#define EXRAY_SEGSCAN_H

#include <stdbool.h>
#include "segment.h"

struct segscan {
	struct exray_seg_header header;
	struct exray_seg_stats footer;
	bool have_header, have_footer;
	unsigned major, minor;
	__u64 records, frames, file_size;
	__u64 skipped;            /* records of types newer than this reader, skipped */
	__u64 by_type[EXRAY_TYPE_SLOTS];      /* records read, by type */
	__u64 lost_by_type[EXRAY_TYPE_SLOTS];   /* sum of loss records' counts, by lost type */
	__u64 first_ts, last_ts;  /* over all records (0 if none) */
	__s64 boot_to_wall;       /* offset in force at the end */
	struct exray_seg_issue *issues;
	size_t n_issues;
	struct exray_seg_seals seals; /* the seal chain's verdict (format 1.3) */
	int err;                  /* fatal: -errno from open or next */
	char errmsg[200];         /* one line for err */
};

/* Scan path into *s (zeroed first). Returns s->err (0 when readable). */
int segscan_file(const char *path, struct segscan *s);
/* The same, checking every seal with the key of keys[0..n) that the header
 * names (n = 0: the chain's shape only), and looking for the seals `want`
 * (may be NULL; exray_seg_reader_find_seals). */
struct segscan_want {
	const __u64 *index;
	size_t n;
	__u8 (*found)[EXRAY_SEAL_BYTES];
	bool *hit;
};
int segscan_file_sealed(const char *path, struct exray_seal_verifier *const *keys, size_t n,
			const struct segscan_want *want, struct segscan *s);
void segscan_free(struct segscan *s);

#endif
