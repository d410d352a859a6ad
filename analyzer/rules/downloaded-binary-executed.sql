-- id: downloaded-binary-executed
-- severity: high
-- category: suspicious-network
-- technique: T1105
-- description: A file that curl or wget fetched from a destination the policy does not allow (or with no policy) was then executed.
--
-- Catches ingress tool transfer followed by execution (Atomic T1105 and every
-- download-and-run): `wget -O /tmp/x http://...; chmod +x /tmp/x; /tmp/x`, wherever the
-- file lands. The download is matched by the output path curl/wget were given (-O,
-- -o, --output, --output-document) and the exec by that path (the resolved image
-- where recorded) in the same container within 10 minutes. A download from an
-- allowed destination (an artifact server in the --policy) is a build step, not
-- an intrusion: it does not fire; without a policy every such pair does.
WITH dl AS MATERIALIZED (
  SELECT x.exec_id, x.container_id, x.host_id, x.ts, x.proc_id,
         (SELECT CASE WHEN a.value IN ('-O', '-o', '--output', '--output-document')
                        THEN json_extract(x.argv, '$[' || (a.key + 1) || ']')
                      WHEN a.value GLOB '--output-document=*' OR a.value GLOB '--output=*' THEN substr(a.value, instr(a.value, '=') + 1)
                      ELSE substr(a.value, 3) END
          FROM json_each(x.argv) a
          WHERE a.key > 0 AND (a.value IN ('-O', '-o', '--output', '--output-document')
                 OR a.value GLOB '--output-document=*' OR a.value GLOB '--output=*'
                 OR (a.value GLOB '-[oO]?*' AND a.value NOT GLOB '-[oO]-*'))
          ORDER BY a.key LIMIT 1) AS path
  FROM rx_exec x
  WHERE x.kind = 'exec' AND x.ret = 0 AND x.prog IN ('curl', 'wget')
),
bad AS MATERIALIZED (
  SELECT d.*, k.conn_id, k.daddr, k.dport
  FROM dl d
  JOIN connections k ON k.conn_id = (SELECT k2.conn_id FROM rx_conn k2 WHERE k2.exec_id = d.exec_id AND NOT k2.loopback
                                     ORDER BY k2.ts LIMIT 1)
  LEFT JOIN containers c ON c.container_id = d.container_id
  LEFT JOIN cgroups g ON g.host_id = k.host_id AND g.cgroup_id = k.cgroup_id
  WHERE d.path IS NOT NULL AND d.path <> '-'
    AND policy_allows(c.cid, c.pod_uid, COALESCE(g.path, c.cgroup_path), k.daddr, k.dport) IS NOT 1
),
-- the execs of a downloaded path, found once (not one scan of the
-- container's execs per download)
-- (the execs whose image or file has a downloaded file's name are found
-- in rx_names alone: reading every exec row cost seconds at 10M records)
ran AS MATERIALIZED (
  SELECT e.* FROM rx_names n JOIN rx_exec e ON e.exec_id = n.exec_id
  WHERE n.kind = 'exec' AND n.ret = 0
    AND (n.img IN (SELECT path FROM bad) OR n.fb IN (SELECT basename(path) FROM bad))
    AND (e.img IN (SELECT path FROM bad) OR e.filename IN (SELECT path FROM bad)
         OR e.filename IN (SELECT './' || path FROM bad))
)
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id, b.conn_id,
       'executed ' || e.filename || ' in ' || COALESCE(c.short_id, 'host') || ' (pid ' || e.pid || '), downloaded ' ||
         printf('%.1f', (e.ts - b.ts) / 1e9) || ' s earlier from ' || inet_fmt(b.daddr, b.dport) || ': ' ||
         COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM bad b
CROSS JOIN ran e ON e.host_id = b.host_id AND e.container_id IS b.container_id AND e.kind = 'exec' AND e.ret = 0
  AND e.ts > b.ts AND e.ts - b.ts <= 600000000000
  AND (e.img = b.path OR e.filename = b.path
       OR (b.path NOT GLOB '/*' AND (e.filename = './' || b.path OR e.filename = b.path)))
LEFT JOIN containers c ON c.container_id = e.container_id;
