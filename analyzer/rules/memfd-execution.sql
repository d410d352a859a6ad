-- id: memfd-execution
-- severity: critical
-- category: privilege-escalation
-- technique: T1620
-- falco: Fileless execution via memfd_create
-- description: A program was executed from an anonymous memory file (memfd): fileless malware that never touches the disk.
--
-- Catches memfd_create + fexecve loaders (reflective code loading, Atomic-style
-- fileless droppers, Ezuri, commandos of the "kworker" kind) by the kernel's
-- resolved image (execs.exe /memfd:NAME, exe_flags memfd), however the exec was
-- spelled. runc re-executing its own sealed memfd copy as `runc init` (every
-- container start, the CVE-2019-5736 mitigation) is left out, exactly as in
-- exec-from-temp.
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id, NULL AS conn_id,
       'executed memfd image ' || COALESCE(e.exe, e.filename) || ' in ' || COALESCE(c.short_id, 'host') ||
         ' (pid ' || e.pid || '): ' || COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM execs e
LEFT JOIN containers c ON c.container_id = e.container_id
WHERE e.ret = 0 AND (COALESCE(e.exe_flags, 0) & 1 OR e.exe GLOB '/memfd:*')
  AND NOT (e.exe GLOB '/memfd:runc_cloned:*' OR e.exe GLOB '/memfd:runc*'
           OR (json_array_length(e.argv) = 2 AND basename(json_extract(e.argv, '$[0]')) = 'runc'
               AND json_extract(e.argv, '$[1]') = 'init'));
