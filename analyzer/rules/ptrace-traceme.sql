-- id: ptrace-traceme
-- severity: low
-- category: privilege-escalation
-- technique: T1622
-- falco: PTRACE anti-debug attempt
-- description: A process asked to be traced by its parent (PTRACE_TRACEME): the anti-debugging trick of malware that refuses to be analysed.
SELECT t.ts, t.host_id, t.container_id, t.proc_id, t.pid, t.start, t.exec_id, NULL AS conn_id,
       COALESCE(x.prog, t.comm, '?') || ' (pid ' || t.pid || ') in ' || COALESCE(c.short_id, 'host') ||
         ' called PTRACE_TRACEME' AS message,
       'pt' || t.event_id AS key
FROM ptrace_events t
LEFT JOIN rx_names x ON x.exec_id = t.exec_id
LEFT JOIN containers c ON c.container_id = t.container_id
WHERE t.op = 'traceme'
  AND COALESCE(x.prog, '') NOT IN ('strace', 'ltrace', 'gdb', 'valgrind');
