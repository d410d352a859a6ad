# category: file-tampering
# technique: T1222.002
# art: yes
# expect: auth-file-modified
# desc: /etc/shadow is made world-readable and owned by the application user
chmod 666 /etc/shadow
chown 1000 /etc/shadow
