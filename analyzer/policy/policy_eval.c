/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy/lpm.h"
#include "policy/policy_eval.h"

struct compiled {
	struct exray_lpm *v4, *v6;
	struct exray_policy_entry *entries;
	size_t nentries;
};

struct exray_policy_eval {
	struct exray_policy *p;
	struct compiled *c; /* one per p->sections[i] */
};

static bool only_this(const struct exray_policy_section *s, void *arg)
{
	return s == arg;
}

void exray_policy_eval_free(struct exray_policy_eval *pe)
{
	if (!pe)
		return;
	if (pe->c) {
		for (size_t i = 0; i < pe->p->nsections; i++) {
			exray_lpm_free(pe->c[i].v4);
			exray_lpm_free(pe->c[i].v6);
			exray_policy_entries_free(pe->c[i].entries, pe->c[i].nentries);
		}
		free(pe->c);
	}
	exray_policy_free(pe->p);
	free(pe);
}

int exray_policy_eval_new(struct exray_policy_eval **out, struct exray_policy *p)
{
	struct exray_policy_eval *pe;
	int r;

	*out = NULL;
	if (!(pe = calloc(1, sizeof(*pe)))) {
		exray_policy_free(p);
		return -ENOMEM;
	}
	pe->p = p;
	if (!(pe->c = calloc(p->nsections ? p->nsections : 1, sizeof(*pe->c)))) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < p->nsections; i++) {
		struct compiled *c = &pe->c[i];
		if ((r = exray_policy_flatten(p, only_this, &p->sections[i], &c->entries, &c->nentries)) ||
		    (r = exray_lpm_new(&c->v4, 32)) || (r = exray_lpm_new(&c->v6, 128)))
			goto fail;
		for (size_t j = 0; j < c->nentries; j++) {
			struct exray_policy_entry *e = &c->entries[j];
			r = exray_lpm_insert(e->family == 4 ? c->v4 : c->v6, e->addr, e->prefixlen, e);
			if (r)
				goto fail;
		}
	}
	*out = pe;
	return 0;
fail:
	exray_policy_eval_free(pe);
	return r;
}

int exray_policy_eval_load(struct exray_policy_eval **out, const char *path, char *err, size_t errlen)
{
	struct exray_policy *p;
	int r;

	*out = NULL;
	if ((r = exray_policy_load(&p, path, err, errlen)))
		return r;
	if ((r = exray_policy_eval_new(out, p)))
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
	return r;
}

const struct exray_policy *exray_policy_eval_policy(const struct exray_policy_eval *pe)
{
	return pe->p;
}

bool exray_policy_eval_allows(const struct exray_policy_eval *pe,
			      const struct exray_policy_subject *subj, unsigned family,
			      const __u8 *addr, unsigned port,
			      const struct exray_policy_section **section)
{
	static const __u8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (section)
		*section = NULL;
	if (family == 6 && !memcmp(addr, mapped, 12)) {
		family = 4;
		addr += 12;
	}
	for (size_t i = 0; i < pe->p->nsections; i++) {
		const struct compiled *c = &pe->c[i];
		const struct exray_policy_entry *e;
		if (!c->nentries || !exray_policy_section_applies(&pe->p->sections[i], subj))
			continue;
		e = exray_lpm_lookup(family == 4 ? c->v4 : c->v6, addr, NULL);
		if (e && exray_port_in(e->ports, e->nports, port)) {
			if (section)
				*section = &pe->p->sections[i];
			return true;
		}
	}
	return false;
}
