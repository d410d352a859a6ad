/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * analyzer/policy/lpm.c against brute force: random prefix sets (seeded, so a
 * failure reproduces), IPv4 and IPv6, lookups of random addresses and of
 * addresses near the stored prefixes; the answer must be the value of the
 * longest stored prefix containing the address, as the kernel's LPM trie
 * gives it. Re-inserting a key replaces its value.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "policy/lpm.h"

struct key {
	unsigned len;
	__u8 addr[16];
	int value; /* latest value stored for this key */
};

static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 8) & 0xffffff;
}

static bool prefix_match(const __u8 *p, unsigned len, const __u8 *a)
{
	unsigned full = len / 8, rest = len % 8;
	if (memcmp(p, a, full))
		return false;
	return !rest || ((p[full] ^ a[full]) & (0xff00u >> rest) & 0xff) == 0;
}

/* Longest matching key, by scanning all of them. */
static const struct key *brute(const struct key *k, size_t n, const __u8 *a)
{
	const struct key *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (prefix_match(k[i].addr, k[i].len, a) && (!best || k[i].len > best->len))
			best = &k[i];
	return best;
}

static void random_addr(unsigned *seed, __u8 *a, unsigned bytes, const struct key *near, size_t nnear)
{
	for (unsigned i = 0; i < bytes; i++)
		a[i] = (__u8)rnd(seed);
	/* Two lookups in three start from a stored prefix and flip one bit at
	 * or after its end, so deep matches and near misses are exercised. */
	if (nnear && rnd(seed) % 3) {
		const struct key *k = &near[rnd(seed) % nnear];
		unsigned bits = bytes * 8, flip;
		memcpy(a, k->addr, bytes);
		for (unsigned i = k->len; i < bits; i++)
			if (rnd(seed) & 1)
				a[i / 8] ^= (__u8)(0x80 >> (i % 8));
		flip = k->len ? rnd(seed) % (k->len + 1) : 0;
		if (flip < k->len && rnd(seed) % 4 == 0)
			a[flip / 8] ^= (__u8)(0x80 >> (flip % 8));
	}
}

static void run(unsigned bits, unsigned seed, size_t nprefix, size_t nlookup)
{
	unsigned bytes = bits / 8;
	struct key *k = calloc(nprefix, sizeof(*k));
	int *values = calloc(nprefix * 2, sizeof(int));
	struct exray_lpm *t;
	size_t n = 0;
	unsigned seed0 = seed;

	assert_int_equal(exray_lpm_new(&t, bits), 0);
	for (size_t i = 0; i < nprefix * 2; i++)
		values[i] = (int)i;
	for (size_t i = 0; i < nprefix; i++) {
		struct key nk = { 0 };
		size_t j;
		/* Lengths cluster on a few values, so prefixes nest and repeat. */
		nk.len = rnd(&seed) % 4 == 0 ? rnd(&seed) % (bits + 1) : (rnd(&seed) % 5) * (bits / 8) + rnd(&seed) % 3;
		if (nk.len > bits)
			nk.len = bits;
		random_addr(&seed, nk.addr, bytes, k, n);
		for (unsigned b = nk.len; b < bits; b++)
			nk.addr[b / 8] &= (__u8)~(0x80 >> (b % 8));
		nk.value = (int)i;
		for (j = 0; j < n; j++)
			if (k[j].len == nk.len && !memcmp(k[j].addr, nk.addr, bytes))
				break;
		if (j == n)
			k[n++] = nk;
		else
			k[j].value = nk.value; /* replace, as a BPF map update does */
		assert_int_equal(exray_lpm_insert(t, nk.addr, nk.len, &values[nk.value]), 0);
	}
	assert_int_equal(exray_lpm_count(t), n);
	for (size_t i = 0; i < nlookup; i++) {
		__u8 a[16] = { 0 };
		const struct key *want;
		unsigned got_len = 999;
		int *got;
		random_addr(&seed, a, bytes, k, n);
		want = brute(k, n, a);
		got = exray_lpm_lookup(t, a, &got_len);
		if (!want) {
			assert_null(got);
			assert_int_equal(got_len, 0);
		} else {
			if (!got || *got != want->value)
				fail_msg("bits %u seed %u lookup %zu: got %d want %d (len %u)", bits, seed0, i,
					 got ? *got : -1, want->value, want->len);
			assert_int_equal(got_len, want->len);
		}
	}
	exray_lpm_free(t);
	free(k);
	free(values);
}

static void test_v4_random(void **state)
{
	for (unsigned seed = 1; seed <= 20; seed++)
		run(32, seed, 1 + seed * 25, 5000);
}

static void test_v6_random(void **state)
{
	for (unsigned seed = 1; seed <= 20; seed++)
		run(128, seed * 7919, 1 + seed * 25, 5000);
}

static void test_edges(void **state)
{
	struct exray_lpm *t;
	int a = 1, b = 2, c = 3;
	__u8 zero[16] = { 0 }, ones[16], x[16] = { 10, 1, 2, 3 };
	unsigned len;

	memset(ones, 0xff, sizeof(ones));
	assert_int_equal(exray_lpm_new(&t, 33), -EINVAL);
	assert_int_equal(exray_lpm_new(&t, 32), 0);
	assert_null(exray_lpm_lookup(t, x, &len));
	assert_int_equal(exray_lpm_insert(t, x, 33, &a), -EINVAL);
	assert_int_equal(exray_lpm_insert(t, x, 8, NULL), -EINVAL);
	/* /0 matches everything */
	assert_int_equal(exray_lpm_insert(t, zero, 0, &a), 0);
	assert_ptr_equal(exray_lpm_lookup(t, ones, &len), &a);
	assert_int_equal(len, 0);
	/* bits past the prefix are ignored on insert */
	assert_int_equal(exray_lpm_insert(t, x, 8, &b), 0);
	assert_ptr_equal(exray_lpm_lookup(t, (const __u8[]){ 10, 200, 0, 0 }, &len), &b);
	assert_int_equal(len, 8);
	/* /32 host entry; replacement keeps the count */
	assert_int_equal(exray_lpm_insert(t, x, 32, &c), 0);
	assert_int_equal(exray_lpm_insert(t, x, 32, &a), 0);
	assert_ptr_equal(exray_lpm_lookup(t, x, &len), &a);
	assert_int_equal(len, 32);
	assert_int_equal(exray_lpm_count(t), 3);
	exray_lpm_free(t);
	exray_lpm_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_v4_random),
		cmocka_unit_test(test_v6_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
