/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "text/counts.h"
#include "text/recfmt.h"
#include "ingest/segscan.h"

int segscan_file(const char *path, struct segscan *s)
{
	return segscan_file_sealed(path, NULL, 0, NULL, s);
}

int segscan_file_sealed(const char *path, struct exray_seal_verifier *const *keys, size_t n_keys,
			const struct segscan_want *want, struct segscan *s)
{
	struct exray_seg_reader *r = NULL;
	const struct exray_rec_hdr *h;
	int n;

	memset(s, 0, sizeof(*s));
	if ((s->err = exray_seg_reader_open(&r, path))) {
		snprintf(s->errmsg, sizeof(s->errmsg), "%s", strerror(-s->err));
		return s->err;
	}
	exray_seg_reader_set_verifiers(r, keys, n_keys);
	if (want)
		exray_seg_reader_find_seals(r, want->index, want->n, want->found, want->hit);
	while ((n = exray_seg_next(r, &h)) > 0) {
		s->records++;
		if (h->type < EXRAY_TYPE_SLOTS)
			s->by_type[h->type]++;
		if (!s->first_ts || h->ts < s->first_ts)
			s->first_ts = h->ts;
		if (h->ts > s->last_ts)
			s->last_ts = h->ts;
		if (h->type == EXRAY_REC_LOSS) {
			const struct exray_loss *l = (const void *)h;
			if (l->lost_type < EXRAY_TYPE_SLOTS)
				s->lost_by_type[l->lost_type] =
					count_add(s->lost_by_type[l->lost_type], l->count);
		}
	}
	if (n < 0) {
		s->err = n;
		snprintf(s->errmsg, sizeof(s->errmsg), "%s",
			 n == -EPROTONOSUPPORT ? exray_seg_reader_error(r) : strerror(-n));
	}
	if (exray_seg_reader_header(r)) {
		s->header = *exray_seg_reader_header(r);
		s->have_header = true;
	}
	if (exray_seg_reader_footer(r)) {
		s->footer = *exray_seg_reader_footer(r);
		s->have_footer = true;
	}
	exray_seg_reader_version(r, &s->major, &s->minor);
	s->frames = exray_seg_reader_frames(r);
	s->file_size = exray_seg_reader_file_size(r);
	s->boot_to_wall = reader_boot_to_wall(r);
	s->skipped = exray_seg_reader_skipped(r);
	s->seals = *exray_seg_reader_seals(r);
	s->n_issues = exray_seg_reader_issue_count(r);
	if (s->n_issues) {
		s->issues = calloc(s->n_issues, sizeof(*s->issues));
		if (!s->issues) {
			/* never report a damaged file as clean for want of memory */
			s->n_issues = 0;
			s->err = -ENOMEM;
			snprintf(s->errmsg, sizeof(s->errmsg), "out of memory listing its damage");
		} else {
			for (size_t i = 0; i < s->n_issues; i++)
				s->issues[i] = *exray_seg_reader_issue(r, i);
		}
	}
	exray_seg_reader_free(r);
	return s->err;
}

void segscan_free(struct segscan *s)
{
	free(s->issues);
	s->issues = NULL;
}
