/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <stdio.h>
#include <string.h>
#include "text/escape.h"
#include "text/html_escape.h"

/* Code points shown as \u{XXXX}: C1 controls, and the characters that
 * change the direction or the line structure of the text around them. */
static int hidden_cp(unsigned cp)
{
	return (cp >= 0x80 && cp < 0xa0) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

static const char *entity(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

/* One escape, marked up in text context, plain in attributes. */
static void put_escape(FILE *f, int text, const char *esc)
{
	if (text)
		fprintf(f, "<span class=\"x\">%s</span>", esc);
	else
		fputs(esc, f);
}

enum { ATTR, TEXT, PRE };

static void html_write(FILE *f, const char *str, size_t len, int mode)
{
	int text = mode != ATTR;
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;
	char esc[16];

	while (i < len) {
		const char *ent;
		unsigned cp;
		size_t n;

		/* runs of plain printable ASCII go out in one fwrite */
		if (((s[i] >= 0x20 && s[i] < 0x7f) || (mode == PRE && (s[i] == '\n' || s[i] == '\t'))) &&
		    !entity(s[i]) && (text || s[i] != '\\')) {
			i++;
			continue;
		}
		if (i > run)
			fwrite(s + run, 1, i - run, f);
		if ((ent = entity(s[i]))) {
			fputs(ent, f);
			run = ++i;
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (!n || cp < 0x20 || cp == 0x7f) {
			if (n && cp == '\n')
				strcpy(esc, "\\n");
			else if (n && cp == '\r')
				strcpy(esc, "\\r");
			else if (n && cp == '\t')
				strcpy(esc, "\\t");
			else
				snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
			put_escape(f, text, esc);
			n = 1;
		} else if (cp == '\\') {
			fputs("\\\\", f); /* attributes only: text passes it above */
		} else if (hidden_cp(cp)) {
			snprintf(esc, sizeof(esc), "\\u{%04x}", cp);
			put_escape(f, text, esc);
		} else {
			fwrite(s + i, 1, n, f);
		}
		i += n;
		run = i;
	}
	if (i > run)
		fwrite(s + run, 1, i - run, f);
}

void html_text_strn(FILE *f, const char *s, size_t len)
{
	html_write(f, s, len, TEXT);
}

void html_text_str(FILE *f, const char *s)
{
	if (s)
		html_write(f, s, strlen(s), TEXT);
}

void html_pre_strn(FILE *f, const char *s, size_t len)
{
	html_write(f, s, len, PRE);
}

void html_attr_strn(FILE *f, const char *s, size_t len)
{
	html_write(f, s, len, ATTR);
}

void html_attr_str(FILE *f, const char *s)
{
	if (s)
		html_write(f, s, strlen(s), ATTR);
}
