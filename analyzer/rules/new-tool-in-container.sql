-- id: new-tool-in-container
-- severity: medium
-- description: A container ran a package manager or network tool that none of its processes ran when recording started.
--
-- Catches an intruder installing tooling (apt-get install, apk add, pip
-- install) or fetching and probing (curl, wget, nc, socat, nmap, ssh) in a
-- container whose normal workload does not use them. "Normal" is what the
-- container's snapshot (processes alive at the start of the capture) ran;
-- a container started during the capture has no snapshot, so every such
-- tool in it is reported. The tool is named by the executed file, by
-- argv[0] (busybox applets re-executed as /proc/self/exe with argv[0]
-- "wget"), or by argv[1] of `busybox wget`. argv[0] is the caller's
-- choice: matching it as well only adds alerts.
WITH x AS (
  SELECT e.*, basename(e.filename) AS fb, basename(json_extract(e.argv, '$[0]')) AS ab,
         json_extract(e.argv, '$[1]') AS a1
  FROM execs e
  WHERE e.kind = 'exec' AND e.ret = 0 AND e.container_id IS NOT NULL
),
tools(name) AS (VALUES ('apt'), ('apt-get'), ('dpkg'), ('apk'), ('yum'), ('dnf'), ('microdnf'), ('rpm'), ('zypper'),
                       ('pip'), ('pip3'), ('npm'), ('gem'),
                       ('curl'), ('wget'), ('nc'), ('ncat'), ('netcat'), ('socat'), ('nmap'), ('telnet'),
                       ('ssh'), ('scp'), ('sftp'), ('ftp'), ('tftp')),
hit AS (
  SELECT x.*, COALESCE((SELECT name FROM tools WHERE name = x.fb), (SELECT name FROM tools WHERE name = x.ab),
                       CASE WHEN x.fb = 'busybox' OR x.ab = 'busybox' THEN (SELECT name FROM tools WHERE name = x.a1) END)
              AS tool
  FROM x
)
SELECT h.ts, h.host_id, h.container_id, h.proc_id, h.pid, h.start, h.exec_id,
       NULL AS conn_id,
       h.tool || ' run in container ' || c.short_id || ' (pid ' || h.pid || '): ' || COALESCE(h.cmdline, '') AS message,
       'e' || h.exec_id AS key
FROM hit h
JOIN containers c ON c.container_id = h.container_id
WHERE h.tool IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM execs s
                  WHERE s.container_id = h.container_id AND s.kind = 'snapshot'
                    AND (basename(s.filename) = h.tool OR basename(json_extract(s.argv, '$[0]')) = h.tool
                         OR (basename(s.filename) = 'busybox' AND json_extract(s.argv, '$[1]') = h.tool)));
