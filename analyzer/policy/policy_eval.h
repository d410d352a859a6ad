/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A parsed policy compiled for evaluation: per section, one LPM table per
 * family whose entries carry the flattened port sets (exray_policy_flatten),
 * so a verdict is "some applicable section has an LPM hit whose ports hold
 * the destination port". Sections are unioned (POLICY.md, "Precedence").
 */
#ifndef EXRAY_POLICY_EVAL_H
#define EXRAY_POLICY_EVAL_H

#include <stdbool.h>
#include "policy.h"

struct exray_policy_eval;

/* Compile p, which the evaluator then owns (freed with it, even on error).
 * Returns 0 and *out, or -ENOMEM. */
int exray_policy_eval_new(struct exray_policy_eval **out, struct exray_policy *p);
void exray_policy_eval_free(struct exray_policy_eval *pe);

/* exray_policy_load() then exray_policy_eval_new(): the same returns, with
 * one line in err ("FILE:LINE:COL: what", "FILE: cannot read: why"). */
int exray_policy_eval_load(struct exray_policy_eval **out, const char *path, char *err, size_t errlen);
const struct exray_policy *exray_policy_eval_policy(const struct exray_policy_eval *pe);

/*
 * Verdict for a TCP connection from subj to addr:port. family 4 (addr in the
 * first 4 bytes) or 6; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is
 * judged as IPv4. Returns true when allowed. If section is not NULL it gets
 * the first section that allowed it (NULL on deny).
 */
bool exray_policy_eval_allows(const struct exray_policy_eval *pe,
			      const struct exray_policy_subject *subj, unsigned family,
			      const __u8 *addr, unsigned port,
			      const struct exray_policy_section **section);

#endif /* EXRAY_POLICY_EVAL_H */
