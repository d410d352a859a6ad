/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A container image reference as runtimes record it:
 * "[registry[:port]/]path[:tag][@digest]". */
#ifndef EXRAY_IMAGEREF_H
#define EXRAY_IMAGEREF_H

#include <stddef.h>

struct imageref {
	size_t name_len;    /* ref[0..name_len): registry and path, no tag or digest */
	const char *tag;    /* NULL: none */
	size_t tag_len;
	const char *digest; /* after '@', NULL: none */
};

/* Split ref (not modified; the parts point into it). A ':' before the last
 * '/' is a registry port, not a tag. */
void imageref_split(const char *ref, struct imageref *out);

#endif /* EXRAY_IMAGEREF_H */
