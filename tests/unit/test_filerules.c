/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The file filter's rules (recorder/filerules.c) and the options that feed
 * them (--watch, --no-file-events, --events): key encoding, --watch specs,
 * and what the default list makes of sample paths through the same
 * longest-prefix match the kernel trie does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "../../recorder/record.h"

static void test_prefix_key(void **state)
{
	struct exray_prefix_key k;
	char long_path[EXRAY_PREFIX_MAX + 2];

	(void)state;
	assert_int_equal(rec_file_prefix_key("/etc/", &k), 0);
	assert_int_equal(k.bits, 8 * 5);
	assert_memory_equal(k.path, "/etc/", 5);
	/* an exact path includes its NUL: /etc/shadowX does not match */
	assert_int_equal(rec_file_prefix_key("/etc/shadow", &k), 0);
	assert_int_equal(k.bits, 8 * 12);
	assert_int_equal(k.path[11], 0);
	assert_int_equal(rec_file_prefix_key("/etc/ssh/ssh_host_*", &k), 0);
	assert_int_equal(k.bits, 8 * 18);
	assert_int_equal(rec_file_prefix_key("etc/", &k), -EINVAL);
	assert_int_equal(rec_file_prefix_key("", &k), -EINVAL);
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = 0;
	assert_int_equal(rec_file_prefix_key(long_path, &k), -EINVAL);
}

static void test_watch_specs(void **state)
{
	char specs[2][EXRAY_PREFIX_MAX];

	(void)state;
	assert_int_equal(rec_watch_specs("/srv/app", specs), 2);
	assert_string_equal(specs[0], "/srv/app");
	assert_string_equal(specs[1], "/srv/app/");
	assert_int_equal(rec_watch_specs("/srv/app//", specs), 2);
	assert_string_equal(specs[0], "/srv/app");
	assert_int_equal(rec_watch_specs("/", specs), 1);
	assert_string_equal(specs[0], "/");
	assert_int_equal(rec_watch_specs("srv", specs), -EINVAL);
	assert_int_equal(rec_watch_specs("", specs), -EINVAL);
}

/* Every default rule is well formed: prefixes encode, names fit the key. */
static void test_defaults_well_formed(void **state)
{
	struct exray_prefix_key k;
	const struct rec_file_rule *r;
	size_t n;

	(void)state;
	r = rec_file_default_prefixes(&n);
	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(rec_file_prefix_key(r[i].spec, &k), 0);
		assert_true(r[i].bits != 0);
	}
	r = rec_file_default_names(&n);
	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		assert_true(strlen(r[i].spec) < EXRAY_NAME_MAX);
		assert_null(strchr(r[i].spec, '/'));
	}
}

static const struct {
	const char *path;
	__u32 want; /* bits of the trie's answer that must be set */
	__u32 not;  /* ... and not set */
} samples[] = {
	{ "/etc/passwd", EXRAY_RULE_CHANGE, EXRAY_RULE_READ },
	{ "/etc/shadow", EXRAY_RULE_READ | EXRAY_RULE_CHANGE, 0 },
	{ "/etc/shadowX", EXRAY_RULE_CHANGE, EXRAY_RULE_READ },
	{ "/etc/cron.d/evil", EXRAY_RULE_CHANGE, 0 },
	{ "/etc/ssh/ssh_host_ed25519_key", EXRAY_RULE_READ, 0 },
	{ "/usr/bin/ls", EXRAY_RULE_CHANGE, 0 },
	{ "/var/log/auth.log", EXRAY_RULE_CHANGE, 0 },
	{ "/proc/sys/kernel/core_pattern", EXRAY_RULE_CHANGE, 0 },
	{ "/proc/sys/kernel/sysrq", EXRAY_RULE_CHANGE, EXRAY_RULE_READ },
	{ "/proc/sys/net/ipv4/ip_forward", EXRAY_RULE_CHANGE, 0 },
	{ "/proc/sysrq-trigger", EXRAY_RULE_CHANGE, 0 },
	{ "/proc/sysrq-triggerX", 0, ~0u },
	{ "/sys/kernel/uevent_helper", EXRAY_RULE_CHANGE, 0 },
	{ "/sys/module/nf_conntrack/parameters/hashsize", EXRAY_RULE_CHANGE, 0 },
	{ "/sys/fs/cgroup/cpu.max", 0, ~0u },
	{ "/proc/self/status", 0, ~0u },
	{ "/var/run/secrets/kubernetes.io/serviceaccount/token", EXRAY_RULE_READ, 0 },
	{ "/var/lib/kubelet/pods/u1/volumes/kubernetes.io~projected/k/token", EXRAY_RULE_READ, 0 },
	{ "/tmp/x", 0, ~0u },
	{ "/home/u/build/main.o", 0, ~0u },
	{ "/etcetera", 0, ~0u },
};

/* Names judged on a mount other than the task's root (a host path bound
 * into a container): the file's own name, or its directory's. */
static __u32 name_rule(const char *name)
{
	const struct rec_file_rule *r;
	size_t n;
	__u32 bits = 0;

	r = rec_file_default_names(&n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(r[i].spec, name))
			bits |= r[i].bits;
	return bits;
}

