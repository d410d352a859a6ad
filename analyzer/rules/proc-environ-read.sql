-- id: proc-environ-read
-- severity: high
-- category: credential-access
-- technique: T1552
-- description: A program read another process's environment through /proc/PID/environ (passwords and API keys passed as environment variables).
-- With recorder 1.2 file events, the read itself (the recorder records reads of
-- another process's environ only).
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.prog || ' in ' || COALESCE(c.short_id, 'host') || ' (pid ' || x.pid || ') reads another process''s environment: ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0
  AND x.argv GLOB '*/proc/[0-9]*/environ*' -- cheap test of the whole argv text first
  AND EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0 AND a.value GLOB '*/proc/[0-9]*/environ*')
UNION ALL
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op = 'read' AND f.path GLOB '/proc/[0-9]*/environ'
  AND COALESCE(f.prog, '') NOT IN ('ps', 'top', 'htop');
