-- id: credential-search
-- severity: medium
-- category: credential-access
-- technique: T1552.004
-- falco: Search Private Keys or Passwords
-- description: find, grep or locate searched for private keys or passwords.
--
-- Catches credential hunting in a compromised container or host: `find / -name
-- id_rsa`, `grep -ri password /etc`, `grep -r "BEGIN RSA PRIVATE"`, `locate .pem`
-- (Atomic T1552.001/.004). By the searching program's command line.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.prog || ' in ' || COALESCE(c.short_id, 'host') || ' (pid ' || x.pid || ') searches for credentials: ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0
  AND x.prog IN ('find', 'grep', 'egrep', 'fgrep', 'rg', 'ag', 'locate', 'mlocate', 'plocate')
  AND EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0
              AND (a.value GLOB '*id_rsa*' OR a.value GLOB '*id_dsa*' OR a.value GLOB '*id_ecdsa*' OR a.value GLOB '*id_ed25519*'
                   OR a.value GLOB '*.pem*' OR a.value GLOB '*PRIVATE KEY*' OR a.value GLOB '*[Pp]assword*'
                   OR a.value GLOB '*PASSWORD*' OR a.value GLOB '*passwd*' OR a.value GLOB '*aws_secret_access_key*'
                   OR a.value GLOB '*aws_access_key_id*' OR a.value GLOB '*.aws/credentials*'
                   OR a.value GLOB '*authorized_keys*' OR a.value GLOB '*.kube/config*'));
