-- id: namespace-change-in-container
-- severity: high
-- category: container-escape
-- technique: T1611
-- description: A process in a container ran nsenter or unshare: entering other namespaces (the host's, from a privileged pod) or making new ones to gain root in them.
--
-- Catches `nsenter -t 1 -m -u -i -n -p sh` (the host-namespace escape; the host-
-- namespace-entry rule also sees where it landed) and `unshare -U -r` (user
-- namespaces as a privilege-escalation step). The container runtime's own setup
-- (runc init) does not run these programs.
-- With recorder 1.2 namespace events, setns() and unshare() (and clone with
-- CLONE_NEW*) themselves, by any program but the runtime's own runc init.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.prog || ' in container ' || c.short_id || ' (pid ' || x.pid || '): ' || COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0 AND (x.prog IN ('nsenter', 'unshare') OR x.ab IN ('nsenter', 'unshare'))
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
  AND n.op IN ('setns', 'unshare') OR (n.op = 'clone' AND COALESCE(n.nstypes, '') <> '');
