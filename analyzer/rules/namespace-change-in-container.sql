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
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.prog || ' in container ' || c.short_id || ' (pid ' || x.pid || '): ' || COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0 AND (x.prog IN ('nsenter', 'unshare') OR x.ab IN ('nsenter', 'unshare'));
