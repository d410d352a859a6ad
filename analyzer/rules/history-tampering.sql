-- id: history-tampering
-- severity: medium
-- category: file-tampering
-- technique: T1070.003
-- description: A shell history file was deleted, emptied, shredded or replaced by a link to /dev/null.
--
-- Catches the covering of tracks of Atomic T1070.003: `rm ~/.bash_history`,
-- `ln -sf /dev/null ~/.bash_history`, `truncate -s0`, `shred -u` of .bash_history,
-- .ash_history, .zsh_history, .sh_history, .mysql_history, .python_history, by the
-- command line that names them.
-- With recorder 1.2 file events, the deletion, truncation or link itself.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.prog || ' in ' || COALESCE(c.short_id, 'host') || ' (pid ' || x.pid || ') wipes shell history: ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0
  AND x.prog IN ('rm', 'ln', 'truncate', 'shred', 'unlink', 'cp', 'mv', 'dd')
  AND EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0 AND a.value GLOB '*_history')
UNION ALL
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op IN ('unlink', 'truncate', 'symlink', 'rename', 'link')
  AND (f.path GLOB '*_history' OR f.path2 GLOB '*_history');
