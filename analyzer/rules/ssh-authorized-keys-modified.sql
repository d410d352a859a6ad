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
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('write', 'create', 'truncate', 'rename', 'unlink', 'link', 'symlink', 'chmod', 'chown')
  AND (f.changed GLOB '*/.ssh/authorized_keys' OR f.path2 GLOB '*/.ssh/authorized_keys'
       OR f.changed GLOB '*/.ssh/authorized_keys2' OR f.path2 GLOB '*/.ssh/authorized_keys2'
       OR f.changed GLOB '/etc/ssh/sshd_config' OR f.path2 GLOB '/etc/ssh/sshd_config'
       OR f.changed GLOB '/etc/ssh/sshd_config.d/*' OR f.path2 GLOB '/etc/ssh/sshd_config.d/*')
  AND f.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND COALESCE(f.prog, '') NOT IN rx_pkgmgr;
