-- id: core-pattern-write
-- severity: critical
-- category: container-escape
-- technique: T1611
-- description: A kernel usermode-helper setting was opened for writing: core_pattern, modprobe, uevent_helper, hotplug, or a binfmt_misc registration (the kernel runs that program as root on the host).
--
-- Catches the privileged-container escapes that make the host's kernel run an
-- attacker's program as root outside every namespace: /proc/sys/kernel/core_pattern
-- with a pipe (then a crash), /proc/sys/kernel/modprobe, /sys/kernel/uevent_helper
-- and /proc/sys/kernel/hotplug, /proc/sys/fs/binfmt_misc/register (an
-- interpreter the kernel runs for matching files, `C` flag: with the file's
-- credentials); the helper paths the recorder watches (docs/recorder.md).
-- Any process, failed attempts too. Other kernel tunables written from a
-- container (sysrq, sysrq-trigger, /sys/kernel) are kernel-tunable-write's.
-- The file changed is `path` (`path2` for a rename, link or symlink: the new
-- name); a link or symlink changes nothing at its target.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('write', 'create', 'truncate')
  AND (f.changed GLOB '/proc/sys/kernel/core_pattern' OR f.path2 GLOB '/proc/sys/kernel/core_pattern'
       OR f.changed GLOB '/proc/sys/kernel/modprobe' OR f.path2 GLOB '/proc/sys/kernel/modprobe'
       OR f.changed GLOB '/sys/kernel/uevent_helper' OR f.path2 GLOB '/sys/kernel/uevent_helper'
       OR f.changed GLOB '/proc/sys/kernel/hotplug' OR f.path2 GLOB '/proc/sys/kernel/hotplug'
       OR f.changed GLOB '/proc/sys/fs/binfmt_misc/register' OR f.path2 GLOB '/proc/sys/fs/binfmt_misc/register');
