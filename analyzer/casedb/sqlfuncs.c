/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy/policy_eval.h"
#include "casedb/sqlfuncs.h"
#include "text/timefmt.h"

/* One policy per process: exray runs one command per process. */
static const struct exray_policy_eval *policy;

void exray_sqlfuncs_set_policy(const struct exray_policy_eval *pe)
{
	policy = pe;
}

struct net {
	__u8 family;
	__u8 addr[16];
	unsigned len;
};

/* An address argument: text "ADDR" or a 4/16-byte blob. false if
 * unparseable or NULL. */
static bool arg_addr(sqlite3_value *v, struct net *n)
{
	int bytes;

	switch (sqlite3_value_type(v)) {
	case SQLITE_TEXT: {
		const char *s = (const char *)sqlite3_value_text(v);
		if (!s || strchr(s, '/'))
			return false;
		return exray_parse_cidr(s, &n->family, n->addr, &n->len) == 0;
	}
	case SQLITE_BLOB:
		bytes = sqlite3_value_bytes(v);
		if (bytes != 4 && bytes != 16)
			return false;
		memset(n->addr, 0, sizeof(n->addr));
		memcpy(n->addr, sqlite3_value_blob(v), (size_t)bytes);
		n->family = bytes == 4 ? 4 : 6;
		n->len = (unsigned)bytes * 8;
		if (n->family == 6) {
			static const __u8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
			if (!memcmp(n->addr, mapped, 12)) {
				memmove(n->addr, n->addr + 12, 4);
				memset(n->addr + 4, 0, 12);
				n->family = 4;
				n->len = 32;
			}
		}
		return true;
	default:
		return false;
	}
}

static bool net_contains(const struct net *c, const struct net *a)
{
	unsigned full = c->len / 8, rest = c->len % 8;

	if (c->family != a->family)
		return false;
	if (memcmp(c->addr, a->addr, full))
		return false;
	return !rest || !((c->addr[full] ^ a->addr[full]) & (0xff00u >> rest) & 0xff);
}

static void fn_cidr_contains(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct net tmp, a, *cp;
	const struct net *c;

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
		return;
	/* The CIDR is usually a constant: parse it once per statement. */
	if (!(c = sqlite3_get_auxdata(ctx, 0))) {
		const char *s = (const char *)sqlite3_value_text(argv[0]);
		int r = s ? exray_parse_cidr(s, &tmp.family, tmp.addr, &tmp.len) : -EINVAL;
		if (r && r != -EEXIST) {
			char *msg = sqlite3_mprintf("cidr_contains: invalid CIDR '%s'", s ? s : "");
			sqlite3_result_error(ctx, msg ? msg : "cidr_contains: invalid CIDR", -1);
			sqlite3_free(msg);
			return;
		}
		if ((cp = malloc(sizeof(*cp)))) {
			*cp = tmp;
			sqlite3_set_auxdata(ctx, 0, cp, free); /* may free cp at once */
		}
		c = &tmp;
	}
	if (!arg_addr(argv[1], &a))
		return;
	sqlite3_result_int(ctx, net_contains(c, &a));
}

static void fn_inet_fmt(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct net a;
	char buf[INET6_ADDRSTRLEN], out[INET6_ADDRSTRLEN + 16];

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	if (!arg_addr(argv[0], &a)) {
		if (sqlite3_value_type(argv[0]) == SQLITE_TEXT)
			sqlite3_result_value(ctx, argv[0]);
		return;
	}
	inet_ntop(a.family == 4 ? AF_INET : AF_INET6, a.addr, buf, sizeof(buf));
	if (argc < 2 || sqlite3_value_type(argv[1]) == SQLITE_NULL)
		snprintf(out, sizeof(out), "%s", buf);
	else if (a.family == 4)
		snprintf(out, sizeof(out), "%s:%lld", buf, sqlite3_value_int64(argv[1]));
	else
		snprintf(out, sizeof(out), "[%s]:%lld", buf, sqlite3_value_int64(argv[1]));
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

static const char *arg_text(sqlite3_value *v)
{
	return sqlite3_value_type(v) == SQLITE_NULL ? NULL : (const char *)sqlite3_value_text(v);
}

static void fn_policy_allows(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct exray_policy_subject subj;
	struct net a;
	sqlite3_int64 port;

	if (!policy || !arg_addr(argv[3], &a) || sqlite3_value_type(argv[4]) == SQLITE_NULL)
		return;
	port = sqlite3_value_int64(argv[4]);
	subj.container_id = arg_text(argv[0]);
	subj.host = !subj.container_id;
	subj.pod_uid = arg_text(argv[1]);
	subj.cgroup_path = arg_text(argv[2]);
	if (port < 0 || port > 65535)
		return;
	sqlite3_result_int(ctx, exray_policy_eval_allows(policy, &subj, a.family, a.addr, (unsigned)port, NULL));
}

static void fn_policy_loaded(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_result_int(ctx, policy != NULL);
}

static void fn_basename(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *s = arg_text(argv[0]), *slash;

	if (!s)
		return;
	slash = strrchr(s, '/');
	sqlite3_result_text(ctx, slash ? slash + 1 : s, -1, SQLITE_TRANSIENT);
}

/* wall_time(ts, boot_to_wall_ns [, digits]): text/timefmt.c's conversion. */
static void fn_wall_time(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char buf[TIMEFMT_LEN];
	int64_t wall;
	int digits = argc > 2 ? sqlite3_value_int(argv[2]) : 9;

	if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER || sqlite3_value_type(argv[1]) != SQLITE_INTEGER)
		return; /* NULL */
	if (timefmt_wall((uint64_t)sqlite3_value_int64(argv[0]), sqlite3_value_int64(argv[1]), &wall))
		return;
	sqlite3_result_text(ctx, timefmt_rfc3339_digits(buf, wall, digits < 0 ? 0 : digits), -1,
			    SQLITE_TRANSIENT);
}

int exray_sqlfuncs_register(sqlite3 *db)
{
	static const struct {
		const char *name;
		int nargs;
		int flags; /* SQLITE_DETERMINISTIC where the answer depends only on args */
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} funcs[] = {
		{ "cidr_contains", 2, SQLITE_DETERMINISTIC, fn_cidr_contains },
		{ "inet_fmt", 1, SQLITE_DETERMINISTIC, fn_inet_fmt },
		{ "inet_fmt", 2, SQLITE_DETERMINISTIC, fn_inet_fmt },
		{ "policy_allows", 5, 0, fn_policy_allows },
		{ "policy_loaded", 0, 0, fn_policy_loaded },
		{ "basename", 1, SQLITE_DETERMINISTIC, fn_basename },
		{ "wall_time", 2, SQLITE_DETERMINISTIC, fn_wall_time },
		{ "wall_time", 3, SQLITE_DETERMINISTIC, fn_wall_time },
	};

	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		if (sqlite3_create_function(db, funcs[i].name, funcs[i].nargs,
					    SQLITE_UTF8 | SQLITE_INNOCUOUS | funcs[i].flags, NULL,
					    funcs[i].fn, NULL, NULL) != SQLITE_OK)
			return -EIO;
	}
	return 0;
}
