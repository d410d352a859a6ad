-- id: kernel-tunable-write
-- severity: high
-- category: container-escape
-- technique: T1611
-- description: A container wrote (or tried to write) a tunable of the host's kernel: a sysctl under /proc/sys that no namespace of its own scopes, /proc/sysrq-trigger, /sys/kernel or a module parameter.
--
-- A container's /proc/sys, /proc/sysrq-trigger and /sys are read-only (runc's
-- readonlyPaths and masked paths): a write there reaches for the host's kernel,
-- whatever it sets: enabling the magic SysRq keys then crashing or rebooting
-- the node (kernel.sysrq, sysrq-trigger), kernel.panic*, vm.*, kernel.kptr_restrict,
-- tracing and security knobs under /sys/kernel, module parameters. Refused
-- attempts (EROFS, EACCES, ENOENT on a kernel without the knob) count: the
-- intent is the evidence. Left out: the sysctls the container's own namespaces
-- scope (net.*, kernel.shm*/msg*/sem, fs.mqueue.*, kernel.hostname and
-- domainname, user.*), which `docker run --sysctl` sets through runc init;
-- and the usermode-helper settings, core-pattern-write's (core_pattern,
-- modprobe, hotplug, binfmt_misc, uevent_helper). Host processes are not
-- judged (sysctl at boot, tuned): on the host a tunable is the admin's.
-- Needs the recorder's kernel-tunable prefixes (format 1.2 recorders of
-- 2026-12-07 and later, docs/recorder.md); older captures hold no such event.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id,
       f.what || ': a tunable of the host''s kernel' AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.container_id IS NOT NULL AND f.op IN ('write', 'create', 'truncate')
  AND (f.path GLOB '/proc/sys/*' OR f.path = '/proc/sysrq-trigger' OR f.path GLOB '/sys/kernel/*'
       OR f.path GLOB '/sys/module/*/parameters/*')
  AND NOT (f.path GLOB '/proc/sys/net/*' OR f.path GLOB '/proc/sys/kernel/shm*'
           OR f.path GLOB '/proc/sys/kernel/msg*' OR f.path = '/proc/sys/kernel/sem'
           OR f.path GLOB '/proc/sys/fs/mqueue/*' OR f.path IN ('/proc/sys/kernel/hostname', '/proc/sys/kernel/domainname')
           OR f.path GLOB '/proc/sys/user/*')
  AND f.path NOT IN ('/proc/sys/kernel/core_pattern', '/proc/sys/kernel/modprobe', '/proc/sys/kernel/hotplug',
                     '/sys/kernel/uevent_helper')
  AND f.path NOT GLOB '/proc/sys/fs/binfmt_misc/*';
