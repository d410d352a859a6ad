-- id: container-runtime-socket
-- severity: critical
-- category: container-escape
-- technique: T1610
-- description: A container process used the container runtime's API (docker/containerd/CRI-O/podman socket, or docker's TCP port 2375/2376).
--
-- Catches the docker.sock escape: a container with the runtime socket mounted asks
-- the runtime to start a privileged container with the host's / bound in (Atomic
-- T1610, T1611). Seen in the command line of a program run in the container
-- (`curl --unix-socket /var/run/docker.sock`, `docker -H unix://...`, `ctr -a
-- /run/containerd/containerd.sock`) or as a TCP connection to 2375/2376.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       x.filename || ' (pid ' || x.pid || ') in ' || c.short_id || ' talks to the container runtime: ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0
  AND (x.cmdline GLOB '*docker.sock*' OR x.cmdline GLOB '*containerd.sock*' OR x.cmdline GLOB '*crio.sock*'
       OR x.cmdline GLOB '*podman.sock*' OR x.cmdline GLOB '*dockershim.sock*' OR x.cmdline GLOB '*cri-dockerd.sock*')
UNION ALL
SELECT k.ts, k.host_id, k.container_id, k.proc_id, k.pid, k.start, k.exec_id, k.conn_id,
       COALESCE(e.filename, k.comm, '?') || ' (pid ' || k.pid || ') in ' || c.short_id ||
         ' connected to a docker API port ' || inet_fmt(k.daddr, k.dport) AS message,
       'c' || k.conn_id AS key
FROM rx_conn k
JOIN containers c ON c.container_id = k.container_id
LEFT JOIN execs e ON e.exec_id = k.exec_id
WHERE k.dport IN (2375, 2376);
