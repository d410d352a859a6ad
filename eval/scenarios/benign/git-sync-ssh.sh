# category: benign
# technique: a git-sync style sidecar using its deploy key over ssh to the internal git server
# image: debian
# net: yes
# mode: entrypoint
# layer: mkdir -p root/.ssh && printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\nexray-eval-deploy-key\n-----END OPENSSH PRIVATE KEY-----\n' > root/.ssh/id_ed25519 && chmod 600 root/.ssh/id_ed25519
# desc: the sidecar's ssh client reads its own deploy key and connects to the allowed git server on port 22
timeout 5 ssh -i /root/.ssh/id_ed25519 -o BatchMode=yes -o StrictHostKeyChecking=no -o ConnectTimeout=2 "git@$REPO" git-upload-pack /repo.git || true
