-- id: host-namespace-entry
-- severity: critical
-- category: container-escape
-- technique: T1611
-- description: A process in a container's cgroup runs in the host's pid or mount namespace (nsenter-like escape).
--
-- Catches `nsenter -t 1 -m -p ...` from a privileged container, and any
-- other setns() into the host's namespaces by a process that still sits in
-- a container's cgroup: the classic container escape. The host's
-- namespaces are the recorder's own (hosts.host_*ns, from segments of
-- format 1.1), else a guess: pid 1's, or those most host processes use. A container that merely shares the
-- host network (hostNetwork) is not flagged; netns is named in the message.
--
-- hostns is MATERIALIZED: inlined, its guesses (a GROUP BY over the host's
-- execs) would run again for every exec row, quadratic on a big case.
WITH hostns AS MATERIALIZED (
  SELECT h.host_id,
         COALESCE(h.host_pidns, (SELECT pidns FROM execs x WHERE x.host_id = h.host_id AND x.container_id IS NULL
                                 GROUP BY pidns ORDER BY count(*) DESC LIMIT 1)) AS pidns,
         COALESCE(h.host_mntns, (SELECT mntns FROM execs x WHERE x.host_id = h.host_id AND x.container_id IS NULL
                                 GROUP BY mntns ORDER BY count(*) DESC LIMIT 1)) AS mntns,
         COALESCE(h.host_netns, (SELECT netns FROM execs x WHERE x.host_id = h.host_id AND x.container_id IS NULL
                                 GROUP BY netns ORDER BY count(*) DESC LIMIT 1)) AS netns
  FROM hosts h
)
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id,
       NULL AS conn_id,
       e.filename || ' (pid ' || e.pid || ') in container ' || c.short_id || ' runs in the host''s ' ||
         trim(CASE WHEN e.pidns = n.pidns THEN 'pid ' ELSE '' END ||
              CASE WHEN e.mntns = n.mntns THEN 'mnt ' ELSE '' END ||
              CASE WHEN e.netns = n.netns THEN 'net ' ELSE '' END) ||
         ' namespace(s): ' || COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM execs e
JOIN containers c ON c.container_id = e.container_id
JOIN hostns n ON n.host_id = e.host_id
WHERE e.ret = 0 AND c.runtime <> 'namespaces'
  AND (e.pidns = n.pidns OR e.mntns = n.mntns);
