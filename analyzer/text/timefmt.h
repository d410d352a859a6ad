/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Times as the analyzer shows them: RFC 3339, UTC, nanoseconds. */
#ifndef EXRAY_TIMEFMT_H
#define EXRAY_TIMEFMT_H

#include <stdint.h>
#include <stdio.h>

#define TIMEFMT_LEN 64 /* "2024-05-01T12:34:56.123456789Z" and room */

/* What a time that cannot be converted shows as in text output. */
#define TIMEFMT_OUT_OF_RANGE "(time out of range)"

/*
 * The one conversion of a recorded time (CLOCK_BOOTTIME ns of its host
 * boot) to wall-clock ns since the epoch: ts + the boot-to-wall offset of
 * that boot. dump, tree, timeline, check and the SQL function wall_time()
 * all use it; the views' `time` and `wall_ns` columns are the same
 * arithmetic in plain SQL (schema.sql), checked against it by test_tree.
 * Returns 0 and *wall, or -ERANGE when ts is above INT64_MAX or the sum
 * leaves int64 (a crafted or corrupt offset): such a time has no date.
 */
int timefmt_wall(uint64_t ts, int64_t boot_to_wall, int64_t *wall);

/* Format wall-clock ns since the epoch as "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ"
 * (digits 0-9 of the fraction; 0 drops the dot). Returns buf. */
char *timefmt_rfc3339(char buf[TIMEFMT_LEN], int64_t wall_ns);
char *timefmt_rfc3339_digits(char buf[TIMEFMT_LEN], int64_t wall_ns, int digits);

/* timefmt_wall, then timefmt_rfc3339; TIMEFMT_OUT_OF_RANGE when it has no
 * date. Returns buf. */
char *timefmt_boot(char buf[TIMEFMT_LEN], uint64_t ts, int64_t boot_to_wall);

/* The same as a JSON value: the quoted RFC 3339 text, or null. */
void timefmt_boot_json(FILE *f, uint64_t ts, int64_t boot_to_wall);

/*
 * Parse "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" (a space may stand
 * for the T; without a zone the time is UTC; "YYYY-MM-DD" alone is its
 * midnight UTC), or "@N" for N ns since the epoch. 0 or -EINVAL.
 */
int timefmt_parse(const char *s, int64_t *wall_ns);

#endif
