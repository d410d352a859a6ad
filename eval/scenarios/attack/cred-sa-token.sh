# category: credential-access
# technique: T1528
# art: no
# expect: sensitive-file-read
# layer: mkdir -p var/run/secrets/kubernetes.io/serviceaccount && echo eyJhbGciOiJSUzI1NiJ9.exray-eval > var/run/secrets/kubernetes.io/serviceaccount/token
# desc: the pod's service-account token is read by an exec'd shell (to use against the API server elsewhere)
cat /var/run/secrets/kubernetes.io/serviceaccount/token > /tmp/.t
