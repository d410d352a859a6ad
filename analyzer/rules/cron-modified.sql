-- id: cron-modified
-- severity: high
-- category: persistence
-- technique: T1053.003
-- description: A cron job was added or changed (crontab(1) installing a table, or a file written under the cron directories) outside the container's build and entrypoint.
--
-- Catches scheduled-task persistence (Atomic T1053.003): `crontab -` with a beacon,
-- files dropped into /etc/cron.d, /etc/cron.*, /var/spool/cron. `crontab -l` (list)
-- does not fire; neither do the image's own build steps (rx_entry).
-- With recorder 1.2 file events, files written under the cron directories
-- themselves, crontab(1)'s own writes into /var/spool/cron included.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       'crontab in ' || COALESCE(c.short_id, 'host') || ' (pid ' || x.pid || ') installs a cron table: ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0 AND x.prog = 'crontab'
  AND x.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND NOT EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0 AND a.value IN ('-l', '-V'))
UNION ALL
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('write', 'create', 'truncate', 'rename', 'unlink', 'link', 'symlink', 'chmod', 'chown')
  AND (f.path GLOB '/etc/cron.d/*' OR f.path2 GLOB '/etc/cron.d/*' OR f.path = '/etc/crontab' OR f.path2 = '/etc/crontab'
       OR f.path GLOB '/etc/cron.hourly/*' OR f.path GLOB '/etc/cron.daily/*' OR f.path GLOB '/etc/cron.weekly/*'
       OR f.path GLOB '/etc/cron.monthly/*' OR f.path GLOB '/var/spool/cron/*' OR f.path2 GLOB '/var/spool/cron/*'
       OR f.path GLOB '*/cron.d/*' OR f.path = '/etc/anacrontab')
  AND f.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND COALESCE(f.prog, '') NOT IN rx_pkgmgr;
