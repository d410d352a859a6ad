/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray export: the case database as OCSF events or ClickHouse rows. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/outfile.h"
#include "casedb/ctrsel.h"
#include "casedb/db.h"
#include "detect/detect.h"
#include "render/chrows.h"
#include "render/ocsf.h"
#include "text/timefmt.h"

#ifndef EXRAY_VERSION
#define EXRAY_VERSION "0.1"
#endif

static const char export_help[] =
	"usage: exray export [OPTIONS]\n"
	"Write the case database for other tools: OCSF " OCSF_VERSION " events for a SIEM or a\n"
	"security data lake (one JSON object per line), or flat rows of one table\n"
	"for ClickHouse (JSONEachRow, schema/clickhouse.sql). docs/export.md has\n"
	"the mapping, docs/fleet.md the ClickHouse pipeline.\n\n"
	"      --format FMT       ocsf (default) or clickhouse\n"
	"      --table T          with clickhouse: hosts, containers, processes, execs,\n"
	"                         connections, syns, losses, alerts, or what processes\n"
	"                         did: file_events, priv_events, ns_events,\n"
	"                         ptrace_events, socket_events, memfd_events,\n"
	"                         bpf_events, uring_events\n"
	"  -o, --output FILE      write to FILE (default -: stdout); FILE.zst is\n"
	"                         zstd-compressed; an existing FILE is refused\n"
	"      --force            replace an existing FILE\n"
	"  -c, --container SPEC   only this container: id prefix, name, image,\n"
	"                         pod (as exray tree -c), or 'host'\n"
	"      --since TIME       only events at or after TIME (processes: alive)\n"
	"      --until TIME       only events at or before TIME\n"
	"                         (TIME: RFC 3339, e.g. 2024-05-01T12:00:00Z)\n"
	"  -r, --rules DIR        rule files for the findings' titles and ATT&CK\n"
	"                         techniques besides the built-in ones (repeatable)\n"
	"  -d, --db FILE          case database (default ./" EXRAY_DEFAULT_DB ")\n"
	"  -h, --help             this help\n\n"
	"Findings are the alerts `exray check` stored; run it first. A summary goes\n"
	"to stderr. Example:\n"
	"  exray export -d case.db --format ocsf -o case.ocsf.jsonl.zst\n"
	"  exray export -d case.db --format clickhouse --table execs |\n"
	"    clickhouse-client --query 'INSERT INTO exray.execs FORMAT JSONEachRow'\n\n"
	"Exit: 0 written, 2 usage or an existing FILE, 3 the database or the\n"
	"output failed.\n";

/* The rules the findings name: built-in and --rules, as render/ wants them. */
static int load_rule_meta(struct exray_ruleset *rules, const char *const *dirs, size_t ndirs,
			  struct rule_meta **meta)
{
	char err[1024];
	int r;

