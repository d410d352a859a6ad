-- id: privileged-mount-in-container
-- severity: high
-- category: container-escape
-- technique: T1611
-- description: A container mounted (or tried to mount) a host device, a cgroup hierarchy or a kernel filesystem (proc, sysfs, debugfs, securityfs, tracefs, bpf).
--
-- Catches the steps of the privileged-container escapes: mounting the host's disk
-- (`mount /dev/sda1 /mnt`), a cgroup v1 hierarchy to reach release_agent
-- (CVE-2022-0492), debugfs or the host's proc. Seen in the `mount` command line
-- (busybox applets included); failed attempts count.
-- With recorder 1.2 namespace events, the mount() call itself, whatever ran it
-- (the container runtime's own setup, runc init, is left out).
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       'mount in container ' || c.short_id || ' (pid ' || x.pid || '): ' || COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0 AND (x.prog = 'mount' OR x.ab = 'mount')
  AND x.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND (x.cmdline GLOB '* -t cgroup*' OR x.cmdline GLOB '* -t proc*' OR x.cmdline GLOB '* -t sysfs*'
       OR x.cmdline GLOB '* -t debugfs*' OR x.cmdline GLOB '* -t securityfs*' OR x.cmdline GLOB '* -t tracefs*'
       OR x.cmdline GLOB '* -t bpf*' OR x.cmdline GLOB '* -t ext[234]*' OR x.cmdline GLOB '* -t xfs*'
       OR EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0 AND a.value NOT GLOB '-*'
                  AND (a.value GLOB '/dev/*' OR a.value GLOB '/tmp/*' OR a.value GLOB '/var/tmp/*')
                  AND a.value NOT IN ('/dev/null', '/dev/shm', '/dev/pts', '/dev/mqueue')
                  AND a.key < json_array_length(x.argv) - 1))
UNION ALL
SELECT n.ts, n.host_id, n.container_id, n.proc_id, n.pid, n.start, n.exec_id, NULL AS conn_id,
       COALESCE(x.prog, n.comm, '?') || ' (pid ' || n.pid || ') in container ' || c.short_id || ' ' || n.op ||
         COALESCE(' ' || n.nstypes, '') || COALESCE(' ' || n.fstype, '') || COALESCE(' ' || n.source, '') ||
         COALESCE(' on ' || n.target, '') || CASE WHEN n.ret < 0 THEN ' (failed, ' || n.ret || ')' ELSE '' END AS message,
       'n' || n.event_id AS key
FROM ns_events n
JOIN containers c ON c.container_id = n.container_id
LEFT JOIN rx_names x ON x.exec_id = n.exec_id
WHERE COALESCE(x.ab, '') <> 'runc' AND COALESCE(x.prog, '') <> 'runc' AND COALESCE(n.comm, '') NOT GLOB 'runc*'
  AND n.op = 'mount'
  AND (n.fstype IN ('cgroup', 'cgroup2', 'proc', 'sysfs', 'debugfs', 'securityfs', 'tracefs', 'bpf', 'ext2', 'ext3',
                    'ext4', 'xfs', 'btrfs', 'configfs', 'fusectl')
       OR n.source GLOB '/dev/[hsvx]d*' OR n.source GLOB '/dev/nvme*' OR n.source GLOB '/dev/mapper/*')
  AND n.proc_id NOT IN (SELECT proc_id FROM rx_entry);
