-- id: device-cgroup-allow
-- severity: critical
-- category: container-escape
-- technique: T1611
-- description: A container process wrote a device cgroup's devices.allow on a cgroup filesystem it mounted, done or refused: lifting the device cgroup lets it open the host's disks and memory through nodes it makes.
--
-- The device cgroup (v1 devices.allow) is what stops a privileged container's
-- mknod'ed /dev/sda from being opened. The runtime writes it from the host
-- before the container's command runs; the container itself has no reason
-- to. Judged on the file's filesystem (format 1.5, `fs_magic`: cgroup v1),
-- wherever the container mounted it; a refused open has no filesystem to
-- ask and counts by name. runc init is left out.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id,
       f.what AS message, 'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.container_id IS NOT NULL AND f.op IN ('write', 'create', 'truncate')
  AND f.path GLOB '*/devices.allow'
  AND (f.fs_magic = 2613483 OR (f.fs_magic IS NULL AND f.ret < 0))
  AND COALESCE(f.prog, '') <> 'runc' AND COALESCE(f.comm, '') NOT GLOB 'runc:*'
  AND NOT EXISTS (SELECT 1 FROM rx_names x WHERE x.exec_id = f.exec_id AND x.ab = 'runc');
