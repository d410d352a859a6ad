# category: credential-access
# technique: T1552.001
# art: no
# expect: cloud-credential-access sensitive-file-read
# layer: mkdir -p root/.kube && printf 'apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: exray-eval\n' > root/.kube/config
# desc: an admin kubeconfig left in the image is read
cat /root/.kube/config > /dev/null
