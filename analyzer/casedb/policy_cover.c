/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <string.h>
#include "casedb/db.h"
#include "casedb/policy_cover.h"

/* Every distinct subject of the case: as egress-not-allowed.sql judges a
 * connection (container id, pod uid, cgroup path), for every process. */
static const char subjects_sql[] =
	"SELECT DISTINCT p.container_id IS NULL, c.cid, c.pod_uid, COALESCE(g.path, c.cgroup_path)"
	" FROM processes p LEFT JOIN containers c ON c.container_id = p.container_id"
	" LEFT JOIN cgroups g ON g.host_id = p.host_id AND g.cgroup_id = p.cgroup_id";

int policy_sections_used(sqlite3 *db, const struct exray_policy *p, bool *used)
{
	sqlite3_stmt *st = NULL;
	size_t left = p->nsections;
	int rc = SQLITE_DONE, err;

	memset(used, 0, p->nsections * sizeof(*used));
	if ((err = db_prepare(db, &st, subjects_sql)))
		return err;
	while (left && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct exray_policy_subject s = {
			.host = sqlite3_column_int(st, 0),
			.container_id = (const char *)sqlite3_column_text(st, 1),
			.pod_uid = (const char *)sqlite3_column_text(st, 2),
			.cgroup_path = (const char *)sqlite3_column_text(st, 3),
		};
		for (size_t i = 0; i < p->nsections; i++)
			if (!used[i] && exray_policy_section_applies(&p->sections[i], &s))
				used[i] = true, left--;
	}
	if (left && rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(db));
		err = -EIO;
	}
	sqlite3_finalize(st);
	return err;
}
