/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray check: apply a policy and the detection rules; print and store
 * alerts; compare with an expected-alerts file (regression testing). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd/cli.h"
#include "cmd/outfile.h"
#include "cmd/commands.h"
#include "casedb/db.h"
#include "detect/baseline.h"
#include "detect/detect.h"
#include "render/alerts.h"
#include "text/escape.h"
#include "policy/policy_eval.h"
#include "casedb/sqlfuncs.h"
#include "render/falco.h"

static const char check_help[] =
	"usage: exray check [OPTIONS] [SEGMENT|DIR...]\n"
	"Apply a policy and the detection rules to the case database and print\n"
	"the alerts; they are also stored in its alerts table (once each, however\n"
	"often check runs). With segments, they are first ingested: into the\n"
	"database named by -d if given, else into a temporary in-memory one.\n\n"
	"  -d, --db FILE            case database (default ./" EXRAY_DEFAULT_DB ")\n"
	"  -P, --policy FILE        egress allowlist (schema/POLICY.md); enables\n"
	"                           the egress-not-allowed rule and policy_allows()\n"
	"  -r, --rules DIR          also run the *.sql rules in DIR (repeatable); a\n"
	"                           rule with a built-in rule's id replaces it\n"
	"      --no-builtin         do not run the built-in rules\n"
	"      --baseline FILE      also report what each workload of FILE (exray\n"
	"                           baseline learn) does beyond it (baseline-*)\n"
	"  -j, --json               alerts as JSON lines\n"
	"      --format FMT         text (default), json (as -j), or falco: Falco's\n"
	"                           JSON output lines, for what takes Falco alerts\n"
	"      --expect FILE        compare this run's alerts with FILE (stable\n"
	"                           identities, one per line); exit 1 and show a\n"
	"                           diff if they differ\n"
	"  -u, --update-expect FILE write this run's alerts to FILE instead\n"
	"  -q, --quiet              no alert listing (with --expect: only the diff)\n"
	"  -n, --limit N            at most N alert lines\n"
	"  -w, --wide               whole messages (in text, a message is cut at\n"
	"                           300 columns: a long argv)\n"
	"      --all                every alert: in text, more than 20 alerts are\n"
	"                           summarised by default (each rule with its count\n"
	"                           and time span, then its first 3 alerts)\n"
	"      --timing             on stderr: seconds and alerts of each rule\n"
	"  -h, --help               this help\n\n"
	"Examples:\n"
	"  exray check -d case.db --policy site.policy\n"
	"  exray check --policy site.policy --expect expected-alerts.txt /cases/incident-7/\n\n"
	"Alerts are this command's output, not an error: they exit 0.\n"
	"Exit: 0 done (and alerts match --expect), 1 alerts differ from --expect,\n"
	"2 usage or an invalid policy/rule file, 3 a file or the database failed.\n";

/* One stable identity per alert for --expect: what survives a re-recording
 * of the same scenario (no pids, times, row ids or host names). */
static const char identity_sql[] =
	"SELECT DISTINCT rule_id, container, COALESCE(filename, '-'), COALESCE(argv, '-'),"
	" CASE WHEN daddr IS NULL THEN '-' ELSE inet_fmt(daddr, dport) END"
	" FROM (%s) ORDER BY 1, 2, 3, 4, 5";

struct lines {
	char **v;
	size_t n;
};

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int lines_add(struct lines *l, const char *s)
{
	char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	l->v = nv;
	if (!(l->v[l->n] = strdup(s)))
		return -ENOMEM;
	l->n++;
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lines_sort_uniq(struct lines *l)
{
	size_t u = 0;

	if (!l->n)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp_line);
	for (size_t i = 1; i < l->n; i++) {
		if (strcmp(l->v[u], l->v[i]))
			l->v[++u] = l->v[i];
		else
			free(l->v[i]);
	}
	l->n = u + 1;
}

