/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * SQL functions exray adds to every case-database connection (rules, `exray
 * sql`, views). Addresses are accepted as text (as stored: inet_ntop form)
 * or as a 4- or 16-byte blob; an IPv4-mapped IPv6 address counts as IPv4.
 *
 *   cidr_contains(cidr, addr)  1 if addr is inside cidr ("10.0.0.0/8",
 *                              "2001:db8::/32", "192.0.2.1"), 0 if not,
 *                              NULL if either is NULL or addr unparseable;
 *                              an invalid cidr is an SQL error. Bits past
 *                              the prefix are ignored.
 *   inet_fmt(addr [, port])    canonical text, "192.0.2.1:80" or
 *                              "[2001:db8::1]:443" with a port; NULL in,
 *                              NULL out; unparseable text comes back as is.
 *   policy_allows(container, pod_uid, cgroup_path, daddr, dport)
 *                              1/0: the loaded policy's verdict for a
 *                              connection by a process in container
 *                              (containers.cid; NULL = the host), pod and
 *                              cgroup (NULL when unknown); NULL when no
 *                              policy is loaded or daddr is unparseable.
 *   policy_loaded()            1 if a policy is loaded, else 0.
 *   basename(path)             text after the last '/' (path if none).
 *   wall_time(ts, boot_to_wall_ns [, digits])
 *                              RFC 3339 UTC of a recorded time, with 9
 *                              (or digits) fraction digits, truncated;
 *                              NULL when it has no date (text/timefmt.h).
 */
#ifndef EXRAY_SQLFUNCS_H
#define EXRAY_SQLFUNCS_H

#include <sqlite3.h>

struct exray_policy_eval;

/* Register the functions on db. Returns 0 or -EIO. A db_hook_fn. */
int exray_sqlfuncs_register(sqlite3 *db);

/* The policy policy_allows() uses on every connection (borrowed: keep it
 * alive while a database is open; NULL to unload). */
void exray_sqlfuncs_set_policy(const struct exray_policy_eval *pe);

#endif /* EXRAY_SQLFUNCS_H */
