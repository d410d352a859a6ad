/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <string.h>
#include "text/escape.h"
#include "text/jsonw.h"

void jw_init(struct jsonw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

/* The comma and key that precede any value at the current level. */
static void member(struct jsonw *w, const char *key)
{
	if (w->comma[w->depth])
		putc(',', w->f);
	w->comma[w->depth] = true;
	if (key) {
		putc('"', w->f);
		fputs(key, w->f);
		fputs("\":", w->f);
	}
}

static void open_level(struct jsonw *w, const char *key, char o, char c)
{
	member(w, key);
	putc(o, w->f);
	/* deeper than any document exray writes: keep the output valid */
	if (w->depth == JSONW_DEPTH) {
		putc(c, w->f);
		return;
	}
	w->depth++;
	w->comma[w->depth] = false;
	w->close[w->depth] = c;
}

void jw_obj(struct jsonw *w, const char *key)
{
	open_level(w, key, '{', '}');
}

void jw_arr(struct jsonw *w, const char *key)
{
	open_level(w, key, '[', ']');
}

void jw_end(struct jsonw *w)
{
	if (!w->depth)
		return;
	putc(w->close[w->depth--], w->f);
	if (!w->depth) {
		putc('\n', w->f);
		w->comma[0] = false;
	}
}

void jw_strn(struct jsonw *w, const char *key, const char *s, size_t len)
{
	if (!s)
		return;
	member(w, key);
	json_write_strn(w->f, s, len);
}

void jw_str(struct jsonw *w, const char *key, const char *s)
{
	if (s)
		jw_strn(w, key, s, strlen(s));
}

void jw_int(struct jsonw *w, const char *key, long long v)
{
	member(w, key);
	fprintf(w->f, "%lld", v);
}

void jw_bool(struct jsonw *w, const char *key, bool v)
{
	member(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jw_raw(struct jsonw *w, const char *key, const char *json)
{
	if (!json)
		return;
	member(w, key);
	fputs(json, w->f);
}
