-- id: proc-mem-access
-- severity: critical
-- category: credential-access
-- technique: T1003.007
-- description: A program read or wrote another process's memory through /proc/PID/mem (credential dumping, code injection).
--
-- Catches `dd if=/proc/PID/mem` memory dumps (Atomic T1003.007, mimipenguin) and
-- /proc/PID/mem writes (Atomic T1055.009) by the command line that names them.
-- With recorder 1.2 file events, the open itself, for reading or writing.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.prog || ' in ' || COALESCE(c.short_id, 'host') || ' (pid ' || x.pid || ') opens another process''s memory: ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0
  AND x.argv GLOB '*/proc/[0-9]*/mem*' -- cheap test of the whole argv text first
  AND EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0 AND a.value GLOB '*/proc/[0-9]*/mem')
UNION ALL
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('read', 'write') AND f.path GLOB '/proc/[0-9]*/mem'
  AND COALESCE(f.prog, '') NOT IN ('gdb', 'lldb');
