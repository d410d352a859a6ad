/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <string.h>
#include "text/imageref.h"

void imageref_split(const char *ref, struct imageref *out)
{
	size_t n = strcspn(ref, "@"), colon = 0;

	for (size_t i = 0; i < n; i++) {
		if (ref[i] == '/')
			colon = 0;
		else if (ref[i] == ':')
			colon = i;
	}
	out->name_len = colon ? colon : n;
	out->tag = colon && colon + 1 < n ? ref + colon + 1 : NULL;
	out->tag_len = out->tag ? n - colon - 1 : 0;
	out->digest = ref[n] == '@' ? ref + n + 1 : NULL;
}