/* Append the terminal-escaped s to buf. */
static void put_field(char *buf, size_t size, size_t *at, const char *key, const char *s)
{
	if (*at + 1 >= size)
		return;
	if (key)
		*at += (size_t)snprintf(buf + *at, size - *at, " %s=", key);
	if (*at + 1 >= size)
		return;
	*at += term_escape(buf + *at, size - *at, s, strlen(s));
	if (*at >= size)
		*at = size - 1;
}

static int collect_identities(sqlite3 *db, struct lines *out)
{
	char *sql = sqlite3_mprintf(identity_sql, exray_run_alerts_sql);
	sqlite3_stmt *st = NULL;
	int rc, err = 0;

	if (!sql)
		return -ENOMEM;
	if ((err = db_prepare(db, &st, sql)))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char line[8192];
		size_t at = 0;
		put_field(line, sizeof(line), &at, NULL, (const char *)sqlite3_column_text(st, 0));
		put_field(line, sizeof(line), &at, "container", (const char *)sqlite3_column_text(st, 1));
		put_field(line, sizeof(line), &at, "exe", (const char *)sqlite3_column_text(st, 2));
		put_field(line, sizeof(line), &at, "argv", (const char *)sqlite3_column_text(st, 3));
		put_field(line, sizeof(line), &at, "dst", (const char *)sqlite3_column_text(st, 4));
		if ((err = lines_add(out, line)))
			goto out;
	}
	if (rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(db));
		err = -EIO;
	}
out:
	sqlite3_finalize(st);
	sqlite3_free(sql);
	lines_sort_uniq(out);
	return err;
}

static int read_expect(const char *path, struct lines *out)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int err = 0;

	if (!f)
		return -errno;
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n || line[0] == '#')
			continue;
		if ((err = lines_add(out, line)))
			break;
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	fclose(f);
	lines_sort_uniq(out);
	return err;
}

static int write_expect(const char *path, const struct lines *l)
{
	struct outfile *o;
	FILE *f;
	int err;

	/* written beside the file and renamed over it (a device or pipe in
	 * place): a failure leaves the old expectations */
	if ((err = outfile_open(&o, &f, path, true)))
		return err;
	fprintf(f, "# exray check expected alerts: one per line, sorted; rule, container,\n"
		   "# image, argv, destination. Regenerate on purpose with\n"
		   "#   exray check ... --update-expect FILE\n"
		   "# and review the diff before committing it.\n");
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "%s\n", l->v[i]);
	return outfile_close(o, true);
}

/* Print a sorted-merge diff of two sorted sets; returns differences. */
static size_t print_diff(const char *path, const struct lines *want, const struct lines *got)
{
	size_t i = 0, j = 0, diffs = 0;

	while (i < want->n || j < got->n) {
		int c = i == want->n ? 1 : j == got->n ? -1 : strcmp(want->v[i], got->v[j]);
		if (c == 0) {
			i++, j++;
			continue;
		}
		if (!diffs++) {
			printf("--- expected (");
			term_write_str(stdout, path);
			printf(")\n+++ this run\n");
		}
		if (c < 0) {
			/* The file's own text: already escaped when we wrote it;
			 * a hand-edited control byte still never reaches the tty. */
			printf("-");
			for (const char *ch = want->v[i++]; *ch; ch++)
				putchar((unsigned char)*ch < 0x20 || *ch == 0x7f ? '?' : *ch);
		} else {
			printf("+%s", got->v[j++]);
		}
		printf("\n");
	}
	return diffs;
}


