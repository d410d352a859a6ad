// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer: the policy parser (schema/policy.c) on arbitrary text, then
 * everything a parsed policy is used for: flattening into LPM entries,
 * section matching and port lookups. It must never crash, read out of
 * bounds or leak; an error must come back as one line free of control bytes.
 *
 * Includes: the file is named inside a directory that does not exist, so a
 * relative include fails at once; inputs that include an absolute path are
 * skipped (they would read this machine's files, e.g. a FIFO that blocks). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"

static int includes_absolute(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i + 7 <= n; i++) {
		if (memcmp(d + i, "include", 7))
			continue;
		size_t j = i + 7;
		while (j < n && (d[j] == ' ' || d[j] == '\t' || d[j] == '"' || d[j] == '\''))
			j++;
		if (j < n && d[j] == '/')
			return 1;
	}
	return 0;
}

static const struct exray_policy_subject subjects[] = {
	{ .host = true },
	{ .container_id = "3f2a9c0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
	  .cgroup_path = "/system.slice/docker-3f2a9c.scope" },
	{ .container_id = "abc", .pod_uid = "0b9c1e4a-1234-4f00-8a00-0123456789ab",
	  .cgroup_path = "/kubepods.slice/x" },
	{ 0 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exray_policy *p = NULL;
	struct exray_policy_entry *e = NULL;
	char err[256];
	size_t n = 0;
	volatile size_t sink = 0;

	if (includes_absolute(data, size))
		return 0;
	memset(err, 0x55, sizeof(err));
	int r = exray_policy_parse(&p, "/nonexistent-exray-fuzz/fuzz.policy", (const char *)data,
				   size, err, sizeof(err));
	if (r) {
		size_t len = strnlen(err, sizeof(err));
		if (r > 0 || len == sizeof(err))
			abort(); /* errors are negative and the message terminated */
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
				abort(); /* a control byte in a message */
		return 0;
	}
	for (size_t i = 0; i < p->nsections; i++) {
		const struct exray_policy_section *s = &p->sections[i];

		for (size_t k = 0; k < sizeof(subjects) / sizeof(subjects[0]); k++)
			sink += exray_policy_section_applies(s, &subjects[k]);
		for (size_t k = 0; k < s->nrules; k++) {
			const struct exray_policy_rule *ru = &s->rules[k];
			if (!ru->nports || (ru->family != 4 && ru->family != 6) ||
			    ru->prefixlen > (ru->family == 4 ? 32 : 128))
				abort();
			sink += exray_port_in(ru->ports, ru->nports, 443);
		}
		sink += strlen(exray_policy_scope_name(s->scope));
	}
	if (exray_policy_flatten(p, NULL, NULL, &e, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (!e[i].nports)
				abort();
			for (size_t k = 1; k < e[i].nports; k++)
				if (e[i].ports[k].lo <= e[i].ports[k - 1].hi)
					abort(); /* sorted and merged */
			sink += exray_port_in(e[i].ports, e[i].nports, 22);
		}
		exray_policy_entries_free(e, n);
	}
	exray_policy_free(p);
	(void)sink;
	return 0;
}
