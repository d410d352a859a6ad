-- id: capability-gain
-- severity: high
-- category: privilege-escalation
-- technique: T1548
-- description: A non-root process raised powerful capabilities into its effective set (CAP_SYS_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH, BPF, NET_ADMIN ...).
--
-- Catches a process with a uid other than 0 that gains, through capset(), the
-- capabilities that break isolation: file capabilities abused, a setuid helper
-- raising caps before dropping its uid, an exploit. Root processes juggling their
-- own capabilities (runc, container init, systemd) are not reported.
-- Bits: 1 DAC_OVERRIDE, 2 DAC_READ_SEARCH, 12 NET_ADMIN, 16 SYS_MODULE,
-- 17 SYS_RAWIO, 19 SYS_PTRACE, 21 SYS_ADMIN, 38 PERFMON, 39 BPF.
SELECT v.ts, v.host_id, v.container_id, v.proc_id, v.pid, v.start, v.exec_id, NULL AS conn_id,
       COALESCE(x.prog, v.comm, '?') || ' (pid ' || v.pid || ', uid ' || v.uid || ') in ' || COALESCE(c.short_id, 'host') ||
         ' raised capabilities ' || printf('0x%x', v.cap_effective & ~COALESCE(v.cap_effective_old, 0)) AS message,
       'pv' || v.event_id AS key
FROM priv_events v
LEFT JOIN rx_names x ON x.exec_id = v.exec_id
LEFT JOIN containers c ON c.container_id = v.container_id
WHERE v.op = 'capset' AND v.ret = 0 AND v.uid <> 0
  AND (v.cap_effective & ~COALESCE(v.cap_effective_old, 0)
       & ((1 << 1) | (1 << 2) | (1 << 12) | (1 << 16) | (1 << 17) | (1 << 19) | (1 << 21) | (1 << 38) | (1 << 39))) <> 0;
