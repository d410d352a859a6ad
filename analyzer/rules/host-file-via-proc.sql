-- id: host-file-via-proc
-- severity: critical
-- category: container-escape
-- technique: T1611
-- description: A container process opened a file outside its mount namespace (the runtime's binary through /proc/PID/exe, a host path through /proc/PID/root or a host process's fd), or tried to open a running executable for writing: the runc /proc/self/exe overwrite (CVE-2019-5736) and its kin.
--
-- A container sees only its own mounts; a file of another mount namespace,
-- or the memfd copy of runc that a patched runc runs from, can only be
-- reached through a /proc magic link of a process that is not the
-- container's: the runtime exec'ing into it (`runc exec`, a probe), or a host
-- process in a shared pid namespace. The recorder flags such opens
-- (format 1.5, `outside_mntns`, O_PATH ones too) and records every
-- write-open refused with ETXTBSY (the file is a running image: the exploit
-- retries until the runtime exits). runc init itself, which joins the
-- container's namespaces holding host files, is left out.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id,
       f.what || CASE WHEN f.outside_mntns THEN ' (outside its mount namespace)'
                      ELSE ' (a running executable)' END AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.container_id IS NOT NULL
  AND (f.outside_mntns = 1 OR (f.op IN ('write', 'truncate') AND f.ret = -26))
  AND COALESCE(f.prog, '') <> 'runc' AND COALESCE(f.comm, '') NOT GLOB 'runc:*'
  AND NOT EXISTS (SELECT 1 FROM rx_names x WHERE x.exec_id = f.exec_id AND x.ab = 'runc');
