-- id: log-tampering
-- severity: medium
-- category: file-tampering
-- technique: T1070.002
-- falco: Clear Log Activities
-- description: Logs were emptied or deleted (truncate, shred, rm of files under /var/log, wtmp, btmp, lastlog) by anything but a log rotator.
--
-- Catches the clearing of evidence: `truncate -s 0 /var/log/auth.log`, `rm -rf
-- /var/log/*`, `shred /var/log/wtmp`, by the command line that names them.
-- logrotate, savelog and newsyslog are left out.
-- With recorder 1.2 file events, the truncation or deletion itself (a shell's
-- `: > /var/log/x` has no command line to see), by anything but a rotator and its
-- compressors.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.prog || ' in ' || COALESCE(c.short_id, 'host') || ' (pid ' || x.pid || ') clears logs: ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0
  AND x.prog IN ('rm', 'truncate', 'shred', 'unlink', 'dd', 'find', 'ln')
  AND EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0
              AND (a.value GLOB '/var/log/*' OR a.value = '/var/log' OR a.value GLOB '*/wtmp' OR a.value GLOB '*/btmp'
                   OR a.value GLOB '*/lastlog' OR a.value GLOB '*/utmp'))
  AND NOT EXISTS (SELECT 1 FROM processes p JOIN rx_exec pe ON pe.proc_id = p.parent_id
                  WHERE p.proc_id = x.proc_id AND pe.prog IN ('logrotate', 'savelog', 'newsyslog'))
UNION ALL
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('unlink', 'truncate')
  AND (f.path GLOB '/var/log/*' OR f.path GLOB '*/wtmp' OR f.path GLOB '*/btmp' OR f.path GLOB '*/lastlog')
  AND COALESCE(f.prog, '') NOT IN ('logrotate', 'savelog', 'newsyslog', 'gzip', 'xz', 'bzip2', 'zstd', 'journald', 'rsyslogd')
  AND COALESCE(f.prog, '') NOT IN rx_pkgmgr
  AND NOT EXISTS (SELECT 1 FROM processes p JOIN rx_exec pe ON pe.proc_id = p.parent_id
                  WHERE p.proc_id = f.proc_id AND pe.prog IN ('logrotate', 'savelog', 'newsyslog'));
