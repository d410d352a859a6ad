-- id: cgroup-release-agent
-- severity: critical
-- category: container-escape
-- technique: T1611
-- falco: Detect release_agent File Container Escapes
-- description: A cgroup v1 release_agent file was opened for writing: the kernel runs that program as root on the host when the cgroup empties.
--
-- Catches CVE-2022-0492 and the classic privileged-container escape: mount a cgroup v1
-- hierarchy, set notify_on_release, write the host path of a payload into
-- release_agent. Any process, failed attempts too.
-- The file changed is `path` (`path2` for a rename, link or symlink: the new
-- name); a link or symlink changes nothing at its target.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('write', 'create', 'truncate')
  AND (f.changed GLOB '*/release_agent' OR f.path2 GLOB '*/release_agent');
