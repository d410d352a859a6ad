/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Built-in rules (the .sql files in analyzer/rules) on a synthetic case database made
 * from schema/schema.sql: each rule fires where it must and stays silent
 * where it must not; alerts are stored once however often check runs; the
 * rule header parser rejects bad headers. Real recorded traces are
 * exercised by tests/integration/detection*.sh.
 */
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
#include "ingest/ingest.h"
#include "segfix.h"
#include "detect/detect.h"
#include "rulefix.h"
#include "policy/policy_eval.h"
#include "casedb/sqlfuncs.h"

#define CID1 "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1"
#define CID2 "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2"

/*
 * One host (pid ns 100, mnt ns 101, net ns 102) with two containers.
 * exec rows: (exec_id, proc_id, ts, kind, filename, argv, uid, euid,
 * container, pidns, mntns, netns, vpid). Comments say which rule each row
 * is for; "+" must fire, "-" must not.
 */
static const char fixture[] =
	"INSERT INTO hosts (host_id, hostname, boot_id, boot_to_wall_ns, host_pidns, host_mntns)"
	" VALUES (1, 'h1', '00000000-0000-0000-0000-000000000001', 1700000000000000000, 100, 101);"
	"INSERT INTO containers (container_id, host_id, runtime, cid, short_id, cgroup_path) VALUES"
	" (1, 1, 'docker', '" CID1 "', 'c1c1c1c1c1c1', '/system.slice/docker-" CID1 ".scope'),"
	" (2, 1, 'docker', '" CID2 "', 'c2c2c2c2c2c2', '/system.slice/docker-" CID2 ".scope');"
	"INSERT INTO cgroups (host_id, cgroup_id, path, container_id) VALUES"
	" (1, 1, '/', NULL), (1, 501, '/system.slice/docker-" CID1 ".scope', 1),"
	" (1, 502, '/system.slice/docker-" CID2 ".scope', 2);"
	/* processes: 1-9 and 51-60 host, 10-29 and 61-70 container 1, 30-49 container 2 */
	"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 70)"
	" INSERT INTO processes (proc_id, host_id, pid, start, cgroup_id, container_id)"
	" SELECT i, 1, 1000 + i, i * 1000, CASE WHEN i < 10 OR i BETWEEN 51 AND 60 THEN 1"
	" WHEN i < 30 OR i > 60 THEN 501 ELSE 502 END,"
	" CASE WHEN i < 10 OR i BETWEEN 51 AND 60 THEN NULL WHEN i < 30 OR i > 60 THEN 1 ELSE 2 END FROM n;"
	/* runc (51) forks 52, 57 and 58; sh (53) forks 54; /tmp/runc (55) forks 56 */
	"UPDATE processes SET parent_id = 51 WHERE proc_id IN (52, 57, 58);"
	"UPDATE processes SET parent_id = 53 WHERE proc_id = 54;"
	"UPDATE processes SET parent_id = 55 WHERE proc_id = 56;"
	"INSERT INTO execs (exec_id, proc_id, host_id, pid, start, ts, kind, ret, filename, argv, cmdline,"
	" uid, euid, container_id, pidns, mntns, netns, vpid) VALUES"
	/* snapshots: host init; container 1 runs nginx as its pid 1; container 2 runs curl */
	" (1, 1, 1, 1001, 1000, 1, 'snapshot', 0, '/sbin/init', '[\"init\"]', 'init', 0, 0, NULL, 100, 101, 102, 1),"
	" (2, 10, 1, 1010, 10000, 1, 'snapshot', 0, '/usr/sbin/nginx', '[\"nginx\"]', 'nginx', 0, 0, 1, 200, 201, 202, 1),"
	" (3, 30, 1, 1030, 30000, 1, 'snapshot', 0, '/usr/bin/curl', '[\"curl\",\"-s\"]', 'curl -s', 0, 0, 2, 300, 301, 302, 1),"
	" (4, 31, 1, 1031, 31000, 1, 'snapshot', 0, '/bin/busybox', '[\"wget\",\"-q\"]', 'wget -q', 0, 0, 2, 300, 301, 302, 2),"
	/* shell-in-container (interactive shells only): - sh -c in c1 (vpid 7); - sh as c2's
	 * pid 1; - ls in c1; - sh on host; + busybox sh (reads stdin); - busybox ls;
	 * - failed exec of sh */
	" (10, 11, 1, 1011, 11000, 10e9, 'exec', 0, '/bin/sh', '[\"sh\",\"-c\",\"id\"]', 'sh -c id', 0, 0, 1, 200, 201, 202, 7),"
	" (11, 32, 1, 1032, 32000, 11e9, 'exec', 0, '/bin/sh', '[\"sh\"]', 'sh', 0, 0, 2, 300, 301, 302, 1),"
	" (12, 12, 1, 1012, 12000, 12e9, 'exec', 0, '/bin/ls', '[\"ls\"]', 'ls', 0, 0, 1, 200, 201, 202, 8),"
	" (13, 2, 1, 1002, 2000, 13e9, 'exec', 0, '/bin/bash', '[\"bash\"]', 'bash', 0, 0, NULL, 100, 101, 102, NULL),"
	" (14, 13, 1, 1013, 13000, 14e9, 'exec', 0, '/bin/busybox', '[\"busybox\",\"sh\"]', 'busybox sh', 0, 0, 1, 200, 201, 202, 9),"
	" (15, 14, 1, 1014, 14000, 15e9, 'exec', 0, '/bin/busybox', '[\"busybox\",\"ls\"]', 'busybox ls', 0, 0, 1, 200, 201, 202, 10),"
	" (16, 15, 1, 1015, 15000, 16e9, 'exec', -2, '/bin/zsh', '[\"zsh\"]', 'zsh', 0, 0, 1, 200, 201, 202, 11),"
	/* exec-from-temp: + /tmp/x on host; + /dev/shm/.x in c1; + memfd snapshot; + /dev/fd/3;
	 * - /tmpfoo/x; - /usr/bin/tmp */
	" (20, 3, 1, 1003, 3000, 20e9, 'exec', 0, '/tmp/x', '[\"/tmp/x\"]', '/tmp/x', 1000, 1000, NULL, 100, 101, 102, NULL),"
	" (21, 16, 1, 1016, 16000, 21e9, 'exec', 0, '/dev/shm/.x', '[\".x\"]', '.x', 0, 0, 1, 200, 201, 202, 12),"
	" (22, 4, 1, 1004, 4000, 1, 'snapshot', 0, '/memfd:payload (deleted)', '[\"kworker\"]', 'kworker', 0, 0, NULL, 100, 101, 102, NULL),"
	" (23, 5, 1, 1005, 5000, 23e9, 'exec', 0, '/dev/fd/3', '[\"x\"]', 'x', 0, 0, NULL, 100, 101, 102, NULL),"
	" (24, 6, 1, 1006, 6000, 24e9, 'exec', 0, '/tmpfoo/x', '[\"x\"]', 'x', 0, 0, NULL, 100, 101, 102, NULL),"
	" (25, 7, 1, 1007, 7000, 25e9, 'exec', 0, '/usr/bin/tmp', '[\"tmp\"]', 'tmp', 0, 0, NULL, 100, 101, 102, NULL),"
	/* host-namespace-entry: + c1 process in host pid+mnt ns; + only mnt; - only host netns */
	" (30, 17, 1, 1017, 17000, 30e9, 'exec', 0, '/usr/bin/nsenter', '[\"nsenter\",\"-t\",\"1\",\"-a\"]', 'nsenter -t 1 -a', 0, 0, 1, 100, 101, 102, NULL),"
	" (31, 18, 1, 1018, 18000, 31e9, 'exec', 0, '/bin/cat', '[\"cat\"]', 'cat', 0, 0, 1, 200, 101, 202, 13),"
	" (32, 33, 1, 1033, 33000, 32e9, 'exec', 0, '/bin/true', '[\"true\"]', 'true', 0, 0, 2, 300, 301, 102, 3),"
	/* setuid-root-gain: + uid 1000 -> euid 0 (sudo); - root to root; + previous image euid 1000,
	 * now uid 0 euid 0; - uid 1000 euid 1000; - failed exec */
	" (40, 8, 1, 1008, 8000, 40e9, 'exec', 0, '/usr/bin/sudo', '[\"sudo\",\"id\"]', 'sudo id', 1000, 0, NULL, 100, 101, 102, NULL),"
	" (41, 9, 1, 1009, 9000, 41e9, 'exec', 0, '/usr/bin/id', '[\"id\"]', 'id', 0, 0, NULL, 100, 101, 102, NULL),"
	" (42, 19, 1, 1019, 19000, 42e9, 'exec', 0, '/app/run', '[\"run\"]', 'run', 1000, 1000, 1, 200, 201, 202, 14),"
	" (43, 19, 1, 1019, 19000, 43e9, 'exec', 0, '/app/rootme', '[\"rootme\"]', 'rootme', 0, 0, 1, 200, 201, 202, 14),"
	" (44, 20, 1, 1020, 20000, 44e9, 'exec', 0, '/usr/bin/id', '[\"id\"]', 'id', 1000, 1000, 1, 200, 201, 202, 15),"
	" (45, 21, 1, 1021, 21000, 45e9, 'exec', -13, '/usr/bin/sudo', '[\"sudo\"]', 'sudo', 1000, 0, 1, 200, 201, 202, 16),"
	/* new-tool-in-container: + wget in c1; - curl in c2 (in its snapshot); - wget in c2
	 * (busybox applet in its snapshot); - wget on host */
	" (50, 22, 1, 1022, 22000, 50e9, 'exec', 0, '/usr/bin/wget', '[\"wget\",\"http://192.0.2.9/x\"]', 'wget http://192.0.2.9/x', 0, 0, 1, 200, 201, 202, 17),"
	" (51, 34, 1, 1034, 34000, 51e9, 'exec', 0, '/usr/bin/curl', '[\"curl\"]', 'curl', 0, 0, 2, 300, 301, 302, 4),"
	" (52, 35, 1, 1035, 35000, 52e9, 'exec', 0, '/bin/wget', '[\"wget\"]', 'wget', 0, 0, 2, 300, 301, 302, 5),"
	" (53, 9, 1, 1009, 9000, 53e9, 'exec', 0, '/usr/bin/wget', '[\"wget\"]', 'wget', 0, 0, NULL, 100, 101, 102, NULL),"
	/* exec-then-egress: one c1 process (proc 23) execs three images in a row and connects
	 * after each (+ + +, the third 20 s later: -); c1's pid 1 connecting: - */
	" (60, 23, 1, 1023, 23000, 60e9, 'exec', 0, '/usr/bin/curl', '[\"curl\"]', 'curl', 0, 0, 1, 200, 201, 202, 18),"
	" (61, 23, 1, 1023, 23000, 61e9, 'exec', 0, '/tmp/payload', '[\"payload\"]', 'payload', 0, 0, 1, 200, 201, 202, 18),"
	" (62, 23, 1, 1023, 23000, 62e9, 'exec', 0, '/bin/nc', '[\"nc\",\"192.0.2.1\",\"4444\"]', 'nc 192.0.2.1 4444', 0, 0, 1, 200, 201, 202, 18),"
	" (63, 24, 1, 1024, 24000, 63e9, 'exec', 0, '/bin/late', '[\"late\"]', 'late', 0, 0, 1, 200, 201, 202, 19),"
	" (64, 25, 1, 1025, 25000, 64e9, 'exec', 0, '/app/server', '[\"server\"]', 'server', 0, 0, 1, 200, 201, 202, 1),"
	/* exec-from-temp and runc re-executing itself from a memfd (CVE-2019-5736 mitigation):
	 * - runc init from /dev/fd/5 under runc (after its /proc/self/exe exec); + the same
	 * argv under sh; + /tmp/runc itself; + runc init under /tmp/runc; + another memfd
	 * image under runc; - runc init as /proc/self/fd/4 with a full argv[0] path */
	" (70, 51, 1, 1051, 51000, 70e9, 'exec', 0, '/usr/sbin/runc', '[\"runc\",\"exec\",\"x\",\"sh\"]', 'runc exec x sh', 0, 0, NULL, 100, 101, 102, NULL),"
	" (71, 52, 1, 1052, 52000, 71e9, 'exec', 0, '/proc/self/exe', '[\"runc\",\"init\"]', 'runc init', 0, 0, NULL, 100, 101, 102, NULL),"
	" (72, 52, 1, 1052, 52000, 72e9, 'exec', 0, '/dev/fd/5', '[\"runc\",\"init\"]', 'runc init', 0, 0, NULL, 100, 101, 102, NULL),"
	" (73, 53, 1, 1053, 53000, 73e9, 'exec', 0, '/bin/sh', '[\"sh\"]', 'sh', 0, 0, NULL, 100, 101, 102, NULL),"
	" (74, 54, 1, 1054, 54000, 74e9, 'exec', 0, '/dev/fd/5', '[\"runc\",\"init\"]', 'runc init', 0, 0, NULL, 100, 101, 102, NULL),"
	" (75, 55, 1, 1055, 55000, 75e9, 'exec', 0, '/tmp/runc', '[\"runc\",\"run\",\"x\"]', 'runc run x', 0, 0, NULL, 100, 101, 102, NULL),"
	" (76, 56, 1, 1056, 56000, 76e9, 'exec', 0, '/dev/fd/5', '[\"runc\",\"init\"]', 'runc init', 0, 0, NULL, 100, 101, 102, NULL),"
	" (77, 57, 1, 1057, 57000, 77e9, 'exec', 0, '/dev/fd/3', '[\"payload\"]', 'payload', 0, 0, NULL, 100, 101, 102, NULL),"
	" (78, 58, 1, 1058, 58000, 78e9, 'exec', 0, '/proc/self/fd/4', '[\"/usr/bin/runc\",\"init\"]', '/usr/bin/runc init', 0, 0, NULL, 100, 101, 102, NULL),"
	/* busybox applets re-executed as /proc/self/exe, named by argv[0]: shell-in-container
	 * - sh -c (a command, not interactive); - cat; - a script run by /bin/sh (argv[0]
	 * set by the kernel);
	 * new-tool-in-container + wget in c1; + busybox nc in c1; - wget in c2 (its snapshot ran it) */
	" (80, 61, 1, 1061, 61000, 80e9, 'exec', 0, '/proc/self/exe', '[\"sh\",\"-c\",\"id\"]', 'sh -c id', 0, 0, 1, 200, 201, 202, 20),"
	" (81, 62, 1, 1062, 62000, 81e9, 'exec', 0, '/proc/self/exe', '[\"cat\",\"/etc/passwd\"]', 'cat /etc/passwd', 0, 0, 1, 200, 201, 202, 21),"
	" (82, 63, 1, 1063, 63000, 82e9, 'exec', 0, 'ping', '[\"/bin/sh\",\"ping\"]', '/bin/sh ping', 0, 0, 1, 200, 201, 202, 22),"
	" (83, 64, 1, 1064, 64000, 83e9, 'exec', 0, '/proc/self/exe', '[\"wget\",\"-q\",\"http://192.0.2.9/x\"]', 'wget -q http://192.0.2.9/x', 0, 0, 1, 200, 201, 202, 23),"
	" (84, 65, 1, 1065, 65000, 84e9, 'exec', 0, '/bin/busybox', '[\"busybox\",\"nc\",\"192.0.2.1\",\"80\"]', 'busybox nc 192.0.2.1 80', 0, 0, 1, 200, 201, 202, 24),"
	" (85, 36, 1, 1036, 36000, 85e9, 'exec', 0, '/proc/self/exe', '[\"wget\"]', 'wget', 0, 0, 2, 300, 301, 302, 6),"
	/* exec-from-temp by odd spellings (issue 18 item 7): + //tmp/x; + /usr/../tmp/y;
	 * + ld.so /tmp/z; - ld.so --library-path /tmp /usr/bin/id */
	" (86, 70, 1, 1070, 70000, 86e9, 'exec', 0, '//tmp/x', '[\"x\"]', 'x', 0, 0, 1, 200, 201, 202, 30),"
	" (87, 71, 1, 1071, 71000, 87e9, 'exec', 0, '/usr/../tmp/y', '[\"y\"]', 'y', 0, 0, 1, 200, 201, 202, 31),"
	" (88, 72, 1, 1072, 72000, 88e9, 'exec', 0, '/lib64/ld-linux-x86-64.so.2', '[\"ld.so\",\"/tmp/z\"]', 'ld.so /tmp/z', 0, 0, 1, 200, 201, 202, 32),"
	" (89, 73, 1, 1073, 73000, 89e9, 'exec', 0, '/lib64/ld-linux-x86-64.so.2', '[\"ld.so\",\"--library-path\",\"/tmp\",\"/usr/bin/id\"]', 'ld.so --library-path /tmp /usr/bin/id', 0, 0, 1, 200, 201, 202, 33);"
	"INSERT INTO connections (conn_id, proc_id, host_id, pid, start, ts, exec_id, container_id, cgroup_id,"
	" family, daddr, dport) VALUES"
	" (1, 23, 1, 1023, 23000, 60.5e9, 60, 1, 501, 4, '192.0.2.10', 80),"
	" (2, 23, 1, 1023, 23000, 60.7e9, 60, 1, 501, 4, '192.0.2.10', 443),"
	" (3, 23, 1, 1023, 23000, 61.2e9, 61, 1, 501, 4, '198.51.100.7', 8080),"
	" (4, 23, 1, 1023, 23000, 62.1e9, 62, 1, 501, 4, '192.0.2.1', 4444),"
	" (5, 24, 1, 1024, 24000, 83e9, 63, 1, 501, 6, '2001:db8::7', 443),"
	" (6, 25, 1, 1025, 25000, 64.1e9, 64, 1, 501, 4, '10.0.0.53', 53),"
	" (7, 2, 1, 1002, 2000, 70e9, 13, NULL, 1, 4, '203.0.113.5', 22),"
	" (8, 30, 1, 1030, 30000, 71e9, 3, 2, 502, 4, '192.0.2.10', 3333);"
	/* raw-socket-syn: - the SYN of connection 1; + a SYN with no connect from c1;
	 * - one with no socket cgroup (forwarded, not sent by a local socket) */
	"INSERT INTO syns (syn_id, host_id, ts, cgroup_id, container_id, family, saddr, sport, daddr, dport,"
	" verdict, conn_id) VALUES"
	" (1, 1, 60.5e9, 501, 1, 4, '192.0.2.99', 40001, '192.0.2.10', 80, 'none', 1),"
	" (2, 1, 90e9, 501, 1, 4, '192.0.2.99', 40000, '192.0.2.10', 22, 'none', NULL),"
	" (3, 1, 91e9, 0, NULL, 4, '192.0.2.98', 40000, '192.0.2.10', 22, 'none', NULL);";

