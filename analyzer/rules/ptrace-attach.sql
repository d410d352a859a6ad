-- id: ptrace-attach
-- severity: high
-- category: privilege-escalation
-- technique: T1055.008
-- falco: PTRACE attached to process
-- description: A process attached to another with ptrace (attach, seize, poke) or wrote into its memory (process_vm_writev).
--
-- Catches code injection and credential theft through the debugging interface
-- (Atomic T1055.008/.009: gdb -p, strace -p on a service, injectors poking shellcode,
-- process_vm_writev), in containers and on the host, failed attempts too. A
-- process tracing its own child (a debugger that started the program) is left out.
SELECT t.ts, t.host_id, t.container_id, t.proc_id, t.pid, t.start, t.exec_id, NULL AS conn_id,
       COALESCE(x.prog, t.comm, '?') || ' (pid ' || t.pid || ') in ' || COALESCE(c.short_id, 'host') || ' ' || t.op ||
         ' pid ' || COALESCE(t.target_pid, '?') || COALESCE(' (' || tx.prog || ')', '') ||
         CASE WHEN t.ret < 0 THEN ' (failed, ' || t.ret || ')' ELSE '' END AS message,
       'pt' || t.proc_id || ':' || COALESCE(t.target_pid, '?') || ':' || t.op AS key
FROM ptrace_events t
LEFT JOIN rx_names x ON x.exec_id = t.exec_id
LEFT JOIN containers c ON c.container_id = t.container_id
LEFT JOIN processes tp ON tp.proc_id = t.target_proc_id
LEFT JOIN rx_names tx ON tx.exec_id = tp.exec_id
WHERE t.op IN ('attach', 'seize', 'poke', 'vm_write')
  AND COALESCE(tp.parent_id, -1) <> t.proc_id;
