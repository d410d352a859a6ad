/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Policy parser (schema/policy.c) and evaluator (analyzer/policy/policy_eval.c):
 * every valid form parses to the expected rules; every invalid one fails
 * with the exact message and position. Table-driven, after tinc's subnet
 * tests.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "policy.h"
#include "policy/policy_eval.h"

/* Canonical text of a parsed policy: one line per rule,
 * "[scope arg] CIDR PORTS" with ports "*" or "a-b,c". */
static void render(const struct exray_policy *p, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < p->nsections; i++) {
		const struct exray_policy_section *s = &p->sections[i];
		for (size_t j = 0; j < s->nrules; j++) {
			const struct exray_policy_rule *r = &s->rules[j];
			char a[INET6_ADDRSTRLEN];
			inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, a, sizeof(a));
			n += (size_t)snprintf(out + n, size - n, "[%s%s%s] %s/%u ", exray_policy_scope_name(s->scope),
					      s->arg ? " " : "", s->arg ? s->arg : "", a, r->prefixlen);
			for (size_t k = 0; k < r->nports; k++) {
				if (r->ports[k].lo == 0 && r->ports[k].hi == 65535)
					n += (size_t)snprintf(out + n, size - n, "*");
				else if (r->ports[k].lo == r->ports[k].hi)
					n += (size_t)snprintf(out + n, size - n, "%s%u", k ? "," : "", r->ports[k].lo);
				else
					n += (size_t)snprintf(out + n, size - n, "%s%u-%u", k ? "," : "",
							      r->ports[k].lo, r->ports[k].hi);
			}
			n += (size_t)snprintf(out + n, size - n, "\n");
		}
	}
}

struct valid_case {
	const char *text;
	const char *want;
};

static const struct valid_case valid[] = {
	{ "", "" },
	{ "\n\n   \n", "" },
	{ "# only a comment\n", "" },
	{ "allow 10.0.0.0/8", "[all] 10.0.0.0/8 *\n" },
	{ "allow 10.0.0.0/8\n", "[all] 10.0.0.0/8 *\n" },
	{ "allow 192.0.2.1", "[all] 192.0.2.1/32 *\n" },
	{ "allow 0.0.0.0/0", "[all] 0.0.0.0/0 *\n" },
	{ "allow ::/0", "[all] ::/0 *\n" },
	{ "allow 2001:db8::/32 port 443", "[all] 2001:db8::/32 443\n" },
	{ "allow 2001:db8::1", "[all] 2001:db8::1/128 *\n" },
	{ "allow 2001:DB8:0:0::/64", "[all] 2001:db8::/64 *\n" },
	{ "allow ::ffff:192.0.2.0/120", "[all] 192.0.2.0/24 *\n" },
	{ "allow ::ffff:192.0.2.7", "[all] 192.0.2.7/32 *\n" },
	{ "allow 10.0.0.0/8 port 1", "[all] 10.0.0.0/8 1\n" },
	{ "allow 10.0.0.0/8 port 65535", "[all] 10.0.0.0/8 65535\n" },
	{ "allow 10.0.0.0/8 port 80-90", "[all] 10.0.0.0/8 80-90\n" },
	{ "allow 10.0.0.0/8 port 80-80", "[all] 10.0.0.0/8 80\n" },
	{ "allow 10.0.0.0/8 port 443,80,8000-8080,81", "[all] 10.0.0.0/8 80-81,443,8000-8080\n" },
	{ "allow 10.0.0.0/8 port 1-100,50-200", "[all] 10.0.0.0/8 1-200\n" },
	{ "allow 10.0.0.0/8 port 0080", "[all] 10.0.0.0/8 80\n" },
	{ "allow 10.0.0.0/8 # trailing comment\n   # indented comment\n", "[all] 10.0.0.0/8 *\n" },
	{ "allow 10.0.0.0/8 port 53#no space is part of the port?", NULL }, /* see invalid */
	{ "\tallow\t10.0.0.0/8\tport\t53\t", "[all] 10.0.0.0/8 53\n" },
	{ "allow 10.0.0.0/8\r\nallow 192.0.2.0/24\r\n", "[all] 10.0.0.0/8 *\n[all] 192.0.2.0/24 *\n" },
	{ "allow 10.0.0.0/8\n[host]\nallow 192.0.2.0/24\n[all]\nallow 198.51.100.0/24",
	  "[all] 10.0.0.0/8 *\n[all] 198.51.100.0/24 *\n[host] 192.0.2.0/24 *\n" },
	{ "[ host ]\nallow 192.0.2.0/24", "[host] 192.0.2.0/24 *\n" },
	{ "[container ABCdef01]\nallow 192.0.2.0/24", "[container abcdef01] 192.0.2.0/24 *\n" },
	{ "[container web-1.prod_x]\nallow 192.0.2.0/24", "[container web-1.prod_x] 192.0.2.0/24 *\n" },
	{ "[pod 1234ABCD_5678]\nallow 192.0.2.0/24", "[pod 1234abcd-5678] 192.0.2.0/24 *\n" },
	{ "[cgroup /kubepods/*/pod[0-9a-f]*] # glob with a class\nallow 192.0.2.0/24",
	  "[cgroup /kubepods/*/pod[0-9a-f]*] 192.0.2.0/24 *\n" },
	{ "[container abc]\nallow 192.0.2.0/24\n[container def]\nallow 198.51.100.0/24\n[container abc]\nallow 203.0.113.0/24",
	  "[container abc] 192.0.2.0/24 *\n[container abc] 203.0.113.0/24 *\n[container def] 198.51.100.0/24 *\n" },
	{ "[container abc]", "" },
};

