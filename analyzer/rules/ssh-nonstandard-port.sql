-- id: ssh-nonstandard-port
-- severity: medium
-- category: suspicious-network
-- technique: T1021.004
-- falco: Disallowed SSH Connection Non Standard Port
-- description: An ssh client (ssh, scp, sftp, dbclient) connected to a port other than 22.
--
-- Catches tunnels and lateral movement to ssh servers hidden on other ports (2222,
-- 443 ...), and ssh used as a reverse tunnel to an attacker's box. Loopback is left
-- out (local port forwards).
SELECT k.ts, k.host_id, k.container_id, k.proc_id, k.pid, k.start, k.exec_id, k.conn_id,
       x.filename || ' (pid ' || k.pid || ') in ' || COALESCE(c.short_id, 'host') || ' connected to ' ||
         inet_fmt(k.daddr, k.dport) || ', not the ssh port: ' || COALESCE(x.cmdline, '') AS message,
       'c' || k.conn_id AS key
FROM rx_conn k
JOIN rx_exec x ON x.exec_id = k.exec_id
LEFT JOIN containers c ON c.container_id = k.container_id
WHERE k.dport <> 22 AND NOT k.loopback AND (x.prog IN ('ssh', 'scp', 'sftp', 'dbclient') OR x.ab IN ('ssh', 'scp', 'sftp', 'dbclient'));
