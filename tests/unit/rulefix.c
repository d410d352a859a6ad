/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "casedb/db.h"
#include "casedb/sqlfuncs.h"
#include "rulefix.h"

int rulefix_open(sqlite3 **db, struct exray_ruleset *rules, const char *fixture)
{
	char err[256];

	if (db_add_hook(exray_sqlfuncs_register) || db_open(db, ":memory:", DB_OPEN_CREATE) ||
	    db_exec(*db, fixture)) {
		fprintf(stderr, "setup: %s\n", db_error());
		return -1;
	}
	if (exray_rules_add_builtin(rules, err, sizeof(err))) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	return 0;
}

void rulefix_close(sqlite3 *db, struct exray_ruleset *rules)
{
	exray_ruleset_free(rules);
	db_close(db);
}

const char *rulefix_fired(sqlite3 *db, const struct exray_ruleset *rules, const char *id, const char *order_by)
{
	static char out[1024];
	struct exray_ruleset one = { 0 };
	sqlite3_stmt *st;
	char err[512], *sql;
	size_t n = 0;

	for (size_t i = 0; i < rules->n; i++)
		if (!strcmp(rules->v[i].id, id))
			one.v = &rules->v[i], one.n = 1;
	if (!one.n)
		fail_msg("no built-in rule %s", id);
	if (exray_rules_run(db, &one, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	sql = sqlite3_mprintf("SELECT a.key FROM temp.run_alerts JOIN alerts a USING (alert_id) ORDER BY %s", order_by);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_free(sql);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", n ? " " : "", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}
