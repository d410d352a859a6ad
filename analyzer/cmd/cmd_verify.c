/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray verify: integrity of segments and of their seal chain; the exit code
 * says clean or not. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "text/counts.h"
#include "text/escape.h"
#include "text/recfmt.h"
#include "ingest/segscan.h"

static const char verify_help[] =
	"usage: exray verify [OPTIONS] SEGMENT|DIR...\n"
	"Check segments: frame checksums, torn tails, garbage, record sanity,\n"
	"footer counts, gaps in each capture's sequence numbers, and the seal chain:\n"
	"with --key, every seal (an edited, dropped, inserted, reordered or resealed\n"
	"frame, a removed or cut segment, a wrong key all fail, naming the file and\n"
	"the first frame that does not verify); without, only the chain's shape.\n"
	"A directory stands for its *.exray.zst files in name order.\n\n"
	"  -k, --key FILE|HEX  the capture's verification key (exray-record\n"
	"                      --seal-key FILE, or the 64 hex digits it printed);\n"
	"                      repeat for several captures\n"
	"      --seal-log FILE a copy of exray-record --seal-log kept elsewhere\n"
	"                      (syslog lines are fine): every seal it names must be\n"
	"                      in the files, so deleted newest segments are found\n"
	"  -q, --quiet         print only problems\n"
	"  -d, --db FILE       accepted for symmetry; verify reads only segments\n"
	"  -h, --help          this help\n\n"
	"Example:\n"
	"  exray verify /cases/web-1/        # exit 0 clean, 1 damaged or gaps\n"
	"  exray verify --key /media/usb/host1.key /var/lib/exray\n\n"
	"Exit: 0 clean, 1 damage, gaps or seals that do not verify, 2 usage (or a\n"
	"key that cannot be read), 3 a file unreadable.\n";

#define MAX_KEYS CLI_MAX_KEYS

struct segrec {
	char capture[33];
	__u64 seq;
	size_t path;                 /* index in paths */
	struct exray_seg_header header;
	struct exray_seg_seals seals;
};

static int cmp_segrec(const void *a, const void *b)
{
	const struct segrec *x = a, *y = b;
	int c = strcmp(x->capture, y->capture);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* A line of a seal log (exray-record --seal-log). */
struct logged {
	char capture[33];
	unsigned long long seq, index;
	__u8 seal[EXRAY_SEAL_BYTES];
	char time[32];
	int state;             /* 0 not seen, 1 found, 2 the files differ */
};

struct seal_log {
	struct logged *v;
	size_t n;
	__u64 *want;           /* the key indexes, sorted, unique */
	size_t n_want;
	__u8 (*found)[EXRAY_SEAL_BYTES];
	bool *hit;
};

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return (x > y) - (x < y);
}

