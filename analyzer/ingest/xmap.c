/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <stdlib.h>
#include <string.h>
#include "ingest/xmap.h"

static uint64_t mix(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull;

	h ^= b + 0x7f4a7c159e3779b9ull + (h << 6) + (h >> 2);
	h ^= c + 0x94d049bb133111ebull + (h << 6) + (h >> 2);
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 29);
}

static struct xmap_slot *find(const struct xmap *m, uint64_t a, uint64_t b, uint64_t c)
{
	size_t i = mix(a, b, c) & (m->cap - 1);

	for (;; i = (i + 1) & (m->cap - 1)) {
		struct xmap_slot *s = &m->slots[i];
		if (!s->used || (s->key.a == a && s->key.b == b && s->key.c == c))
			return s;
	}
}

static int grow(struct xmap *m)
{
	struct xmap old = *m;

	m->cap = old.cap ? old.cap * 2 : 1024;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -1;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].used)
			*find(m, old.slots[i].key.a, old.slots[i].key.b, old.slots[i].key.c) =
				old.slots[i];
	free(old.slots);
	return 0;
}

uint64_t *xmap_put(struct xmap *m, uint64_t a, uint64_t b, uint64_t c, int *created)
{
	struct xmap_slot *s;

	*created = 0;
	if ((m->n + 1) * 4 > m->cap * 3 && grow(m))
		return NULL;
	s = find(m, a, b, c);
	if (!s->used) {
		s->used = 1;
		s->key = (struct xmap_key){ a, b, c };
		s->val = 0;
		m->n++;
		*created = 1;
	}
	return &s->val;
}

uint64_t *xmap_get(const struct xmap *m, uint64_t a, uint64_t b, uint64_t c)
{
	struct xmap_slot *s;

	if (!m->cap)
		return NULL;
	s = find(m, a, b, c);
	return s->used ? &s->val : NULL;
}

void xmap_free(struct xmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

void xmap_clear(struct xmap *m)
{
	if (m->slots)
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->n = 0;
}
