-- id: shell-in-container
-- severity: high
-- description: A shell started inside a container by something other than the container's own command.
--
-- Catches `kubectl exec -it POD -- sh`, `docker exec`, `runc exec`, and a
-- compromised service spawning `sh -c ...` (web shell, command injection).
-- The container's init (pid 1 inside it) is left out: a shell entrypoint
-- is the container's normal command, not an intrusion.
-- A shell is named by the executed file or by argv[0] (leading '-' of a
-- login shell dropped): busybox re-executes itself as /proc/self/exe with
-- argv[0] "sh", and a script's interpreter shows as argv[0] "/bin/sh".
-- argv[0] is the caller's choice: matching it as well only adds alerts.
WITH x AS (
  SELECT e.*, basename(e.filename) AS fb, ltrim(basename(json_extract(e.argv, '$[0]')), '-') AS ab,
         json_extract(e.argv, '$[1]') AS a1
  FROM execs e
  WHERE e.kind = 'exec' AND e.ret = 0 AND e.container_id IS NOT NULL AND COALESCE(e.vpid, 0) <> 1
)
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id,
       NULL AS conn_id,
       'shell ' || x.filename || CASE WHEN x.ab <> x.fb THEN ' (argv[0] ' || json_extract(x.argv, '$[0]') || ')' ELSE '' END ||
         ' started in container ' || c.short_id ||
         ' (pid ' || x.pid || ', ppid ' || COALESCE(x.ppid, '?') || '): ' || COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM x
JOIN containers c ON c.container_id = x.container_id
WHERE x.fb IN ('sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish')
   OR x.ab IN ('sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish')
   OR ((x.fb = 'busybox' OR x.ab = 'busybox') AND x.a1 IN ('sh', 'ash', 'hush'));
