// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer: the baseline parser (analyzer/detect/baseline_file.c) on
 * arbitrary text. It must never crash, read out of bounds or leak; an error
 * comes back as one line free of control bytes; what parses writes back to
 * text that parses to the same writing (the canonical form is a fixed
 * point). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "detect/baseline.h"

static char *written(const struct baseline *bl)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		abort();
	if (baseline_write(f, bl, NULL))
		abort();
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baseline bl = { 0 }, again = { 0 };
	char err[512];
	int r;

	err[0] = 0;
	r = baseline_parse(&bl, "fuzz", (const char *)data, size, err, sizeof(err));
	if (r) {
		for (const char *c = err; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
	} else {
		char *a = written(&bl), *b;
		if (baseline_parse(&again, "again", a, strlen(a), err, sizeof(err)))
			abort(); /* what we write, we must read */
		b = written(&again);
		if (strcmp(a, b))
			abort();
		free(a);
		free(b);
	}
	baseline_free(&bl);
	baseline_free(&again);
	return 0;
}
