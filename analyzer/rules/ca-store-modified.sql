-- id: ca-store-modified
-- severity: high
-- category: file-tampering
-- technique: T1553.004
-- description: The system's trusted CA certificates were changed: a new root CA lets its owner intercept every TLS connection.
--
-- Catches a rogue root CA installed into /usr/local/share/ca-certificates,
-- /usr/share/ca-certificates, /etc/pki/ca-trust/source or /etc/ca-certificates.conf
-- (then update-ca-certificates), or written straight into the bundles of
-- /etc/ssl/certs and /etc/pki/tls/certs, after the image was built. The bundles'
-- regeneration by update-ca-certificates and its helpers is left out (the source
-- file it reads fires), as are the image's own build steps (RUN
-- update-ca-certificates with the company CA) and package installs.
-- The file changed is `path` (`path2` for a rename, link or symlink: the new
-- name); a link or symlink changes nothing at its target.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('write', 'create', 'truncate', 'rename', 'unlink', 'link', 'symlink', 'chmod', 'chown')
  AND (f.changed GLOB '/usr/local/share/ca-certificates/*' OR f.path2 GLOB '/usr/local/share/ca-certificates/*'
       OR f.changed GLOB '/usr/share/ca-certificates/*' OR f.path2 GLOB '/usr/share/ca-certificates/*'
       OR f.changed GLOB '/etc/pki/ca-trust/source/*' OR f.path2 GLOB '/etc/pki/ca-trust/source/*'
       OR f.changed GLOB '/etc/ca-certificates.conf' OR f.path2 GLOB '/etc/ca-certificates.conf'
       OR ((f.changed GLOB '/etc/ssl/certs/*' OR f.path2 GLOB '/etc/ssl/certs/*'
       OR f.changed GLOB '/etc/pki/tls/certs/*' OR f.path2 GLOB '/etc/pki/tls/certs/*'
       OR f.changed GLOB '/etc/pki/ca-trust/extracted/*' OR f.path2 GLOB '/etc/pki/ca-trust/extracted/*')
           AND COALESCE(f.prog, '') NOT IN ('update-ca-certificates', 'update-ca-trust', 'c_rehash', 'openssl', 'ln', 'rm',
                                           'mktemp', 'sed', 'cat', 'mv', 'cp', 'chmod', 'chown', 'tee', 'run-parts', 'p11-kit',
                                           'trust')))
  AND f.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND COALESCE(f.prog, '') NOT IN rx_pkgmgr;
