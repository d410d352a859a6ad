-- id: cloud-credential-access
-- severity: high
-- category: credential-access
-- technique: T1552.001
-- falco: Find AWS Credentials
-- description: A program read or searched for cloud or cluster credentials (~/.aws, gcloud, Azure, kubeconfig, docker registry auth).
--
-- Catches `cat ~/.aws/credentials`, `grep -r aws_secret_access_key /`, copying a
-- kubeconfig or ~/.docker/config.json, by the command line of the program that
-- touches them.
-- With recorder 1.2 file events, the read itself.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.prog || ' in ' || COALESCE(c.short_id, 'host') || ' (pid ' || x.pid || ') touches cloud credentials: ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0
  AND x.prog NOT IN ('aws', 'gcloud', 'az', 'kubectl', 'helm', 'docker')
  -- cheap test of the whole argv text first (every pattern below implies it)
  AND (x.argv GLOB '*aws*' OR x.argv GLOB '*.config/gcloud*' OR x.argv GLOB '*.azure/*'
       OR x.argv GLOB '*.kube/config*' OR x.argv GLOB '*.docker/config.json*')
  AND EXISTS (SELECT 1 FROM json_each(x.argv) a WHERE a.key > 0
              AND (a.value GLOB '*.aws/credentials*' OR a.value GLOB '*.aws/config*' OR a.value GLOB '*aws_secret_access_key*'
                   OR a.value GLOB '*aws_access_key_id*' OR a.value GLOB '*.config/gcloud*' OR a.value GLOB '*.azure/*'
                   OR a.value GLOB '*.kube/config*' OR a.value GLOB '*.docker/config.json*'))
UNION ALL
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id, f.what AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.op = 'read'
  AND (f.path GLOB '*/.aws/credentials' OR f.path GLOB '*/.aws/config' OR f.path GLOB '*/.config/gcloud/*'
       OR f.path GLOB '*/.azure/*' OR f.path GLOB '*/.kube/config' OR f.path GLOB '*/.docker/config.json')
  AND COALESCE(f.prog, '') NOT IN ('aws', 'gcloud', 'az', 'kubectl', 'helm', 'docker');
