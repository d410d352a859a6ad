-- id: exec-then-egress
-- severity: medium
-- category: suspicious-network
-- technique: T1105
-- description: A program executed in a container connected out within 10 seconds of its exec.
--
-- Catches download-and-run (curl/wget fetching a payload, then the payload
-- phoning home), reverse shells (bash -i >& /dev/tcp/..., nc -e) and
-- droppers: an image that was exec'd during the capture and talks to the
-- network at once. One alert per exec, on its first connection. The
-- container's init (pid 1 inside it) is left out: a service connecting to
-- its backends at start is normal. Loopback is not egress: a health check
-- (wget/curl to 127.0.0.1 or ::1) does not fire. With a --policy, a
-- destination the policy allows (the site's artifact server during a build
-- step) does not fire either: only what the allowlist does not know does.
SELECT k.ts, k.host_id, k.container_id, k.proc_id, k.pid, k.start, e.exec_id, k.conn_id,
       e.filename || ' (pid ' || k.pid || ') in ' || c.short_id || ' connected to ' ||
         inet_fmt(k.daddr, k.dport) || ' ' || printf('%.3f', (k.ts - e.ts) / 1e9) ||
         ' s after exec: ' || COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM execs e
JOIN containers c ON c.container_id = e.container_id
JOIN connections k ON k.conn_id = (
       SELECT k2.conn_id FROM rx_conn k2
       WHERE k2.exec_id = e.exec_id AND k2.ts >= e.ts AND k2.ts - e.ts <= 10000000000 AND NOT k2.loopback
       ORDER BY k2.ts, k2.conn_id LIMIT 1)
LEFT JOIN cgroups g ON g.host_id = k.host_id AND g.cgroup_id = k.cgroup_id
WHERE e.kind = 'exec' AND e.ret = 0 AND COALESCE(e.vpid, 0) <> 1
  AND policy_allows(c.cid, c.pod_uid, COALESCE(g.path, c.cgroup_path), k.daddr, k.dport) IS NOT 1;
