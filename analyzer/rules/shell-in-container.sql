-- id: shell-in-container
-- severity: high
-- description: A shell started inside a container by something other than the container's own command.
--
-- Catches `kubectl exec -it POD -- sh`, `docker exec`, `runc exec`, and a
-- compromised service spawning `sh -c ...` (web shell, command injection).
-- The container's init (pid 1 inside it) is left out: a shell entrypoint
-- is the container's normal command, not an intrusion.
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id,
       NULL AS conn_id,
       'shell ' || e.filename || ' started in container ' || c.short_id ||
         ' (pid ' || e.pid || ', ppid ' || COALESCE(e.ppid, '?') || '): ' || COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM execs e
JOIN containers c ON c.container_id = e.container_id
WHERE e.kind = 'exec' AND e.ret = 0
  AND basename(e.filename) IN ('sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'busybox')
  AND (basename(e.filename) <> 'busybox' OR json_extract(e.argv, '$[1]') IN ('sh', 'ash'))
  AND COALESCE(e.vpid, 0) <> 1;
