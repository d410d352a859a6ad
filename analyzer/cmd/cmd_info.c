/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray info: what a set of segments holds, per host boot. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "text/counts.h"
#include "text/escape.h"
#include "text/recfmt.h"
#include "ingest/segscan.h"
#include "text/timefmt.h"

static const char info_help[] =
	"usage: exray info [OPTIONS] SEGMENT|DIR...\n"
	"Summarise segments per host boot: captures, segments, time range,\n"
	"record counts by type, kernel losses and damaged frames.\n\n"
	"  -j, --json     one JSON object: {\"hosts\":[...],\"files\":N,\"files_failed\":N};\n"
	"                 per host: host, boot_id, kernel, recorder, format,\n"
	"                 captures, segments, complete, frames, bytes, records,\n"
	"                 first_ts/last_ts (ns since boot), first_time/last_time\n"
	"                 (RFC 3339 UTC), by_type and lost ({type: count}), issues,\n"
	"                 sealed (segments with seals), seal_failures (chains that\n"
	"                 do not hold together; the seals themselves need verify --key)\n"
	"  -d, --db FILE  accepted for symmetry; info reads only segments\n"
	"  -h, --help     this help\n\n"
	"Example:\n"
	"  exray info --json /cases/web-1/ | jq '.hosts[] | {host, records, lost}'\n\n"
	"Exit: 0 ok (damage is reported, not an error; see verify), 2 usage,\n"
	"3 a file unreadable.\n";

struct host_info {
	char host[EXRAY_SEG_HOST_LEN + 1];
	__u8 boot_id[16];
	char kernel[EXRAY_SEG_RELEASE_LEN + 1];
	char recorder[EXRAY_SEG_VERSION_LEN + 1];
	unsigned major, minor;
	__u8 captures[64][16];
	unsigned n_captures;
	__u64 segments, complete, frames, records, bytes, issues;
	__u64 sealed, seal_failures;
	__u64 by_type[EXRAY_TYPE_SLOTS], lost[EXRAY_TYPE_SLOTS];
	__u64 first_ts, last_ts;
	__s64 b2w;
};

static void add_capture(struct host_info *h, const __u8 id[16])
{
	for (unsigned i = 0; i < h->n_captures; i++)
		if (!memcmp(h->captures[i], id, 16))
			return;
	if (h->n_captures < 64)
		memcpy(h->captures[h->n_captures++], id, 16);
}

static void print_counts(const char *label, const __u64 *v)
{
	char cb[COUNT_TEXT_LEN];
	int any = 0;

	printf("  %s:", label);
	for (unsigned t = 1; t < EXRAY_TYPE_SLOTS; t++) {
		const char *n = exray_rec_type_name(t);
		if (!v[t])
			continue;
		printf("%s %s %s", any ? "," : "", n ? n : "?", count_plain(cb, v[t]));
		any = 1;
	}
	printf("%s\n", any ? "" : " none");
}

static void json_counts(const char *key, const __u64 *v)
{
	int any = 0;

	printf(",\"%s\":{", key);
	for (unsigned t = 0; t < EXRAY_TYPE_SLOTS; t++) {
		const char *n = exray_rec_type_name(t);
		if (!v[t])
			continue;
		if (n)
			printf("%s\"%s\":%llu", any ? "," : "", n, (unsigned long long)v[t]);
		else
			printf("%s\"type%u\":%llu", any ? "," : "", t, (unsigned long long)v[t]);
		any = 1;
	}
	putchar('}');
}

/* "lost_saturated":[types] when a loss count hit the ceiling (JSON numbers
 * would show UINT64_MAX as if exact). */
static void json_saturated(const __u64 *v)
{
	int any = 0;

	for (unsigned t = 0; t < EXRAY_TYPE_SLOTS; t++) {
		const char *n = exray_rec_type_name(t);
		if (!count_saturated(v[t]))
			continue;
		printf("%s", any ? "," : ",\"lost_saturated\":[");
		if (n)
			printf("\"%s\"", n);
		else
			printf("\"type%u\"", t);
		any = 1;
	}
	if (any)
		putchar(']');
}

static void print_host_json(const struct host_info *h, int first)
{
	char boot[37];

	hex_uuid(boot, h->boot_id);
	printf("%s{\"host\":", first ? "" : ",");
	json_write_str(stdout, h->host);
	printf(",\"boot_id\":\"%s\",\"kernel\":", boot);
	json_write_str(stdout, h->kernel);
	fputs(",\"recorder\":", stdout);
	json_write_str(stdout, h->recorder);
	printf(",\"format\":\"%u.%u\",\"captures\":%u,\"segments\":%llu,\"complete\":%llu,"
	       "\"frames\":%llu,\"bytes\":%llu,\"records\":%llu",
	       h->major, h->minor, h->n_captures, (unsigned long long)h->segments,
	       (unsigned long long)h->complete, (unsigned long long)h->frames,
	       (unsigned long long)h->bytes, (unsigned long long)h->records);
	if (h->records) {
		printf(",\"first_ts\":%llu,\"last_ts\":%llu", (unsigned long long)h->first_ts,
		       (unsigned long long)h->last_ts);
		fputs(",\"first_time\":", stdout);
		timefmt_boot_json(stdout, h->first_ts, h->b2w);
		fputs(",\"last_time\":", stdout);
		timefmt_boot_json(stdout, h->last_ts, h->b2w);
	} else {
		fputs(",\"first_ts\":null,\"last_ts\":null,\"first_time\":null,\"last_time\":null",
		      stdout);
	}
	json_counts("by_type", h->by_type);
	json_counts("lost", h->lost);
	json_saturated(h->lost);
	printf(",\"issues\":%llu,\"sealed\":%llu,\"seal_failures\":%llu}",
	       (unsigned long long)h->issues, (unsigned long long)h->sealed,
	       (unsigned long long)h->seal_failures);
}

