/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Files compiled into exray (schema/schema.sql and the built-in rules in analyzer/rules) by
 * analyzer/casedb/embed.sh, so the analyzer runs from a single binary. */
#ifndef EXRAY_EMBEDDED_H
#define EXRAY_EMBEDDED_H
#include <stddef.h>

struct exray_embedded {
	const char *path; /* as in the source tree, e.g. "schema/schema.sql" */
	const char *data; /* NUL-terminated */
	size_t len;       /* without the NUL */
};

/* Terminated by an entry with path == NULL. */
extern const struct exray_embedded exray_embedded_files[];

/* The file with this path, or NULL. */
const struct exray_embedded *exray_embedded_find(const char *path);

#endif
