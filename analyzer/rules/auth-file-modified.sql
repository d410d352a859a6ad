-- id: auth-file-modified
-- severity: high
-- category: file-tampering
-- technique: T1098
-- description: An account or authentication file was changed (passwd, shadow, group, sudoers, PAM) outside the container's build and entrypoint and package installs.
--
-- Catches backdoor accounts appended to /etc/passwd (Atomic T1136.001), a NOPASSWD
-- sudoers rule (T1548.003), pam_permit put first in a PAM stack (T1556.003), /etc/shadow
-- made readable (T1222.002): writes, renames into place (sed -i), deletions, mode and
-- owner changes, failed attempts too. Package managers and the image's own build
-- steps and entrypoint (rx_entry: useradd at build, an OpenShift entrypoint adding
-- its random uid to /etc/passwd) are left out.
-- The file changed is `path` (`path2` for a rename, link or symlink: the new
-- name); a link or symlink changes nothing at its target.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('write', 'create', 'truncate', 'rename', 'unlink', 'link', 'symlink', 'chmod', 'chown')
  AND (f.changed GLOB '/etc/passwd' OR f.path2 GLOB '/etc/passwd'
       OR f.changed GLOB '/etc/shadow' OR f.path2 GLOB '/etc/shadow'
       OR f.changed GLOB '/etc/group' OR f.path2 GLOB '/etc/group'
       OR f.changed GLOB '/etc/gshadow' OR f.path2 GLOB '/etc/gshadow'
       OR f.changed GLOB '/etc/sudoers' OR f.path2 GLOB '/etc/sudoers'
       OR f.changed GLOB '/etc/sudoers.d/*' OR f.path2 GLOB '/etc/sudoers.d/*'
       OR f.changed GLOB '/etc/pam.d/*' OR f.path2 GLOB '/etc/pam.d/*'
       OR f.changed GLOB '/etc/pam.conf' OR f.path2 GLOB '/etc/pam.conf'
       OR f.changed GLOB '/etc/security/*' OR f.path2 GLOB '/etc/security/*'
       OR f.changed GLOB '/etc/login.defs' OR f.path2 GLOB '/etc/login.defs')
  AND f.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND COALESCE(f.prog, '') NOT IN rx_pkgmgr;
