-- id: exec-from-temp
-- severity: high
-- description: A program executed from a world-writable temporary location or from memory (memfd).
--
-- Catches payloads dropped and run from /tmp, /var/tmp or /dev/shm (the
-- usual landing places of a download-and-run) and fileless execution of a
-- memfd (fexecve shows as /dev/fd/N or /proc/self/fd/N; a snapshot of a
-- running memfd image as /memfd:NAME (deleted)). Host and containers alike;
-- processes already running from such a place when recording started too.
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id,
       NULL AS conn_id,
       CASE e.kind WHEN 'snapshot' THEN 'running from ' ELSE 'executed ' END || e.filename ||
         ' in ' || COALESCE(c.short_id, 'host') || ' (pid ' || e.pid || '): ' || COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM execs e
LEFT JOIN containers c ON c.container_id = e.container_id
WHERE e.ret = 0
  AND (e.filename GLOB '/tmp/*' OR e.filename GLOB '/var/tmp/*' OR e.filename GLOB '/dev/shm/*'
       OR e.filename GLOB 'memfd:*' OR e.filename GLOB '/memfd:*'
       OR e.filename GLOB '/dev/fd/*' OR e.filename GLOB '/proc/self/fd/*' OR e.filename GLOB '/proc/[0-9]*/fd/*');