static void test_valid(void **state)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct exray_policy *p = NULL;
		char err[512], got[4096];
		int r;

		if (!valid[i].want)
			continue;
		r = exray_policy_parse(&p, "t.policy", valid[i].text, strlen(valid[i].text), err, sizeof(err));
		if (r)
			fail_msg("case %zu \"%s\": unexpected error %d: %s", i, valid[i].text, r, err);
		render(p, got, sizeof(got));
		if (strcmp(got, valid[i].want))
			fail_msg("case %zu \"%s\":\n got: %s\nwant: %s", i, valid[i].text, got, valid[i].want);
		exray_policy_free(p);
	}
}

struct invalid_case {
	const char *text;
	const char *msg; /* exact */
};

static const struct invalid_case invalid[] = {
	{ "deny 10.0.0.0/8", "t.policy:1:1: unknown directive 'deny' (expected allow, include or a [section])" },
	{ "Allow 10.0.0.0/8", "t.policy:1:1: unknown directive 'Allow' (expected allow, include or a [section])" },
	{ "allow", "t.policy:1:6: 'allow' needs an address or CIDR" },
	{ "allow   # nothing", "t.policy:1:9: 'allow' needs an address or CIDR" },
	{ "allow 10.0.0.256", "t.policy:1:7: invalid address '10.0.0.256' (expected IPv4 or IPv6, optionally /LEN)" },
	{ "allow 10.0.0", "t.policy:1:7: invalid address '10.0.0' (expected IPv4 or IPv6, optionally /LEN)" },
	{ "allow 010.0.0.1", "t.policy:1:7: invalid address '010.0.0.1' (expected IPv4 or IPv6, optionally /LEN)" },
	{ "allow /8", "t.policy:1:7: invalid address '/8' (expected IPv4 or IPv6, optionally /LEN)" },
	{ "allow example.com", "t.policy:1:7: invalid address 'example.com' (expected IPv4 or IPv6, optionally /LEN)" },
	{ "allow 2001:db8:::1/64", "t.policy:1:7: invalid address '2001:db8:::1/64' (expected IPv4 or IPv6, optionally /LEN)" },
	{ "allow 10.0.0.0/", "t.policy:1:16: invalid prefix length ''" },
	{ "allow 10.0.0.0/8x", "t.policy:1:16: invalid prefix length '8x'" },
	{ "allow 10.0.0.0/-1", "t.policy:1:16: invalid prefix length '-1'" },
	{ "allow 10.0.0.0/33", "t.policy:1:16: prefix length 33 too long for IPv4 (0-32)" },
	{ "allow 10.0.0.0/99999999999", "t.policy:1:16: prefix length 99999999999 too long for IPv4 (0-32)" },
	{ "allow 2001:db8::/129", "t.policy:1:18: prefix length 129 too long for IPv6 (0-128)" },
	{ "allow 10.1.0.0/8", "t.policy:1:7: '10.1.0.0/8' has bits set past the prefix length (did you mean 10.0.0.0/8?)" },
	{ "allow 2001:db8::1/32", "t.policy:1:7: '2001:db8::1/32' has bits set past the prefix length (did you mean 2001:db8::/32?)" },
	{ "allow 10.0.0.0/8 ports 80", "t.policy:1:18: unexpected 'ports' (expected 'port' or end of line)" },
	{ "allow 10.0.0.0/8 10.1.0.0/16", "t.policy:1:18: unexpected '10.1.0.0/16' (expected 'port' or end of line)" },
	{ "allow 10.0.0.0/8 port", "t.policy:1:22: 'port' needs a port, a range N-M or a list N,M-O" },
	{ "allow 10.0.0.0/8 port 0", "t.policy:1:23: port 0 out of range (1-65535)" },
	{ "allow 10.0.0.0/8 port 65536", "t.policy:1:23: port 65536 out of range (1-65535)" },
	{ "allow 10.0.0.0/8 port 99999999999", "t.policy:1:23: port 99999999999 out of range (1-65535)" },
	{ "allow 10.0.0.0/8 port 1-65536", "t.policy:1:25: port 65536 out of range (1-65535)" },
	{ "allow 10.0.0.0/8 port 90-80", "t.policy:1:23: port range 90-80 is reversed" },
	{ "allow 10.0.0.0/8 port 80,,443", "t.policy:1:26: empty port in list" },
	{ "allow 10.0.0.0/8 port 80,", "t.policy:1:26: empty port in list" },
	{ "allow 10.0.0.0/8 port ,80", "t.policy:1:23: empty port in list" },
	{ "allow 10.0.0.0/8 port 80-", "t.policy:1:26: port range '80-' has no end" },
	{ "allow 10.0.0.0/8 port -80", "t.policy:1:23: invalid port '-80' (expected N or N-M, 1-65535)" },
	{ "allow 10.0.0.0/8 port 80-90-100", "t.policy:1:28: invalid port '80-90-100' (expected N or N-M, 1-65535)" },
	{ "allow 10.0.0.0/8 port http", "t.policy:1:23: invalid port 'http' (expected N or N-M, 1-65535)" },
	{ "allow 10.0.0.0/8 port 53#x", "t.policy:1:25: invalid port '53#x' (expected N or N-M, 1-65535)" },
	{ "allow 10.0.0.0/8 port 80 port 443",
	  "t.policy:1:26: unexpected 'port' after the port list (list several ports as port 80,443)" },
	{ "[all", "t.policy:1:5: section header has no closing ']'" },
	{ "[all # ]", "t.policy:1:6: section header has no closing ']'" },
	{ "[]", "t.policy:1:2: empty section header (expected all, host, container, pod or cgroup)" },
	{ "[foo]", "t.policy:1:2: unknown section 'foo' (expected all, host, container, pod or cgroup)" },
	{ "[ALL]", "t.policy:1:2: unknown section 'ALL' (expected all, host, container, pod or cgroup)" },
	{ "[all x]", "t.policy:1:6: [all] takes no argument" },
	{ "[host x]", "t.policy:1:7: [host] takes no argument" },
	{ "[container]", "t.policy:1:11: [container] needs a container id prefix" },
	{ "[pod ]", "t.policy:1:6: [pod] needs a pod UID" },
	{ "[cgroup]", "t.policy:1:8: [cgroup] needs a cgroup path glob" },
	{ "[container a b]", "t.policy:1:14: unexpected 'b': a section takes one argument" },
	{ "[container a/b]", "t.policy:1:13: invalid character in container id prefix (letters, digits, '_', '.', '-')" },
	{ "[pod 1234-xyz]", "t.policy:1:11: invalid character in pod UID (hex digits, '-', '_')" },
	{ "[host] allow 10.0.0.0/8", "t.policy:1:8: unexpected text after section header" },
	{ "allow 10.0.0.0/8\n\n# c\n  allow 10.0.0.1/8", "t.policy:4:9: '10.0.0.1/8' has bits set past the prefix length (did you mean 10.0.0.0/8?)" },
	{ "\tallow\t10.0.0.0/8\tport\tx", "t.policy:1:24: invalid port 'x' (expected N or N-M, 1-65535)" },
	{ "allow 10.0.0.0/8\r\nallow 1.2.3.4/33\r\n", "t.policy:2:15: prefix length 33 too long for IPv4 (0-32)" },
	{ "allow \x1b[31m", "t.policy:1:7: invalid address '\\x1b[31m' (expected IPv4 or IPv6, optionally /LEN)" },
	{ "include", "t.policy:1:8: 'include' needs a file name" },
	{ "include a b", "t.policy:1:11: unexpected 'b' after the file name" },
	{ "include /nonexistent/exray/x.policy",
	  "t.policy:1:9: cannot read '/nonexistent/exray/x.policy': No such file or directory" },
	{ "include nope.policy", "t.policy:1:9: cannot read 'nope.policy': No such file or directory" },
};

