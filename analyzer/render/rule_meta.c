/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <string.h>
#include "render/rule_meta.h"

const struct rule_meta *rule_meta_find(const struct rule_meta *v, size_t n, const char *id)
{
	for (size_t i = 0; id && i < n; i++)
		if (v[i].id && !strcmp(v[i].id, id))
			return &v[i];
	return NULL;
}

int rule_meta_next_attack(const char **list, char id[ATTACK_ID_LEN])
{
	const char *s = *list;

	while (s && *s) {
		size_t n;
		s += strspn(s, ", \t");
		n = strcspn(s, ", \t");
		if (n > 1 && n < ATTACK_ID_LEN && s[0] == 'T' && strspn(s + 1, "0123456789.") == n - 1 &&
		    s[1] != '.' && s[n - 1] != '.' && memchr(s, '.', n) == memrchr(s, '.', n)) {
			memcpy(id, s, n);
			id[n] = 0;
			*list = s + n;
			return 1;
		}
		s += n;
	}
	*list = s;
	return 0;
}
