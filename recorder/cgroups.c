// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Copies of every cgroup and container record seen during the capture. Each
 * new segment starts with all of them, so a segment read alone (or after the
 * oldest were deleted by --max-total) still names every cgroup id it
 * mentions and says who its containers are.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "record.h"

/* Both record types start with the header and the cgroup id. */
struct kept {
	struct exray_rec_hdr hdr;
	__u64 cgroup_id;
};
_Static_assert(__builtin_offsetof(struct exray_cgroup, cgroup_id) == sizeof(struct exray_rec_hdr) &&
		       __builtin_offsetof(struct exray_container, cgroup_id) == sizeof(struct exray_rec_hdr),
	       "kept records share header and cgroup id");

struct rec_cgroups {
	struct kept **recs;
	size_t n, cap;
};

int rec_cgroups_new(struct rec_cgroups **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void rec_cgroups_free(struct rec_cgroups *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->recs[i]);
	free(c->recs);
	free(c);
}

int rec_cgroups_add(struct rec_cgroups *c, const void *r)
{
	const struct kept *rec = r;
	struct kept *copy;
	size_t i;

	if ((rec->hdr.type != EXRAY_REC_CGROUP || rec->hdr.len < sizeof(struct exray_cgroup)) &&
	    (rec->hdr.type != EXRAY_REC_CONTAINER || rec->hdr.len < sizeof(struct exray_container)))
		return -EINVAL;
	copy = malloc(rec->hdr.len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, rec, rec->hdr.len);
	/* an id seen again (LRU eviction in the kernel) replaces its copy */
	for (i = 0; i < c->n; i++) {
		if (c->recs[i]->cgroup_id == rec->cgroup_id && c->recs[i]->hdr.type == rec->hdr.type) {
			free(c->recs[i]);
			c->recs[i] = copy;
			return 0;
		}
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct kept **nr = realloc(c->recs, ncap * sizeof(*nr));

		if (!nr) {
			free(copy);
			return -ENOMEM;
		}
		c->recs = nr;
		c->cap = ncap;
	}
	c->recs[c->n++] = copy;
	return 0;
}

int rec_cgroups_replay(const struct rec_cgroups *c, rec_emit_fn emit, void *ctx)
{
	for (size_t i = 0; i < c->n; i++) {
		int err = emit(ctx, c->recs[i], c->recs[i]->hdr.len);

		if (err)
			return err;
	}
	return 0;
}

size_t rec_cgroups_count(const struct rec_cgroups *c)
{
	return c->n;
}
