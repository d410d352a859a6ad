/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Event counters summed from recorded numbers (kernel losses): a crafted or
 * corrupt segment can hold counts near 2^64, so sums saturate at UINT64_MAX
 * instead of wrapping to a small, believable number, and a saturated count
 * says so wherever it is shown.
 */
#ifndef EXRAY_COUNTS_H
#define EXRAY_COUNTS_H

#include <stdbool.h>
#include <stdint.h>

#define COUNT_SATURATED UINT64_MAX

/* a + b, or COUNT_SATURATED when it does not fit. */
static inline uint64_t count_add(uint64_t a, uint64_t b)
{
	return a > COUNT_SATURATED - b ? COUNT_SATURATED : a + b;
}

static inline bool count_saturated(uint64_t v)
{
	return v == COUNT_SATURATED;
}

/* "17,234" for people; a saturated count reads "more than
 * 18,446,744,073,709,551,614 (counter saturated)". Returns buf. */
#define COUNT_TEXT_LEN 80
char *count_text(char buf[COUNT_TEXT_LEN], uint64_t v);

/* The plain number, with " (saturated)" after a saturated one: for lists
 * that show numbers without separators (info, ingest). Returns buf. */
char *count_plain(char buf[COUNT_TEXT_LEN], uint64_t v);

#endif
