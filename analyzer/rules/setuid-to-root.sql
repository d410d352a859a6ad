-- id: setuid-to-root
-- severity: high
-- category: privilege-escalation
-- technique: T1548.001
-- description: A process whose real uid was not root made itself root (setuid, setreuid, setresuid to 0).
--
-- Catches the second half of a setuid abuse: a setuid-root helper (or an exploit
-- that got euid 0) turning its real and saved uids to 0 as well, so what it starts
-- stays root. Failed attempts by unprivileged processes count too (an exploit
-- probing). Host and containers; the programs whose job it is (su, sudo, login,
-- sshd, cron, newgrp, pkexec, runc init) are left out.
SELECT v.ts, v.host_id, v.container_id, v.proc_id, v.pid, v.start, v.exec_id, NULL AS conn_id,
       COALESCE(x.prog, v.comm, '?') || ' (pid ' || v.pid || ') in ' || COALESCE(c.short_id, 'host') || ' ' || v.op ||
         ': uid ' || v.old_real || ' -> ' || COALESCE(v.new_real, '?') ||
         CASE WHEN v.ret < 0 THEN ' (failed, ' || v.ret || ')' ELSE '' END AS message,
       'pv' || v.event_id AS key
FROM priv_events v
LEFT JOIN rx_names x ON x.exec_id = v.exec_id
LEFT JOIN containers c ON c.container_id = v.container_id
WHERE v.op IN ('setuid', 'setreuid', 'setresuid') AND v.old_real <> 0
  AND (v.new_real = 0 OR v.new_effective = 0 OR (v.ret < 0 AND v.old_effective <> 0))
  AND COALESCE(x.prog, '') NOT IN ('su', 'sudo', 'login', 'sshd', 'cron', 'crond', 'newgrp', 'pkexec', 'runc', 'doas', 'polkit-agent-helper-1')
  AND COALESCE(x.fb, '') NOT IN ('runc');