static int load_seal_log(const char *path, struct seal_log *l)
{
	FILE *f = fopen(path, "r");
	char line[1024], seal_hex[65];
	size_t cap = 0;

	if (!f) {
		cli_error("--seal-log %s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "exray-seal capture=");
		struct logged e = { 0 };
		__u8 key[EXRAY_SEAL_BYTES];

		if (!p || sscanf(p, "exray-seal capture=%32s seq=%llu key_index=%llu time=%31s seal=%64s",
				 e.capture, &e.seq, &e.index, e.time, seal_hex) != 5 ||
		    exray_seal_key_parse(seal_hex, key))
			continue;
		memcpy(e.seal, key, sizeof(e.seal));
		if (l->n == cap) {
			void *nv = realloc(l->v, (cap = cap ? 2 * cap : 64) * sizeof(*l->v));
			if (!nv) {
				fclose(f);
				return -ENOMEM;
			}
			l->v = nv;
		}
		l->v[l->n++] = e;
	}
	fclose(f);
	if (!l->n) {
		cli_error("--seal-log %s: no 'exray-seal capture=...' line in it", path);
		return -EINVAL;
	}
	l->want = calloc(l->n, sizeof(*l->want));
	l->found = calloc(l->n, sizeof(*l->found));
	l->hit = calloc(l->n, sizeof(*l->hit));
	if (!l->want || !l->found || !l->hit)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		l->want[i] = l->v[i].index;
	qsort(l->want, l->n, sizeof(*l->want), cmp_u64);
	for (size_t i = 0; i < l->n; i++)
		if (!l->n_want || l->want[l->n_want - 1] != l->want[i])
			l->want[l->n_want++] = l->want[i];
	return 0;
}

/* After one file: the logged seals of its capture that it holds. */
static void seal_log_match(struct seal_log *l, const char *capture)
{
	for (size_t i = 0; i < l->n; i++) {
		struct logged *e = &l->v[i];
		__u64 *at;

		if (strcmp(e->capture, capture) ||
		    !(at = bsearch(&(__u64){ e->index }, l->want, l->n_want, sizeof(*l->want), cmp_u64)) ||
		    !l->hit[at - l->want])
			continue;
		e->state = memcmp(l->found[at - l->want], e->seal, EXRAY_SEAL_BYTES) ? 2 : 1;
	}
	memset(l->hit, 0, l->n_want * sizeof(*l->hit));
}

/* What the log shows that the files do not: deleted newest segments. */
static int seal_log_report(const struct seal_log *l, const struct segrec *segs, size_t n_segs)
{
	int rc = EXRAY_EXIT_OK;
	size_t found = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct logged *e = &l->v[i];
		__u64 top = 0, max_seq = 0, min_seq = ~0ull;
		bool have = false;

		found += e->state == 1;
		if (e->state == 1)
			continue;
		for (size_t k = 0; k < n_segs; k++) {
			if (strcmp(segs[k].capture, e->capture))
				continue;
			have = true;
			if (segs[k].seals.seals && segs[k].seals.last_index > top)
				top = segs[k].seals.last_index;
			max_seq = segs[k].seq > max_seq ? segs[k].seq : max_seq;
			min_seq = segs[k].seq < min_seq ? segs[k].seq : min_seq;
		}
		if (!have || (e->state == 0 && e->seq < min_seq))
			continue; /* another capture, or a segment deleted by the cap */
		rc = EXRAY_EXIT_PROBLEMS;
		if (e->state == 2)
			printf("capture %.8s: SEAL LOG MISMATCH: key index %llu (segment seq %llu, "
			       "logged %s) is another seal in the files: rewritten and resealed\n",
			       e->capture, e->index, e->seq, e->time);
		else if (e->index > top || e->seq > max_seq)
			printf("capture %.8s: SEAL LOG: the capture reached key index %llu in segment seq "
			       "%llu (logged %s), the files end at key index %llu in seq %llu: the newest "
			       "segments were deleted or cut short\n", e->capture, e->index, e->seq,
			       e->time, (unsigned long long)top, (unsigned long long)max_seq);
		else
			printf("capture %.8s: SEAL LOG: key index %llu (segment seq %llu, logged %s) is "
			       "not in the files\n", e->capture, e->index, e->seq, e->time);
	}
	fprintf(stderr, "exray verify: seal log: %zu seal%s logged, %zu found in the files\n", l->n,
		l->n == 1 ? "" : "s", found);
	return rc;
}

static void seal_log_free(struct seal_log *l)
{
	free(l->v);
	free(l->want);
	free(l->found);
	free(l->hit);
}

static void path_out(const char *path)
{
	term_write_str(stdout, path);
	fputs(": ", stdout);
}

/* What the seals say about one file; true when they fail. */
static bool seal_report(const char *path, const struct segscan *s, bool keyed, char *note,
			size_t len)
{
	const struct exray_seg_seals *ss = &s->seals;

	note[0] = 0;
	if (!s->have_header)
		return false; /* reported as damage already */
	if (!ss->sealed) {
		if (!keyed) {
			snprintf(note, len, ", not sealed");
			return false;
		}
		path_out(path);
		printf("SEAL FAILED at frame 0 (offset 0): the segment is not sealed, and a key was given "
		       "(written with --no-seal, by an older recorder, or its seals stripped)\n");
		return true;
	}
	if (ss->failed) {
		path_out(path);
		printf("SEAL FAILED at frame %llu (offset %llu): ", (unsigned long long)ss->fail_frame,
		       (unsigned long long)ss->fail_offset);
		term_write_str(stdout, ss->detail);
		putchar('\n');
		return true;
	}
	snprintf(note, len, ", %llu seals %s%s", (unsigned long long)ss->seals,
		 keyed ? "verified" : "consistent (not checked: no --key)",
		 ss->unsealed_tail ? " then unsealed bytes (the recorder stopped before sealing them)"
				   : "");
	return false;
}

