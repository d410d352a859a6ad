/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Internal to the segment codec: the columns layout of event frames
 * (SEGMENT.md, "Columns frames"), shared by writer and reader. */
#ifndef EXRAY_SEGMENT_COLUMNS_H
#define EXRAY_SEGMENT_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include "segment.h"

/* The marker record that starts a columns frame: a type no reader knows as
 * a record, so readers of 1.2 and 1.3 skip the whole frame as one record of
 * an unknown type of a newer minor version. flags: the layout; ts: the
 * number of records; len: the whole frame content. */
#define EXRAY_REC_COLUMNS 255
#define EXRAY_COLUMNS_LAYOUT 1

/* Encode len bytes of whole records (as exray_seg_append checked them) into
 * out, which holds len + 16 bytes. 0, -EINVAL (not whole records), -ENOMEM. */
int exray_columns_encode(const unsigned char *rows, size_t len, unsigned char *out);

/* Does this frame content start with the columns marker? */
bool exray_columns_is(const unsigned char *frame, size_t len);

/* Decode a columns frame of len bytes into rows (len - 16 bytes). 0;
 * -EINVAL with *why when the frame is not a sound columns frame; -ENOMEM. */
int exray_columns_decode(const unsigned char *in, size_t len, unsigned char *rows,
			 const char **why);

#endif
