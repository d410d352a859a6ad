-- id: raw-socket
-- severity: medium
-- category: suspicious-network
-- technique: T1046
-- description: A container opened a raw IP socket (SOCK_RAW, AF_INET/AF_INET6): crafted packets, SYN scans, covert channels. ping's ICMP sockets and netlink (the audit socket of useradd, passwd) are left out.
SELECT s.ts, s.host_id, s.container_id, s.proc_id, s.pid, s.start, s.exec_id, NULL AS conn_id,
       COALESCE(x.prog, s.comm, '?') || ' (pid ' || s.pid || ') in container ' || c.short_id || ' opened a raw socket (protocol ' ||
         COALESCE(s.protocol, '?') || ')' || CASE WHEN s.ret < 0 THEN ' (failed, ' || s.ret || ')' ELSE '' END AS message,
       'so' || s.event_id AS key
FROM socket_events s
JOIN containers c ON c.container_id = s.container_id
LEFT JOIN rx_names x ON x.exec_id = s.exec_id
WHERE s.op = 'raw' AND COALESCE(s.family, 2) IN (2, 10) AND NOT (COALESCE(x.prog, '') IN ('ping', 'ping6', 'traceroute', 'arping') AND s.protocol IN (1, 58));
