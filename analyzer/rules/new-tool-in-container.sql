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
-- tool in it is reported, except what it runs in its first 5 s (startup:
-- init scripts, startup probes) and the tools its own entrypoint and build
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
-- The names come from rx_names (computed once per run for every rule; its
-- argv[0] without a login shell's '-'), and only the hits' connections are
-- counted: at 10M records this took the rule from 10.9 s to 6 s.
WITH tools(name) AS (VALUES ('apt'), ('apt-get'), ('dpkg'), ('apk'), ('yum'), ('dnf'), ('microdnf'), ('rpm'), ('zypper'),
                       ('pip'), ('pip3'), ('npm'), ('gem'),
                       ('curl'), ('wget'), ('nc'), ('ncat'), ('netcat'), ('socat'), ('nmap'), ('telnet'),
                       ('ssh'), ('scp'), ('sftp'), ('ftp'), ('tftp')),
x AS (
  SELECT exec_id, proc_id, ts, container_id, kind, ret, fb, ab, a1 FROM rx_names WHERE container_id IS NOT NULL
),
hit AS MATERIALIZED (
  SELECT exec_id, proc_id, ts, container_id, tool
  FROM (SELECT exec_id, proc_id, ts, container_id,
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
),
-- each hit with what excludes it: the entrypoint's chain, a network tool
-- whose connections all went to loopback (computed per exec, once)
conn AS MATERIALIZED (
  SELECT k.exec_id, count(*) AS n, sum(NOT k.loopback) AS out FROM hit h JOIN rx_conn k ON k.exec_id = h.exec_id
  GROUP BY k.exec_id
),
cand AS MATERIALIZED (
  SELECT h.exec_id, h.tool, h.container_id, h.ts, h.proc_id IN (SELECT proc_id FROM rx_entry) AS entry,
         (h.tool NOT IN ('apt', 'apt-get', 'dpkg', 'apk', 'yum', 'dnf', 'microdnf', 'rpm', 'zypper', 'pip', 'pip3', 'npm', 'gem')
          AND COALESCE(k.n, 0) > 0 AND k.out = 0) AS local_only
  FROM hit h LEFT JOIN conn k ON k.exec_id = h.exec_id
),
-- when the entrypoint first ran each tool in each container
entry_first AS MATERIALIZED (
  SELECT container_id, tool, min(ts) AS ts FROM cand WHERE entry GROUP BY container_id, tool
),
-- the reportable runs, numbered per container and tool
pick AS (
  SELECT d.*, row_number() OVER (PARTITION BY d.container_id, d.tool ORDER BY d.ts, d.exec_id) AS rn
  FROM cand d
  LEFT JOIN entry_first f ON f.container_id = d.container_id AND f.tool = d.tool
  LEFT JOIN rx_ctr_start cs ON cs.container_id = d.container_id
  WHERE NOT d.entry AND NOT d.local_only AND (f.ts IS NULL OR f.ts > d.ts)
    AND d.ts - COALESCE(cs.start, 0) >= 5000000000
    AND NOT EXISTS (SELECT 1 FROM snap s WHERE s.container_id = d.container_id AND s.name = d.tool)
)
SELECT e.ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id,
       NULL AS conn_id,
       p.tool || ' run in container ' || c.short_id || ' (pid ' || e.pid || '): ' || COALESCE(e.cmdline, '') AS message,
       'e' || e.exec_id AS key
FROM pick p
JOIN execs e ON e.exec_id = p.exec_id
JOIN containers c ON c.container_id = e.container_id
-- one alert per container and tool: its first reportable run
WHERE p.rn = 1;
