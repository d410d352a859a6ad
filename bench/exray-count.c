// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exray-count: count what segment files hold, with the segment reader alone
 * (no SQLite), for checking capture completeness in benchmarks and the
 * generator's ground truth in tests.
 *
 *   exray-count [--exec-comm NAME] [--dport N] SEG|DIR...
 *
 * Prints one JSON object: records by type, distinct processes (pid, start),
 * kernel losses reported (total and by lost record type), reader issues, and with the filters the number of
 * successful exec records whose comm is NAME and connect records to port N.
 * Exit 0, 2 on usage error, 3 if a file cannot be read.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "segment.h"
#include "seglist.h"

struct key_set {
	uint64_t *k; /* (pid << 40) ^ start, 0 = empty */
	size_t n, cap;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static int set_add(struct key_set *s, uint64_t key)
{
	if (!key)
		key = 1;
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1 << 16;
		uint64_t *nk = calloc(cap, sizeof(*nk));

		if (!nk)
			return -ENOMEM;
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->k[i])
				continue;
			size_t j = mix(s->k[i]) & (cap - 1);

			while (nk[j])
				j = (j + 1) & (cap - 1);
			nk[j] = s->k[i];
		}
		free(s->k);
		s->k = nk;
		s->cap = cap;
	}
	for (size_t j = mix(key) & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
		if (s->k[j] == key)
			return 0;
		if (!s->k[j]) {
			s->k[j] = key;
			s->n++;
			return 0;
		}
	}
}

struct counts {
	uint64_t by_type[EXRAY_REC_TYPE_MAX], lost_by_type[EXRAY_REC_TYPE_MAX];
	uint64_t records, lost, issues, files, match_exec, match_connect, bytes;
	struct key_set procs;
};

static const char *exec_comm;
static long dport = -1;

static int count_file(struct counts *c, const char *path)
{
	struct exray_seg_reader *r;
	const struct exray_rec_hdr *h;
	int rc, err = exray_seg_reader_open(&r, path);

	if (err) {
		fprintf(stderr, "exray-count: %s: %s\n", path, strerror(-err));
		return err;
	}
	while ((rc = exray_seg_next(r, &h)) > 0) {
		const struct exray_task *t = NULL;

		c->records++;
		if (h->type < EXRAY_REC_TYPE_MAX)
			c->by_type[h->type]++;
		switch (h->type) {
		case EXRAY_REC_EXEC:
		case EXRAY_REC_SNAPSHOT: {
			const struct exray_exec *e = (const void *)h;

			t = &e->task;
			if (exec_comm && h->type == EXRAY_REC_EXEC && !e->ret &&
			    !strncmp(t->comm, exec_comm, EXRAY_COMM_LEN))
				c->match_exec++;
			break;
		}
		case EXRAY_REC_FORK:
			t = &((const struct exray_fork *)h)->task;
			break;
		case EXRAY_REC_EXIT:
			t = &((const struct exray_exit *)h)->task;
			break;
		case EXRAY_REC_CONNECT: {
			const struct exray_connect *k = (const void *)h;

			t = &k->task;
			if (dport >= 0 && k->dport == dport)
				c->match_connect++;
			break;
		}
		case EXRAY_REC_LOSS: {
			const struct exray_loss *l = (const void *)h;

			c->lost += l->count;
			if (l->lost_type < EXRAY_REC_TYPE_MAX)
				c->lost_by_type[l->lost_type] += l->count;
			break;
		}
		}
		if (t && (err = set_add(&c->procs, ((uint64_t)t->pid << 40) ^ t->start)))
			break;
	}
	if (rc < 0 && !err) {
		fprintf(stderr, "exray-count: %s: %s\n", path, exray_seg_reader_error(r));
		err = rc;
	}
	c->issues += exray_seg_reader_issue_count(r);
	c->bytes += exray_seg_reader_file_size(r);
	c->files++;
	exray_seg_reader_free(r);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "exec-comm", required_argument, NULL, 'c' },
		{ "dport", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct counts c;
	int opt;

	memset(&c, 0, sizeof(c));
	while ((opt = getopt_long(argc, argv, "c:p:h", lo, NULL)) != -1) {
		if (opt == 'c')
			exec_comm = optarg;
		else if (opt == 'p')
			dport = atol(optarg);
		else {
			fprintf(opt == 'h' ? stdout : stderr,
				"Usage: exray-count [--exec-comm NAME] [--dport N] SEG|DIR...\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "Usage: exray-count [--exec-comm NAME] [--dport N] SEG|DIR...\n");
		return 2;
	}
	{
		const char *bad = NULL;
		char **files = NULL;
		long n = seglist_expand(argv + optind, argc - optind, &files, &bad);

		if (n < 0) {
			fprintf(stderr, "exray-count: %s: %s\n", bad ? bad : argv[optind], strerror((int)-n));
			return 3;
		}
		for (long i = 0; i < n; i++)
			if (count_file(&c, files[i])) {
				seglist_free(files, n);
				return 3;
			}
		seglist_free(files, n);
	}
	printf("{\"files\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"records\":%" PRIu64
	       ",\"records_by_type\":{",
	       c.files, c.bytes, c.records);
	for (unsigned t = 1, first = 1; t < EXRAY_REC_TYPE_MAX; t++) {
		if (!c.by_type[t])
			continue;
		printf("%s\"%s\":%" PRIu64, first ? "" : ",", exray_rec_type_name(t), c.by_type[t]);
		first = 0;
	}
	printf("},\"processes\":%zu,\"lost\":%" PRIu64 ",\"lost_by_type\":{", c.procs.n, c.lost);
	for (unsigned t = 1, first = 1; t < EXRAY_REC_TYPE_MAX; t++) {
		if (!c.lost_by_type[t])
			continue;
		printf("%s\"%s\":%" PRIu64, first ? "" : ",", exray_rec_type_name(t), c.lost_by_type[t]);
		first = 0;
	}
	printf("},\"issues\":%" PRIu64, c.issues);
	if (exec_comm)
		printf(",\"match_exec\":%" PRIu64, c.match_exec);
	if (dport >= 0)
		printf(",\"match_connect\":%" PRIu64, c.match_connect);
	printf("}\n");
	free(c.procs.k);
	return 0;
}
