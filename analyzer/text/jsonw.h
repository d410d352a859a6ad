/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small streaming JSON writer for nested documents (OCSF events, Falco
 * alerts, flat rows): it tracks commas and nesting so a writer reads as a
 * list of fields. Strings go through json_write_strn (escape.h): the output
 * is valid JSON whatever bytes the recorded host supplied. Keys are the
 * caller's literals and are written as given.
 *
 * Absent values are omitted, never written as null: jw_str with a NULL
 * string writes nothing (OCSF and Falco consumers expect missing keys).
 */
#ifndef EXRAY_JSONW_H
#define EXRAY_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSONW_DEPTH 24

struct jsonw {
	FILE *f;
	int depth;                       /* open objects and arrays */
	bool comma[JSONW_DEPTH + 1];     /* per level: a value was written */
	char close[JSONW_DEPTH + 1];     /* per level: '}' or ']' */
};

void jw_init(struct jsonw *w, FILE *f);

/* Open an object or array: key is NULL at the top level and inside arrays. */
void jw_obj(struct jsonw *w, const char *key);
void jw_arr(struct jsonw *w, const char *key);
/* Close the innermost object or array; at the top level, end the line. */
void jw_end(struct jsonw *w);

/* Members (key NULL inside arrays). jw_str/jw_strn skip a NULL string. */
void jw_str(struct jsonw *w, const char *key, const char *s);
void jw_strn(struct jsonw *w, const char *key, const char *s, size_t len);
void jw_int(struct jsonw *w, const char *key, long long v);
void jw_bool(struct jsonw *w, const char *key, bool v);
/* A value that is already valid JSON (exray's own stored argv arrays). */
void jw_raw(struct jsonw *w, const char *key, const char *json);

#endif /* EXRAY_JSONW_H */
