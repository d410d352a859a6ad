/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Times as the analyzer shows them: RFC 3339, UTC, nanoseconds. */
#ifndef EXRAY_TIMEFMT_H
#define EXRAY_TIMEFMT_H

#include <stdint.h>

#define TIMEFMT_LEN 64 /* "2024-05-01T12:34:56.123456789Z" and room */

/* Format wall-clock ns since the epoch as "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ".
 * Returns buf. */
char *timefmt_rfc3339(char buf[TIMEFMT_LEN], int64_t wall_ns);

/*
 * Parse "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" (a space may stand
 * for the T; without a zone the time is UTC; "YYYY-MM-DD" alone is its
 * midnight UTC), or "@N" for N ns since the epoch. 0 or -EINVAL.
 */
int timefmt_parse(const char *s, int64_t *wall_ns);

#endif