static sqlite3 *db;
static struct exray_ruleset rules;

static int setup(void **state)
{
	return rulefix_open(&db, &rules, fixture);
}

static int teardown(void **state)
{
	rulefix_close(db, &rules);
	return 0;
}

/* The keys of rule ID's alerts (tests/unit/rulefix.c). */
static const char *fired(const char *id)
{
	return rulefix_fired(db, &rules, id, "CAST(substr(key, 2) AS INTEGER)");
}

static void test_builtin_set(void **state)
{
	static const char *const want[] = {
		"shell-in-container", "egress-not-allowed", "exec-then-egress", "exec-from-temp",
		"host-namespace-entry", "setuid-root-gain", "suspicious-port", "new-tool-in-container",
		"raw-socket-syn",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		bool found = false;
		for (size_t j = 0; j < rules.n; j++)
			found |= !strcmp(rules.v[j].id, want[i]);
		if (!found)
			fail_msg("built-in rule %s missing", want[i]);
	}
}

/* Binaries written inside a container (overlayfs upper layer) and run:
 * one alert per container and executable, its first run; host execs, the
 * image's own binaries, failed execs and a compiler's output run in the
 * container that built it stay silent. */
static void test_not_in_image(void **state)
{
	assert_int_equal(db_exec(db, "UPDATE execs SET exe = filename, exe_flags = 4"
				     " WHERE exec_id IN (2, 3, 14) OR (container_id IS NULL AND exec_id = 1)"), 0);
	assert_string_equal(fired("not-in-image"), "e1:/bin/busybox e1:/usr/sbin/nginx e2:/usr/bin/curl");
	/* a compiler in c1 wrote nginx (a build step running what it built): silent;
	 * the same compiler's output in c1 says nothing about curl in c2 */
	assert_int_equal(db_exec(db, "INSERT INTO execs (exec_id, proc_id, host_id, pid, start, ts, kind, ret,"
				     " filename, argv, cmdline, uid, euid, container_id) VALUES (900, 17, 1, 1017, 17000, 1e9,"
				     " 'exec', 0, '/usr/bin/tcc', '[\"tcc\"]', 'tcc', 0, 0, 1);"
				     "INSERT INTO file_events (event_id, proc_id, host_id, pid, start, ts, exec_id, container_id,"
				     " op, ret, path, exec_bits) VALUES (900, 17, 1, 1017, 17000, 1, 900, 1, 'create', 3,"
				     " '/usr/sbin/nginx', 1), (901, 17, 1, 1017, 17000, 1, 900, 1, 'create', 3, '/usr/bin/curl', 1)"),
			 0);
	assert_string_equal(fired("not-in-image"), "e1:/bin/busybox e2:/usr/bin/curl");
	/* the same file written by cp, not a compiler: it fires again */
	assert_int_equal(db_exec(db, "UPDATE execs SET filename = '/bin/cp', argv = '[\"cp\"]' WHERE exec_id = 900"), 0);
	assert_string_equal(fired("not-in-image"), "e1:/bin/busybox e1:/usr/sbin/nginx e2:/usr/bin/curl");
	assert_int_equal(db_exec(db, "DELETE FROM file_events WHERE event_id IN (900, 901);"
				     "DELETE FROM execs WHERE exec_id = 900"), 0);
	assert_int_equal(db_exec(db, "UPDATE execs SET exe = NULL, exe_flags = NULL"
				     " WHERE exec_id IN (1, 2, 3, 14)"), 0);
	assert_string_equal(fired("not-in-image"), "");
}

