-- id: port-scan
-- severity: medium
-- category: suspicious-network
-- technique: T1046
-- description: A container (or host process) tried 10 or more ports of one host within a minute.
--
-- Catches network service discovery from a compromised container: `nc -z` loops, nmap
-- connect scans, python socket loops (Atomic T1046). Counted per source container
-- (host processes: per process) and destination address, over non-loopback
-- connection attempts (failed ones too: a scan mostly fails), within 60 s of the
-- first. One alert per container and destination, on the first attempt.
WITH k AS (
  SELECT k.*, COALESCE('c' || k.container_id, 'p' || k.proc_id) AS src FROM rx_conn k WHERE NOT k.loopback
    -- only destinations that saw 10 ports at all (from the daddr index)
    AND k.daddr IN (SELECT daddr FROM connections GROUP BY daddr HAVING count(DISTINCT dport) >= 10)
),
burst AS (
  SELECT a.src, a.daddr, min(a.conn_id) AS conn_id, count(DISTINCT b.dport) AS ports
  FROM (SELECT src, daddr, min(ts) AS t0, min(conn_id) AS conn_id FROM k GROUP BY src, daddr) a
  JOIN k b ON b.src = a.src AND b.daddr = a.daddr AND b.ts - a.t0 <= 60000000000
  GROUP BY a.src, a.daddr
  HAVING count(DISTINCT b.dport) >= 10
)
SELECT k.ts, k.host_id, k.container_id, k.proc_id, k.pid, k.start, k.exec_id, k.conn_id,
       COALESCE(c.short_id, 'host pid ' || k.pid) || ' tried ' || b.ports || ' ports of ' || k.daddr ||
         ' within 60 s (first by ' || COALESCE(e.filename, k.comm, '?') || ')' AS message,
       'scan:' || b.src || ':' || k.daddr AS key
FROM burst b
JOIN connections k ON k.conn_id = b.conn_id
LEFT JOIN containers c ON c.container_id = k.container_id
LEFT JOIN execs e ON e.exec_id = k.exec_id;
