/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <stdlib.h>
#include "ingest/pmap.h"

static size_t slot_of(const struct pmap *m, uint64_t host, uint32_t pid, uint64_t start)
{
	uint64_t h = (start ^ ((uint64_t)pid << 32 | host)) * 0x9e3779b97f4a7c15ull;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (h ^ (h >> 32)) & (m->cap - 1);
}

static struct pmap_slot *find(const struct pmap *m, uint32_t host, uint32_t pid, uint64_t start)
{
	for (size_t i = slot_of(m, host, pid, start);; i = (i + 1) & (m->cap - 1)) {
		struct pmap_slot *s = &m->slots[i];
		if (!s->host || (s->host == host && s->pid == pid && s->start == start))
			return s;
	}
}

static int grow(struct pmap *m)
{
	struct pmap old = *m;

	m->cap = old.cap ? old.cap * 2 : 4096;
	if (!(m->slots = calloc(m->cap, sizeof(*m->slots)))) {
		*m = old;
		return -1;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].host)
			*find(m, old.slots[i].host, old.slots[i].pid, old.slots[i].start) = old.slots[i];
	free(old.slots);
	return 0;
}

uint64_t *pmap_put(struct pmap *m, uint64_t host, uint32_t pid, uint64_t start, int *created)
{
	struct pmap_slot *s;

	*created = 0;
	if (!host || host > UINT32_MAX)
		return NULL;
	if ((m->n + 1) * 4 > m->cap * 3 && grow(m))
		return NULL;
	s = find(m, (uint32_t)host, pid, start);
	if (!s->host) {
		*s = (struct pmap_slot){ start, (uint32_t)host, pid, 0 };
		m->n++;
		*created = 1;
	}
	return &s->val;
}

uint64_t *pmap_get(const struct pmap *m, uint64_t host, uint32_t pid, uint64_t start)
{
	struct pmap_slot *s;

	if (!m->cap || !host || host > UINT32_MAX)
		return NULL;
	s = find(m, (uint32_t)host, pid, start);
	return s->host ? &s->val : NULL;
}

void pmap_free(struct pmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
