-- id: terminal-shell-in-container
-- severity: low
-- category: privilege-escalation
-- technique: T1059.004
-- falco: Terminal shell in container
-- description: An interactive shell with a terminal started in a container (kubectl exec -it, docker exec -it): someone typing inside it.
--
-- Informational, as Falco's NOTICE: an operator's debugging session looks exactly
-- like an intruder's with stolen credentials; the trail says who typed what. The
-- container's own init and entrypoint shells are left out.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       'terminal shell ' || x.filename || ' in container ' || c.short_id || ' (pid ' || x.pid || ', tty ' ||
         (x.tty >> 20) || ':' || (x.tty & 1048575) || '): ' || COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0 AND COALESCE(x.tty, 0) <> 0 AND COALESCE(x.vpid, 0) <> 1
  AND (x.prog IN rx_shell OR x.ab IN rx_shell)
  AND x.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  -- the session's first shell: not the subshells of a shell already on that terminal
  AND NOT EXISTS (SELECT 1 FROM processes p JOIN rx_exec y ON y.proc_id = p.parent_id
                  WHERE p.proc_id = x.proc_id AND y.tty = x.tty AND (y.prog IN rx_shell OR y.ab IN rx_shell));
