-- id: debugfs-in-container
-- severity: high
-- category: container-escape
-- technique: T1611
-- falco: Debugfs Launched in Privileged Container
-- description: debugfs was run in a container: reading or writing a disk's filesystem directly, the host's when the container is privileged.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       'debugfs in container ' || c.short_id || ' (pid ' || x.pid || '): ' || COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0 AND (x.prog = 'debugfs' OR x.ab = 'debugfs');
