/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A hash map from a key of three u64 (e.g. host, pid, start) to a u64 value
 * or a pointer: the in-memory maps that keep per-row SELECTs off the ingest
 * hot path. Open addressing, linear probing, no deletion.
 */
#ifndef EXRAY_XMAP_H
#define EXRAY_XMAP_H

#include <stddef.h>
#include <stdint.h>

struct xmap_key {
	uint64_t a, b, c;
};

struct xmap_slot {
	struct xmap_key key;
	uint64_t val;
	int used;
};

struct xmap {
	struct xmap_slot *slots;
	size_t cap, n; /* cap is a power of two */
};

/* Value slot for key: inserted (value 0, *created = 1) if missing.
 * NULL on allocation failure. */
uint64_t *xmap_put(struct xmap *m, uint64_t a, uint64_t b, uint64_t c, int *created);
/* Value slot for key, or NULL. */
uint64_t *xmap_get(const struct xmap *m, uint64_t a, uint64_t b, uint64_t c);
void xmap_free(struct xmap *m);
/* Empty the map, keeping its memory. */
void xmap_clear(struct xmap *m);
/* Iterate: for (size_t i = 0; i < m->cap; i++) if (m->slots[i].used) ... */

#endif
