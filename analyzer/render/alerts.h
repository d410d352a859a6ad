/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The alerts of a check run, for people and for scripts. People get every
 * alert when there are few; past ALERTS_LIST_MAX, a summary first (each
 * rule with its count and time span) and then the first few alerts of
 * each rule, each rule saying how many more it has: a quarter-million
 * alerts do not scroll by. Scripts (JSON) get every alert.
 */
#ifndef EXRAY_RENDER_ALERTS_H
#define EXRAY_RENDER_ALERTS_H

#include <stdbool.h>
#include <stdio.h>
#include <sqlite3.h>

#define ALERTS_LIST_MAX 20   /* more than this: summary and examples */
#define ALERTS_EXAMPLES 3    /* alerts shown per rule in the summary */
#define ALERTS_MESSAGE_MAX 300 /* columns of a message in text (a long argv) */

struct alerts_opts {
	bool json;          /* one JSON object per alert */
	bool all;           /* every alert, however many */
	bool wide;          /* whole messages in text (else cut at ALERTS_MESSAGE_MAX) */
	long long limit;    /* at most this many alert lines in all (0: none) */
};

/*
 * Print the alerts that `sql` selects (the columns of detect.h's
 * exray_run_alerts_sql, in its order). Returns the number of alerts the
 * query gave (printed or summarised), or -errno (-EIO: db_error()).
 * *shown gets how many alert lines were printed.
 */
long long alerts_print(sqlite3 *db, const char *sql, const struct alerts_opts *o, FILE *out,
		       long long *shown);

#endif