static void test_shell_in_container(void **state)
{
	assert_string_equal(fired("shell-in-container"), "e14");
}

static void test_exec_from_temp(void **state)
{
	assert_string_equal(fired("exec-from-temp"), "e20 e21 e22 e23 e61 e74 e75 e76 e77 e86 e87 e88");
}

/* path_norm(), what rules compare paths by when no resolved image was
 * recorded: table of (path, cwd, expected) */
static void test_path_norm(void **state)
{
	static const char *const t[][3] = {
		{ "//tmp/x", NULL, "/tmp/x" },       { "/usr/../tmp/x", NULL, "/tmp/x" },
		{ "./x", "/tmp", "/tmp/x" },         { "x", "/tmp/", "/tmp/x" },
		{ "../../a", "/tmp/b/c", "/tmp/a" }, { "/../x", NULL, "/x" },
		{ "/a/./b/", NULL, "/a/b" },         { "/", NULL, "/" },
		{ "a/../../b", NULL, "../b" },       { "./x", NULL, "x" },
		{ "/tmp/x", "/ignored", "/tmp/x" },  { "", NULL, "." },
		/* paths already normal (the SQL function returns them as given)
		 * and near misses it must not */
		{ "/a/..b/.c", NULL, "/a/..b/.c" },  { "/a/.../c", NULL, "/a/.../c" },
		{ "/a/b/.", NULL, "/a/b" },          { "/a/b/..", NULL, "/a" },
		{ "/a//b", NULL, "/a/b" },           { "/a/b/", NULL, "/a/b" },
		{ "//", NULL, "/" },                 { "/.", NULL, "/" },
	};
	sqlite3 *mdb = NULL;
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_open(":memory:", &mdb), SQLITE_OK);
	assert_int_equal(sqlite3_create_function(mdb, "path_norm", 2, SQLITE_UTF8, NULL, exray_fn_path_norm,
						 NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(mdb, "SELECT path_norm(?1, ?2)", -1, &st, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *r = exray_path_norm(t[i][0], t[i][1]);
		assert_non_null(r);
		assert_string_equal(r, t[i][2]);
		free(r);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, t[i][0], -1, SQLITE_STATIC);
		if (t[i][1])
			sqlite3_bind_text(st, 2, t[i][1], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 2);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), t[i][2]);
	}
	sqlite3_finalize(st);
	sqlite3_close(mdb);
}

