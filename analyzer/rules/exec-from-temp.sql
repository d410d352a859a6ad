-- id: exec-from-temp
-- severity: high
-- category: privilege-escalation
-- technique: T1204.002
-- description: A program executed from a world-writable temporary location or from memory (memfd).
--
-- Catches payloads dropped and run from /tmp, /var/tmp or /dev/shm (the
-- usual landing places of a download-and-run) and fileless execution of a
-- memfd (fexecve shows as /dev/fd/N or /proc/self/fd/N; a snapshot of a
-- running memfd image as /memfd:NAME (deleted)). Host and containers alike;
-- processes already running from such a place when recording started too.
--
-- The path compared is the image the kernel ran (execs.exe, recorder 1.2)
-- where recorded, else the path as executed normalised (rx_exec.img:
-- `cd /tmp && ./x` with the recorded cwd, `//tmp/x`, `/usr/../tmp/x`), and for
-- the dynamic loader run as a program (`ld.so /tmp/x`) the file it loads.
--
-- Refused attempts count too (EACCES, EPERM, ENOEXEC: a noexec /dev/shm,
-- a payload for the wrong architecture): the intent is the finding. A
-- failed PATH lookup (ENOENT) is not an attempt.
--
-- One exclusion: runc re-executing itself from a memfd copy of its own
-- binary (the CVE-2019-5736 mitigation, on every `runc create/run/exec`):
-- an fd exec whose argv is exactly [".../runc", "init"] by a process whose
-- parent was then running a runc binary outside the temporary locations.
-- Risk: a runc child that is not really runc init could hide that way, but
-- only one that runc itself forked; the same memfd exec from anything
-- else (another parent, other arguments) still fires.
WITH x AS (
  SELECT x.*, CASE WHEN x.ld_img GLOB '/tmp/*' OR x.ld_img GLOB '/var/tmp/*' OR x.ld_img GLOB '/dev/shm/*'
                   THEN x.ld_img ELSE x.img END AS path
  FROM rx_exec x WHERE x.ret = 0 OR x.ret IN (-1, -8, -13)
)
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id,
       NULL AS conn_id,
       CASE WHEN e.kind = 'snapshot' THEN 'running from ' WHEN e.ret < 0 THEN 'tried to execute ' ELSE 'executed ' END || e.path ||
         CASE WHEN e.path <> e.filename THEN ' (as ' || e.filename || ')' ELSE '' END ||
         ' in ' || COALESCE(c.short_id, 'host') || ' (pid ' || e.pid ||
         CASE WHEN e.ret < 0 THEN ', refused: ' || CASE e.ret WHEN -13 THEN 'EACCES' WHEN -1 THEN 'EPERM' ELSE 'ENOEXEC' END ELSE '' END ||
         '): ' || COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM x e
LEFT JOIN containers c ON c.container_id = e.container_id
WHERE (e.path GLOB '/tmp/*' OR e.path GLOB '/var/tmp/*' OR e.path GLOB '/dev/shm/*'
       OR e.path GLOB 'memfd:*' OR e.path GLOB '/memfd:*'
       OR e.path GLOB '/dev/fd/*' OR e.path GLOB '/proc/self/fd/*' OR e.path GLOB '/proc/[0-9]*/fd/*')
  AND NOT (
    e.kind = 'exec'
    AND (e.filename GLOB '/dev/fd/[0-9]*' OR e.filename GLOB '/proc/self/fd/[0-9]*')
    AND json_array_length(e.argv) = 2 AND basename(json_extract(e.argv, '$[0]')) = 'runc'
    AND json_extract(e.argv, '$[1]') = 'init'
    AND (SELECT basename(pe.filename) = 'runc'
                AND NOT (pe.filename GLOB '/tmp/*' OR pe.filename GLOB '/var/tmp/*' OR pe.filename GLOB '/dev/shm/*'
                         OR pe.filename GLOB '*memfd:*' OR pe.filename GLOB '/dev/fd/*' OR pe.filename GLOB '/proc/*')
         FROM processes p JOIN execs pe ON pe.proc_id = p.parent_id
         WHERE p.proc_id = e.proc_id AND pe.ret = 0 AND pe.ts <= e.ts
         ORDER BY pe.ts DESC, pe.exec_id DESC LIMIT 1));
