/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdlib.h>
#include "policy/lpm.h"

struct node {
	struct node *child[2];
	void *value; /* non-NULL: a prefix ends here */
};

struct exray_lpm {
	struct node root;
	unsigned bits;
	size_t count;
};

static unsigned bit_at(const __u8 *addr, unsigned i)
{
	return (addr[i / 8] >> (7 - i % 8)) & 1;
}

int exray_lpm_new(struct exray_lpm **out, unsigned bits)
{
	*out = NULL;
	if (bits != 32 && bits != 128)
		return -EINVAL;
	if (!(*out = calloc(1, sizeof(**out))))
		return -ENOMEM;
	(*out)->bits = bits;
	return 0;
}

static void free_children(struct node *n)
{
	/* Depth is bounded by 128, so recursion is fine. */
	for (int i = 0; i < 2; i++) {
		if (n->child[i]) {
			free_children(n->child[i]);
			free(n->child[i]);
		}
	}
}

void exray_lpm_free(struct exray_lpm *t)
{
	if (!t)
		return;
	free_children(&t->root);
	free(t);
}

int exray_lpm_insert(struct exray_lpm *t, const __u8 *addr, unsigned prefixlen, void *value)
{
	struct node *n = &t->root;

	if (prefixlen > t->bits || !value)
		return -EINVAL;
	for (unsigned i = 0; i < prefixlen; i++) {
		unsigned b = bit_at(addr, i);
		if (!n->child[b] && !(n->child[b] = calloc(1, sizeof(*n))))
			return -ENOMEM;
		n = n->child[b];
	}
	if (!n->value)
		t->count++;
	n->value = value;
	return 0;
}

void *exray_lpm_lookup(const struct exray_lpm *t, const __u8 *addr, unsigned *prefixlen)
{
	const struct node *n = &t->root;
	void *best = n->value;
	unsigned best_len = 0;

	for (unsigned i = 0; i < t->bits; i++) {
		n = n->child[bit_at(addr, i)];
		if (!n)
			break;
		if (n->value) {
			best = n->value;
			best_len = i + 1;
		}
	}
	if (prefixlen)
		*prefixlen = best ? best_len : 0;
	return best;
}

size_t exray_lpm_count(const struct exray_lpm *t)
{
	return t->count;
}
