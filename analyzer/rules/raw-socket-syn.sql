-- id: raw-socket-syn
-- severity: high
-- category: suspicious-network
-- technique: T1046
-- description: A TCP SYN sent by a local socket with no socket-level connect: crafted on a raw socket.
--
-- Needs the packet view (exray-record --tc-iface/--tc-veth). Port scanners
-- (nmap -sS), covert channels and implants build SYNs on raw sockets, which
-- no TCP socket state change reveals; the TC classifier sees the packet, and
-- the connect tracepoint has nothing to match it (v_raw_syns). Also fires
-- when the capture ran with --events lacking connect. No process is known:
-- the container comes from the sending socket's cgroup.
SELECT s.ts, s.host_id, s.container_id, NULL AS proc_id, NULL AS pid, NULL AS start,
       NULL AS exec_id, NULL AS conn_id,
       'raw-socket SYN from ' || COALESCE(c.short_id, 'host') || ' (cgroup ' || s.cgroup_id ||
         ') to ' || inet_fmt(s.daddr, s.dport) || ' from port ' || s.sport ||
         ', in-kernel verdict ' || COALESCE(s.verdict, '?') AS message,
       's' || s.syn_id AS key
FROM syns s
LEFT JOIN containers c ON c.container_id = s.container_id
WHERE s.conn_id IS NULL AND s.cgroup_id <> 0;
