-- id: ssh-authorized-keys-modified
-- severity: high
-- category: persistence
-- technique: T1098.004
-- description: An ssh authorized_keys file or the ssh server's configuration was changed: a key that logs in without a password.
--
-- Catches Atomic T1098.004 (a key appended to ~/.ssh/authorized_keys) and its
-- variants: authorized_keys2, /etc/ssh/sshd_config (AuthorizedKeysFile,
-- PermitRootLogin), /etc/ssh/sshd_config.d, outside package installs and the image's
-- own build steps.
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
WHERE f.op IN ('write', 'create', 'truncate', 'rename', 'unlink', 'link', 'symlink', 'chmod', 'chown')
  AND (f.changed GLOB '*/.ssh/authorized_keys' OR f.path2 GLOB '*/.ssh/authorized_keys'
       OR f.changed GLOB '*/.ssh/authorized_keys2' OR f.path2 GLOB '*/.ssh/authorized_keys2'
       OR f.changed GLOB '/etc/ssh/sshd_config' OR f.path2 GLOB '/etc/ssh/sshd_config'
       OR f.changed GLOB '/etc/ssh/sshd_config.d/*' OR f.path2 GLOB '/etc/ssh/sshd_config.d/*')
  AND f.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND COALESCE(x.prog, '') NOT IN rx_pkgmgr;
