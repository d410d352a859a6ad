// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --allow FILE into the packet view's LPM tries (see allowlist.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "exray_events.h"
#include "allowlist.h"

struct scope_sel {
	bool host;
};

static bool select_scope(const struct exray_policy_section *s, void *arg)
{
	const struct scope_sel *sel = arg;

	return s->scope == EXRAY_POLICY_ALL || (sel->host && s->scope == EXRAY_POLICY_HOST);
}

static void entry_name(const struct exray_policy_entry *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(e->family == EXRAY_FAMILY_V4 ? AF_INET : AF_INET6, e->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, e->prefixlen);
}

static int put_entries(const struct exray_policy_entry *e, size_t n, __u8 scope,
		       rec_allow_put_fn put, void *ctx, struct rec_allowlist_stats *st,
		       char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		struct exray_tc_ports val = { 0 };
		int r;

		if (e[i].nports > EXRAY_TC_PORT_RANGES) {
			char name[64];

			entry_name(&e[i], name, sizeof(name));
			snprintf(err, errlen,
				 "%s: %zu port ranges apply under this prefix; the in-kernel "
				 "allowlist holds at most %d per prefix",
				 name, e[i].nports, EXRAY_TC_PORT_RANGES);
			return -E2BIG;
		}
		val.n = e[i].nports;
		for (size_t j = 0; j < e[i].nports; j++) {
			val.r[j].lo = e[i].ports[j].lo;
			val.r[j].hi = e[i].ports[j].hi;
		}
		if (e[i].family == EXRAY_FAMILY_V4) {
			struct exray_tc_key4 k = { .prefixlen = 8 + e[i].prefixlen, .scope = scope };

			memcpy(k.addr, e[i].addr, 4);
			r = put(ctx, EXRAY_FAMILY_V4, &k, &val);
			st->v4++;
		} else {
			struct exray_tc_key6 k = { .prefixlen = 8 + e[i].prefixlen, .scope = scope };

			memcpy(k.addr, e[i].addr, 16);
			r = put(ctx, EXRAY_FAMILY_V6, &k, &val);
			st->v6++;
		}
		if (r) {
			char name[64];

			entry_name(&e[i], name, sizeof(name));
			snprintf(err, errlen, "%s: cannot add to the in-kernel allowlist: %s", name,
				 strerror(-r));
			return r;
		}
	}
	return 0;
}

int rec_allowlist_build(const struct exray_policy *p, rec_allow_put_fn put, void *ctx,
			struct rec_allowlist_stats *st, char *err, size_t errlen)
{
	static const __u8 scopes[] = { EXRAY_TC_SCOPE_CONTAINER, EXRAY_TC_SCOPE_HOST };

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < p->nsections; i++)
		if (p->sections[i].scope != EXRAY_POLICY_ALL && p->sections[i].scope != EXRAY_POLICY_HOST)
			st->skipped_sections++;
	for (size_t i = 0; i < sizeof(scopes); i++) {
		struct scope_sel sel = { .host = scopes[i] == EXRAY_TC_SCOPE_HOST };
		struct exray_policy_entry *e;
		size_t n;
		int r = exray_policy_flatten(p, select_scope, &sel, &e, &n);

		if (r) {
			snprintf(err, errlen, "cannot build the in-kernel allowlist: %s", strerror(-r));
			return r;
		}
		r = put_entries(e, n, scopes[i], put, ctx, st, err, errlen);
		exray_policy_entries_free(e, n);
		if (r)
			return r;
	}
	return 0;
}

struct map_fds {
	int v4, v6;
};

static int put_map(void *ctx, __u8 family, const void *key, const struct exray_tc_ports *val)
{
	const struct map_fds *m = ctx;

	if (bpf_map_update_elem(family == EXRAY_FAMILY_V4 ? m->v4 : m->v6, key, val, BPF_ANY))
		return -errno;
	return 0;
}

int rec_allowlist_load(const char *path, int map4_fd, int map6_fd,
		       struct rec_allowlist_stats *st, char *err, size_t errlen)
{
	struct map_fds m = { map4_fd, map6_fd };
	struct exray_policy *p;
	int r = exray_policy_load(&p, path, err, errlen);

	if (r)
		return r;
	r = rec_allowlist_build(p, put_map, &m, st, err, errlen);
	exray_policy_free(p);
	return r;
}
