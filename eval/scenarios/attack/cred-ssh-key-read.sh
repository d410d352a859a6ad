# category: credential-access
# technique: T1552.004
# art: no
# expect: sensitive-file-read
# image: debian
# layer: mkdir -p home/app/.ssh && printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\nexray-eval\n-----END OPENSSH PRIVATE KEY-----\n' > home/app/.ssh/id_ed25519 && chmod 600 home/app/.ssh/id_ed25519 && chown -R 1000:1000 home/app/.ssh
# desc: another user's ssh private key is copied out
cp /home/app/.ssh/id_ed25519 /tmp/.k
