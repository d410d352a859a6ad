-- id: sensitive-file-link
-- severity: high
-- category: file-tampering
-- technique: T1003.008
-- falco: Create Symlink Over Sensitive Files; Create Hardlink Over Sensitive Files
-- description: A symbolic or hard link was made to a sensitive file (/etc/shadow, /etc/passwd, /etc/sudoers, PAM, ssh keys).
--
-- Catches the link half of link-following attacks (a privileged process later
-- writes or reads through the link) and exfiltration by hard link. By ln's command
-- line.
-- With recorder 1.2 file events, the link or symlink itself (its target is
-- `path`).
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       'ln in ' || COALESCE(c.short_id, 'host') || ' (pid ' || x.pid || ') links a sensitive file: ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0 AND x.prog = 'ln'
  AND EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0
              AND (a.value IN ('/etc/shadow', '/etc/gshadow', '/etc/passwd', '/etc/sudoers', '/etc/group')
                   OR a.value GLOB '/etc/sudoers.d*' OR a.value GLOB '/etc/pam.d*' OR a.value GLOB '*/.ssh/id_*'
                   OR a.value GLOB '/root/.ssh*'))
UNION ALL
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('link', 'symlink')
  AND (f.path IN ('/etc/shadow', '/etc/gshadow', '/etc/passwd', '/etc/sudoers', '/etc/group')
       OR f.path GLOB '/etc/sudoers.d*' OR f.path GLOB '/etc/pam.d*' OR f.path GLOB '*/.ssh/id_*' OR f.path GLOB '/root/.ssh*');
