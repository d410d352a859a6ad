-- id: binary-in-path-modified
-- severity: high
-- category: file-tampering
-- technique: T1036.005
-- description: A program in a $PATH directory or a system library was replaced, changed or deleted outside package installs and the image's build.
--
-- Catches trojaned system binaries (a ps or ls that hides the intruder, Atomic
-- T1036.005), binaries padded to change their hash (T1027.001), a binary deleted and
-- replaced by a wrapper, and new programs dropped into /usr/local/bin: any write,
-- create, truncate, rename into, deletion or mode change under /bin, /sbin, /usr/bin,
-- /usr/sbin, /usr/local/bin, /usr/local/sbin and the library directories. Package
-- managers (dpkg, apt, rpm, apk, pip ...) and the image's build steps and entrypoint
-- (rx_entry: make install, an installer from the artifact server) are left out.
-- The file changed is `path` (`path2` for a rename, link or symlink: the new
-- name); a link or symlink changes nothing at its target.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('write', 'create', 'truncate', 'rename', 'unlink', 'link', 'symlink', 'chmod', 'chown')
  AND (f.changed GLOB '/bin/*' OR f.path2 GLOB '/bin/*'
       OR f.changed GLOB '/sbin/*' OR f.path2 GLOB '/sbin/*'
       OR f.changed GLOB '/usr/bin/*' OR f.path2 GLOB '/usr/bin/*'
       OR f.changed GLOB '/usr/sbin/*' OR f.path2 GLOB '/usr/sbin/*'
       OR f.changed GLOB '/usr/local/bin/*' OR f.path2 GLOB '/usr/local/bin/*'
       OR f.changed GLOB '/usr/local/sbin/*' OR f.path2 GLOB '/usr/local/sbin/*'
       OR f.changed GLOB '/lib/*.so*' OR f.path2 GLOB '/lib/*.so*'
       OR f.changed GLOB '/lib64/*' OR f.path2 GLOB '/lib64/*'
       OR f.changed GLOB '/usr/lib/*.so*' OR f.path2 GLOB '/usr/lib/*.so*'
       OR f.changed GLOB '/usr/lib/x86_64-linux-gnu/*.so*' OR f.path2 GLOB '/usr/lib/x86_64-linux-gnu/*.so*'
       OR f.changed GLOB '/lib/x86_64-linux-gnu/*.so*' OR f.path2 GLOB '/lib/x86_64-linux-gnu/*.so*'
       OR f.changed GLOB '/usr/lib64/*.so*' OR f.path2 GLOB '/usr/lib64/*.so*')
  AND f.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND COALESCE(f.prog, '') NOT IN rx_pkgmgr;