	if ((r = exray_rules_add_builtin(rules, err, sizeof(err))))
		goto fail;
	for (size_t i = 0; i < ndirs; i++)
		if ((r = exray_rules_add_dir(rules, dirs[i], err, sizeof(err))))
			goto fail;
	if (!(*meta = calloc(rules->n + 1, sizeof(**meta))))
		return -ENOMEM;
	for (size_t i = 0; i < rules->n; i++)
		(*meta)[i] = (struct rule_meta){ rules->v[i].id, rules->v[i].description, rules->v[i].technique };
	return 0;
fail:
	cli_error("%s", err);
	return r;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB,
		{ "format", required_argument, 0, 'F' },
		{ "table", required_argument, 0, 'T' },
		{ "output", required_argument, 0, 'o' },
		{ "force", no_argument, 0, 'f' },
		{ "container", required_argument, 0, 'c' },
		{ "since", required_argument, 0, 'S' },
		{ "until", required_argument, 0, 'U' },
		{ "rules", required_argument, 0, 'r' },
		{ 0 },
	};
	const char *dbpath = EXRAY_DEFAULT_DB, *format = "ocsf", *table = NULL, *output = "-";
	const char *rule_dirs[32];
	size_t nrule_dirs = 0;
	struct ocsf_opts o = { .since = INT64_MIN, .until = INT64_MAX, .product_version = EXRAY_VERSION };
	struct ocsf_counts n = { 0 };
	struct exray_ruleset rules = { 0 };
	struct rule_meta *meta = NULL;
	struct outfile *of = NULL;
	bool force = false, ocsf;
	sqlite3 *db = NULL;
	FILE *out;
	char *cid = NULL, why[1024], act[48] = "";
	long long rows = 0;
	int opt, r, rc = EXRAY_EXIT_OK;

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:o:c:r:", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(export_help, stdout); return EXRAY_EXIT_OK;
		case 'd': dbpath = optarg; break;
		case 'F': format = optarg; break;
		case 'T': table = optarg; break;
		case 'o': output = optarg; break;
		case 'f': force = true; break;
		case 'c': o.container = optarg; break;
		case 'S':
			if (timefmt_parse(optarg, &o.since))
				return cli_usage_error("export", "bad time '%s' (RFC 3339 expected)", optarg);
			break;
		case 'U':
			if (timefmt_parse(optarg, &o.until))
				return cli_usage_error("export", "bad time '%s' (RFC 3339 expected)", optarg);
			break;
		case 'r':
			if (nrule_dirs == sizeof(rule_dirs) / sizeof(rule_dirs[0]))
				return cli_usage_error("export", "too many --rules");
			rule_dirs[nrule_dirs++] = optarg;
			break;
		default: return cli_usage_error("export", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("export", "unexpected argument '%s'", argv[optind]);
	ocsf = !strcmp(format, "ocsf");
	if (!ocsf && strcmp(format, "clickhouse"))
		return cli_usage_error("export", "--format is ocsf or clickhouse, not '%s'", format);
	if (ocsf && table)
		return cli_usage_error("export", "--table goes with --format clickhouse");
	if (!ocsf) {
		char names[512] = "";
		bool known = false;
		for (size_t i = 0; chrows_tables[i]; i++) {
			known |= table && !strcmp(table, chrows_tables[i]);
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? ", " : "",
				 chrows_tables[i]);
		}
		if (!known)
			return cli_usage_error("export", "--format clickhouse needs --table, one of: %s", names);
	}

	if (ocsf && (r = load_rule_meta(&rules, rule_dirs, nrule_dirs, &meta))) {
		rc = r == -EINVAL ? EXRAY_EXIT_USAGE : EXRAY_EXIT_FAILURE;
		goto out;
	}
	o.rules = meta;
	o.nrules = rules.n;
	if ((rc = cli_open_db(&db, dbpath, DB_OPEN_READONLY)))
		goto out;
	if (o.container && (r = ctrsel_resolve(db, o.container, &cid, why, sizeof(why)))) {
		rc = cli_container_error("export", dbpath, r, why);
		goto out;
	}
	if (cid)
		o.container = cid; /* the full id: exactly that container */
	if ((r = outfile_open(&of, &out, output, force))) {
		cli_error("%s: %s", output, r == -EEXIST ? "exists (--force replaces it)" : strerror(-r));
		rc = r == -EEXIST ? EXRAY_EXIT_USAGE : EXRAY_EXIT_FAILURE;
		goto out;
	}
	if (ocsf)
		r = ocsf_export(db, &o, out, &n);
	else
		r = (int)((rows = chrows_export(db, table, o.container, o.since, o.until, out)) < 0 ? rows : 0);
	if (r) {
		cli_error("%s: %s", dbpath, r == -EIO ? db_error() : strerror(-r));
		rc = EXRAY_EXIT_FAILURE;
	}
	if ((r = outfile_close(of, rc == EXRAY_EXIT_OK)) && rc == EXRAY_EXIT_OK) {
		cli_error("%s: %s", output, r == -EEXIST ? "appeared while exporting; not replaced" : strerror(-r));
		rc = EXRAY_EXIT_FAILURE;
	}
	of = NULL;
	if (n.activity)
		snprintf(act, sizeof(act), "other acts %lld, ", n.activity);
	if (rc == EXRAY_EXIT_OK && ocsf)
		fprintf(stderr, "export: %lld OCSF events (process %lld, network %lld, %sfindings %lld)%s\n",
			n.process + n.network + n.activity + n.finding, n.process, n.network, act, n.finding,
			n.finding ? "" : "; no alerts stored (run exray check first)");
	else if (rc == EXRAY_EXIT_OK)
		fprintf(stderr, "export: %lld %s rows\n", rows, table);
out:
	outfile_close(of, false);
	db_close(db);
	free(meta);
	free(cid);
	exray_ruleset_free(&rules);
	return rc;
}
