-- id: setuid-root-gain
-- severity: high
-- category: privilege-escalation
-- technique: T1548.001
-- description: A process gained root (euid 0) across an exec while its real uid, or its euid before the exec, was not root.
--
-- Catches execution of setuid-root binaries (sudo, su, pkexec, a planted
-- setuid shell, an exploited suid helper) by an unprivileged user, on the
-- host and in containers. Credentials before the exec are the process's
-- previous recorded image (or failed exec) when there is one.
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id,
       NULL AS conn_id,
       e.filename || ' (pid ' || e.pid || ') in ' || COALESCE(c.short_id, 'host') || ' gained euid 0 (uid ' ||
         e.uid || COALESCE(', euid before ' || prev.euid, '') || '): ' || COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM execs e
LEFT JOIN containers c ON c.container_id = e.container_id
LEFT JOIN execs prev ON prev.exec_id = (
       SELECT p.exec_id FROM execs p
       WHERE p.proc_id = e.proc_id AND (p.ts < e.ts OR (p.ts = e.ts AND p.exec_id < e.exec_id))
       ORDER BY p.ts DESC, p.exec_id DESC LIMIT 1)
WHERE e.kind = 'exec' AND e.ret = 0 AND e.euid = 0
  AND (e.uid <> 0 OR COALESCE(prev.euid, 0) <> 0);
