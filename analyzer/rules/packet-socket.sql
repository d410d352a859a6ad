-- id: packet-socket
-- severity: high
-- category: suspicious-network
-- technique: T1040
-- falco: Packet socket created in container
-- description: A container opened an AF_PACKET socket: sniffing or crafting raw frames (ARP spoofing, packet capture).
SELECT s.ts, s.host_id, s.container_id, s.proc_id, s.pid, s.start, s.exec_id, NULL AS conn_id,
       COALESCE(x.prog, s.comm, '?') || ' (pid ' || s.pid || ') in container ' || c.short_id || ' opened a packet socket' ||
         CASE WHEN s.ret < 0 THEN ' (failed, ' || s.ret || ')' ELSE '' END AS message,
       'so' || s.event_id AS key
FROM socket_events s
JOIN containers c ON c.container_id = s.container_id
LEFT JOIN rx_names x ON x.exec_id = s.exec_id
WHERE s.op = 'packet';
