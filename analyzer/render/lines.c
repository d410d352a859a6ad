/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <stdlib.h>
#include <string.h>
#include "text/escape.h"
#include "text/recfmt.h"
#include "text/timefmt.h"
#include "render/lines.h"

void render_time(FILE *f, int64_t ts, int64_t b2w)
{
	/* consecutive lines mostly share the second: format it once */
	static int64_t last_sec = INT64_MIN;
	static char sec_text[TIMEFMT_LEN];
	int64_t wall, sec, ns;

	if (timefmt_wall((uint64_t)ts, b2w, &wall)) {
		fputs(TIMEFMT_OUT_OF_RANGE, f);
		return;
	}
	sec = wall / 1000000000, ns = wall % 1000000000;
	if (ns < 0)
		ns += 1000000000, sec--;
	if (sec != last_sec) {
		timefmt_rfc3339(sec_text, sec * 1000000000);
		sec_text[strcspn(sec_text, ".")] = 0;
		last_sec = sec;
	}
	fprintf(f, "%s.%09lldZ", sec_text, (long long)ns);
}

void render_exit(FILE *f, int64_t exit_code, int64_t signal)
{
	if (signal)
		fprintf(f, " [killed by signal %lld]", (long long)signal);
	else
		fprintf(f, " [exit %lld]", (long long)exit_code);
}

void render_failed(FILE *f, long long ret)
{
	char eb[ERRNO_TEXT_LEN];

	if (ret)
		fprintf(f, " [failed: %s]", errno_text(eb, ret));
}

void render_text_cut(FILE *f, const char *s, size_t max)
{
	char small[ARGV_TEXT_MAX * 2 + 8], *buf = small;
	size_t len = s ? strlen(s) : 0, need, n;

	if (!s)
		return;
	if (!max) {
		term_write_strn(f, s, len);
		return;
	}
	if (max * 2 + 8 > sizeof(small) && !(buf = malloc(max * 2 + 8))) {
		term_write_strn(f, s, len); /* whole rather than nothing */
		return;
	}
	/* only the start can be shown: escape no more than that (every byte
	 * shows as at least one, so the first max + 1 bytes, plus room to
	 * finish a UTF-8 sequence, are all that can reach the screen) */
	n = len < max + 4 ? len : max + 4;
	need = term_escape(buf, max + 1, s, n);
	if (n < len && need <= max)
		need = max + 1;
	fputs(buf, f);
	if (need > max)
		fputs("\xe2\x80\xa6", f); /* ellipsis */
	if (buf != small)
		free(buf);
}

void render_argv(FILE *f, const char *s, int wide)
{
	render_text_cut(f, s, wide ? 0 : ARGV_TEXT_MAX);
}
