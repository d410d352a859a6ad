# category: file-tampering
# technique: T1548.003
# art: yes
# expect: auth-file-modified
# desc: a NOPASSWD rule for everyone is dropped into /etc/sudoers.d
mkdir -p /etc/sudoers.d
echo 'ALL ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/README
