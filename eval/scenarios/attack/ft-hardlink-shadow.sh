# category: file-tampering
# technique: T1003.008
# art: no
# expect: sensitive-file-link
# desc: a hard link to /etc/shadow (Falco's Create Hardlink Over Sensitive Files)
ln /etc/shadow /var/tmp/.sh-backup
