/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Baselines: what each workload (the containers of one image, one name, or
 * one pod label value) did in the captures it was learned from, as a
 * readable text file (docs/baselines.md), and the alerts for what a
 * workload does beyond it.
 *
 *     [image registry.local/shop/web:1.4]
 *     exec /bin/busybox
 *     spawn /bin/sh -> /usr/local/bin/exr-net
 *     connect 198.51.100.2/32 port 8080
 *     write etc
 *     user 1000
 *
 * A token with a space, a quote, '#', a bracket or a byte outside printable
 * ASCII is written "quoted" with \" \\ \xHH escapes. Errors name
 * FILE:LINE:COL, like policies.
 */
#ifndef EXRAY_BASELINE_H
#define EXRAY_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sqlite3.h>

#define BL_MAX_FILE (16u << 20) /* bytes of one baseline file */
#define BL_MAX_TOKEN 4096       /* bytes of one token once unquoted */

enum bl_kind { BL_IMAGE, BL_NAME, BL_LABEL };
enum bl_type { BL_EXEC, BL_SPAWN, BL_CONNECT, BL_WRITE, BL_USER };

struct bl_item {
	enum bl_type type;
	char *a, *b;          /* exec: a = path; spawn: a -> b; connect: a = CIDR
	                         (normalised); write: a = category */
	unsigned lo, hi;      /* connect: ports lo-hi; user: lo = uid */
};

struct bl_workload {
	enum bl_kind kind;
	char *key;            /* label: the label's key; else NULL */
	char *value;
	struct bl_item *items;
	size_t n, cap;
};

struct baseline {
	struct bl_workload *w;
	size_t n, cap;
};

/* Parse text (len bytes; name in messages). 0, -EINVAL with
 * "NAME:LINE:COL: what" in err (no control bytes), or -ENOMEM. */
int baseline_parse(struct baseline *bl, const char *name, const char *text, size_t len,
		   char *err, size_t errlen);
/* Read and parse a file (at most BL_MAX_FILE bytes, a regular file). */
int baseline_load(struct baseline *bl, const char *path, char *err, size_t errlen);
void baseline_free(struct baseline *bl);

/* The workload of (kind, key, value), created if missing; NULL: no memory. */
struct bl_workload *baseline_workload(struct baseline *bl, enum bl_kind kind, const char *key,
				      const char *value);
/* Add an item (strings copied) unless the workload has it. 0 or -ENOMEM. */
int baseline_add(struct bl_workload *w, enum bl_type type, const char *a, const char *b,
		 unsigned lo, unsigned hi);
/* Add every workload and item of src to dst. 0 or -ENOMEM. */
int baseline_merge(struct baseline *dst, const struct baseline *src);
/* Write in the canonical form (sorted, one item per line) with a header
 * comment; parse(write(b)) == b. 0 or -errno. */
int baseline_write(FILE *f, const struct baseline *bl, const char *comment);

/* "image", "name", "label". */
const char *baseline_kind_name(enum bl_kind kind);

/* ------------------------------------------------- learning and checking */

/* Learn from a case database: every container whose key of `kind` (label:
 * label key `key`) is known adds what it did to its workload. 0 or -EIO
 * (db_error()) / -ENOMEM. */
int baseline_learn(sqlite3 *db, enum bl_kind kind, const char *key, struct baseline *bl);

struct exray_ruleset;
/* Load bl into temp tables of db and add the deviation rules (baseline-*)
 * to rs, to be run with the other rules. 0, -EIO or -ENOMEM; err says why. */
int baseline_add_rules(sqlite3 *db, const struct baseline *bl, const char *source,
		       struct exray_ruleset *rs, char *err, size_t errlen);

#endif /* EXRAY_BASELINE_H */
