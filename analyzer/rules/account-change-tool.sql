-- id: account-change-tool
-- severity: medium
-- category: file-tampering
-- technique: T1136.001
-- description: A user or group account was created or changed (useradd, usermod, chpasswd, passwd ...) outside the container's build and entrypoint.
--
-- Catches new and backdoor accounts (Atomic T1136.001: `useradd -o -u 0`), password
-- resets (`chpasswd`) and group changes made by a shell exec'd into a container or
-- by a compromised service. The image's own build steps and entrypoint (rx_entry:
-- `RUN useradd app`) are left out.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.prog || ' in ' || COALESCE(c.short_id, 'host') || ' (pid ' || x.pid || '): ' || COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0 AND x.container_id IS NOT NULL
  AND x.prog IN ('useradd', 'adduser', 'usermod', 'userdel', 'deluser', 'groupadd', 'addgroup', 'groupmod',
                 'gpasswd', 'chpasswd', 'newusers', 'chage', 'vipw', 'vigr')
  AND x.proc_id NOT IN (SELECT proc_id FROM rx_entry);
