/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The segment files a bench tool reads: each argument is a file, or a
 * directory whose *.exray.zst files are taken in name order (as the
 * analyzer does). Header-only: each bench/NAME.c is its own program.
 */
#ifndef EXRAY_BENCH_SEGLIST_H
#define EXRAY_BENCH_SEGLIST_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int seglist_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int seglist_push(char ***v, size_t *n, size_t *cap, char *s)
{
	if (!s)
		return -ENOMEM;
	if (*n == *cap) {
		char **nv = realloc(*v, (*cap = *cap ? *cap * 2 : 16) * sizeof(*nv));

		if (!nv) {
			free(s);
			return -ENOMEM;
		}
		*v = nv;
	}
	(*v)[(*n)++] = s;
	return 0;
}

/* Expand args into *out (malloc'd strings, free each and the array).
 * Returns the count or -errno (with the failing path in *bad). */
static long seglist_expand(char **args, int nargs, char ***out, const char **bad)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	for (int i = 0; i < nargs && !err; i++) {
		DIR *d = opendir(args[i]);
		size_t first = n;
		struct dirent *de;

		if (!d) {
			if (errno != ENOTDIR) {
				err = -errno;
				*bad = args[i];
				break;
			}
			err = seglist_push(&v, &n, &cap, strdup(args[i]));
			continue;
		}
		while (!err && (de = readdir(d))) {
			size_t l = strlen(de->d_name);
			char *s;

			if (l < 10 || strcmp(de->d_name + l - 10, ".exray.zst"))
				continue;
			err = asprintf(&s, "%s/%s", args[i], de->d_name) < 0
				      ? -ENOMEM
				      : seglist_push(&v, &n, &cap, s);
		}
		closedir(d);
		qsort(v + first, n - first, sizeof(*v), seglist_cmp);
	}
	if (err) {
		while (n)
			free(v[--n]);
		free(v);
		return err;
	}
	*out = v;
	return (long)n;
}

static void seglist_free(char **v, long n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

#endif
