-- id: sensitive-file-read
-- severity: high
-- category: credential-access
-- technique: T1003.008
-- falco: Read sensitive file untrusted; Read sensitive file trusted after startup
-- description: A program that has no business with them read password hashes, ssh private keys, a service-account token (its own or, on the node's /var/lib/kubelet, another pod's) or the kubelet's client key.
--
-- Catches `cat /etc/shadow`, copying another user's ~/.ssh/id_*, reading
-- /var/run/secrets/kubernetes.io/serviceaccount/token from a shell exec'd into a
-- pod, or another pod's token and the kubelet's own client key through a
-- hostPath of the node's /var/lib/kubelet (pods/*/volumes/kubernetes.io~projected,
-- pki/). Programs that only name the file without reading it (ln, chmod, stat,
-- ls ...) and programs whose job it is are left out (login, su, sudo, passwd, chage,
-- unix_chkpwd, sshd, ssh reading its own key, useradd and the other account tools),
-- as is the container's own entrypoint work during its startup (rx_entry, in the
-- container's first 5 s: a controller reading its token at start). A service
-- that reads a secret later (a path traversal in a file-serving app) fires:
-- Falco's "Read sensitive file trusted after startup".
-- With recorder 1.2 file events, the read itself (file_events op read, the
-- recorder's list of secrets): whatever program or spelling made it, with the
-- same exclusions.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.prog || ' in ' || COALESCE(c.short_id, 'host') || ' (pid ' || x.pid || ') reads a secret: ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0
  AND x.prog NOT IN ('ln', 'chmod', 'chown', 'stat', 'ls', 'touch', 'test', 'realpath', 'readlink',
                     'login', 'su', 'sudo', 'passwd', 'chage', 'chpasswd', 'unix_chkpwd', 'sshd', 'ssh', 'ssh-add',
                     'ssh-keygen', 'useradd', 'usermod', 'userdel', 'groupadd', 'pwck', 'grpck', 'vipw', 'kubelet')
  AND NOT (x.proc_id IN (SELECT proc_id FROM rx_entry)
           AND x.ts - (SELECT s.start FROM rx_ctr_start s WHERE s.container_id = x.container_id) < 5000000000)
  -- cheap test of the whole argv text first (every pattern below implies it)
  AND (x.argv GLOB '*shadow*' OR x.argv GLOB '*/.ssh/id_*' OR x.argv GLOB '*/etc/ssh/ssh_host_*'
       OR x.argv GLOB '*/serviceaccount/token*' OR x.argv GLOB '*/kubelet/p*')
  AND EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0
              AND (a.value GLOB '*/etc/shadow' OR a.value GLOB '*/etc/gshadow' OR a.value GLOB '*/etc/shadow-'
                   OR (a.value GLOB '*/.ssh/id_*' AND a.value NOT GLOB '*.pub')
                   OR a.value GLOB '*/etc/ssh/ssh_host_*_key'
                   OR a.value GLOB '*/serviceaccount/token*'
                   OR a.value GLOB '*/var/lib/kubelet/pki/*' OR a.value GLOB '*/var/lib/kubelet/pods/*/token'))
UNION ALL
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op = 'read'
  AND (f.path IN ('/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-')
       OR (f.path GLOB '*/.ssh/id_*' AND f.path NOT GLOB '*.pub') OR f.path GLOB '/etc/ssh/ssh_host_*_key'
       OR f.path GLOB '*/serviceaccount/token*'
       OR f.path GLOB '*/var/lib/kubelet/pki/*' OR f.path GLOB '*/var/lib/kubelet/pods/*/token')
  AND COALESCE(f.prog, '') NOT IN ('login', 'su', 'sudo', 'passwd', 'chage', 'chpasswd', 'unix_chkpwd', 'sshd', 'ssh',
                                   'ssh-add', 'ssh-keygen', 'useradd', 'usermod', 'userdel', 'groupadd', 'pwck', 'grpck',
                                   'vipw', 'cron', 'crond', 'newgrp', 'runc', 'kubelet')
  AND NOT (f.proc_id IN (SELECT proc_id FROM rx_entry)
           AND f.ts - (SELECT s.start FROM rx_ctr_start s WHERE s.container_id = f.container_id) < 5000000000);
