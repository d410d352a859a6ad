-- id: system-service-modified
-- severity: high
-- category: persistence
-- technique: T1543.002
-- description: A boot or service definition was added or changed: systemd units, SysV init scripts, rc.local, udev rules.
--
-- Catches persistence through the init system (Atomic T1543.002 "Create Systemd
-- Service", T1037.004 rc scripts, T1546.017 udev rules): a unit written and enabled
-- by symlink, an init.d script, /etc/rc.local, a udev RUN+= rule, outside package
-- installs and the image's own build steps.
-- The file changed is `path` (`path2` for a rename, link or symlink: the new
-- name); a link or symlink changes nothing at its target.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('write', 'create', 'truncate', 'rename', 'unlink', 'link', 'symlink', 'chmod', 'chown')
  AND (f.changed GLOB '/etc/systemd/*' OR f.path2 GLOB '/etc/systemd/*'
       OR f.changed GLOB '/lib/systemd/system/*' OR f.path2 GLOB '/lib/systemd/system/*'
       OR f.changed GLOB '/usr/lib/systemd/system/*' OR f.path2 GLOB '/usr/lib/systemd/system/*'
       OR f.changed GLOB '/etc/init.d/*' OR f.path2 GLOB '/etc/init.d/*'
       OR f.changed GLOB '/etc/rc.local' OR f.path2 GLOB '/etc/rc.local'
       OR f.changed GLOB '/etc/rc[0-6S].d/*' OR f.path2 GLOB '/etc/rc[0-6S].d/*'
       OR f.changed GLOB '/etc/inittab' OR f.path2 GLOB '/etc/inittab'
       OR f.changed GLOB '/etc/udev/rules.d/*' OR f.path2 GLOB '/etc/udev/rules.d/*'
       OR f.changed GLOB '/lib/udev/rules.d/*' OR f.path2 GLOB '/lib/udev/rules.d/*'
       OR f.changed GLOB '/usr/lib/udev/rules.d/*' OR f.path2 GLOB '/usr/lib/udev/rules.d/*'
       OR f.changed GLOB '/root/.config/systemd/*' OR f.path2 GLOB '/root/.config/systemd/*'
       OR f.changed GLOB '/home/*/.config/systemd/*' OR f.path2 GLOB '/home/*/.config/systemd/*')
  AND f.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND COALESCE(f.prog, '') NOT IN rx_pkgmgr;