/* Alerts as Falco JSON lines, with each rule's ATT&CK techniques as tags. */
static int print_falco(sqlite3 *db, const struct exray_ruleset *rules)
{
	struct rule_meta *meta = calloc(rules->n + 1, sizeof(*meta));
	long n;

	if (!meta)
		return -ENOMEM;
	for (size_t i = 0; i < rules->n; i++)
		meta[i] = (struct rule_meta){ rules->v[i].id, rules->v[i].description, rules->v[i].technique };
	n = falco_print_alerts(db, exray_run_alerts_sql, meta, rules->n, stdout);
	free(meta);
	return n < 0 ? (int)n : 0;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB,
		{ "policy", required_argument, 0, 'P' },
		{ "rules", required_argument, 0, 'r' },
		{ "no-builtin", no_argument, 0, 'B' },
		{ "json", no_argument, 0, 'j' },
		{ "format", required_argument, 0, 'F' },
		{ "expect", required_argument, 0, 'e' },
		{ "update-expect", required_argument, 0, 'u' },
		{ "quiet", no_argument, 0, 'q' },
		{ "limit", required_argument, 0, 'n' },
		{ "all", no_argument, 0, 'A' },
		{ "wide", no_argument, 0, 'w' },
		{ "baseline", required_argument, 0, 'L' },
		{ "timing", no_argument, 0, 'T' },
		{ 0 },
	};
	const char *dbpath = NULL, *policy_path = NULL, *expect = NULL, *update = NULL;
	const char *baseline_path = NULL;
	struct baseline bl = { 0 };
	const char *rule_dirs[32];
	size_t nrule_dirs = 0;
	bool builtin = true, json = false, quiet = false, falco = false;
	struct alerts_opts ao = { 0 };
	long long shown = 0, listed = 0;
	uint64_t lim;
	struct exray_ruleset rules = { 0 };
	struct exray_policy_eval *pe = NULL;
	struct lines got = { 0 }, want = { 0 };
	sqlite3 *db = NULL;
	char err[1024];
	long n;
	int opt, r, rc = EXRAY_EXIT_OK;

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:P:r:ju:qn:w", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(check_help, stdout); return EXRAY_EXIT_OK;
		case 'd': dbpath = optarg; break;
		case 'P': policy_path = optarg; break;
		case 'r':
			if (nrule_dirs == sizeof(rule_dirs) / sizeof(rule_dirs[0]))
				return cli_usage_error("check", "too many --rules");
			rule_dirs[nrule_dirs++] = optarg;
			break;
		case 'B': builtin = false; break;
		case 'j': json = true; break;
		case 'F':
			if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "falco"))
				return cli_usage_error("check", "--format is text, json or falco, not '%s'", optarg);
			json = strcmp(optarg, "text") != 0; /* machine output: no summary line */
			falco = !strcmp(optarg, "falco");
			break;
		case 'e': expect = optarg; break;
		case 'u': update = optarg; break;
		case 'q': quiet = true; break;
		case 'n':
			if (cli_parse_u64(optarg, &lim) || lim > INT64_MAX)
				return cli_usage_error("check", "bad limit '%s'", optarg);
			ao.limit = (long long)lim;
			break;
		case 'A': ao.all = true; break;
		case 'w': ao.wide = true; break;
		case 'L': baseline_path = optarg; break;
		case 'T': exray_rules_set_timing(stderr); break;
		default: return cli_usage_error("check", "bad option");
		}
	}
	if (expect && update)
		return cli_usage_error("check", "--expect and --update-expect exclude each other");

	/* Policy and rules first: a bad file stops the run before any work. */
	if (policy_path) {
		if ((r = exray_policy_eval_load(&pe, policy_path, err, sizeof(err)))) {
			cli_error("%s", err);
			return r == -EINVAL || r == -ELOOP ? EXRAY_EXIT_USAGE : EXRAY_EXIT_FAILURE;
		}
		exray_sqlfuncs_set_policy(pe);
	}
	if (builtin && (r = exray_rules_add_builtin(&rules, err, sizeof(err)))) {
		cli_error("%s", err);
		rc = EXRAY_EXIT_FAILURE;
		goto out;
	}
	for (size_t i = 0; i < nrule_dirs; i++) {
		if ((r = exray_rules_add_dir(&rules, rule_dirs[i], err, sizeof(err)))) {
			cli_error("%s", err);
			rc = r == -EINVAL ? EXRAY_EXIT_USAGE : EXRAY_EXIT_FAILURE;
			goto out;
		}
	}
	if (baseline_path && (r = baseline_load(&bl, baseline_path, err, sizeof(err)))) {
		cli_error("%s", err);
		rc = r == -EINVAL ? EXRAY_EXIT_USAGE : EXRAY_EXIT_FAILURE;
		goto out;
	}
	if (!rules.n && !baseline_path) {
		rc = cli_usage_error("check", "no rules to run (--no-builtin without --rules)");
		goto out;
	}

	/* The database: the case DB, or segments ingested first. */
	if ((rc = cli_open_case(&db, &dbpath, argc - optind, argv + optind, 0)))
		goto out;
	if (pe)
		cli_policy_coverage(db, "check", exray_policy_eval_policy(pe));

	if (baseline_path && (r = baseline_add_rules(db, &bl, baseline_path, &rules, err, sizeof(err)))) {
		cli_error("%s", err);
		rc = EXRAY_EXIT_FAILURE;
		goto out;
	}
	if ((n = exray_rules_run(db, &rules, err, sizeof(err))) < 0) {
		cli_error("%s", err);
		rc = EXRAY_EXIT_FAILURE;
		goto out;
	}
	ao.json = json;
	r = 0;
	if (!quiet && falco)
		r = print_falco(db, &rules);
	else if (!quiet && (listed = alerts_print(db, exray_run_alerts_sql, &ao, stdout, &shown)) < 0)
		r = (int)listed;
	if (!quiet && json && !falco && listed > shown)
		fprintf(stderr, "check: %lld alert%s left out by --limit\n", listed - shown,
			listed - shown == 1 ? "" : "s");
	if (!quiet && r) {
		cli_error("%s: %s", dbpath, db_error());
		rc = EXRAY_EXIT_FAILURE;
		goto out;
	}
	if (!json && !quiet)
		fprintf(stderr, "check: %ld alert%s from %zu rule%s, policy %s\n", n, n == 1 ? "" : "s", rules.n,
			rules.n == 1 ? "" : "s", policy_path ? "loaded" : "none (egress-not-allowed is silent)");
	/* what the evidence is worth: were its seals verified (issue 15) */
	if (!json && !quiet)
		cli_seal_summary(db, stderr, "check: seals: ");
	/* the alerts are only as complete as the case */
	cli_completeness(db, "check", "alerts may be missing", !json && !quiet);
	if (expect || update) {
		if ((r = collect_identities(db, &got))) {
			cli_error("%s: %s", dbpath, r == -EIO ? db_error() : strerror(-r));
			rc = EXRAY_EXIT_FAILURE;
			goto out;
		}
	}
	if (update) {
		if ((r = write_expect(update, &got))) {
			cli_error("%s: cannot write: %s", update, strerror(-r));
			rc = EXRAY_EXIT_FAILURE;
		} else {
			fprintf(stderr, "check: wrote %zu expected alert%s to ", got.n, got.n == 1 ? "" : "s");
			term_write_str(stderr, update);
			fprintf(stderr, "\n");
		}
	} else if (expect) {
		size_t d;
		if ((r = read_expect(expect, &want))) {
			cli_error("%s: cannot read: %s%s", expect, strerror(-r),
				  r == -ENOENT ? " (create it with --update-expect)" : "");
			rc = EXRAY_EXIT_FAILURE;
			goto out;
		}
		d = print_diff(expect, &want, &got);
		if (d) {
			cli_error("%zu difference%s from %s (- expected only, + this run only)", d, d == 1 ? "" : "s",
				  expect);
			rc = EXRAY_EXIT_PROBLEMS;
		} else {
			fprintf(stderr, "check: %zu alert identit%s match ", got.n, got.n == 1 ? "y" : "ies");
			term_write_str(stderr, expect);
			fprintf(stderr, "\n");
		}
	}
out:
	lines_free(&got);
	lines_free(&want);
	db_close(db);
	exray_sqlfuncs_set_policy(NULL);
	exray_policy_eval_free(pe);
	exray_ruleset_free(&rules);
	baseline_free(&bl);
	return rc;
}
