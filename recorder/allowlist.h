/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --allow FILE: a policy file's [all] and [host] sections as the packet
 * view's in-kernel LPM tries (bpf/exray_tc.h has the key and value). What the
 * kernel side can express:
 *  - destination prefixes (IPv4, IPv6), longest-prefix match, and per prefix
 *    up to EXRAY_TC_PORT_RANGES destination port ranges (more is an error);
 *  - two subjects: the host ([all] + [host]) for packets of a local socket
 *    seen at egress, and "some container" ([all] only) for everything else.
 * What it cannot: [container]/[pod]/[cgroup] sections (the kernel does not
 * know which container a cgroup id belongs to); they are counted and left to
 * `exray check`, which applies the whole policy to the recording.
 */
#ifndef EXRAY_REC_ALLOWLIST_H
#define EXRAY_REC_ALLOWLIST_H

#include <stddef.h>
#include <linux/types.h>
#include "policy.h"
#include "../bpf/exray_tc.h"

struct rec_allowlist_stats {
	size_t v4, v6;            /* trie entries written */
	size_t skipped_sections;  /* [container]/[pod]/[cgroup]: not in the kernel */
};

/* Receives one trie entry: key is a struct exray_tc_key4 or _key6 by family. */
typedef int (*rec_allow_put_fn)(void *ctx, __u8 family, const void *key,
				const struct exray_tc_ports *val);

/*
 * Turn policy p into trie entries, calling put for each. Returns 0, -E2BIG
 * with a message in err when a prefix needs more than EXRAY_TC_PORT_RANGES
 * port ranges, -ENOMEM, or put's error.
 */
int rec_allowlist_build(const struct exray_policy *p, rec_allow_put_fn put, void *ctx,
			struct rec_allowlist_stats *st, char *err, size_t errlen);

/* Read the policy file at path and fill the two maps (fds of the allow4 and
 * allow6 LPM tries). Errors as exray_policy_load, or from the maps. */
int rec_allowlist_load(const char *path, int map4_fd, int map6_fd,
		       struct rec_allowlist_stats *st, char *err, size_t errlen);

#endif /* EXRAY_REC_ALLOWLIST_H */
