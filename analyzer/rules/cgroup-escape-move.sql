-- id: cgroup-escape-move
-- severity: critical
-- category: container-escape
-- technique: T1611
-- description: A container process moved a process into a cgroup outside its own (cgroup.procs, cgroup.threads or tasks written on a cgroup filesystem it mounted): out of its limits and out of what attributes events to the container.
--
-- A privileged container mounts cgroupfs wherever it likes (`mount -t cgroup2
-- none /tmp/cg`), so the path says nothing: the recorder asks the file's
-- filesystem in the kernel and records the cgroup written into (format 1.5,
-- `cgroup_target`). On cgroup2 that id is the number a process's cgroup_id
-- uses: a move within the container's own cgroup or below it (systemd or a
-- nested runtime in the container making child cgroups) is left out when the
-- target's path is known to be under the container's; anything else fires,
-- refused attempts too. A cgroup v1 hierarchy numbers its directories
-- differently: a container writing a v1 hierarchy's cgroup.procs or tasks
-- fires whatever the target (v1 hierarchies are the host's unless the
-- container has its own cgroup namespace, and a nested runtime on v1 is rare).
-- The runtime's own init (runc init) is left out.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id,
       f.what || CASE WHEN f.fs_magic = 1667723888
                      THEN ': into cgroup ' || COALESCE(t.path, 'id ' || f.cgroup_target)
                      ELSE ' (cgroup v1)' END AS message,
       'f' || f.event_id AS key
FROM rx_file f
LEFT JOIN cgroups t ON t.host_id = f.host_id AND t.cgroup_id = f.cgroup_target
LEFT JOIN cgroups own ON own.host_id = f.host_id AND own.cgroup_id = f.cgroup_id
WHERE f.nth = 1 AND f.container_id IS NOT NULL AND f.op IN ('write', 'create', 'truncate')
  AND f.path GLOB '*/*' AND replace(f.path, rtrim(f.path, replace(f.path, '/', '')), '') IN ('cgroup.procs', 'cgroup.threads', 'tasks')
  AND (f.fs_magic IN (1667723888, 2613483) OR (f.fs_magic IS NULL AND f.ret < 0))
  AND NOT (COALESCE(f.fs_magic, 0) = 1667723888
           AND (COALESCE(f.cgroup_target = f.cgroup_id, 0)
                OR COALESCE(t.path GLOB own.path || '/*', 0)))
  AND COALESCE(f.prog, '') <> 'runc' AND COALESCE(f.comm, '') NOT GLOB 'runc:*'
  AND NOT EXISTS (SELECT 1 FROM rx_names x WHERE x.exec_id = f.exec_id AND x.ab = 'runc');
