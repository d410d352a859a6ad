-- id: k8s-api-contact
-- severity: medium
-- category: suspicious-network
-- technique: T1613
-- falco: Contact K8S API Server From Container
-- description: A container process other than its own workload talked to the Kubernetes API server or a kubelet (ports 6443, 10250, 10255).
--
-- Catches discovery and lateral movement through the cluster's API from a
-- compromised pod (Atomic T1613: listing secrets, pods, creating workloads) with a
-- stolen service-account token. The container's entrypoint work (rx_entry: a
-- controller's own process) is left out; a shell or tool exec'd into the
-- container, or started by its service, is not.
SELECT k.ts, k.host_id, k.container_id, k.proc_id, k.pid, k.start, k.exec_id, k.conn_id,
       COALESCE(e.filename, k.comm, '?') || ' (pid ' || k.pid || ') in ' || c.short_id ||
         ' contacted the Kubernetes API/kubelet at ' || inet_fmt(k.daddr, k.dport) || ': ' || COALESCE(e.cmdline, '') AS message,
       'c' || k.conn_id AS key
FROM rx_conn k
JOIN containers c ON c.container_id = k.container_id
LEFT JOIN execs e ON e.exec_id = k.exec_id
WHERE k.dport IN (6443, 10250, 10255) AND NOT k.loopback
  AND k.proc_id NOT IN (SELECT proc_id FROM rx_entry);