static void test_host_namespace_entry(void **state)
{
	assert_string_equal(fired("host-namespace-entry"), "e30 e31");
}

static void test_setuid_root_gain(void **state)
{
	assert_string_equal(fired("setuid-root-gain"), "e40 e43");
}

static void test_new_tool(void **state)
{
	/* one alert per container and tool: its first run (e83 wget and e84 nc ran before in c1) */
	assert_string_equal(fired("new-tool-in-container"), "e50 e60 e62");
}

/* ... and `check` shows the SYN's destination (identity dst=) */
static void test_raw_socket_syn(void **state)
{
	sqlite3_stmt *st;

	char *sql;

	assert_string_equal(fired("raw-socket-syn"), "s2");
	sql = sqlite3_mprintf("SELECT inet_fmt(daddr, dport) FROM (%s) WHERE rule_id = 'raw-socket-syn'",
			      exray_run_alerts_sql);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_free(sql);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "192.0.2.10:22");
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void test_suspicious_port(void **state)
{
	assert_string_equal(fired("suspicious-port"), "c4 c8");
}

/* The correlation: one process, three images, a connection after each;
 * each alert names the exec the connection belongs to, and the first
 * connection of it. */
static void test_exec_then_egress(void **state)
{
	sqlite3_stmt *st;

	assert_string_equal(fired("exec-then-egress"), "e60 e61 e62");
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT a.exec_id, a.conn_id FROM alerts a JOIN temp.run_alerts r"
					    " USING (alert_id) ORDER BY a.exec_id", -1, &st, NULL), SQLITE_OK);
	for (int i = 0; i < 3; i++) {
		static const int want[3][2] = { { 60, 1 }, { 61, 3 }, { 62, 4 } };
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), want[i][0]);
		assert_int_equal(sqlite3_column_int(st, 1), want[i][1]);
	}
	sqlite3_finalize(st);
}