/* The chain across the segments of each capture, in sequence order. */
static int check_links(struct segrec *segs, size_t n, const struct cli_paths *paths)
{
	int rc = EXRAY_EXIT_OK;
	char why[200];

	qsort(segs, n, sizeof(*segs), cmp_segrec);
	for (size_t i = 0; i < n; i++) {
		struct segrec *a = i ? &segs[i - 1] : NULL, *b = &segs[i];
		bool same = a && !strcmp(a->capture, b->capture);

		if (!same) {
			if (b->seq && (b->header.flags & EXRAY_SEG_HDR_SEALED))
				fprintf(stderr, "exray verify: capture %.8s: chain checked from segment "
					"seq %llu (the segments before it are not here: deleted by "
					"--max-total, or removed)\n", b->capture,
					(unsigned long long)b->seq);
			continue;
		}
		if (b->seq == a->seq) {
			printf("capture %.8s: segment seq %llu given twice\n", b->capture,
			       (unsigned long long)b->seq);
		} else if (b->seq != a->seq + 1) {
			printf("capture %.8s: GAP: segments %llu..%llu missing\n", b->capture,
			       (unsigned long long)a->seq + 1, (unsigned long long)b->seq - 1);
			rc = EXRAY_EXIT_PROBLEMS;
		} else if (a->seals.sealed && b->seals.sealed && !a->seals.failed &&
			   !b->seals.failed && !exray_seg_seals_link(&a->seals, &b->header, why,
								      sizeof(why))) {
			path_out(paths->v[b->path]);
			printf("SEAL FAILED at frame 0 (offset 0): %s\n", why);
			rc = EXRAY_EXIT_PROBLEMS;
		}
	}
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB, { "quiet", no_argument, 0, 'q' },
		{ "key", required_argument, 0, 'k' }, { "seal-log", required_argument, 0, 'L' },
		{ 0 },
	};
	struct seal_log slog = { 0 };
	struct segscan_want want = { 0 };
	struct exray_seal_verifier *keys[MAX_KEYS];
	struct cli_paths paths = { 0 };
	struct segrec *segs = NULL;
	size_t n_segs = 0, n_keys = 0;
	const char *bad;
	bool any_sealed = false;
	int opt, err, quiet = 0, rc = EXRAY_EXIT_OK;
	char note[200];

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:qk:", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(verify_help, stdout); rc = EXRAY_EXIT_OK; goto cleanup;
		case 'd': break;
		case 'q': quiet = 1; break;
		case 'L':
			seal_log_free(&slog);
			memset(&slog, 0, sizeof(slog));
			if ((err = load_seal_log(optarg, &slog))) {
				rc = err == -ENOMEM ? EXRAY_EXIT_FAILURE : EXRAY_EXIT_USAGE;
				goto cleanup;
			}
			want = (struct segscan_want){ slog.want, slog.n_want, slog.found, slog.hit };
			break;
		case 'k':
			if ((rc = cli_add_key("verify", optarg, keys, &n_keys)))
				goto cleanup;
			break;
		default: rc = cli_usage_error("verify", "bad option"); goto cleanup;
		}
	}
	if (optind >= argc) {
		rc = cli_usage_error("verify", "no segment files or directories given");
		goto cleanup;
	}
	if ((err = cli_expand_segments(argc - optind, argv + optind, &paths, &bad))) {
		cli_expand_error(bad, err);
		rc = EXRAY_EXIT_FAILURE;
		goto cleanup;
	}
	if (!(segs = calloc(paths.n, sizeof(*segs)))) {
		cli_error("out of memory");
		rc = EXRAY_EXIT_FAILURE;
		goto cleanup;
	}
	for (size_t i = 0; i < paths.n; i++) {
		struct segscan s;
		int damaged = 0;

		if (segscan_file_sealed(paths.v[i], keys, n_keys, slog.n ? &want : NULL, &s) &&
		    !s.have_header && !s.records) {
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
		if (seal_report(paths.v[i], &s, n_keys > 0, note, sizeof(note)))
			damaged = 1;
		any_sealed |= s.seals.sealed;
		if (s.have_header) {
			struct segrec *g = &segs[n_segs++];

			hex_id(g->capture, s.header.capture_id);
			g->seq = s.header.seq;
			g->path = i;
			g->header = s.header;
			g->seals = s.seals;
			if (slog.n)
				seal_log_match(&slog, g->capture);
		}
		if (!quiet || damaged) {
			__u64 lost = 0;
			char cb[COUNT_TEXT_LEN];
			for (int t = 0; t < EXRAY_TYPE_SLOTS; t++)
				lost = count_add(lost, s.lost_by_type[t]);
			path_out(paths.v[i]);
			/* intact is not complete: kernel losses are said with the verdict */
			printf("%s", damaged ? "damaged" : "ok");
			if (lost)
				printf(", %s event%s lost in the kernel", count_text(cb, lost), lost == 1 ? "" : "s");
			printf(", %llu records in %llu frames, seq %llu%s, %s", (unsigned long long)s.records,
			       (unsigned long long)s.frames,
			       (unsigned long long)s.header.seq, note,
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
	if (check_links(segs, n_segs, &paths) && rc == EXRAY_EXIT_OK)
		rc = EXRAY_EXIT_PROBLEMS;
	if (slog.n && seal_log_report(&slog, segs, n_segs) && rc == EXRAY_EXIT_OK)
		rc = EXRAY_EXIT_PROBLEMS;
	if (any_sealed && !n_keys && !quiet)
		fprintf(stderr, "exray verify: seals were not checked: give the capture's key with "
			"--key to check them (the chain's consistency was checked)\n");
cleanup:
	seal_log_free(&slog);
	for (size_t i = 0; i < n_keys; i++)
		exray_seal_verifier_free(keys[i]);
	free(segs);
	cli_paths_free(&paths);
	return rc;
}
