-- id: bulk-data-removal
-- severity: high
-- category: file-tampering
-- technique: T1485
-- falco: Remove Bulk Data from Disk
-- description: A data-destruction tool ran in a container (shred, wipefs, mkfs, mke2fs, dd onto a device).
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.prog || ' in container ' || c.short_id || ' (pid ' || x.pid || ') destroys data: ' || COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0
  AND (x.prog IN ('shred', 'wipefs', 'mke2fs', 'mkfs') OR x.prog GLOB 'mkfs.*'
       OR (x.prog = 'dd' AND x.cmdline GLOB '* of=/dev/[sv]d*'));
