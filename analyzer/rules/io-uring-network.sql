-- id: io-uring-network
-- severity: high
-- category: suspicious-network
-- technique: T1071
-- description: A program connected out, or opened or changed a watched file, through io_uring, where system-call monitors do not look.
--
-- Catches implants that use io_uring to stay invisible to syscall-based tools
-- (the "curing" rootkit technique): connects to non-loopback addresses, and
-- openat/rename/unlink submissions. Loopback connects are left out.
SELECT u.ts, u.host_id, u.container_id, u.proc_id, u.pid, u.start, u.exec_id, NULL AS conn_id,
       COALESCE(x.prog, u.comm, '?') || ' (pid ' || u.pid || ') in ' || COALESCE(c.short_id, 'host') || ' io_uring ' || u.op ||
         COALESCE(' ' || inet_fmt(u.daddr, u.dport), '') || COALESCE(' ' || u.path, '') AS message,
       'u' || u.event_id AS key
FROM uring_events u
LEFT JOIN rx_names x ON x.exec_id = u.exec_id
LEFT JOIN containers c ON c.container_id = u.container_id
WHERE (u.op = 'connect' AND NOT (u.daddr GLOB '127.*' OR u.daddr = '::1' OR u.daddr GLOB '::ffff:127.*'))
   OR u.op IN ('renameat', 'unlinkat', 'linkat', 'symlinkat')
   OR (u.op IN ('openat', 'openat2') AND u.path IS NOT NULL
       AND (u.path GLOB '/etc/*' OR u.path GLOB '/root/*' OR u.path GLOB '/proc/*' OR u.path GLOB '*/.ssh/*'));
