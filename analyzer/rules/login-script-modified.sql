-- id: login-script-modified
-- severity: high
-- category: persistence
-- technique: T1546.004
-- description: A script every login or shell start runs was changed: shell rc and profile files, /etc/profile.d, /etc/environment, update-motd.d.
--
-- Catches persistence and credential capture through shell startup files (Atomic
-- T1546.004: a beacon appended to ~/.bashrc, a script dropped into /etc/profile.d, an
-- alias for sudo that logs passwords) and motd scripts run at every ssh login, outside
-- package installs and the image's own build steps.
-- The file changed is `path` (`path2` for a rename, link or symlink: the new
-- name); a link or symlink changes nothing at its target.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('write', 'create', 'truncate', 'rename', 'unlink', 'link', 'symlink', 'chmod', 'chown')
  AND (f.changed GLOB '*/.bashrc' OR f.path2 GLOB '*/.bashrc'
       OR f.changed GLOB '*/.bash_profile' OR f.path2 GLOB '*/.bash_profile'
       OR f.changed GLOB '*/.bash_login' OR f.path2 GLOB '*/.bash_login'
       OR f.changed GLOB '*/.bash_logout' OR f.path2 GLOB '*/.bash_logout'
       OR f.changed GLOB '*/.profile' OR f.path2 GLOB '*/.profile'
       OR f.changed GLOB '*/.zshrc' OR f.path2 GLOB '*/.zshrc'
       OR f.changed GLOB '*/.zprofile' OR f.path2 GLOB '*/.zprofile'
       OR f.changed GLOB '*/.zshenv' OR f.path2 GLOB '*/.zshenv'
       OR f.changed GLOB '*/.kshrc' OR f.path2 GLOB '*/.kshrc'
       OR f.changed GLOB '*/.cshrc' OR f.path2 GLOB '*/.cshrc'
       OR f.changed GLOB '*/.tcshrc' OR f.path2 GLOB '*/.tcshrc'
       OR f.changed GLOB '/etc/profile' OR f.path2 GLOB '/etc/profile'
       OR f.changed GLOB '/etc/profile.d/*' OR f.path2 GLOB '/etc/profile.d/*'
       OR f.changed GLOB '/etc/bash.bashrc' OR f.path2 GLOB '/etc/bash.bashrc'
       OR f.changed GLOB '/etc/bashrc' OR f.path2 GLOB '/etc/bashrc'
       OR f.changed GLOB '/etc/environment' OR f.path2 GLOB '/etc/environment'
       OR f.changed GLOB '/etc/zsh/*' OR f.path2 GLOB '/etc/zsh/*'
       OR f.changed GLOB '/etc/update-motd.d/*' OR f.path2 GLOB '/etc/update-motd.d/*'
       OR f.changed GLOB '/etc/skel/*' OR f.path2 GLOB '/etc/skel/*')
  AND f.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND COALESCE(f.prog, '') NOT IN rx_pkgmgr;
