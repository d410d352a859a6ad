/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <string.h>
#include "casedb/embedded.h"

const struct exray_embedded *exray_embedded_find(const char *path)
{
	for (const struct exray_embedded *e = exray_embedded_files; e->path; e++)
		if (!strcmp(e->path, path))
			return e;
	return NULL;
}
