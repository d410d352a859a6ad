/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <stdio.h>
#include <string.h>
#include "text/escape.h"

size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], min, len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (unsigned i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates and values past U+10FFFF are not
	 * scalar values: a decoder that accepted them would let "\xc0\x8a"
	 * smuggle a newline */
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

size_t json_escape_into(char *dst, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	char *d = dst;
	size_t i = 0;

	while (i < len) {
		unsigned cp;
		size_t n;

		/* fast path: printable ASCII other than the two JSON specials */
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\') {
			*d++ = (char)s[i++];
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (!n) {
			memcpy(d, "\\ufffd", 6);
			d += 6;
			i++;
			continue;
		}
		if (cp >= 0xa0) {
			memcpy(d, s + i, n);
			d += n;
		} else if (cp == '"' || cp == '\\') {
			*d++ = '\\';
			*d++ = (char)cp;
		} else if (cp == '\n' || cp == '\r' || cp == '\t') {
			*d++ = '\\';
			*d++ = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
		} else {
			memcpy(d, "\\u00", 4);
			d[4] = hex[cp >> 4];
			d[5] = hex[cp & 15];
			d += 6;
		}
		i += n;
	}
	return (size_t)(d - dst);
}

void json_write_strn(FILE *f, const char *s, size_t len)
{
	char buf[6 * 1024];

	putc('"', f);
	while (len) {
		/* cut between UTF-8 sequences: back up over continuation bytes */
		size_t n = len;
		if (n > 1024) {
			n = 1024;
			while (n > 1020 && ((unsigned char)s[n] & 0xc0) == 0x80)
				n--;
		}
		fwrite(buf, 1, json_escape_into(buf, s, n), f);
		s += n;
		len -= n;
	}
	putc('"', f);
}

void json_write_str(FILE *f, const char *s)
{
	if (!s)
		fputs("null", f);
	else
		json_write_strn(f, s, strlen(s));
}

/* The escaped form of one character (or invalid byte) at s; returns the
 * bytes consumed and fills out (NUL-terminated) with what to show. */
static size_t term_one(const unsigned char *s, size_t n, char out[16])
{
	unsigned cp;
	size_t len = utf8_decode(s, n, &cp);

	if (!len) {
		snprintf(out, 16, "\\x%02x", s[0]);
		return 1;
	}
	if (cp == '\\') {
		strcpy(out, "\\\\");
	} else if (cp == '\n') {
		strcpy(out, "\\n");
	} else if (cp == '\r') {
		strcpy(out, "\\r");
	} else if (cp == '\t') {
		strcpy(out, "\\t");
	} else if (cp < 0x20 || cp == 0x7f) {
		snprintf(out, 16, "\\x%02x", cp);
	} else if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
		   (cp >= 0x2066 && cp <= 0x2069)) {
		snprintf(out, 16, "\\u{%04x}", cp);
	} else {
		memcpy(out, s, len);
		out[len] = 0;
	}
	return len;
}

size_t term_escape(char *dst, size_t dstsz, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t need = 0, used = 0, i = 0;
	int full = 0;
	char one[16];

	while (i < len) {
		size_t ol;
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
			/* fast path: printable ASCII shows as itself */
			one[0] = (char)s[i++];
			ol = 1;
		} else {
			i += term_one(s + i, len - i, one);
			ol = strlen(one);
		}
		if (!full && used + ol < dstsz) {
			memcpy(dst + used, one, ol);
			used += ol;
		} else {
			full = 1;
		}
		need += ol;
	}
	if (dstsz)
		dst[used] = 0;
	return need;
}

void term_write_strn(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	char one[16];

	while (i < len) {
		/* fast path: printable ASCII other than the backslash */
		size_t j = i;
		while (j < len && s[j] >= 0x20 && s[j] < 0x7f && s[j] != '\\')
			j++;
		fwrite(s + i, 1, j - i, f);
		i = j;
		if (i < len) {
			i += term_one(s + i, len - i, one);
			fputs(one, f);
		}
	}
}

void term_write_str(FILE *f, const char *s)
{
	if (!s)
		putc('-', f);
	else
		term_write_strn(f, s, strlen(s));
}