static void test_invalid(void **state)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct exray_policy *p = (void *)1;
		char err[512];
		int r = exray_policy_parse(&p, "t.policy", invalid[i].text, strlen(invalid[i].text), err, sizeof(err));
		if (r >= 0)
			fail_msg("case %zu \"%s\": parsed, expected: %s", i, invalid[i].text, invalid[i].msg);
		assert_null(p);
		if (strcmp(err, invalid[i].msg))
			fail_msg("case %zu \"%s\":\n got: %s\nwant: %s", i, invalid[i].text, err, invalid[i].msg);
	}
}

static void test_nul_byte(void **state)
{
	static const char text[] = "allow 10.0.0.0/8\nallow 1\0.2.3.4\n";
	struct exray_policy *p;
	char err[256];

	assert_int_equal(exray_policy_parse(&p, "t.policy", text, sizeof(text) - 1, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.policy:2:8: NUL byte in policy text");
}

static void test_small_err_buffer(void **state)
{
	struct exray_policy *p;
	char err[12];

	assert_int_equal(exray_policy_parse(&p, "t.policy", "deny", 4, err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) < sizeof(err));
	assert_int_equal(exray_policy_parse(&p, "t.policy", "deny", 4, NULL, 0), -EINVAL);
}

/* ---------------------------------------------------------- files */

static char tmpdir[64];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static int files_setup(void **state)
{
	strcpy(tmpdir, "/tmp/exray-policy-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int files_teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_load_include(void **state)
{
	struct exray_policy *p;
	char err[512], path[256], got[2048];

	mkdir(strcat(strcpy(path, tmpdir), "/sub"), 0700);
	put("main.policy", "allow 10.0.0.0/8\n[container abc]\ninclude sub/web.policy\nallow 192.0.2.0/24\n");
	/* An included file starts in the includer's section; its own headers
	 * last until its end. */
	put("sub/web.policy", "allow 198.51.100.0/24 port 443\n[host]\nallow 203.0.113.0/24\ninclude dns.policy\n");
	put("sub/dns.policy", "allow 2001:db8::53 port 53\n");
	snprintf(path, sizeof(path), "%s/main.policy", tmpdir);
	if (exray_policy_load(&p, path, err, sizeof(err)))
		fail_msg("%s", err);
	render(p, got, sizeof(got));
	assert_string_equal(got, "[all] 10.0.0.0/8 *\n"
				 "[container abc] 198.51.100.0/24 443\n"
				 "[container abc] 192.0.2.0/24 *\n"
				 "[host] 203.0.113.0/24 *\n"
				 "[host] 2001:db8::53/128 53\n");
	assert_int_equal(p->nfiles, 3);
	/* rules remember where they came from */
	assert_int_equal(p->sections[1].rules[0].line, 1);
	assert_non_null(strstr(p->sections[1].rules[0].file, "sub/web.policy"));
	exray_policy_free(p);
}

static void test_load_errors(void **state)
{
	struct exray_policy *p;
	char err[512], path[256], want[512];

	put("loop.policy", "allow 10.0.0.0/8\ninclude loop2.policy\n");
	put("loop2.policy", "include loop.policy\n");
	snprintf(path, sizeof(path), "%s/loop.policy", tmpdir);
	assert_int_equal(exray_policy_load(&p, path, err, sizeof(err)), -ELOOP);
	snprintf(want, sizeof(want), "%s/loop2.policy:1:9: include loop: '%s/loop.policy' is already being read",
		 tmpdir, tmpdir);
	assert_string_equal(err, want);

	put("bad-inc.policy", "include inner.policy\n");
	put("inner.policy", "\n\nallow 10.0.0.0/8 port 0\n");
	snprintf(path, sizeof(path), "%s/bad-inc.policy", tmpdir);
	assert_int_equal(exray_policy_load(&p, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s/inner.policy:3:23: port 0 out of range (1-65535)", tmpdir);
	assert_string_equal(err, want);

	snprintf(path, sizeof(path), "%s/missing.policy", tmpdir);
	assert_int_equal(exray_policy_load(&p, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s/missing.policy: cannot read: No such file or directory", tmpdir);
	assert_string_equal(err, want);

	assert_int_equal(exray_policy_load(&p, tmpdir, err, sizeof(err)), -EISDIR);
}

/* ---------------------------------------------------------- flatten, eval */

static void test_flatten(void **state)
{
	static const char text[] = "allow 10.0.0.0/8 port 80\n"
				   "allow 10.1.0.0/16 port 443\n"
				   "allow 10.1.2.0/24 port 22\n"
				   "allow 10.1.0.0/16 port 444\n"
				   "allow 192.0.2.0/24\n"
				   "allow 192.0.2.0/25 port 8080\n"
				   "[host]\nallow 2001:db8::/32 port 53\n";
	struct exray_policy *p;
	struct exray_policy_entry *e;
	size_t n;
	char err[256];

	assert_int_equal(exray_policy_parse(&p, "t", text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(exray_policy_flatten(p, NULL, NULL, &e, &n), 0);
	assert_int_equal(n, 6);
	/* sorted by family, prefixlen */
	assert_int_equal(e[0].prefixlen, 8);
	assert_int_equal(e[0].nports, 1);
	assert_int_equal(e[1].prefixlen, 16);  /* 10.1/16: 80, 443-444 */
	assert_int_equal(e[1].nports, 2);
	assert_true(exray_port_in(e[1].ports, e[1].nports, 80));
	assert_true(exray_port_in(e[1].ports, e[1].nports, 444));
	assert_false(exray_port_in(e[1].ports, e[1].nports, 22));
	assert_int_equal(e[2].prefixlen, 24);  /* 10.1.2/24 or 192.0.2/24 */
	assert_int_equal(e[4].prefixlen, 25);  /* inherits every port of /24 */
	assert_int_equal(e[4].nports, 1);
	assert_int_equal(e[4].ports[0].lo, 0);
	assert_int_equal(e[4].ports[0].hi, 65535);
	assert_int_equal(e[5].family, 6);
	exray_policy_entries_free(e, n);
	exray_policy_free(p);
}

static bool allows(const struct exray_policy_eval *pe, const struct exray_policy_subject *s,
		   const char *addr, unsigned port)
{
	__u8 a[16] = { 0 };
	unsigned fam = strchr(addr, ':') ? 6 : 4;
	assert_int_equal(inet_pton(fam == 4 ? AF_INET : AF_INET6, addr, a), 1);
	return exray_policy_eval_allows(pe, s, fam, a, port, NULL);
}

static void test_eval(void **state)
{
	static const char text[] = "allow 10.0.0.0/8 port 53\n"
				   "allow 10.1.0.0/16 port 443\n"
				   "[host]\nallow 0.0.0.0/0\nallow ::/0\n"
				   "[container abc]\nallow 192.0.2.0/24 port 80\n"
				   "[pod 0123-4567]\nallow 198.51.100.0/24 port 8000-8100\n"
				   "[cgroup /system.slice/docker-*.scope]\nallow 2001:db8::/32 port 443\n";
	struct exray_policy *p;
	struct exray_policy_eval *pe;
	char err[256];
	struct exray_policy_subject host = { .host = true, .cgroup_path = "/" };
	struct exray_policy_subject abc = { .container_id = "ABCDEF", .cgroup_path = "/system.slice/docker-abcdef.scope" };
	struct exray_policy_subject pod = { .container_id = "fff", .pod_uid = "0123_4567",
					    .cgroup_path = "/kubepods/pod0123_4567/fff" };
	struct exray_policy_subject none = { 0 };
	const struct exray_policy_section *why;
	__u8 mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3 };

	assert_int_equal(exray_policy_parse(&p, "t", text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(exray_policy_eval_new(&pe, p), 0);

	assert_true(allows(pe, &host, "203.0.113.9", 1234));
	assert_true(allows(pe, &host, "2001:db8::1", 1));
	assert_false(allows(pe, &abc, "203.0.113.9", 1234));
	/* [all] applies to everyone; inherited ports under the longest prefix */
	assert_true(allows(pe, &abc, "10.9.9.9", 53));
	assert_true(allows(pe, &abc, "10.1.9.9", 53));
	assert_true(allows(pe, &abc, "10.1.9.9", 443));
	assert_false(allows(pe, &abc, "10.2.9.9", 443));
	/* container prefix, case-insensitive; cgroup glob crosses no section */
	assert_true(allows(pe, &abc, "192.0.2.77", 80));
	assert_false(allows(pe, &abc, "192.0.2.77", 81));
	assert_true(allows(pe, &abc, "2001:db8:1::1", 443));
	assert_false(allows(pe, &abc, "2001:db9::1", 443));
	assert_false(allows(pe, &pod, "192.0.2.77", 80));
	/* pod uid: '_' equals '-' */
	assert_true(allows(pe, &pod, "198.51.100.1", 8050));
	assert_false(allows(pe, &pod, "198.51.100.1", 8101));
	assert_false(allows(pe, &none, "198.51.100.1", 8050));
	/* IPv4-mapped IPv6 is judged as IPv4 */
	assert_true(exray_policy_eval_allows(pe, &abc, 6, mapped, 443, &why));
	assert_non_null(why);
	assert_int_equal(why->scope, EXRAY_POLICY_ALL);
	assert_false(exray_policy_eval_allows(pe, &abc, 6, mapped, 80, &why));
	assert_null(why);
	exray_policy_eval_free(pe);
}

static void test_parse_cidr(void **state)
{
	__u8 fam, a[16];
	unsigned len;

	assert_int_equal(exray_parse_cidr("192.0.2.0/24", &fam, a, &len), 0);
	assert_int_equal(fam, 4);
	assert_int_equal(len, 24);
	assert_int_equal(exray_parse_cidr("192.0.2.1/24", &fam, a, &len), -EEXIST);
	assert_int_equal(a[3], 0);
	assert_int_equal(exray_parse_cidr("2001:db8::/33", &fam, a, &len), 0);
	assert_int_equal(fam, 6);
	assert_int_equal(exray_parse_cidr("2001:db8::/129", &fam, a, &len), -ERANGE);
	assert_int_equal(exray_parse_cidr("nope", &fam, a, &len), -EINVAL);
	assert_int_equal(exray_parse_cidr("", &fam, a, &len), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test_setup_teardown(test_load_include, files_setup, files_teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, files_setup, files_teardown),
		cmocka_unit_test(test_flatten),
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_parse_cidr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
