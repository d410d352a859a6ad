/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The built-in rules that read what a process did (format 1.2: file, priv,
 * ns, ptrace, socket, bpf and io_uring events, and the exec extension's
 * resolved image, cwd, tty and flags), on a synthetic case database made
 * from schema/schema.sql: for each rule, rows where it must fire ("+") and
 * rows where it must not ("-"). Recorded traces of the same behaviours are
 * in eval/corpus (tests/integration/detection_fixtures.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "casedb/db.h"
#include "casedb/sqlfuncs.h"
#include "detect/detect.h"
#include "rulefix.h"

#define CID1 "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"

/*
 * One host, one container (1). Processes 1-9 on the host, 10-39 in the
 * container; 33 is 32's child. Each process runs the image of exec row
 * with the same id (exec_id = proc_id), named in the comment.
 */
static const char fixture[] =
	"INSERT INTO hosts (host_id, hostname, boot_id, boot_to_wall_ns, host_pidns, host_mntns)"
	" VALUES (1, 'h1', '00000000-0000-0000-0000-000000000001', 1700000000000000000, 100, 101);"
	"INSERT INTO containers (container_id, host_id, runtime, cid, short_id, cgroup_path) VALUES"
	" (1, 1, 'docker', '" CID1 "', 'a1a1a1a1a1a1', '/system.slice/docker-" CID1 ".scope');"
	"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 39)"
	" INSERT INTO processes (proc_id, host_id, pid, start, cgroup_id, container_id, vpid)"
	" SELECT i, 1, 1000 + i, i * 1000, CASE WHEN i < 10 THEN 1 ELSE 501 END,"
	" CASE WHEN i < 10 THEN NULL ELSE 1 END, CASE WHEN i < 10 THEN NULL ELSE i END FROM n;"
	"UPDATE processes SET parent_id = 32 WHERE proc_id = 33;"
	"UPDATE processes SET parent_id = 36 WHERE proc_id = 37;"
	"INSERT INTO execs (exec_id, proc_id, host_id, pid, start, ts, kind, ret, filename, argv, cmdline,"
	" uid, euid, container_id, vpid, exe, cwd, tty, exe_flags) VALUES"
	" (1, 1, 1, 1001, 1000, 1e9, 'exec', 0, '/usr/bin/bpftrace', '[\"bpftrace\"]', 'bpftrace', 0, 0, NULL, NULL, NULL, NULL, 0, 0),"
	" (5, 5, 1, 1005, 5000, 1e9, 'exec', 0, '/usr/bin/kubelet', '[\"kubelet\"]', 'kubelet', 0, 0, NULL, NULL, NULL, NULL, 0, 0),"
	" (10, 10, 1, 1010, 10000, 1e9, 'exec', 0, '/bin/sh', '[\"sh\",\"/x.sh\"]', 'sh /x.sh', 0, 0, 1, 10, '/bin/dash', '/', 0, 0),"
	" (11, 11, 1, 1011, 11000, 1e9, 'exec', 0, '/usr/bin/dpkg', '[\"dpkg\",\"-i\"]', 'dpkg -i', 0, 0, 1, 11, NULL, '/', 0, 0),"
	" (12, 12, 1, 1012, 12000, 1e9, 'exec', 0, '/usr/sbin/logrotate', '[\"logrotate\"]', 'logrotate', 0, 0, 1, 12, NULL, '/', 0, 0),"
	" (13, 13, 1, 1013, 13000, 1e9, 'exec', 0, '/usr/bin/ssh', '[\"ssh\",\"git@h\"]', 'ssh git@h', 0, 0, 1, 13, NULL, '/', 0, 0),"
	" (14, 14, 1, 1014, 14000, 1e9, 'exec', 0, '/usr/bin/cat', '[\"cat\"]', 'cat', 0, 0, 1, 14, NULL, '/', 0, 0),"
	" (15, 15, 1, 1015, 15000, 1e9, 'exec', 0, '/usr/bin/python3', '[\"python3\"]', 'python3', 0, 0, 1, 15, NULL, '/', 0, 0),"
	" (16, 16, 1, 1016, 16000, 1e9, 'exec', 0, '/usr/bin/chmod', '[\"chmod\"]', 'chmod', 0, 0, 1, 16, NULL, '/', 0, 0),"
	" (17, 17, 1, 1017, 17000, 1e9, 'exec', 0, '/usr/bin/ln', '[\"ln\"]', 'ln', 0, 0, 1, 17, NULL, '/', 0, 0),"
	" (18, 18, 1, 1018, 18000, 1e9, 'exec', 0, '/usr/sbin/update-ca-certificates', '[\"update-ca-certificates\"]',"
	"  'update-ca-certificates', 0, 0, 1, 18, NULL, '/', 0, 0),"
	" (19, 19, 1, 1019, 19000, 1e9, 'exec', 0, '/usr/local/bin/netdiag', '[\"netdiag\"]', 'netdiag', 1000, 0, 1, 19, NULL, '/', 0, 16),"
	" (20, 20, 1, 1020, 20000, 1e9, 'exec', 0, '/usr/bin/sudo', '[\"sudo\",\"id\"]', 'sudo id', 1000, 0, 1, 20, NULL, '/', 0, 16),"
	" (21, 21, 1, 1021, 21000, 1e9, 'exec', 0, '/usr/bin/strace', '[\"strace\",\"x\"]', 'strace x', 0, 0, 1, 21, NULL, '/', 0, 0),"
	" (22, 22, 1, 1022, 22000, 1e9, 'exec', 0, '/usr/bin/ping', '[\"ping\",\"h\"]', 'ping h', 0, 0, 1, 22, NULL, '/', 0, 0),"
	" (23, 23, 1, 1023, 23000, 1e9, 'exec', 0, '/dev/fd/5', '[\"runc\",\"init\"]', 'runc init', 0, 0, 1, 23,"
	"  '/memfd:runc_cloned:/proc/self/exe', '/', 0, 1),"
	" (24, 24, 1, 1024, 24000, 1e9, 'exec', 0, '/usr/bin/nsenter', '[\"nsenter\",\"-t\",\"1\"]', 'nsenter -t 1', 0, 0, 1, 24, NULL, '/', 0, 0),"
	/* exec-from-temp by the recorded cwd and resolved image (issue 18 item 7):
	 * + ./x in /tmp; + a symlink resolved to /tmp/y; - ./x in /srv */
	" (25, 25, 1, 1025, 25000, 1e9, 'exec', 0, './x', '[\"./x\"]', './x', 0, 0, 1, 25, NULL, '/tmp', 0, 0),"
	" (26, 26, 1, 1026, 26000, 1e9, 'exec', 0, '/usr/local/bin/y', '[\"y\"]', 'y', 0, 0, 1, 26, '/tmp/y', '/', 0, 0),"
	" (27, 27, 1, 1027, 27000, 1e9, 'exec', 0, './x', '[\"./x\"]', './x', 0, 0, 1, 27, NULL, '/srv', 0, 0),"
	/* memfd-execution + (28); deleted-binary-execution + (29); - runc init (23) */
	" (28, 28, 1, 1028, 28000, 1e9, 'exec', 0, '/dev/fd/3', '[\"kworker\"]', 'kworker', 0, 0, 1, 28, '/memfd:kworker', '/', 0, 1),"
	" (29, 29, 1, 1029, 29000, 1e9, 'exec', 0, '/proc/self/fd/3', '[\"update\"]', 'update', 0, 0, 1, 29, '/var/lib/.update', '/', 0, 2),"
	/* terminal-shell-in-container: + bash -i on a tty (32); - its subshell (33);
	 * shell-in-container: - both (a terminal); + sh -i without one (34) */
	" (32, 32, 1, 1032, 32000, 1e9, 'exec', 0, '/bin/bash', '[\"bash\",\"-i\"]', 'bash -i', 0, 0, 1, 32, '/usr/bin/bash', '/', 34816, 0),"
	" (33, 33, 1, 1033, 33000, 2e9, 'exec', 0, '/bin/bash', '[\"bash\"]', 'bash', 0, 0, 1, 33, '/usr/bin/bash', '/', 34816, 0),"
	" (34, 34, 1, 1034, 34000, 1e9, 'exec', 0, '/bin/sh', '[\"sh\",\"-i\"]', 'sh -i', 0, 0, 1, 34, '/usr/bin/dash', '/', 0, 0),"
	" (36, 36, 1, 1036, 36000, 1e9, 'exec', 0, '/usr/bin/gdb', '[\"gdb\",\"./a\"]', 'gdb ./a', 0, 0, 1, 36, NULL, '/', 0, 0),"
	" (37, 37, 1, 1037, 37000, 1e9, 'exec', 0, '/srv/a', '[\"./a\"]', './a', 0, 0, 1, 37, NULL, '/srv', 0, 0);"
	"INSERT INTO file_events (event_id, proc_id, host_id, pid, start, ts, exec_id, container_id, op, ret, path, path2, mode)"
	" VALUES"
	/* auth-file-modified: + 1 write passwd, + 2 sed -i into PAM; - 3 dpkg; - 4 hostname */
	" (1, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', 3, '/etc/passwd', NULL, NULL),"
	" (2, 10, 1, 1010, 10000, 5e9, 10, 1, 'rename', 0, '/etc/pam.d/sedAbc', '/etc/pam.d/common-auth', NULL),"
	" (3, 11, 1, 1011, 11000, 5e9, 11, 1, 'write', 3, '/etc/passwd', NULL, NULL),"
	" (4, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', 3, '/etc/hostname', NULL, NULL),"
	/* ld-preload-modified + 5; ca-store-modified + 6, - 7 (the bundle rebuilt by its tool) */
	" (5, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', 3, '/etc/ld.so.preload', NULL, NULL),"
	" (6, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', 3, '/usr/local/share/ca-certificates/evil.crt', NULL, 420),"
	" (7, 18, 1, 1018, 18000, 5e9, 18, 1, 'write', 3, '/etc/ssl/certs/ca-certificates.crt', NULL, NULL),"
	/* cron-modified + 8; system-service-modified + 9; login-script-modified + 10;
	 * ssh-authorized-keys-modified + 11 */
	" (8, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', 3, '/etc/cron.d/update', NULL, 420),"
	" (9, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', 3, '/etc/systemd/system/x.service', NULL, 420),"
	" (10, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', 3, '/root/.bashrc', NULL, NULL),"
	" (11, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', 3, '/root/.ssh/authorized_keys', NULL, NULL),"
	/* binary-in-path-modified + 12, - 13 (dpkg) */
	" (12, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', 3, '/usr/bin/ps', NULL, NULL),"
	" (13, 11, 1, 1011, 11000, 5e9, 11, 1, 'rename', 0, '/usr/bin/ps.dpkg-new', '/usr/bin/ps', NULL),"
	/* core-pattern-write + 14 (failed attempts count); cgroup-release-agent + 15 */
	" (14, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', -13, '/proc/sys/kernel/core_pattern', NULL, NULL),"
	" (15, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', 3, '/tmp/cg/release_agent', NULL, NULL),"
	/* sensitive-file-read + 16 (cat), - 17 (ssh reading its own key) */
	" (16, 14, 1, 1014, 14000, 5e9, 14, 1, 'read', 3, '/etc/shadow', NULL, NULL),"
	" (17, 13, 1, 1013, 13000, 5e9, 13, 1, 'read', 3, '/root/.ssh/id_ed25519', NULL, NULL),"
	/* cloud-credential-access + 18; proc-environ-read + 19; proc-mem-access + 20 */
	" (18, 14, 1, 1014, 14000, 5e9, 14, 1, 'read', 3, '/root/.aws/credentials', NULL, NULL),"
	" (19, 14, 1, 1014, 14000, 5e9, 14, 1, 'read', 3, '/proc/77/environ', NULL, NULL),"
	" (20, 15, 1, 1015, 15000, 5e9, 15, 1, 'write', 3, '/proc/77/mem', NULL, NULL),"
	/* history-tampering + 21; log-tampering + 22, - 23 (logrotate) */
	" (21, 10, 1, 1010, 10000, 5e9, 10, 1, 'unlink', 0, '/root/.bash_history', NULL, NULL),"
	" (22, 10, 1, 1010, 10000, 5e9, 10, 1, 'truncate', 0, '/var/log/auth.log', NULL, NULL),"
	" (23, 12, 1, 1012, 12000, 5e9, 12, 1, 'truncate', 0, '/var/log/app/app.log', NULL, NULL),"
	/* setuid-bit-set + 24 (04755), - 25 (0755); sensitive-file-link + 26, - 27 */
	" (24, 16, 1, 1016, 16000, 5e9, 16, 1, 'chmod', 0, '/usr/local/bin/.sh', NULL, 2541),"
	" (25, 16, 1, 1016, 16000, 5e9, 16, 1, 'chmod', 0, '/usr/local/bin/app', NULL, 493),"
	" (26, 17, 1, 1017, 17000, 5e9, 17, 1, 'symlink', 0, '/etc/shadow', '/tmp/.s', NULL),"
	" (27, 17, 1, 1017, 17000, 5e9, 17, 1, 'symlink', 0, '/etc/hostname', '/tmp/.h', NULL);"
	"INSERT INTO file_events (event_id, proc_id, host_id, pid, start, ts, exec_id, container_id, op, ret, path,"
	" mode, rdev, other_mount) VALUES"
	/* kernel-tunable-write + 28 (refused), + 29; - 30 (the container's own netns),
	 * - 31 (the host), - 14 (core_pattern: core-pattern-write's) */
	" (28, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', -30, '/proc/sys/kernel/sysrq', 438, NULL, 0),"
	" (29, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', -2, '/proc/sysrq-trigger', NULL, NULL, 0),"
	" (30, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', 3, '/proc/sys/net/ipv4/ip_forward', NULL, NULL, 0),"
	" (31, 1, 1, 1001, 1000, 5e9, 1, NULL, 'write', 3, '/proc/sys/kernel/sysrq', NULL, NULL, 0),"
	/* device-node-in-container + 32 (refused 1:1), + 33 (a block device, older
	 * recorder: no rdev); - 34 (null 1:3), - 35 (a fifo), - 36 (runc init) */
	" (32, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', -1, '/tmp/mem', 8630, 1048577, 0),"
	" (33, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', -1, '/tmp/sda', 25014, NULL, 0),"
	" (34, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', 0, '/tmp/null', 8630, 1048579, 0),"
	" (35, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', 0, '/tmp/fifo', 4534, NULL, 0),"
	" (36, 23, 1, 1023, 23000, 5e9, 23, 1, 'create', 0, '/dev/fuse', 8630, 10485989, 0),"
	/* host-mount-sensitive-write + 37 (cron.d on a host path), + 38 (passwd);
	 * - 39 (a passwd on the image's own root), - 40 (docker's /etc/hosts bind mount) */
	" (37, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', 3, '/host-etc/cron.d/x', 420, NULL, 1),"
	" (38, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', 3, '/host-etc/passwd', NULL, NULL, 1),"
	" (39, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', 3, '/data/passwd', NULL, NULL, 0),"
	" (40, 10, 1, 1010, 10000, 5e9, 10, 1, 'write', 3, '/etc/hosts', NULL, NULL, 1);"
	/* format 1.5: how a container reaches outside itself */
	"INSERT INTO cgroups (host_id, cgroup_id, path, container_id) VALUES (1, 1, '/', NULL),"
	" (1, 501, '/system.slice/docker-" CID1 ".scope', 1), (1, 502, '/system.slice/docker-" CID1 ".scope/child', 1);"
	"INSERT INTO file_events (event_id, proc_id, host_id, pid, start, ts, exec_id, container_id, cgroup_id, op, ret,"
	" path, path2, outside_mntns, cgroup_target, fs_magic, handle_type, handle) VALUES"
	/* open-by-handle-in-container + 41 (refused); - 42 (the host), - 43 (name_to_handle) */
	" (41, 15, 1, 1015, 15000, 5e9, 15, 1, 501, 'open_by_handle', -1, NULL, '/host-etc', 0, NULL, NULL, 1, '0200000000000000'),"
	" (42, 1, 1, 1001, 1000, 5e9, 1, NULL, 1, 'open_by_handle', 4, '/x', '/', 0, NULL, 61267, 1, '0200000000000000'),"
	" (43, 15, 1, 1015, 15000, 5e9, 15, 1, 501, 'name_to_handle', 0, '/etc/hostname', NULL, 0, NULL, NULL, 1, 'dd02000000000000'),"
	/* cgroup-escape-move + 44 (cgroup2 root), + 45 (v1), + 46 (refused, by name); - 47 (its own
	 * cgroup), - 48 (a child of it), - 49 (a plain file), - 50 (runc init) */
	" (44, 10, 1, 1010, 10000, 5e9, 10, 1, 501, 'truncate', 3, '/tmp/cg/cgroup.procs', NULL, 0, 1, 1667723888, NULL, NULL),"
	" (45, 10, 1, 1010, 10000, 5e9, 10, 1, 501, 'write', 3, '/tmp/v1/x/tasks', NULL, 0, 999, 2613483, NULL, NULL),"
	" (46, 11, 1, 1011, 11000, 5e9, 11, 1, 501, 'create', -30, '/sys/fs/cgroup/cgroup.procs', NULL, 0, NULL, NULL, NULL, NULL),"
	" (47, 12, 1, 1012, 12000, 5e9, 12, 1, 501, 'write', 3, '/sys/fs/cgroup/cgroup.procs', NULL, 0, 501, 1667723888, NULL, NULL),"
	" (48, 13, 1, 1013, 13000, 5e9, 13, 1, 501, 'write', 3, '/sys/fs/cgroup/child/cgroup.procs', NULL, 0, 502, 1667723888, NULL, NULL),"
	" (49, 14, 1, 1014, 14000, 5e9, 14, 1, 501, 'write', 3, '/tmp/cgroup.procs', NULL, 0, NULL, NULL, NULL, NULL),"
	" (50, 23, 1, 1023, 23000, 5e9, 23, 1, 501, 'write', 3, '/sys/fs/cgroup/cgroup.procs', NULL, 0, 1, 1667723888, NULL, NULL),"
	/* device-cgroup-allow + 51; - 52 (a plain file), - 53 (the host) */
	" (51, 10, 1, 1010, 10000, 5e9, 10, 1, 501, 'truncate', 2, '/tmp/dcg/docker/x/devices.allow', NULL, 0, 7, 2613483, NULL, NULL),"
	" (52, 10, 1, 1010, 10000, 5e9, 10, 1, 501, 'write', 2, '/tmp/devices.allow', NULL, 0, NULL, NULL, NULL, NULL),"
	" (53, 2, 1, 1002, 2000, 5e9, 2, NULL, 1, 'write', 2, '/sys/fs/cgroup/devices/x/devices.allow', NULL, 0, 7, 2613483, NULL, NULL),"
	/* host-file-via-proc + 54 (runc's memfd through /proc/PID/exe), + 55 (ETXTBSY);
	 * - 56 (runc init), - 57 (the host), - 58 (EACCES) */
	" (54, 15, 1, 1015, 15000, 5e9, 15, 1, 501, 'read', 4, '/memfd:runc_cloned:/proc/self/exe', NULL, 1, NULL, NULL, NULL, NULL),"
	" (55, 16, 1, 1016, 16000, 5e9, 16, 1, 501, 'write', -26, '/proc/self/fd/3', NULL, 0, NULL, NULL, NULL, NULL),"
	" (56, 23, 1, 1023, 23000, 5e9, 23, 1, 501, 'read', 4, '/usr/bin/runc', NULL, 1, NULL, NULL, NULL, NULL),"
	" (57, 3, 1, 1003, 3000, 5e9, 3, NULL, 1, 'read', 4, '/x', NULL, 1, NULL, NULL, NULL, NULL),"
	" (58, 17, 1, 1017, 17000, 5e9, 17, 1, 501, 'write', -13, '/proc/self/fd/4', NULL, 0, NULL, NULL, NULL, NULL),"
	/* container-runtime-socket + 59, + 60 (renamed: the listener's name), + 61 (refused);
	 * - 62 (an app's socket), - 63 (the host), - 64 (X11, abstract) */
	" (59, 15, 1, 1015, 15000, 5e9, 15, 1, 501, 'connect', 0, '/run/containerd/containerd.sock', '/run/containerd/containerd.sock', 0, NULL, NULL, NULL, NULL),"
	" (60, 16, 1, 1016, 16000, 5e9, 16, 1, 501, 'connect', 0, '/tmp/x.sock', '/var/run/docker.sock', 0, NULL, NULL, NULL, NULL),"
	" (61, 17, 1, 1017, 17000, 5e9, 17, 1, 501, 'connect', -13, '/run/systemd/private', NULL, 0, NULL, NULL, NULL, NULL),"
	" (62, 15, 1, 1015, 15000, 5e9, 15, 1, 501, 'connect', 0, '/tmp/app.sock', '/tmp/app.sock', 0, NULL, NULL, NULL, NULL),"
	" (63, 4, 1, 1004, 4000, 5e9, 4, NULL, 1, 'connect', 0, '/var/run/docker.sock', '/var/run/docker.sock', 0, NULL, NULL, NULL, NULL),"
	" (64, 18, 1, 1018, 18000, 5e9, 18, 1, 501, 'connect', 0, '@/tmp/.X11-unix/X0', '@/tmp/.X11-unix/X0', 0, NULL, NULL, NULL, NULL);"
	"INSERT INTO file_events (event_id, proc_id, host_id, pid, start, ts, exec_id, container_id, op, ret, path,"
	" mode, other_mount) VALUES"
	/* host-mount-sensitive-write + 65 (runc replaced on a hostPath of /usr/bin), + 66 (a
	 * static pod manifest); - 67 (a build's output in a volume's bin/), - 68 (not a manifest) */
	" (65, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', 3, '/host/usr/bin/runc', 420, 1),"
	" (66, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', 3, '/host/etc/kubernetes/manifests/x.yaml', 420, 1),"
	" (67, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', 3, '/work/bin/app', 493, 1),"
	" (68, 10, 1, 1010, 10000, 5e9, 10, 1, 'create', 3, '/out/manifests/README', 420, 1),"
	/* sensitive-file-read + 69 (the kubelet's client key), + 70 (another pod's token);
	 * - 71 (the kubelet reading its own key on the host) */
	" (69, 14, 1, 1014, 14000, 5e9, 14, 1, 'read', 3, '/var/lib/kubelet/pki/kubelet-client-current.pem', NULL, 1),"
	" (70, 14, 1, 1014, 14000, 5e9, 14, 1, 'read', 3,"
	"  '/var/lib/kubelet/pods/u1/volumes/kubernetes.io~projected/kube-api-access-x/token', NULL, 1),"
	" (71, 5, 1, 1005, 5000, 5e9, 5, NULL, 'read', 3, '/var/lib/kubelet/pki/kubelet-client-current.pem', NULL, 0);"
	"INSERT INTO priv_events (event_id, proc_id, host_id, pid, start, ts, exec_id, container_id, uid, op, ret,"
	" old_real, old_effective, new_real, new_effective, cap_effective_old, cap_effective) VALUES"
	/* setuid-to-root + 1 (a setuid helper), - 2 (sudo); capability-gain + 3, - 4 (root) */
	" (1, 19, 1, 1019, 19000, 5e9, 19, 1, 0, 'setresuid', 0, 1000, 0, 0, 0, NULL, NULL),"
	" (2, 20, 1, 1020, 20000, 5e9, 20, 1, 0, 'setresuid', 0, 1000, 0, 0, 0, NULL, NULL),"
	" (3, 19, 1, 1019, 19000, 5e9, 19, 1, 1000, 'capset', 0, NULL, NULL, NULL, NULL, 0, 2097152),"
	" (4, 10, 1, 1010, 10000, 5e9, 10, 1, 0, 'capset', 0, NULL, NULL, NULL, NULL, 0, 2097152);"
	"INSERT INTO ptrace_events (event_id, proc_id, host_id, pid, start, ts, exec_id, container_id, op, ret,"
	" target_pid, target_proc_id) VALUES"
	/* ptrace-attach + 1 (another process), - 2 (gdb's own child); ptrace-traceme + 3, - 4 (strace) */
	" (1, 15, 1, 1015, 15000, 5e9, 15, 1, 'attach', 0, 1014, 14),"
	" (2, 36, 1, 1036, 36000, 5e9, 36, 1, 'attach', 0, 1037, 37),"
	" (3, 15, 1, 1015, 15000, 5e9, 15, 1, 'traceme', 0, NULL, NULL),"
	" (4, 21, 1, 1021, 21000, 5e9, 21, 1, 'traceme', 0, NULL, NULL);"
	"INSERT INTO socket_events (event_id, proc_id, host_id, pid, start, ts, exec_id, container_id, op, ret,"
	" protocol, fd, daddr, dport, family) VALUES"
	/* packet-socket + 1, - 2 (host); raw-socket + 3, - 4 (ping's ICMP);
	 * reverse-shell + 5 (stdio onto a peer it connected to), - 6 (loopback),
	 * - 8 (an accepted connection on a server's stdio: no connect, no shell),
	 * + 9 (the same in a shell: a bind shell), + 10 (a process that then
	 * becomes a shell); raw-socket - 7 (netlink audit) */
	" (1, 15, 1, 1015, 15000, 5e9, 15, 1, 'packet', 3, 768, 3, NULL, NULL, 17),"
	" (2, 1, 1, 1001, 1000, 5e9, 1, NULL, 'packet', 3, 768, 3, NULL, NULL, 17),"
	" (3, 15, 1, 1015, 15000, 5e9, 15, 1, 'raw', 3, 6, 3, NULL, NULL, 2),"
	" (4, 22, 1, 1022, 22000, 5e9, 22, 1, 'raw', 3, 1, 3, NULL, NULL, 2),"
	" (5, 15, 1, 1015, 15000, 5e9, 15, 1, 'dup_stdio', 0, 6, 0, '192.0.2.2', 4444, 2),"
	" (6, 15, 1, 1015, 15000, 5e9, 15, 1, 'dup_stdio', 0, 6, 1, '127.0.0.1', 8080, 2),"
	" (7, 14, 1, 1014, 14000, 5e9, 14, 1, 'raw', 3, 9, 3, NULL, NULL, 16),"
	" (8, 11, 1, 1011, 11000, 5e9, 11, 1, 'dup_stdio', 0, 6, 0, '192.0.2.9', 40000, 2),"
	" (9, 10, 1, 1010, 10000, 5e9, 10, 1, 'dup_stdio', 0, 6, 0, '192.0.2.9', 40001, 2),"
	" (10, 34, 1, 1034, 34000, 5e8, NULL, 1, 'dup_stdio', 0, 6, 0, '192.0.2.9', 40002, 2);"
	"INSERT INTO connections (conn_id, proc_id, host_id, pid, start, ts, exec_id, container_id, family,"
	" daddr, dport, state) VALUES (1, 15, 1, 1015, 15000, 4e9, 15, 1, 4, '192.0.2.2', 4444, 'established');"
	"UPDATE socket_events SET conn_id = 1 WHERE event_id = 5;"
	"INSERT INTO bpf_events (event_id, proc_id, host_id, pid, start, ts, exec_id, container_id, op, ret, cmd, prog_type,"
	" prog_name) VALUES"
	/* bpf-program-load + 1 (container), - 2 (host) */
	" (1, 15, 1, 1015, 15000, 5e9, 15, 1, 'prog_load', 4, 5, 1, 'hide'),"
	" (2, 1, 1, 1001, 1000, 5e9, 1, NULL, 'prog_load', 4, 5, 1, 'trace');"
	"INSERT INTO uring_events (event_id, proc_id, host_id, pid, start, ts, exec_id, container_id, op, daddr, dport)"
	" VALUES"
	/* io-uring-network + 1, - 2 (loopback) */
	" (1, 15, 1, 1015, 15000, 5e9, 15, 1, 'connect', '192.0.2.2', 8080),"
	" (2, 15, 1, 1015, 15000, 5e9, 15, 1, 'connect', '127.0.0.1', 8080);"
	"INSERT INTO ns_events (event_id, proc_id, host_id, pid, start, ts, exec_id, container_id, comm, op, ret,"
	" nstypes, fstype, source, target) VALUES"
	/* namespace-change-in-container + 1, - 2 (runc init); privileged-mount-in-container + 3, - 4 (tmpfs) */
	" (1, 24, 1, 1024, 24000, 5e9, 24, 1, 'nsenter', 'setns', 0, 'mnt', NULL, NULL, '/proc/1/ns/mnt'),"
	" (2, 23, 1, 1023, 23000, 5e9, 23, 1, 'runc:[2:INIT]', 'setns', 0, 'mnt', NULL, NULL, NULL),"
	" (3, 10, 1, 1010, 10000, 5e9, 10, 1, 'mount', 'mount', 0, NULL, 'cgroup', 'cgroup', '/tmp/cg'),"
	" (4, 10, 1, 1010, 10000, 5e9, 10, 1, 'mount', 'mount', 0, NULL, 'tmpfs', 'none', '/mnt');";

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

/* The keys of rule ID's alerts, sorted, space-separated. */
/* The keys of rule ID's alerts (tests/unit/rulefix.c). */
static const char *fired(const char *id)
{
	return rulefix_fired(db, &rules, id, "key");
}

static void test_acts(void **state)
{
	static const char *const want[][2] = {
		{ "auth-file-modified", "f1 f2" },
		{ "ld-preload-modified", "f5" },
		{ "ca-store-modified", "f6" },
		{ "cron-modified", "f37 f8" },
		{ "system-service-modified", "f9" },
		{ "login-script-modified", "f10" },
		{ "ssh-authorized-keys-modified", "f11" },
		{ "binary-in-path-modified", "f12 f24 f25" }, /* chmods in /usr/local/bin too */
		{ "core-pattern-write", "f14" },
		{ "cgroup-release-agent", "f15" },
		{ "kernel-tunable-write", "f28 f29" },
		{ "device-node-in-container", "f32 f33" },
		{ "host-mount-sensitive-write", "f37 f38 f65 f66" },
		{ "open-by-handle-in-container", "f41" },
		{ "cgroup-escape-move", "f44 f45 f46" },
		{ "device-cgroup-allow", "f51" },
		{ "host-file-via-proc", "f54 f55" },
		{ "container-runtime-socket", "f59 f60 f61" },
		{ "sensitive-file-read", "f16 f69 f70" },
		{ "cloud-credential-access", "f18" },
		{ "proc-environ-read", "f19" },
		{ "proc-mem-access", "f20" },
		{ "history-tampering", "f21" },
		{ "log-tampering", "f22" },
		{ "setuid-bit-set", "f24" },
		{ "sensitive-file-link", "f26" },
		{ "setuid-to-root", "pv1" },
		{ "capability-gain", "pv3" },
		{ "ptrace-attach", "pt15:1014:attach" },
		{ "ptrace-traceme", "pt3" },
		{ "packet-socket", "so1" },
		{ "raw-socket", "so3" },
		{ "reverse-shell", "so10 so5 so9" },
		{ "bpf-program-load", "b1" },
		{ "io-uring-network", "u1" },
		{ "namespace-change-in-container", "e24 n1" },
		{ "privileged-mount-in-container", "n3" },
		{ "memfd-execution", "e28" },
		{ "deleted-binary-execution", "e29" },
		{ "exec-from-temp", "e25 e26 e28" }, /* e29 resolves to /var/lib: deleted-binary-execution */
		{ "terminal-shell-in-container", "e32" },
		{ "shell-in-container", "e34" },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *got = fired(want[i][0]);
		if (strcmp(got, want[i][1]))
			fail_msg("%s fired on '%s', want '%s'", want[i][0], got, want[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
