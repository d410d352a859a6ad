-- id: ld-preload-modified
-- severity: critical
-- category: file-tampering
-- technique: T1574.006
-- description: The dynamic linker's preload or search configuration was changed (/etc/ld.so.preload, /etc/ld.so.conf*): every program will load the attacker's library.
--
-- Catches user-land rootkits (libprocesshider, Azazel, Jynx; Atomic T1014 and
-- T1574.006) registering themselves for every process. Package installs and the
-- image's build steps are left out.
-- The file changed is `path` (`path2` for a rename, link or symlink: the new
-- name); a link or symlink changes nothing at its target.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('write', 'create', 'truncate', 'rename', 'unlink', 'link', 'symlink', 'chmod', 'chown')
  AND (f.changed GLOB '/etc/ld.so.preload' OR f.path2 GLOB '/etc/ld.so.preload'
       OR f.changed GLOB '/etc/ld.so.conf' OR f.path2 GLOB '/etc/ld.so.conf'
       OR f.changed GLOB '/etc/ld.so.conf.d/*' OR f.path2 GLOB '/etc/ld.so.conf.d/*')
  AND f.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND COALESCE(f.prog, '') NOT IN rx_pkgmgr;
