-- id: data-encrypted
-- severity: high
-- category: file-tampering
-- technique: T1486
-- description: Files were encrypted in bulk: three or more encryptions (openssl enc, gpg -c/-e, ccencrypt, 7z/zip with a password) in one container or host within a minute.
--
-- Catches ransomware loops (Atomic T1486: gpg, 7z, openssl, ccencrypt): one
-- encryption is a backup job, a burst is an impact. Decryption (-d) is left out.
WITH enc AS MATERIALIZED (
  SELECT x.* FROM rx_exec x
  WHERE x.kind = 'exec' AND x.ret = 0
    AND ((x.prog = 'openssl' AND x.a1 = 'enc' AND x.cmdline NOT GLOB '* -d*')
         OR (x.prog IN ('gpg', 'gpg2') AND (x.cmdline GLOB '* -c*' OR x.cmdline GLOB '*--symmetric*' OR x.cmdline GLOB '* -e*'
                                            OR x.cmdline GLOB '*--encrypt*'))
         OR x.prog IN ('ccencrypt', 'ccrypt')
         OR (x.prog IN ('7z', '7za', 'zip') AND x.cmdline GLOB '* -p*')
         OR (x.prog = 'zip' AND (x.cmdline GLOB '* -e *' OR x.cmdline GLOB '* -P *')))
)
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id, NULL AS conn_id,
       COALESCE(c.short_id, 'host') || ' encrypted ' ||
         (SELECT count(*) FROM enc b WHERE b.host_id = e.host_id AND b.container_id IS e.container_id
            AND b.ts >= e.ts AND b.ts - e.ts <= 60000000000) || ' times within a minute, starting with: ' ||
         COALESCE(e.cmdline, '') AS message,
       'enc:' || e.host_id || ':' || COALESCE(e.container_id, 'host') AS key
FROM enc e
LEFT JOIN containers c ON c.container_id = e.container_id
WHERE (SELECT count(*) FROM enc b WHERE b.host_id = e.host_id AND b.container_id IS e.container_id
         AND b.ts >= e.ts AND b.ts - e.ts <= 60000000000) >= 3
  AND NOT EXISTS (SELECT 1 FROM enc b WHERE b.host_id = e.host_id AND b.container_id IS e.container_id
                    AND b.ts < e.ts AND e.ts - b.ts <= 60000000000);
