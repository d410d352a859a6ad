/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The process key map of an ingest run: (host, pid, start) -> a value, in
 * 24-byte slots, so that every process a 10M-record run meets fits in a
 * hundred megabytes (xmap's 40-byte slots took 168 MB there). Open
 * addressing, linear probing, no deletion; host ids start at 1, so host 0
 * marks an empty slot.
 */
#ifndef EXRAY_PMAP_H
#define EXRAY_PMAP_H

#include <stddef.h>
#include <stdint.h>

struct pmap_slot {
	uint64_t start;
	uint32_t host, pid;
	uint64_t val;
};

struct pmap {
	struct pmap_slot *slots;
	size_t cap, n; /* cap is a power of two */
};

/* Value slot for the key: inserted (value 0, *created = 1) if missing.
 * NULL on allocation failure or host 0 / above 2^32. */
uint64_t *pmap_put(struct pmap *m, uint64_t host, uint32_t pid, uint64_t start, int *created);
/* Value slot for the key, or NULL. */
uint64_t *pmap_get(const struct pmap *m, uint64_t host, uint32_t pid, uint64_t start);
void pmap_free(struct pmap *m);

#endif
