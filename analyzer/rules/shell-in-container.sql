-- id: shell-in-container
-- severity: medium
-- category: privilege-escalation
-- technique: T1059.004
-- falco: Run shell untrusted (interactive half); see terminal-shell-in-container
-- description: An interactive shell without a terminal started in a container, outside its entrypoint: commands typed in through a pipe or a socket.
--
-- Catches `kubectl exec -i POD -- sh` fed by a script, `docker exec -i`, and shells
-- driven over a network connection (nc -e /bin/sh, web shells that open sh -i): a
-- shell that reads its commands from stdin (no -c command and no script file, or
-- -i) and has no controlling terminal. Not flagged, as Falco does not flag them:
-- `sh -c CMD` run by the runtime (kubelet exec probes, Docker shell-form health
-- checks, one-off kubectl exec commands; what CMD does is judged by the other
-- rules), script files, the container's init and its entrypoint's own shells
-- (rx_entry). With a terminal, the same shell is terminal-shell-in-container
-- (low: an operator's debugging session). A shell named by the executed file or
-- by argv[0] (busybox runs applets as /proc/self/exe with argv[0] "sh").
WITH sh AS MATERIALIZED (
  SELECT x.* FROM rx_exec x
  WHERE x.kind = 'exec' AND x.ret = 0 AND x.container_id IS NOT NULL AND COALESCE(x.vpid, 0) <> 1
    AND (x.prog IN rx_shell OR x.ab IN rx_shell OR ((x.fb = 'busybox' OR x.ab = 'busybox') AND x.a1 IN rx_shell))
)
SELECT s.ts, s.host_id, s.container_id, s.proc_id, s.pid, s.start, s.exec_id,
       NULL AS conn_id,
       'interactive shell ' || s.filename || CASE WHEN s.ab <> s.fb THEN ' (argv[0] ' || json_extract(s.argv, '$[0]') || ')' ELSE '' END ||
         ' started in container ' || c.short_id ||
         ' (pid ' || s.pid || ', ppid ' || COALESCE(s.ppid, '?') || ') without a terminal: ' || COALESCE(s.cmdline, '') AS message,
       'e' || s.exec_id AS key
FROM sh s
JOIN containers c ON c.container_id = s.container_id
WHERE s.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  -- interactive: -i, or no operand that is a command (-c) or a script file
  AND (EXISTS (SELECT 1 FROM json_each(s.argv) a WHERE a.key > 0 AND (a.value GLOB '-*i*' AND a.value NOT GLOB '--*'))
       OR NOT EXISTS (SELECT 1 FROM json_each(s.argv) a WHERE a.key > 0
                      AND (a.value NOT GLOB '-*' OR (a.value GLOB '-*c*' AND a.value NOT GLOB '--*'))
                      AND NOT ((s.fb = 'busybox' OR s.ab = 'busybox') AND a.key = 1)))
  -- with a terminal it is terminal-shell-in-container (an operator, low)
  AND COALESCE(s.tty, 0) = 0;
