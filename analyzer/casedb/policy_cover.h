/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Which sections of a policy apply to something in the case. A section
 * that applies to no process ([container 3f2a9c] with a mistyped id, a pod
 * that was never recorded) allows nothing and is almost always a mistake:
 * the commands that load a policy say so.
 */
#ifndef EXRAY_POLICY_COVER_H
#define EXRAY_POLICY_COVER_H

#include <stdbool.h>
#include <sqlite3.h>
#include "policy.h"

/*
 * used[i] (p->nsections entries): whether section i applies to at least
 * one process of the case (its container, pod and cgroup as the rules
 * judge them). Returns 0, or -errno (-EIO: db_error() says why).
 */
int policy_sections_used(sqlite3 *db, const struct exray_policy *p, bool *used);

#endif
