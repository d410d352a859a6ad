-- id: proc-root-access
-- severity: critical
-- category: container-escape
-- technique: T1611
-- description: A container process reached another process's root or working directory through /proc/PID/root or /proc/PID/cwd (the host's filesystem, from a hostPID container).
--
-- Catches `chroot /proc/1/root`, `cat /proc/1/root/etc/shadow`, `ls /proc/PID/cwd`
-- from a container that shares the host's pid namespace: the other process's root
-- is the host's /. /proc/self/... is left out (one's own root).
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.filename || ' (pid ' || x.pid || ') in ' || c.short_id || ' reaches through another process''s root: ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0
  AND x.argv GLOB '*/proc/[0-9]*' -- cheap test of the whole argv text first
  AND EXISTS (SELECT 1 FROM json_each(x.argv) a
              WHERE a.value GLOB '*/proc/[0-9]*/root*' OR a.value GLOB '*/proc/[0-9]*/cwd*');
