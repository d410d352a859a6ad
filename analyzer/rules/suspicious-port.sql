-- id: suspicious-port
-- severity: medium
-- category: suspicious-network
-- technique: T1571
-- description: A connection to a port typical of cryptocurrency mining pools or remote-shell listeners.
--
-- Catches miners reaching stratum pools (3333, 4444, 5555, 7777, 14433,
-- 14444, 45560, 45700) and reverse shells / C2 on the classic listener
-- ports (4444 Metasploit, 1337, 31337, 6666-6667 IRC bots), on the host and
-- in containers, with or without a policy.
SELECT k.ts, k.host_id, k.container_id, k.proc_id, k.pid, k.start, k.exec_id, k.conn_id,
       COALESCE(e.filename, k.comm, '?') || ' (pid ' || k.pid || ') in ' || COALESCE(c.short_id, 'host') ||
         ' connected to ' || inet_fmt(k.daddr, k.dport) || ' (mining / remote-shell port)' AS message,
       'c' || k.conn_id AS key
FROM connections k
LEFT JOIN containers c ON c.container_id = k.container_id
LEFT JOIN execs e ON e.exec_id = k.exec_id
WHERE k.dport IN (1337, 3333, 4444, 5555, 6666, 6667, 7777, 14433, 14444, 31337, 45560, 45700);
