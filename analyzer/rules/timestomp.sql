-- id: timestomp
-- severity: low
-- category: file-tampering
-- technique: T1070.006
-- description: touch copied or set a file's timestamps (-r, -d, -t) on a system or binary path, to hide when it changed.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       'touch in ' || COALESCE(c.short_id, 'host') || ' (pid ' || x.pid || ') sets timestamps: ' || COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0 AND x.prog = 'touch'
  AND x.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0
              AND (a.value IN ('-r', '-d', '-t', '--reference', '--date') OR a.value GLOB '--reference=*' OR a.value GLOB '--date=*'))
  AND EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0
              AND (a.value GLOB '/bin/*' OR a.value GLOB '/sbin/*' OR a.value GLOB '/usr/*' OR a.value GLOB '/etc/*'
                   OR a.value GLOB '/lib*' OR a.value GLOB '/opt/*'));
