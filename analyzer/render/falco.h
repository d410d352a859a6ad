/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Alerts as Falco's JSON output lines (json_output: true), so that what
 * already takes Falco's alerts (falcosidekick, a SIEM's Falco parser) takes
 * exray's: output, priority, rule, time, output_fields (Falco's own field
 * names: evt.time, proc.pid, container.id, fd.sip ...), source, tags,
 * hostname. docs/export.md has the mapping.
 */
#ifndef EXRAY_FALCO_H
#define EXRAY_FALCO_H

#include <stdio.h>
#include <sqlite3.h>
#include "render/rule_meta.h"

/*
 * Print the alerts that alerts_sql selects to out, one line each, in its
 * order. alerts_sql is detect.h's exray_run_alerts_sql (the alerts of the
 * latest rule run), or a query with its columns, alert_id last. Returns
 * the number printed, or -EIO with db_error() saying why.
 */
long falco_print_alerts(sqlite3 *db, const char *alerts_sql, const struct rule_meta *rules, size_t nrules,
			FILE *out);

/* Falco's priority for an exray severity: low Notice, medium Warning, high
 * Error, critical Critical. */
const char *falco_priority(const char *severity);

#endif /* EXRAY_FALCO_H */
