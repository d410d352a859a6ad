-- id: container-runtime-socket
-- severity: critical
-- category: container-escape
-- technique: T1610
-- description: A container process used the container runtime's API or a host control socket (docker/containerd/CRI-O/podman/kubelet socket, systemd's private socket, the system D-Bus; or docker's TCP port 2375/2376).
--
-- Catches the docker.sock escape: a container with the runtime socket mounted asks
-- the runtime to start a privileged container with the host's / bound in (Atomic
-- T1610, T1611). Seen in the command line of a program run in the container
-- (`curl --unix-socket /var/run/docker.sock`, `docker -H unix://...`, `ctr -a
-- /run/containerd/containerd.sock`), as a TCP connection to 2375/2376, or (format
-- 1.5) as an AF_UNIX connect to such a socket whatever the command line says
-- (python's socket module, a static client, a renamed path: the name the
-- listener bound, `path2`, counts too), done or refused: docker.sock,
-- containerd.sock (and containerd-shim's), crio.sock, podman.sock,
-- dockershim.sock, cri-dockerd.sock, buildkitd.sock, the kubelet's
-- kubelet.sock (pod-resources, device plugins), systemd's /run/systemd/private
-- and the system D-Bus (start a unit on the host). A container that is meant
-- to talk to one of them (a CI runner with docker.sock) fires too: that is
-- the finding.
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
WHERE k.dport IN (2375, 2376)
UNION ALL
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id,
       f.what || ' (a runtime or host control socket)' AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.container_id IS NOT NULL AND f.op = 'connect'
  AND EXISTS (SELECT 1 FROM (SELECT f.path AS p UNION ALL SELECT f.path2) n
              WHERE basename(n.p) IN ('docker.sock', 'containerd.sock', 'crio.sock', 'podman.sock',
                                      'dockershim.sock', 'cri-dockerd.sock', 'buildkitd.sock',
                                      'kubelet.sock', 'system_bus_socket')
                 OR n.p GLOB '*/systemd/private' OR n.p GLOB '*containerd-shim*'
                 OR n.p GLOB '/run/containerd/s/*');
