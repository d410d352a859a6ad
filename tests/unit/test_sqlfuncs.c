/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* SQL functions (analyzer/casedb/sqlfuncs.c) on an in-memory SQLite database. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "casedb/db.h"
#include "policy/policy_eval.h"
#include "casedb/sqlfuncs.h"

static sqlite3 *db;

static int setup(void **state)
{
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return -1;
	return exray_sqlfuncs_register(db);
}

static int teardown(void **state)
{
	exray_sqlfuncs_set_policy(NULL);
	sqlite3_close(db);
	return 0;
}

/* The single value of a one-row query as text ("NULL" for NULL), or the
 * error message prefixed "ERROR: ". */
static const char *q(const char *sql)
{
	static char out[256];
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(out, sizeof(out), "ERROR: %s", sqlite3_errmsg(db));
		return out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, sizeof(out), "%s",
			 sqlite3_column_type(st, 0) == SQLITE_NULL ? "NULL" : (const char *)sqlite3_column_text(st, 0));
	else
		snprintf(out, sizeof(out), "ERROR: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return out;
}

struct qcase {
	const char *sql, *want;
};

static void run_cases(const struct qcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *got = q(c[i].sql);
		if (strcmp(got, c[i].want))
			fail_msg("%s\n got: %s\nwant: %s", c[i].sql, got, c[i].want);
	}
}

