/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Longest-prefix-match table for IPv4 or IPv6 keys, with the semantics of
 * the kernel's BPF_MAP_TYPE_LPM_TRIE: keys are (prefixlen, address bytes in
 * network order, most significant bit first); an update with the same
 * (prefixlen, masked address) replaces the value; a lookup with a full
 * address returns the value of the longest stored prefix that matches it.
 * Bits past prefixlen are ignored on insert, as the kernel ignores them.
 *
 * A plain binary trie (one node per bit; at most 32 or 128 steps a lookup):
 * policies hold hundreds of prefixes, not millions, and this is simple
 * enough to trust. The kernel's trie is path-compressed; the answers match.
 */
#ifndef EXRAY_LPM_H
#define EXRAY_LPM_H

#include <stddef.h>
#include <linux/types.h>

struct exray_lpm;

/* bits: 32 (IPv4) or 128 (IPv6). Returns 0 and *out, -EINVAL, -ENOMEM. */
int exray_lpm_new(struct exray_lpm **out, unsigned bits);
/* Frees the table, not the values. Accepts NULL. */
void exray_lpm_free(struct exray_lpm *t);

/* Insert or replace; value must not be NULL. Returns 0, -EINVAL
 * (prefixlen > bits, NULL value) or -ENOMEM. */
int exray_lpm_insert(struct exray_lpm *t, const __u8 *addr, unsigned prefixlen, void *value);

/* Value of the longest prefix containing addr (bits/8 bytes), or NULL; the
 * matched prefix length goes to *prefixlen when not NULL. */
void *exray_lpm_lookup(const struct exray_lpm *t, const __u8 *addr, unsigned *prefixlen);

/* Number of stored prefixes. */
size_t exray_lpm_count(const struct exray_lpm *t);

#endif /* EXRAY_LPM_H */
