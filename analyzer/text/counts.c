/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <stdio.h>
#include <string.h>
#include "text/counts.h"

char *count_text(char buf[COUNT_TEXT_LEN], uint64_t v)
{
	char digits[24], grouped[32];
	size_t n, at = 0;
	int sat = count_saturated(v);

	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)(sat ? v - 1 : v));
	n = strlen(digits);
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			grouped[at++] = ',';
		grouped[at++] = digits[i];
	}
	grouped[at] = 0;
	snprintf(buf, COUNT_TEXT_LEN, "%s%s%s", sat ? "more than " : "", grouped,
		 sat ? " (counter saturated)" : "");
	return buf;
}

char *count_plain(char buf[COUNT_TEXT_LEN], uint64_t v)
{
	snprintf(buf, COUNT_TEXT_LEN, "%llu%s", (unsigned long long)v,
		 count_saturated(v) ? " (saturated)" : "");
	return buf;
}
