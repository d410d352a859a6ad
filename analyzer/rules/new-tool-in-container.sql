-- id: new-tool-in-container
-- severity: medium
-- category: suspicious-network
-- technique: T1105
-- description: A container ran a package manager or network tool that none of its processes ran when recording started.
--
-- Catches an intruder installing tooling (apt-get install, apk add, pip
-- install) or fetching and probing (curl, wget, nc, socat, nmap, ssh) in a
-- container whose normal workload does not use them. "Normal" is what the
-- container's snapshot (processes alive at the start of the capture) ran;
-- a container started during the capture has no snapshot, so every such
-- tool in it is reported, except the tools its own entrypoint and build
-- steps run (rx_entry: `RUN apt-get install`, an entrypoint that fetches its
-- config with curl), which are the image's doing, and a tool any of those
-- ran before in the same container, and network tools whose connections all
-- went to loopback (wget/curl health checks of the container's own server,
-- kubelet exec probes). One alert per container and tool, on
-- its first run (a loop of 24 nc is one finding). The tool is named by the executed file, by
-- argv[0] (busybox applets re-executed as /proc/self/exe with argv[0]
-- "wget"), or by argv[1] of `busybox wget`. argv[0] is the caller's
-- choice: matching it as well only adds alerts.
--
-- hit and snap are MATERIALIZED, each computed once: the tool of every
-- exec, and the names the container's snapshot ran, which are then looked
-- up by index rather than rescanned for every hit (quadratic on big cases).
WITH tools(name) AS (VALUES ('apt'), ('apt-get'), ('dpkg'), ('apk'), ('yum'), ('dnf'), ('microdnf'), ('rpm'), ('zypper'),
                       ('pip'), ('pip3'), ('npm'), ('gem'),
                       ('curl'), ('wget'), ('nc'), ('ncat'), ('netcat'), ('socat'), ('nmap'), ('telnet'),
                       ('ssh'), ('scp'), ('sftp'), ('ftp'), ('tftp')),
x AS (
  SELECT e.exec_id, e.container_id, e.kind, e.ret, basename(e.filename) AS fb,
         basename(json_extract(e.argv, '$[0]')) AS ab, json_extract(e.argv, '$[1]') AS a1
  FROM execs e
  WHERE e.container_id IS NOT NULL
),
hit AS MATERIALIZED (
  SELECT exec_id, tool
  FROM (SELECT exec_id,
               CASE WHEN fb IN tools THEN fb WHEN ab IN tools THEN ab
                    WHEN (fb = 'busybox' OR ab = 'busybox') AND a1 IN tools THEN a1 END AS tool
        FROM x WHERE kind = 'exec' AND ret = 0)
  WHERE tool IS NOT NULL
),
-- What the container's snapshot ran: by image, argv[0] and busybox applet.
snap(container_id, name) AS MATERIALIZED (
  SELECT container_id, fb FROM x WHERE kind = 'snapshot'
  UNION SELECT container_id, ab FROM x WHERE kind = 'snapshot'
  UNION SELECT container_id, a1 FROM x WHERE kind = 'snapshot' AND fb = 'busybox'
)
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id,
       NULL AS conn_id,
       h.tool || ' run in container ' || c.short_id || ' (pid ' || e.pid || '): ' || COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM hit h
JOIN execs e ON e.exec_id = h.exec_id
JOIN containers c ON c.container_id = e.container_id
WHERE NOT EXISTS (SELECT 1 FROM snap s WHERE s.container_id = e.container_id AND s.name = h.tool)
  AND e.proc_id NOT IN (SELECT proc_id FROM rx_entry)
  AND NOT EXISTS (SELECT 1 FROM hit h2 JOIN execs e2 ON e2.exec_id = h2.exec_id
                  WHERE e2.container_id = e.container_id AND h2.tool = h.tool AND e2.ts < e.ts
                    AND e2.proc_id IN (SELECT proc_id FROM rx_entry))
  -- a network tool that talked only to its own container (loopback) is a
  -- health check or a local client, not new tooling
  AND NOT (h.tool NOT IN ('apt', 'apt-get', 'dpkg', 'apk', 'yum', 'dnf', 'microdnf', 'rpm', 'zypper', 'pip', 'pip3', 'npm', 'gem')
           AND EXISTS (SELECT 1 FROM rx_conn k WHERE k.exec_id = e.exec_id)
           AND NOT EXISTS (SELECT 1 FROM rx_conn k WHERE k.exec_id = e.exec_id AND NOT k.loopback))
  -- one alert per container and tool: its first run
  AND NOT EXISTS (SELECT 1 FROM hit h3 JOIN execs e3 ON e3.exec_id = h3.exec_id
                  WHERE e3.container_id = e.container_id AND h3.tool = h.tool
                    AND (e3.ts < e.ts OR (e3.ts = e.ts AND e3.exec_id < e.exec_id)));
