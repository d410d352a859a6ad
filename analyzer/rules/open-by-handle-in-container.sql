-- id: open-by-handle-in-container
-- severity: critical
-- category: container-escape
-- technique: T1611
-- description: A container process opened a file by handle (open_by_handle_at), done or refused: with CAP_DAC_READ_SEARCH a forged handle reaches any file of a filesystem it has a mount of, outside its root and its mount namespace (the "shocker" escape).
--
-- open_by_handle_at resolves a handle against a mount fd without any path, so
-- a container that has any file of the host's filesystem mounted (a hostPath,
-- /etc/hosts) and the capability can open the host's root directory (ext4
-- inode 2) and walk from there. Nothing in a container needs it (its users
-- are host-side: NFS servers, fanotify tools, systemd's fd checks use
-- name_to_handle_at, which is not flagged); refused attempts (EPERM without
-- the capability, ESTALE for a wrong guess) are the brute force itself and
-- count. Needs the recorder's format 1.5 (op `open_by_handle`).
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id,
       f.what || ' (handle type ' || COALESCE(f.handle_type, '?') || ' ' || COALESCE(f.handle, '') || ')' AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.container_id IS NOT NULL AND f.op = 'open_by_handle'
  AND COALESCE(f.comm, '') NOT GLOB 'runc:*'
  AND NOT EXISTS (SELECT 1 FROM rx_names x WHERE x.exec_id = f.exec_id AND x.ab = 'runc');
