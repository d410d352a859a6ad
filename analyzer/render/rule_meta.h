/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the renderers of alerts (OCSF findings, Falco lines) say of a rule
 * beyond the alerts table: its description and the ATT&CK techniques its
 * header names (`-- attack: T1059.004, T1609`). The command fills it from
 * the rule files it loaded (detect/), so that render/ needs nothing from
 * detect/.
 */
#ifndef EXRAY_RULE_META_H
#define EXRAY_RULE_META_H

#include <stddef.h>

struct rule_meta {
	const char *id;
	const char *description;  /* one line, or NULL */
	const char *attack;       /* ATT&CK ids separated by commas or blanks, or NULL */
};

/* The entry of rule id among n, or NULL. */
const struct rule_meta *rule_meta_find(const struct rule_meta *v, size_t n, const char *id);

#define ATTACK_ID_LEN 16

/*
 * The next ATT&CK technique id of *list ("T1059" or "T1059.004") into id,
 * advancing *list; ids of another shape are skipped. Returns 1, or 0 at the
 * end of the list.
 */
int rule_meta_next_attack(const char **list, char id[ATTACK_ID_LEN]);

#endif /* EXRAY_RULE_META_H */