static void test_mount_names(void **state)
{
	(void)state;
	assert_true(name_rule("cron.d") & EXRAY_RULE_DIR_MOUNT_CHANGE);
	assert_true(name_rule("crontabs") & EXRAY_RULE_DIR_MOUNT_CHANGE);
	assert_true(name_rule("sudoers.d") & EXRAY_RULE_DIR_MOUNT_CHANGE);
	assert_true(name_rule("sudoers") & EXRAY_RULE_MOUNT_CHANGE);
	assert_true(name_rule("passwd") & EXRAY_RULE_MOUNT_CHANGE);
	/* shadow keeps its read candidacy besides */
	assert_true(name_rule("shadow") & EXRAY_RULE_MOUNT_CHANGE);
	assert_true(name_rule("shadow") & EXRAY_RULE_READ_IF);
	assert_int_equal(name_rule("data.db"), 0);
	/* the host's programs and the kubelet's static pods on a host path */
	assert_true(name_rule("bin") & EXRAY_RULE_DIR_MOUNT_CHANGE);
	assert_true(name_rule("sbin") & EXRAY_RULE_DIR_MOUNT_CHANGE);
	assert_true(name_rule("manifests") & EXRAY_RULE_DIR_MOUNT_CHANGE);
	/* another pod's token: a read candidate, recorded below the pods/ prefix */
	assert_true(name_rule("token") & EXRAY_RULE_READ_IF);
	/* cgroup control files: judged by name on a cgroup filesystem */
	assert_true(name_rule("cgroup.procs") & EXRAY_RULE_CGROUP_CTL);
	assert_true(name_rule("tasks") & EXRAY_RULE_CGROUP_CTL);
	assert_true(name_rule("devices.allow") & EXRAY_RULE_CGROUP_CTL);
	assert_true(name_rule("notify_on_release") & EXRAY_RULE_CGROUP_CTL);
	assert_true(name_rule("release_agent") & EXRAY_RULE_CGROUP_CTL);
	assert_true(name_rule("release_agent") & EXRAY_RULE_CHANGE);
	assert_false(name_rule("memory.max") & EXRAY_RULE_CGROUP_CTL);
}

static void test_default_matches(void **state)
{
	static struct rec_prefix_entry e[REC_FILE_PREFIXES_MAX];
	size_t n;

	(void)state;
	assert_int_equal(rec_file_rules_build(NULL, 0, e, REC_FILE_PREFIXES_MAX, &n), 0);
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		__u32 b = rec_file_prefix_match(e, n, samples[i].path);

		if ((b & samples[i].want) != samples[i].want || (b & samples[i].not))
			fail_msg("%s: bits %#x", samples[i].path, b);
	}
}

/* --watch adds prefixes, and a watched directory is not shadowed by a
 * longer default entry below it (the trie answers with one entry). */
static void test_watch_inherited(void **state)
{
	static struct rec_prefix_entry e[REC_FILE_PREFIXES_MAX];
	const char *const watch[] = { "/run", "/srv/app" };
	size_t n;

	(void)state;
	assert_int_equal(rec_file_rules_build(watch, 2, e, REC_FILE_PREFIXES_MAX, &n), 0);
	assert_true(rec_file_prefix_match(e, n, "/srv/app/config.yml") & EXRAY_RULE_WATCH);
	assert_true(rec_file_prefix_match(e, n, "/srv/app") & EXRAY_RULE_WATCH);
	assert_false(rec_file_prefix_match(e, n, "/srv/application") & EXRAY_RULE_WATCH);
	assert_true(rec_file_prefix_match(e, n, "/run/secrets/db") & EXRAY_RULE_WATCH);
	assert_true(rec_file_prefix_match(e, n, "/run/secrets/db") & EXRAY_RULE_READ);
	/* duplicates merge: one entry per key */
	assert_int_equal(rec_file_rules_build((const char *const[]){ "/etc", "/etc/" }, 2, e,
					      REC_FILE_PREFIXES_MAX, &n), 0);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_false(e[i].key.bits == e[j].key.bits &&
				     !memcmp(e[i].key.path, e[j].key.path, e[i].key.bits / 8));
}

static int parse(struct rec_opts *o, char **argv, char *err, size_t errlen)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	rec_opts_defaults(o);
	return rec_opts_parse(o, argc, argv, err, errlen);
}

static void test_options(void **state)
{
	struct rec_opts o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, (char *[]){ "r", NULL }, err, sizeof(err)), 0);
	assert_int_equal(o.events, EXRAY_EV_ALL);
	assert_true(o.events & EXRAY_EV_FILE);
	assert_int_equal(parse(&o, (char *[]){ "r", "--no-file-events", NULL }, err, sizeof(err)), 0);
	assert_false(o.events & EXRAY_EV_FILE);
	assert_true(o.events & EXRAY_EV_PRIV);
	assert_int_equal(parse(&o, (char *[]){ "r", "--watch", "/srv", "--watch", "/opt/x/", NULL },
			       err, sizeof(err)), 0);
	assert_int_equal(o.n_watch, 2);
	assert_string_equal(o.watch[1], "/opt/x/");
	assert_int_equal(parse(&o, (char *[]){ "r", "--watch", "srv", NULL }, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "--watch"));
	assert_int_equal(parse(&o, (char *[]){ "r", "--watch", "/srv", "--no-file-events", NULL },
			       err, sizeof(err)), -EINVAL);
	assert_int_equal(parse(&o, (char *[]){ "r", "-e", "exec,uring,memfd", NULL }, err,
			       sizeof(err)), 0);
	assert_int_equal(o.events, EXRAY_EV_EXEC | EXRAY_EV_URING | EXRAY_EV_MEMFD);
	assert_int_equal(parse(&o, (char *[]){ "r", "-e", "exec,files", NULL }, err, sizeof(err)),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_key),
		cmocka_unit_test(test_watch_specs),
		cmocka_unit_test(test_defaults_well_formed),
		cmocka_unit_test(test_default_matches),
		cmocka_unit_test(test_mount_names),
		cmocka_unit_test(test_watch_inherited),
		cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
