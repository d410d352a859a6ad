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
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id,
       COALESCE(x.prog, f.comm, '?') || ' (pid ' || f.pid || ') in ' || COALESCE(c.short_id, 'host') || ' ' ||
         f.op || CASE WHEN f.ret < 0 THEN ' (failed, ' || f.ret || ')' ELSE '' END || ' ' ||
         COALESCE(f.path, '?') || COALESCE(' -> ' || f.path2, '') AS message,
       'f' || f.event_id AS key
FROM (SELECT *, CASE WHEN op IN ('symlink', 'link') THEN NULL ELSE path END AS changed FROM file_events) f
LEFT JOIN rx_exec x ON x.exec_id = f.exec_id
LEFT JOIN containers c ON c.container_id = f.container_id
WHERE f.op IN ('write', 'create', 'truncate')
  AND (f.changed GLOB '*/release_agent' OR f.path2 GLOB '*/release_agent');
