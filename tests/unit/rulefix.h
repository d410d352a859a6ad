/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared by the rule tests: run one built-in rule on a case database. */
#ifndef EXRAY_RULEFIX_H
#define EXRAY_RULEFIX_H

#include <sqlite3.h>
#include "detect/detect.h"

/* A case database in memory with exray's SQL functions, the schema and
 * FIXTURE (SQL), and the built-in rules; 0 or -1 with a message on stderr. */
int rulefix_open(sqlite3 **db, struct exray_ruleset *rules, const char *fixture);
void rulefix_close(sqlite3 *db, struct exray_ruleset *rules);

/*
 * Run rule ID of RULES on DB and return the keys of the alerts it produced
 * this run, space-separated, in ORDER_BY order (an SQL expression over
 * `key`). Fails the calling cmocka test if the rule is unknown or does not
 * run. The string is static: valid until the next call.
 */
const char *rulefix_fired(sqlite3 *db, const struct exray_ruleset *rules, const char *id, const char *order_by);

#endif
