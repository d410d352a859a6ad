/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/ctrsel.h"
#include "casedb/db.h"
#include "text/escape.h"

const char *ctrsel_identity_cols(sqlite3 *db)
{
	sqlite3_stmt *st;
	int has = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('containers') WHERE name='image'",
			       -1, &st, NULL) == SQLITE_OK) {
		has = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
	}
	return has ? "c.name,c.image,c.pod_name,c.pod_namespace,c.container_name"
		   : "NULL,NULL,NULL,NULL,NULL";
}

/* Exact identity matches, or an id prefix; one row per distinct cid. */
static const char match_sql[] =
	"SELECT c.cid, min(c.short_id), %s FROM containers c"
	" WHERE substr(c.cid,1,length(?1))=?1"
	"  OR ?1 IN (c.name, c.image, c.pod_name, c.container_name,"
	"            c.pod_name||'/'||c.container_name, c.pod_namespace||'/'||c.pod_name)"
	" GROUP BY c.cid ORDER BY c.cid LIMIT 21";
static const char match_ids_sql[] =
	"SELECT c.cid, min(c.short_id), NULL, NULL, NULL FROM containers c"
	" WHERE substr(c.cid,1,length(?1))=?1 GROUP BY c.cid ORDER BY c.cid LIMIT 21";

/* Our own text, as it is. */
static void raw(char *err, size_t errlen, size_t *at, const char *s)
{
	if (*at + 1 >= errlen)
		return;
	*at += (size_t)snprintf(err + *at, errlen - *at, "%s", s);
	if (*at >= errlen)
		*at = errlen - 1;
}

/* Recorded text, escaped for the terminal. */
static void put(char *err, size_t errlen, size_t *at, const char *s)
{
	size_t n = s ? strlen(s) : 1;

	if (*at + 1 >= errlen)
		return;
	*at += term_escape(err + *at, errlen - *at, s ? s : "-", n);
	if (*at >= errlen)
		*at = errlen - 1;
}

int ctrsel_resolve(sqlite3 *db, const char *spec, char **cid, char *err, size_t errlen)
{
	const char *cols = ctrsel_identity_cols(db);
	char sql[1024], *one = NULL;
	sqlite3_stmt *st;
	size_t at = 0;
	int rc, n = 0;

	*cid = NULL;
	if (!strcmp(spec, "host"))
		return (*cid = strdup("host")) ? 0 : -ENOMEM;
	if (!*spec) {
		snprintf(err, errlen, "empty container selector");
		return -ENOENT;
	}
	if (strncmp(cols, "NULL", 4))
		snprintf(sql, sizeof(sql), match_sql, "c.name,c.image,c.pod_namespace||'/'||c.pod_name");
	else /* schema 1.1, read-only: ids only */
		snprintf(sql, sizeof(sql), "%s", match_ids_sql);
	if (db_prepare(db, &st, sql))
		return -EIO;
	sqlite3_bind_text(st, 1, spec, -1, SQLITE_STATIC);
	err[0] = 0;
	raw(err, errlen, &at, "'");
	put(err, errlen, &at, spec);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!n++ && !(one = strdup((const char *)sqlite3_column_text(st, 0)))) {
			sqlite3_finalize(st);
			return -ENOMEM;
		}
		if (n == 1)
			continue;
		if (n == 2) {
			raw(err, errlen, &at, "' matches several containers; name one of them:");
			/* the first one too, now that it is a candidate */
			sqlite3_reset(st);
			n = 0;
			free(one);
			one = NULL;
			while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 20) {
				const char *v;
				n++;
				raw(err, errlen, &at, "\n  ");
				put(err, errlen, &at, (const char *)sqlite3_column_text(st, 1));
				for (int c = 2; c <= 4; c++) {
					raw(err, errlen, &at, "  ");
					v = (const char *)sqlite3_column_text(st, c);
					put(err, errlen, &at, v && strcmp(v, "/") ? v : "-");
				}
			}
			if (rc == SQLITE_ROW)
				raw(err, errlen, &at, "\n  ... (more)");
			sqlite3_finalize(st);
			return rc == SQLITE_ROW || rc == SQLITE_DONE ? -EEXIST : -EIO;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(one);
		db_set_error("%s", sqlite3_errmsg(db));
		return -EIO;
	}
	if (!n) {
		raw(err, errlen, &at, "' matches no container (an id prefix, a name, an image or a pod; "
				      "'exray containers' lists them)");
		return -ENOENT;
	}
	*cid = one;
	return 0;
}
