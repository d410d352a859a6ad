-- id: bpf-program-load
-- severity: high
-- category: container-escape
-- technique: T1014
-- description: A container loaded a BPF program into the host's kernel (eBPF rootkits hide processes, files and traffic this way).
--
-- Catches BPF rootkits and BPF-based sniffers loaded from a container with
-- CAP_BPF/CAP_SYS_ADMIN: the program runs in the host's kernel and sees every
-- container. Failed attempts count. Host programs are not reported (monitoring
-- agents, exray itself load BPF).
SELECT b.ts, b.host_id, b.container_id, b.proc_id, b.pid, b.start, b.exec_id, NULL AS conn_id,
       COALESCE(x.prog, b.comm, '?') || ' (pid ' || b.pid || ') in container ' || c.short_id || ' loaded BPF program ' ||
         COALESCE('''' || b.prog_name || '''', '?') || ' (type ' || COALESCE(b.prog_type, '?') || ')' ||
         CASE WHEN b.ret < 0 THEN ' (failed, ' || b.ret || ')' ELSE '' END AS message,
       'b' || b.event_id AS key
FROM bpf_events b
JOIN containers c ON c.container_id = b.container_id
LEFT JOIN rx_names x ON x.exec_id = b.exec_id
WHERE b.op = 'prog_load' OR b.cmd = 5;
