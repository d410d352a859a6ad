-- id: egress-not-allowed
-- severity: high
-- category: suspicious-network
-- technique: T1041
-- description: An outbound connection that the loaded policy (--policy FILE) does not allow.
--
-- Catches exfiltration, command-and-control and lateral movement to any
-- destination outside the allowlist, judged after the fact: the policy can
-- be written (or tightened) after the incident. Silent when no policy is
-- loaded (policy_allows() is NULL then).
SELECT k.ts, k.host_id, k.container_id, k.proc_id, k.pid, k.start, k.exec_id, k.conn_id,
       COALESCE(e.filename, k.comm, '?') || ' (pid ' || k.pid || ') in ' || COALESCE(c.short_id, 'host') ||
         ' connected to ' || inet_fmt(k.daddr, k.dport) || ', not allowed by the policy' AS message,
       'c' || k.conn_id AS key
FROM connections k
LEFT JOIN containers c ON c.container_id = k.container_id
LEFT JOIN cgroups g ON g.host_id = k.host_id AND g.cgroup_id = k.cgroup_id
LEFT JOIN execs e ON e.exec_id = k.exec_id
WHERE policy_allows(c.cid, c.pod_uid, COALESCE(g.path, c.cgroup_path), k.daddr, k.dport) = 0;
