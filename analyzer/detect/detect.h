/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Detection rules: SQL files with a header comment (rules/README.md), run
 * against a case database; each row a rule returns becomes an alert in the
 * `alerts` table (idempotent on (rule_id, key)).
 *
 * A rule's query returns these columns, by name, in any order:
 *   ts, host_id, container_id, proc_id, pid, start, exec_id, conn_id, message
 * (the alerts table's; NULL where it does not apply) and optionally `key`
 * (the alert's identity within the rule; default "p<proc_id>:e<exec_id>:
 * c<conn_id>").
 */
#ifndef EXRAY_DETECT_H
#define EXRAY_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sqlite3.h>

struct exray_rule {
	char *id;          /* "shell-in-container" */
	char *severity;    /* low, medium, high, critical */
	char *description; /* one line */
	char *technique;   /* ATT&CK technique ids ("T1059.004, T1609"), or NULL */
	char *sql;         /* the whole file */
	char *source;      /* "builtin:analyzer/rules/x.sql" or the file path */
};

struct exray_ruleset {
	size_t n;
	struct exray_rule *v;
};

/*
 * Parse a rule file's text: the header is the leading block of "-- key:
 * value" lines (id, severity, description required; technique optional:
 * the ATT&CK techniques the rule detects; other keys ignored).
 * Returns 0, -EINVAL with "SOURCE:LINE: what" in err, or -ENOMEM.
 */
int exray_rule_parse(struct exray_rule *r, const char *source, const char *text,
		     char *err, size_t errlen);
void exray_rule_free(struct exray_rule *r);

/* Add the built-in rules (compiled in from the .sql files in analyzer/rules). */
int exray_rules_add_builtin(struct exray_ruleset *rs, char *err, size_t errlen);
/* Add every *.sql file in dir, in name order. A rule with the id of one
 * already present replaces it (so a user can override a built-in rule).
 * -errno with a message in err. */
int exray_rules_add_dir(struct exray_ruleset *rs, const char *dir, char *err, size_t errlen);
void exray_ruleset_free(struct exray_ruleset *rs);

/*
 * Run every rule; insert each row into alerts (INSERT OR IGNORE on
 * (rule_id, key)) and list its row id in temp table run_alerts(alert_id) so the
 * caller can show what this run found, including alerts stored earlier.
 * Returns the number of alert rows produced (duplicates included) or -EIO
 * with "rule ID: what" in err (a rule that fails to compile or lacks a
 * column stops the run).
 */
long exray_rules_run(sqlite3 *db, const struct exray_ruleset *rs, char *err, size_t errlen);
/* With a stream (NULL: off), exray_rules_run also writes there how long
 * the shared definitions and each rule took and how many rows each gave. */
void exray_rules_set_timing(FILE *out);
/* How many threads run the rules: 0 (the default) for two when the machine
 * has two CPUs, 1 for one. A second thread needs a case file (it opens its
 * own read-only connection and computes the shared definitions again) and
 * no TEMP objects but the definitions' (a baseline's are this
 * connection's); the caller's connection stores every alert, in rule
 * order, so the alerts and their row ids are those of one thread. */
void exray_rules_set_threads(int n);

/* PATH absolute against CWD (when relative and CWD is not NULL) and
 * normalised lexically ("//", ".", ".."); the SQL function path_norm()
 * the rules use. Returns a malloc'd string or NULL (out of memory). */
char *exray_path_norm(const char *path, const char *cwd);
/* path_norm(PATH [, CWD]) as an SQL function (rules_run.c registers it). */
void exray_fn_path_norm(sqlite3_context *ctx, int argc, sqlite3_value **argv);
/* The table rx_entry_walk (entry_walk.c): the shared definitions' rx_entry
 * rows, walked from temp.rx_names, temp.rx_runner and processes. Returns 0
 * or -EIO. */
int exray_entry_walk_register(sqlite3 *db);

/* The query over this run's alerts with their context, one row each, sorted
 * by time then rule. Columns: rule_id, severity, time, ts, host, container,
 * pid, start, exec_id, conn_id, filename, argv, daddr, dport, message,
 * alert_id, container_name (the runtime's name), container_image. */
extern const char exray_run_alerts_sql[];

#endif /* EXRAY_DETECT_H */