static void test_egress_not_allowed(void **state)
{
	static const char text[] = "allow 10.0.0.0/8 port 53\n"
				   "[host]\nallow 203.0.113.0/24 port 22\n"
				   "[container c1c1]\nallow 192.0.2.0/24 port 80,443,4444\n"
				   "[cgroup /system.slice/docker-c2*]\nallow 192.0.2.0/24\n";
	struct exray_policy *p;
	struct exray_policy_eval *pe;
	char err[256];

	/* no policy: silent */
	assert_string_equal(fired("egress-not-allowed"), "");
	assert_int_equal(exray_policy_parse(&p, "t", text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(exray_policy_eval_new(&pe, p), 0);
	exray_sqlfuncs_set_policy(pe);
	assert_string_equal(fired("egress-not-allowed"), "c3 c5");
	exray_sqlfuncs_set_policy(NULL);
	exray_policy_eval_free(pe);
}

static void test_idempotent(void **state)
{
	char err[512];
	long n1, n2;
	sqlite3_stmt *st;
	int before, after;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM alerts", -1, &st, NULL), SQLITE_OK);
	n1 = exray_rules_run(db, &rules, err, sizeof(err));
	assert_true(n1 > 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	before = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	n2 = exray_rules_run(db, &rules, err, sizeof(err));
	assert_int_equal(n1, n2);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	after = sqlite3_column_int(st, 0);
	assert_int_equal(before, after);
	sqlite3_finalize(st);
	/* and this run's alerts can be listed with their context */
	assert_int_equal(sqlite3_prepare_v2(db, exray_run_alerts_sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	sqlite3_finalize(st);
}

/* check --timing: a line for the shared definitions, one per rule with
 * the rows it gave, and the total. */
static void test_timing(void **state)
{
	char err[512], *text = NULL, line[256];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	long n;

	assert_non_null(out);
	exray_rules_set_timing(out);
	n = exray_rules_run(db, &rules, err, sizeof(err));
	exray_rules_set_timing(NULL);
	fclose(out);
	assert_true(n > 0);
	assert_non_null(strstr(text, "(shared definitions)\n"));
	for (size_t i = 0; i < rules.n; i++) {
		snprintf(line, sizeof(line), "  %s\n", rules.v[i].id);
		assert_non_null(strstr(text, line));
	}
	snprintf(line, sizeof(line), " %8ld  (all rules, alerts stored)\n", n);
	assert_non_null(strstr(text, line));
	assert_non_null(strstr(text, " cpu "));
	free(text);
}

/* Every alert of a run on a case file, row ids included (all but
 * created_at), as one string; and the run's --timing text in *timing. */
static char *run_on_copy(const char *path, int threads, const struct exray_ruleset *rs, long *n, char **timing)
{
	sqlite3 *cdb = NULL;
	sqlite3_stmt *st;
	char err[512], *text = NULL;
	size_t len = 0, tlen = 0;
	FILE *all = open_memstream(&text, &len), *out = open_memstream(timing, &tlen);

	assert_non_null(all);
	assert_non_null(out);
	assert_int_equal(db_open(&cdb, path, 0), 0);
	exray_rules_set_threads(threads);
	exray_rules_set_timing(out);
	*n = exray_rules_run(cdb, rs, err, sizeof(err));
	exray_rules_set_timing(NULL);
	exray_rules_set_threads(0);
	fclose(out);
	if (*n < 0)
		fprintf(all, "error: %s", err);
	assert_int_equal(sqlite3_prepare_v2(cdb, "SELECT alert_id, rule_id, severity, ts, host_id, container_id,"
					    " proc_id, pid, start, exec_id, conn_id, message, key FROM alerts"
					    " ORDER BY alert_id", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int c = 0; c < sqlite3_column_count(st); c++)
			fprintf(all, "%s%c", sqlite3_column_type(st, c) == SQLITE_NULL ? "NULL"
					     : (const char *)sqlite3_column_text(st, c),
				c + 1 < sqlite3_column_count(st) ? '|' : '\n');
	sqlite3_finalize(st);
	db_close(cdb);
	fclose(all);
	return text;
}

/* On a case file, a second thread runs rules: the alerts and their row ids
 * are those of one thread, and a failing rule still stops the run with its
 * message, whichever thread ran it. */
static void test_two_threads(void **state)
{
	char dir[] = "/tmp/exray-test-rules-XXXXXX", path[3][128], *one, *two, *t1, *t2, err[256];
	struct exray_ruleset rs = { 0, NULL };
	struct exray_rule bad, slow;
	long n1, n2;

	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 3; i++) {
		char *sql;
		snprintf(path[i], sizeof(path[i]), "%s/case%d.db", dir, i);
		sql = sqlite3_mprintf("VACUUM INTO %Q", path[i]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_free(sql);
		sql = sqlite3_mprintf("ATTACH %Q AS c; PRAGMA c.journal_mode=WAL; DETACH c", path[i]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_free(sql);
	}
	one = run_on_copy(path[0], 1, &rules, &n1, &t1);
	two = run_on_copy(path[1], 2, &rules, &n2, &t2);
	assert_true(n1 > 0);
	assert_int_equal(n1, n2);
	assert_string_equal(one, two);
	assert_null(strstr(t1, "2 threads"));
	assert_non_null(strstr(t2, "check: rules on 2 threads\n"));
	free(two);
	free(t2);
	/* the second thread runs rules that read the shared tables (from the
	 * first's image) while the first is held by a slow rule that reads them */
	assert_int_equal(exray_rules_add_builtin(&rs, err, sizeof(err)), 0);
	assert_int_equal(exray_rule_parse(&slow, "s.sql", "-- id: aaa-slow\n-- severity: low\n-- description: d\n"
				  "SELECT ts, NULL AS host_id, NULL AS container_id, proc_id, NULL AS pid,"
				  " NULL AS start, exec_id, NULL AS conn_id, 'm' AS message FROM rx_names WHERE"
				  " (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)"
				  "  SELECT count(*) FROM n) < 0", err, sizeof(err)), 0);
	rs.v = realloc(rs.v, (rs.n + 1) * sizeof(*rs.v));
	assert_non_null(rs.v);
	memmove(&rs.v[1], &rs.v[0], rs.n * sizeof(*rs.v));
	rs.v[0] = slow;
	rs.n++;
	two = run_on_copy(path[2], 2, &rs, &n2, &t2);
	assert_int_equal(n1, n2);
	assert_string_equal(one, two);
	if (!strstr(t2, "  shell-in-container  (2nd thread)\n") && !strstr(t2, "  aaa-slow  (2nd thread)\n"))
		fail_msg("no rule that reads the shared tables ran on the second thread:\n%s", t2);
	free(one);
	free(two);
	free(t1);
	free(t2);
	exray_rule_free(&rs.v[0]);
	memmove(&rs.v[0], &rs.v[1], --rs.n * sizeof(*rs.v));
	/* the built-in rules and, in the middle, one that fails */
	assert_int_equal(exray_rule_parse(&bad, "f.sql", "-- id: aaa-bad\n-- severity: low\n-- description: d\n"
				  "SELECT nope FROM nowhere", err, sizeof(err)), 0);
	rs.v = realloc(rs.v, (rs.n + 1) * sizeof(*rs.v));
	assert_non_null(rs.v);
	memmove(&rs.v[rs.n / 2 + 1], &rs.v[rs.n / 2], (rs.n - rs.n / 2) * sizeof(*rs.v));
	rs.v[rs.n / 2] = bad;
	rs.n++;
	for (int i = 0; i < 3; i++) {
		two = run_on_copy(path[i], 2, &rs, &n2, &t2);
		assert_true(n2 < 0);
		assert_non_null(strstr(two, "error: rule aaa-bad (f.sql): no such table: nowhere"));
		free(two);
		free(t2);
		for (size_t k = 0; k < 3; k++) {
			char f[400];
			snprintf(f, sizeof(f), "%s%s", path[i], (const char *[]){ "", "-wal", "-shm" }[k]);
			unlink(f);
		}
	}
	exray_ruleset_free(&rs);
	assert_int_equal(rmdir(dir), 0);
}

struct header_case {
	const char *text, *err;
};

static void test_rule_headers(void **state)
{
	static const struct header_case cases[] = {
		{ "-- id: x\n-- severity: low\n-- description: d\nSELECT 1", NULL },
		{ "\n-- id:  spaced-out \r\n--severity:high\n-- description: d\n-- other: ignored\nSELECT 1", NULL },
		{ "-- severity: low\n-- description: d\nSELECT 1", "f.sql: rule header lacks '-- id:'" },
		{ "-- id: x\n-- description: d\nSELECT 1", "f.sql: rule header lacks '-- severity:'" },
		{ "-- id: x\n-- severity: low\nSELECT 1\n-- description: d", "f.sql: rule header lacks '-- description:'" },
		{ "-- id: x\n-- severity: urgent\n-- description: d\n", "f.sql: severity must be low, medium, high or critical" },
		{ "-- id: X Y\n-- severity: low\n-- description: d\n", "f.sql: rule id may hold only a-z, 0-9, '-' and '_'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct exray_rule r;
		char err[256] = "";
		int ret = exray_rule_parse(&r, "f.sql", cases[i].text, err, sizeof(err));
		if (!cases[i].err) {
			if (ret)
				fail_msg("case %zu: %s", i, err);
			exray_rule_free(&r);
		} else {
			assert_int_equal(ret, -EINVAL);
			assert_string_equal(err, cases[i].err);
		}
	}
}

static void test_rule_missing_column(void **state)
{
	struct exray_rule r;
	struct exray_ruleset rs = { 1, &r };
	char err[256];

	assert_int_equal(exray_rule_parse(&r, "f.sql", "-- id: bad\n-- severity: low\n-- description: d\n"
				  "SELECT 1 AS ts, 1 AS host_id", err, sizeof(err)), 0);
	assert_true(exray_rules_run(db, &rs, err, sizeof(err)) < 0);
	assert_string_equal(err, "rule bad (f.sql): the query returns no column 'container_id'");
	exray_rule_free(&r);
	assert_int_equal(exray_rule_parse(&r, "f.sql", "-- id: bad\n-- severity: low\n-- description: d\n"
				  "SELECT nope FROM nowhere", err, sizeof(err)), 0);
	assert_true(exray_rules_run(db, &rs, err, sizeof(err)) < 0);
	assert_string_equal(err, "rule bad (f.sql): no such table: nowhere");
	exray_rule_free(&r);
}

/*
 * The correlation end to end, through the real segment writer and ingest:
 * one container process execs three images in a row and connects after
 * each. Each connection must link to the image running at that moment, and
 * exec-then-egress must name each exec with its own connection.
 */
static void test_correlation_ingested(void **state)
{
	static const char *const argv_curl[] = { "curl", "http://192.0.2.10/x", NULL };
	static const char *const argv_payload[] = { "/tmp/payload", NULL };
	static const char *const argv_nc[] = { "nc", "192.0.2.1", "4444", NULL };
	char dir[] = "/tmp/exray-corr-XXXXXX", path[256], err[512];
	struct exray_seg_header h;
	struct exray_seg_writer *w;
	struct exray_task init, sh, p;
	struct exray_ruleset one = { 0 };
	struct ingest *in;
	sqlite3 *cdb;
	sqlite3_stmt *st;
	const uint64_t cg = 777, s = 1000000000ull;

	assert_non_null(mkdtemp(dir));
	segfix_header(&h, "h1", 1, 9, 0);
	assert_non_null(w = segfix_open(dir, "c.exray.zst", &h));
	init = segfix_task(1, 0, 10, 0, 1);
	sh = segfix_task(4000, 1, 100, 10, cg);
	p = segfix_task(4001, 4000, 2 * s, 100, cg);
	assert_int_equal(segfix_cgroup(w, 50, cg, "/system.slice/docker-" CID1 ".scope"), 0);
	assert_int_equal(segfix_exec(w, EXRAY_REC_SNAPSHOT, 60, &init, 0, "/sbin/init", NULL), 0);
	assert_int_equal(segfix_exec(w, EXRAY_REC_SNAPSHOT, 70, &sh, 0, "/bin/sh", NULL), 0);
	assert_int_equal(segfix_fork(w, 2 * s, &p), 0);
	assert_int_equal(segfix_exec(w, EXRAY_REC_EXEC, 3 * s, &p, 0, "/usr/bin/curl", argv_curl), 0);
	assert_int_equal(segfix_connect(w, 3 * s + 100, &p, 1, "192.0.2.10", 80), 0);
	assert_int_equal(segfix_exec(w, EXRAY_REC_EXEC, 4 * s, &p, 0, "/tmp/payload", argv_payload), 0);
	assert_int_equal(segfix_connect(w, 4 * s + 200, &p, 2, "198.51.100.7", 8080), 0);
	assert_int_equal(segfix_exec(w, EXRAY_REC_EXEC, 5 * s, &p, 0, "/bin/nc", argv_nc), 0);
	assert_int_equal(segfix_connect(w, 5 * s + 300, &p, 3, "192.0.2.1", 4444), 0);
	assert_int_equal(exray_seg_writer_close(w, h.boot_to_wall_ns), 0);

	assert_int_equal(db_open(&cdb, ":memory:", DB_OPEN_CREATE), 0);
	snprintf(path, sizeof(path), "%s/c.exray.zst", dir);
	assert_int_equal(ingest_begin(&in, cdb, NULL), 0);
	if (ingest_file(in, path, err, sizeof(err)))
		fail_msg("ingest: %s", err);
	assert_int_equal(ingest_finish(in), 0);
	ingest_free(in);
	unlink(path);
	rmdir(dir);

	/* each connection -> the image running then */
	assert_int_equal(sqlite3_prepare_v2(cdb, "SELECT k.dport, e.filename, c.short_id FROM connections k"
					     " JOIN execs e ON e.exec_id = k.exec_id"
					     " LEFT JOIN containers c ON c.container_id = k.container_id ORDER BY k.ts",
					     -1, &st, NULL), SQLITE_OK);
	{
		static const struct { int port; const char *file; } want[] = {
			{ 80, "/usr/bin/curl" }, { 8080, "/tmp/payload" }, { 4444, "/bin/nc" },
		};
		for (int i = 0; i < 3; i++) {
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int(st, 0), want[i].port);
			assert_string_equal(sqlite3_column_text(st, 1), want[i].file);
			assert_string_equal(sqlite3_column_text(st, 2), "c1c1c1c1c1c1");
		}
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	}
	sqlite3_finalize(st);

	for (size_t i = 0; i < rules.n; i++)
		if (!strcmp(rules.v[i].id, "exec-then-egress"))
			one.v = &rules.v[i], one.n = 1;
	assert_int_equal(exray_rules_run(cdb, &one, err, sizeof(err)), 3);
	assert_int_equal(sqlite3_prepare_v2(cdb, "SELECT e.filename, k.dport FROM alerts a"
					     " JOIN execs e USING (exec_id) JOIN connections k USING (conn_id)"
					     " ORDER BY a.ts", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "/usr/bin/curl");
	assert_int_equal(sqlite3_column_int(st, 1), 80);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "/tmp/payload");
	assert_int_equal(sqlite3_column_int(st, 1), 8080);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "/bin/nc");
	assert_int_equal(sqlite3_column_int(st, 1), 4444);
	sqlite3_finalize(st);

	/* the per-container correlation views */
	assert_int_equal(sqlite3_prepare_v2(cdb, "SELECT group_concat(filename || '=' || ns_to_first_connect, ' ')"
					     " FROM (SELECT * FROM v_exec_first_connect ORDER BY exec_ts)", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "/usr/bin/curl=100 /tmp/payload=200 /bin/nc=300");
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(cdb, "SELECT count(*), sum(connections) FROM v_egress_binaries"
					     " WHERE container = 'c1c1c1c1c1c1'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 3);
	assert_int_equal(sqlite3_column_int(st, 1), 3);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(cdb, "SELECT group_concat(daddr || ':' || dport, ' ') FROM"
					     " (SELECT * FROM v_egress_destinations ORDER BY dport)", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "192.0.2.10:80 192.0.2.1:4444 198.51.100.7:8080");
	sqlite3_finalize(st);
	db_close(cdb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_set),
		cmocka_unit_test(test_not_in_image),
		cmocka_unit_test(test_shell_in_container),
		cmocka_unit_test(test_exec_from_temp),
		cmocka_unit_test(test_path_norm),
		cmocka_unit_test(test_host_namespace_entry),
		cmocka_unit_test(test_setuid_root_gain),
		cmocka_unit_test(test_new_tool),
		cmocka_unit_test(test_suspicious_port),
		cmocka_unit_test(test_raw_socket_syn),
		cmocka_unit_test(test_exec_then_egress),
		cmocka_unit_test(test_egress_not_allowed),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_timing),
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_rule_headers),
		cmocka_unit_test(test_rule_missing_column),
		cmocka_unit_test(test_correlation_ingested),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
