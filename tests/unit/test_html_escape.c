/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* HTML escaping of hostile recorded strings (text/html_escape.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "text/escape.h"
#include "text/html_escape.h"

#define X(s) "<span class=\"x\">" s "</span>"

static char *escaped(const char *s, size_t n, int text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (text)
		html_text_strn(f, s, n);
	else
		html_attr_strn(f, s, n);
	fclose(f);
	return buf;
}

static const struct {
	const char *in;
	size_t len;
	const char *text, *attr;
} cases[] = {
	{ "plain /bin/sh", 13, "plain /bin/sh", "plain /bin/sh" },
	{ "<img src=x onerror=alert(1)>", 28, "&lt;img src=x onerror=alert(1)&gt;",
	  "&lt;img src=x onerror=alert(1)&gt;" },
	{ "</script><script>", 17, "&lt;/script&gt;&lt;script&gt;", "&lt;/script&gt;&lt;script&gt;" },
	{ "\"'><svg onload=x>", 17, "&quot;&#39;&gt;&lt;svg onload=x&gt;", "&quot;&#39;&gt;&lt;svg onload=x&gt;" },
	{ "a&amp;b", 7, "a&amp;amp;b", "a&amp;amp;b" },
	{ "\xe2\x80\xaegnp.exe", 10, X("\\u{202e}") "gnp.exe", "\\u{202e}gnp.exe" },  /* RLO */
	{ "\xe2\x81\xa6x\xe2\x81\xa9", 7, X("\\u{2066}") "x" X("\\u{2069}"), "\\u{2066}x\\u{2069}" },
	{ "\xe2\x80\x8f", 3, X("\\u{200f}"), "\\u{200f}" },                            /* RLM */
	{ "\xff\xfe", 2, X("\\xff") X("\\xfe"), "\\xff\\xfe" },                       /* not UTF-8 */
	{ "\xc0\xbc", 2, X("\\xc0") X("\\xbc"), "\\xc0\\xbc" },                       /* overlong '<' */
	{ "\xed\xa0\x80", 3, X("\\xed") X("\\xa0") X("\\x80"), "\\xed\\xa0\\x80" },   /* surrogate */
	{ "\xe2\x82", 2, X("\\xe2") X("\\x82"), "\\xe2\\x82" },                       /* truncated */
	{ "\x1b[31m", 5, X("\\x1b") "[31m", "\\x1b[31m" },
	{ "a\nb\tc\r", 6, "a" X("\\n") "b" X("\\t") "c" X("\\r"), "a\\nb\\tc\\r" },
	{ "a\0b", 3, "a" X("\\x00") "b", "a\\x00b" },
	{ "\x7f", 1, X("\\x7f"), "\\x7f" },
	{ "\xc2\x9b", 2, X("\\u{009b}"), "\\u{009b}" },                              /* C1 CSI */
	{ "back\\slash", 10, "back\\slash", "back\\\\slash" },
	{ "caf\xc3\xa9 \xe6\x97\xa5", 9, "caf\xc3\xa9 \xe6\x97\xa5", "caf\xc3\xa9 \xe6\x97\xa5" },
	{ "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", 8, "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
	  "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d" },                                        /* Hebrew: kept */
	{ "", 0, "", "" },
};

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t = escaped(cases[i].in, cases[i].len, 1), *a = escaped(cases[i].in, cases[i].len, 0);
		assert_string_equal(t, cases[i].text);
		assert_string_equal(a, cases[i].attr);
		free(t);
		free(a);
	}
}

/* The properties that make the output safe, for any input: no markup but
 * the escape spans, no quote, no control byte, no bidi control, and valid
 * UTF-8 throughout. */
static void assert_safe(const char *out, int text)
{
	const char *span = "<span class=\"x\">", *end = "</span>";
	const unsigned char *p = (const unsigned char *)out;
	size_t n = strlen(out);

	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t k;

		if (text && !strncmp((const char *)p + i, span, strlen(span))) {
			const char *close = strstr((const char *)p + i, end);
			assert_non_null(close);
			/* the escape inside is plain ASCII: \xNN, \n, \u{XXXX} */
			for (const char *q = (const char *)p + i + strlen(span); q < close; q++)
				assert_true(*q > 0x20 && *q < 0x7f && *q != '<' && *q != '"');
			i = (size_t)(close - (const char *)p) + strlen(end);
			continue;
		}
		assert_true(p[i] != '<' && p[i] != '>' && p[i] != '"' && p[i] != '\'');
		k = utf8_decode(p + i, n - i, &cp);
		assert_true(k > 0);
		assert_true(cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0));
		assert_false(cp == 0x202e || cp == 0x202d || cp == 0x2066 || cp == 0x2067 ||
			     cp == 0x2068 || cp == 0x200f || cp == 0x061c);
		if (p[i] == '&') /* an entity, never a bare ampersand */
			assert_true(!strncmp(out + i, "&amp;", 5) || !strncmp(out + i, "&lt;", 4) ||
				    !strncmp(out + i, "&gt;", 4) || !strncmp(out + i, "&quot;", 6) ||
				    !strncmp(out + i, "&#39;", 5));
		i += k;
	}
}

static void test_all_bytes(void **state)
{
	char in[3];

	for (int a = 0; a < 256; a++)
		for (int b = 0; b < 256; b++) {
			in[0] = (char)a, in[1] = (char)b, in[2] = '<';
			for (int text = 0; text < 2; text++) {
				char *o = escaped(in, 3, text);
				assert_safe(o, text);
				free(o);
			}
		}
}

/* Every code point, encoded: whatever passes through is printable. */
static void test_all_code_points(void **state)
{
	for (unsigned cp = 0; cp <= 0x10ffff; cp += cp < 0x3000 ? 1 : 97) {
		char in[4];
		size_t n;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (cp < 0x80)
			in[0] = (char)cp, n = 1;
		else if (cp < 0x800)
			in[0] = (char)(0xc0 | cp >> 6), in[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
		else if (cp < 0x10000)
			in[0] = (char)(0xe0 | cp >> 12), in[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
			in[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
		else
			in[0] = (char)(0xf0 | cp >> 18), in[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
			in[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), in[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
		for (int text = 0; text < 2; text++) {
			char *o = escaped(in, n, text);
			assert_safe(o, text);
			free(o);
		}
	}
}

/* A policy file in <pre>: lines stay lines, the rest is escaped as text. */
static void test_pre(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char in[] = "allow 10.0.0.0/8\t# <b>\n\x1b[2J\xe2\x80\xae";

	html_pre_strn(f, in, sizeof(in) - 1);
	fclose(f);
	assert_string_equal(buf, "allow 10.0.0.0/8\t# &lt;b&gt;\n" X("\\x1b") "[2J" X("\\u{202e}"));
	free(buf);
}

/* NULL writes nothing; a long hostile string comes out whole. */
static void test_str_and_long(void **state)
{
	char *buf = NULL, big[70000];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	html_text_str(f, NULL);
	html_attr_str(f, NULL);
	fflush(f);
	assert_int_equal(len, 0);
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = "<a>\"'&"[i % 6];
	big[sizeof(big) - 1] = 0;
	html_text_str(f, big);
	fclose(f);
	assert_safe(buf, 1);
	assert_true(strlen(buf) > 3 * sizeof(big));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_all_bytes),
		cmocka_unit_test(test_all_code_points),
		cmocka_unit_test(test_str_and_long),
		cmocka_unit_test(test_pre),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
