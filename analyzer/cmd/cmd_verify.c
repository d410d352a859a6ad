/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray verify: integrity of segments; the exit code says clean or not. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "text/escape.h"
#include "text/recfmt.h"
#include "ingest/segscan.h"

static const char verify_help[] =
	"usage: exray verify [OPTIONS] SEGMENT|DIR...\n"
	"Check segments: frame checksums, torn tails, garbage, record sanity,\n"
	"footer counts, and gaps in each capture's sequence numbers.\n"
	"A directory stands for its *.exray.zst files in name order.\n\n"
	"  -q, --quiet    print only problems\n"
	"  -d, --db FILE  accepted for symmetry; verify reads only segments\n"
	"  -h, --help     this help\n\n"
	"Example:\n"
	"  exray verify /cases/web-1/        # exit 0 clean, 1 damaged or gaps\n\n"
	"Exit: 0 clean, 1 damage or gaps found, 2 usage, 3 a file unreadable.\n";

struct capseq {
	char capture[33];
	__u64 seq;
};

static int cmp_capseq(const void *a, const void *b)
{
	const struct capseq *x = a, *y = b;
	int c = strcmp(x->capture, y->capture);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static void path_out(const char *path)
{
	term_write_str(stdout, path);
	fputs(": ", stdout);
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB, { "quiet", no_argument, 0, 'q' }, { 0 },
	};
	struct cli_paths paths = { 0 };
	struct capseq *seqs = NULL;
	size_t n_seqs = 0;
	const char *bad;
	int opt, err, quiet = 0, rc = EXRAY_EXIT_OK;

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:q", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(verify_help, stdout); return EXRAY_EXIT_OK;
		case 'd': break;
		case 'q': quiet = 1; break;
		default: return cli_usage_error("verify", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("verify", "no segment files or directories given");
	if ((err = cli_expand_segments(argc - optind, argv + optind, &paths, &bad))) {
		cli_expand_error(bad, err);
		return EXRAY_EXIT_FAILURE;
	}
	if (!(seqs = calloc(paths.n, sizeof(*seqs)))) {
		cli_error("out of memory");
		rc = EXRAY_EXIT_FAILURE;
		goto cleanup;
	}
	for (size_t i = 0; i < paths.n; i++) {
		struct segscan s;
		int damaged = 0;

		if (segscan_file(paths.v[i], &s) && !s.have_header && !s.records) {
			cli_error("%s: %s", paths.v[i], s.errmsg);
			rc = EXRAY_EXIT_FAILURE;
			segscan_free(&s);
			continue;
		}
		if (s.err) {
			cli_error("%s: %s", paths.v[i], s.errmsg);
			rc = EXRAY_EXIT_FAILURE;
		}
		for (size_t k = 0; k < s.n_issues; k++) {
			const struct exray_seg_issue *is = &s.issues[k];
			if (!exray_seg_issue_is_damage(is->kind))
				continue;
			damaged = 1;
			path_out(paths.v[i]);
			printf("DAMAGED: %s at offset %llu, %llu bytes skipped: ",
			       exray_seg_issue_name(is->kind), (unsigned long long)is->offset,
			       (unsigned long long)is->length);
			term_write_str(stdout, is->detail);
			putchar('\n');
		}
		if (s.have_footer && s.footer.records != s.records + s.skipped) {
			damaged = 1;
			path_out(paths.v[i]);
			printf("DAMAGED: footer counts %llu records, %llu intact\n",
			       (unsigned long long)s.footer.records,
			       (unsigned long long)(s.records + s.skipped));
		}
		if (s.have_header) {
			hex_id(seqs[n_seqs].capture, s.header.capture_id);
			seqs[n_seqs++].seq = s.header.seq;
		}
		if (!quiet || damaged) {
			path_out(paths.v[i]);
			printf("%s, %llu records in %llu frames, seq %llu, %s",
			       damaged ? "damaged" : "ok", (unsigned long long)s.records,
			       (unsigned long long)s.frames,
			       (unsigned long long)s.header.seq,
			       s.have_footer ? "complete"
					     : "no footer (recorder still running or stopped abruptly)");
			if (s.skipped)
				printf("; %llu records of types newer than this exray skipped "
				       "(format %u.%u)", (unsigned long long)s.skipped, s.major, s.minor);
			putchar('\n');
		}
		if (damaged && rc == EXRAY_EXIT_OK)
			rc = EXRAY_EXIT_PROBLEMS;
		segscan_free(&s);
	}
	qsort(seqs, n_seqs, sizeof(*seqs), cmp_capseq);
	for (size_t i = 1; i < n_seqs; i++) {
		if (strcmp(seqs[i].capture, seqs[i - 1].capture))
			continue;
		if (seqs[i].seq == seqs[i - 1].seq) {
			printf("capture %.8s: segment seq %llu given twice\n", seqs[i].capture,
			       (unsigned long long)seqs[i].seq);
		} else if (seqs[i].seq != seqs[i - 1].seq + 1) {
			printf("capture %.8s: GAP: segments %llu..%llu missing\n", seqs[i].capture,
			       (unsigned long long)seqs[i - 1].seq + 1,
			       (unsigned long long)seqs[i].seq - 1);
			if (rc == EXRAY_EXIT_OK)
				rc = EXRAY_EXIT_PROBLEMS;
		}
	}
cleanup:
	free(seqs);
	cli_paths_free(&paths);
	return rc;
}
