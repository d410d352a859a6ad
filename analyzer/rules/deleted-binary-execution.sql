-- id: deleted-binary-execution
-- severity: high
-- category: privilege-escalation
-- technique: T1070.004
-- description: A program was executed from a file already deleted (run through /proc/self/fd or an fd kept open), leaving nothing on disk to find.
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id, NULL AS conn_id,
       'executed deleted file ' || COALESCE(e.exe, e.filename) || ' in ' || COALESCE(c.short_id, 'host') ||
         ' (pid ' || e.pid || '): ' || COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM execs e
LEFT JOIN containers c ON c.container_id = e.container_id
WHERE e.ret = 0 AND COALESCE(e.exe_flags, 0) & 2 AND NOT (COALESCE(e.exe_flags, 0) & 1);
