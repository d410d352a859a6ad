/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* JSON and terminal escaping of hostile strings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "text/escape.h"

static char *json_of(const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_write_strn(f, s, n);
	fclose(f);
	return buf;
}

static char *term_of(const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	term_write_strn(f, s, n);
	fclose(f);
	return buf;
}

static void no_control_bytes(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		assert_true(*p >= 0x20 && *p != 0x7f);
	/* no C1 controls as UTF-8 either */
	assert_null(strstr(s, "\xc2\x9b"));
}

static const struct {
	const char *in;
	size_t len;
	const char *json, *term;
} cases[] = {
	{ "plain", 5, "\"plain\"", "plain" },
	{ "\x1b[31mred", 8, "\"\\u001b[31mred\"", "\\x1b[31mred" },
	{ "a\nb\r\t", 5, "\"a\\nb\\r\\t\"", "a\\nb\\r\\t" },
	{ "q\"b\\", 4, "\"q\\\"b\\\\\"", "q\"b\\\\" },
	{ "\xff\xfe", 2, "\"\\ufffd\\ufffd\"", "\\xff\\xfe" },
	{ "\xc0\x8a", 2, "\"\\ufffd\\ufffd\"", "\\xc0\\x8a" },        /* overlong newline */
	{ "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"", "\\xed\\xa0\\x80" }, /* surrogate */
	{ "\xc2\x9b" "2J", 4, "\"\\u009b2J\"", "\\u{009b}2J" },        /* C1 CSI */
	{ "caf\xc3\xa9", 5, "\"caf\xc3\xa9\"", "caf\xc3\xa9" },
	{ "\xe2\x80\xaetxt", 6, "\"\xe2\x80\xaetxt\"", "\\u{202e}txt" }, /* bidi override */
	{ "a\0b", 3, "\"a\\u0000b\"", "a\\x00b" },
	{ "\x7f", 1, "\"\\u007f\"", "\\x7f" },
	{ "\xe2\x82", 2, "\"\\ufffd\\ufffd\"", "\\xe2\\x82" },          /* truncated */
};

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *j = json_of(cases[i].in, cases[i].len), *t = term_of(cases[i].in, cases[i].len);
		assert_string_equal(j, cases[i].json);
		assert_string_equal(t, cases[i].term);
		no_control_bytes(j);
		no_control_bytes(t);
		free(j);
		free(t);
	}
}

/* Every byte value, alone and in pairs: output never carries a control
 * byte, and the JSON form is accepted by a strict parser (checked by the
 * shape: only known escapes after a backslash). */
static void test_all_bytes(void **state)
{
	for (int a = 0; a < 256; a++)
		for (int b = 0; b < 256; b += 17) {
			char in[3] = { (char)a, (char)b, 'x' };
			char *j = json_of(in, 3), *t = term_of(in, 3);
			no_control_bytes(j);
			no_control_bytes(t);
			for (char *p = j + 1; *p && p[1]; p++)
				if (*p == '\\') {
					assert_non_null(strchr("\"\\nrtu", p[1]));
					p++;
				}
			free(j);
			free(t);
		}
}

static void test_term_escape_truncation(void **state)
{
	char buf[8];
	size_t need = term_escape(buf, sizeof(buf), "abcde\x1b[1m", 9);

	assert_int_equal(need, strlen("abcde\\x1b[1m"));
	assert_string_equal(buf, "abcde"); /* never half an escape */
	need = term_escape(buf, sizeof(buf), "ab", 2);
	assert_int_equal(need, 2);
	assert_string_equal(buf, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_all_bytes),
		cmocka_unit_test(test_term_escape_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
