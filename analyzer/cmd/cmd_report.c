/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray report: the case as one self-contained HTML page (docs/report.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "casedb/ctrsel.h"
#include "casedb/db.h"
#include "casedb/sqlfuncs.h"
#include "policy/policy_eval.h"
#include "text/timefmt.h"
#include "render/report.h"

#define POLICY_MAX (1 << 20) /* bytes of policy text shown in the page */

static const char report_help[] =
	"usage: exray report -o FILE.html [OPTIONS]\n"
	"Write the case as one self-contained HTML page for people: summary (hosts,\n"
	"captures, completeness, seals, alert counts), timeline, alerts, the process\n"
	"tree of every container with execs, arguments and connections, the policy,\n"
	"and the exray commands that reproduce every figure. The page loads nothing\n"
	"and runs no script; everything recorded is escaped. Alerts are those that\n"
	"`exray check` stored in the database: run it first.\n\n"
	"  -o, --output FILE        the page to write ('-': stdout); an existing file\n"
	"                           is replaced only if it is an exray report\n"
	"  -c, --container C        only container C: an id prefix, a name, an\n"
	"                           image, a pod, POD/CONTAINER or NAMESPACE/POD\n"
	"                           matching exactly one container; or 'host'\n"
	"      --since TIME         only processes alive and events at or after TIME\n"
	"      --until TIME         ... at or before TIME (RFC 3339)\n"
	"  -P, --policy FILE        judge every connection with this allowlist and\n"
	"                           show it (the one exray check used, normally)\n"
	"      --max-alerts N       alert rows in the page (default 1000)\n"
	"      --max-processes N    processes listed per container besides those\n"
	"                           the alerts name (default 250)\n"
	"  -d, --db FILE            case database (default ./" EXRAY_DEFAULT_DB ")\n"
	"  -h, --help               this help\n\n"
	"Example:\n"
	"  exray ingest -d case.db /cases/web-1/ && exray check -d case.db -P site.policy\n"
	"  exray report -d case.db -P site.policy -o case.html\n\n"
	"Exit: 0 written, 2 usage, invalid policy, or -c matching no or several\n"
	"containers, 3 database or write failure.\n";

/* An existing file may be replaced only if exray wrote it: -o pointing at
 * a segment or the database by mistake must not destroy evidence. */
static int replaceable(const char *path)
{
	char head[1024];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT;
	n = read(fd, head, sizeof(head) - 1);
	close(fd);
	if (n < 0)
		return 0;
	head[n] = 0;
	return !strncmp(head, "<!DOCTYPE html>", 15) && strstr(head, "<meta name=\"generator\" content=\"exray report\">");
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = malloc(POLICY_MAX + 1);
	size_t n = 0;

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, POLICY_MAX, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

/* "exray report ARGS" with each argument shell-quoted. */
static char *command_line(int argc, char **argv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	fputs("exray report", m);
	for (int i = 1; i < argc; i++) {
		putc(' ', m);
		report_shell_word(m, argv[i]);
	}
	fclose(m);
	return buf;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB,
		{ "output", required_argument, 0, 'o' },
		{ "container", required_argument, 0, 'c' },
		{ "since", required_argument, 0, 'S' },
		{ "until", required_argument, 0, 'U' },
		{ "policy", required_argument, 0, 'P' },
		{ "max-alerts", required_argument, 0, 'A' },
		{ "max-processes", required_argument, 0, 'M' },
		{ 0 },
	};
	struct report_opts o = { .dbpath = EXRAY_DEFAULT_DB, .since = INT64_MIN, .until = INT64_MAX,
				 .caps = report_default_caps };
	struct exray_policy_eval *pe = NULL;
	const char *outpath = NULL;
	char *tmp = NULL, *policy_text = NULL, *cmdline = NULL, *cid = NULL, now[TIMEFMT_LEN], perr[512];
	sqlite3 *db = NULL;
	FILE *out = NULL;
	uint64_t v;
	int opt, err, rc = EXRAY_EXIT_FAILURE, fd;

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:o:c:P:", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(report_help, stdout); return EXRAY_EXIT_OK;
		case 'd': o.dbpath = optarg; break;
		case 'o': outpath = optarg; break;
		case 'c': o.container = optarg; break;
		case 'P': o.policy_path = optarg; break;
		case 'S':
		case 'U':
			if (timefmt_parse(optarg, opt == 'S' ? &o.since : &o.until))
				return cli_usage_error("report", "bad time '%s' (RFC 3339 expected)", optarg);
			break;
		case 'A':
		case 'M':
			if (cli_parse_u64(optarg, &v) || v > 10000000)
				return cli_usage_error("report", "bad count '%s'", optarg);
			if (opt == 'A')
				o.caps.alerts_listed = v, o.caps.alerts_shown = v < 100 ? v : 100;
			else
				o.caps.procs_per_group = v, o.caps.procs_total = v * 48 > o.caps.procs_total ? v * 48 : o.caps.procs_total;
			break;
		default: return cli_usage_error("report", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (!outpath)
		return cli_usage_error("report", "-o FILE.html is required");
	if (strcmp(outpath, "-") && !replaceable(outpath))
		return cli_usage_error("report", "%s exists and is not an exray report: not replacing it", outpath);
	if (o.policy_path) {
		if ((err = exray_policy_eval_load(&pe, o.policy_path, perr, sizeof(perr)))) {
			cli_error("%s", perr);
			return err == -ENOMEM ? EXRAY_EXIT_FAILURE : EXRAY_EXIT_USAGE;
		}
		if (!(policy_text = read_text(o.policy_path))) {
			cli_error("%s: %s", o.policy_path, strerror(errno));
			goto out;
		}
		o.policy_text = policy_text;
		o.policy_loaded = 1;
		exray_sqlfuncs_set_policy(pe);
	}
	if (cli_open_db(&db, o.dbpath, DB_OPEN_READONLY))
		goto out;
	if (pe)
		cli_policy_coverage(db, "report", exray_policy_eval_policy(pe));
	if (o.container && (err = ctrsel_resolve(db, o.container, &cid, perr, sizeof(perr)))) {
		rc = cli_container_error("report", o.dbpath, err, perr);
		goto out;
	}
	if (cid)
		o.container = cid; /* the full id: exactly that container */
	if (!(cmdline = command_line(argc, argv)))
		goto oom;
	o.command = cmdline;
	timefmt_rfc3339(now, (int64_t)time(NULL) * 1000000000);
	strcpy(now + 19, "Z");
	o.generated = now;
	if (!strcmp(outpath, "-")) {
		out = stdout;
	} else {
		/* beside the target, renamed over it when complete: a failed
		 * or interrupted run leaves the previous report whole */
		if (asprintf(&tmp, "%s.XXXXXX", outpath) < 0) {
			tmp = NULL;
			goto oom;
		}
		if ((fd = mkstemp(tmp)) < 0 || !(out = fdopen(fd, "w"))) {
			cli_error("%s: cannot create beside it: %s", outpath, strerror(errno));
			free(tmp);
			tmp = NULL;
			goto out;
		}
	}
	err = report_write(db, &o, out);
	if (err) {
		cli_error("%s: %s", o.dbpath, err == -ENOMEM ? "out of memory" : db_error());
		goto out;
	}
	if (out != stdout) {
		if (fflush(out) || fsync(fileno(out)) || fclose(out)) {
			out = NULL;
			cli_error("writing %s: %s", outpath, strerror(errno));
			goto out;
		}
		out = NULL;
		if (rename(tmp, outpath)) {
			cli_error("%s: %s", outpath, strerror(errno));
			goto out;
		}
		free(tmp);
		tmp = NULL;
		fprintf(stderr, "report: wrote %s\n", outpath);
	}
	rc = EXRAY_EXIT_OK;
	goto out;
oom:
	cli_error("out of memory");
out:
	if (out && out != stdout)
		fclose(out);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	db_close(db);
	exray_sqlfuncs_set_policy(NULL);
	exray_policy_eval_free(pe);
	free(policy_text);
	free(cmdline);
	free(cid);
	return rc;
}
