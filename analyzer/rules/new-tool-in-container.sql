-- id: new-tool-in-container
-- severity: medium
-- description: A container ran a package manager or network tool that none of its processes ran when recording started.
--
-- Catches an intruder installing tooling (apt-get install, apk add, pip
-- install) or fetching and probing (curl, wget, nc, socat, nmap, ssh) in a
-- container whose normal workload does not use them. "Normal" is what the
-- container's snapshot (processes alive at the start of the capture) ran;
-- a container started during the capture has no snapshot, so every such
-- tool in it is reported.
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id,
       NULL AS conn_id,
       basename(e.filename) || ' run in container ' || c.short_id || ' (pid ' || e.pid || '): ' ||
         COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM execs e
JOIN containers c ON c.container_id = e.container_id
WHERE e.kind = 'exec' AND e.ret = 0
  AND basename(e.filename) IN ('apt', 'apt-get', 'dpkg', 'apk', 'yum', 'dnf', 'microdnf', 'rpm', 'zypper',
                               'pip', 'pip3', 'npm', 'gem',
                               'curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'nmap', 'telnet',
                               'ssh', 'scp', 'sftp', 'ftp', 'tftp')
  AND NOT EXISTS (SELECT 1 FROM execs s
                  WHERE s.container_id = e.container_id AND s.kind = 'snapshot'
                    AND (basename(s.filename) = basename(e.filename)
                         OR basename(json_extract(s.argv, '$[0]')) = basename(e.filename)));