static void test_cidr_contains(void **state)
{
	static const struct qcase cases[] = {
		{ "SELECT cidr_contains('10.0.0.0/8', '10.1.2.3')", "1" },
		{ "SELECT cidr_contains('10.0.0.0/8', '11.1.2.3')", "0" },
		{ "SELECT cidr_contains('10.0.0.0/8', '9.255.255.255')", "0" },
		{ "SELECT cidr_contains('192.0.2.0/25', '192.0.2.127')", "1" },
		{ "SELECT cidr_contains('192.0.2.0/25', '192.0.2.128')", "0" },
		{ "SELECT cidr_contains('192.0.2.1', '192.0.2.1')", "1" },
		{ "SELECT cidr_contains('192.0.2.1', '192.0.2.2')", "0" },
		{ "SELECT cidr_contains('0.0.0.0/0', '203.0.113.9')", "1" },
		{ "SELECT cidr_contains('0.0.0.0/0', '2001:db8::1')", "0" },
		{ "SELECT cidr_contains('::/0', '2001:db8::1')", "1" },
		{ "SELECT cidr_contains('2001:db8::/32', '2001:db8:ffff::1')", "1" },
		{ "SELECT cidr_contains('2001:db8::/32', '2001:db9::1')", "0" },
		{ "SELECT cidr_contains('2001:db8::/33', '2001:db8:8000::1')", "0" },
		{ "SELECT cidr_contains('2001:db8::/33', '2001:db8:7fff::1')", "1" },
		/* IPv4-mapped IPv6 counts as IPv4, both ways */
		{ "SELECT cidr_contains('10.0.0.0/8', '::ffff:10.9.9.9')", "1" },
		{ "SELECT cidr_contains('::ffff:10.0.0.0/104', '10.9.9.9')", "1" },
		/* host bits past the prefix are ignored in a query */
		{ "SELECT cidr_contains('10.1.2.3/8', '10.200.0.1')", "1" },
		/* blobs as addresses */
		{ "SELECT cidr_contains('10.0.0.0/8', x'0a010203')", "1" },
		{ "SELECT cidr_contains('2001:db8::/32', x'20010db8000000000000000000000001')", "1" },
		{ "SELECT cidr_contains('10.0.0.0/8', x'0a0102')", "NULL" },
		{ "SELECT cidr_contains(NULL, '10.0.0.1')", "NULL" },
		{ "SELECT cidr_contains('10.0.0.0/8', NULL)", "NULL" },
		{ "SELECT cidr_contains('10.0.0.0/8', 'not an address')", "NULL" },
		{ "SELECT cidr_contains('10.0.0.0/8', '10.0.0.0/8')", "NULL" },
		{ "SELECT cidr_contains('10.0.0.0/33', '10.0.0.1')", "ERROR: cidr_contains: invalid CIDR '10.0.0.0/33'" },
		{ "SELECT cidr_contains('bogus', '10.0.0.1')", "ERROR: cidr_contains: invalid CIDR 'bogus'" },
		/* constant CIDR over many rows: cached parse gives the same */
		{ "WITH a(x) AS (VALUES ('10.0.0.1'), ('11.0.0.1'), ('10.255.0.1'), ('2001:db8::1')) "
		  "SELECT group_concat(cidr_contains('10.0.0.0/8', x), ',') FROM a", "1,0,1,0" },
		/* CIDR varying per row: no stale cache */
		{ "WITH a(c) AS (VALUES ('10.0.0.0/8'), ('11.0.0.0/8'), ('10.0.0.0/8')) "
		  "SELECT group_concat(cidr_contains(c, '10.1.1.1'), ',') FROM a", "1,0,1" },
	};
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_inet_fmt(void **state)
{
	static const struct qcase cases[] = {
		{ "SELECT inet_fmt('192.0.2.1')", "192.0.2.1" },
		{ "SELECT inet_fmt('192.0.2.1', 80)", "192.0.2.1:80" },
		{ "SELECT inet_fmt('2001:DB8:0::1', 443)", "[2001:db8::1]:443" },
		{ "SELECT inet_fmt('2001:db8::1')", "2001:db8::1" },
		{ "SELECT inet_fmt(x'c0000201', 22)", "192.0.2.1:22" },
		{ "SELECT inet_fmt(x'00000000000000000000ffffc0000201')", "192.0.2.1" },
		{ "SELECT inet_fmt('192.0.2.1', NULL)", "192.0.2.1" },
		{ "SELECT inet_fmt(NULL, 80)", "NULL" },
		{ "SELECT inet_fmt('garbage', 80)", "garbage" },
		{ "SELECT inet_fmt(x'0102')", "NULL" },
	};
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_basename(void **state)
{
	static const struct qcase cases[] = {
		{ "SELECT basename('/usr/bin/curl')", "curl" },
		{ "SELECT basename('curl')", "curl" },
		{ "SELECT basename('/usr/bin/')", "" },
		{ "SELECT basename(NULL)", "NULL" },
	};
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_policy_allows(void **state)
{
	static const char text[] = "allow 10.0.0.0/8 port 53\n"
				   "[host]\nallow 0.0.0.0/0\n"
				   "[container abc]\nallow 192.0.2.0/24 port 80,443\n"
				   "[pod 1111-2222]\nallow 198.51.100.0/24\n"
				   "[cgroup /machine.slice/*]\nallow 2001:db8::/32 port 22\n";
	static const struct qcase unloaded[] = {
		{ "SELECT policy_loaded()", "0" },
		{ "SELECT policy_allows('abc', NULL, NULL, '192.0.2.1', 80)", "NULL" },
	};
	static const struct qcase cases[] = {
		{ "SELECT policy_loaded()", "1" },
		{ "SELECT policy_allows('abcdef', NULL, NULL, '192.0.2.1', 80)", "1" },
		{ "SELECT policy_allows('abcdef', NULL, NULL, '192.0.2.1', 8080)", "0" },
		{ "SELECT policy_allows('abcdef', NULL, NULL, '10.3.3.3', 53)", "1" },
		{ "SELECT policy_allows('zzz', NULL, NULL, '192.0.2.1', 80)", "0" },
		{ "SELECT policy_allows(NULL, NULL, '/', '203.0.113.1', 8080)", "1" },
		{ "SELECT policy_allows('zzz', '1111_2222', NULL, '198.51.100.9', 1)", "1" },
		{ "SELECT policy_allows('zzz', NULL, '/machine.slice/libpod-1.scope', '2001:db8::5', 22)", "1" },
		{ "SELECT policy_allows('zzz', NULL, '/machine.slice/libpod-1.scope', '2001:db8::5', 23)", "0" },
		{ "SELECT policy_allows('abc', NULL, NULL, x'c0000201', 443)", "1" },
		{ "SELECT policy_allows('abc', NULL, NULL, 'bad', 443)", "NULL" },
		{ "SELECT policy_allows('abc', NULL, NULL, '192.0.2.1', NULL)", "NULL" },
		{ "SELECT policy_allows('abc', NULL, NULL, '192.0.2.1', 70000)", "NULL" },
	};
	struct exray_policy *p;
	struct exray_policy_eval *pe;
	char err[256];

	run_cases(unloaded, sizeof(unloaded) / sizeof(unloaded[0]));
	assert_int_equal(exray_policy_parse(&p, "t", text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(exray_policy_eval_new(&pe, p), 0);
	exray_sqlfuncs_set_policy(pe);
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	exray_sqlfuncs_set_policy(NULL);
	exray_policy_eval_free(pe);
}

/*
 * Every connection db_open makes has the functions, with no hook added by
 * the caller: the one `ingest` writes through (a view using them is
 * created and read back), and a read-only one as `tree` opens.
 */
static void test_every_connection(void **state)
{
	char path[] = "/tmp/exray-sqlfuncs-XXXXXX";
	sqlite3 *saved = db, *rw, *ro;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(db_open(&rw, path, DB_OPEN_CREATE), 0);
	assert_int_equal(db_exec(rw, "CREATE VIEW v_t AS SELECT cidr_contains('10.0.0.0/8', '10.1.2.3') AS a,"
				 " inet_fmt('2001:db8::1', 443) AS b, basename('/bin/sh') AS c"), 0);
	db = rw;
	assert_string_equal(q("SELECT cidr_contains('2001:db8::/32', '2001:db8::7')"), "1");
	db_close(rw);
	assert_int_equal(db_open(&ro, path, DB_OPEN_READONLY), 0);
	db = ro;
	assert_string_equal(q("SELECT a || ' ' || b || ' ' || c FROM v_t"), "1 [2001:db8::1]:443 sh");
	assert_string_equal(q("SELECT policy_loaded()"), "0");
	db_close(ro);
	db = saved;
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr_contains),
		cmocka_unit_test(test_inet_fmt),
		cmocka_unit_test(test_basename),
		cmocka_unit_test(test_policy_allows),
		cmocka_unit_test(test_every_connection),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
