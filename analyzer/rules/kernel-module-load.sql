-- id: kernel-module-load
-- severity: critical
-- category: container-escape
-- technique: T1547.006
-- falco: Linux Kernel Module Injection Detected
-- description: A container ran insmod or modprobe to load a kernel module (a rootkit, or code in the host's kernel).
--
-- Catches the loadable-kernel-module rootkits of Atomic T1014 (Diamorphine, Reptile)
-- loaded from a privileged container: whatever the module, code that runs in the
-- host's kernel. Removal and dry runs (modprobe -r, -n) are left out.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.prog || ' in container ' || c.short_id || ' (pid ' || x.pid || '): ' || COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0
  AND (x.prog = 'insmod' OR x.ab = 'insmod'
       OR ((x.prog = 'modprobe' OR x.ab = 'modprobe')
           AND NOT EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0
                           AND a.value IN ('-r', '--remove', '-n', '--dry-run', '--show', '-c', '--showconfig', '-D', '--show-depends'))));
