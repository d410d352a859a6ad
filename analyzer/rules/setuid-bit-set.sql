-- id: setuid-bit-set
-- severity: high
-- category: file-tampering
-- technique: T1548.001
-- description: A file was given the setuid or setgid bit (chmod u+s, g+s, 4755, 2755 ...) outside the container's build and entrypoint.
--
-- Catches a backdoor to root left for later: a copy of a shell made setuid (Atomic
-- T1548.001 "Set a SetUID flag on file"). By chmod's command line; package installs
-- and the image's own build steps (rx_entry) are left out.
-- With recorder 1.2 file events, the chmod or create itself with S_ISUID or
-- S_ISGID (busybox's chmod runs without an exec).
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       'chmod in ' || COALESCE(c.short_id, 'host') || ' (pid ' || x.pid || ') sets a setuid/setgid bit: ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0 AND x.prog = 'chmod'
  AND x.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0
              AND (a.value GLOB '*[ugoa+=]*s*' AND a.value GLOB '[ugoa+=-]*' AND a.value NOT GLOB '/*'
                   OR a.value GLOB '[2467][0-7][0-7][0-7]' OR a.value GLOB '0[2467][0-7][0-7][0-7]'))
UNION ALL
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('chmod', 'create') AND f.ret >= 0 AND (COALESCE(f.mode, 0) & 3072) <> 0
  AND f.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND COALESCE(f.prog, '') NOT IN rx_pkgmgr;