static void print_host(const struct host_info *h)
{
	char a[TIMEFMT_LEN], b[TIMEFMT_LEN], boot[37];

	hex_uuid(boot, h->boot_id);
	fputs("host ", stdout);
	term_write_str(stdout, h->host);
	printf(" boot %s\n  kernel ", boot);
	term_write_str(stdout, h->kernel);
	fputs(", recorder ", stdout);
	term_write_str(stdout, h->recorder);
	printf(", format %u.%u\n", h->major, h->minor);
	printf("  captures %u, segments %llu (%llu complete), %llu frames, %llu bytes\n",
	       h->n_captures, (unsigned long long)h->segments, (unsigned long long)h->complete,
	       (unsigned long long)h->frames, (unsigned long long)h->bytes);
	if (h->records)
		printf("  time %s .. %s\n", timefmt_boot(a, h->first_ts, h->b2w),
		       timefmt_boot(b, h->last_ts, h->b2w));
	printf("  records %llu\n", (unsigned long long)h->records);
	print_counts("by type", h->by_type);
	print_counts("lost", h->lost);
	printf("  damaged: %llu issue%s%s\n", (unsigned long long)h->issues,
	       h->issues == 1 ? "" : "s", h->issues ? " (run exray verify)" : "");
	if (!h->sealed)
		printf("  seals: none (not sealed: format before 1.3, or exray-record --no-seal)\n");
	else
		printf("  seals: %llu of %llu segments sealed, %s; not verified here: exray verify "
		       "--key KEY\n", (unsigned long long)h->sealed, (unsigned long long)h->segments,
		       h->seal_failures ? "CHAIN BROKEN in some (run exray verify)"
					: "chain consistent");
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB, { "json", no_argument, 0, 'j' }, { 0 },
	};
	struct cli_paths paths = { 0 };
	struct host_info *hosts = NULL;
	size_t n_hosts = 0;
	const char *bad;
	int opt, err, json = 0, rc = EXRAY_EXIT_OK;
	unsigned long long failed = 0;

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:j", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(info_help, stdout); return EXRAY_EXIT_OK;
		case 'd': break;
		case 'j': json = 1; break;
		default: return cli_usage_error("info", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("info", "no segment files or directories given");
	if ((err = cli_expand_segments(argc - optind, argv + optind, &paths, &bad))) {
		cli_expand_error(bad, err);
		return EXRAY_EXIT_FAILURE;
	}
	for (size_t i = 0; i < paths.n; i++) {
		struct segscan s;
		struct host_info *h = NULL;

		segscan_file(paths.v[i], &s);
		if (s.err) {
			cli_error("%s: %s", paths.v[i], s.errmsg);
			rc = EXRAY_EXIT_FAILURE;
			failed++;
		}
		if (!s.have_header) {
			if (!s.err) {
				cli_error("%s: no readable segment header", paths.v[i]);
				rc = EXRAY_EXIT_FAILURE;
				failed++;
			}
			segscan_free(&s);
			continue;
		}
		for (size_t k = 0; k < n_hosts && !h; k++)
			if (!strncmp(hosts[k].host, s.header.host, EXRAY_SEG_HOST_LEN) &&
			    !memcmp(hosts[k].boot_id, s.header.boot_id, 16))
				h = &hosts[k];
		if (!h) {
			struct host_info *nh = realloc(hosts, (n_hosts + 1) * sizeof(*nh));
			if (!nh) {
				cli_error("out of memory");
				segscan_free(&s);
				rc = EXRAY_EXIT_FAILURE;
				break;
			}
			hosts = nh;
			h = &hosts[n_hosts++];
			memset(h, 0, sizeof(*h));
			memcpy(h->host, s.header.host, EXRAY_SEG_HOST_LEN);
			memcpy(h->boot_id, s.header.boot_id, 16);
			memcpy(h->kernel, s.header.kernel_release, EXRAY_SEG_RELEASE_LEN);
			memcpy(h->recorder, s.header.recorder_version, EXRAY_SEG_VERSION_LEN);
			h->major = s.major, h->minor = s.minor;
		}
		add_capture(h, s.header.capture_id);
		h->segments++;
		h->complete += s.have_footer;
		h->sealed += s.seals.sealed;
		h->seal_failures += s.seals.sealed && s.seals.failed;
		h->frames += s.frames;
		h->records += s.records;
		h->bytes += s.file_size;
		for (size_t k = 0; k < s.n_issues; k++)
			h->issues += exray_seg_issue_is_damage(s.issues[k].kind);
		for (int t = 0; t < EXRAY_TYPE_SLOTS; t++) {
			h->by_type[t] += s.by_type[t];
			h->lost[t] = count_add(h->lost[t], s.lost_by_type[t]);
		}
		if (s.records && (!h->first_ts || s.first_ts < h->first_ts))
			h->first_ts = s.first_ts;
		if (s.last_ts > h->last_ts)
			h->last_ts = s.last_ts;
		h->b2w = s.boot_to_wall;
		segscan_free(&s);
	}
	if (json)
		fputs("{\"hosts\":[", stdout);
	for (size_t k = 0; k < n_hosts; k++)
		if (json)
			print_host_json(&hosts[k], !k);
		else
			print_host(&hosts[k]);
	if (json)
		printf("],\"files\":%zu,\"files_failed\":%llu}\n", paths.n, failed);
	free(hosts);
	cli_paths_free(&paths);
	return rc;
}
